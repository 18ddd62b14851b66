//! Step 10's files, and the supplement's: into the portal's upload store
//! (`service::uploads`), the one the API's resumable uploads use, with its limits (PDF,
//! JPEG or PNG, 20 MiB) and its checks (the SHA-256, the content's type).
//!
//! Without JavaScript a file comes as a plain multipart form, one per document part:
//! a cut link costs that one file, never the others. With the optional script
//! (`static/upload.js`) the browser sends the file by the API's resumable protocol
//! through `/tai-len` (declare, then chunks from the offset the server has; after a cut
//! it asks where the upload stands and goes on from there) and the form then names the
//! finished upload instead of carrying the bytes. Those routes take the page's cookie and
//! its form token in `X-CSRF-Token`; the chunk routes are the API's own handlers.

use crate::api::error::ErrorCode;
use crate::api::uploads::{CreateUpload, FileType, MAX_CHUNK_SIZE, MAX_UPLOAD_SIZE, UploadCreated};
use crate::portal::db;
use crate::portal::error::{ApiError, Problem};
use crate::portal::json::parse_json;
use crate::portal::routes::uploads::{append_for, progress_for};
use crate::portal::service::uploads::{self, Stop};
use crate::portal::state::AppState;
use crate::portal::web::draft::{self, DraftFile};
use crate::portal::web::layout::{OrPage, PageError, encode, see_other};
use crate::portal::web::pages::submit::{documents_after, load_for_files, login_first};
use crate::portal::web::session::Visitor;
use axum::body::{Body, Bytes};
use axum::extract::multipart::{Field, MultipartRejection};
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// The header that carries the page's form token on the script's requests.
const CSRF_HEADER: &str = "x-csrf-token";

/// The largest multipart body: a supplement may carry several files of 20 MiB.
pub const MULTIPART_LIMIT: usize = 64 * 1024 * 1024;

/// A field of a multipart form as text (a token, an id), at most 1 KiB.
async fn text(field: Field<'_>) -> Result<String, ApiError> {
    let bytes = field
        .bytes()
        .await
        .map_err(|e| ApiError::BadRequest(format!("the form broke off: {e}")))?;
    if bytes.len() > 1024 {
        return Err(ApiError::PayloadTooLarge);
    }
    String::from_utf8(bytes.to_vec()).map_err(|_| ApiError::BadRequest("not UTF-8".into()))
}

/// A file field: its name, type and bytes (at most [`MAX_UPLOAD_SIZE`]).
pub struct Received {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Reads a file field, refusing it past the upload store's limit as it arrives.
async fn file(mut field: Field<'_>) -> Result<Option<Received>, ApiError> {
    let filename = field.file_name().unwrap_or("").to_owned();
    let declared = field.content_type().unwrap_or("").to_owned();
    let mut bytes = Vec::new();
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|e| ApiError::BadRequest(format!("the file broke off: {e}")))?
    {
        if (bytes.len() + chunk.len()) as u64 > MAX_UPLOAD_SIZE {
            return Err(uploads::UploadProblem::FileTooLarge {
                size: (bytes.len() + chunk.len()) as u64,
            }
            .into());
        }
        bytes.extend_from_slice(&chunk);
    }
    if filename.is_empty() && bytes.is_empty() {
        // An empty file input: nothing chosen.
        return Ok(None);
    }
    // Some browsers say `application/octet-stream`: the name's extension then tells.
    let content_type = if FileType::from_mime(&declared).is_some() {
        declared
    } else {
        let lower = filename.to_ascii_lowercase();
        match lower.rsplit('.').next() {
            Some("pdf") => "application/pdf".to_owned(),
            Some("jpg" | "jpeg") => "image/jpeg".to_owned(),
            Some("png") => "image/png".to_owned(),
            _ => declared,
        }
    };
    Ok(Some(Received {
        filename,
        content_type,
        bytes,
    }))
}

/// Puts a whole file into the upload store as `user_id`'s: declared, written in chunks,
/// checked. Answers what the draft keeps of it.
pub async fn store(state: &AppState, user_id: i64, file: Received) -> Result<DraftFile, ApiError> {
    let size = file.bytes.len() as u64;
    let new = uploads::check_new(CreateUpload {
        filename: file.filename,
        size,
        sha256: hex::encode(Sha256::digest(&file.bytes)),
        content_type: file.content_type,
    })?;
    let mut tx = db::write(&state.db).await?;
    let declared = uploads::declare(&mut tx, state, user_id, &new).await?;
    let committed = tx.commit().await;
    let id = declared.id.clone();
    declared.settle(state, committed.is_ok()).await;
    committed?;
    let row = uploads::load(&state.db, &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut writing = state
        .upload_writers
        .try_take(&id)
        .ok_or_else(|| ApiError::internal("a new upload is being written by someone else"))?;
    let mut at = 0u64;
    for chunk in file.bytes.chunks(MAX_CHUNK_SIZE as usize) {
        let body = Body::from(Bytes::copy_from_slice(chunk));
        let (received, stop) = uploads::write_chunk(state, &row, at, body, &mut writing).await?;
        match stop {
            Stop::Ended => at = received,
            Stop::Refused(problem) => return Err(problem.into()),
            Stop::Failed(error) => return Err(error),
            Stop::Cut | Stop::Superseded => {
                return Err(ApiError::internal("a chunk in memory was cut"));
            }
        }
    }
    uploads::finish(state, &row).await?;
    Ok(DraftFile {
        upload_id: row.id,
        filename: row.filename,
        size,
    })
}

/// The user's finished upload `id`, sent by the script in place of the bytes.
pub async fn finished(state: &AppState, user_id: i64, id: &str) -> Result<DraftFile, ApiError> {
    let row = uploads::owned(state, user_id, id).await?;
    if !row.complete || row.dossier_id.is_some() {
        return Err(Problem::new(
            ErrorCode::UploadIncomplete,
            "Tệp chưa tải lên xong. Hãy chọn lại tệp và tải lên.".into(),
            "The file has not finished uploading. Choose it again and upload it.".into(),
        )
        .into());
    }
    Ok(DraftFile {
        size: row.size(),
        upload_id: row.id,
        filename: row.filename,
    })
}

/// What a multipart form of the pages holds: its token, files by field, texts by field.
#[derive(Default)]
pub struct Parts {
    pub csrf: Option<String>,
    pub files: Vec<(String, Received)>,
    pub texts: Vec<(String, String)>,
}

impl Parts {
    pub fn text(&self, name: &str) -> Option<&str> {
        self.texts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    }
}

/// Reads a multipart form. The form token must come first (the pages put it first), so
/// that no file of a forged form is read into memory.
pub async fn read(
    v: &Visitor,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Parts, ApiError> {
    let mut form = form.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let mut parts = Parts::default();
    let mut first = true;
    while let Some(field) = form.next_field().await.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        _ => ApiError::BadRequest(format!("the form broke off: {}", e.body_text())),
    })? {
        let name = field.name().unwrap_or("").to_owned();
        if first {
            first = false;
            if name != "csrf" {
                v.check_csrf(None)?;
            }
            let token = text(field).await?;
            v.check_csrf(Some(&token))?;
            parts.csrf = Some(token);
            continue;
        }
        if field.file_name().is_some() {
            if let Some(received) = file(field).await? {
                parts.files.push((name, received));
            }
        } else {
            let value = text(field).await?;
            if value
                .chars()
                .any(|c| crate::domain::text::forbidden_char(c, false))
            {
                return Err(crate::portal::error::invalid(
                    "form",
                    "Biểu mẫu có ký tự điều khiển. Hãy nhập lại.",
                    "The form carries a control character. Enter it again.",
                ));
            }
            parts.texts.push((name, value));
        }
    }
    if parts.csrf.is_none() {
        v.check_csrf(None)?;
    }
    Ok(parts)
}

/// `POST /nop-ho-so/{draft}/giay-to/{part}`: a file for one document part of the draft
/// (the bytes, or the id of what the script uploaded); back to step 10.
pub async fn attach_to_draft(
    State(state): State<AppState>,
    v: Visitor,
    Path((raw, part)): Path<(String, String)>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let here = format!("/nop-ho-so/{raw}/giay-to");
    let Some(me) = v.citizen.clone() else {
        return Ok(login_first(&here));
    };
    let (mut d, procedure) = match load_for_files(&state, &me, &raw).await.or_page(&v, &here)? {
        Ok(loaded) => loaded,
        Err(done) => return Ok(done),
    };
    let known = procedure
        .as_ref()
        .and_then(|p| p.case(d.case.as_deref()?))
        .is_some_and(|c| c.documents.iter().any(|p| p.id == part));
    if !known {
        return Err(ApiError::NotFound).or_page(&v, &here);
    }
    let result = async {
        let parts = read(&v, form).await?;
        let sent_id = parts.text("ma_tai_len").map(str::to_owned);
        match (sent_id, parts.files.into_iter().next()) {
            (Some(id), _) => finished(&state, me.user_id, &id).await,
            (None, Some((_, received))) => store(&state, me.user_id, received).await,
            (None, None) => Err(crate::portal::error::invalid(
                "tep",
                "Chưa chọn tệp. Hãy chọn tệp PDF, JPEG hoặc PNG rồi bấm «Tải lên».",
                "No file was chosen. Choose a PDF, JPEG or PNG file, then press \"Upload\".",
            )),
        }
    }
    .await;
    match result {
        Ok(file) => {
            d.files.insert(part.clone(), file);
            draft::save(&state, me.user_id, &raw, &d)
                .await
                .or_page(&v, &here)?;
            Ok(see_other(&format!("{here}#tp-{}", encode(&part))))
        }
        Err(e) => {
            let status = e.status();
            documents_after(&v, &raw, d, procedure, Some(e.message(v.lang)), status).await
        }
    }
}

/// The script's requests: a logged-in citizen whose page's token is in the header.
fn script_caller(v: &Visitor, headers: &HeaderMap) -> Result<i64, ApiError> {
    let citizen = v.citizen.as_ref().ok_or(ApiError::Unauthenticated)?;
    let sent = headers.get(CSRF_HEADER).and_then(|h| h.to_str().ok());
    v.check_csrf(sent)?;
    Ok(citizen.user_id)
}

/// `POST /tai-len`: the script declares a file (`POST /uploads` of the API, without an
/// idempotency key: a declaration repeated after a cut is one more upload, and the
/// unattached ones are discarded after a day).
pub async fn declare(
    State(state): State<AppState>,
    v: Visitor,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let user_id = script_caller(&v, &headers)?;
    let bytes = crate::portal::web::form::body(body, 16 * 1024).await?;
    let new = uploads::check_new(parse_json::<CreateUpload>(&bytes)?)?;
    let mut tx = db::write(&state.db).await?;
    let declared = uploads::declare(&mut tx, &state, user_id, &new).await?;
    let committed = tx.commit().await;
    let id = declared.id.clone();
    declared.settle(&state, committed.is_ok()).await;
    committed?;
    Ok((
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(UploadCreated { id, offset: 0 }),
    )
        .into_response())
}

/// `HEAD /tai-len/{id}`: where the upload stands (the API's `HEAD /uploads/{id}`).
pub async fn progress(
    State(state): State<AppState>,
    v: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let user_id = script_caller(&v, &headers)?;
    progress_for(&state, user_id, &id).await
}

/// `PATCH /tai-len/{id}`: a chunk (the API's `PATCH /uploads/{id}`).
pub async fn append(
    State(state): State<AppState>,
    v: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    let arrival = state.upload_writers.arrive();
    let user_id = script_caller(&v, &headers)?;
    append_for(arrival, state, user_id, &id, &headers, body).await
}
