//! What every handler shares.

use super::auth::Throttle;
use super::clock::Clock;
use super::idempotency::InFlight;
use super::service::uploads::Writers;
use crate::domain::calendar::Calendar;
use sqlx::SqlitePool;
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
    /// A training sandbox says so in `/me`, so it can never pass for a real portal.
    pub training: bool,
    /// How many changes the delta feed keeps; a client further behind reloads (410).
    pub changes_kept: i64,
    /// The secret the payment gateway signs its notices with (HMAC-SHA256);
    /// `None` turns `POST /payments/notify` off (503 `payments_disabled`).
    pub payment_secret: Option<String>,
}

// Written out rather than derived so that the payment secret never reaches a log.
impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("idle_timeout", &self.idle_timeout)
            .field("token_lifetime", &self.token_lifetime)
            .field("training", &self.training)
            .field("changes_kept", &self.changes_kept)
            .field(
                "payment_secret",
                &self.payment_secret.as_ref().map(|_| "<redacted>"),
            )
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
            training: false,
            changes_kept: 100_000,
            payment_secret: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: SqlitePool,
    pub calendar: Arc<Calendar>,
    pub clock: Clock,
    pub settings: Arc<Settings>,
    pub throttle: Arc<Throttle>,
    /// Idempotency keys being processed now.
    pub in_flight: Arc<InFlight>,
    /// Where uploaded files are kept.
    pub files_dir: PathBuf,
    /// Which uploads are being written now, so one chunk at a time lands in a file.
    pub upload_writers: Arc<Writers>,
}
