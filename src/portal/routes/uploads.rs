//! `POST /uploads`, `HEAD /uploads/{id}` and `PATCH /uploads/{id}`: resumable uploads
//! (the protocol is described in [`crate::api::uploads`]) over HTTP. The upload store
//! itself (files, rows, who writes which upload, the checks) is
//! [`crate::portal::service::uploads`]; these handlers read the request, call it and say
//! where the upload stands.

use crate::api::BASE_PATH;
use crate::api::error::ErrorBody;
use crate::api::headers::{UPLOAD_LENGTH, UPLOAD_OFFSET};
use crate::api::uploads::{CHUNK_CONTENT_TYPE, CreateUpload, MAX_CHUNK_SIZE, UploadCreated};
use crate::domain::workflow::Role;
use crate::portal::auth::Session;
use crate::portal::db;
use crate::portal::error::ApiError;
use crate::portal::idempotency::Idempotent;
use crate::portal::json::parse_json;
use crate::portal::service::uploads::{self, UploadProblem};
use crate::portal::state::AppState;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::head;
use std::convert::Infallible;

/// Everyone who logs in may upload: officers scan documents at the desk, citizens attach
/// them to online submissions.
const UPLOADERS: [Role; 5] = [
    Role::Reception,
    Role::Specialist,
    Role::Leader,
    Role::Admin,
    Role::Citizen,
];

/// When a `PATCH` reached the server, as a sequence number. It is the handler's first
/// extractor: the session lookup after it can let a later request overtake an earlier
/// one, which must not make the earlier one look like the client's latest.
pub struct Arrival(u64);

impl FromRequestParts<AppState> for Arrival {
    type Rejection = Infallible;

    async fn from_request_parts(_: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(Arrival(state.upload_writers.arrive()))
    }
}

// ---------------------------------------------------------------------------------------
// Handlers

/// The routes whose bodies are upload chunks, not JSON: they must not sit under the JSON
/// body limit.
pub fn chunk_routes() -> Router<AppState> {
    Router::new().route("/uploads/{id}", head(progress).patch(append))
}

fn location(id: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(&format!("{BASE_PATH}/uploads/{id}")).map_err(ApiError::internal)
}

/// A response that tells where the upload stands; never cached, it changes by the second.
fn with_offset(response: impl IntoResponse, offset: u64) -> Response {
    let mut response = response.into_response();
    let headers = response.headers_mut();
    headers.insert(UPLOAD_OFFSET, HeaderValue::from(offset));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `POST /uploads` (`Idempotency-Key` required): declares a file → 201
/// `{id, offset: 0}` with `Location`.
#[utoipa::path(
    post,
    path = "/api/v1/uploads",
    operation_id = "create_upload",
    tag = "uploads",
    summary = "Declare a file to upload",
    description = "PDF, JPEG or PNG, at most 20 MiB. The bytes follow in `PATCH` requests to \
        `Location`; when the last one arrives, the server checks the size, the SHA-256 and the \
        type.",
    params(
        ("Idempotency-Key" = String, Header, pattern = "^(\"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$", description = crate::portal::openapi::text::IDEMPOTENCY_KEY),
    ),
    request_body = CreateUpload,
    responses(
        (status = 201, description = "The upload, at offset 0.", body = UploadCreated,
            headers(
                ("Location" = String, description = "The upload: `/api/v1/uploads/{id}`."),
            )),
        (status = 400, description = "`idempotency_key_missing`; `bad_request`: a malformed key or body.", body = ErrorBody),
        (status = 409, description = "`request_in_progress`.", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: the file is over 20 MiB.", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: not PDF, JPEG or PNG.", body = ErrorBody),
        (status = 422, description = "`validation_failed` (`size`, `sha256`, `filename`); \
            `idempotency_key_reused`.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn create(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    session.require(&state, &UPLOADERS, "create upload").await?;
    let claim = Idempotent::claim(&state, &session, &headers, "POST /uploads", &body)?;
    let new = uploads::check_new(parse_json::<CreateUpload>(&body)?)?;
    let mut tx = db::write(&state.db).await?;
    if let Some(replayed) = claim.replay(&mut tx).await? {
        return with_location(replayed).await;
    }
    let declared = uploads::declare(&mut tx, &state, session.user_id, &new).await?;
    let stored = async {
        let created = serde_json::to_value(UploadCreated {
            id: declared.id.clone(),
            offset: 0,
        })
        .map_err(ApiError::internal)?;
        claim
            .store(&mut tx, state.clock.unix(), StatusCode::CREATED, &created)
            .await?;
        tx.commit().await?;
        Ok::<_, ApiError>(created)
    }
    .await;
    let id = declared.id.clone();
    declared.settle(&state, stored.is_ok()).await;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location(&id)?)],
        axum::Json(stored?),
    )
        .into_response())
}

/// A replayed `POST /uploads` answer gets its `Location` back: the idempotency store
/// keeps bodies, not headers.
async fn with_location(replayed: Response) -> Result<Response, ApiError> {
    let (mut parts, body) = replayed.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map_err(ApiError::internal)?;
    if let Ok(created) = serde_json::from_slice::<UploadCreated>(&bytes) {
        parts
            .headers
            .insert(header::LOCATION, location(&created.id)?);
    }
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

/// `HEAD /uploads/{id}` (owner): `Upload-Offset` and `Upload-Length`.
#[utoipa::path(
    head,
    path = "/api/v1/uploads/{id}",
    operation_id = "upload_progress",
    tag = "uploads",
    summary = "How far an upload got",
    description = "The caller's own upload only. When every byte is in but not yet checked, \
        the check runs now, and a bad file is discarded (415, 422) as after the last `PATCH`. \
        A `HEAD` answer has no body: errors show as their status.",
    params(("id" = String, Path, format = "uuid", description = "The upload id.")),
    responses(
        (status = 200, description = "Where the upload stands.",
            headers(
                ("Upload-Offset" = u64, description = "Bytes of the file the server has."),
                ("Upload-Length" = u64, description = "The declared size."),
                ("Cache-Control" = String, description = "`no-store`."),
            )),
        (status = 404, description = "`not_found`: no such upload of the caller's (or discarded)."),
        (status = 415, description = "`upload_type_mismatch`: the content is not the declared type; discarded."),
        (status = 422, description = "`upload_checksum_mismatch`: discarded."),
    ),
    security(("bearer" = [])),
)]
pub async fn progress(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    session
        .require(&state, &UPLOADERS, "upload progress")
        .await?;
    progress_for(&state, session.user_id, &id).await
}

/// `HEAD /uploads/{id}` for user `user_id`, whoever authenticated them (the API's bearer
/// token, or the citizen pages' cookie for their optional upload script).
pub(crate) async fn progress_for(
    state: &AppState,
    user_id: i64,
    id: &str,
) -> Result<Response, ApiError> {
    let state = state.clone();
    let row = uploads::owned(&state, user_id, id).await?;
    let offset = if row.complete {
        row.size()
    } else if let Some(writing) = match state.upload_writers.try_take(&row.id) {
        Some(writing) => uploads::try_across_processes(&state, writing, &row.id).await,
        None => None,
    } {
        // Nobody is writing: repair what a crash may have left, and finish an upload
        // whose last bytes were committed but not checked.
        let repaired = repair(&state, &row.id).await;
        writing.release().await;
        repaired?
    } else {
        uploads::peek(&state, &row).await?
    };
    let mut response = with_offset(StatusCode::OK, offset);
    response
        .headers_mut()
        .insert(UPLOAD_LENGTH, HeaderValue::from(row.size()));
    Ok(response)
}

/// Where an upload nobody writes stands once what a crash may have left is repaired: a
/// file longer or shorter than recorded is settled, and an upload whose last bytes were
/// committed but not checked is finished.
async fn repair(state: &AppState, id: &str) -> Result<u64, ApiError> {
    let row = uploads::load(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if row.complete {
        return Ok(row.size());
    }
    let offset = uploads::settle(state, &row).await?;
    if offset == row.size() {
        // Bad bytes answer here as they would to the last PATCH (422, 415); the upload
        // is then gone and the next HEAD says 404.
        uploads::finish(state, &row).await?;
    }
    Ok(offset)
}

fn is_chunk(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(CHUNK_CONTENT_TYPE))
}

fn number_header(headers: &HeaderMap, name: impl header::AsHeaderName) -> Option<u64> {
    let text = headers.get(name)?.to_str().ok()?.trim();
    // Digits only: `u64::from_str` would also take a leading `+`.
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `PATCH /uploads/{id}` (owner): `Upload-Offset: n`, a chunk as
/// `application/offset+octet-stream` → 204 with the new `Upload-Offset`.
#[utoipa::path(
    patch,
    path = "/api/v1/uploads/{id}",
    operation_id = "append_chunk",
    tag = "uploads",
    summary = "Append a chunk",
    description = "The bytes from `Upload-Offset` on, at most 8 MiB per request. Whatever \
        arrives of a broken chunk is kept: the answer (or a `HEAD`) says where to resume. \
        After the last byte the file is checked; a bad one is discarded (415, 422).",
    params(
        ("id" = String, Path, format = "uuid", description = "The upload id."),
        ("Upload-Offset" = String, Header, pattern = "^[0-9]{1,19}$", description = "Where this chunk starts: the bytes the server has, in decimal digits."),
    ),
    request_body(content = crate::portal::openapi::FileBytes, content_type = "application/offset+octet-stream",
        description = "The chunk."),
    responses(
        (status = 204, description = "Appended (and complete, when the offset reaches the size).",
            headers(("Upload-Offset" = u64, description = "Bytes of the file the server has."), ("Cache-Control" = String, description = "`no-store`."))),
        (status = 400, description = "`bad_request`: no or a malformed `Upload-Offset`; \
            `upload_chunk_incomplete`: the chunk broke off.", body = ErrorBody,
            headers(("Upload-Offset" = u64, description = "Bytes of the file the server has."))),
        (status = 404, description = "`not_found`: no such upload of the caller's.", body = ErrorBody),
        (status = 409, description = "`upload_offset_mismatch`: resume from `Upload-Offset`; \
            `upload_superseded`: a newer request took over; `upload_busy`: another portal \
            process still writes the upload (after `upload_lock_wait`, 35 s).", body = ErrorBody,
            headers(("Upload-Offset" = u64, description = "Bytes of the file the server has."))),
        (status = 413, description = "`payload_too_large`: over 8 MiB, or past the declared size; \
            nothing of it is kept.", body = ErrorBody, headers(("Upload-Offset" = u64, description = "Bytes of the file the server has."))),
        (status = 415, description = "`unsupported_media_type`: not `application/offset+octet-stream`; \
            `upload_type_mismatch`: the content is not the declared type (discarded).", body = ErrorBody),
        (status = 422, description = "`upload_checksum_mismatch`: the file does not match its SHA-256 (discarded).", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn append(
    arrival: Arrival,
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    session.require(&state, &UPLOADERS, "upload chunk").await?;
    append_for(arrival.0, state, session.user_id, &id, &headers, body).await
}

/// `PATCH /uploads/{id}` for user `user_id`, whoever authenticated them (see
/// [`progress_for`]). `arrival`: when the request reached the server ([`Arrival`]).
pub(crate) async fn append_for(
    arrival: u64,
    state: AppState,
    user_id: i64,
    id: &str,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    if !is_chunk(headers) {
        return Err(UploadProblem::ChunkType.into());
    }
    let sent = number_header(headers, UPLOAD_OFFSET).ok_or(UploadProblem::OffsetHeader)?;
    let row = uploads::owned(&state, user_id, id).await?;
    // Absent when the body is chunked or was compressed: then it is counted as it comes.
    let length = number_header(headers, header::CONTENT_LENGTH);
    if length.is_some_and(|n| n > MAX_CHUNK_SIZE) {
        return Err(UploadProblem::ChunkTooLarge.into());
    }
    let writing = state
        .upload_writers
        .take_over(&row.id, (sent, arrival))
        .await;
    let Some(writing) = uploads::across_processes(&state, writing, &row.id).await else {
        // Where the upload stands, as far as can be told without its file's lock.
        let at = uploads::peek(&state, &row).await?;
        let busy = UploadProblem::Busy { received: at };
        return Ok(with_offset(ApiError::from(busy), at));
    };
    // From here on the work belongs to a task of its own: if this handler is dropped
    // (the client went away, the request timed out), the bytes that did arrive are still
    // committed.
    let task = tokio::spawn(async move {
        let mut writing = writing;
        let answer = receive(state, row.id, sent, length, body, &mut writing).await;
        writing.release().await;
        answer
    });
    task.await.map_err(ApiError::internal)?
}

/// The rest of a `PATCH`, once it holds the upload.
async fn receive(
    state: AppState,
    id: String,
    sent: u64,
    length: Option<u64>,
    body: Body,
    writing: &mut uploads::Writing,
) -> Result<Response, ApiError> {
    // Read again under the lock: the previous writer may have moved it on, finished it
    // or discarded it.
    let row = uploads::load(&state.db, &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let size = row.size();
    let at = if row.complete {
        size
    } else {
        uploads::settle(&state, &row).await?
    };
    if writing.superseded() {
        let problem = UploadProblem::Superseded { received: at };
        return Ok(with_offset(ApiError::from(problem), at));
    }
    if sent != at {
        let problem = UploadProblem::OffsetMismatch { received: at, sent };
        return Ok(with_offset(ApiError::from(problem), at));
    }
    if length.is_some_and(|n| n > size.saturating_sub(at)) {
        let problem = UploadProblem::BeyondSize { size };
        return Ok(with_offset(ApiError::from(problem), at));
    }
    if row.complete {
        // The repeat of a last chunk whose answer was lost: nothing left to do.
        return Ok(with_offset(StatusCode::NO_CONTENT, at));
    }
    let (received, stop) = uploads::write_chunk(&state, &row, at, body, writing).await?;
    if received == size {
        // Also after a cut: if every byte is here, the upload is done.
        uploads::finish(&state, &row).await?;
        return Ok(with_offset(StatusCode::NO_CONTENT, received));
    }
    let answer = match stop {
        uploads::Stop::Ended => return Ok(with_offset(StatusCode::NO_CONTENT, received)),
        uploads::Stop::Cut => UploadProblem::ChunkCut { received }.into(),
        uploads::Stop::Superseded => UploadProblem::Superseded { received }.into(),
        uploads::Stop::Refused(problem) => problem.into(),
        uploads::Stop::Failed(error) => error,
    };
    Ok(with_offset(answer, received))
}
