//! Authentication: argon2id passwords (hashed under the bound of `passwords.rs`), opaque
//! tokens stored as hashes, idle and absolute expiry, throttling of failed logins and
//! password changes (`throttle.rs`), and the `Session` extractor that every protected
//! handler takes.

use super::audit::{self, Event};
use super::error::ApiError;
use super::json::parse_json;
use super::state::AppState;
use super::throttle::Blocked;
use crate::api::auth::{LoginRequest, LoginResponse, Me, OfficeRef, PasswordChange};
use crate::api::error::ErrorBody;
use crate::api::headers::NO_EXTEND;
use crate::domain::account::{AccountKind, check_password};
use crate::domain::calendar::vn_offset;
use crate::domain::workflow::Role;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::{Json, http::header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::DateTime;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;

/// SHA-256 of a token or code, as stored: a stolen database holds no usable token.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// 256 random bits, URL-safe.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The logged-in user of a request.
#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: i64,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub office_id: Option<i64>,
    pub citizen_id: Option<i64>,
    /// Where the request came from when not the API: `pages <procedure code>` for a
    /// submission on the citizen pages (`portal::web`). A dossier created so says so in
    /// its audit row's `detail`, which is how the training journal tells a citizen's own
    /// submission (and of which procedure) from the simulator's.
    pub via: Option<String>,
    token_hash: String,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    user_id: i64,
    username: String,
    full_name: String,
    role: String,
    office_id: Option<i64>,
    citizen_id: Option<i64>,
    last_seen: i64,
    expires_at: i64,
    revoked: i64,
    active: i64,
}

impl FromRequestParts<AppState> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            // The scheme name is case-insensitive (RFC 9110 §11.1): "bearer" is fine too.
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("Bearer"))
            .map(|(_, t)| t.trim())
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::Unauthenticated)?;
        let token_hash = digest(token);
        let row: Option<SessionRow> = sqlx::query_as(
            "SELECT s.user_id, u.username, u.full_name, u.role, u.office_id, u.citizen_id, \
                    s.last_seen, s.expires_at, s.revoked, u.active \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
        )
        .bind(&token_hash)
        .fetch_optional(&state.db)
        .await?;
        let row = row.ok_or(ApiError::Unauthenticated)?;
        let now = state.clock.unix();
        let idle = state.settings.idle_timeout.as_secs() as i64;
        if row.revoked != 0
            || row.active == 0
            || now >= row.expires_at
            || now - row.last_seen > idle
        {
            return Err(ApiError::Unauthenticated);
        }
        let role = Role::from_wire(&row.role).ok_or_else(|| ApiError::internal("unknown role"))?;
        let background = parts.headers.get(NO_EXTEND).is_some_and(|v| v == "1");
        // Writing on every request would make every read a write; a minute's precision
        // on the idle timer is plenty.
        if !background && now - row.last_seen >= 60 {
            sqlx::query("UPDATE sessions SET last_seen = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(&token_hash)
                .execute(&state.db)
                .await?;
        }
        Ok(Session {
            user_id: row.user_id,
            username: row.username,
            full_name: row.full_name,
            role,
            office_id: row.office_id,
            citizen_id: row.citizen_id,
            via: None,
            token_hash,
        })
    }
}

impl Session {
    /// A session for work the portal does itself in a user's name, such as the demo
    /// seed's history; it has no token.
    pub(crate) fn acting_as(
        user_id: i64,
        username: &str,
        role: Role,
        office_id: Option<i64>,
        citizen_id: Option<i64>,
    ) -> Session {
        Session {
            user_id,
            username: username.to_owned(),
            full_name: username.to_owned(),
            role,
            office_id,
            citizen_id,
            via: None,
            token_hash: String::new(),
        }
    }

    /// Refuses (403, with an audit row) unless the user has one of `roles`.
    pub async fn require(
        &self,
        state: &AppState,
        roles: &[Role],
        what: &str,
    ) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            return Ok(());
        }
        audit::refused(state, self, what).await;
        Err(ApiError::Forbidden)
    }

    /// The office of a staff user; citizens have none (403).
    pub async fn office(&self, state: &AppState, what: &str) -> Result<i64, ApiError> {
        match (self.role.is_staff(), self.office_id) {
            (true, Some(office)) => Ok(office),
            _ => {
                audit::refused(state, self, what).await;
                Err(ApiError::Forbidden)
            }
        }
    }
}

pub(crate) fn client_key(addr: &SocketAddr) -> String {
    format!("addr:{}", addr.ip())
}

fn account_key(username: &str) -> String {
    format!("user:{}", username.trim().to_lowercase())
}

/// 429 for a throttled attempt, with an audit row only for the first refusal of a key in
/// its window: a run of them is what a guessing attack looks like in the log, but one row
/// per refused attempt would let the attack fill the disk.
async fn refuse_throttled(
    state: &AppState,
    blocked: Blocked,
    username: &str,
    addr: &SocketAddr,
) -> ApiError {
    if blocked.first {
        throttled(state, username, addr).await;
    }
    ApiError::TooManyRequests(blocked.wait)
}

#[derive(sqlx::FromRow)]
struct LoginRow {
    id: i64,
    password_hash: Option<String>,
    active: i64,
}

/// `POST /auth/login`.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    operation_id = "login",
    tag = "auth",
    summary = "Log in",
    description = "The same 401 answers an unknown user and a wrong password. Attempts are \
        counted per account and per client address before the password is checked (a right \
        one is given back); past the limit the answer is 429 until the window ends.",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in: a new bearer token.", body = LoginResponse),
        (status = 400, description = "`bad_request`: the body is not a login request.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: a field carries a control character, or the password is over 1,024 characters; `fields` names it.", body = ErrorBody),
        (status = 401, description = "`invalid_credentials`.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: the username is longer than 64 characters (`fields.username`).", body = ErrorBody),
        (status = 429, description = "`too_many_requests`: too many failures for this account or address.", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
        (status = 503, description = "`server_busy`: too many password checks at once.", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
    ),
)]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    body: Bytes,
) -> Result<Json<LoginResponse>, ApiError> {
    // Parsed here rather than by axum's `Json`, whose refusals are plain text: a
    // malformed body must get the JSON error body of docs/api.md like any other error.
    let request: LoginRequest = parse_json(&body)?;
    let now = state.clock.unix();
    let user_id = authenticate(&state, &addr, &request.username, request.password).await?;
    let token = new_token();
    let expires_at = now + state.settings.token_lifetime.as_secs() as i64;
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen, expires_at) \
         VALUES ($1, $2, $3, $3, $4)",
    )
    .bind(digest(&token))
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .execute(&state.db)
    .await?;
    let user = me_of(&state, user_id).await?;
    audit::record(
        &state.db,
        &state.clock,
        Event::LoginOk {
            user: &user,
            client: &addr.ip().to_string(),
        },
    )
    .await?;
    let expires = DateTime::from_timestamp(expires_at, 0)
        .map(|t| t.with_timezone(&vn_offset()).to_rfc3339())
        .unwrap_or_default();
    Ok(Json(LoginResponse {
        token,
        expires_at: expires,
        idle_timeout_s: state.settings.idle_timeout.as_secs(),
        user,
    }))
}

/// Checks a username and password under the login throttle: the attempt is counted per
/// account and per client address before the password is checked, in one step with the
/// check of the limits, and given back when it was right. A failure is audited. Answers
/// the user's id; the API's login and the citizen pages' (`portal::web`) both log in
/// through here, so they share the limits and the audit trail.
pub async fn authenticate(
    state: &AppState,
    addr: &SocketAddr,
    username: &str,
    password: String,
) -> Result<i64, ApiError> {
    let now = state.clock.unix();
    let window = state.settings.throttle_window.as_secs() as i64;
    let username = username.trim().to_lowercase();
    let (by_account, by_client) = (account_key(&username), client_key(addr));
    // The attempt is counted before the password is checked, in one step with the check
    // of the limits: concurrent guesses cannot all slip under the limit.
    let limits = [
        (by_account.as_str(), state.settings.max_failures_per_account),
        (by_client.as_str(), state.settings.max_failures_per_address),
    ];
    if let Err(blocked) = state.throttle.reserve(&limits, window, now).await {
        return Err(refuse_throttled(state, blocked, &username, addr).await);
    }

    let row: Option<LoginRow> =
        sqlx::query_as("SELECT id, password_hash, active FROM users WHERE username = $1")
            .bind(&username)
            .fetch_optional(&state.db)
            .await?;
    let stored = row
        .as_ref()
        .filter(|r| r.active != 0)
        .and_then(|r| r.password_hash.clone());
    // Always one verification (of a decoy for an unknown user), so unknown users cost
    // the same time as known ones.
    let ok = match state.passwords.verify(password, stored).await {
        Ok(ok) => ok,
        Err(busy) => {
            // Not checked, so not a failure: the attempt is given back.
            state.throttle.release(&[&by_account, &by_client]).await;
            return Err(busy);
        }
    };

    let user_id = match (ok, &row) {
        (true, Some(r)) => r.id,
        _ => {
            audit::record(
                &state.db,
                &state.clock,
                Event::LoginFailed {
                    username: &username,
                    client: &addr.ip().to_string(),
                },
            )
            .await?;
            return Err(ApiError::InvalidCredentials);
        }
    };
    state.throttle.clear(&by_account).await;
    state.throttle.release(&[&by_client]).await;
    Ok(user_id)
}

/// Audits a login refused by the throttle: a run of them is what a guessing attack looks
/// like in the log. The 429 must reach the caller even if the audit write fails, so the
/// failure is logged rather than returned.
async fn throttled(state: &AppState, username: &str, addr: &SocketAddr) {
    let client = addr.ip().to_string();
    let event = Event::LoginThrottled {
        username,
        client: &client,
    };
    if let Err(e) = audit::record(&state.db, &state.clock, event).await {
        tracing::error!("could not audit a throttled login: {e}");
    }
}

/// `POST /auth/logout`: the token is revoked at once.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    operation_id = "logout",
    tag = "auth",
    summary = "Log out",
    description = "Revokes the token at once.",
    responses((status = 204, description = "The token is revoked.")),
    security(("bearer" = [])),
)]
pub async fn logout(
    State(state): State<AppState>,
    session: Session,
) -> Result<StatusCode, ApiError> {
    sqlx::query("UPDATE sessions SET revoked = 1 WHERE token_hash = $1")
        .bind(&session.token_hash)
        .execute(&state.db)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(sqlx::FromRow)]
struct MeRow {
    id: i64,
    username: String,
    full_name: String,
    role: String,
    office_id: Option<i64>,
    office_code: Option<String>,
    office_name: Option<String>,
    office_address: Option<String>,
    office_phone: Option<String>,
}

pub(crate) async fn me_of(state: &AppState, user_id: i64) -> Result<Me, ApiError> {
    let row: MeRow = sqlx::query_as(
        "SELECT u.id, u.username, u.full_name, u.role, u.office_id, \
                o.code AS office_code, o.name AS office_name, \
                o.address AS office_address, o.phone AS office_phone \
         FROM users u LEFT JOIN offices o ON o.id = u.office_id WHERE u.id = $1",
    )
    .bind(user_id)
    .fetch_one(&state.db)
    .await?;
    let office = match (row.office_id, row.office_code, row.office_name) {
        (Some(id), Some(code), Some(name)) => Some(OfficeRef {
            id,
            code,
            name,
            address: row.office_address.unwrap_or_default(),
            phone: row.office_phone.unwrap_or_default(),
        }),
        _ => None,
    };
    Ok(Me {
        id: row.id,
        username: row.username,
        full_name: row.full_name,
        role: Role::from_wire(&row.role).ok_or_else(|| ApiError::internal("unknown role"))?,
        office,
        training: state.settings.training,
    })
}

/// `GET /me`.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    operation_id = "me",
    tag = "auth",
    summary = "Who is logged in",
    responses((status = 200, description = "The user, with role and office.", body = Me)),
    security(("bearer" = [])),
)]
pub async fn me(State(state): State<AppState>, session: Session) -> Result<Json<Me>, ApiError> {
    Ok(Json(me_of(&state, session.user_id).await?))
}

/// `POST /auth/password`: the current password, then the new one under the policy.
/// Other sessions of the user are revoked: a changed password locks out whoever else
/// had it.
#[utoipa::path(
    post,
    path = "/api/v1/auth/password",
    operation_id = "change_password",
    tag = "auth",
    summary = "Change own password",
    description = "Checks the current password, then the new one against the password policy. \
        The user's other sessions are revoked. Wrong current passwords are throttled per \
        account and per client address like logins.",
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed."),
        (status = 400, description = "`bad_request`: the body is not a password change.", body = ErrorBody),
        (status = 401, description = "`invalid_credentials`: the current password is wrong; `unauthenticated`: no valid token.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: the new password breaks the policy (`fields.new_password`).", body = ErrorBody),
        (status = 429, description = "`too_many_requests`: too many wrong current passwords for this account or address.", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
        (status = 503, description = "`server_busy`: too many password checks at once.", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
    ),
    security(("bearer" = [])),
)]
pub async fn change_password(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    session: Session,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let request: PasswordChange = parse_json(&body)?;
    let now = state.clock.unix();
    let window = state.settings.throttle_window.as_secs() as i64;
    // Wrong current passwords are guesses like wrong logins (by whoever holds a stolen
    // token): counted per account, on a key of their own so that they do not lock the
    // account's logins, and per address with the logins.
    let (by_user, by_client) = (format!("password:{}", session.user_id), client_key(&addr));
    let limits = [
        (by_user.as_str(), state.settings.max_failures_per_account),
        (by_client.as_str(), state.settings.max_failures_per_address),
    ];
    if let Err(blocked) = state.throttle.reserve(&limits, window, now).await {
        return Err(ApiError::TooManyRequests(blocked.wait));
    }
    let stored: Option<String> =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(session.user_id)
            .fetch_one(&state.db)
            .await?;
    let ok = match stored {
        Some(hash) => match state
            .passwords
            .verify(request.current_password, Some(hash))
            .await
        {
            Ok(ok) => ok,
            Err(busy) => {
                // Not checked, so not a failure: the attempt is given back.
                state.throttle.release(&[&by_user, &by_client]).await;
                return Err(busy);
            }
        },
        None => false,
    };
    if !ok {
        return Err(ApiError::InvalidCredentials);
    }
    // The right current password: not a guess.
    state.throttle.clear(&by_user).await;
    state.throttle.release(&[&by_client]).await;
    let kind = if session.role.is_staff() {
        AccountKind::Staff
    } else {
        AccountKind::Citizen
    };
    check_password(&request.new_password, &session.username, kind)
        .map_err(|e| ApiError::field("new_password", e))?;
    let hash = state.passwords.hash(request.new_password).await?;
    let mut tx = super::db::write(&state.db).await?;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(session.user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE sessions SET revoked = 1 WHERE user_id = $1 AND token_hash <> $2")
        .bind(session.user_id)
        .bind(&session.token_hash)
        .execute(&mut *tx)
        .await?;
    // The citizen pages' sessions too: a changed password locks out every browser.
    sqlx::query("UPDATE web_sessions SET revoked = 1 WHERE user_id = $1")
        .bind(session.user_id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        &state.clock,
        Event::PasswordChanged { session: &session },
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
