//! The error body every failed request carries:
//! `{"error": {"code": "snake_case", "message": "…", "fields": {"field": "what is wrong"}}}`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine code.
    pub code: String,
    /// For a person: Vietnamese, or English with `Accept-Language: en`.
    pub message: String,
    /// Per-field problems, for validation errors.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
    /// The current state of the resource, for a 412 `version_conflict`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::api::dossiers::Dossier>)]
    pub current: Option<serde_json::Value>,
    /// The existing resource, for a 409 `citizen_exists`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing_id: Option<i64>,
}
