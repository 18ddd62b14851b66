//! `GET /dossiers/{code}/forms/{form}`: a printable form of a dossier, as plain text or
//! as an A4 PDF.
//!
//! `Accept: application/pdf` gets the PDF; anything else (no `Accept`, `*/*`, `text/plain`,
//! a type this route does not make) gets the text, as it always has: the terminal's preview
//! asks for nothing in particular. The form is the one of the set in force on the day the
//! dossier was received (`Form-Set` names it). A form that does not apply to the dossier
//! (a refusal of a dossier never refused, a stop notice in the 2018 set) is 409
//! `form_not_applicable`; an unknown form, or another office's dossier, is 404.

use crate::api::error::{ErrorBody, ErrorCode};
use crate::api::headers::FORM_SET;
use crate::domain::catalog::{Duration, Procedure};
use crate::domain::forms::Form;
use crate::domain::status::Status;
use crate::domain::workflow::Role;
use crate::forms::{FormInput, Office, Sheet, Step, lookup_address, pdf, render, text};
use crate::portal::audit;
use crate::portal::auth::Session;
use crate::portal::dossier_store::{self as store, Row, wire};
use crate::portal::error::{ApiError, Problem};
use crate::portal::negotiate::negotiate;
use crate::portal::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sqlx::AnyConnection;

pub const TEXT: &str = "text/plain";
pub const PDF: &str = "application/pdf";

/// `GET /dossiers/{code}/forms/{form}` (staff of the dossier's office).
#[utoipa::path(
    get,
    path = "/api/v1/dossiers/{code}/forms/{form}",
    operation_id = "get_form",
    tag = "dossiers",
    summary = "A printable form",
    description = "The form in the set of the day the dossier was received: Circular \
        01/2018/TT-VPCP before 2025-09-15 (`receipt` Mẫu 01, `supplement` 02, `refusal` 03, \
        `apology` 04, `control_sheet` 05), Circular 03/2025/TT-VPCP from then on (the same and \
        `stop_notice` 05, `control_sheet` 06); `Form-Set` names it. `Accept: application/pdf` \
        gets an A4 PDF with embedded fonts (the receipt in two copies, each with a QR code of \
        the public lookup); anything else gets plain text.",
    params(
        ("code" = String, Path, description = crate::portal::openapi::text::DOSSIER_CODE),
        ("form" = crate::domain::forms::Form, Path, description = "Which form."),
    ),
    responses(
        (status = 200, description = "The form, in Vietnamese.",
            content(
                (String = "text/plain"),
                (crate::portal::openapi::FileBytes = "application/pdf"),
            ),
            headers(
                ("Form-Set" = crate::domain::forms::FormSet, description = "The circular whose forms these are: `03/2025/TT-VPCP` or `01/2018/TT-VPCP`."),
                ("Content-Disposition" = String, description = "`inline` with a file name."),
                ("Content-Language" = String, description = "`vi`."),
                ("Content-Security-Policy" = String, description = "`sandbox`."),
            )),
        (status = 403, description = "`forbidden`: not a staff user.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such dossier or form.", body = ErrorBody),
        (status = 409, description = "`form_not_applicable`: the form does not apply to the dossier (yet), or is not in its set.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn form(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path((code, form)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let what = "GET /dossiers/{code}/forms/{form}";
    let office = session.office(&state, what).await?;
    let form = Form::from_wire(&form).ok_or(ApiError::NotFound)?;
    let row = match store::load(&state.db, office, &code).await {
        Err(ApiError::NotFound) => {
            audit::refused(&state, &session, &format!("GET /dossiers/{code}/forms")).await;
            return Err(ApiError::NotFound);
        }
        other => other?,
    };
    let mut conn = state.db.acquire().await?;
    let dossier = store::full(&mut conn, &row, state.clock.now()).await?;
    let office = office_of(&mut conn, office).await?;
    let steps = steps(&mut conn, &row.code).await?;
    let duration = duration(&mut conn, &row).await?;
    drop(conn);
    let input = FormInput {
        dossier: &dossier,
        office: &office,
        steps: &steps,
        duration,
        calendar: &state.calendar,
        lookup: lookup(&state, &headers, &row.code),
        taken_offline: dossier.timeline.iter().any(|h| h.action == "taken_offline"),
    };
    // 409 rather than 422: the request is sound, the dossier is not there yet. The
    // refusal says which step must come first, in the official's language.
    let sheet = render(form, &input)
        .map_err(|why| ApiError::from(Problem::of(ErrorCode::FormNotApplicable, why)))?;
    let stem = format!("{}-mau-{}", row.code, sheet.number);
    if negotiate(&headers, &[TEXT, PDF]) == Some(PDF) {
        let bytes = render_pdf(sheet.clone()).await?;
        return Ok(printed(&sheet, PDF, &format!("{stem}.pdf"), bytes));
    }
    let body = text::text(&sheet).into_bytes();
    Ok(printed(
        &sheet,
        "text/plain; charset=utf-8",
        &format!("{stem}.txt"),
        body,
    ))
}

/// Lays a sheet out as PDF off the async workers: a long register takes seconds.
pub async fn render_pdf(sheet: Sheet) -> Result<Vec<u8>, ApiError> {
    tokio::task::spawn_blocking(move || pdf::pdf(&sheet))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)
}

/// Where the receipt's QR code points: the configured lookup, or this portal's own public
/// lookup at the host the request came to (when that is a well-formed host).
fn lookup(state: &AppState, headers: &HeaderMap, code: &str) -> Option<String> {
    if let Some(template) = state.settings.lookup_url.as_deref() {
        return Some(lookup_address(template, code));
    }
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let authority: axum::http::uri::Authority = host.parse().ok()?;
    Some(format!(
        "http://{authority}{}/public/dossiers/{code}",
        crate::api::BASE_PATH
    ))
}

/// A printed document's answer: its type, `Form-Set`, the language, a file name, and a
/// sandbox for a browser that shows it.
pub fn printed(sheet: &Sheet, kind: &'static str, filename: &str, body: Vec<u8>) -> Response {
    // File names are built from dossier codes and dates: ASCII letters, digits, dots and
    // dashes, safe in a header.
    let disposition = HeaderValue::from_str(&format!("inline; filename=\"{filename}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("inline"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
            (header::CONTENT_LANGUAGE, HeaderValue::from_static("vi")),
            (header::CONTENT_DISPOSITION, disposition),
            // Like an attachment: a browser runs nothing of it (`nosniff` is on every answer).
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("sandbox"),
            ),
            (
                HeaderName::from_static(FORM_SET),
                HeaderValue::from_static(sheet.set.circular()),
            ),
        ],
        body,
    )
        .into_response()
}

pub async fn office_of(conn: &mut AnyConnection, office: i64) -> Result<Office, ApiError> {
    let (name, address, phone): (String, String, String) =
        sqlx::query_as("SELECT name, address, phone FROM offices WHERE id = $1")
            .bind(office)
            .fetch_one(&mut *conn)
            .await?;
    Ok(Office {
        name,
        address,
        phone,
    })
}

#[derive(sqlx::FromRow)]
struct StepRow {
    at: String,
    username: Option<String>,
    full_name: Option<String>,
    role: Option<String>,
    event: String,
    detail: Option<String>,
    from_status: Option<String>,
    to_status: Option<String>,
    reason: Option<String>,
    due_before: Option<String>,
    due_after: Option<String>,
}

/// The dossier's steps from the audit log, with the officials' display names (the log
/// keeps only usernames; an account deleted since leaves the name empty).
async fn steps(conn: &mut AnyConnection, code: &str) -> Result<Vec<Step>, ApiError> {
    let rows: Vec<StepRow> = sqlx::query_as(
        "SELECT a.at, a.username, u.full_name, a.role, a.event, a.detail, a.from_status, \
                a.to_status, a.reason, a.due_before, a.due_after \
         FROM audit a LEFT JOIN users u ON u.username = a.username \
         WHERE a.dossier_code = $1 AND a.event IN ('dossier_created', 'transition') \
         ORDER BY a.id",
    )
    .bind(code)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Step {
                at: r.at,
                username: r.username,
                full_name: r.full_name,
                role: r.role.as_deref().and_then(Role::from_wire),
                action: if r.event == "transition" {
                    r.detail.unwrap_or_default()
                } else {
                    "created".into()
                },
                from: r.from_status.as_deref().map(wire::<Status>).transpose()?,
                to: r.to_status.as_deref().map(wire::<Status>).transpose()?,
                reason: r.reason,
                due_before: r.due_before,
                due_after: r.due_after,
            })
        })
        .collect()
}

/// The processing time of the dossier's case for its channel. A procedure gone from
/// the catalog is no reason to refuse a printout: the form then omits it.
async fn duration(conn: &mut AnyConnection, row: &Row) -> Result<Option<Duration>, ApiError> {
    let body: Option<String> = sqlx::query_scalar("SELECT body FROM procedures WHERE code = $1")
        .bind(&row.procedure_code)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(procedure) = body.and_then(|b| serde_json::from_str::<Procedure>(&b).ok()) else {
        return Ok(None);
    };
    Ok(procedure.case(&row.case_id).map(|case| {
        if row.channel == "online" {
            case.online_duration
        } else {
            case.desk_duration
        }
    }))
}
