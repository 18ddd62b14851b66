//! The wire contract of the portal API (`docs/api.md`): every request and
//! response body, the error body and the header names. The portal and the client both
//! use these types, so they cannot drift apart.

pub mod auth;
pub mod catalog;
pub mod certifications;
pub mod citizens;
pub mod documents;
pub mod dossiers;
pub mod error;
pub mod headers;
pub mod leases;
pub mod limits;
pub mod payments;
pub mod registers;
pub mod results;
pub mod stats;
pub mod training;
pub mod uploads;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Base path of every endpoint.
pub const BASE_PATH: &str = "/api/v1";

/// A page of a list: `{"items": [...], "next_cursor": "…" | null, "total": n}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; `null` on the last one.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
    /// Items matching the filter, over all pages.
    pub total: u64,
}

/// `GET /healthz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// `ok` whenever the process answers.
    pub status: String,
    /// `ok` when the database answered a query.
    pub database: String,
    /// The portal's version.
    pub version: String,
}
