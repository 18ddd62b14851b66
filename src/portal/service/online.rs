//! What a citizen does on the portal themselves, apart from HTTP: submit a dossier
//! online, list their own dossiers, and the public lookup by code and identity number.
//! The API's `/citizen/…` and `/public/…` routes and the citizen pages (`portal::web`)
//! both come here, so the rules have one home.

use crate::api::Page;
use crate::api::dossiers::{
    ApplicantRef, Channel, CitizenSubmission, CreateDossier, DossierSummary, PublicStatus,
    Relation, Submitter, SupplementRequest,
};
use crate::domain::Lang;
use crate::domain::calendar::LocalTime;
use crate::portal::auth::{Session, client_key};
use crate::portal::dossier_store::{COLUMNS, FROM, Row};
use crate::portal::error::{ApiError, invalid};
use crate::portal::service::intake::intake;
use crate::portal::state::AppState;
use sqlx::AnyConnection;
use std::net::SocketAddr;

/// Takes `citizen`'s (row id) online submission in, in the caller's write transaction:
/// the office by its code, a procedure offered online, the citizen as applicant and
/// submitter, then [`intake`]. The dossier starts `submitted`, waiting for the desk.
pub async fn submit(
    tx: &mut AnyConnection,
    state: &AppState,
    session: &Session,
    me: i64,
    request: CitizenSubmission,
    now: LocalTime,
) -> Result<Row, ApiError> {
    let office: i64 = sqlx::query_scalar("SELECT id FROM offices WHERE code = $1")
        .bind(request.office_code.trim().to_ascii_uppercase())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| {
            invalid(
                "office_code",
                format!(
                    "Không có cơ quan mã {}. Hãy chọn nơi nộp hồ sơ.",
                    request.office_code
                ),
                format!(
                    "There is no office {}. Choose where to submit.",
                    request.office_code
                ),
            )
        })?;
    let online_level: Option<String> =
        sqlx::query_scalar("SELECT online_level FROM procedures WHERE code = $1")
            .bind(&request.procedure_code)
            .fetch_optional(&mut *tx)
            .await?;
    if online_level.as_deref() == Some("none") {
        return Err(invalid(
            "procedure_code",
            "Thủ tục này chưa nộp trực tuyến được. Hãy nộp tại Bộ phận Một cửa.",
            "This procedure cannot be submitted online. Submit it at the one-stop desk.",
        ));
    }
    let (full_name, public_id): (String, String) =
        sqlx::query_as("SELECT full_name, public_id FROM citizens WHERE id = $1")
            .bind(me)
            .fetch_one(&mut *tx)
            .await?;
    let as_desk = CreateDossier {
        procedure_code: request.procedure_code,
        case_id: request.case_id,
        applicant: ApplicantRef::citizen(public_id),
        submitter: Submitter {
            full_name,
            id_number: Some(session.username.clone()),
            relation: Relation::Myself,
            authorization_doc: None,
        },
        documents: request.documents,
        delivery: request.delivery,
        declaration_accepted: request.declaration_accepted,
        note: request.note,
        pages: request.pages,
        copies: request.copies,
        code: None,
        received_at: None,
        printed_due_at: None,
    };
    intake(
        &mut *tx,
        state,
        session,
        office,
        me,
        &as_desk,
        Channel::Online,
        now,
        None,
    )
    .await
}

/// `citizen`'s (row id) own dossiers, newest first, at most `limit`.
pub async fn own(state: &AppState, me: i64, limit: u32) -> Result<Page<DossierSummary>, ApiError> {
    let now = state.clock.now();
    // Built from constants only; the values are bound.
    let sql = format!(
        "SELECT {COLUMNS} {FROM} WHERE d.applicant_id = $1 ORDER BY d.submitted_at DESC, d.code \
         LIMIT $2"
    );
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(me)
        .bind(i64::from(limit))
        .fetch_all(&state.db)
        .await?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM dossiers WHERE applicant_id = $1")
        .bind(me)
        .fetch_one(&state.db)
        .await?;
    Ok(Page {
        items: rows
            .iter()
            .map(|r| r.summary(now))
            .collect::<Result<_, _>>()?,
        next_cursor: None,
        total: total.max(0) as u64,
    })
}

/// Where dossier `code` stands, for whoever holds its receipt and the applicant's
/// identity number. Any mismatch is the same 404, so codes cannot be enumerated; misses
/// are counted per code and per client address (429 past the limits, even for the right
/// number).
pub async fn lookup(
    state: &AppState,
    addr: &SocketAddr,
    code: &str,
    id_number: Option<&str>,
    lang: Lang,
) -> Result<PublicStatus, ApiError> {
    let code = code.trim().to_ascii_uppercase();
    // A miss is counted before the lookup, with the check of the limits in one step, and
    // given back when the dossier is found.
    let (by_code, by_client) = (
        format!("lookup:{code}"),
        format!("lookup-{}", client_key(addr)),
    );
    let limits = [
        (by_code.as_str(), state.settings.max_lookup_misses_per_code),
        (
            by_client.as_str(),
            state.settings.max_lookup_misses_per_address,
        ),
    ];
    state
        .throttle
        .reserve(
            &limits,
            state.settings.throttle_window.as_secs() as i64,
            state.clock.unix(),
        )
        .await
        .map_err(|blocked| ApiError::TooManyRequests(blocked.wait))?;
    let id_number = id_number
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or(ApiError::NotFound)?;
    // Built from constants only; the values are bound.
    let sql = format!(
        "SELECT {COLUMNS} {FROM} JOIN citizens c ON c.id = d.applicant_id \
         WHERE d.code = $1 AND c.id_number = $2"
    );
    let row: Row = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&code)
        .bind(id_number)
        .fetch_optional(&state.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    state.throttle.release(&[&by_code, &by_client]).await;
    let status = row.status()?;
    let missing = match (&row.supplement, status) {
        (Some(json), crate::domain::status::Status::SupplementRequested) => {
            serde_json::from_str::<SupplementRequest>(json)
                .map(|s| s.missing_documents)
                .unwrap_or_default()
        }
        _ => Vec::new(),
    };
    Ok(PublicStatus {
        code: row.code.clone(),
        status,
        status_label: status.label(lang).to_owned(),
        office: row.office_name.clone(),
        procedure: row.procedure_name.clone(),
        due_at: row.due_at.clone(),
        missing_documents: missing,
    })
}
