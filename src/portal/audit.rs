//! The audit log: every login (ok or failed), every change of state and every refused
//! access, written in the same transaction as the change it records. The table has no
//! foreign keys, so its rows outlive the accounts they name.

use super::auth::Session;
use super::clock::Clock;
use super::state::AppState;
use crate::api::auth::Me;
use sqlx::SqliteExecutor;

/// What happened.
pub enum Event<'a> {
    LoginOk {
        user: &'a Me,
        client: &'a str,
    },
    LoginFailed {
        username: &'a str,
        client: &'a str,
    },
    Refused {
        session: &'a Session,
        what: &'a str,
    },
    PasswordChanged {
        session: &'a Session,
    },
    /// A dossier came into being in status `to`.
    DossierCreated {
        session: &'a Session,
        code: &'a str,
        to: &'a str,
    },
    /// An action moved a dossier (or changed it in place).
    Transition {
        session: &'a Session,
        code: &'a str,
        action: &'a str,
        from: &'a str,
        to: &'a str,
        reason: Option<&'a str>,
    },
    /// An action the rules refused (`why` is the refusal's code).
    ActionRefused {
        session: &'a Session,
        code: &'a str,
        action: &'a str,
        why: &'a str,
    },
}

/// The columns of one audit row.
#[derive(Default)]
struct Row<'a> {
    user_id: Option<i64>,
    username: Option<&'a str>,
    role: Option<&'a str>,
    office_id: Option<i64>,
    event: &'a str,
    detail: Option<&'a str>,
    client: Option<&'a str>,
    dossier_code: Option<&'a str>,
    from_status: Option<&'a str>,
    to_status: Option<&'a str>,
    reason: Option<&'a str>,
}

fn of_session<'a>(session: &'a Session, event: &'a str) -> Row<'a> {
    Row {
        user_id: Some(session.user_id),
        username: Some(&session.username),
        role: Some(session.role.as_str()),
        office_id: session.office_id,
        event,
        ..Row::default()
    }
}

/// The due time of a dossier before and after a step (RFC 3339), kept on the step's row:
/// `dossiers.due_at` holds only the latest, and forms 04 and 05 need the earlier ones.
#[derive(Debug, Default, Clone, Copy)]
pub struct Due<'a> {
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

/// Writes one audit row through `db` (the pool, or the transaction of the change).
pub async fn record<'e>(
    db: impl SqliteExecutor<'e>,
    clock: &Clock,
    event: Event<'_>,
) -> Result<(), sqlx::Error> {
    record_with_due(db, clock, event, Due::default()).await
}

/// [`record`] for a step of a dossier that may move its due time.
pub async fn record_with_due<'e>(
    db: impl SqliteExecutor<'e>,
    clock: &Clock,
    event: Event<'_>,
    due: Due<'_>,
) -> Result<(), sqlx::Error> {
    let row = match &event {
        Event::LoginOk { user, client } => Row {
            user_id: Some(user.id),
            username: Some(&user.username),
            role: Some(user.role.as_str()),
            office_id: user.office.as_ref().map(|o| o.id),
            event: "login_ok",
            client: Some(client),
            ..Row::default()
        },
        Event::LoginFailed { username, client } => Row {
            username: Some(username),
            event: "login_failed",
            client: Some(client),
            ..Row::default()
        },
        Event::Refused { session, what } => Row {
            detail: Some(what),
            ..of_session(session, "access_refused")
        },
        Event::PasswordChanged { session } => of_session(session, "password_changed"),
        Event::DossierCreated { session, code, to } => Row {
            dossier_code: Some(code),
            to_status: Some(to),
            ..of_session(session, "dossier_created")
        },
        Event::Transition {
            session,
            code,
            action,
            from,
            to,
            reason,
        } => Row {
            dossier_code: Some(code),
            detail: Some(action),
            from_status: Some(from),
            to_status: Some(to),
            reason: *reason,
            ..of_session(session, "transition")
        },
        Event::ActionRefused {
            session,
            code,
            action,
            why,
        } => Row {
            dossier_code: Some(code),
            detail: Some(action),
            reason: Some(why),
            ..of_session(session, "action_refused")
        },
    };
    sqlx::query(
        "INSERT INTO audit (at, user_id, username, role, office_id, event, detail, client, \
         dossier_code, from_status, to_status, reason, due_before, due_after) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(clock.now().to_rfc3339())
    .bind(row.user_id)
    .bind(row.username)
    .bind(row.role)
    .bind(row.office_id)
    .bind(row.event)
    .bind(row.detail)
    .bind(row.client)
    .bind(row.dossier_code)
    .bind(row.from_status)
    .bind(row.to_status)
    .bind(row.reason)
    .bind(due.before)
    .bind(due.after)
    .execute(db)
    .await?;
    Ok(())
}

/// Records a refused access. The refusal itself must still reach the caller if the audit
/// write fails, so the failure is logged rather than returned.
pub async fn refused(state: &AppState, session: &Session, what: &str) {
    let event = Event::Refused { session, what };
    if let Err(e) = record(&state.db, &state.clock, event).await {
        tracing::error!("could not audit a refused access: {e}");
    }
}
