//! A citizen activates the account with the code of the desk's activation slip and
//! chooses a password: the API's `POST /citizen/activate` and the citizen pages'
//! registration (`portal::web`) both do it here, under the same throttle and with the
//! same audit trail. Wrong codes are throttled like wrong passwords, per number and per
//! address; a used or expired code is no guess.

use crate::domain::account::{AccountKind, check_password, normalize_activation_code};
use crate::domain::text::nfc;
use crate::portal::audit::{self, Event};
use crate::portal::auth::{client_key, digest};
use crate::portal::db;
use crate::portal::error::ApiError;
use crate::portal::state::AppState;
use std::net::SocketAddr;

#[derive(sqlx::FromRow)]
struct CodeRow {
    citizen_id: i64,
    user_id: i64,
    code_hash: String,
    expires_at: i64,
    used_at: Option<i64>,
}

/// Equality that takes the same time wherever the strings differ, for secrets.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// One activation attempt, for the throttle and the audit trail.
struct Attempt {
    by_number: String,
    by_client: String,
    /// What was typed as the number, cut short: the audit row keeps it, but not an
    /// unbounded amount of it.
    typed_number: String,
    client: String,
    window: i64,
    now: i64,
    /// The attempt was given back already (the code was right).
    released: std::sync::atomic::AtomicBool,
}

impl Attempt {
    /// Counts the attempt before the code is looked at, or 429 if this number or address
    /// has used up its failures (one step, so concurrent guesses cannot slip past).
    async fn reserve(&self, state: &AppState) -> Result<(), ApiError> {
        let limits = [
            (
                self.by_number.as_str(),
                state.settings.max_failures_per_account,
            ),
            (
                self.by_client.as_str(),
                state.settings.max_failures_per_address,
            ),
        ];
        state
            .throttle
            .reserve(&limits, self.window, self.now)
            .await
            .map_err(|blocked| ApiError::TooManyRequests(blocked.wait))
    }

    /// Gives the attempt back (once): it was no guess.
    async fn release(&self, state: &AppState) {
        if !self
            .released
            .swap(true, std::sync::atomic::Ordering::AcqRel)
        {
            state
                .throttle
                .release(&[&self.by_number, &self.by_client])
                .await;
        }
    }

    /// Records a refused attempt and gives the error to answer with. Only a wrong code
    /// counts against the throttle: a used or expired one was not a guess.
    async fn refuse(&self, state: &AppState, why: ApiError) -> ApiError {
        if !matches!(why, ApiError::InvalidActivation) {
            self.release(state).await;
        }
        let event = Event::ActivationFailed {
            id_number: &self.typed_number,
            why: why.code(),
            client: &self.client,
        };
        // As with other refusals, the answer must reach the caller even if the audit
        // write fails; the failure is logged instead.
        if let Err(e) = audit::record(&state.db, &state.clock, event).await {
            tracing::error!("could not audit a refused activation: {e}");
        }
        why
    }
}

/// Activates the account of `id_number` with the slip's `code`, setting `new_password`
/// (under the citizens' policy) and, when given, the e-mail address the citizen chose on
/// the citizen pages (already checked by the caller). Ends every session of the account,
/// the API's and the pages', since a code may be a password reset. Answers the user id.
pub async fn activate(
    state: &AppState,
    addr: &SocketAddr,
    id_number: &str,
    code: &str,
    new_password: String,
    email: Option<&str>,
) -> Result<i64, ApiError> {
    let id_number = nfc(id_number).trim().to_owned();
    let now = state.clock.unix();
    let typed_number: String = id_number.chars().take(32).collect();
    let attempt = Attempt {
        by_number: format!("activate:{typed_number}"),
        by_client: client_key(addr),
        typed_number,
        client: addr.ip().to_string(),
        window: state.settings.throttle_window.as_secs() as i64,
        now,
        released: Default::default(),
    };
    attempt.reserve(state).await?;

    let code_hash = digest(&normalize_activation_code(code));
    let row: Option<CodeRow> = sqlx::query_as(
        "SELECT c.id AS citizen_id, u.id AS user_id, a.code_hash, a.expires_at, a.used_at \
         FROM citizens c JOIN users u ON u.citizen_id = c.id AND u.active = 1 \
         JOIN activation_codes a ON a.citizen_id = c.id WHERE c.id_number = $1",
    )
    .bind(&id_number)
    .fetch_optional(&state.db)
    .await?;
    // An unknown number and a wrong code get the same answer: the endpoint does not
    // tell who has an account.
    let Some(row) = row.filter(|r| same_secret(&r.code_hash, &code_hash)) else {
        return Err(attempt.refuse(state, ApiError::InvalidActivation).await);
    };
    if row.used_at.is_some() {
        return Err(attempt.refuse(state, ApiError::ActivationUsed).await);
    }
    if now >= row.expires_at {
        return Err(attempt.refuse(state, ApiError::ActivationExpired).await);
    }
    // The code is right: whatever follows, this was no guess.
    attempt.release(state).await;
    check_password(&new_password, &id_number, AccountKind::Citizen)
        .map_err(|e| ApiError::field("new_password", e))?;
    let hash = state.passwords.hash(new_password).await?;

    let mut tx = db::write(&state.db).await?;
    // Spent inside the transaction, so two activations racing with one code cannot
    // both succeed.
    let spent = sqlx::query(
        "UPDATE activation_codes SET used_at = $1 \
         WHERE citizen_id = $2 AND code_hash = $3 AND used_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(row.citizen_id)
    .bind(&code_hash)
    .execute(&mut *tx)
    .await?;
    if spent.rows_affected() != 1 {
        // The refusal is audited through the pool: release the write lock first.
        drop(tx);
        return Err(attempt.refuse(state, ApiError::ActivationUsed).await);
    }
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(row.user_id)
        .execute(&mut *tx)
        .await?;
    if let Some(email) = email {
        sqlx::query("UPDATE citizens SET email = $1 WHERE id = $2")
            .bind(email)
            .bind(row.citizen_id)
            .execute(&mut *tx)
            .await?;
    }
    // A code issued to reset a forgotten password ends whatever sessions the old one
    // had opened, in the API and on the citizen pages.
    sqlx::query("UPDATE sessions SET revoked = 1 WHERE user_id = $1")
        .bind(row.user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE web_sessions SET revoked = 1 WHERE user_id = $1")
        .bind(row.user_id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        &state.clock,
        Event::CitizenActivated {
            user_id: row.user_id,
            username: &id_number,
            client: &attempt.client,
        },
    )
    .await?;
    tx.commit().await?;
    state.throttle.clear(&attempt.by_number).await;
    Ok(row.user_id)
}
