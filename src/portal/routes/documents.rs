//! Documents (DOMAIN.md "Digitization"): digitizing a dossier's document part, the
//! citizen's store and its files, and result files. HTTP only: the steps are in
//! `service::documents`.

use crate::api::documents::{DigitizationRequest, ResultFileRequest, StoredDocument};
use crate::api::error::ErrorBody;
use crate::domain::workflow::Role;
use crate::portal::auth::Session;
use crate::portal::db;
use crate::portal::dossier_store as store;
use crate::portal::error::ApiError;
use crate::portal::idempotency::Idempotent;
use crate::portal::json::parse_json;
use crate::portal::routes::citizens::visible_citizen;
use crate::portal::routes::dossiers::if_match;
use crate::portal::service::documents::{
    add_result_file, digitize as digitize_part, store_of, stored_by_public_id,
};
use crate::portal::service::uploads;
use crate::portal::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// `PUT /dossiers/{code}/documents/{part_id}/digitization`.
#[utoipa::path(
    put,
    path = "/api/v1/dossiers/{code}/documents/{part_id}/digitization",
    operation_id = "digitize_document",
    tag = "dossiers",
    summary = "Digitize a document part",
    description = "Reception only. The part's scan (`upload_id`, a completed upload of the \
        caller's; absent: the part's attachment is the scan) goes into the applicant's store \
        with its metadata, and the part shows it as `digitization`. Sent again for a part \
        digitized before, it corrects the stored document. The same request repeated after it \
        took effect answers 200 with the dossier as it is, whatever `If-Match` says. A part \
        reused from the store is not digitized again (422).",
    params(
        ("code" = String, Path, description = crate::portal::openapi::text::DOSSIER_CODE),
        ("part_id" = String, Path, description = "The document part's id, as in `Document.part_id`."),
        ("If-Match" = String, Header, pattern = r#"^(W/)?"?[0-9]{1,18}"?$"#, description = crate::portal::openapi::text::IF_MATCH),
    ),
    request_body = DigitizationRequest,
    responses(
        (status = 200, description = "The dossier, the part with its `digitization`.", body = crate::api::dossiers::Dossier,
            headers(("ETag" = String, description = "Weak, from the new version."))),
        (status = 400, description = "`bad_request`: a malformed `If-Match` or body.", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a reception officer.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such dossier at the office, or no such part of it.", body = ErrorBody),
        (status = 412, description = "`version_conflict`: the dossier changed; `error.current` is the dossier now.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: the metadata (`fields` names each: a type is required, \
            dates `YYYY-MM-DD`, issued not in the future, valid until neither before the issue nor past), \
            no scan for a part without an attachment (`upload_id`), a part reused from the store (`part_id`); \
            `upload_not_found`, `upload_incomplete`, `upload_already_attached` for the scan.", body = ErrorBody),
        (status = 428, description = "`precondition_required`: no `If-Match`.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn digitize(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path((code, part_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let what = "PUT /dossiers/{code}/documents/{part_id}/digitization";
    let office = session.office(&state, what).await?;
    session.require(&state, &[Role::Reception], what).await?;
    let expected = if_match(&headers)?;
    let request: DigitizationRequest = parse_json(&body)?;
    let now = state.clock.now();
    let dossier = digitize_part(
        &state, &session, office, &code, &part_id, expected, &request, now,
    )
    .await?;
    let etag = format!("W/\"{}\"", dossier.version);
    Ok(([(header::ETAG, etag)], Json(dossier)).into_response())
}

/// `GET /citizens/{id}/documents`.
#[utoipa::path(
    get,
    path = "/api/v1/citizens/{id}/documents",
    operation_id = "citizen_documents",
    tag = "citizens",
    summary = "A citizen's store",
    description = "The documents digitized from the citizen's papers and the results issued to \
        them, oldest first, each with whether it has expired (on the portal's today). Any staff \
        role; a citizen the office may not see is 404.",
    params(("id" = String, Path, description = "The citizen's id (`Citizen.id`).")),
    responses(
        (status = 200, description = "The store.", body = Vec<StoredDocument>),
        (status = 403, description = "`forbidden`: not a staff user.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn citizen_documents(
    State(state): State<AppState>,
    session: Session,
    Path(raw): Path<String>,
) -> Result<Json<Vec<StoredDocument>>, ApiError> {
    let what = "citizens.documents";
    let office = session.office(&state, what).await?;
    let citizen = visible_citizen(&state, &session, office, &raw, what).await?;
    let today = state.clock.now().date_naive();
    let rows = store_of(&state.db, citizen).await?;
    Ok(Json(
        rows.iter()
            .map(|r| r.to_api(today))
            .collect::<Result<_, _>>()?,
    ))
}

/// `GET /citizens/{id}/documents/{doc_id}`: the stored file, with its SHA-256.
#[utoipa::path(
    get,
    path = "/api/v1/citizens/{id}/documents/{doc_id}",
    operation_id = "citizen_document_file",
    tag = "citizens",
    summary = "A stored document's file",
    params(
        ("id" = String, Path, description = "The citizen's id (`Citizen.id`)."),
        ("doc_id" = String, Path, description = "The stored document's id (`StoredDocument.id`)."),
    ),
    responses(
        (status = 200, description = "The file, as scanned or issued.",
            content(
                (crate::portal::openapi::FileBytes = "application/pdf"),
                (crate::portal::openapi::FileBytes = "image/jpeg"),
                (crate::portal::openapi::FileBytes = "image/png"),
            ),
            headers(
                ("Content-Disposition" = String, description = "`attachment` with the file name (ASCII)."),
                ("X-Content-Sha256" = String, description = "The file's SHA-256, hex."),
                ("Content-Security-Policy" = String, description = "`sandbox`: nothing of the file runs in the portal's origin."),
            )),
        (status = 403, description = "`forbidden`: not a staff user.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such citizen at the office, or no such document of theirs.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn citizen_document_file(
    State(state): State<AppState>,
    session: Session,
    Path((raw, doc_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let what = "citizens.documents.file";
    let office = session.office(&state, what).await?;
    let citizen = visible_citizen(&state, &session, office, &raw, what).await?;
    let stored = stored_by_public_id(&state.db, &doc_id)
        .await?
        .filter(|s| s.citizen_id == citizen)
        .ok_or(ApiError::NotFound)?;
    let (upload, mut file) = uploads::open_complete(&state, &stored.upload_id).await?;
    // Files are at most 20 MiB: read whole, which keeps the answer's length exact.
    let mut bytes = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut file, &mut bytes)
        .await
        .map_err(ApiError::internal)?;
    let ascii_name: String = crate::domain::text::strip_marks(&upload.filename)
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    // A stored file is the citizen's, not the portal's: nothing of it runs in the
    // portal's origin if a browser opens it.
    let headers = [
        (header::CONTENT_TYPE, upload.content_type.clone()),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{ascii_name}\""),
        ),
        (header::CONTENT_SECURITY_POLICY, "sandbox".to_owned()),
        (
            header::HeaderName::from_static("x-content-sha256"),
            upload.sha256.clone(),
        ),
    ];
    Ok((headers, bytes).into_response())
}

/// `POST /dossiers/{code}/result-files`.
#[utoipa::path(
    post,
    path = "/api/v1/dossiers/{code}/result-files",
    operation_id = "add_result_file",
    tag = "dossiers",
    summary = "Issue a result as a file",
    description = "Specialist or leader. The upload (a completed one of the caller's) becomes \
        a result file of the dossier, downloadable as its attachment, and a document of the \
        applicant's store (`kind: result`). While the dossier is being decided, or once its \
        result is ready or returned.",
    params(
        ("code" = String, Path, description = crate::portal::openapi::text::DOSSIER_CODE),
        ("Idempotency-Key" = String, Header, pattern = "^(\"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$", description = crate::portal::openapi::text::IDEMPOTENCY_KEY),
    ),
    request_body = ResultFileRequest,
    responses(
        (status = 201, description = "The result file.", body = crate::api::documents::ResultFile),
        (status = 400, description = "`idempotency_key_missing`; `bad_request`: a malformed key or body.", body = ErrorBody),
        (status = 403, description = "`forbidden`: neither a specialist nor a leader.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such dossier at the office.", body = ErrorBody),
        (status = 409, description = "`request_in_progress`: the first request with this key still runs.", body = ErrorBody),
        (status = 422, description = "`validation_failed` (`doc_type` missing, a field too long); \
            `invalid_transition`: the dossier is not being decided nor has its result; \
            `idempotency_key_reused`; `upload_not_found`, `upload_incomplete`, `upload_already_attached`.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn result_file(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let what = "POST /dossiers/{code}/result-files";
    let office = session.office(&state, what).await?;
    session
        .require(&state, &[Role::Specialist, Role::Leader], what)
        .await?;
    let idem = Idempotent::claim(&state, &session, &headers, what, &body)?;
    let request: ResultFileRequest = parse_json(&body)?;
    let now = state.clock.now();
    let mut tx = db::write(&state.db).await?;
    if let Some(replay) = idem.replay(&mut tx).await? {
        return Ok(replay);
    }
    let row = match store::load(&mut *tx, office, &code).await {
        Err(ApiError::NotFound) => {
            // The write lock is released before the refusal is logged through the pool.
            drop(tx);
            audit_refused(
                &state,
                &session,
                &format!("POST /dossiers/{code}/result-files"),
            )
            .await;
            return Err(ApiError::NotFound);
        }
        other => other?,
    };
    let file = add_result_file(&mut tx, &state, &session, &row, &request, now).await?;
    let json = serde_json::to_value(&file).map_err(ApiError::internal)?;
    idem.store(&mut tx, state.clock.unix(), StatusCode::CREATED, &json)
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

async fn audit_refused(state: &AppState, session: &Session, what: &str) {
    crate::portal::audit::refused(state, session, what).await;
}
