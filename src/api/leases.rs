//! Code leases (issue 19): numbers of the office's day held for one reception officer,
//! so that a desk whose link is down still gives each dossier its final code.
//!
//! `POST /code-leases` reserves `count` numbers of today; `GET /code-leases` lists the
//! caller's leases that still hold numbers; `POST /code-leases/{id}/release` voids the
//! numbers the desk will not use, with the reason the register shows; `POST /dossiers`
//! with `code` and `received_at` takes a dossier in on one of them.

use crate::api::limits::{self, Bound, Bounded};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The most numbers one lease holds.
pub const MAX_LEASE: i64 = 50;

/// The most numbers one officer may hold unused at once (in all their leases): a desk
/// renews its block as it uses it, and nobody can burn the day's 9,999 numbers.
pub const MAX_HELD: i64 = 50;

/// How many days after its day a lease's numbers may still arrive (the outage's end);
/// after that those never used are voided, and the register says so.
pub const GRACE_DAYS: i64 = 7;

/// The most characters of a release's reason.
pub const MAX_REASON: usize = 500;

/// `POST /code-leases`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCodeLease {
    /// How many numbers, 1 to 50. Required; optional on the wire only so that a missing
    /// one gets a field error rather than a parse error.
    #[serde(default)]
    #[schema(value_type = i64, required = true, minimum = 1, maximum = 50)]
    pub count: Option<i64>,
}

impl Bounded for NewCodeLease {
    // A number, checked by the handler (1 to 50); no text.
    const BOUNDS: &'static [Bound] = &[];
}

/// A number of a lease voided, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VoidedCode {
    pub code: String,
    pub reason: String,
    /// When it was voided; for a number voided because its lease ran out, the end of
    /// the grace period.
    #[schema(format = DateTime)]
    pub voided_at: String,
}

/// A lease: its numbers, and what became of each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CodeLease {
    /// Opaque.
    pub id: String,
    /// The day of its numbers (`YYYY-MM-DD`), the date inside each code.
    #[schema(format = Date)]
    pub date: String,
    /// Every code of the lease, in order.
    pub codes: Vec<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// The end of its day: a dossier on one of its numbers is received before it.
    #[schema(format = DateTime)]
    pub expires_at: String,
    /// The last moment a dossier on one of its numbers is accepted (the grace after the
    /// day: a desk offline for days sends its work when the link returns).
    #[schema(format = DateTime)]
    pub accepted_until: String,
    /// Codes a dossier has.
    pub used: Vec<String>,
    pub voided: Vec<VoidedCode>,
    /// Codes neither used nor voided: still the officer's to use (until `expires_at` for
    /// an intake, `accepted_until` for sending it).
    pub held: Vec<String>,
}

/// `POST /code-leases/{id}/release`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseCodes {
    /// Codes of the lease that will not be used (at most 50); one voided already is
    /// left as it is, so a release may be sent again.
    #[schema(schema_with = unused_codes)]
    pub unused: Vec<String>,
    /// Why, for the register (`Hết giờ làm việc, không dùng`), 1 to 500 characters, not
    /// only spaces.
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// The schema of `unused`: at most [`MAX_LEASE`] codes.
fn unused_codes() -> utoipa::openapi::Array {
    utoipa::openapi::ArrayBuilder::new()
        .items(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::Type::String)
                .max_length(Some(limits::CODE)),
        )
        .max_items(Some(MAX_LEASE as usize))
        .build()
}

impl Bounded for ReleaseCodes {
    const BOUNDS: &'static [Bound] = &[
        Bound::items("unused", MAX_LEASE as usize),
        Bound::line("unused[]", limits::CODE),
        Bound::line("reason", MAX_REASON),
    ];
}
