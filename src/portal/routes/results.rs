//! Results given back (issue 17): the citizen's satisfaction rating, recorded at the desk
//! or given online, and the notices sent to the citizen about their dossier.

use crate::api::dossiers::Channel;
use crate::api::error::{ErrorBody, ErrorCode};
use crate::api::results::{
    NoticeChannel, NoticeEvent, NoticeStatus, Notification, Rating, RatingIn,
};
use crate::domain::results::{RatingRefusal, may_rate};
use crate::domain::text::nfc;
use crate::domain::workflow::Role;
use crate::portal::audit::{self, Event};
use crate::portal::auth::Session;
use crate::portal::db;
use crate::portal::dossier_store::{self as store, Row, wire};
use crate::portal::error::{ApiError, Problem};
use crate::portal::idempotency::Idempotent;
use crate::portal::json::parse_json;
use crate::portal::notify::unix_time;
use crate::portal::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// The refusal of a rating, with its code (and so its 409).
fn refusal(r: RatingRefusal) -> ApiError {
    let code = match r {
        RatingRefusal::NotOpen { .. } => ErrorCode::RatingNotOpen,
        RatingRefusal::AlreadyRated => ErrorCode::AlreadyRated,
    };
    Problem::of(code, r).into()
}

/// `POST /dossiers/{code}/rating`: once per dossier, after it is returned.
#[utoipa::path(
    post,
    path = "/api/v1/dossiers/{code}/rating",
    operation_id = "rate_dossier",
    tag = "dossiers",
    summary = "Rate how a dossier was handled",
    description = "The citizen's satisfaction, once per dossier, after its result is \
        returned: recorded by a reception officer of the office at the desk (`channel: desk`), \
        or given by the citizen who applied (`channel: online`). Another office's dossier, \
        or another citizen's, is 404; specialists, leaders and administrators may not rate \
        (403). `GET /stats` counts the ratings by level.",
    params(
        ("code" = String, Path, description = crate::portal::openapi::text::DOSSIER_CODE),
        ("Idempotency-Key" = String, Header, pattern = "^(\"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$", description = crate::portal::openapi::text::IDEMPOTENCY_KEY),
    ),
    request_body = RatingIn,
    responses(
        (status = 201, description = "The rating recorded.", body = Rating),
        (status = 400, description = "`idempotency_key_missing`; `bad_request`: a malformed key or body.", body = ErrorBody),
        (status = 403, description = "`forbidden`: neither a reception officer nor a citizen.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such dossier of the office (or of the citizen).", body = ErrorBody),
        (status = 409, description = "`rating_not_open`: the result is not returned yet; \
            `already_rated`: the dossier was rated before; `request_in_progress`.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: an unknown level, a comment over 2,000 \
            characters or with a control character; `idempotency_key_reused`.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn rate(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let what = "POST /dossiers/{code}/rating";
    session
        .require(&state, &[Role::Reception, Role::Citizen], what)
        .await?;
    let idem = Idempotent::claim(&state, &session, &headers, what, &body)?;
    let request: RatingIn = parse_json(&body)?;
    let comment = request
        .comment
        .as_deref()
        .map(|c| nfc(c.trim()))
        .filter(|c| !c.is_empty());
    let now = state.clock.now();

    let mut tx = db::write(&state.db).await?;
    if let Some(replay) = idem.replay(&mut tx).await? {
        return Ok(replay);
    }
    let (found, channel) = match (session.role, session.citizen_id) {
        (Role::Citizen, Some(citizen)) => (
            store::load_own(&mut *tx, citizen, &code).await,
            Channel::Online,
        ),
        (Role::Citizen, None) => return Err(ApiError::Forbidden),
        _ => {
            let office = session.office(&state, what).await?;
            (store::load(&mut *tx, office, &code).await, Channel::Desk)
        }
    };
    let row: Row = match found {
        Err(ApiError::NotFound) => {
            drop(tx);
            audit::refused(&state, &session, &format!("POST /dossiers/{code}/rating")).await;
            return Err(ApiError::NotFound);
        }
        other => other?,
    };
    let rated: Option<i64> = sqlx::query_scalar("SELECT 1 FROM ratings WHERE dossier_id = $1")
        .bind(row.id)
        .fetch_optional(&mut *tx)
        .await?;
    if let Err(r) = may_rate(row.status()?, rated.is_some()) {
        let error = refusal(r);
        audit::record(
            &mut *tx,
            &state.clock,
            Event::ActionRefused {
                session: &session,
                code: &row.code,
                action: "rate",
                why: error.code(),
            },
        )
        .await?;
        tx.commit().await?;
        return Err(error);
    }
    let channel_name = if channel == Channel::Desk {
        "desk"
    } else {
        "online"
    };
    // The primary key keeps one rating per dossier, also when two desks rate at once.
    let inserted = sqlx::query(
        "INSERT INTO ratings (dossier_id, office_id, level, comment, channel, rated_at, user_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dossier_id) DO NOTHING",
    )
    .bind(row.id)
    .bind(row.office_id)
    .bind(request.level.as_str())
    .bind(&comment)
    .bind(channel_name)
    .bind(now.to_rfc3339())
    .bind(session.user_id)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() != 1 {
        return Err(refusal(RatingRefusal::AlreadyRated));
    }
    // The dossier's detail now shows the rating: a new version, so caches and the
    // delta feed see it.
    sqlx::query("UPDATE dossiers SET version = version + 1, updated_at = $1 WHERE id = $2")
        .bind(now.to_rfc3339())
        .bind(row.id)
        .execute(&mut *tx)
        .await?;
    store::changed(
        &mut tx,
        row.office_id,
        &row.code,
        state.settings.changes_kept,
    )
    .await?;
    audit::record_at(
        &mut *tx,
        now,
        Event::RatingRecorded {
            session: &session,
            office_id: row.office_id,
            code: &row.code,
            level: request.level.as_str(),
            channel: channel_name,
        },
    )
    .await?;
    let rating = Rating {
        level: request.level,
        comment,
        channel,
        rated_at: now.to_rfc3339(),
    };
    let json = serde_json::to_value(&rating).map_err(ApiError::internal)?;
    idem.store(&mut tx, state.clock.unix(), StatusCode::CREATED, &json)
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

#[derive(sqlx::FromRow)]
struct NoticeRow {
    id: i64,
    event: String,
    channel: String,
    recipient: String,
    status: String,
    attempts: i64,
    created_at: String,
    sent_at: Option<String>,
    next_attempt_at: Option<i64>,
    last_error: Option<String>,
    subject: String,
    body: String,
    caught: i64,
}

/// `GET /dossiers/{code}/notifications`: what the applicant was (or will be) told.
#[utoipa::path(
    get,
    path = "/api/v1/dossiers/{code}/notifications",
    operation_id = "dossier_notifications",
    tag = "dossiers",
    summary = "The notices sent to the applicant",
    description = "Every e-mail and SMS queued for the applicant about this dossier, oldest \
        first, with its words as the citizen gets them and where its sending stands: \
        `queued`, `sent`, or `failed` with the attempts made, the last error and the next \
        attempt. A training portal catches its notices (`caught`) instead of sending them.",
    params(("code" = String, Path, description = crate::portal::openapi::text::DOSSIER_CODE)),
    responses(
        (status = 200, description = "The notices.", body = Vec<Notification>),
        (status = 403, description = "`forbidden`: not a staff user.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn notifications(
    State(state): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Result<Json<Vec<Notification>>, ApiError> {
    let office = session
        .office(&state, "GET /dossiers/{code}/notifications")
        .await?;
    match store::load(&state.db, office, &code).await {
        Err(ApiError::NotFound) => {
            audit::refused(
                &state,
                &session,
                &format!("GET /dossiers/{code}/notifications"),
            )
            .await;
            return Err(ApiError::NotFound);
        }
        other => other?,
    };
    let rows: Vec<NoticeRow> = sqlx::query_as(
        "SELECT id, event, channel, recipient, status, attempts, created_at, sent_at, \
         next_attempt_at, last_error, subject, body, caught \
         FROM notifications WHERE dossier_code = $1 ORDER BY id",
    )
    .bind(&code)
    .fetch_all(&state.db)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        // A notice of an event this build does not know (a password reset has no
        // dossier) is left out rather than failing the list.
        let Some(event) = NoticeEvent::from_wire(&r.event) else {
            continue;
        };
        let status: NoticeStatus = wire(&r.status)?;
        out.push(Notification {
            id: r.id,
            event,
            channel: wire::<NoticeChannel>(&r.channel)?,
            to: r.recipient,
            status,
            attempts: r.attempts.max(0) as u32,
            created_at: r.created_at,
            sent_at: r.sent_at,
            next_attempt_at: (status != NoticeStatus::Sent)
                .then_some(r.next_attempt_at)
                .flatten()
                .map(|t| unix_time(t).to_rfc3339()),
            last_error: r.last_error,
            subject: r.subject,
            body: r.body,
            caught: r.caught != 0,
        });
    }
    Ok(Json(out))
}
