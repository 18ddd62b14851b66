//! `GET /stats`: what the office's inbox holds now, and how punctually it has returned
//! results. One field per queue (rather than a map) so that a client reading an older or
//! newer portal fails loudly on a renamed queue instead of showing a silent zero.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Dossiers per inbox queue (`?queue=` of `GET /dossiers`). The plain queues partition
/// the statuses; `overdue` cuts across them and `all` is their sum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct QueueCounts {
    pub online_pending: u64,
    pub received: u64,
    pub in_progress: u64,
    pub supplement: u64,
    pub awaiting_payment: u64,
    pub result_ready: u64,
    pub returned: u64,
    pub closed: u64,
    pub overdue: u64,
    pub all: u64,
}

/// Returned dossiers by punctuality against their due time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TimelinessCounts {
    pub early: u64,
    pub on_time: u64,
    pub late: u64,
}

/// `GET /stats`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Stats {
    /// The moment the counts hold for (RFC 3339): overdue depends on it.
    #[schema(format = DateTime)]
    pub at: String,
    pub queues: QueueCounts,
    pub returned: TimelinessCounts,
    /// Satisfaction ratings given, by level.
    #[serde(default)]
    pub ratings: crate::api::results::RatingCounts,
}
