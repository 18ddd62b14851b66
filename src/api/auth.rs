//! Logging in and out, and who is logged in.

use crate::api::limits::{self, Bound, Bounded};
use crate::domain::workflow::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /auth/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LoginRequest {
    #[schema(max_length = 64)]
    pub username: String,
    #[schema(max_length = 1024)]
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
    /// Where the office is and its telephone, as its forms print them: a desk that takes
    /// dossiers in with the link down prints its receipts with them (issue 19). Empty in
    /// a session kept by an older desk.
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
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
    #[schema(max_length = 1024)]
    pub current_password: String,
    #[schema(max_length = 1024)]
    pub new_password: String,
}

/// A longer username is refused (422) before anything is hashed, counted or written: no
/// account has one, and the audit log and the throttle's table must not keep whatever
/// length a client sends.
impl Bounded for LoginRequest {
    const BOUNDS: &'static [Bound] = &[
        Bound::line("username", limits::CODE),
        Bound::line("password", limits::PASSWORD),
    ];
}

impl Bounded for PasswordChange {
    const BOUNDS: &'static [Bound] = &[
        Bound::line("current_password", limits::PASSWORD),
        Bound::line("new_password", limits::PASSWORD),
    ];
}
