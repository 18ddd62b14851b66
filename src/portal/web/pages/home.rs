//! Step 1 of the course, opening the portal: the catalog with its search (field, level
//! 3 or 4, words without regard to accents), a procedure's details, the public lookup by
//! code and identity number, and the language switch.

use super::{Card, Choice, given, level_choices, level_of};
use crate::api::limits::{Bound, Bounded};
use crate::domain::catalog::{OnlineLevel, Procedure};
use crate::domain::fees::Channel as FeeChannel;
use crate::portal::error::ApiError;
use crate::portal::service::{catalog, online};
use crate::portal::state::AppState;
use crate::portal::web::form;
use crate::portal::web::i18n::{self, Lang};
use crate::portal::web::layout::{Layout, OrPage, PageError, local_path, page, page_with, when};
use crate::portal::web::session::{LANG_COOKIE, Visitor, set_cookie};
use askama::Template;
use axum::body::Body;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

/// The catalog's search, as the form sends it.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct CatalogSearch {
    pub tu_khoa: Option<String>,
    pub linh_vuc: Option<String>,
    pub muc_do: Option<String>,
}

impl Bounded for CatalogSearch {
    const BOUNDS: &'static [Bound] = &[
        Bound::search("tu_khoa"),
        Bound::search("linh_vuc"),
        Bound::line("muc_do", crate::api::limits::CODE),
    ];
}

#[derive(Template)]
#[template(path = "home.html", config = "src/portal/web/askama.toml")]
struct Home {
    l: Layout,
    words: String,
    fields: Vec<Choice>,
    levels: Vec<Choice>,
    error: Option<String>,
    found: String,
    procedures: Vec<Card>,
}

/// The fields for a select, `chosen` selected.
pub async fn field_choices(
    state: &AppState,
    lang: Lang,
    chosen: Option<&str>,
) -> Result<Vec<Choice>, ApiError> {
    let mut choices = vec![Choice::new(
        "",
        i18n::tr(lang, "all_fields"),
        chosen.is_none(),
    )];
    for f in catalog::fields(&state.db).await? {
        let selected = chosen == Some(f.as_str());
        choices.push(Choice::new(f.clone(), f, selected));
    }
    Ok(choices)
}

/// `GET /`: the catalog.
pub async fn home(
    State(state): State<AppState>,
    v: Visitor,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let (search, error) = match form::query::<CatalogSearch>(raw.as_deref()) {
        Ok(s) => (s, None),
        Err(e) => (CatalogSearch::default(), Some(e.message(v.lang))),
    };
    let found = catalog::search(
        &state.db,
        given(&search.tu_khoa),
        given(&search.linh_vuc),
        level_of(search.muc_do.as_deref()),
    )
    .await
    .or_page(&v, "/")?;
    let l = Layout::new(&v, "home_title", "/");
    let home = Home {
        words: search.tu_khoa.clone().unwrap_or_default(),
        fields: field_choices(&state, v.lang, given(&search.linh_vuc))
            .await
            .or_page(&v, "/")?,
        levels: level_choices(v.lang, given(&search.muc_do), false),
        error,
        found: i18n::fill(v.lang, "found_n", &[("n", &found.len().to_string())]),
        procedures: found.iter().map(|p| Card::of(p, v.lang)).collect(),
        l,
    };
    Ok(page(&v, &home))
}

/// A document part as the procedure page lists it.
struct PartView {
    name: String,
    originals: u32,
    copies: u32,
    mandatory: bool,
    form: Option<String>,
}

struct CaseView {
    name: String,
    parts: Vec<PartView>,
    desk_duration: String,
    online_duration: String,
    desk_fee: String,
    online_fee: String,
}

#[derive(Template)]
#[template(path = "procedure.html", config = "src/portal/web/askama.toml")]
struct ProcedurePage {
    l: Layout,
    p: Procedure,
    level: &'static str,
    online: bool,
    delivery: Vec<&'static str>,
    cases: Vec<CaseView>,
}

/// `GET /thu-tuc/{code}`: one procedure: its cases, documents, durations, fees, service
/// level, and the button that starts an online submission of it.
pub async fn procedure(
    State(state): State<AppState>,
    v: Visitor,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let here = format!("/thu-tuc/{}", crate::portal::web::layout::encode(&code));
    let p = catalog::procedure(&state.db, &code)
        .await
        .and_then(|p| p.ok_or(ApiError::NotFound))
        .or_page(&v, "/")?;
    let lang = v.lang;
    let cases = p
        .cases
        .iter()
        .map(|c| CaseView {
            name: c.name.clone(),
            parts: c
                .documents
                .iter()
                .map(|d| PartView {
                    name: d.name.clone(),
                    originals: d.originals,
                    copies: d.copies,
                    mandatory: d.mandatory,
                    form: d.form_template.clone(),
                })
                .collect(),
            desk_duration: c.desk_duration.describe(lang),
            online_duration: c.online_duration.describe(lang),
            desk_fee: c.fees.rule(FeeChannel::Desk).describe(lang),
            online_fee: c.fees.rule(FeeChannel::Online).describe(lang),
        })
        .collect();
    let mut l = Layout::new(&v, "procedure_title", &here);
    l.title = p.name.clone();
    let view = ProcedurePage {
        level: p.online_level.label(lang),
        online: p.online_level != OnlineLevel::None,
        delivery: p.delivery.iter().map(|d| d.label(lang)).collect(),
        cases,
        p,
        l,
    };
    Ok(page(&v, &view))
}

/// The lookup, as the form sends it.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct LookupForm {
    pub csrf: Option<String>,
    pub ma_ho_so: Option<String>,
    pub so_dinh_danh: Option<String>,
}

impl Bounded for LookupForm {
    const BOUNDS: &'static [Bound] = &[
        Bound::line("csrf", crate::api::limits::CODE),
        Bound::line("ma_ho_so", crate::api::limits::CODE),
        Bound::line("so_dinh_danh", crate::api::limits::SHORT),
    ];
}

/// What the lookup found.
struct Found {
    code: String,
    status: String,
    office: String,
    procedure: String,
    due: Option<String>,
    missing: Vec<String>,
}

#[derive(Template)]
#[template(path = "lookup.html", config = "src/portal/web/askama.toml")]
struct LookupPage {
    l: Layout,
    code: String,
    number: String,
    error: Option<String>,
    found: Option<Found>,
}

/// `GET /tra-cuu`: the lookup form (`?ma=` fills in the code, as the receipt's QR code
/// may).
pub async fn lookup_form(v: Visitor, RawQuery(raw): RawQuery) -> Response {
    let code = raw
        .as_deref()
        .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "ma").map(|(_, v)| v))
        .filter(|c| c.chars().count() <= crate::api::limits::CODE)
        .filter(|c| !c.chars().any(char::is_control))
        .unwrap_or_default();
    let view = LookupPage {
        l: Layout::new(&v, "lookup_title", "/tra-cuu"),
        code,
        number: String::new(),
        error: None,
        found: None,
    };
    page(&v, &view)
}

/// `POST /tra-cuu`: the lookup, under the API's throttle of misses. A POST, so that an
/// identity number never sits in an address, a history or a log.
pub async fn lookup(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    v: Visitor,
    body: Body,
) -> Result<Response, PageError> {
    let bytes = form::body(body, form::FORM_LIMIT)
        .await
        .or_page(&v, "/tra-cuu")?;
    let parsed = form::parse::<LookupForm>(&bytes);
    let (code, number) = match &parsed {
        Ok(f) => (
            f.ma_ho_so.clone().unwrap_or_default(),
            f.so_dinh_danh.clone().unwrap_or_default(),
        ),
        Err(_) => (String::new(), String::new()),
    };
    let mut view = LookupPage {
        l: Layout::new(&v, "lookup_title", "/tra-cuu"),
        code: code.trim().to_owned(),
        number: number.trim().to_owned(),
        error: None,
        found: None,
    };
    let result = async {
        let f = parsed?;
        v.check_csrf(f.csrf.as_deref())?;
        if view.code.is_empty() || view.number.is_empty() {
            return Err(crate::portal::error::invalid(
                "ma_ho_so",
                "Hãy nhập cả mã hồ sơ (in trên giấy tiếp nhận) và số định danh của người nộp.",
                "Enter both the dossier code (printed on the receipt) and the applicant's identity number.",
            ));
        }
        online::lookup(&state, &addr, &view.code, Some(&view.number), v.lang).await
    }
    .await;
    let status = match result {
        Ok(s) => {
            view.found = Some(Found {
                code: s.code,
                status: s.status_label,
                office: s.office,
                procedure: s.procedure,
                due: s.due_at.as_deref().map(|d| when(d, v.lang)),
                missing: s.missing_documents,
            });
            StatusCode::OK
        }
        Err(ApiError::NotFound) => {
            view.error = Some(i18n::tr(v.lang, "lookup_not_found").to_owned());
            StatusCode::NOT_FOUND
        }
        Err(e) => {
            view.error = Some(e.message(v.lang));
            e.status()
        }
    };
    Ok(page_with(&v, status, &view))
}

/// `GET /ngon-ngu/{lang}?tiep=`: the language switch; back to the page it was on.
pub async fn switch_language(
    State(state): State<AppState>,
    Path(lang): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let next = raw
        .as_deref()
        .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "tiep").map(|(_, v)| v));
    let value = if lang == "en" { "en" } else { "vi" };
    let mut response = crate::portal::web::layout::see_other(&local_path(next.as_deref()));
    // Not HttpOnly-sensitive, but no script needs it either; a year.
    if let Some(cookie) = set_cookie(
        LANG_COOKIE,
        value,
        365 * 24 * 3600,
        state.settings.secure_cookies,
    ) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}
