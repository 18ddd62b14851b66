//! SMS notices through a province's HTTP gateway: a POST to its URL with a body made from
//! a template, so that any gateway plugs in by configuration (`[notifications.sms]`).
//! The template's `{to}` (the mobile number), `{text}` (the message) and `{id}` (a
//! reference that stays the same if the notice is sent again) are filled escaped for the
//! body's type: JSON strings for `application/json`, form encoding otherwise.

use super::Outcome;
use std::time::Duration;

/// `[notifications.sms]`.
#[derive(Clone)]
pub struct SmsSettings {
    pub url: String,
    /// Sent as `Authorization: Bearer <token>`; read from the environment variable the
    /// configuration names, never from a file.
    pub token: Option<String>,
    pub template: String,
    pub content_type: String,
    pub timeout: Duration,
}

// Written out so that the token never reaches a log.
impl std::fmt::Debug for SmsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsSettings")
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("template", &self.template)
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// The default template: a JSON body most gateways take in some form.
pub const DEFAULT_TEMPLATE: &str = r#"{"to": "{to}", "text": "{text}", "ref": "{id}"}"#;

pub struct Gateway {
    http: reqwest::Client,
    settings: SmsSettings,
}

impl Gateway {
    pub fn new(s: &SmsSettings) -> Result<Gateway, String> {
        if !(s.url.starts_with("https://") || s.url.starts_with("http://")) {
            return Err(format!(
                "[notifications.sms] url = \"{}\" is not an http:// or https:// address",
                s.url
            ));
        }
        let http = reqwest::Client::builder()
            .timeout(s.timeout)
            .build()
            .map_err(|e| format!("[notifications.sms]: {e}"))?;
        Ok(Gateway {
            http,
            settings: s.clone(),
        })
    }

    /// The request body for one message.
    pub fn body(&self, to: &str, text: &str, id: &str) -> String {
        fill(
            &self.settings.template,
            &self.settings.content_type,
            to,
            text,
            id,
        )
    }

    pub async fn send(&self, to: &str, text: &str, id: &str) -> Outcome {
        let mut request = self
            .http
            .post(&self.settings.url)
            .header(reqwest::header::CONTENT_TYPE, &self.settings.content_type)
            .body(self.body(to, text, id));
        if let Some(token) = &self.settings.token {
            request = request.bearer_auth(token);
        }
        match request.send().await {
            Ok(r) if r.status().is_success() => Outcome::Sent,
            // Asked to come back later, or the gateway failed: the channel rests.
            Ok(r) if r.status().as_u16() == 429 || r.status().is_server_error() => {
                Outcome::Down(format!("the SMS gateway answered {}", r.status()))
            }
            // The token refused: every message would be.
            Ok(r) if matches!(r.status().as_u16(), 401 | 403) => Outcome::Down(format!(
                "the SMS gateway refused the token ({})",
                r.status()
            )),
            Ok(r) => Outcome::GiveUp(format!("the SMS gateway refused it ({})", r.status())),
            Err(e) => Outcome::Down(format!("the SMS gateway cannot be reached: {e}")),
        }
    }
}

/// The template with its placeholders filled, each value escaped for `content_type`.
pub fn fill(template: &str, content_type: &str, to: &str, text: &str, id: &str) -> String {
    let json = content_type.contains("json");
    let escape = |v: &str| {
        if json {
            let quoted = serde_json::Value::String(v.to_owned()).to_string();
            quoted[1..quoted.len() - 1].to_owned()
        } else {
            form_encode(v)
        }
    };
    // One pass, so that a value holding "{text}" is never filled again.
    let mut out = String::with_capacity(template.len() + text.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let (value, len) = if tail.starts_with("{to}") {
            (Some(escape(to)), 4)
        } else if tail.starts_with("{text}") {
            (Some(escape(text)), 6)
        } else if tail.starts_with("{id}") {
            (Some(escape(id)), 4)
        } else {
            (None, 1)
        };
        match value {
            Some(v) => out.push_str(&v),
            None => out.push('{'),
        }
        rest = &tail[len..];
    }
    out.push_str(rest);
    out
}

/// `application/x-www-form-urlencoded` of one value.
fn form_encode(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_once_and_escaped() {
        assert_eq!(
            fill(
                DEFAULT_TEMPLATE,
                "application/json",
                "0912345678",
                "a \"b\"\n{to}",
                "7.x"
            ),
            r#"{"to": "0912345678", "text": "a \"b\"\n{to}", "ref": "7.x"}"#
        );
        assert_eq!(
            fill(
                "phone={to}&msg={text}",
                "application/x-www-form-urlencoded",
                "0912345678",
                "HS 1: Đã",
                "1"
            ),
            "phone=0912345678&msg=HS+1%3A+%C4%90%C3%A3"
        );
    }
}
