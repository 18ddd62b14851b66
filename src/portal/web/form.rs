//! Reading a form: the body within a bound, `application/x-www-form-urlencoded` into a
//! type, then the API's bounds on every field (`api::limits`: lengths, and no control
//! character in any text), so a page accepts exactly what the API would.

use crate::api::limits::Bounded;
use crate::portal::error::ApiError;
use crate::portal::json::check_query;
use axum::body::Body;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;

/// The largest form body (not a file upload): a note of 2,000 characters is 24 KB at
/// most once percent-encoded.
pub const FORM_LIMIT: usize = 64 * 1024;

/// The body, at most `limit` bytes (413 beyond).
pub async fn body(body: Body, limit: usize) -> Result<axum::body::Bytes, ApiError> {
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| ApiError::PayloadTooLarge)
}

/// A form of type `T`, checked against `T`'s bounds. A body that does not fit the type
/// is 400; a field beyond its bounds 422 naming it.
pub fn parse<T: DeserializeOwned + Serialize + Bounded>(bytes: &[u8]) -> Result<T, ApiError> {
    let form: T = serde_urlencoded::from_bytes(bytes)
        .map_err(|e| ApiError::BadRequest(format!("the form does not fit: {e}")))?;
    check_query(&form)?;
    Ok(form)
}

/// A query string of type `T` (a GET form), checked like a form; an absent or
/// malformed query is `T::default()`.
pub fn query<T: DeserializeOwned + Serialize + Bounded + Default>(
    raw: Option<&str>,
) -> Result<T, ApiError> {
    let form: T = raw
        .and_then(|q| serde_urlencoded::from_str(q).ok())
        .unwrap_or_default();
    check_query(&form)?;
    Ok(form)
}

/// The messages of a 422 by field, in `lang`, for showing each beside its field.
pub fn field_errors(error: &ApiError, lang: crate::domain::Lang) -> BTreeMap<String, String> {
    error.body(lang).error.fields
}
