//! E-mail notices through an SMTP server (lettre): the host, port, TLS mode, login and
//! sender come from the configuration, the password from an environment variable.

use super::Outcome;
use crate::domain::calendar::LocalTime;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain, then STARTTLS, which must succeed (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Implicit,
    /// No encryption: only for a relay on the same machine or a test server.
    None,
}

/// `[notifications.email]`.
#[derive(Clone)]
pub struct EmailSettings {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    /// The SMTP login, if the server asks for one.
    pub username: Option<String>,
    /// Read from the environment variable the configuration names, never from a file.
    pub password: Option<String>,
    /// `Name <address>` or `address`: who the notices come from.
    pub from: String,
    /// How long any one SMTP command may take.
    pub timeout: Duration,
}

// Written out so that the password never reaches a log.
impl std::fmt::Debug for EmailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("from", &self.from)
            .finish()
    }
}

/// A configured SMTP transport and the sender.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The sender's domain: the right-hand side of every Message-ID.
    domain: String,
}

impl Mailer {
    pub fn new(s: &EmailSettings) -> Result<Mailer, String> {
        let from: Mailbox = s.from.parse().map_err(|e| {
            format!(
                "[notifications.email] from = \"{}\" is not an e-mail address: {e}",
                s.from
            )
        })?;
        let domain = from.email.domain().to_owned();
        let tls = match s.tls {
            TlsMode::None => Tls::None,
            TlsMode::StartTls | TlsMode::Implicit => {
                let params = TlsParameters::new(s.host.clone())
                    .map_err(|e| format!("[notifications.email] TLS for {}: {e}", s.host))?;
                if s.tls == TlsMode::StartTls {
                    Tls::Required(params)
                } else {
                    Tls::Wrapper(params)
                }
            }
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host)
            .port(s.port)
            .tls(tls)
            .timeout(Some(s.timeout))
            .hello_name(ClientId::Domain(domain.clone()));
        if let Some(user) = &s.username {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                s.password.clone().unwrap_or_default(),
            ));
        }
        Ok(Mailer {
            transport: builder.build(),
            from,
            domain,
        })
    }

    /// Sends one notice; `id` names it for good (the Message-ID's left-hand side), so a
    /// copy sent again after a crash is recognisably the same message.
    pub async fn send(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        id: &str,
        now: LocalTime,
    ) -> Outcome {
        let to: Mailbox = match to.parse() {
            Ok(to) => to,
            Err(e) => return Outcome::GiveUp(format!("'{to}' is not an e-mail address: {e}")),
        };
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(format!("<{id}@{}>", self.domain)))
            .date(std::time::SystemTime::from(now))
            .header(ContentType::TEXT_PLAIN)
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-generated".to_owned(),
            ))
            .body(body.to_owned());
        let message = match message {
            Ok(m) => m,
            Err(e) => return Outcome::GiveUp(format!("the message cannot be built: {e}")),
        };
        match self.transport.send(message).await {
            Ok(_) => Outcome::Sent,
            // The login refused or required (530, 534, 535, 538): the channel's fault,
            // not the message's; every notice would meet it.
            Err(e)
                if e.status()
                    .map(u16::from)
                    .is_some_and(|c| matches!(c, 530 | 534 | 535 | 538)) =>
            {
                Outcome::Down(e.to_string())
            }
            // 5xx: the server will never take it (no such mailbox, refused).
            Err(e) if e.is_permanent() => Outcome::GiveUp(e.to_string()),
            // 4xx: this message, not now (greylisting, a full mailbox).
            Err(e) if e.is_transient() => Outcome::Retry(e.to_string()),
            // No answer at all: the server is unreachable, or TLS or the login failed.
            Err(e) => Outcome::Down(e.to_string()),
        }
    }
}
