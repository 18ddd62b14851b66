//! Results given back (issue 17): the satisfaction rating (`POST /dossiers/{code}/rating`)
//! and the notices the portal sends the citizen (`GET /dossiers/{code}/notifications`).
//! The handover of `return_result` is [`Handover`], shared with the domain's check.

use crate::api::dossiers::Channel;
use crate::api::limits::{self, Bound, Bounded};
pub use crate::domain::results::{Handover, NoticeEvent, RatingLevel, Receiver, ReceiverRelation};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /dossiers/{code}/rating`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingIn {
    pub level: RatingLevel,
    /// What the citizen wants to say; several lines allowed.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub comment: Option<String>,
}

impl Bounded for RatingIn {
    const BOUNDS: &'static [Bound] = &[Bound::lines("comment", limits::NOTE)];
}

/// A dossier's rating, once given (`rating` of the dossier).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Rating {
    pub level: RatingLevel,
    #[schema(required = true)]
    pub comment: Option<String>,
    /// `desk`: recorded by the reception officer at the counter; `online`: given by the
    /// citizen on the portal.
    pub channel: Channel,
    #[schema(format = DateTime)]
    pub rated_at: String,
}

/// How a notice goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoticeChannel {
    Email,
    Sms,
}

impl NoticeChannel {
    pub const fn as_str(self) -> &'static str {
        match self {
            NoticeChannel::Email => "email",
            NoticeChannel::Sms => "sms",
        }
    }
}

/// Where a notice stands. `queued`: waiting for its first attempt; `failed`: an attempt
/// failed, and it is tried again at `next_attempt_at` (none: given up, the server
/// refused it for good); `sent`: the mail server or SMS gateway took it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoticeStatus {
    Queued,
    Sent,
    Failed,
}

/// One notice to the applicant (`GET /dossiers/{code}/notifications`), with its words
/// as the citizen gets them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Notification {
    pub id: i64,
    pub event: NoticeEvent,
    pub channel: NoticeChannel,
    /// The e-mail address or mobile number it goes to.
    pub to: String,
    pub status: NoticeStatus,
    /// Attempts made so far.
    pub attempts: u32,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    #[schema(required = true)]
    pub sent_at: Option<String>,
    /// When it is tried next, while not sent.
    #[schema(format = DateTime)]
    #[schema(required = true)]
    pub next_attempt_at: Option<String>,
    /// What went wrong at the last failed attempt.
    #[schema(required = true)]
    pub last_error: Option<String>,
    /// The e-mail's subject (empty for an SMS).
    pub subject: String,
    /// The e-mail's body, or the SMS's text.
    pub body: String,
    /// A training portal caught it rather than sending it.
    pub caught: bool,
}

/// Ratings given by level (`ratings` of `GET /stats`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RatingCounts {
    pub very_satisfied: u64,
    pub satisfied: u64,
    pub unsatisfied: u64,
}
