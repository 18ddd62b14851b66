//! The workflow's actions: the rules decide, the effects are written, the change is fed
//! and the step audited, all in the caller's transaction. The action handler, the demo
//! seed and the bulk loader all act through [`perform`].

use super::intake::procedure;
use crate::api::dossiers::{Dossier, SupplementRequest};
use crate::domain::calendar::LocalTime;
use crate::domain::catalog::Duration;
use crate::domain::results::{NoticeEvent, check_handover, recipient_of};
use crate::domain::status::Status;
use crate::domain::workflow::{Action, ActionInput, Refusal, decide};
use crate::portal::audit::{self, Due, Event};
use crate::portal::auth::Session;
use crate::portal::db;
use crate::portal::dossier_store::Snapshot;
use crate::portal::dossier_store::{self as store, Row, name_of};
use crate::portal::error::{ApiError, Rule, invalid, refusal_code};
use crate::portal::notify;
use crate::portal::state::AppState;
use sqlx::AnyConnection;

/// One action on the version of a dossier the official saw, in a transaction of its
/// own: 412 with the current dossier when that version is stale; a refusal by the rules
/// is audited (that row is kept) and answered; else the dossier after the action.
#[allow(clippy::too_many_arguments)]
pub async fn act_on(
    state: &AppState,
    session: &Session,
    office: i64,
    code: &str,
    expected_version: i64,
    action: Action,
    input: &ActionInput,
    now: LocalTime,
) -> Result<Dossier, ApiError> {
    let mut tx = db::write(&state.db).await?;
    let row = store::load(&mut *tx, office, code).await?;
    if row.version != expected_version {
        let current = store::full(&mut tx, &row, now).await?;
        return Err(ApiError::VersionConflict(Box::new(
            serde_json::to_value(current).map_err(ApiError::internal)?,
        )));
    }
    if let Err(refusal) = perform(&mut tx, state, session, &row, action, input, now).await? {
        // The refusal is audited: keep that row.
        tx.commit().await?;
        return Err(ApiError::from(refusal));
    }
    let after = store::load(&mut *tx, office, code).await?;
    // The citizen's notice of the step, in the step's transaction: both or neither.
    let event = NoticeEvent::of_step(Some(action), after.status()?);
    if let Some(event) = event {
        notify::queue_step(
            &mut tx,
            &state.settings.notify,
            &after,
            event,
            input.reason.as_deref(),
            now,
        )
        .await?;
    }
    let dossier = store::full(&mut tx, &after, now).await?;
    tx.commit().await?;
    if event.is_some() {
        state.notifier.wake();
    }
    Ok(dossier)
}

/// Applies one action to a dossier inside the caller's transaction: the rules decide,
/// the effects are written, the change is fed and audited. A refusal by the rules is
/// audited and returned as the inner error, for the caller to commit and report.
pub async fn perform(
    tx: &mut AnyConnection,
    state: &AppState,
    session: &Session,
    row: &Row,
    action: Action,
    input: &ActionInput,
    now: LocalTime,
) -> Result<Result<(), Refusal>, ApiError> {
    let facts = row.facts()?;
    let to = match decide(action, session.role, &facts, input, now, &state.calendar) {
        Ok((_, to)) => to,
        Err(refusal) => {
            audit::record(
                &mut *tx,
                &state.clock,
                Event::ActionRefused {
                    session,
                    code: &row.code,
                    action: action.as_str(),
                    why: refusal_code(&refusal),
                },
            )
            .await?;
            return Ok(Err(refusal));
        }
    };
    apply_effects(&mut *tx, state, row, action, input, to, now, row.office_id).await?;
    // Read back before auditing, so the row keeps the due before and after the step.
    let after = store::load(&mut *tx, row.office_id, &row.code).await?;
    // A return keeps its handover on its step too: the history shows who collected.
    let data = match action {
        Action::ReturnResult => after.handover.clone(),
        _ => None,
    };
    audit::record_step(
        &mut *tx,
        now,
        Event::Transition {
            session,
            code: &row.code,
            action: action.as_str(),
            from: facts.status.as_str(),
            to: to.as_str(),
            reason: input.reason.as_deref(),
        },
        Due {
            before: row.due_at.as_deref(),
            after: after.due_at.as_deref(),
        },
        data.as_deref(),
    )
    .await?;
    store::changed(
        &mut *tx,
        row.office_id,
        &row.code,
        state.settings.changes_kept,
    )
    .await?;
    Ok(Ok(()))
}

/// The desk and online durations of a dossier's case.
async fn durations(conn: &mut AnyConnection, row: &Row) -> Result<(Duration, Duration), ApiError> {
    let p = procedure(conn, &row.procedure_code)
        .await?
        .ok_or_else(|| ApiError::internal("procedure vanished"))?;
    let case = p
        .case(&row.case_id)
        .ok_or_else(|| ApiError::internal("case vanished"))?;
    Ok((case.desk_duration, case.online_duration))
}

/// What an action changes beyond the status, in the action's transaction.
#[allow(clippy::too_many_arguments)]
async fn apply_effects(
    conn: &mut AnyConnection,
    state: &AppState,
    row: &Row,
    action: Action,
    input: &ActionInput,
    to: Status,
    now: LocalTime,
    office: i64,
) -> Result<(), ApiError> {
    let now_s = now.to_rfc3339();
    let (desk, online) = durations(conn, row).await?;
    // Only the columns an action touches change; the version always moves on.
    let mut sets: Vec<(&str, Option<String>)> = vec![("status", Some(to.as_str().to_owned()))];
    match action {
        Action::Receive => {
            let d = online;
            sets.push(("received_at", Some(now_s.clone())));
            sets.push((
                "due_at",
                Some(state.calendar.due(now, d.amount, d.unit).to_rfc3339()),
            ));
        }
        Action::SupplementReceived => {
            // The clock restarts: the full duration again, from now.
            let d = if row.channel == "online" {
                online
            } else {
                desk
            };
            if to == Status::Received {
                sets.push(("received_at", Some(now_s.clone())));
                sets.push((
                    "due_at",
                    Some(state.calendar.due(now, d.amount, d.unit).to_rfc3339()),
                ));
            }
        }
        Action::RequestSupplement => {
            let request = SupplementRequest {
                reason: input.reason.clone().unwrap_or_default(),
                missing_documents: input.missing_documents.clone(),
            };
            sets.push((
                "supplement",
                Some(serde_json::to_string(&request).map_err(ApiError::internal)?),
            ));
        }
        Action::Forward => {
            if let Some(username) = input.assignee.as_deref().filter(|u| !u.trim().is_empty()) {
                let id: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM users WHERE username = $1 AND office_id = $2 \
                     AND role = 'specialist' AND active = 1",
                )
                .bind(username.trim().to_lowercase())
                .bind(office)
                .fetch_optional(&mut *conn)
                .await?;
                let id = id.ok_or_else(|| {
                    invalid(
                        "assignee",
                        format!("'{username}' không phải chuyên viên của cơ quan. Hãy chọn chuyên viên khác."),
                        format!("'{username}' is not a specialist of this office. Choose another."),
                    )
                })?;
                sets.push(("assignee_id", Some(id.to_string())));
            }
        }
        Action::RequestPayment => {
            sets.push(("fee_amount", input.amount.map(|a| a.to_string())));
            sets.push(("payment_status", Some("unpaid".into())));
        }
        Action::ProposeResult => {
            sets.push(("result", input.verdict.map(|v| name_of(&v))));
            sets.push(("result_summary", input.summary.clone()));
        }
        Action::Extend => {
            sets.push(("due_at", input.new_due_at.map(|t| t.to_rfc3339())));
            sets.push(("extensions", Some((row.extensions + 1).to_string())));
        }
        Action::ReturnResult => {
            let due = store::time(&row.due_at)?;
            let snapshot: Snapshot =
                serde_json::from_str(&row.detail).map_err(ApiError::internal)?;
            // `decide` has made sure of the method.
            let method = input
                .delivery
                .ok_or_else(|| ApiError::internal("return without a delivery method"))?;
            let handover = check_handover(
                method,
                input.handover.as_ref(),
                &snapshot.applicant.id_number,
                now.date_naive(),
            )
            .map_err(|faults| {
                ApiError::Validation(
                    faults
                        .into_iter()
                        .map(|f| (f.field().to_owned(), std::sync::Arc::new(f) as Rule))
                        .collect(),
                )
            })?;
            // The receiver's name in person; else the name an older client gave, or
            // the applicant's (a postal or online result goes to them).
            let recipient = match (&handover.receiver, &input.recipient) {
                (None, Some(given)) if !given.trim().is_empty() => given.clone(),
                _ => recipient_of(&handover, &snapshot.applicant.full_name),
            };
            sets.push(("returned_at", Some(now_s.clone())));
            sets.push(("recipient", Some(recipient)));
            sets.push((
                "handover",
                Some(serde_json::to_string(&handover).map_err(ApiError::internal)?),
            ));
            sets.push(("delivery_method", input.delivery.map(|d| name_of(&d))));
            if let Some(due) = due {
                sets.push((
                    "timeliness",
                    Some(name_of(&state.calendar.classify(now, due))),
                ));
            }
        }
        Action::Refuse
        | Action::SendBack
        | Action::Stop
        | Action::Withdraw
        | Action::Approve
        | Action::PaymentRecorded => {}
    }
    sets.push(("updated_at", Some(now_s)));
    let assignments: Vec<String> = sets
        .iter()
        .enumerate()
        .map(|(i, (column, _))| match *column {
            // Every value is bound as text; PostgreSQL stores no text in a number column.
            "assignee_id" | "fee_amount" | "extensions" => {
                format!("{column} = CAST(${} AS BIGINT)", i + 1)
            }
            _ => format!("{column} = ${}", i + 1),
        })
        .collect();
    let n = sets.len();
    let sql = format!(
        "UPDATE dossiers SET {}, version = version + 1 WHERE id = ${} AND version = ${}",
        assignments.join(", "),
        n + 1,
        n + 2
    );
    let mut update = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (_, value) in &sets {
        update = update.bind(value.clone());
    }
    let done = update
        .bind(row.id)
        .bind(row.version)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() != 1 {
        return Err(ApiError::internal(
            "dossier changed inside a write transaction",
        ));
    }
    Ok(())
}
