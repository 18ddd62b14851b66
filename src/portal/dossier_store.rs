//! Reading dossiers: one row of `dossiers` into the wire types, scoped to an office.

use super::error::ApiError;
use super::service::documents::{PartDigitization, result_files};
use crate::api::dossiers::{
    Applicant, Attachment, Channel, Delivery, Document, Dossier, DossierSummary, Fee, HistoryEntry,
    NamedRef, PaymentStatus, ResultProposal, Submitter, SupplementRequest,
};
use crate::api::results::{Handover, Rating};
use crate::domain::calendar::{LocalTime, Timeliness};
use crate::domain::status::{Status, is_overdue};
use crate::domain::workflow::{Action, DeliveryMethod, DossierFacts, Verdict};
use crate::portal::db::Flag;
use chrono::DateTime;
use serde::{Deserialize, Serialize};
use sqlx::AnyExecutor;

/// The part of a dossier fixed at submission, kept as JSON in `dossiers.detail`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    pub applicant: Applicant,
    pub submitter: Submitter,
    pub case_name: String,
}

pub const COLUMNS: &str = "d.id, d.code, d.office_id, o.code AS office_code, o.name AS office_name, \
    d.procedure_code, d.procedure_name, d.case_id, d.applicant_id, d.applicant_name, d.channel, \
    d.status, d.version, d.submitted_at, d.received_at, d.due_at, d.extensions, \
    u.username AS assignee, d.fee_amount, d.payment_status, d.paid_at, d.payment_method, \
    d.receipt_no, d.delivery_method, d.delivery_address, d.note, d.detail, d.returned_at, \
    d.timeliness, d.supplement, d.result, d.result_summary, d.recipient, d.handover";

pub const FROM: &str = "FROM dossiers d JOIN offices o ON o.id = d.office_id \
    LEFT JOIN users u ON u.id = d.assignee_id";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub id: i64,
    pub code: String,
    pub office_id: i64,
    pub office_code: String,
    pub office_name: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub case_id: String,
    pub applicant_id: i64,
    pub applicant_name: String,
    pub channel: String,
    pub status: String,
    pub version: i64,
    pub submitted_at: String,
    pub received_at: Option<String>,
    pub due_at: Option<String>,
    pub extensions: i64,
    pub assignee: Option<String>,
    pub fee_amount: i64,
    pub payment_status: String,
    pub paid_at: Option<String>,
    pub payment_method: Option<String>,
    pub receipt_no: Option<String>,
    pub delivery_method: String,
    pub delivery_address: Option<String>,
    pub note: Option<String>,
    pub detail: String,
    pub returned_at: Option<String>,
    pub timeliness: Option<String>,
    pub supplement: Option<String>,
    pub result: Option<String>,
    pub result_summary: Option<String>,
    pub recipient: Option<String>,
    /// JSON of the handover, once returned.
    pub handover: Option<String>,
}

/// Parses a stored wire name (`"in_progress"`) into its enum.
pub fn wire<T: for<'de> Deserialize<'de>>(s: &str) -> Result<T, ApiError> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|e| ApiError::internal(format!("stored value '{s}': {e}")))
}

/// The wire name of an enum, for storing.
pub fn name_of<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub fn time(s: &Option<String>) -> Result<Option<LocalTime>, ApiError> {
    s.as_deref()
        .map(|t| DateTime::parse_from_rfc3339(t).map_err(ApiError::internal))
        .transpose()
}

impl Row {
    pub fn status(&self) -> Result<Status, ApiError> {
        wire(&self.status)
    }

    pub fn payment(&self) -> Result<PaymentStatus, ApiError> {
        wire(&self.payment_status)
    }

    pub fn facts(&self) -> Result<DossierFacts, ApiError> {
        Ok(DossierFacts {
            status: self.status()?,
            received_at: time(&self.received_at)?,
            due_at: time(&self.due_at)?,
            extensions: self.extensions.max(0) as u32,
            fee_settled: self.payment()? != PaymentStatus::Unpaid,
        })
    }

    pub fn overdue(&self, now: LocalTime) -> Result<bool, ApiError> {
        Ok(is_overdue(self.status()?, time(&self.due_at)?, now))
    }

    pub fn summary(&self, now: LocalTime) -> Result<DossierSummary, ApiError> {
        SummaryRow {
            code: self.code.clone(),
            status: self.status.clone(),
            channel: self.channel.clone(),
            applicant_name: self.applicant_name.clone(),
            procedure_code: self.procedure_code.clone(),
            procedure_name: self.procedure_name.clone(),
            submitted_at: self.submitted_at.clone(),
            received_at: self.received_at.clone(),
            due_at: self.due_at.clone(),
            payment_status: self.payment_status.clone(),
            version: self.version,
        }
        .summary(now)
    }
}

/// The columns of a list item, from `dossiers d` alone. A list reads these and no more:
/// sqlx copies every value it takes out of SQLite (an allocation and a free each, under
/// SQLite's memory mutex), and the whole row made an inbox page cost several times more.
pub const SUMMARY_COLUMNS: &str = "d.code, d.status, d.channel, d.applicant_name, \
    d.procedure_code, d.procedure_name, d.submitted_at, d.received_at, d.due_at, \
    d.payment_status, d.version";

/// What [`SUMMARY_COLUMNS`] reads.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SummaryRow {
    pub code: String,
    pub status: String,
    pub channel: String,
    pub applicant_name: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub submitted_at: String,
    pub received_at: Option<String>,
    pub due_at: Option<String>,
    pub payment_status: String,
    pub version: i64,
}

impl SummaryRow {
    pub fn summary(self, now: LocalTime) -> Result<DossierSummary, ApiError> {
        let status: Status = wire(&self.status)?;
        Ok(DossierSummary {
            overdue: is_overdue(status, time(&self.due_at)?, now),
            status,
            channel: wire(&self.channel)?,
            payment_status: wire(&self.payment_status)?,
            code: self.code,
            applicant_name: self.applicant_name,
            procedure_code: self.procedure_code,
            procedure_name: self.procedure_name,
            submitted_at: self.submitted_at,
            received_at: self.received_at,
            due_at: self.due_at,
            version: self.version,
        })
    }
}

/// One dossier of `office` by code; another office's dossier is "not found".
pub async fn load<'e>(db: impl AnyExecutor<'e>, office: i64, code: &str) -> Result<Row, ApiError> {
    // Built from constants only; the values are bound.
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE d.code = $1 AND d.office_id = $2");
    sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql))
        .bind(code)
        .bind(office)
        .fetch_optional(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// One dossier of a citizen (the applicant) by code; anyone else's is "not found".
pub async fn load_own<'e>(
    db: impl AnyExecutor<'e>,
    citizen: i64,
    code: &str,
) -> Result<Row, ApiError> {
    // Built from constants only; the values are bound.
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE d.code = $1 AND d.applicant_id = $2");
    sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql))
        .bind(code)
        .bind(citizen)
        .fetch_optional(db)
        .await?
        .ok_or(ApiError::NotFound)
}

#[derive(sqlx::FromRow)]
struct DocRow {
    part_id: String,
    name: String,
    originals: i64,
    copies: i64,
    on_paper: i64,
    upload_id: Option<String>,
    filename: Option<String>,
    content_type: Option<String>,
    size: Option<i64>,
    sha256: Option<String>,
    digitization: Option<String>,
    digitized_at: Option<String>,
    digitized_by: Option<String>,
    stored_id: Option<String>,
    doc_type: Option<String>,
    number: Option<String>,
    issued_on: Option<String>,
    issuer: Option<String>,
    valid_until: Option<String>,
}

#[derive(sqlx::FromRow)]
struct HistoryRow {
    at: String,
    username: Option<String>,
    role: Option<String>,
    event: String,
    detail: Option<String>,
    from_status: Option<String>,
    to_status: Option<String>,
    reason: Option<String>,
    data: Option<String>,
}

/// The timeline of a dossier, oldest first, from the audit log.
pub async fn history<'e>(
    db: impl AnyExecutor<'e>,
    code: &str,
) -> Result<Vec<HistoryEntry>, ApiError> {
    let rows: Vec<HistoryRow> = sqlx::query_as(
        "SELECT at, username, role, event, detail, from_status, to_status, reason, data FROM audit \
         WHERE dossier_code = $1 AND event IN ('dossier_created', 'transition', \
           'offline_intake_arrived') ORDER BY id",
    )
    .bind(code)
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|r| {
            let action = match r.event.as_str() {
                "transition" => r.detail.unwrap_or_default(),
                "offline_intake_arrived" => "taken_offline".into(),
                _ => "created".into(),
            };
            // Only a return carries a handover; other data is not the history's to show.
            let handover = match r.data.as_deref() {
                Some(json) if action == Action::ReturnResult.as_str() => {
                    Some(serde_json::from_str::<Handover>(json).map_err(ApiError::internal)?)
                }
                _ => None,
            };
            Ok(HistoryEntry {
                at: r.at,
                username: r.username,
                role: r.role,
                action,
                from: r.from_status.as_deref().map(wire).transpose()?,
                to: r.to_status.as_deref().map(wire).transpose()?,
                reason: r.reason,
                handover,
            })
        })
        .collect()
}

/// The whole dossier.
pub async fn full(
    db: &mut sqlx::AnyConnection,
    row: &Row,
    now: LocalTime,
) -> Result<Dossier, ApiError> {
    let snapshot: Snapshot = serde_json::from_str(&row.detail).map_err(ApiError::internal)?;
    // The parts in the order they were given.
    let order = crate::portal::db::Engine::of_connection(db).insertion_order();
    let docs: Vec<DocRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT dd.part_id, dd.name, dd.originals, dd.copies, dd.on_paper, dd.upload_id, \
                up.filename, up.content_type, up.size, up.sha256, dd.digitization, \
                dd.digitized_at, dd.digitized_by, sd.public_id AS stored_id, sd.doc_type, \
                sd.number, sd.issued_on, sd.issuer, sd.valid_until \
         FROM dossier_documents dd LEFT JOIN uploads up ON up.id = dd.upload_id \
         LEFT JOIN stored_documents sd ON sd.id = dd.stored_document_id \
         WHERE dd.dossier_id = $1 ORDER BY dd.{order}"
    )))
    .bind(row.id)
    .fetch_all(&mut *db)
    .await?;
    let documents = docs
        .into_iter()
        .map(|d| {
            let digitization = PartDigitization {
                kind: d.digitization.as_deref(),
                at: d.digitized_at.as_deref(),
                by: d.digitized_by.as_deref(),
                stored_id: d.stored_id.as_deref(),
                doc_type: d.doc_type.as_deref(),
                number: d.number.as_deref(),
                issued_on: d.issued_on.as_deref(),
                issuer: d.issuer.as_deref(),
                valid_until: d.valid_until.as_deref(),
            }
            .to_api()?;
            Ok(Document {
                digitization,
                attachment: match (d.upload_id, d.filename, d.content_type, d.size, d.sha256) {
                    (Some(id), Some(filename), Some(content_type), Some(size), Some(sha256)) => {
                        Some(Attachment {
                            id,
                            filename,
                            content_type,
                            size: size.max(0) as u64,
                            sha256,
                        })
                    }
                    _ => None,
                },
                part_id: d.part_id,
                name: d.name,
                originals: d.originals.max(0) as u32,
                copies: d.copies.max(0) as u32,
                on_paper: d.on_paper != 0,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let supplement: Option<SupplementRequest> = row
        .supplement
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(ApiError::internal)?;
    let proposal = match (&row.result, &row.result_summary) {
        (Some(result), Some(summary)) => Some(ResultProposal {
            result: wire::<Verdict>(result)?,
            summary: summary.clone(),
        }),
        _ => None,
    };
    Ok(Dossier {
        code: row.code.clone(),
        version: row.version,
        status: row.status()?,
        channel: wire::<Channel>(&row.channel)?,
        office: NamedRef {
            code: row.office_code.clone(),
            name: row.office_name.clone(),
        },
        procedure: NamedRef {
            code: row.procedure_code.clone(),
            name: row.procedure_name.clone(),
        },
        case: NamedRef {
            code: row.case_id.clone(),
            name: snapshot.case_name,
        },
        applicant: snapshot.applicant,
        submitter: snapshot.submitter,
        documents,
        fee: Fee {
            amount: row.fee_amount.max(0) as u64,
            status: row.payment()?,
            paid_at: row.paid_at.clone(),
            method: row.payment_method.clone(),
            receipt_no: row.receipt_no.clone(),
        },
        delivery: Delivery {
            method: wire::<DeliveryMethod>(&row.delivery_method)?,
            address: row.delivery_address.clone(),
        },
        submitted_at: row.submitted_at.clone(),
        received_at: row.received_at.clone(),
        due_at: row.due_at.clone(),
        overdue: row.overdue(now)?,
        extensions: row.extensions.max(0) as u32,
        assignee: row.assignee.clone(),
        supplement,
        proposal,
        returned_at: row.returned_at.clone(),
        recipient: row.recipient.clone(),
        timeliness: row
            .timeliness
            .as_deref()
            .map(wire::<Timeliness>)
            .transpose()?,
        note: row.note.clone(),
        handover: row
            .handover
            .as_deref()
            .map(serde_json::from_str::<Handover>)
            .transpose()
            .map_err(ApiError::internal)?,
        rating: rating(&mut *db, row.id).await?,
        timeline: history(&mut *db, &row.code).await?,
        result_files: result_files(db, &row.code, now.date_naive()).await?,
    })
}

#[derive(sqlx::FromRow)]
struct RatingRow {
    level: String,
    comment: Option<String>,
    channel: String,
    rated_at: String,
}

/// A dossier's rating, if it was rated.
pub async fn rating<'e>(
    db: impl AnyExecutor<'e>,
    dossier_id: i64,
) -> Result<Option<Rating>, ApiError> {
    let row: Option<RatingRow> = sqlx::query_as(
        "SELECT level, comment, channel, rated_at FROM ratings WHERE dossier_id = $1",
    )
    .bind(dossier_id)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(Rating {
            level: wire(&r.level)?,
            comment: r.comment,
            channel: wire(&r.channel)?,
            rated_at: r.rated_at,
        })
    })
    .transpose()
}

/// Records that a dossier changed, for the delta feed: the next number of the office's
/// own sequence (migration 0007), so that an office's cursor moves with its own dossiers
/// only. Forgets the office's changes beyond its newest `keep` (a client further behind
/// gets 410 and reloads).
pub async fn changed(
    db: &mut sqlx::AnyConnection,
    office: i64,
    code: &str,
    keep: i64,
) -> Result<(), ApiError> {
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO office_feed (office_id, seq) VALUES ($1, 1) \
         ON CONFLICT (office_id) DO UPDATE SET seq = office_feed.seq + 1 RETURNING seq",
    )
    .bind(office)
    .fetch_one(&mut *db)
    .await?;
    sqlx::query("INSERT INTO changes (office_id, dossier_code, office_seq) VALUES ($1, $2, $3)")
        .bind(office)
        .bind(code)
        .bind(seq)
        .execute(&mut *db)
        .await?;
    sqlx::query("DELETE FROM changes WHERE office_id = $1 AND office_seq <= $2")
        .bind(office)
        .bind(seq - keep)
        .execute(&mut *db)
        .await?;
    Ok(())
}

/// The newest number of an office's feed (0 before its first change).
pub async fn feed_newest(db: &sqlx::AnyPool, office: i64) -> Result<i64, ApiError> {
    let newest: Option<i64> =
        sqlx::query_scalar("SELECT seq FROM office_feed WHERE office_id = $1")
            .bind(office)
            .fetch_optional(db)
            .await?;
    Ok(newest.unwrap_or(0))
}

/// Whether a document part of the dossier `dossier_id` names the upload `upload_id` as
/// its file (a part reused from the citizen's store does, for a file attached elsewhere).
pub async fn names_file(
    db: &sqlx::AnyPool,
    dossier_id: i64,
    upload_id: &str,
) -> Result<bool, ApiError> {
    let named: Flag = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM dossier_documents WHERE dossier_id = $1 AND upload_id = $2)",
    )
    .bind(dossier_id)
    .bind(upload_id)
    .fetch_one(db)
    .await?;
    Ok(named.0)
}
