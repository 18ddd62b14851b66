//! `GET /dossiers/{code}/forms/{form}`: a printable form of a dossier, as plain text.
//!
//! Always `text/plain; charset=utf-8`, whatever `Accept` asks for: docs/api.md allows
//! `application/pdf` "when supported", and this portal does not render PDF, so a client
//! asking for it gets the text (the status is 200, the `Content-Type` says what it is).
//! A form that does not apply to the dossier yet (a refusal of a dossier never refused)
//! is 409 `form_not_applicable`; an unknown form, or another office's dossier, is 404.

use crate::api::error::{ErrorBody, ErrorCode};
use crate::domain::catalog::{Duration, Procedure};
use crate::domain::forms::Form;
use crate::domain::status::Status;
use crate::domain::workflow::Role;
use crate::portal::audit;
use crate::portal::auth::Session;
use crate::portal::dossier_store::{self as store, Row, wire};
use crate::portal::error::{ApiError, Problem};
use crate::portal::forms::{FormInput, Office, Step, render};
use crate::portal::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sqlx::SqliteConnection;

/// `GET /dossiers/{code}/forms/{form}` (staff of the dossier's office).
#[utoipa::path(
    get,
    path = "/api/v1/dossiers/{code}/forms/{form}",
    operation_id = "get_form",
    tag = "dossiers",
    summary = "A printable form",
    description = "Circular 01/2018/TT-VPCP: `receipt` (Mẫu 01), `supplement` (02), `refusal` \
        (03), `apology` (04), `control_sheet` (05). Always plain text: this portal renders no \
        PDF, whatever `Accept` asks.",
    params(
        ("code" = String, Path, description = crate::portal::openapi::text::DOSSIER_CODE),
        ("form" = crate::domain::forms::Form, Path, description = "Which form."),
    ),
    responses(
        (status = 200, description = "The form, in Vietnamese.", body = String, content_type = "text/plain",
            headers(
                ("Content-Disposition" = String, description = "`inline` with a file name."),
                ("Content-Language" = String, description = "`vi`."),
                ("Content-Security-Policy" = String, description = "`sandbox`."),
            )),
        (status = 403, description = "`forbidden`: not a staff user.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such dossier or form.", body = ErrorBody),
        (status = 409, description = "`form_not_applicable`: the form does not apply to the dossier (yet).", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn form(
    State(state): State<AppState>,
    session: Session,
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
    let input = FormInput {
        dossier: &dossier,
        office: &office,
        steps: &steps,
        duration,
        calendar: &state.calendar,
    };
    // 409 rather than 422: the request is sound, the dossier is not there yet. The
    // refusal says which step must come first, in the official's language.
    match render(form, &input) {
        Ok(text) => Ok(text_response(&row.code, form, text)),
        Err(why) => Err(Problem::of(ErrorCode::FormNotApplicable, why).into()),
    }
}

fn text_response(code: &str, form: Form, text: String) -> Response {
    // Dossier codes are ASCII letters, digits, dots and dashes: safe in a header.
    let filename = format!("inline; filename=\"{code}-mau-{}.txt\"", form.number());
    let disposition =
        HeaderValue::from_str(&filename).unwrap_or_else(|_| HeaderValue::from_static("inline"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            ),
            (header::CONTENT_LANGUAGE, HeaderValue::from_static("vi")),
            (header::CONTENT_DISPOSITION, disposition),
            // Like an attachment: a browser runs nothing of it (`nosniff` is on every answer).
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("sandbox"),
            ),
        ],
        text,
    )
        .into_response()
}

async fn office_of(conn: &mut SqliteConnection, office: i64) -> Result<Office, ApiError> {
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
async fn steps(conn: &mut SqliteConnection, code: &str) -> Result<Vec<Step>, ApiError> {
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
async fn duration(conn: &mut SqliteConnection, row: &Row) -> Result<Option<Duration>, ApiError> {
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
