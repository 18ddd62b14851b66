//! The audit log: every login (ok or failed), every change of state and every refused
//! access, written in the same transaction as the change it records. The table has no
//! foreign keys, so its rows outlive the accounts they name.

use super::auth::Session;
use super::clock::Clock;
use super::state::AppState;
use crate::api::auth::Me;
use crate::api::error::ErrorCode;
use crate::api::training::AuditEvent;
use crate::domain::calendar::LocalTime;
use crate::domain::workflow::Role;
use sqlx::AnyExecutor;

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
    /// A login refused unchecked (429): too many failures for the account or address.
    LoginThrottled {
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
    /// An action the rules refused, with the refusal's code.
    ActionRefused {
        session: &'a Session,
        code: &'a str,
        action: &'a str,
        why: ErrorCode,
    },
    /// The desk created a citizen account (and its first activation code).
    CitizenCreated {
        session: &'a Session,
        citizen_id: i64,
    },
    /// The desk issued a new activation code, revoking the previous one.
    ActivationIssued {
        session: &'a Session,
        citizen_id: i64,
    },
    /// The desk issued a new activation code for an account already active: a password
    /// reset, with the citizen present.
    PasswordResetIssued {
        session: &'a Session,
        citizen_id: i64,
    },
    /// A citizen set a password with an activation code.
    CitizenActivated {
        user_id: i64,
        username: &'a str,
        client: &'a str,
    },
    /// An activation attempt was refused, with the error's code.
    ActivationFailed {
        id_number: &'a str,
        why: ErrorCode,
        client: &'a str,
    },
    /// A fee recorded as paid. `session` is the desk officer for cash and `None` for the
    /// gateway; `detail` says how and how much, `reference` is the receipt or transaction.
    PaymentRecorded {
        session: Option<&'a Session>,
        office_id: i64,
        code: &'a str,
        detail: &'a str,
        reference: &'a str,
    },
    /// The portal itself moved a dossier (a gateway payment), with no user behind it.
    SystemTransition {
        office_id: i64,
        code: &'a str,
        action: &'a str,
        from: &'a str,
        to: &'a str,
    },
    /// A training portal only: staff showed a dossier's VietQR code, which the
    /// simulator's bank answers with a transfer.
    PaymentQrShown {
        session: &'a Session,
        code: &'a str,
    },
    /// A document part went into the citizen's store: scanned at the desk
    /// (`DocumentDigitized`), or taken from the store (`DocumentReused`), or a result
    /// issued as a file (`ResultFileAdded`). `what` names the part, or the result's type;
    /// `document` is the stored document's public id.
    Document {
        session: &'a Session,
        event: AuditEvent,
        code: &'a str,
        what: &'a str,
        document: &'a str,
    },
    /// Staff exported the register of dossiers (names, addresses and telephone numbers of
    /// every applicant of a period): who, which period, in which format, how many rows.
    RegisterExported {
        session: &'a Session,
        detail: &'a str,
    },
    /// A gateway notice not applied, with the error's code: bad signature, unknown
    /// dossier, wrong amount. Kept so the office can reconcile money that arrived.
    PaymentRefused {
        office_id: Option<i64>,
        code: Option<&'a str>,
        why: ErrorCode,
        detail: Option<&'a str>,
        client: Option<&'a str>,
    },
    /// A satisfaction rating given: by the desk officer (`session` is theirs) or by the
    /// citizen online (`session` is the citizen's).
    RatingRecorded {
        session: &'a Session,
        office_id: i64,
        code: &'a str,
        level: &'a str,
        channel: &'a str,
    },
    /// A certification entered in its book at the desk, its fee taken: `detail` says
    /// which book and number (`copy 01/2026-SCT/BS số 12`), `payment` how and how much
    /// (`cash 14000`).
    CertificationRecorded {
        session: &'a Session,
        office_id: i64,
        detail: &'a str,
        payment: &'a str,
    },
    /// The gateway's notice paid a certification's fee order: `detail` how much and
    /// which order (`vietqr 21000 CT7KQ2M9XA`), `reason` the transaction id.
    FeeOrderPaid {
        office_id: i64,
        detail: &'a str,
        transaction_id: &'a str,
    },
    /// Numbers of the day leased to the officer: `detail` the day and numbers.
    CodesLeased {
        session: &'a Session,
        office_id: i64,
        detail: &'a str,
    },
    /// Numbers of the officer's lease voided: `detail` the codes.
    CodesVoided {
        session: &'a Session,
        office_id: i64,
        detail: &'a str,
        reason: &'a str,
    },
    /// A dossier taken in offline on a leased code arrived; `received_at` is when the
    /// desk received it (the dossier's own rows carry that moment; this one, when the
    /// portal learnt of it).
    OfflineIntakeArrived {
        session: &'a Session,
        office_id: i64,
        code: &'a str,
        received_at: &'a str,
        /// Said when the due time printed on the desk's receipt is not the portal's
        /// (both are in the row's `due_before`/`due_after`): the dossier's history shows
        /// it.
        note: Option<&'a str>,
    },
}

/// The columns of one audit row.
struct Row<'a> {
    user_id: Option<i64>,
    username: Option<&'a str>,
    role: Option<&'a str>,
    office_id: Option<i64>,
    event: AuditEvent,
    detail: Option<&'a str>,
    client: Option<&'a str>,
    dossier_code: Option<&'a str>,
    from_status: Option<&'a str>,
    to_status: Option<&'a str>,
    reason: Option<&'a str>,
}

impl Row<'_> {
    fn new(event: AuditEvent) -> Self {
        Row {
            user_id: None,
            username: None,
            role: None,
            office_id: None,
            event,
            detail: None,
            client: None,
            dossier_code: None,
            from_status: None,
            to_status: None,
            reason: None,
        }
    }
}

fn of_session(session: &Session, event: AuditEvent) -> Row<'_> {
    Row {
        user_id: Some(session.user_id),
        username: Some(&session.username),
        role: Some(session.role.as_str()),
        office_id: session.office_id,
        ..Row::new(event)
    }
}

/// A row of the portal itself (the payment gateway's notices): no user, role `system`.
fn system<'a>(event: AuditEvent) -> Row<'a> {
    Row {
        role: Some(Role::System.as_str()),
        ..Row::new(event)
    }
}

/// The due time of a dossier before and after a step (RFC 3339), kept on the step's row:
/// `dossiers.due_at` holds only the latest, and forms 04 and 05 need the earlier ones.
#[derive(Debug, Default, Clone, Copy)]
pub struct Due<'a> {
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

/// The most of a username an audit row keeps, in characters. Login refuses longer ones
/// before anything is written; the cut here keeps every other path bounded too.
pub const USERNAME_KEPT_CHARS: usize = 64;

/// The first `max` characters of `text`.
fn prefix(text: &str, max: usize) -> &str {
    text.char_indices()
        .nth(max)
        .map_or(text, |(end, _)| &text[..end])
}

/// Writes one audit row through `db` (the pool, or the transaction of the change).
pub async fn record<'e>(
    db: impl AnyExecutor<'e>,
    clock: &Clock,
    event: Event<'_>,
) -> Result<(), sqlx::Error> {
    record_at(db, clock.now(), event).await
}

/// [`record`] at a given time: the time of the change it records.
pub async fn record_at<'e>(
    db: impl AnyExecutor<'e>,
    at: LocalTime,
    event: Event<'_>,
) -> Result<(), sqlx::Error> {
    record_with_due(db, at, event, Due::default()).await
}

/// [`record_at`] for a step of a dossier that may move its due time.
pub async fn record_with_due<'e>(
    db: impl AnyExecutor<'e>,
    at: LocalTime,
    event: Event<'_>,
    due: Due<'_>,
) -> Result<(), sqlx::Error> {
    record_step(db, at, event, due, None).await
}

/// [`record_with_due`] with the step's structured detail (JSON, the `data` column): the
/// handover of `return_result`, which the dossier's history shows with the step.
pub async fn record_step<'e>(
    db: impl AnyExecutor<'e>,
    at: LocalTime,
    event: Event<'_>,
    due: Due<'_>,
    data: Option<&str>,
) -> Result<(), sqlx::Error> {
    // Set by the arms that name a citizen, which the row then borrows.
    let citizen;
    let row = match &event {
        Event::LoginOk { user, client } => Row {
            user_id: Some(user.id),
            username: Some(&user.username),
            role: Some(user.role.as_str()),
            office_id: user.office.as_ref().map(|o| o.id),
            client: Some(client),
            ..Row::new(AuditEvent::LoginOk)
        },
        Event::LoginFailed { username, client } => Row {
            username: Some(username),
            client: Some(client),
            ..Row::new(AuditEvent::LoginFailed)
        },
        Event::LoginThrottled { username, client } => Row {
            username: Some(username),
            client: Some(client),
            ..Row::new(AuditEvent::LoginThrottled)
        },
        Event::Refused { session, what } => Row {
            detail: Some(what),
            ..of_session(session, AuditEvent::AccessRefused)
        },
        Event::PasswordChanged { session } => of_session(session, AuditEvent::PasswordChanged),
        Event::DossierCreated { session, code, to } => Row {
            dossier_code: Some(code),
            to_status: Some(to),
            // `pages <procedure>` when the citizen pages made it (see `Session::via`).
            detail: session.via.as_deref(),
            ..of_session(session, AuditEvent::DossierCreated)
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
            ..of_session(session, AuditEvent::Transition)
        },
        Event::ActionRefused {
            session,
            code,
            action,
            why,
        } => Row {
            dossier_code: Some(code),
            detail: Some(action),
            reason: Some(why.as_str()),
            ..of_session(session, AuditEvent::ActionRefused)
        },
        Event::CitizenCreated {
            session,
            citizen_id,
        } => {
            citizen = format!("citizen {citizen_id}");
            Row {
                detail: Some(&citizen),
                ..of_session(session, AuditEvent::CitizenCreated)
            }
        }
        Event::ActivationIssued {
            session,
            citizen_id,
        } => {
            citizen = format!("citizen {citizen_id}");
            Row {
                detail: Some(&citizen),
                ..of_session(session, AuditEvent::ActivationIssued)
            }
        }
        Event::PasswordResetIssued {
            session,
            citizen_id,
        } => {
            citizen = format!("citizen {citizen_id}");
            Row {
                detail: Some(&citizen),
                ..of_session(session, AuditEvent::PasswordResetIssued)
            }
        }
        Event::CitizenActivated {
            user_id,
            username,
            client,
        } => Row {
            user_id: Some(*user_id),
            username: Some(username),
            role: Some(Role::Citizen.as_str()),
            client: Some(client),
            ..Row::new(AuditEvent::CitizenActivated)
        },
        Event::ActivationFailed {
            id_number,
            why,
            client,
        } => Row {
            username: Some(id_number),
            detail: Some(why.as_str()),
            client: Some(client),
            ..Row::new(AuditEvent::ActivationFailed)
        },
        Event::PaymentRecorded {
            session,
            office_id,
            code,
            detail,
            reference,
        } => Row {
            office_id: Some(*office_id),
            dossier_code: Some(code),
            detail: Some(detail),
            reason: Some(reference),
            ..match session {
                Some(session) => of_session(session, AuditEvent::PaymentRecorded),
                None => system(AuditEvent::PaymentRecorded),
            }
        },
        Event::SystemTransition {
            office_id,
            code,
            action,
            from,
            to,
        } => Row {
            office_id: Some(*office_id),
            dossier_code: Some(code),
            detail: Some(action),
            from_status: Some(from),
            to_status: Some(to),
            ..system(AuditEvent::Transition)
        },
        Event::PaymentQrShown { session, code } => Row {
            dossier_code: Some(code),
            ..of_session(session, AuditEvent::PaymentQrShown)
        },
        Event::Document {
            session,
            event,
            code,
            what,
            document,
        } => Row {
            dossier_code: Some(code),
            detail: Some(what),
            reason: Some(document),
            ..of_session(session, event.clone())
        },
        Event::RegisterExported { session, detail } => Row {
            detail: Some(detail),
            ..of_session(session, AuditEvent::RegisterExported)
        },
        Event::PaymentRefused {
            office_id,
            code,
            why,
            detail,
            client,
        } => Row {
            office_id: *office_id,
            dossier_code: *code,
            reason: Some(why.as_str()),
            detail: *detail,
            client: *client,
            ..system(AuditEvent::PaymentRefused)
        },
        Event::RatingRecorded {
            session,
            office_id,
            code,
            level,
            channel,
        } => Row {
            office_id: Some(*office_id),
            dossier_code: Some(code),
            detail: Some(level),
            reason: Some(channel),
            ..of_session(session, AuditEvent::RatingRecorded)
        },
        Event::CertificationRecorded {
            session,
            office_id,
            detail,
            payment,
        } => Row {
            office_id: Some(*office_id),
            detail: Some(detail),
            reason: Some(payment),
            ..of_session(session, AuditEvent::CertificationRecorded)
        },
        Event::FeeOrderPaid {
            office_id,
            detail,
            transaction_id,
        } => Row {
            office_id: Some(*office_id),
            detail: Some(detail),
            reason: Some(transaction_id),
            ..system(AuditEvent::FeeOrderPaid)
        },
        Event::CodesLeased {
            session,
            office_id,
            detail,
        } => Row {
            office_id: Some(*office_id),
            detail: Some(detail),
            ..of_session(session, AuditEvent::CodesLeased)
        },
        Event::CodesVoided {
            session,
            office_id,
            detail,
            reason,
        } => Row {
            office_id: Some(*office_id),
            detail: Some(detail),
            reason: Some(reason),
            ..of_session(session, AuditEvent::CodesVoided)
        },
        Event::OfflineIntakeArrived {
            session,
            office_id,
            code,
            received_at,
            note,
        } => Row {
            office_id: Some(*office_id),
            dossier_code: Some(code),
            detail: Some(received_at),
            reason: *note,
            ..of_session(session, AuditEvent::OfflineIntakeArrived)
        },
    };
    sqlx::query(
        "INSERT INTO audit (at, user_id, username, role, office_id, event, detail, client, \
         dossier_code, from_status, to_status, reason, due_before, due_after, data) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(at.to_rfc3339())
    .bind(row.user_id)
    .bind(row.username.map(|u| prefix(u, USERNAME_KEPT_CHARS)))
    .bind(row.role)
    .bind(row.office_id)
    .bind(row.event.as_str())
    .bind(row.detail)
    .bind(row.client)
    .bind(row.dossier_code)
    .bind(row.from_status)
    .bind(row.to_status)
    .bind(row.reason)
    .bind(due.before)
    .bind(due.after)
    .bind(data)
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
