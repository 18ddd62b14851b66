//! Logging in and out, and who is logged in.

use crate::domain::workflow::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /auth/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// The answer to a successful login.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LoginResponse {
    /// Opaque bearer token.
    pub token: String,
    /// When the token dies whatever happens (RFC 3339).
    #[schema(format = DateTime)]
    pub expires_at: String,
    /// Seconds without a request after which the token dies.
    pub idle_timeout_s: u64,
    pub user: Me,
}

/// The office a staff user belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OfficeRef {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// `GET /me`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    /// `None` for citizens.
    #[schema(required = true)]
    pub office: Option<OfficeRef>,
    /// True on a training sandbox: it must never be mistaken for a real portal.
    pub training: bool,
}

/// `POST /auth/password`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}
