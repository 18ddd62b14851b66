//! Notices to citizens (Decree 118/2025: the citizen is told of each step of their
//! dossier): queued in the `notifications` table in the transaction of the step they tell,
//! then sent by a worker — e-mail through SMTP ([`email`]), SMS through a province's HTTP
//! gateway ([`sms`]) — with retries and back-off.
//!
//! **Never lost.** A notice exists once the step commits, and only a send the server or
//! gateway accepted marks it `sent`; a mail server that is down leaves it `failed` with
//! its attempts and the time of the next one, and the channel rests until then.
//!
//! **Never sent twice after a crash, and the one window where it can be.** A worker
//! *claims* a notice before sending it: one `UPDATE … RETURNING` (atomic in SQLite) counts
//! the attempt and leases the notice for [`Settings::lease`], so no other worker — nor this
//! one after a restart — takes it until the lease runs out. Killed before the server
//! accepted the message (SIGKILL while queueing, claiming, connecting or sending), the
//! notice is sent once, after the lease. Killed in the instant between the server's `250
//! OK` and the `UPDATE … sent` that follows it (one statement, sub-millisecond), the
//! notice is sent again after the lease: SMTP has no way to ask "did you take message
//! X?", and no client can close that window. What this does about it: the second copy
//! carries the same `Message-ID` (`<notice id>.<database token>@<sender's domain>`, fixed
//! by the notice, not by the attempt), so mail systems and clients that collapse
//! duplicates by Message-ID show one message; the SMS gateway gets the same reference
//! (`{id}`) to drop a repeat if it can. The lease (10 minutes) is many times the longest
//! send ([`Settings`]' timeouts), so a slow send is not taken over by another worker.

pub mod email;
pub mod sms;

use crate::api::results::{NoticeChannel, NoticeEvent};
use crate::domain::calendar::{LocalTime, vn_offset};
use crate::domain::results::{Handover, NoticeFacts, notice};
use crate::domain::workflow::DeliveryMethod;
use crate::portal::clock::Clock;
use crate::portal::db;
use crate::portal::dossier_store::{Row, time, wire};
use crate::portal::error::ApiError;
use sqlx::{AnyConnection, AnyPool};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// How the portal tells citizens (`[notifications]` of the configuration).
#[derive(Clone)]
pub struct Settings {
    /// The public lookup link a notice carries, `{code}` standing for the dossier's code.
    pub lookup_url: String,
    /// E-mail through SMTP; `None`: e-mail notices wait, queued.
    pub email: Option<email::EmailSettings>,
    /// SMS through an HTTP gateway; `None`: SMS notices wait, queued.
    pub sms: Option<sms::SmsSettings>,
    /// A training sandbox catches every notice as it is queued: recorded as sent and
    /// `caught`, shown to the trainee, never sent.
    pub catch: bool,
    /// The first retry waits this long; each next one twice as long, up to `retry_max`.
    pub retry_first: Duration,
    pub retry_max: Duration,
    /// How long a claimed notice is left to its worker before another may take it.
    pub lease: Duration,
    /// How often the worker looks for due notices when nothing wakes it.
    pub poll: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            lookup_url: "http://127.0.0.1:8080/api/v1/public/dossiers/{code}".into(),
            email: None,
            sms: None,
            catch: false,
            retry_first: Duration::from_secs(30),
            retry_max: Duration::from_secs(3600),
            lease: Duration::from_secs(600),
            poll: Duration::from_secs(60),
        }
    }
}

// Written out so that the SMTP password and the gateway's token never reach a log.
impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("notify::Settings")
            .field("lookup_url", &self.lookup_url)
            .field("email", &self.email)
            .field("sms", &self.sms)
            .field("catch", &self.catch)
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// The channels this portal can send on.
    fn configured(&self) -> Vec<NoticeChannel> {
        let mut out = Vec::new();
        if self.email.is_some() {
            out.push(NoticeChannel::Email);
        }
        if self.sms.is_some() {
            out.push(NoticeChannel::Sms);
        }
        out
    }

    /// How long after the `attempts`-th failed attempt the next one comes: doubling from
    /// `retry_first`, at most `retry_max`, plus a few seconds set by the notice's id so
    /// that many notices failed together do not all come back in the same second.
    pub fn backoff(&self, attempts: u32, id: i64) -> i64 {
        let first = self.retry_first.as_secs().max(1);
        let doubled = first.saturating_mul(1u64 << attempts.saturating_sub(1).min(20));
        let delay = doubled.min(self.retry_max.as_secs().max(first));
        delay as i64 + id.rem_euclid(5)
    }
}

/// What a send came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The server or gateway took it.
    Sent,
    /// This notice failed for now (a 4xx answer): try it again later.
    Retry(String),
    /// The channel itself failed (server unreachable, TLS, login, timeout): try again
    /// later, and leave the channel's other notices until then.
    Down(String),
    /// Refused for good (a 5xx answer, an address that cannot be one): never again.
    GiveUp(String),
}

/// A notice as the worker sends it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Outgoing {
    pub id: i64,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
}

/// One notice for one citizen, before it has a channel.
pub struct Notice<'a> {
    pub citizen_id: i64,
    pub dossier_code: Option<&'a str>,
    /// `notifications.event`: a [`NoticeEvent`]'s wire name, or `password_reset`.
    pub event: &'a str,
    pub subject: String,
    pub body: String,
    /// The SMS's text.
    pub sms: String,
}

/// Queues `notice` in the caller's transaction: an e-mail when the citizen has an address,
/// and an SMS to their phone. A training portal catches them at once.
pub async fn queue(
    conn: &mut AnyConnection,
    settings: &Settings,
    now: LocalTime,
    notice: &Notice<'_>,
) -> Result<(), ApiError> {
    let (phone, email): (String, Option<String>) =
        sqlx::query_as("SELECT phone, email FROM citizens WHERE id = $1")
            .bind(notice.citizen_id)
            .fetch_one(&mut *conn)
            .await?;
    let email = email.filter(|e| !e.trim().is_empty());
    let mut rows: Vec<(NoticeChannel, String, &str, &str)> = Vec::new();
    if let Some(address) = email {
        rows.push((NoticeChannel::Email, address, &notice.subject, &notice.body));
    }
    if !phone.trim().is_empty() {
        rows.push((NoticeChannel::Sms, phone, "", &notice.sms));
    }
    for (channel, to, subject, body) in rows {
        let (status, next, sent_at) = if settings.catch {
            ("sent", None, Some(now.to_rfc3339()))
        } else {
            ("queued", Some(now.timestamp()), None)
        };
        sqlx::query(
            "INSERT INTO notifications (dossier_code, citizen_id, event, channel, recipient, \
             status, attempts, created_at, sent_at, subject, body, next_attempt_at, caught) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9, $10, $11, $12)",
        )
        .bind(notice.dossier_code)
        .bind(notice.citizen_id)
        .bind(notice.event)
        .bind(channel.as_str())
        .bind(to)
        .bind(status)
        .bind(now.to_rfc3339())
        .bind(sent_at)
        .bind(subject)
        .bind(body)
        .bind(next)
        .bind(i64::from(settings.catch))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Queues the notice of a dossier's step, read from the dossier as the step left it
/// (`row`, read back in the step's transaction).
pub async fn queue_step(
    conn: &mut AnyConnection,
    settings: &Settings,
    row: &Row,
    event: NoticeEvent,
    reason: Option<&str>,
    now: LocalTime,
) -> Result<(), ApiError> {
    let missing: Vec<String> = row
        .supplement
        .as_deref()
        .and_then(|s| serde_json::from_str::<crate::api::dossiers::SupplementRequest>(s).ok())
        .map(|s| s.missing_documents)
        .unwrap_or_default();
    let handover: Option<Handover> = row
        .handover
        .as_deref()
        .and_then(|h| serde_json::from_str(h).ok());
    let link = crate::domain::results::lookup_link(&settings.lookup_url, &row.code);
    let fee_due = (row.payment_status == "unpaid" && row.fee_amount > 0)
        .then_some(row.fee_amount.max(0) as u64);
    let text = notice(
        event,
        &NoticeFacts {
            code: &row.code,
            office: &row.office_name,
            procedure: &row.procedure_name,
            applicant_name: &row.applicant_name,
            at: now,
            due_at: time(&row.due_at)?,
            reason,
            missing_documents: &missing,
            fee_due,
            delivery: wire::<DeliveryMethod>(&row.delivery_method)?,
            handover: handover.as_ref(),
            lookup_link: &link,
        },
    );
    queue(
        conn,
        settings,
        now,
        &Notice {
            citizen_id: row.applicant_id,
            dossier_code: Some(&row.code),
            event: event.as_str(),
            subject: text.subject,
            body: text.body,
            sms: text.sms,
        },
    )
    .await
}

fn channel_of(name: &str) -> Option<NoticeChannel> {
    match name {
        "email" => Some(NoticeChannel::Email),
        "sms" => Some(NoticeChannel::Sms),
        _ => None,
    }
}

/// A Unix second at +07:00.
pub fn unix_time(at: i64) -> LocalTime {
    chrono::DateTime::from_timestamp(at, 0)
        .unwrap_or_default()
        .with_timezone(&vn_offset())
}

/// The worker: sends due notices, records each outcome, and rests a channel that is
/// down. Shared by the portal's state; [`Notifier::run`] is its loop.
pub struct Notifier {
    db: AnyPool,
    clock: Clock,
    settings: Settings,
    mailer: Option<email::Mailer>,
    gateway: Option<sms::Gateway>,
    wake: Notify,
    /// Passes begun, and (below) passes finished.
    started: std::sync::atomic::AtomicU64,
    passes: watch::Sender<u64>,
    /// Channels resting after a failure, until this Unix second.
    resting: Mutex<HashMap<NoticeChannel, i64>>,
}

impl Notifier {
    /// A worker for `settings`; fails when the sender's address or the gateway's address
    /// cannot be used.
    pub fn new(db: AnyPool, clock: Clock, settings: Settings) -> Result<Notifier, String> {
        let mailer = settings
            .email
            .as_ref()
            .map(email::Mailer::new)
            .transpose()?;
        let gateway = settings.sms.as_ref().map(sms::Gateway::new).transpose()?;
        Ok(Notifier {
            db,
            clock,
            settings,
            mailer,
            gateway,
            wake: Notify::new(),
            started: std::sync::atomic::AtomicU64::new(0),
            passes: watch::channel(0).0,
            resting: Mutex::new(HashMap::new()),
        })
    }

    /// Asks the worker to look for due notices now (after a step committed some).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Counts the worker's finished passes: a test awaits a pass instead of sleeping.
    pub fn passes(&self) -> watch::Receiver<u64> {
        self.passes.subscribe()
    }

    /// Wakes the worker and waits until a pass that began after this call has finished:
    /// every notice due now has then been tried.
    pub async fn settle(&self) {
        let mut finished = self.passes.subscribe();
        let begun = self.started.load(std::sync::atomic::Ordering::SeqCst);
        self.wake();
        while *finished.borrow_and_update() <= begun {
            if finished.changed().await.is_err() {
                return;
            }
        }
    }

    /// Runs forever: a pass, then rest until the next notice is due, the poll interval
    /// passes, or [`Notifier::wake`] is called. Times are read from the portal's clock,
    /// so a test moves the clock and wakes the worker instead of waiting.
    pub async fn run(self: Arc<Self>) {
        loop {
            self.started
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let next = match self.pass().await {
                Ok(next) => next,
                Err(e) => {
                    tracing::error!("notification worker: {e}");
                    None
                }
            };
            self.passes.send_modify(|n| *n += 1);
            let poll = self.settings.poll.as_secs() as i64;
            let wait = next
                .map(|at| (at - self.clock.unix()).clamp(0, poll))
                .unwrap_or(poll);
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(wait.max(0) as u64)) => {}
                _ = self.wake.notified() => {}
            }
        }
    }

    fn resting(&self) -> std::sync::MutexGuard<'_, HashMap<NoticeChannel, i64>> {
        self.resting.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The configured channels not resting at `now`.
    fn active(&self, now: i64) -> Vec<NoticeChannel> {
        let resting = self.resting();
        self.settings
            .configured()
            .into_iter()
            .filter(|c| resting.get(c).is_none_or(|until| *until <= now))
            .collect()
    }

    /// Sends every notice due now, one at a time (each claimed, sent, recorded), and
    /// answers when the next one is due (Unix seconds), if any is waiting.
    pub async fn pass(&self) -> Result<Option<i64>, sqlx::Error> {
        loop {
            let now = self.clock.unix();
            let channels = self.active(now);
            if channels.is_empty() {
                break;
            }
            let Some(notice) = self.claim(now, &channels).await? else {
                break;
            };
            let outcome = self.deliver(&notice).await;
            self.record(&notice, outcome).await?;
        }
        self.next_due().await
    }

    /// Takes the next due notice of `channels` for this worker: counts the attempt and
    /// leases it, in one statement, so two workers never take the same one. The oldest
    /// first, so that a citizen reads a dossier's steps in the order they happened even
    /// after a retry.
    async fn claim(
        &self,
        now: i64,
        channels: &[NoticeChannel],
    ) -> Result<Option<Outgoing>, sqlx::Error> {
        let marks: Vec<String> = (0..channels.len()).map(|i| format!("${}", i + 3)).collect();
        // On PostgreSQL, workers of several processes claim at once: each passes over the
        // rows another is claiming (`SKIP LOCKED`) instead of queueing behind it, and the
        // lease is checked again on the row it updates, because a statement that waited
        // for a row lock re-reads only the row, not the subquery that chose it (without
        // this, two workers would both claim the notice the first one leased).
        let skip_locked = match db::Engine::of(&self.db) {
            db::Engine::Postgres => " FOR UPDATE SKIP LOCKED",
            db::Engine::Sqlite => "",
        };
        // Built from placeholders only; every value is bound.
        let sql = format!(
            "UPDATE notifications SET lease_until = $1, attempts = attempts + 1 \
             WHERE id = (SELECT id FROM notifications \
                         WHERE status IN ('queued', 'failed') AND next_attempt_at IS NOT NULL \
                           AND next_attempt_at <= $2 \
                           AND (lease_until IS NULL OR lease_until <= $2) \
                           AND channel IN ({}) \
                         ORDER BY id LIMIT 1{skip_locked}) \
               AND (lease_until IS NULL OR lease_until <= $2) \
             RETURNING id, channel, recipient, subject, body, attempts",
            marks.join(", ")
        );
        let mut claim = sqlx::query_as::<_, Outgoing>(sqlx::AssertSqlSafe(sql))
            .bind(now + self.settings.lease.as_secs() as i64)
            .bind(now);
        for c in channels {
            claim = claim.bind(c.as_str());
        }
        claim.fetch_optional(&self.db).await
    }

    /// The database's random name, for Message-IDs.
    async fn token(&self) -> Result<String, sqlx::Error> {
        sqlx::query_scalar("SELECT token FROM portal_identity WHERE id = 1")
            .fetch_one(&self.db)
            .await
    }

    async fn deliver(&self, n: &Outgoing) -> Outcome {
        match n.channel.as_str() {
            "email" => match (&self.mailer, self.token().await) {
                (Some(mailer), Ok(token)) => {
                    mailer
                        .send(
                            &n.recipient,
                            &n.subject,
                            &n.body,
                            &format!("{}.{token}", n.id),
                            self.clock.now(),
                        )
                        .await
                }
                (None, _) => Outcome::Down("e-mail is not configured".into()),
                (_, Err(e)) => Outcome::Down(format!("database: {e}")),
            },
            "sms" => match (&self.gateway, self.token().await) {
                (Some(gateway), Ok(token)) => {
                    gateway
                        .send(&n.recipient, &n.body, &format!("{}.{token}", n.id))
                        .await
                }
                (None, _) => Outcome::Down("SMS is not configured".into()),
                (_, Err(e)) => Outcome::Down(format!("database: {e}")),
            },
            other => Outcome::GiveUp(format!("unknown channel {other}")),
        }
    }

    /// Writes what became of a claimed notice, and rests its channel when it is down.
    async fn record(&self, n: &Outgoing, outcome: Outcome) -> Result<(), sqlx::Error> {
        let now = self.clock.now();
        match outcome {
            Outcome::Sent => {
                sqlx::query(
                    "UPDATE notifications SET status = 'sent', sent_at = $1, \
                     next_attempt_at = NULL, lease_until = NULL, last_error = NULL \
                     WHERE id = $2",
                )
                .bind(now.to_rfc3339())
                .bind(n.id)
                .execute(&self.db)
                .await?;
                tracing::info!("notice {} sent ({})", n.id, n.channel);
            }
            failed => {
                let (why, next) = match &failed {
                    Outcome::GiveUp(why) => (why.clone(), None),
                    Outcome::Retry(why) | Outcome::Down(why) => (
                        why.clone(),
                        Some(
                            now.timestamp() + self.settings.backoff(n.attempts.max(1) as u32, n.id),
                        ),
                    ),
                    Outcome::Sent => (String::new(), None),
                };
                // Bounded: a server's answer can be long, and it is shown to officials.
                let why: String = why.chars().take(300).collect();
                sqlx::query(
                    "UPDATE notifications SET status = 'failed', last_error = $1, \
                     next_attempt_at = $2, lease_until = NULL WHERE id = $3",
                )
                .bind(&why)
                .bind(next)
                .bind(n.id)
                .execute(&self.db)
                .await?;
                if let (Outcome::Down(_), Some(until)) = (&failed, next)
                    && let Some(channel) = channel_of(&n.channel)
                {
                    self.resting().insert(channel, until);
                }
                match next {
                    Some(at) => tracing::warn!(
                        "notice {} ({}) not sent, attempt {}: {why}; next at {}",
                        n.id,
                        n.channel,
                        n.attempts,
                        unix_time(at).to_rfc3339()
                    ),
                    None => {
                        tracing::warn!("notice {} ({}) refused for good: {why}", n.id, n.channel)
                    }
                }
            }
        }
        Ok(())
    }

    /// The earliest moment a waiting notice of a configured channel is due (a resting
    /// channel's notices: when it wakes).
    async fn next_due(&self) -> Result<Option<i64>, sqlx::Error> {
        let configured = self.settings.configured();
        if configured.is_empty() {
            return Ok(None);
        }
        let marks: Vec<String> = (0..configured.len())
            .map(|i| format!("${}", i + 1))
            .collect();
        let sql = format!(
            "SELECT channel, MIN(CASE WHEN next_attempt_at > COALESCE(lease_until, 0) \
                    THEN next_attempt_at ELSE COALESCE(lease_until, 0) END) \
             FROM notifications WHERE status IN ('queued', 'failed') \
             AND next_attempt_at IS NOT NULL AND channel IN ({}) GROUP BY channel",
            marks.join(", ")
        );
        let mut q = sqlx::query_as::<_, (String, i64)>(sqlx::AssertSqlSafe(sql));
        for c in &configured {
            q = q.bind(c.as_str());
        }
        let rows = q.fetch_all(&self.db).await?;
        let resting = self.resting().clone();
        Ok(rows
            .into_iter()
            .map(|(channel, due)| {
                let rest = configured
                    .iter()
                    .find(|c| c.as_str() == channel)
                    .and_then(|c| resting.get(c))
                    .copied()
                    .unwrap_or(0);
                due.max(rest)
            })
            .min())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_up_to_the_cap_spread_by_the_id() {
        let s = Settings::default();
        let waits: Vec<i64> = (1..=9).map(|n| s.backoff(n, 10)).collect();
        assert_eq!(waits, vec![30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(s.backoff(1, 12), 32, "a few seconds set by the id");
        assert_eq!(s.backoff(u32::MAX, 0), 3600, "no overflow");
    }
}
