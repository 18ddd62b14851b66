//! JSON request bodies: how a handler reads one, with a 400 that says what does not fit.
//! Handlers take the body as bytes (the idempotency fingerprint needs them) and parse
//! it here.

use super::error::{ApiError, Rule};
use crate::api::limits::{self, Bounded};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Parses a JSON body, answering 400 with serde's explanation when it does not fit, and
/// 422 `validation_failed` naming every field beyond its type's bounds ([`Bounded`]: a
/// text too long or carrying a control character, a list too long, an amount too large).
/// The bounds are checked on the body as received, before anything reads a field.
pub fn parse_json<T: DeserializeOwned + Bounded>(body: &[u8]) -> Result<T, ApiError> {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        within_bounds(T::BOUNDS, &value)?;
    }
    parse_unbounded(body)
}

/// Checks a query string's fields against their bounds (422 as for a body).
pub fn check_query<T: Serialize + Bounded>(query: &T) -> Result<(), ApiError> {
    let value = serde_json::to_value(query).map_err(ApiError::internal)?;
    within_bounds(T::BOUNDS, &value)
}

fn within_bounds(bounds: &[limits::Bound], value: &serde_json::Value) -> Result<(), ApiError> {
    let faults = limits::check(bounds, value);
    if faults.is_empty() {
        return Ok(());
    }
    let mut fields: BTreeMap<String, Rule> = BTreeMap::new();
    for (path, fault) in faults {
        fields.entry(path).or_insert_with(|| Arc::new(fault));
    }
    Err(ApiError::Validation(fields))
}

fn parse_unbounded<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).or_else(|first| {
        // JSON has one number type: `20.0` is the integer 20 to JSON Schema, and so to
        // the OpenAPI document, while serde refuses it for an integer field. Such numbers
        // are made integers and the body tried again; any other misfit keeps serde's
        // first explanation, which says where in the body it is.
        let mut value: serde_json::Value =
            serde_json::from_slice(body).map_err(|_| ApiError::BadRequest(first.to_string()))?;
        if !integral_floats_to_integers(&mut value) {
            return Err(ApiError::BadRequest(first.to_string()));
        }
        serde_json::from_value(value).map_err(|_| ApiError::BadRequest(first.to_string()))
    })
}

/// Rewrites every float with no fractional part (within ±2^53, where a float is exact)
/// as an integer; tells whether there was any.
fn integral_floats_to_integers(value: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match value {
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() <= EXACT => {
                *value = Value::from(f as i64);
                true
            }
            _ => false,
        },
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |any, v| integral_floats_to_integers(v) | any),
        Value::Object(fields) => fields
            .values_mut()
            .fold(false, |any, v| integral_floats_to_integers(v) | any),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::parse_json;
    use crate::api::limits::{Bound, Bounded};

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Sizes {
        size: u64,
        parts: Vec<u32>,
    }

    impl Bounded for Sizes {
        const BOUNDS: &'static [Bound] = &[];
    }

    #[test]
    fn integral_floats_count_as_integers() {
        let sizes: Sizes = parse_json(br#"{"size": 20971520.0, "parts": [1, 2.0, -0.0]}"#)
            .expect("integral floats are integers");
        assert_eq!(
            sizes,
            Sizes {
                size: 20_971_520,
                parts: vec![1, 2, 0]
            }
        );
        let refused = parse_json::<Sizes>(br#"{"size": 1.5, "parts": []}"#).unwrap_err();
        assert!(refused.to_string().contains("1.5"), "{refused}");
    }
}
