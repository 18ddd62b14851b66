//! The citizen's own dossiers: the list with each one's status, one dossier with its
//! documents, history and fee (the VietQR code and the amount while it is unpaid), the
//! supplement the office asked for answered online, and the page of step 13 that says
//! the submission went through with the dossier's code.
//!
//! Only the citizen's own: a dossier of anyone else is 404, exactly like a code that
//! does not exist (`dossier_store::load_own`).

use super::files;
use crate::api::dossiers::{DocumentIn, Dossier, PaymentStatus, SupplementIn};
use crate::domain::Lang;
use crate::domain::fees::format_vnd;
use crate::domain::status::Status;
use crate::portal::dossier_store as store;
use crate::portal::error::{ApiError, invalid};
use crate::portal::routes::payments::payment_of;
use crate::portal::service::{online, supplements};
use crate::portal::state::AppState;
use crate::portal::web::i18n;
use crate::portal::web::layout::{
    Layout, OrPage, PageError, encode, page, page_with, see_other, when,
};
use crate::portal::web::pages::submit::login_first;
use crate::portal::web::qr;
use crate::portal::web::session::{Citizen, Visitor};
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

struct Item {
    code: String,
    procedure: String,
    status: &'static str,
    status_class: &'static str,
    submitted: String,
    due: Option<String>,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "mine.html", config = "src/portal/web/askama.toml")]
struct MinePage {
    l: Layout,
    items: Vec<Item>,
}

/// A status's CSS class: what needs the citizen stands out.
fn status_class(status: Status) -> &'static str {
    match status {
        Status::SupplementRequested | Status::AwaitingPayment => "act",
        Status::ResultReady | Status::Returned => "done",
        Status::Refused | Status::Withdrawn | Status::Stopped => "closed",
        _ => "",
    }
}

/// `GET /ho-so`: my dossiers.
pub async fn list(State(state): State<AppState>, v: Visitor) -> Result<Response, PageError> {
    let Some(me) = v.citizen.clone() else {
        return Ok(login_first("/ho-so"));
    };
    let page_of = online::own(&state, me.citizen_id, 200)
        .await
        .or_page(&v, "/")?;
    let items = page_of
        .items
        .into_iter()
        .map(|d| Item {
            status: d.status.label(v.lang),
            status_class: status_class(d.status),
            submitted: when(&d.submitted_at, v.lang),
            due: d.due_at.as_deref().map(|t| when(t, v.lang)),
            overdue: d.overdue,
            code: d.code,
            procedure: d.procedure_name,
        })
        .collect();
    let view = MinePage {
        l: Layout::new(&v, "mine_title", "/ho-so"),
        items,
    };
    Ok(page(&v, &view))
}

struct Doc {
    name: String,
    file: Option<String>,
    part_id: String,
}

struct Event {
    at: String,
    what: String,
}

struct Fee {
    amount: String,
    paid: bool,
    exempt: bool,
    qr: Option<String>,
    account: String,
    account_name: String,
    purpose: String,
}

#[derive(Template)]
#[template(path = "dossier.html", config = "src/portal/web/askama.toml")]
struct DossierPage {
    l: Layout,
    d: Dossier,
    status: &'static str,
    status_class: &'static str,
    submitted: String,
    received: Option<String>,
    due: Option<String>,
    delivery: &'static str,
    docs: Vec<Doc>,
    events: Vec<Event>,
    fee: Fee,
    supplement: Option<(String, Vec<String>)>,
    action: String,
    error: Option<String>,
    /// Step 13's page: the congratulation above the dossier.
    just_submitted: bool,
}

/// A timeline entry as the citizen reads it.
fn event_text(action: &str, to: Option<Status>, lang: Lang) -> String {
    match (action, to) {
        ("created", _) => i18n::tr(lang, "event_created").to_owned(),
        (_, Some(status)) => status.label(lang).to_owned(),
        (other, None) => other.to_owned(),
    }
}

async fn dossier_view(
    state: &AppState,
    v: &Visitor,
    me: &Citizen,
    code: &str,
    just_submitted: bool,
    message: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    // A success says what happened; anything else is an error.
    let (notice, error) = if status.is_success() {
        (message, None)
    } else {
        (None, message)
    };
    let here = format!("/ho-so/{}", encode(code));
    let now = state.clock.now();
    let mut conn = state.db.acquire().await.or_page(v, "/ho-so")?;
    let row = store::load_own(&mut *conn, me.citizen_id, code)
        .await
        .or_page(v, "/ho-so")?;
    let d = store::full(&mut conn, &row, now)
        .await
        .or_page(v, "/ho-so")?;
    let payment = payment_of(&mut conn, &row).await.or_page(v, "/ho-so")?;
    drop(conn);
    let lang = v.lang;
    let qr_title = i18n::fill(
        lang,
        "vietqr_title",
        &[("amount", &format_vnd(payment.amount, lang))],
    );
    let fee = Fee {
        amount: format_vnd(payment.amount, lang),
        paid: payment.status == PaymentStatus::Paid,
        exempt: payment.status == PaymentStatus::Exempt || payment.amount == 0,
        qr: payment
            .vietqr
            .as_deref()
            .and_then(|p| qr::svg(p, &qr_title)),
        account: payment.account.clone(),
        account_name: payment.account_name.clone(),
        purpose: payment.purpose.clone(),
    };
    let supplement = match (&d.supplement, d.status) {
        (Some(s), Status::SupplementRequested) => {
            Some((s.reason.clone(), s.missing_documents.clone()))
        }
        _ => None,
    };
    let mut l = Layout::new(
        v,
        if just_submitted {
            "submitted_title"
        } else {
            "dossier_title"
        },
        &here,
    );
    if just_submitted {
        l = l.with_step(13);
    } else {
        l.title = format!("{} · {}", d.code, l.title);
    }
    if supplement.is_some() {
        l = l.with_script();
    }
    l = l.with_notice(notice);
    let view = DossierPage {
        status: d.status.label(lang),
        status_class: status_class(d.status),
        submitted: when(&d.submitted_at, lang),
        received: d.received_at.as_deref().map(|t| when(t, lang)),
        due: d.due_at.as_deref().map(|t| when(t, lang)),
        delivery: d.delivery.method.label(lang),
        docs: d
            .documents
            .iter()
            .map(|doc| Doc {
                name: doc.name.clone(),
                file: doc.attachment.as_ref().map(|a| a.filename.clone()),
                part_id: doc.part_id.clone(),
            })
            .collect(),
        events: d
            .timeline
            .iter()
            .map(|e| Event {
                at: when(&e.at, lang),
                what: event_text(&e.action, e.to, lang),
            })
            .collect(),
        fee,
        supplement,
        action: format!("{here}/bo-sung"),
        error,
        just_submitted,
        l,
        d,
    };
    Ok(page_with(v, status, &view))
}

/// `GET /ho-so/{code}[?da_bo_sung=1]`: one of my dossiers (after a supplement, saying
/// it was sent).
pub async fn detail(
    State(state): State<AppState>,
    v: Visitor,
    Path(code): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let Some(me) = v.citizen.clone() else {
        return Ok(login_first(&format!("/ho-so/{}", encode(&code))));
    };
    let notice = (query.as_deref() == Some("da_bo_sung=1"))
        .then(|| i18n::tr(v.lang, "supplement_sent").to_owned());
    dossier_view(&state, &v, &me, &code, false, notice, StatusCode::OK).await
}

/// `GET /ho-so/{code}/da-nop`: step 13, "Chúc mừng bạn đã nộp hồ sơ thành công".
pub async fn submitted(
    State(state): State<AppState>,
    v: Visitor,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let Some(me) = v.citizen.clone() else {
        return Ok(login_first(&format!("/ho-so/{}/da-nop", encode(&code))));
    };
    dossier_view(&state, &v, &me, &code, true, None, StatusCode::OK).await
}

/// `POST /ho-so/{code}/bo-sung`: the supplement asked for, a file for each part to
/// replace (`tep_<part>`) and any other document (`tep_khac`), with a note; through the
/// API's own service (`supplements::receive`), against the version the page showed.
pub async fn supplement(
    State(state): State<AppState>,
    v: Visitor,
    Path(code): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let here = format!("/ho-so/{}", encode(&code));
    let Some(me) = v.citizen.clone() else {
        return Ok(login_first(&here));
    };
    // Another citizen's dossier is 404 before the form is read.
    store::load_own(&state.db, me.citizen_id, &code)
        .await
        .or_page(&v, "/ho-so")?;
    let result = async {
        let parts = files::read(&v, form).await?;
        let version: i64 = parts
            .text("phien_ban")
            .and_then(|t| t.trim().parse().ok())
            .ok_or_else(|| ApiError::BadRequest("the form has no version".into()))?;
        let note = parts.text("ghi_chu").map(str::to_owned);
        if note
            .as_ref()
            .is_some_and(|n| n.chars().count() > crate::api::limits::NOTE)
        {
            return Err(invalid(
                "ghi_chu",
                "Ghi chú dài quá 2.000 ký tự. Hãy rút gọn.",
                "The note is longer than 2,000 characters. Shorten it.",
            ));
        }
        let mut documents = Vec::new();
        for (name, received) in parts.files {
            let part_id = match name.strip_prefix("tep_") {
                Some("khac") => "bo_sung".to_owned(),
                Some(part) if !part.is_empty() && part.len() <= 64 => part.to_owned(),
                _ => continue,
            };
            let stored = files::store(&state, me.user_id, received).await?;
            documents.push(DocumentIn {
                part_id,
                originals: 1,
                copies: 0,
                upload_id: Some(stored.upload_id),
                stored_document_id: None,
            });
        }
        for (name, id) in &parts.texts {
            if let Some(part) = name.strip_prefix("ma_")
                && !id.trim().is_empty()
                && !documents.iter().any(|d: &DocumentIn| d.part_id == part)
            {
                let stored = files::finished(&state, me.user_id, id.trim()).await?;
                let part_id = if part == "khac" { "bo_sung" } else { part };
                documents.push(DocumentIn {
                    part_id: part_id.to_owned(),
                    originals: 1,
                    copies: 0,
                    upload_id: Some(stored.upload_id),
                    stored_document_id: None,
                });
            }
        }
        let request = SupplementIn { documents, note };
        supplements::receive(
            &state,
            &me.session(),
            me.citizen_id,
            &code,
            version,
            &request,
            state.clock.now(),
        )
        .await
    }
    .await;
    match result {
        Ok(_) => Ok(see_other(&format!("{here}?da_bo_sung=1"))),
        Err(e) => {
            let status = e.status();
            dossier_view(
                &state,
                &v,
                &me,
                &code,
                false,
                Some(e.message(v.lang)),
                status,
            )
            .await
        }
    }
}
