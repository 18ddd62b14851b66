//! Recording a fee as paid, whoever saw the money (the desk's cash, the bank's notice):
//! the payment columns, the status move the transition table gives the system, and the
//! delta feed, in the caller's transaction. The caller writes the audit row, which names
//! who took the money.

use crate::domain::calendar::LocalTime;
use crate::domain::status::Status;
use crate::domain::workflow::{Action, ActionInput, Role, decide};
use crate::portal::dossier_store::{self as store, Row};
use crate::portal::error::ApiError;
use crate::portal::state::AppState;
use sqlx::AnyConnection;

/// How a fee was paid.
pub struct Settlement<'a> {
    pub method: &'a str,
    pub paid_at: LocalTime,
    pub receipt_no: &'a str,
}

/// Applies a payment in the caller's transaction and answers the status move, if any.
/// The transition table decides the move (its `payment_recorded` row for the system), so
/// the rule lives in one place.
pub async fn settle(
    conn: &mut AnyConnection,
    state: &AppState,
    row: &Row,
    how: &Settlement<'_>,
    now: LocalTime,
) -> Result<Option<(Status, Status)>, ApiError> {
    let facts = row.facts()?;
    let to = if facts.status == Status::AwaitingPayment {
        let (_, to) = decide(
            Action::PaymentRecorded,
            Role::System,
            &facts,
            &ActionInput::default(),
            now,
            &state.calendar,
        )
        .map_err(ApiError::from)?;
        to
    } else {
        facts.status
    };
    // Guarded on the version and on the fee still being unpaid: inside the write
    // transaction neither can change, so a miss is a bug, not a race.
    let done = sqlx::query(
        "UPDATE dossiers SET payment_status = 'paid', paid_at = $1, payment_method = $2, \
         receipt_no = $3, status = $4, updated_at = $5, version = version + 1 \
         WHERE id = $6 AND version = $7 AND payment_status = 'unpaid'",
    )
    .bind(how.paid_at.to_rfc3339())
    .bind(how.method)
    .bind(how.receipt_no)
    .bind(to.as_str())
    .bind(now.to_rfc3339())
    .bind(row.id)
    .bind(row.version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Err(ApiError::internal(
            "dossier changed inside a write transaction",
        ));
    }
    store::changed(conn, row.office_id, &row.code, state.settings.changes_kept).await?;
    Ok((to != facts.status).then_some((facts.status, to)))
}
