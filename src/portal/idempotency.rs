//! Idempotency keys (IETF draft "The Idempotency-Key HTTP Header Field"): every creating
//! POST carries a key; the first response is stored with the business row, in the same
//! transaction, and replayed to retries with the same payload. A different payload under
//! the same key is refused (422), and a retry while the first is still running gets 409.

use super::auth::Session;
use super::error::ApiError;
use super::state::AppState;
use crate::api::headers::IDEMPOTENCY_KEY;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

/// Stored responses are kept at least this long.
const KEEP_SECONDS: i64 = 24 * 3600;

/// Keys whose first request is running now, per user.
#[derive(Debug, Default)]
pub struct InFlight(Mutex<HashSet<(i64, String)>>);

/// A claimed key: released when the request ends, however it ends.
pub struct Idempotent {
    user_id: i64,
    key: String,
    fingerprint: String,
    in_flight: Arc<InFlight>,
}

impl Drop for Idempotent {
    fn drop(&mut self) {
        self.in_flight
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&(self.user_id, self.key.clone()));
    }
}

/// The key of a request: a UUID as an RFC 8941 string (`"<uuid>"`), as docs/api.md asks; the
/// bare UUID is accepted too. Anything else is refused rather than taken as a key, so
/// that the OpenAPI document can say exactly what a key is.
fn key_of(headers: &HeaderMap) -> Result<String, ApiError> {
    let raw = headers
        .get(IDEMPOTENCY_KEY)
        .ok_or(ApiError::IdempotencyKeyMissing)?
        .to_str()
        .map_err(|_| ApiError::BadRequest("Idempotency-Key must be ASCII".into()))?
        .trim();
    let key = raw
        .strip_prefix('"')
        .and_then(|k| k.strip_suffix('"'))
        .unwrap_or(raw);
    // 36 characters: the hyphenated form only, not the other spellings `Uuid` parses.
    if key.len() != 36 || uuid::Uuid::try_parse(key).is_err() {
        return Err(ApiError::BadRequest(
            "Idempotency-Key must be a UUID as a string: \"<uuid>\"".into(),
        ));
    }
    Ok(key.to_owned())
}

impl Idempotent {
    /// Claims the request's key for `session`. `what` names the operation and `body` is
    /// its payload: together they are the fingerprint a retry must match.
    pub fn claim(
        state: &AppState,
        session: &Session,
        headers: &HeaderMap,
        what: &str,
        body: &[u8],
    ) -> Result<Idempotent, ApiError> {
        let key = key_of(headers)?;
        // Whitespace and key order do not make a different request.
        let canonical = serde_json::from_slice::<serde_json::Value>(body)
            .map(|v| v.to_string().into_bytes())
            .unwrap_or_else(|_| body.to_vec());
        let mut hasher = Sha256::new();
        hasher.update(what.as_bytes());
        hasher.update([0]);
        hasher.update(&canonical);
        let fingerprint = hex::encode(hasher.finalize());
        let inserted = state
            .in_flight
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert((session.user_id, key.clone()));
        if !inserted {
            return Err(ApiError::RequestInProgress);
        }
        Ok(Idempotent {
            user_id: session.user_id,
            key,
            fingerprint,
            in_flight: state.in_flight.clone(),
        })
    }

    /// The stored response to replay, if this key has one; 422 if it was used for a
    /// different payload. Call inside the write transaction, before doing anything.
    pub async fn replay(&self, tx: &mut AnyConnection) -> Result<Option<Response>, ApiError> {
        let row: Option<(String, Option<i64>, Option<String>)> = sqlx::query_as(
            "SELECT request_hash, status, response FROM idempotency WHERE user_id = $1 AND key = $2",
        )
        .bind(self.user_id)
        .bind(&self.key)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((hash, status, body)) = row else {
            return Ok(None);
        };
        if hash != self.fingerprint {
            return Err(ApiError::IdempotencyKeyReused);
        }
        let (Some(status), Some(body)) = (status, body) else {
            return Err(ApiError::RequestInProgress);
        };
        let status = StatusCode::from_u16(status as u16).map_err(ApiError::internal)?;
        let json: serde_json::Value = serde_json::from_str(&body).map_err(ApiError::internal)?;
        let mut response = (status, axum::Json(json)).into_response();
        response.headers_mut().insert(
            "idempotent-replayed",
            axum::http::HeaderValue::from_static("true"),
        );
        Ok(Some(response))
    }

    /// Stores the response in the business transaction, and forgets responses older than
    /// a day.
    pub async fn store(
        &self,
        tx: &mut AnyConnection,
        now: i64,
        status: StatusCode,
        body: &serde_json::Value,
    ) -> Result<(), ApiError> {
        sqlx::query("DELETE FROM idempotency WHERE created_at < $1")
            .bind(now - KEEP_SECONDS)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO idempotency (user_id, key, request_hash, status, response, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(self.user_id)
        .bind(&self.key)
        .bind(&self.fingerprint)
        .bind(i64::from(status.as_u16()))
        .bind(body.to_string())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        Ok(())
    }
}
