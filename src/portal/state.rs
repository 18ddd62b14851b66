//! What every handler shares.

use super::clock::Clock;
use super::idempotency::InFlight;
use super::passwords::Passwords;
use super::service::uploads::Writers;
use super::throttle::Throttle;
use crate::domain::calendar::Calendar;
use sqlx::AnyPool;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Tunable limits of the portal.
#[derive(Clone)]
pub struct Settings {
    /// A token dies after this long without a request (background polls don't count).
    pub idle_timeout: Duration,
    /// A token dies this long after login, whatever happens.
    pub token_lifetime: Duration,
    /// Failed logins per account, and per client address, within `throttle_window`
    /// before further attempts are refused with 429.
    pub max_failures_per_account: u32,
    pub max_failures_per_address: u32,
    pub throttle_window: Duration,
    /// Missed public lookups (`GET /public/dossiers/{code}`: no such dossier for that
    /// identity number) per dossier code, and per client address, within
    /// `throttle_window` before further lookups are refused with 429.
    pub max_lookup_misses_per_code: u32,
    pub max_lookup_misses_per_address: u32,
    /// Identity cards presented at a desk that match no citizen (`applicant_mismatch`:
    /// a dossier taken in by number and date of birth, a password reset) per identity
    /// number, and per officer, within `throttle_window` before further ones are
    /// refused with 429: a date of birth cannot be searched for.
    pub max_card_misses_per_number: u32,
    pub max_card_misses_per_officer: u32,
    /// The most throttle counters kept in memory; past it the oldest are evicted.
    pub throttle_keys_max: usize,
    /// Password hashes and verifications (argon2id, 19 MiB each) running at once;
    /// 0: one per core (`std::thread::available_parallelism`).
    pub hash_concurrency: usize,
    /// Requests that may wait for a hashing slot; beyond it, or after `hash_wait`,
    /// the answer is 503 `server_busy` with `Retry-After`.
    pub hash_queue: usize,
    pub hash_wait: Duration,
    /// How long a client may take to send a request's line and headers (also how long
    /// an idle kept-alive connection stays open).
    pub header_read_timeout: Duration,
    /// Connections open at once from one client address; more are closed at once.
    pub max_connections_per_address: usize,
    /// Reverse proxies in front of the portal (`--trusted-proxy`): from these, the
    /// client's address is read from `X-Forwarded-For` (src/portal/forwarded.rs), and
    /// their connections are not capped per address (the proxy's own limits apply).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// On PostgreSQL: how long a `PATCH` of an upload waits while another portal process
    /// writes it, before the answer is 409 `upload_busy` (longer than a chunk may stay
    /// silent, so a writer whose client has gone is always waited out).
    pub upload_lock_wait: Duration,
    /// A training sandbox says so in `/me`, so it can never pass for a real portal.
    pub training: bool,
    /// How many changes the delta feed keeps per office; a client further behind
    /// reloads (410).
    pub changes_kept: i64,
    /// The secret the payment gateway signs its notices with (HMAC-SHA256);
    /// `None` turns `POST /payments/notify` off (503 `payments_disabled`).
    pub payment_secret: Option<String>,
    /// Where a citizen looks a dossier up, with `{code}` where its code goes: the address
    /// the receipt's QR code holds. `None`: this portal's own public lookup, at the host
    /// the desk reached it by.
    pub lookup_url: Option<String>,
    /// Notices to citizens: e-mail, SMS, the lookup link, retries (`[notifications]`).
    pub notify: super::notify::Settings,
    /// The citizen pages' cookies say `Secure` (sent over HTTPS only): for a portal
    /// behind a reverse proxy that terminates TLS (`motcua serve --secure-cookies`).
    pub secure_cookies: bool,
}

// Written out rather than derived so that the payment secret never reaches a log.
impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("idle_timeout", &self.idle_timeout)
            .field("token_lifetime", &self.token_lifetime)
            .field("training", &self.training)
            .field("changes_kept", &self.changes_kept)
            .field("lookup_url", &self.lookup_url)
            .field("secure_cookies", &self.secure_cookies)
            .field(
                "payment_secret",
                &self.payment_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("notify", &self.notify)
            .finish_non_exhaustive()
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            idle_timeout: Duration::from_secs(30 * 60),
            token_lifetime: Duration::from_secs(12 * 3600),
            max_failures_per_account: 5,
            max_failures_per_address: 20,
            throttle_window: Duration::from_secs(15 * 60),
            max_lookup_misses_per_code: 5,
            max_lookup_misses_per_address: 20,
            max_card_misses_per_number: 5,
            max_card_misses_per_officer: 20,
            throttle_keys_max: 100_000,
            hash_concurrency: 0,
            hash_queue: 32,
            hash_wait: Duration::from_secs(5),
            header_read_timeout: Duration::from_secs(10),
            max_connections_per_address: 64,
            upload_lock_wait: Duration::from_secs(35),
            trusted_proxies: Vec::new(),
            training: false,
            changes_kept: 100_000,
            payment_secret: None,
            lookup_url: None,
            notify: super::notify::Settings::default(),
            secure_cookies: false,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: AnyPool,
    pub calendar: Arc<Calendar>,
    pub clock: Clock,
    pub settings: Arc<Settings>,
    /// Attempt counters of logins, password changes, activations and public lookups.
    pub throttle: Arc<Throttle>,
    /// The bound on password hashing: every hash and verification goes through it.
    pub passwords: Arc<Passwords>,
    /// Idempotency keys being processed now.
    pub in_flight: Arc<InFlight>,
    /// Where uploaded files are kept.
    pub files_dir: PathBuf,
    /// Which uploads are being written now, so one chunk at a time lands in a file.
    pub upload_writers: Arc<Writers>,
    /// On PostgreSQL: the connections that hold the locks of the uploads this process
    /// writes, so that another process never touches the same file at once
    /// ([`super::service::uploads::across_processes`]).
    pub upload_locks: Option<AnyPool>,
    /// On PostgreSQL: the connections the inbox's searches run on, which plan each
    /// statement once ([`super::db::search_pool`]).
    pub search_db: Option<AnyPool>,
    /// The worker that sends notices to citizens; a step that queued some wakes it.
    pub notifier: Arc<super::notify::Notifier>,
    /// Each office's unit code, read once: it is in every dossier code of the office
    /// (a search leaves its words out of the index query, src/portal/search.rs).
    pub unit_codes: Arc<UnitCodes>,
}

/// Offices' unit codes by office id, read from the database on first use. An office's
/// unit code never changes while the portal runs (no route changes it).
#[derive(Default)]
pub struct UnitCodes(std::sync::RwLock<std::collections::HashMap<i64, String>>);

impl UnitCodes {
    pub async fn of(&self, db: &AnyPool, office: i64) -> Result<String, sqlx::Error> {
        if let Some(code) = self.0.read().ok().and_then(|m| m.get(&office).cloned()) {
            return Ok(code);
        }
        let code: String = sqlx::query_scalar("SELECT code FROM offices WHERE id = $1")
            .bind(office)
            .fetch_one(db)
            .await?;
        if let Ok(mut map) = self.0.write() {
            map.insert(office, code.clone());
        }
        Ok(code)
    }
}

impl AppState {
    /// The engine under the pool, for the few statements that differ (src/portal/db.rs).
    pub fn engine(&self) -> super::db::Engine {
        super::db::Engine::of(&self.db)
    }
}
