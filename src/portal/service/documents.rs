//! Digitization and the citizen's store (DOMAIN.md "Digitization"): a document part
//! scanned at the desk with its metadata, a stored document reused in a new dossier, a
//! result issued as a file, and the store as the desk reads it. Each change is written in
//! the caller's transaction with its audit row, so the dossier, the store and the log
//! agree.

use crate::api::documents::{
    Digitization, DigitizationKind, DigitizationRequest, ResultFile, ResultFileRequest,
    StoredDocument, StoredKind,
};
use crate::api::dossiers::{Attachment, Dossier};
use crate::api::error::ErrorCode;
use crate::api::training::AuditEvent;
use crate::domain::calendar::LocalTime;
use crate::domain::documents::{DocumentMeta, MetaInput, check_meta, is_expired_text};
use crate::domain::status::Status;
use crate::domain::text::nfc;
use crate::portal::audit::{self, Event};
use crate::portal::auth::Session;
use crate::portal::db;
use crate::portal::dossier_store::{self as store, Row, name_of, wire};
use crate::portal::error::{ApiError, Problem, invalid};
use crate::portal::service::citizens::new_public_id;
use crate::portal::service::uploads::claim_for_dossier;
use crate::portal::state::AppState;
use chrono::NaiveDate;
use sqlx::{AnyConnection, AnyExecutor};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The columns of [`StoredRow`], for `FROM stored_documents sd JOIN uploads up`.
const STORED_COLUMNS: &str = "sd.id, sd.public_id, sd.citizen_id, sd.kind, sd.doc_type, \
    sd.number, sd.issued_on, sd.issuer, sd.valid_until, sd.upload_id, sd.source_dossier, \
    sd.source_part, sd.created_at, sd.created_by, up.filename, up.content_type, up.size, up.sha256";

const STORED_FROM: &str = "FROM stored_documents sd JOIN uploads up ON up.id = sd.upload_id";

/// One stored document and its file.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredRow {
    pub id: i64,
    pub public_id: String,
    pub citizen_id: i64,
    pub kind: String,
    pub doc_type: String,
    pub number: Option<String>,
    pub issued_on: Option<String>,
    pub issuer: Option<String>,
    pub valid_until: Option<String>,
    pub upload_id: String,
    pub source_dossier: String,
    pub source_part: Option<String>,
    pub created_at: String,
    pub created_by: Option<String>,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

impl StoredRow {
    pub fn expired(&self, today: NaiveDate) -> bool {
        is_expired_text(self.valid_until.as_deref(), today)
    }

    pub fn to_api(&self, today: NaiveDate) -> Result<StoredDocument, ApiError> {
        Ok(StoredDocument {
            id: self.public_id.clone(),
            doc_type: self.doc_type.clone(),
            number: self.number.clone(),
            issued_on: self.issued_on.clone(),
            issuer: self.issuer.clone(),
            valid_until: self.valid_until.clone(),
            source_dossier: self.source_dossier.clone(),
            source_part: self.source_part.clone(),
            kind: wire::<StoredKind>(&self.kind)?,
            filename: self.filename.clone(),
            content_type: self.content_type.clone(),
            size: self.size.max(0) as u64,
            sha256: self.sha256.clone(),
            created_at: self.created_at.clone(),
            expired: self.expired(today),
        })
    }

    pub fn attachment(&self) -> Attachment {
        Attachment {
            id: self.upload_id.clone(),
            filename: self.filename.clone(),
            content_type: self.content_type.clone(),
            size: self.size.max(0) as u64,
            sha256: self.sha256.clone(),
        }
    }
}

/// A citizen's store, oldest first.
pub async fn store_of<'e>(
    db: impl AnyExecutor<'e>,
    citizen: i64,
) -> Result<Vec<StoredRow>, ApiError> {
    let sql =
        format!("SELECT {STORED_COLUMNS} {STORED_FROM} WHERE sd.citizen_id = $1 ORDER BY sd.id");
    // Built from constants only; the value is bound.
    Ok(sqlx::query_as::<_, StoredRow>(sqlx::AssertSqlSafe(sql))
        .bind(citizen)
        .fetch_all(db)
        .await?)
}

/// One stored document by its public id, whoever's it is (`None`: no such document).
pub async fn stored_by_public_id<'e>(
    db: impl AnyExecutor<'e>,
    public_id: &str,
) -> Result<Option<StoredRow>, ApiError> {
    let sql = format!("SELECT {STORED_COLUMNS} {STORED_FROM} WHERE sd.public_id = $1");
    // Built from constants only; the value is bound.
    Ok(sqlx::query_as::<_, StoredRow>(sqlx::AssertSqlSafe(sql))
        .bind(public_id.trim())
        .fetch_optional(db)
        .await?)
}

/// The result files of a dossier, oldest first.
pub async fn result_files<'e>(
    db: impl AnyExecutor<'e>,
    code: &str,
    today: NaiveDate,
) -> Result<Vec<ResultFile>, ApiError> {
    let sql = format!(
        "SELECT {STORED_COLUMNS} {STORED_FROM} \
         WHERE sd.source_dossier = $1 AND sd.kind = 'result' ORDER BY sd.id"
    );
    // Built from constants only; the value is bound.
    let rows = sqlx::query_as::<_, StoredRow>(sqlx::AssertSqlSafe(sql))
        .bind(code)
        .fetch_all(db)
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(ResultFile {
                attachment: r.attachment(),
                added_by: r.created_by.clone(),
                document: r.to_api(today)?,
            })
        })
        .collect()
}

/// A part's digitization as stored, joined with its stored document.
pub struct PartDigitization<'a> {
    pub kind: Option<&'a str>,
    pub at: Option<&'a str>,
    pub by: Option<&'a str>,
    pub stored_id: Option<&'a str>,
    pub doc_type: Option<&'a str>,
    pub number: Option<&'a str>,
    pub issued_on: Option<&'a str>,
    pub issuer: Option<&'a str>,
    pub valid_until: Option<&'a str>,
}

impl PartDigitization<'_> {
    /// The wire form; `None` for a part on paper only.
    pub fn to_api(&self) -> Result<Option<Digitization>, ApiError> {
        let (Some(kind), Some(stored), Some(doc_type)) = (self.kind, self.stored_id, self.doc_type)
        else {
            return Ok(None);
        };
        Ok(Some(Digitization {
            kind: wire::<DigitizationKind>(kind)?,
            stored_document_id: stored.to_owned(),
            doc_type: doc_type.to_owned(),
            number: self.number.map(str::to_owned),
            issued_on: self.issued_on.map(str::to_owned),
            issuer: self.issuer.map(str::to_owned),
            valid_until: self.valid_until.map(str::to_owned),
            at: self.at.unwrap_or_default().to_owned(),
            by: self.by.map(str::to_owned),
        }))
    }
}

/// Checks a request's metadata for `today`: every fault under its field (422).
pub fn checked_meta(
    doc_type: &str,
    number: Option<&str>,
    issued_on: Option<&str>,
    issuer: Option<&str>,
    valid_until: Option<&str>,
    today: NaiveDate,
) -> Result<DocumentMeta, ApiError> {
    let doc_type = nfc(doc_type);
    let number = number.map(nfc);
    let issuer = issuer.map(nfc);
    check_meta(
        &MetaInput {
            doc_type: &doc_type,
            number: number.as_deref(),
            issued_on,
            issuer: issuer.as_deref(),
            valid_until,
        },
        today,
    )
    .map_err(|faults| {
        ApiError::Validation(
            faults
                .into_iter()
                .map(|(field, e)| (field.wire().to_owned(), Arc::new(e) as _))
                .collect::<BTreeMap<_, _>>(),
        )
    })
}

fn iso(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

#[derive(sqlx::FromRow)]
struct PartRow {
    upload_id: Option<String>,
    stored_document_id: Option<i64>,
    digitization: Option<String>,
}

/// The answer when the version is stale: the dossier now, for the caller to redo.
async fn conflict(tx: &mut AnyConnection, row: &Row, now: LocalTime) -> ApiError {
    match store::full(tx, row, now).await {
        Ok(current) => match serde_json::to_value(current) {
            Ok(v) => ApiError::VersionConflict(Box::new(v)),
            Err(e) => ApiError::internal(e),
        },
        Err(e) => e,
    }
}

/// `PUT …/documents/{part_id}/digitization`: the part `part_id` of the office's dossier
/// `code`, at `expected` version, is scanned into the applicant's store with `request`'s
/// metadata. A part digitized before has its stored document corrected (and its scan
/// replaced when `upload_id` is given); a part reused from the store is refused. PUT
/// replaces, so the same request sent again after it took effect (a retry over a cut
/// link) answers the dossier as it is rather than 412.
#[allow(clippy::too_many_arguments)]
pub async fn digitize(
    state: &AppState,
    session: &Session,
    office: i64,
    code: &str,
    part_id: &str,
    expected: i64,
    request: &DigitizationRequest,
    now: LocalTime,
) -> Result<Dossier, ApiError> {
    let meta = checked_meta(
        &request.doc_type,
        request.number.as_deref(),
        request.issued_on.as_deref(),
        request.issuer.as_deref(),
        request.valid_until.as_deref(),
        now.date_naive(),
    )?;
    let mut tx = db::write(&state.db).await?;
    let row = match store::load(&mut *tx, office, code).await {
        Err(ApiError::NotFound) => {
            // The write lock is released before the refusal is logged through the pool.
            drop(tx);
            audit::refused(
                state,
                session,
                &format!("PUT /dossiers/{code}/documents/{part_id}/digitization"),
            )
            .await;
            return Err(ApiError::NotFound);
        }
        other => other?,
    };
    let part: PartRow = sqlx::query_as(
        "SELECT upload_id, stored_document_id, digitization FROM dossier_documents \
         WHERE dossier_id = $1 AND part_id = $2",
    )
    .bind(row.id)
    .bind(part_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(ApiError::NotFound)?;
    let stored = match part.stored_document_id {
        Some(id) => {
            let sql = format!("SELECT {STORED_COLUMNS} {STORED_FROM} WHERE sd.id = $1");
            // Built from constants only; the value is bound.
            sqlx::query_as::<_, StoredRow>(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
        }
        None => None,
    };
    if row.version != expected {
        // The same digitization already in place: a retry of a PUT that took effect.
        let same = part.digitization.as_deref() == Some("digitized")
            && stored.as_ref().is_some_and(|s| {
                s.doc_type == meta.doc_type
                    && s.number == meta.number
                    && s.issued_on == iso(meta.issued_on)
                    && s.issuer == meta.issuer
                    && s.valid_until == iso(meta.valid_until)
                    && request.upload_id.as_deref().is_none_or(|u| {
                        crate::portal::service::uploads::canonical_id(u).as_deref()
                            == Some(s.upload_id.as_str())
                    })
            });
        if same {
            let dossier = store::full(&mut tx, &row, now).await?;
            tx.commit().await?;
            return Ok(dossier);
        }
        return Err(conflict(&mut tx, &row, now).await);
    }
    if part.digitization.as_deref() == Some("reused") {
        return Err(invalid(
            "part_id",
            "Thành phần này đã dùng lại giấy tờ trong kho dữ liệu của công dân, không cần số hóa lại.",
            "This part reuses a document of the citizen's store: it needs no digitizing.",
        ));
    }
    let file = match &request.upload_id {
        Some(upload) => {
            claim_for_dossier(&mut tx, upload, session.user_id, row.id)
                .await?
                .id
        }
        None => part.upload_id.clone().ok_or_else(|| {
            invalid(
                "upload_id",
                "Thành phần này chưa có bản quét. Hãy quét hoặc chọn tệp bản quét rồi gửi lại.",
                "This part has no scan yet. Scan it or choose the scanned file, then send again.",
            )
        })?,
    };
    let existing = stored
        .as_ref()
        .filter(|_| part.digitization.is_some())
        .map(|s| s.id);
    record_digitized(
        &mut tx, state, session, &row, part_id, &file, &meta, existing, now,
    )
    .await?;
    let row = store::load(&mut *tx, office, code).await?;
    let dossier = store::full(&mut tx, &row, now).await?;
    tx.commit().await?;
    Ok(dossier)
}

/// Writes a part's digitization in the caller's transaction: the stored document (new,
/// or `existing` corrected) of the dossier's applicant with `file` and `meta`, the part
/// naming it, a new version of the dossier and the `document_digitized` audit row. The
/// route and the demo seed both digitize through here. Answers the stored document's
/// public id.
#[allow(clippy::too_many_arguments)]
pub async fn record_digitized(
    tx: &mut AnyConnection,
    state: &AppState,
    session: &Session,
    row: &Row,
    part_id: &str,
    file: &str,
    meta: &DocumentMeta,
    existing: Option<i64>,
    now: LocalTime,
) -> Result<String, ApiError> {
    let now_s = now.to_rfc3339();
    let stored_id = match existing {
        Some(id) => {
            sqlx::query(
                "UPDATE stored_documents SET doc_type = $1, number = $2, issued_on = $3, \
                 issuer = $4, valid_until = $5, upload_id = $6 WHERE id = $7",
            )
            .bind(&meta.doc_type)
            .bind(&meta.number)
            .bind(iso(meta.issued_on))
            .bind(&meta.issuer)
            .bind(iso(meta.valid_until))
            .bind(file)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            let public_id: String =
                sqlx::query_scalar("SELECT public_id FROM stored_documents WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
            (id, public_id)
        }
        None => {
            let public_id = new_public_id();
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO stored_documents (public_id, citizen_id, kind, doc_type, number, \
                 issued_on, issuer, valid_until, upload_id, source_dossier, source_part, \
                 created_at, created_by) \
                 VALUES ($1, $2, 'digitized', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                 RETURNING id",
            )
            .bind(&public_id)
            .bind(row.applicant_id)
            .bind(&meta.doc_type)
            .bind(&meta.number)
            .bind(iso(meta.issued_on))
            .bind(&meta.issuer)
            .bind(iso(meta.valid_until))
            .bind(file)
            .bind(&row.code)
            .bind(part_id)
            .bind(&now_s)
            .bind(&session.username)
            .fetch_one(&mut *tx)
            .await?;
            (id, public_id)
        }
    };
    sqlx::query(
        "UPDATE dossier_documents SET upload_id = $1, stored_document_id = $2, \
         digitization = 'digitized', digitized_at = $3, digitized_by = $4 \
         WHERE dossier_id = $5 AND part_id = $6",
    )
    .bind(file)
    .bind(stored_id.0)
    .bind(&now_s)
    .bind(&session.username)
    .bind(row.id)
    .bind(part_id)
    .execute(&mut *tx)
    .await?;
    bump(&mut *tx, state, row, &now_s).await?;
    audit::record_at(
        &mut *tx,
        now,
        Event::Document {
            session,
            event: AuditEvent::DocumentDigitized,
            code: &row.code,
            what: part_id,
            document: &stored_id.1,
        },
    )
    .await?;
    Ok(stored_id.1)
}

/// A new version of the dossier, fed to the offices' delta feed.
async fn bump(
    tx: &mut AnyConnection,
    state: &AppState,
    row: &Row,
    now_s: &str,
) -> Result<(), ApiError> {
    sqlx::query("UPDATE dossiers SET version = version + 1, updated_at = $1 WHERE id = $2")
        .bind(now_s)
        .bind(row.id)
        .execute(&mut *tx)
        .await?;
    store::changed(tx, row.office_id, &row.code, state.settings.changes_kept).await
}

/// A stored document taken for a document part of a new dossier of `applicant` (intake's
/// transaction): refused when it is not in the applicant's store (422
/// `document_not_owned`, also for an id that names nothing, so ids cannot be probed) or
/// past its validity (422 `document_expired`). Answers the stored document, whose file
/// the part then names.
pub async fn take_for_reuse(
    tx: &mut AnyConnection,
    applicant: i64,
    public_id: &str,
    field: &'static str,
    today: NaiveDate,
) -> Result<StoredRow, ApiError> {
    let found = stored_by_public_id(&mut *tx, public_id)
        .await?
        .filter(|s| s.citizen_id == applicant)
        .ok_or_else(|| {
            ApiError::from(
                Problem::new(
                    ErrorCode::DocumentNotOwned,
                    "Giấy tờ được chọn để dùng lại không có trong kho dữ liệu của người yêu cầu. Hãy chọn trong danh sách giấy tờ của chính công dân này, hoặc nhận bản giấy.".into(),
                    "The document chosen for reuse is not in the applicant's store. Choose one from this citizen's own documents, or take the paper.".into(),
                )
                .on(field),
            )
        })?;
    if found.expired(today) {
        let until = found.valid_until.clone().unwrap_or_default();
        return Err(Problem::new(
            ErrorCode::DocumentExpired,
            format!("Giấy tờ '{}' trong kho đã hết hạn ngày {until}. Hãy nhận bản giấy còn hạn và số hóa lại.", found.doc_type),
            format!("The stored document '{}' expired on {until}. Take a valid paper and digitize it again.", found.doc_type),
        )
        .on(field)
        .into());
    }
    Ok(found)
}

/// Records a reuse (intake's transaction): the row counted by `GET /stats` and the audit
/// row.
#[allow(clippy::too_many_arguments)]
pub async fn record_reuse(
    tx: &mut AnyConnection,
    session: &Session,
    office: i64,
    dossier_id: i64,
    code: &str,
    part_id: &str,
    stored: &StoredRow,
    now: LocalTime,
) -> Result<(), ApiError> {
    sqlx::query(
        "INSERT INTO document_reuses (stored_document_id, dossier_id, office_id, part_id, at, \
         user_id) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(stored.id)
    .bind(dossier_id)
    .bind(office)
    .bind(part_id)
    .bind(now.to_rfc3339())
    .bind(session.user_id)
    .execute(&mut *tx)
    .await?;
    audit::record_at(
        &mut *tx,
        now,
        Event::Document {
            session,
            event: AuditEvent::DocumentReused,
            code,
            what: part_id,
            document: &stored.public_id,
        },
    )
    .await?;
    Ok(())
}

/// The statuses in which a result can be issued as a file: while the dossier is being
/// decided, and once its result is ready or returned (a late scan of what was handed
/// over).
const RESULT_STATUSES: [Status; 5] = [
    Status::InProgress,
    Status::AwaitingApproval,
    Status::AwaitingPayment,
    Status::ResultReady,
    Status::Returned,
];

/// `POST /dossiers/{code}/result-files`, in the caller's transaction: the upload becomes
/// the dossier's result file and a document of the applicant's store.
pub async fn add_result_file(
    tx: &mut AnyConnection,
    state: &AppState,
    session: &Session,
    row: &Row,
    request: &ResultFileRequest,
    now: LocalTime,
) -> Result<ResultFile, ApiError> {
    let meta = checked_meta(
        &request.doc_type,
        request.number.as_deref(),
        None,
        None,
        None,
        now.date_naive(),
    )?;
    let status = row.status()?;
    if !RESULT_STATUSES.contains(&status) {
        return Err(Problem::new(
            ErrorCode::InvalidTransition,
            format!(
                "Hồ sơ đang ở trạng thái '{}': chỉ thêm được tệp kết quả khi hồ sơ đang giải quyết hoặc đã có kết quả.",
                status.label(crate::domain::Lang::Vi)
            ),
            format!(
                "The dossier is '{}': a result file can be added only while it is being decided or once its result is ready.",
                status.label(crate::domain::Lang::En)
            ),
        )
        .into());
    }
    let upload = claim_for_dossier(&mut *tx, &request.upload_id, session.user_id, row.id).await?;
    let now_s = now.to_rfc3339();
    let public_id = new_public_id();
    sqlx::query(
        "INSERT INTO stored_documents (public_id, citizen_id, kind, doc_type, number, \
         upload_id, source_dossier, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&public_id)
    .bind(row.applicant_id)
    .bind(name_of(&StoredKind::Result))
    .bind(&meta.doc_type)
    .bind(&meta.number)
    .bind(&upload.id)
    .bind(&row.code)
    .bind(&now_s)
    .bind(&session.username)
    .execute(&mut *tx)
    .await?;
    bump(&mut *tx, state, row, &now_s).await?;
    audit::record_at(
        &mut *tx,
        now,
        Event::Document {
            session,
            event: AuditEvent::ResultFileAdded,
            code: &row.code,
            what: &meta.doc_type,
            document: &public_id,
        },
    )
    .await?;
    let stored = stored_by_public_id(&mut *tx, &public_id)
        .await?
        .ok_or_else(|| ApiError::internal("a result file just stored"))?;
    Ok(ResultFile {
        attachment: stored.attachment(),
        added_by: stored.created_by.clone(),
        document: stored.to_api(now.date_naive())?,
    })
}
