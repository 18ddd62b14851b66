//! What citizens do on the portal themselves: submit online (status `submitted`, waiting
//! for the desk), send a requested supplement, list their dossiers; and the public
//! lookup by code and identity number.

use super::dossiers::{created, if_match};
use super::limit;
use crate::api::Page;
use crate::api::dossiers::{CitizenSubmission, DossierSummary, PublicStatus, SupplementIn};
use crate::api::error::ErrorBody;
use crate::domain::workflow::Role;
use crate::portal::auth::Session;
use crate::portal::db;
use crate::portal::error::{ApiError, language};
use crate::portal::idempotency::Idempotent;
use crate::portal::json::parse_json;
use crate::portal::service::online;
use crate::portal::service::supplements;
use crate::portal::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::net::SocketAddr;
use utoipa::IntoParams;

/// The citizen behind a session; staff have no citizen side (403, audited).
async fn citizen(state: &AppState, session: &Session, what: &str) -> Result<i64, ApiError> {
    session.require(state, &[Role::Citizen], what).await?;
    session.citizen_id.ok_or(ApiError::Forbidden)
}

/// `POST /citizen/dossiers`: an online submission, waiting for the desk.
#[utoipa::path(
    post,
    path = "/api/v1/citizen/dossiers",
    operation_id = "submit_dossier",
    tag = "citizen",
    summary = "Submit a dossier online",
    description = "A citizen's own submission to an office: every document part attached as a \
        completed upload. The dossier starts `submitted`, waiting for the desk, without a due \
        time until it is received.",
    params(
        ("Idempotency-Key" = String, Header, pattern = "^(\"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$", description = crate::portal::openapi::text::IDEMPOTENCY_KEY),
    ),
    request_body = crate::api::dossiers::CitizenSubmission,
    responses(
        (status = 201, description = "The new dossier.", body = crate::api::dossiers::Dossier),
        (status = 400, description = "`idempotency_key_missing`; `bad_request`: a malformed key or body.", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a citizen.", body = ErrorBody),
        (status = 409, description = "`request_in_progress`: the first request with this key still runs.", body = ErrorBody),
        (status = 422, description = "`validation_failed` (`fields` names the part of the request at fault, \
            e.g. an unknown office or a procedure not offered online); `idempotency_key_reused`; \
            `upload_not_found`, `upload_incomplete`, `upload_already_attached`.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn submit(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let me = citizen(&state, &session, "POST /citizen/dossiers").await?;
    let idem = Idempotent::claim(&state, &session, &headers, "POST /citizen/dossiers", &body)?;
    let request: CitizenSubmission = parse_json(&body)?;
    let now = state.clock.now();
    let mut tx = db::write(&state.db).await?;
    if let Some(replay) = idem.replay(&mut tx).await? {
        return Ok(replay);
    }
    let row = online::submit(&mut tx, &state, &session, me, request, now).await?;
    created(tx, &state, &idem, &row, now).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OwnQuery {
    /// Items to return: 50 unless given, at most 500.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
}

/// `GET /citizen/dossiers`: the citizen's own dossiers, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/citizen/dossiers",
    operation_id = "list_own_dossiers",
    tag = "citizen",
    summary = "My dossiers",
    description = "The citizen's own dossiers, newest first, on one page.",
    params(OwnQuery),
    responses(
        (status = 200, description = "The dossiers.", body = Page<DossierSummary>),
        (status = 400, description = "`bad_request`: a limit out of range.", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a citizen.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn own(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<OwnQuery>,
) -> Result<Json<Page<DossierSummary>>, ApiError> {
    let me = citizen(&state, &session, "GET /citizen/dossiers").await?;
    let limit = limit(query.limit)?;
    Ok(Json(online::own(&state, me, limit).await?))
}

/// `POST /citizen/dossiers/{code}/supplement` (with `If-Match`): the documents asked
/// for; the dossier goes back to the desk's online queue.
#[utoipa::path(
    post,
    path = "/api/v1/citizen/dossiers/{code}/supplement",
    operation_id = "send_supplement",
    tag = "citizen",
    summary = "Send a requested supplement",
    description = "The documents the office asked for, each attached; the dossier goes back \
        to the desk's queue.",
    params(
        ("code" = String, Path, description = crate::portal::openapi::text::DOSSIER_CODE),
        ("If-Match" = String, Header, pattern = r#"^(W/)?"?[0-9]{1,18}"?$"#, description = crate::portal::openapi::text::IF_MATCH),
    ),
    request_body = SupplementIn,
    responses(
        (status = 200, description = "The dossier after the supplement.", body = crate::api::dossiers::Dossier,
            headers(("ETag" = String, description = "Weak, from the new version."))),
        (status = 400, description = "`bad_request`: a malformed `If-Match` or body.", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a citizen.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such dossier of the citizen's.", body = ErrorBody),
        (status = 412, description = "`version_conflict`: the dossier changed; `error.current` is the dossier now.", body = ErrorBody),
        (status = 422, description = "`invalid_transition`: no supplement is awaited; `validation_failed`: \
            a document without a file; `upload_not_found`, `upload_incomplete`, \
            `upload_already_attached`.", body = ErrorBody),
        (status = 428, description = "`precondition_required`: no `If-Match`.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn supplement(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let me = citizen(&state, &session, "POST /citizen/dossiers/{code}/supplement").await?;
    let expected = if_match(&headers)?;
    let request: SupplementIn = parse_json(&body)?;
    let now = state.clock.now();
    let (dossier, version) =
        supplements::receive(&state, &session, me, &code, expected, &request, now).await?;
    let etag = format!("W/\"{version}\"");
    Ok(([(header::ETAG, etag)], Json(dossier)).into_response())
}

#[derive(Debug, serde::Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupQuery {
    /// The applicant's identity number, as on the receipt.
    #[param(required = true, max_length = 32)]
    id_number: Option<String>,
}

impl crate::api::limits::Bounded for LookupQuery {
    const BOUNDS: &'static [crate::api::limits::Bound] = &[crate::api::limits::Bound::line(
        "id_number",
        crate::api::limits::SHORT,
    )];
}

/// `GET /public/dossiers/{code}?id_number=`: the status for whoever holds the receipt and
/// the applicant's number. Any mismatch is the same 404, so codes cannot be enumerated.
#[utoipa::path(
    get,
    path = "/api/v1/public/dossiers/{code}",
    operation_id = "lookup_dossier",
    tag = "citizen",
    summary = "Look a dossier up by its receipt",
    description = "For anyone holding the receipt: the status, due time and office, when \
        `id_number` is the applicant's. Any mismatch is the same 404, so codes cannot be \
        enumerated; misses are counted per code and per client address, and past the limit \
        the answer is 429 until the window ends (even for the right number), so neither an \
        applicant's number nor codes can be searched for.",
    params(
        ("code" = String, Path, description = crate::portal::openapi::text::DOSSIER_CODE),
        LookupQuery,
    ),
    responses(
        (status = 200, description = "Where the dossier stands.", body = PublicStatus),
        (status = 404, description = "`not_found`: no such dossier for this identity number.", body = ErrorBody),
        (status = 429, description = "`too_many_requests`: too many misses for this code or from this address.", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
        (status = 422, description = "`validation_failed`: `id_number` over 32 characters or carrying a control character.", body = ErrorBody),
    ),
)]
pub async fn lookup(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(query): Query<LookupQuery>,
) -> Result<Json<PublicStatus>, ApiError> {
    crate::portal::json::check_query(&query)?;
    let status = online::lookup(
        &state,
        &addr,
        &code,
        query.id_number.as_deref(),
        language(&headers),
    )
    .await?;
    Ok(Json(status))
}
