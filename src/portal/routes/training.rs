//! `GET /training/journal`: a training portal's audit log since the sandbox was seeded,
//! for the guided exercises (did the trainee receive an online dossier? refuse one
//! without a reason?) and for the simulator (a VietQR code shown at the desk gets paid).
//! A real portal has no such route: it answers 404 there.

use crate::api::error::ErrorBody;
use crate::api::training::{AuditEvent, Journal, JournalEntry, JournalQuery};
use crate::domain::workflow::Role;
use crate::portal::auth::Session;
use crate::portal::error::ApiError;
use crate::portal::state::AppState;
use axum::Json;
use axum::extract::{Query, State};

/// The key of the `sandbox` row holding the last audit id the demo seed wrote.
pub const JOURNAL_START: &str = "journal_start";

/// `'a', 'b'`: event names for an SQL `IN` list. Only the enum's own names are
/// formatted in, never a value from a request.
fn sql_list(events: impl IntoIterator<Item = AuditEvent>) -> String {
    events
        .into_iter()
        .map(|e| format!("'{}'", e.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    at: String,
    event: String,
    username: Option<String>,
    role: Option<String>,
    dossier_code: Option<String>,
    channel: Option<String>,
    detail: Option<String>,
    from_status: Option<String>,
    to_status: Option<String>,
    reason: Option<String>,
    citizen_number: Option<String>,
    data: Option<String>,
}

/// The pages and copies of a certification's audit row, from its data (JSON); none for
/// another event, or a row that does not say.
fn pages_and_copies(event: &AuditEvent, data: Option<&str>) -> (Option<u32>, Option<u32>) {
    if *event != AuditEvent::CertificationRecorded {
        return (None, None);
    }
    let Some(data) = data.and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok()) else {
        return (None, None);
    };
    let count = |key: &str| data[key].as_u64().and_then(|n| u32::try_from(n).ok());
    (count("pages"), count("copies"))
}

/// `GET /training/journal` (staff of an office; the office's events only).
#[utoipa::path(
    get,
    path = "/api/v1/training/journal",
    operation_id = "training_journal",
    tag = "training",
    summary = "What happened in the training sandbox",
    description = "A training portal's audit rows about the caller's office since the sandbox \
        was seeded (logins left out), oldest first, with the dossier's channel and the \
        citizen's number joined in, and a certification's pages and copies. Any staff \
        role. A portal that is not a training one answers 404.",
    params(JournalQuery),
    responses(
        (status = 200, description = "The entries after `after`.", body = Journal),
        (status = 400, description = "`bad_request`: a malformed query, `after` below 0 or `limit` outside 1–1000.", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a staff user.", body = ErrorBody),
        (status = 404, description = "`not_found`: this portal is not a training sandbox.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn journal(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<JournalQuery>,
) -> Result<Json<Journal>, ApiError> {
    let office = session.office(&state, "GET /training/journal").await?;
    if query.after.is_some_and(|a| a < 0) {
        return Err(ApiError::BadRequest("after must be 0 or more".into()));
    }
    if query.limit.is_some_and(|l| !(1..=1000).contains(&l)) {
        return Err(ApiError::BadRequest("limit must be from 1 to 1000".into()));
    }
    if !state.settings.training {
        return Err(ApiError::NotFound);
    }
    let start: i64 = sqlx::query_scalar("SELECT value FROM sandbox WHERE key = $1")
        .bind(JOURNAL_START)
        .fetch_optional(&state.db)
        .await?
        .unwrap_or(0);
    let after = query.after.unwrap_or(0).max(start);
    let limit = i64::from(query.limit.unwrap_or(200));
    // Account events name their citizen by row id (staff side, `citizen N`) or by
    // number (citizen side); each is joined on its own key, so both use an index, and
    // the citizen's office scopes the row. The row id is read off the detail only for
    // those events (the CASE): PostgreSQL may evaluate a join's terms in any order, and
    // another event's detail ("cash") is no number.
    let not_journalled = sql_list(AuditEvent::KNOWN.into_iter().filter(|e| !e.journalled()));
    let by_citizen_id = sql_list([
        AuditEvent::CitizenCreated,
        AuditEvent::ActivationIssued,
        AuditEvent::PasswordResetIssued,
    ]);
    let by_citizen_number = sql_list([AuditEvent::CitizenActivated, AuditEvent::ActivationFailed]);
    let sql = format!(
        "SELECT a.id, a.at, a.event, a.username, a.role, a.dossier_code, d.channel, a.detail, \
         a.from_status, a.to_status, a.reason, \
         COALESCE(by_id.id_number, by_number.id_number) AS citizen_number, a.data \
         FROM audit a \
         LEFT JOIN dossiers d ON d.code = a.dossier_code \
         LEFT JOIN citizens by_id ON a.event IN ({by_citizen_id}) \
           AND by_id.id = CASE WHEN a.event IN ({by_citizen_id}) \
             THEN CAST(substr(a.detail, 9) AS BIGINT) END \
         LEFT JOIN citizens by_number ON a.event IN ({by_citizen_number}) \
           AND by_number.id_number = a.username \
         WHERE a.id > $1 AND a.event NOT IN ({not_journalled}) \
           AND (a.office_id = $2 OR d.office_id = $2 OR by_id.office_id = $2 \
             OR by_number.office_id = $2) \
         ORDER BY a.id LIMIT $3"
    );
    // Only the enum's names are formatted in; every value is bound.
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(after)
        .bind(office)
        .bind(limit)
        .fetch_all(&state.db)
        .await?;
    let last_id = rows.last().map_or(after, |r| r.id);
    let entries = rows
        .into_iter()
        .map(|r| {
            let event = AuditEvent::from_wire(&r.event);
            let (pages, copies) = pages_and_copies(&event, r.data.as_deref());
            JournalEntry {
                id: r.id,
                at: r.at,
                event,
                username: r.username,
                role: r.role.as_deref().and_then(Role::from_wire),
                dossier_code: r.dossier_code,
                channel: r.channel,
                detail: r.detail,
                from_status: r.from_status,
                to_status: r.to_status,
                reason: r.reason,
                citizen_number: r.citizen_number,
                pages,
                copies,
            }
        })
        .collect();
    Ok(Json(Journal { entries, last_id }))
}

/// Marks where the journal starts: after everything the seed wrote. Only the first
/// start marks it, so a trainee's work of earlier days stays in the journal.
pub async fn mark_journal_start(db: &sqlx::AnyPool) -> Result<(), sqlx::Error> {
    // `WHERE true`: SQLite's parser needs a WHERE between a SELECT and its upsert.
    sqlx::query(
        "INSERT INTO sandbox (key, value) \
         SELECT $1, COALESCE(MAX(id), 0) FROM audit WHERE true ON CONFLICT DO NOTHING",
    )
    .bind(JOURNAL_START)
    .execute(db)
    .await?;
    Ok(())
}
