//! The handlers, by area.

pub mod calendar;
pub mod catalog;
pub mod certifications;
pub mod citizen_side;
pub mod citizens;
pub mod code_leases;
pub mod documents;
pub mod dossiers;
pub mod fee_orders;
pub mod forms;
pub mod health;
pub mod payments;
pub mod registers;
pub mod results;
pub mod stats;
pub mod training;
pub mod uploads;

use super::error::ApiError;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A cacheable answer: 304 when the caller already holds `etag`, else the body with it.
pub fn with_etag(headers: &HeaderMap, etag: &str, body: &impl Serialize) -> Response {
    let held = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let tag = HeaderValue::from_str(etag).unwrap_or_else(|_| HeaderValue::from_static("W/\"0\""));
    if held {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response();
    }
    ([(header::ETAG, tag)], axum::Json(body)).into_response()
}

/// `?limit=`: 50 by default, at most 500.
pub fn limit(requested: Option<u32>) -> Result<u32, ApiError> {
    match requested {
        None => Ok(50),
        Some(n @ 1..=500) => Ok(n),
        Some(n) => Err(ApiError::BadRequest(format!(
            "limit must be between 1 and 500, not {n}"
        ))),
    }
}
