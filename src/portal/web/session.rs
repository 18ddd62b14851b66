//! Who is at the browser: the citizen pages' own cookie session, their form tokens
//! (CSRF) and the language switch.
//!
//! The session cookie holds 256 random bits; the database keeps only its SHA-256
//! (`web_sessions`, migration 0020), beside the session's form token. It is `HttpOnly`
//! (no script reads it), `SameSite=Lax` (a link from an SMS still opens the citizen's
//! session, while no other site can post a form with it), `Secure` when the portal runs
//! behind TLS (`Settings::secure_cookies`), and it dies like an API token: after the
//! idle timeout and the absolute lifetime. It is never an API token: the API reads only
//! `Authorization: Bearer`, these pages only the cookie.
//!
//! Every POST carries a form token, checked before anything else: the session's own
//! (random, kept with it) once logged in; before that, one derived from a random
//! anonymous cookie (a double-submit token), which is how the login and registration
//! forms are guarded too.

use super::i18n::Lang;
use crate::api::error::ErrorCode;
use crate::domain::workflow::Role;
use crate::portal::auth::{Session, digest, new_token};
use crate::portal::error::{ApiError, Problem};
use crate::portal::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use std::convert::Infallible;

/// The session cookie.
pub const SESSION_COOKIE: &str = "motcua_phien";
/// The anonymous cookie that the form token of a visitor not logged in derives from.
const ANON_COOKIE: &str = "motcua_khach";
/// The language chosen on the switch: `en`, else Vietnamese.
pub const LANG_COOKIE: &str = "motcua_ngon_ngu";

/// A logged-in citizen.
#[derive(Debug, Clone)]
pub struct Citizen {
    pub user_id: i64,
    pub citizen_id: i64,
    pub username: String,
    pub full_name: String,
    csrf: String,
    token_hash: String,
}

impl Citizen {
    /// The session the portal's services take.
    pub fn session(&self) -> Session {
        Session::acting_as(
            self.user_id,
            &self.username,
            Role::Citizen,
            None,
            Some(self.citizen_id),
        )
    }
}

/// Whoever is at the browser: their language, the citizen when logged in, and the
/// anonymous cookie (made now when they had none: `anon_new`, to be set).
#[derive(Debug, Clone)]
pub struct Visitor {
    pub lang: Lang,
    pub citizen: Option<Citizen>,
    anon: String,
    anon_new: bool,
    secure: bool,
}

#[derive(sqlx::FromRow)]
struct Row {
    user_id: i64,
    csrf: String,
    last_seen: i64,
    expires_at: i64,
    revoked: i64,
    username: String,
    full_name: String,
    role: String,
    citizen_id: Option<i64>,
    active: i64,
}

/// The value of cookie `name`.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// A cookie value as these pages make them: URL-safe base64 of 32 bytes.
fn well_formed(value: &str) -> bool {
    value.len() == 43
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl Visitor {
    /// Reads the cookies. A session cookie that names no live session of a citizen is
    /// as good as none.
    pub async fn read(state: &AppState, headers: &HeaderMap) -> Visitor {
        let lang = match cookie(headers, LANG_COOKIE) {
            Some("en") => Lang::En,
            _ => Lang::Vi,
        };
        let (anon, anon_new) = match cookie(headers, ANON_COOKIE).filter(|v| well_formed(v)) {
            Some(v) => (v.to_owned(), false),
            None => (new_token(), true),
        };
        let citizen = match cookie(headers, SESSION_COOKIE).filter(|v| well_formed(v)) {
            Some(token) => match live(state, token).await {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!("citizen pages: reading a session: {e}");
                    None
                }
            },
            None => None,
        };
        Visitor {
            lang,
            citizen,
            anon,
            anon_new,
            secure: state.settings.secure_cookies,
        }
    }

    /// The token every form of this visitor carries.
    pub fn csrf(&self) -> String {
        match &self.citizen {
            Some(c) => c.csrf.clone(),
            None => anon_token(&self.anon),
        }
    }

    /// Whether `sent` is this visitor's form token.
    pub fn csrf_ok(&self, sent: &str) -> bool {
        let expected = self.csrf();
        expected.len() == sent.len()
            && expected
                .bytes()
                .zip(sent.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    /// 403 with what to do, for a form whose token is missing or not this visitor's.
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<(), ApiError> {
        match sent {
            Some(sent) if self.csrf_ok(sent) => Ok(()),
            _ => Err(Problem::new(
                ErrorCode::Forbidden,
                "Biểu mẫu đã cũ hoặc không phải của trang này (mã bảo vệ không khớp). Hãy tải lại trang rồi gửi lại.".into(),
                "The form is stale or did not come from this site (its protection code does not match). Reload the page and send it again.".into(),
            )
            .into()),
        }
    }

    /// The cookies this answer must set: the anonymous one when it was made now.
    pub fn cookies(&self) -> Vec<HeaderValue> {
        if !self.anon_new {
            return Vec::new();
        }
        // A year: it only derives form tokens, it names nobody.
        set_cookie(ANON_COOKIE, &self.anon, 365 * 24 * 3600, self.secure)
            .into_iter()
            .collect()
    }
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(Visitor::read(state, &parts.headers).await)
    }
}

/// The form token of an anonymous visitor: derived from the cookie rather than the
/// cookie itself, so that the page never shows the cookie's value.
fn anon_token(anon: &str) -> String {
    digest(&format!("motcua-form:{anon}"))
}

/// `Set-Cookie` for `name`, living `max_age` seconds (0: delete it).
pub fn set_cookie(name: &str, value: &str, max_age: u64, secure: bool) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
    ))
    .ok()
}

/// The citizen whose session `token` is, if it is alive; its idle clock moves on.
async fn live(state: &AppState, token: &str) -> Result<Option<Citizen>, ApiError> {
    let token_hash = digest(token);
    let row: Option<Row> = sqlx::query_as(
        "SELECT w.user_id, w.csrf, w.last_seen, w.expires_at, w.revoked, u.username, \
         u.full_name, u.role, u.citizen_id, u.active \
         FROM web_sessions w JOIN users u ON u.id = w.user_id WHERE w.token_hash = $1",
    )
    .bind(&token_hash)
    .fetch_optional(&state.db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let now = state.clock.unix();
    let idle = state.settings.idle_timeout.as_secs() as i64;
    let citizen_role = Role::from_wire(&row.role) == Some(Role::Citizen);
    let alive = row.revoked == 0
        && row.active != 0
        && now < row.expires_at
        && now - row.last_seen <= idle
        && citizen_role;
    let (true, Some(citizen_id)) = (alive, row.citizen_id) else {
        return Ok(None);
    };
    // A minute's precision on the idle clock, as for API tokens: not a write per page.
    if now - row.last_seen >= 60 {
        sqlx::query("UPDATE web_sessions SET last_seen = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(&token_hash)
            .execute(&state.db)
            .await?;
    }
    Ok(Some(Citizen {
        user_id: row.user_id,
        citizen_id,
        username: row.username,
        full_name: row.full_name,
        csrf: row.csrf,
        token_hash,
    }))
}

/// Opens a session for `user_id` and answers its cookie.
pub async fn open(state: &AppState, user_id: i64) -> Result<Option<HeaderValue>, ApiError> {
    let token = new_token();
    let now = state.clock.unix();
    let lifetime = state.settings.token_lifetime.as_secs();
    sqlx::query(
        "INSERT INTO web_sessions (token_hash, user_id, csrf, created_at, last_seen, expires_at) \
         VALUES ($1, $2, $3, $4, $4, $5)",
    )
    .bind(digest(&token))
    .bind(user_id)
    .bind(new_token())
    .bind(now)
    .bind(now + lifetime as i64)
    .execute(&state.db)
    .await?;
    // Sessions long dead are forgotten as new ones open, so the table stays small.
    sqlx::query("DELETE FROM web_sessions WHERE expires_at < $1 OR revoked = 1 AND last_seen < $2")
        .bind(now)
        .bind(now - lifetime as i64)
        .execute(&state.db)
        .await?;
    Ok(set_cookie(
        SESSION_COOKIE,
        &token,
        lifetime,
        state.settings.secure_cookies,
    ))
}

/// Ends `citizen`'s session and answers the cookie that deletes it.
pub async fn close(state: &AppState, citizen: &Citizen) -> Result<Option<HeaderValue>, ApiError> {
    sqlx::query("UPDATE web_sessions SET revoked = 1 WHERE token_hash = $1")
        .bind(&citizen.token_hash)
        .execute(&state.db)
        .await?;
    Ok(set_cookie(
        SESSION_COOKIE,
        "",
        0,
        state.settings.secure_cookies,
    ))
}
