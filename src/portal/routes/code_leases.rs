//! Code leases (issue 19): `POST /code-leases`, `GET /code-leases` and
//! `POST /code-leases/{id}/release`. The rules are [`crate::portal::service::leases`].

use crate::api::error::ErrorBody;
use crate::api::leases::{CodeLease, MAX_REASON, NewCodeLease, ReleaseCodes};
use crate::domain::text::nfc;
use crate::domain::workflow::Role;
use crate::portal::audit;
use crate::portal::auth::Session;
use crate::portal::db;
use crate::portal::error::{ApiError, invalid};
use crate::portal::idempotency::Idempotent;
use crate::portal::json::parse_json;
use crate::portal::service::leases;
use crate::portal::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// `POST /code-leases` (reception officers).
#[utoipa::path(
    post,
    path = "/api/v1/code-leases",
    operation_id = "lease_codes",
    tag = "dossiers",
    summary = "Hold numbers of today for intake with the link down",
    description = "Reserves `count` (1–50) of the office's dossier numbers of today for the \
        calling officer: no other intake is given one of them. The officer's desk numbers \
        dossiers from them while its link is down and sends them (`POST /dossiers` with \
        `code` and `received_at`) when it returns, up to `accepted_until`. An officer holds \
        at most 50 unused numbers at once; numbers that will not be used are released with \
        a reason (`POST /code-leases/{id}/release`), and those still unused at \
        `accepted_until` are void: the register shows both.",
    params(
        ("Idempotency-Key" = String, Header, pattern = "^(\"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$", description = crate::portal::openapi::text::IDEMPOTENCY_KEY),
    ),
    request_body = NewCodeLease,
    responses(
        (status = 201, description = "The lease and its codes.", body = CodeLease),
        (status = 400, description = "`idempotency_key_missing`; `bad_request`: a malformed key or body.", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a reception officer.", body = ErrorBody),
        (status = 409, description = "`request_in_progress`; `lease_limit`: the officer would hold more than 50 unused numbers.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: `count` missing or not from 1 to 50, or \
            fewer of today's 9,999 numbers left; `idempotency_key_reused`.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn create(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    const WHAT: &str = "POST /code-leases";
    session.require(&state, &[Role::Reception], WHAT).await?;
    let office = session.office(&state, WHAT).await?;
    let idem = Idempotent::claim(&state, &session, &headers, WHAT, &body)?;
    let request: NewCodeLease = parse_json(&body)?;
    let count = request.count.unwrap_or(0);
    let now = state.clock.now();
    let mut tx = db::write(&state.db).await?;
    if let Some(replay) = idem.replay(&mut tx).await? {
        return Ok(replay);
    }
    let lease = leases::lease(&mut tx, &session, office, count, now).await?;
    let json = serde_json::to_value(&lease).map_err(ApiError::internal)?;
    idem.store(&mut tx, state.clock.unix(), StatusCode::CREATED, &json)
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

/// `GET /code-leases` (reception officers): their own.
#[utoipa::path(
    get,
    path = "/api/v1/code-leases",
    operation_id = "list_code_leases",
    tag = "dossiers",
    summary = "The caller's leases",
    description = "The calling officer's leases of today and those of earlier days that still \
        hold numbers, oldest first, each with what became of every number: `used`, `voided` \
        (with the reason) or `held`. A desk reads it after a restart to know what it may \
        still number.",
    responses(
        (status = 200, description = "The leases.", body = Vec<CodeLease>),
        (status = 401, description = "`unauthenticated`.", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a reception officer.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<Vec<CodeLease>>, ApiError> {
    const WHAT: &str = "GET /code-leases";
    session.require(&state, &[Role::Reception], WHAT).await?;
    let office = session.office(&state, WHAT).await?;
    let mut conn = state.db.acquire().await?;
    let leases = leases::of_officer(&mut conn, &session, office, state.clock.now()).await?;
    Ok(Json(leases))
}

/// `POST /code-leases/{id}/release` (the lease's officer).
#[utoipa::path(
    post,
    path = "/api/v1/code-leases/{id}/release",
    operation_id = "release_codes",
    tag = "dossiers",
    summary = "Void numbers of a lease that will not be used",
    description = "Voids the `unused` numbers of the caller's lease with `reason`, which the \
        register shows beside each. A number voided already is left as it was, so the \
        request may be sent again. Another officer's lease is 404, audited.",
    params(("id" = String, Path, max_length = 64, description = "The lease's `id`.")),
    request_body = ReleaseCodes,
    responses(
        (status = 200, description = "The lease now.", body = CodeLease),
        (status = 400, description = "`bad_request`: a malformed body.", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a reception officer.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such lease of the caller's.", body = ErrorBody),
        (status = 409, description = "`code_used`: a dossier has one of the numbers.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: `reason` empty or too long, more than 50 \
            numbers, or a number of another lease.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn release(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<CodeLease>, ApiError> {
    const WHAT: &str = "POST /code-leases/{id}/release";
    session.require(&state, &[Role::Reception], WHAT).await?;
    let office = session.office(&state, WHAT).await?;
    let request: ReleaseCodes = parse_json(&body)?;
    let reason = nfc(request.reason.trim());
    if reason.is_empty() || reason.chars().count() > MAX_REASON {
        return Err(invalid(
            "reason",
            "Hãy ghi lý do hủy các số (tối đa 500 ký tự): sổ theo dõi hồ sơ ghi lý do này.",
            "Give the reason the numbers are voided (at most 500 characters): the register shows it.",
        ));
    }
    let now = state.clock.now();
    let mut tx = db::write(&state.db).await?;
    let released = leases::release(
        &mut tx,
        &session,
        office,
        id.trim(),
        &request.unused,
        &reason,
        now,
    )
    .await?;
    match released {
        Some(lease) => {
            tx.commit().await?;
            Ok(Json(lease))
        }
        None => {
            drop(tx);
            audit::refused(&state, &session, WHAT).await;
            Err(ApiError::NotFound)
        }
    }
}
