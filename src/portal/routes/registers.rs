//! `GET /registers/dossiers`: the office's register of dossiers (Sổ theo dõi hồ sơ) for a
//! period of received days, as PDF, CSV or XLSX.
//!
//! The format is `format=` when given, else the best of `Accept` (PDF when the caller
//! accepts anything); an `Accept` that names none of the three is 406 `not_acceptable`.
//! Any staff role of the office; the rows are the office's only. Every export is audited
//! (`register_exported`): it carries the names, addresses and telephone numbers of every
//! applicant of the period.

use crate::api::dossiers::Channel;
use crate::api::error::{ErrorBody, ErrorCode};
use crate::api::registers::{MAX_DAYS, RegisterFormat, RegisterQuery};
use crate::domain::calendar::Timeliness;
use crate::domain::catalog::Procedure;
use crate::domain::forms::FormSet;
use crate::domain::status::{Status, is_overdue};
use crate::forms::register::{Entry, NotReceived, Register};
use crate::portal::audit;
use crate::portal::auth::Session;
use crate::portal::dossier_store::{Snapshot, wire};
use crate::portal::error::{ApiError, Problem, invalid};
use crate::portal::json::check_query;
use crate::portal::negotiate::negotiate;
use crate::portal::routes::forms::{office_of, printed, render_pdf};
use crate::portal::service::leases;
use crate::portal::state::AppState;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{Days, NaiveDate};
use std::collections::HashMap;

/// `GET /registers/dossiers?from=&to=&format=` (any staff role of the office).
#[utoipa::path(
    get,
    path = "/api/v1/registers/dossiers",
    operation_id = "dossier_register",
    tag = "dossiers",
    summary = "The register of dossiers of a period",
    description = "Sổ theo dõi hồ sơ (Mẫu 06 of Circular 01/2018/TT-VPCP, Mẫu 07 of Circular \
        03/2025/TT-VPCP: the set in force on `to`, named by `Form-Set`): one row per dossier of \
        the office received from `from` to `to` (both included, at +07:00), in the order \
        received, with every column of the form and the period's totals; then, without TT, the \
        period's other numbers: dossiers submitted online and not received in it, and leased \
        numbers voided or still held, each with why in its note. As A4 landscape PDF, \
        CSV (UTF-8 with a byte order mark; the records only) or an Excel workbook (the register \
        and a sheet of totals): `format` when given, else by `Accept` (PDF for `*/*`).",
    params(RegisterQuery),
    responses(
        (status = 200, description = "The register.",
            content(
                (crate::portal::openapi::FileBytes = "application/pdf"),
                (String = "text/csv"),
                (crate::portal::openapi::FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ),
            headers(
                ("Form-Set" = crate::domain::forms::FormSet, description = "The circular whose register this is."),
                ("Content-Disposition" = String, description = "`inline` with a file name."),
                ("Content-Language" = String, description = "`vi`."),
                ("Content-Security-Policy" = String, description = "`sandbox`."),
            )),
        (status = 400, description = "`bad_request`: `from` or `to` missing, or `format` not one of the three.", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a staff user.", body = ErrorBody),
        (status = 406, description = "`not_acceptable`: `Accept` names none of the three types and there is no `format`.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: a date that is not `YYYY-MM-DD`, `from` after `to`, or more than 366 days.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn dossiers(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Query(query): Query<RegisterQuery>,
) -> Result<Response, ApiError> {
    let office = session.office(&state, "GET /registers/dossiers").await?;
    check_query(&query)?;
    let (from, to) = period(&query)?;
    let format = match query.format {
        Some(format) => format,
        None => {
            let offered = RegisterFormat::ALL.map(RegisterFormat::media_type);
            negotiate(&headers, &offered)
                .and_then(RegisterFormat::from_media_type)
                .ok_or_else(not_acceptable)?
        }
    };
    let now = state.clock.now();
    let mut conn = state.db.acquire().await?;
    let office_info = office_of(&mut conn, office).await?;
    let entries = entries(
        &mut conn,
        office,
        from,
        to,
        &office_info.name,
        &now.to_rfc3339(),
    )
    .await?;
    let set_aside = leases::set_aside(&mut conn, office, from, to, now).await?;
    let not_received = not_received(&mut conn, office, from, to).await?;
    drop(conn);
    let register = Register {
        office: &office_info,
        // The book in use at the end of the period.
        set: FormSet::for_received(to),
        from,
        to,
        entries,
        set_aside,
        not_received,
        made_at: now.to_rfc3339(),
    };
    let detail = format!(
        "{} {}..{} {} rows",
        format.as_str(),
        from,
        to,
        register.entries.len()
    );
    let sheet = register.sheet();
    let (body, content_type) = match format {
        RegisterFormat::Pdf => (render_pdf(sheet.clone()).await?, "application/pdf"),
        RegisterFormat::Csv => (
            register.csv().map_err(ApiError::internal)?,
            "text/csv; charset=utf-8",
        ),
        RegisterFormat::Xlsx => (
            register.xlsx().map_err(ApiError::internal)?,
            RegisterFormat::Xlsx.media_type(),
        ),
    };
    audit::record(
        &state.db,
        &state.clock,
        audit::Event::RegisterExported {
            session: &session,
            detail: &detail,
        },
    )
    .await?;
    let filename = format!("{}.{}", register.file_stem(), format.extension());
    Ok(printed(&sheet, content_type, &filename, body))
}

fn not_acceptable() -> ApiError {
    Problem::new(
        ErrorCode::NotAcceptable,
        "Sổ theo dõi hồ sơ chỉ xuất được dưới dạng PDF, CSV hoặc XLSX. Hãy chọn một trong ba \
         (tham số format=pdf, csv hoặc xlsx)."
            .into(),
        "The register is written as PDF, CSV or XLSX only. Ask for one of them (format=pdf, \
         csv or xlsx)."
            .into(),
    )
    .into()
}

/// The period asked for: two dates, in order, at most [`MAX_DAYS`] apart.
fn period(query: &RegisterQuery) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let date = |field: &'static str, text: &str| {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
            invalid(
                field,
                format!(
                    "Ngày phải viết dạng năm-tháng-ngày, ví dụ 2026-03-01, không phải '{text}'."
                ),
                format!("A date is written year-month-day, e.g. 2026-03-01, not '{text}'."),
            )
        })
    };
    let (from, to) = (date("from", &query.from), date("to", &query.to));
    let (from, to) = match (from, to) {
        (Ok(from), Ok(to)) => (from, to),
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    if from > to {
        return Err(invalid(
            "to",
            "Ngày cuối kỳ trước ngày đầu kỳ. Hãy đổi chỗ hai ngày.",
            "The last day comes before the first. Swap the two dates.",
        ));
    }
    // Both days count: 2026-01-01..2026-12-31 is 365 days.
    let days = (to - from).num_days() + 1;
    if days > MAX_DAYS {
        return Err(invalid(
            "to",
            format!(
                "Một sổ in tối đa {MAX_DAYS} ngày; kỳ này dài {days} ngày. Hãy chia thành nhiều kỳ."
            ),
            format!("A register covers at most {MAX_DAYS} days; this period has {days}. Split it."),
        ));
    }
    Ok((from, to))
}

#[derive(sqlx::FromRow)]
struct DossierRow {
    code: String,
    procedure_code: String,
    procedure_name: String,
    applicant_name: String,
    detail: String,
    channel: String,
    status: String,
    received_at: String,
    due_at: Option<String>,
    returned_at: Option<String>,
    timeliness: Option<String>,
}

#[derive(sqlx::FromRow)]
struct StepRow {
    dossier_code: String,
    event: String,
    action: Option<String>,
    to_status: Option<String>,
    at: String,
    reason: Option<String>,
    due_after: Option<String>,
}

/// The period's bounds as stored times compare: its first instant, and the first after it.
fn bounds(from: NaiveDate, to: NaiveDate) -> (String, String) {
    let start = format!("{}T00:00:00+07:00", from.format("%Y-%m-%d"));
    let end = to
        .checked_add_days(Days::new(1))
        .map(|d| format!("{}T00:00:00+07:00", d.format("%Y-%m-%d")))
        .unwrap_or_else(|| "9999".into());
    (start, end)
}

/// The office's dossiers numbered in the period (submitted in it) and not received in
/// it: online submissions not received, or received later. A dossier taken in at the
/// desk is received when it is submitted, so none is among them.
async fn not_received(
    conn: &mut sqlx::AnyConnection,
    office: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<NotReceived>, ApiError> {
    let (start, end) = bounds(from, to);
    let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT code, status, submitted_at, received_at FROM dossiers \
         WHERE office_id = $1 AND submitted_at >= $2 AND submitted_at < $3 \
           AND (received_at IS NULL OR received_at < $2 OR received_at >= $3) \
         ORDER BY code",
    )
    .bind(office)
    .bind(&start)
    .bind(&end)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(code, status, submitted_at, received_at)| {
            Ok(NotReceived {
                status: wire(&status)?,
                code,
                submitted_at,
                received_at,
            })
        })
        .collect()
}

/// The office's dossiers received from `from` to `to`, in the order received, with what
/// their audit rows say of them.
async fn entries(
    conn: &mut sqlx::AnyConnection,
    office: i64,
    from: NaiveDate,
    to: NaiveDate,
    office_name: &str,
    now: &str,
) -> Result<Vec<Entry>, ApiError> {
    // Stored times are RFC 3339 at +07:00, to the second: text order is time order.
    let (start, end) = bounds(from, to);
    let rows: Vec<DossierRow> = sqlx::query_as(
        "SELECT code, procedure_code, procedure_name, applicant_name, detail, channel, status, \
                received_at, due_at, returned_at, timeliness \
         FROM dossiers WHERE office_id = $1 AND received_at >= $2 AND received_at < $3 \
         ORDER BY received_at, id",
    )
    .bind(office)
    .bind(&start)
    .bind(&end)
    .fetch_all(&mut *conn)
    .await?;
    let steps: Vec<StepRow> = sqlx::query_as(
        "SELECT a.dossier_code, a.event, a.detail AS action, a.to_status, a.at, a.reason, \
                a.due_after \
         FROM dossiers d JOIN audit a ON a.dossier_code = d.code \
         WHERE d.office_id = $1 AND d.received_at >= $2 AND d.received_at < $3 \
           AND a.event IN ('dossier_created', 'transition') \
         ORDER BY a.id",
    )
    .bind(office)
    .bind(&start)
    .bind(&end)
    .fetch_all(&mut *conn)
    .await?;
    // Who decides: the office itself for the procedures of a ward or commune.
    let authorities: HashMap<String, String> =
        sqlx::query_as::<_, (String, String)>("SELECT code, body FROM procedures")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .filter_map(|(code, body)| {
                let p: Procedure = serde_json::from_str(&body).ok()?;
                Some((code, p.authority))
            })
            .collect();

    #[derive(Default)]
    struct Seen {
        appointment: Option<String>,
        forwarded_at: Option<String>,
        result_at: Option<String>,
        reason: Option<String>,
    }
    let mut seen: HashMap<String, Seen> = HashMap::new();
    for s in steps {
        let e = seen.entry(s.dossier_code).or_default();
        let received = s.to_status.as_deref() == Some(Status::Received.as_str());
        // The first reception gave the appointment the register records.
        if received && e.appointment.is_none() {
            e.appointment = s.due_after.clone();
        }
        if s.event != "transition" {
            continue;
        }
        match s.action.as_deref() {
            Some("forward") if e.forwarded_at.is_none() => e.forwarded_at = Some(s.at),
            Some("approve") if e.result_at.is_none() => e.result_at = Some(s.at),
            Some("refuse" | "withdraw" | "stop") => e.reason = s.reason,
            _ => {}
        }
    }

    rows.into_iter()
        .map(|r| {
            let snapshot: Snapshot = serde_json::from_str(&r.detail)
                .map_err(|e| ApiError::internal(format!("{}: {e}", r.code)))?;
            let applicant = snapshot.applicant;
            let status: Status = wire(&r.status)?;
            let channel: Channel = wire(&r.channel)?;
            let timeliness: Option<Timeliness> = r.timeliness.as_deref().map(wire).transpose()?;
            let s = seen.remove(&r.code).unwrap_or_default();
            let authority = match authorities.get(&r.procedure_code) {
                Some(a) if !a.to_lowercase().contains("cấp xã") => a.clone(),
                _ => office_name.to_owned(),
            };
            Ok(Entry {
                overdue: is_overdue(status, r.due_at.as_deref(), now),
                code: r.code,
                procedure: r.procedure_name,
                applicant: r.applicant_name,
                address: applicant.address,
                phone: applicant.phone,
                authority,
                channel,
                status,
                received_at: r.received_at,
                appointment: s.appointment,
                due_at: r.due_at,
                forwarded_at: s.forwarded_at,
                result_at: s.result_at,
                returned_at: r.returned_at,
                timeliness,
                reason: s.reason,
            })
        })
        .collect()
}
