//! `GET /stats`: what the office's inbox holds now, and how punctually it has returned
//! results. One field per queue (rather than a map) so that a client reading an older or
//! newer portal fails loudly on a renamed queue instead of showing a silent zero.

use crate::api::limits::{self, Bound, Bounded};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

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
    /// The period of `indices` and `reuse` (`?from&to`; the month to date unless given).
    #[serde(default)]
    pub period: Period,
    #[serde(default)]
    pub indices: Indices,
    #[serde(default)]
    pub reuse: ReuseCounts,
    /// Satisfaction ratings given in the period, by level.
    #[serde(default)]
    pub ratings: crate::api::results::RatingCounts,
    /// The indices month by month (`?months=N`), oldest first, the current month (to
    /// date) last; empty unless asked for.
    #[serde(default)]
    pub months: Vec<MonthIndices>,
    /// Certifications entered in the period, by kind, and the fees taken for them.
    #[serde(default)]
    pub certifications: CertificationCounts,
    /// The same for the period's last day alone (`to`: today unless given).
    #[serde(default)]
    pub certifications_day: CertificationCounts,
}

/// Certifications entered in a period (`certifications` of `GET /stats`), a day
/// (`certifications_day`) or a month (`months[].certifications`), by the local date of
/// the entry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CertificationCounts {
    pub copy: u64,
    pub signature: u64,
    pub contract: u64,
    /// The fees taken for them, in đồng.
    pub fees: u64,
}

/// One calendar month of the indices, counted as `indices` counts a period, with the
/// month's ratings and certifications.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MonthIndices {
    /// `YYYY-MM`.
    pub month: String,
    pub indices: Indices,
    pub ratings: crate::api::results::RatingCounts,
    /// Certifications entered in the month, by kind, and their fees.
    #[serde(default)]
    pub certifications: CertificationCounts,
}

/// One index of Decision 766/QĐ-TTg as a fraction, so that a client shows the counts
/// behind a rate and 0/0 (nothing to count yet) is not mistaken for 0 %.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Ratio {
    pub numerator: u64,
    pub denominator: u64,
}

/// The indices a ward can compute, over the period asked for (DOMAIN.md).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Indices {
    /// Dossiers returned in the period early or on time ÷ dossiers returned in it.
    pub on_time: Ratio,
    /// Dossiers received in the period that came online ÷ dossiers received in it.
    pub online_submission: Ratio,
    /// Fees paid in the period other than in cash ÷ fees paid in it.
    pub online_payment: Ratio,
    /// Dossiers received in the period whose every document part is digitized or reused
    /// ÷ dossiers received in it (one with no document part counts as digitized).
    pub digitization: Ratio,
    /// Satisfied or very satisfied ratings ÷ ratings given in the period.
    pub satisfaction: Ratio,
}

/// Documents taken from citizens' stores instead of being presented again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReuseCounts {
    /// Document parts reused in the period.
    pub documents: u64,
    /// Dossiers with at least one part reused in the period.
    pub dossiers: u64,
}

/// The dates the indices count, both included.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Period {
    #[schema(format = Date)]
    pub from: String,
    #[schema(format = Date)]
    pub to: String,
}

/// `GET /stats?from=&to=`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// The first day of the period, `YYYY-MM-DD`: the first of the month unless given.
    #[param(format = Date, max_length = 32)]
    pub from: Option<String>,
    /// The last day, `YYYY-MM-DD`, at most 366 days after `from`: today unless given.
    #[param(format = Date, max_length = 32)]
    pub to: Option<String>,
    /// How many calendar months of indices `months` gives, ending with the current one
    /// (1–24); none unless given. Independent of `from` and `to`.
    #[param(minimum = 1, maximum = 24)]
    pub months: Option<u32>,
}

/// The most months `?months=` gives.
pub const MAX_MONTHS: u32 = 24;

impl Bounded for StatsQuery {
    const BOUNDS: &'static [Bound] = &[
        Bound::line("from", limits::SHORT),
        Bound::line("to", limits::SHORT),
    ];
}
