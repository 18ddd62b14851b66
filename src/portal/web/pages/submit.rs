//! Steps 4 to 13 of the course: the online submission. Each step is a page with a form
//! that works without JavaScript; each form saves the draft (`draft.rs`) and answers 303
//! to the next step, so going back, reloading or coming back tomorrow loses nothing and
//! sends nothing twice. Steps 5–8 share a page (office, field, level and words filter
//! the catalog; a procedure's case is chosen from the results), as on the national
//! portal. Step 12 checks the confirmation code and the declaration, then submits
//! through the API's own service (`service::online::submit`); step 13 is the dossier's
//! page with its code.

use super::{Choice, given, level_choices, level_of};
use crate::api::limits::{self, Bound, Bounded};
use crate::domain::Lang;
use crate::domain::catalog::{Case, OnlineLevel, Procedure};
use crate::domain::fees::{Channel as FeeChannel, FeeInput, FeeRule, format_vnd};
use crate::domain::workflow::DeliveryMethod;
use crate::portal::db;
use crate::portal::error::{ApiError, invalid};
use crate::portal::service::{catalog, online};
use crate::portal::state::AppState;
use crate::portal::web::captcha;
use crate::portal::web::draft::{self, Draft};
use crate::portal::web::form::{self, field_errors};
use crate::portal::web::i18n;
use crate::portal::web::layout::{
    Layout, OrPage, PageError, encode, page, page_with, see_other, when,
};
use crate::portal::web::session::{Citizen, Visitor};
use askama::Template;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// To the login page, coming back to `here` afterwards.
pub fn login_first(here: &str) -> Response {
    see_other(&format!("/dang-nhap?tiep={}", encode(here)))
}

/// The address of a step of draft `id`.
fn step_path(id: &str, step: &str) -> String {
    format!("/nop-ho-so/{id}/{step}")
}

/// A draft's id as these pages make them (32 hex digits); anything else is 404 before
/// the database is asked.
fn draft_id(raw: &str) -> Result<&str, ApiError> {
    (raw.len() == 32 && raw.bytes().all(|b| b.is_ascii_hexdigit()))
        .then_some(raw)
        .ok_or(ApiError::NotFound)
}

/// The draft, its procedure and case when chosen.
struct Loaded {
    draft: Draft,
    procedure: Option<Procedure>,
}

impl Loaded {
    fn case(&self) -> Option<&Case> {
        let p = self.procedure.as_ref()?;
        p.case(self.draft.case.as_deref()?)
    }
}

/// Loads `citizen`'s draft `raw`: 404 for anyone else's; the dossier's page once it was
/// submitted (`Err(Ok(redirect))`).
async fn load(
    state: &AppState,
    citizen: &Citizen,
    raw: &str,
) -> Result<Result<Loaded, Response>, ApiError> {
    let id = draft_id(raw)?;
    let stored = draft::load(state, citizen.user_id, id).await?;
    if let Some(code) = stored.dossier_code {
        return Ok(Err(see_other(&format!("/ho-so/{code}/da-nop"))));
    }
    let procedure = match &stored.draft.procedure {
        Some(code) => catalog::procedure(&state.db, code).await?,
        None => None,
    };
    Ok(Ok(Loaded {
        draft: stored.draft,
        procedure,
    }))
}

/// The first step of the draft that is not done yet, as (path segment, step number),
/// or `None` when every step up to the review is done.
fn first_undone(loaded: &Loaded) -> Option<(&'static str, u8)> {
    let d = &loaded.draft;
    let Some(case) = loaded.case().filter(|_| d.office.is_some()) else {
        return Some(("thu-tuc", 5));
    };
    if !d.applicant_agreed {
        return Some(("nguoi-nop", 9));
    }
    if case
        .documents
        .iter()
        .any(|p| p.mandatory && !d.files.contains_key(&p.id))
    {
        return Some(("giay-to", 10));
    }
    if d.delivery.is_none() {
        return Some(("nhan-ket-qua", 11));
    }
    None
}

/// When step `step` may not be shown yet, the redirect to the first undone one.
fn guard(id: &str, loaded: &Loaded, step: u8) -> Option<Response> {
    match first_undone(loaded) {
        Some((path, n)) if n < step => Some(see_other(&step_path(id, path))),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Step 4: "Nộp qua mạng"

struct OpenDraft {
    href: String,
    what: String,
    updated: String,
}

#[derive(Template)]
#[template(path = "start.html", config = "src/portal/web/askama.toml")]
struct StartPage {
    l: Layout,
    drafts: Vec<OpenDraft>,
}

/// `GET /nop-ho-so`: step 4, starting an online submission (or going on with a draft).
pub async fn start_page(State(state): State<AppState>, v: Visitor) -> Result<Response, PageError> {
    let Some(me) = v.citizen.clone() else {
        return Ok(login_first("/nop-ho-so"));
    };
    let mut drafts = Vec::new();
    for d in draft::open_drafts(&state, me.user_id)
        .await
        .or_page(&v, "/")?
    {
        let body: Draft = serde_json::from_str(&d.body).unwrap_or_default();
        let what = match &body.procedure {
            Some(code) => catalog::procedure(&state.db, code)
                .await
                .or_page(&v, "/")?
                .map(|p| p.name)
                .unwrap_or_else(|| code.clone()),
            None => i18n::tr(v.lang, "draft_unnamed").to_owned(),
        };
        drafts.push(OpenDraft {
            href: step_path(&d.id, "thu-tuc"),
            what,
            updated: when(&d.updated_at, v.lang),
        });
    }
    let view = StartPage {
        l: Layout::new(&v, "start_title", "/nop-ho-so").with_step(4),
        drafts,
    };
    Ok(page(&v, &view))
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct StartForm {
    pub csrf: Option<String>,
    pub thu_tuc: Option<String>,
}

impl Bounded for StartForm {
    const BOUNDS: &'static [Bound] = &[
        Bound::line("csrf", limits::CODE),
        Bound::line("thu_tuc", limits::CODE),
    ];
}

/// `POST /nop-ho-so`: a new draft (from a procedure's page: that procedure searched for).
pub async fn start(
    State(state): State<AppState>,
    v: Visitor,
    body: Body,
) -> Result<Response, PageError> {
    let Some(me) = v.citizen.clone() else {
        return Ok(login_first("/nop-ho-so"));
    };
    let bytes = form::body(body, form::FORM_LIMIT)
        .await
        .or_page(&v, "/nop-ho-so")?;
    let f = form::parse::<StartForm>(&bytes).or_page(&v, "/nop-ho-so")?;
    v.check_csrf(f.csrf.as_deref()).or_page(&v, "/nop-ho-so")?;
    let id = draft::create(&state, me.user_id, &Draft::default())
        .await
        .or_page(&v, "/nop-ho-so")?;
    let mut to = step_path(&id, "thu-tuc");
    if let Some(code) = given(&f.thu_tuc) {
        to.push_str(&format!("?tu_khoa={}", encode(code)));
    }
    Ok(see_other(&to))
}

// ---------------------------------------------------------------------------------------
// Steps 5–8: the office, the field, the level and words, the procedure

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ChooseQuery {
    pub co_quan: Option<String>,
    pub linh_vuc: Option<String>,
    pub muc_do: Option<String>,
    pub tu_khoa: Option<String>,
}

impl Bounded for ChooseQuery {
    const BOUNDS: &'static [Bound] = &[
        Bound::line("co_quan", limits::CODE),
        Bound::search("linh_vuc"),
        Bound::line("muc_do", limits::CODE),
        Bound::search("tu_khoa"),
    ];
}

struct CaseChoice {
    id: String,
    name: String,
    chosen: bool,
}

struct Result8 {
    code: String,
    name: String,
    level: &'static str,
    duration: String,
    fee: String,
    cases: Vec<CaseChoice>,
}

#[derive(Template)]
#[template(path = "choose.html", config = "src/portal/web/askama.toml")]
struct ChoosePage {
    l: Layout,
    action: String,
    offices: Vec<Choice>,
    office: String,
    fields: Vec<Choice>,
    levels: Vec<Choice>,
    words: String,
    searched: bool,
    found: String,
    results: Vec<Result8>,
    error: Option<String>,
}

/// `GET /nop-ho-so/{draft}/thu-tuc`: steps 5–8.
pub async fn choose_page(
    State(state): State<AppState>,
    v: Visitor,
    Path(raw): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let here = step_path(&raw, "thu-tuc");
    let Some(me) = v.citizen.clone() else {
        return Ok(login_first(&here));
    };
    let loaded = match load(&state, &me, &raw).await.or_page(&v, "/nop-ho-so")? {
        Ok(l) => l,
        Err(done) => return Ok(done),
    };
    choose_view(
        &state,
        &v,
        &raw,
        &loaded,
        query.as_deref(),
        None,
        StatusCode::OK,
    )
    .await
}

async fn choose_view(
    state: &AppState,
    v: &Visitor,
    id: &str,
    loaded: &Loaded,
    query: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let here = step_path(id, "thu-tuc");
    let (q, mut error) = match form::query::<ChooseQuery>(query) {
        Ok(q) => (q, error),
        Err(e) => (ChooseQuery::default(), Some(e.message(v.lang))),
    };
    let d = &loaded.draft;
    let office = given(&q.co_quan)
        .map(str::to_owned)
        .or_else(|| d.office.clone())
        .unwrap_or_default();
    let offices = catalog::offices(&state.db)
        .await
        .or_page(v, &here)?
        .into_iter()
        .map(|o| {
            let selected = o.code == office;
            Choice::new(o.code, format!("{} — {}", o.name, o.address), selected)
        })
        .collect();
    let searched = query.is_some_and(|q| !q.is_empty()) || d.procedure.is_some();
    let level = given(&q.muc_do);
    let mut results = Vec::new();
    if searched {
        let words = given(&q.tu_khoa).or(if query.is_none() {
            d.procedure.as_deref()
        } else {
            None
        });
        let found = catalog::search(&state.db, words, given(&q.linh_vuc), level_of(level))
            .await
            .or_page(v, &here)?;
        for p in found.iter().filter(|p| p.online_level != OnlineLevel::None) {
            results.push(Result8 {
                code: p.code.clone(),
                name: p.name.clone(),
                level: p.online_level.label(v.lang),
                duration: p
                    .cases
                    .first()
                    .map(|c| c.online_duration.describe(v.lang))
                    .unwrap_or_default(),
                fee: p
                    .cases
                    .first()
                    .map(|c| c.fees.rule(FeeChannel::Online).describe(v.lang))
                    .unwrap_or_default(),
                cases: p
                    .cases
                    .iter()
                    .map(|c| CaseChoice {
                        id: c.id.clone(),
                        name: c.name.clone(),
                        chosen: d.procedure.as_deref() == Some(p.code.as_str())
                            && d.case.as_deref() == Some(c.id.as_str()),
                    })
                    .collect(),
            });
        }
    }
    if searched && results.is_empty() && error.is_none() {
        error = Some(i18n::tr(v.lang, "nothing_found").to_owned());
    }
    let step = if searched { 8 } else { 5 };
    let view = ChoosePage {
        l: Layout::new(v, "choose_title", &here).with_step(step),
        action: here.clone(),
        offices,
        office,
        fields: super::home::field_choices(state, v.lang, given(&q.linh_vuc))
            .await
            .or_page(v, &here)?,
        levels: level_choices(v.lang, level, true),
        words: q.tu_khoa.clone().unwrap_or_default(),
        searched,
        found: i18n::fill(v.lang, "found_n", &[("n", &results.len().to_string())]),
        results,
        error,
    };
    Ok(page_with(v, status, &view))
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ChooseForm {
    pub csrf: Option<String>,
    pub co_quan: Option<String>,
    pub thu_tuc: Option<String>,
    pub truong_hop: Option<String>,
}

impl Bounded for ChooseForm {
    const BOUNDS: &'static [Bound] = &[
        Bound::line("csrf", limits::CODE),
        Bound::line("co_quan", limits::CODE),
        Bound::line("thu_tuc", limits::CODE),
        Bound::line("truong_hop", limits::CODE),
    ];
}

/// `POST /nop-ho-so/{draft}/thu-tuc`: the office, the procedure and its case chosen.
pub async fn choose(
    State(state): State<AppState>,
    v: Visitor,
    Path(raw): Path<String>,
    body: Body,
) -> Result<Response, PageError> {
    let here = step_path(&raw, "thu-tuc");
    let Some(me) = v.citizen.clone() else {
        return Ok(login_first(&here));
    };
    let mut loaded = match load(&state, &me, &raw).await.or_page(&v, "/nop-ho-so")? {
        Ok(l) => l,
        Err(done) => return Ok(done),
    };
    let bytes = form::body(body, form::FORM_LIMIT)
        .await
        .or_page(&v, &here)?;
    let f = form::parse::<ChooseForm>(&bytes).or_page(&v, &here)?;
    v.check_csrf(f.csrf.as_deref()).or_page(&v, &here)?;
    let checked = async {
        let office = given(&f.co_quan).ok_or_else(|| {
            invalid(
                "co_quan",
                "Chưa chọn cơ quan tiếp nhận (bước 5). Hãy chọn phường, xã nơi nộp hồ sơ rồi chọn lại thủ tục.",
                "No office is chosen (step 5). Choose the ward or commune to submit to, then choose the procedure again.",
            )
        })?;
        let known = catalog::offices(&state.db)
            .await?
            .into_iter()
            .any(|o| o.code == office);
        if !known {
            return Err(invalid(
                "co_quan",
                "Không có cơ quan này. Hãy chọn trong danh sách.",
                "There is no such office. Choose one from the list.",
            ));
        }
        let code = given(&f.thu_tuc).unwrap_or("");
        let p = catalog::procedure(&state.db, code)
            .await?
            .filter(|p| p.online_level != OnlineLevel::None)
            .ok_or_else(|| {
                invalid(
                    "thu_tuc",
                    "Thủ tục này không nộp trực tuyến được. Hãy chọn thủ tục mức độ 3 hoặc 4, hoặc nộp tại Bộ phận Một cửa.",
                    "This procedure cannot be submitted online. Choose a level 3 or 4 procedure, or submit it at the one-stop desk.",
                )
            })?;
        let case = given(&f.truong_hop)
            .and_then(|c| p.case(c))
            .ok_or_else(|| {
                invalid(
                    "truong_hop",
                    "Chưa chọn trường hợp của thủ tục. Hãy bấm nút của đúng trường hợp.",
                    "No case of the procedure is chosen. Press the button of the right case.",
                )
            })?;
        Ok::<_, ApiError>((office.to_owned(), p.code.clone(), case.id.clone()))
    }
    .await;
    match checked {
        Ok((office, procedure, case)) => {
            let d = &mut loaded.draft;
            // Another procedure or case asks for other documents: those attached go.
            if d.procedure.as_deref() != Some(&procedure) || d.case.as_deref() != Some(&case) {
                d.files.clear();
                d.pages = None;
                d.copies = None;
                d.delivery = None;
                d.applicant_agreed = false;
            }
            d.office = Some(office);
            d.procedure = Some(procedure);
            d.case = Some(case);
            draft::save(&state, me.user_id, &raw, d)
                .await
                .or_page(&v, &here)?;
            Ok(see_other(&step_path(&raw, "nguoi-nop")))
        }
        Err(e) => {
            let query = serde_urlencoded::to_string([("co_quan", f.co_quan.unwrap_or_default())])
                .unwrap_or_default();
            choose_view(
                &state,
                &v,
                &raw,
                &loaded,
                Some(&query),
                Some(e.message(v.lang)),
                e.status(),
            )
            .await
        }
    }
}

// ---------------------------------------------------------------------------------------
// Step 9: the applicant, "Đồng ý và tiếp tục"

#[derive(sqlx::FromRow)]
struct ApplicantRow {
    full_name: String,
    id_number: String,
    date_of_birth: String,
    gender: String,
    phone: String,
    email: Option<String>,
    address: String,
}

#[derive(Template)]
#[template(path = "applicant.html", config = "src/portal/web/askama.toml")]
struct ApplicantPage {
    l: Layout,
    action: String,
    procedure: String,
    case: String,
    a: ApplicantRow,
    gender: &'static str,
    per_page: bool,
    pages: String,
    copies: String,
    note: String,
    agreed: bool,
    fields: BTreeMap<String, String>,
}

impl ApplicantPage {
    fn field(&self, name: &str) -> Option<&String> {
        self.fields.get(name)
    }
}

async fn applicant_row(state: &AppState, citizen: &Citizen) -> Result<ApplicantRow, ApiError> {
    Ok(sqlx::query_as(
        "SELECT full_name, id_number, date_of_birth, gender, phone, email, address \
         FROM citizens WHERE id = $1",
    )
    .bind(citizen.citizen_id)
    .fetch_one(&state.db)
    .await?)
}

fn per_page(case: &Case) -> bool {
    matches!(case.fees.rule(FeeChannel::Online), FeeRule::PerPage { .. })
}

async fn applicant_view(
    state: &AppState,
    v: &Visitor,
    me: &Citizen,
    id: &str,
    loaded: &Loaded,
    fields: BTreeMap<String, String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let here = step_path(id, "nguoi-nop");
    let a = applicant_row(state, me).await.or_page(v, &here)?;
    let d = &loaded.draft;
    let view = ApplicantPage {
        l: Layout::new(v, "applicant_title", &here).with_step(9),
        action: here.clone(),
        procedure: loaded
            .procedure
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        case: loaded.case().map(|c| c.name.clone()).unwrap_or_default(),
        gender: i18n::tr(
            v.lang,
            if a.gender == "female" {
                "female"
            } else {
                "male"
            },
        ),
        a,
        per_page: loaded.case().is_some_and(per_page),
        pages: d.pages.map(|n| n.to_string()).unwrap_or_default(),
        copies: d
            .copies
            .map(|n| n.to_string())
            .unwrap_or_else(|| "1".into()),
        note: d.note.clone().unwrap_or_default(),
        agreed: d.applicant_agreed,
        fields,
    };
    Ok(page_with(v, status, &view))
}

/// `GET /nop-ho-so/{draft}/nguoi-nop`: step 9.
pub async fn applicant_page(
    State(state): State<AppState>,
    v: Visitor,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let here = step_path(&raw, "nguoi-nop");
    let Some(me) = v.citizen.clone() else {
        return Ok(login_first(&here));
    };
    let loaded = match load(&state, &me, &raw).await.or_page(&v, "/nop-ho-so")? {
        Ok(l) => l,
        Err(done) => return Ok(done),
    };
    if let Some(back) = guard(&raw, &loaded, 9) {
        return Ok(back);
    }
    applicant_view(
        &state,
        &v,
        &me,
        &raw,
        &loaded,
        BTreeMap::new(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ApplicantForm {
    pub csrf: Option<String>,
    pub xac_nhan: Option<String>,
    pub ghi_chu: Option<String>,
    pub so_trang: Option<String>,
    pub so_ban: Option<String>,
}

impl Bounded for ApplicantForm {
    const BOUNDS: &'static [Bound] = &[
        Bound::line("csrf", limits::CODE),
        Bound::line("xac_nhan", limits::CODE),
        Bound::lines("ghi_chu", limits::NOTE),
        Bound::line("so_trang", limits::SHORT),
        Bound::line("so_ban", limits::SHORT),
    ];
}

/// A count typed in a form: 1 to 10,000.
fn count(value: &Option<String>) -> Option<u32> {
    given(value)
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|n| (1..=10_000).contains(n))
}

/// `POST /nop-ho-so/{draft}/nguoi-nop`: "Đồng ý và tiếp tục".
pub async fn applicant(
    State(state): State<AppState>,
    v: Visitor,
    Path(raw): Path<String>,
    body: Body,
) -> Result<Response, PageError> {
    let here = step_path(&raw, "nguoi-nop");
    let Some(me) = v.citizen.clone() else {
        return Ok(login_first(&here));
    };
    let mut loaded = match load(&state, &me, &raw).await.or_page(&v, "/nop-ho-so")? {
        Ok(l) => l,
        Err(done) => return Ok(done),
    };
    if let Some(back) = guard(&raw, &loaded, 9) {
        return Ok(back);
    }
    let bytes = form::body(body, form::FORM_LIMIT)
        .await
        .or_page(&v, &here)?;
    let f = match form::parse::<ApplicantForm>(&bytes) {
        Ok(f) => f,
        Err(e) => {
            let fields = field_errors(&e, v.lang);
            let status = e.status();
            return applicant_view(&state, &v, &me, &raw, &loaded, fields, status).await;
        }
    };
    v.check_csrf(f.csrf.as_deref()).or_page(&v, &here)?;
    let mut fields = BTreeMap::new();
    if f.xac_nhan.as_deref() != Some("1") {
        fields.insert(
            "xac_nhan".to_owned(),
            i18n::tr(v.lang, "applicant_confirm_missing").to_owned(),
        );
    }
    let per_page = loaded.case().is_some_and(per_page);
    let (pages, copies) = (count(&f.so_trang), count(&f.so_ban));
    if per_page && pages.is_none() {
        fields.insert(
            "so_trang".to_owned(),
            i18n::tr(v.lang, "pages_missing").to_owned(),
        );
    }
    if per_page && copies.is_none() {
        fields.insert(
            "so_ban".to_owned(),
            i18n::tr(v.lang, "copies_missing").to_owned(),
        );
    }
    let d = &mut loaded.draft;
    d.note = given(&f.ghi_chu).map(str::to_owned);
    if per_page {
        d.pages = pages;
        d.copies = copies;
    }
    if !fields.is_empty() {
        return applicant_view(
            &state,
            &v,
            &me,
            &raw,
            &loaded,
            fields,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    d.applicant_agreed = true;
    draft::save(&state, me.user_id, &raw, d)
        .await
        .or_page(&v, &here)?;
    Ok(see_other(&step_path(&raw, "giay-to")))
}

// ---------------------------------------------------------------------------------------
// Step 10: the documents

struct PartRow {
    id: String,
    name: String,
    mandatory: bool,
    form: Option<String>,
    file: Option<String>,
    action: String,
}

#[derive(Template)]
#[template(path = "documents.html", config = "src/portal/web/askama.toml")]
struct DocumentsPage {
    l: Layout,
    action: String,
    parts: Vec<PartRow>,
    error: Option<String>,
}

/// A file's size as a person reads it.
pub fn size_text(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

async fn documents_view(
    v: &Visitor,
    id: &str,
    loaded: &Loaded,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let here = step_path(id, "giay-to");
    let parts = loaded
        .case()
        .map(|c| {
            c.documents
                .iter()
                .map(|p| PartRow {
                    id: p.id.clone(),
                    name: p.name.clone(),
                    mandatory: p.mandatory,
                    form: p.form_template.clone(),
                    file: loaded
                        .draft
                        .files
                        .get(&p.id)
                        .map(|f| format!("{} ({})", f.filename, size_text(f.size))),
                    action: format!("{here}/{}", encode(&p.id)),
                })
                .collect()
        })
        .unwrap_or_default();
    let view = DocumentsPage {
        l: Layout::new(v, "documents_title", &here)
            .with_step(10)
            .with_script(),
        action: here.clone(),
        parts,
        error,
    };
    Ok(page_with(v, status, &view))
}

/// `GET /nop-ho-so/{draft}/giay-to`: step 10, one upload form per document part.
pub async fn documents_page(
    State(state): State<AppState>,
    v: Visitor,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let here = step_path(&raw, "giay-to");
    let Some(me) = v.citizen.clone() else {
        return Ok(login_first(&here));
    };
    let loaded = match load(&state, &me, &raw).await.or_page(&v, "/nop-ho-so")? {
        Ok(l) => l,
        Err(done) => return Ok(done),
    };
    if let Some(back) = guard(&raw, &loaded, 10) {
        return Ok(back);
    }
    documents_view(&v, &raw, &loaded, None, StatusCode::OK).await
}

/// Loads a draft for the attachment handler (`files.rs`).
pub(crate) async fn load_for_files(
    state: &AppState,
    me: &Citizen,
    raw: &str,
) -> Result<Result<(Draft, Option<Procedure>), Response>, ApiError> {
    Ok(load(state, me, raw).await?.map(|l| (l.draft, l.procedure)))
}

/// The view of step 10 after an attachment (`files.rs`), with its error if any.
pub(crate) async fn documents_after(
    v: &Visitor,
    raw: &str,
    draft: Draft,
    procedure: Option<Procedure>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let loaded = Loaded { draft, procedure };
    documents_view(v, raw, &loaded, error, status).await
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct CsrfForm {
    pub csrf: Option<String>,
}

impl Bounded for CsrfForm {
    const BOUNDS: &'static [Bound] = &[Bound::line("csrf", limits::CODE)];
}

/// `POST /nop-ho-so/{draft}/giay-to`: on to step 11 once every mandatory part has a file.
pub async fn documents(
    State(state): State<AppState>,
    v: Visitor,
    Path(raw): Path<String>,
    body: Body,
) -> Result<Response, PageError> {
    let here = step_path(&raw, "giay-to");
    let Some(me) = v.citizen.clone() else {
        return Ok(login_first(&here));
    };
    let loaded = match load(&state, &me, &raw).await.or_page(&v, "/nop-ho-so")? {
        Ok(l) => l,
        Err(done) => return Ok(done),
    };
    let bytes = form::body(body, form::FORM_LIMIT)
        .await
        .or_page(&v, &here)?;
    let f = form::parse::<CsrfForm>(&bytes).or_page(&v, &here)?;
    v.check_csrf(f.csrf.as_deref()).or_page(&v, &here)?;
    let missing: Vec<String> = loaded
        .case()
        .map(|c| {
            c.documents
                .iter()
                .filter(|p| p.mandatory && !loaded.draft.files.contains_key(&p.id))
                .map(|p| p.name.clone())
                .collect()
        })
        .unwrap_or_default();
    if !missing.is_empty() {
        let error = i18n::fill(
            v.lang,
            "documents_missing",
            &[("names", &missing.join("; "))],
        );
        return documents_view(
            &v,
            &raw,
            &loaded,
            Some(error),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    Ok(see_other(&step_path(&raw, "nhan-ket-qua")))
}

// ---------------------------------------------------------------------------------------
// Step 11: how the result is received

#[derive(Template)]
#[template(path = "delivery.html", config = "src/portal/web/askama.toml")]
struct DeliveryPage {
    l: Layout,
    action: String,
    methods: Vec<Choice>,
    address: String,
    error: Option<String>,
}

fn method_wire(m: DeliveryMethod) -> &'static str {
    match m {
        DeliveryMethod::InPerson => "in_person",
        DeliveryMethod::Postal => "postal",
        DeliveryMethod::Online => "online",
    }
}

fn delivery_view(
    v: &Visitor,
    id: &str,
    loaded: &Loaded,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let here = step_path(id, "nhan-ket-qua");
    let chosen = loaded.draft.delivery;
    let methods = loaded
        .procedure
        .as_ref()
        .map(|p| {
            p.delivery
                .iter()
                .map(|m| Choice::new(method_wire(*m), m.label(v.lang), chosen == Some(*m)))
                .collect()
        })
        .unwrap_or_default();
    let view = DeliveryPage {
        l: Layout::new(v, "delivery_title", &here).with_step(11),
        action: here.clone(),
        methods,
        address: loaded.draft.address.clone().unwrap_or_default(),
        error,
    };
    page_with(v, status, &view)
}

/// `GET /nop-ho-so/{draft}/nhan-ket-qua`: step 11.
pub async fn delivery_page(
    State(state): State<AppState>,
    v: Visitor,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let here = step_path(&raw, "nhan-ket-qua");
    let Some(me) = v.citizen.clone() else {
        return Ok(login_first(&here));
    };
    let loaded = match load(&state, &me, &raw).await.or_page(&v, "/nop-ho-so")? {
        Ok(l) => l,
        Err(done) => return Ok(done),
    };
    if let Some(back) = guard(&raw, &loaded, 11) {
        return Ok(back);
    }
    Ok(delivery_view(&v, &raw, &loaded, None, StatusCode::OK))
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct DeliveryForm {
    pub csrf: Option<String>,
    pub cach_nhan: Option<String>,
    pub dia_chi: Option<String>,
}

impl Bounded for DeliveryForm {
    const BOUNDS: &'static [Bound] = &[
        Bound::line("csrf", limits::CODE),
        Bound::line("cach_nhan", limits::CODE),
        Bound::line("dia_chi", limits::ADDRESS),
    ];
}

/// `POST /nop-ho-so/{draft}/nhan-ket-qua`.
pub async fn delivery(
    State(state): State<AppState>,
    v: Visitor,
    Path(raw): Path<String>,
    body: Body,
) -> Result<Response, PageError> {
    let here = step_path(&raw, "nhan-ket-qua");
    let Some(me) = v.citizen.clone() else {
        return Ok(login_first(&here));
    };
    let mut loaded = match load(&state, &me, &raw).await.or_page(&v, "/nop-ho-so")? {
        Ok(l) => l,
        Err(done) => return Ok(done),
    };
    if let Some(back) = guard(&raw, &loaded, 11) {
        return Ok(back);
    }
    let bytes = form::body(body, form::FORM_LIMIT)
        .await
        .or_page(&v, &here)?;
    let f = match form::parse::<DeliveryForm>(&bytes) {
        Ok(f) => f,
        Err(e) => {
            let status = e.status();
            return Ok(delivery_view(
                &v,
                &raw,
                &loaded,
                Some(e.message(v.lang)),
                status,
            ));
        }
    };
    v.check_csrf(f.csrf.as_deref()).or_page(&v, &here)?;
    let offered = loaded
        .procedure
        .as_ref()
        .map(|p| p.delivery.clone())
        .unwrap_or_default();
    let method = offered
        .into_iter()
        .find(|m| Some(method_wire(*m)) == given(&f.cach_nhan));
    let address = given(&f.dia_chi).map(str::to_owned);
    let error = match (method, &address) {
        (None, _) => Some("delivery_missing"),
        (Some(DeliveryMethod::Postal), None) => Some("address_missing"),
        _ => None,
    };
    loaded.draft.address = address;
    if let Some(key) = error {
        loaded.draft.delivery = method;
        return Ok(delivery_view(
            &v,
            &raw,
            &loaded,
            Some(i18n::tr(v.lang, key).to_owned()),
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    loaded.draft.delivery = method;
    draft::save(&state, me.user_id, &raw, &loaded.draft)
        .await
        .or_page(&v, &here)?;
    Ok(see_other(&step_path(&raw, "xac-nhan")))
}

// ---------------------------------------------------------------------------------------
// Step 12: review, the confirmation code, the declaration; 13: submit

struct Fact {
    label: &'static str,
    value: String,
}

#[derive(Template)]
#[template(path = "review.html", config = "src/portal/web/askama.toml")]
struct ReviewPage {
    l: Layout,
    action: String,
    facts: Vec<Fact>,
    files: Vec<Fact>,
    challenge: String,
    question: Option<String>,
    words_href: String,
    image_href: String,
    error: Option<String>,
    fields: BTreeMap<String, String>,
}

impl ReviewPage {
    fn field(&self, name: &str) -> Option<&String> {
        self.fields.get(name)
    }
}

/// The fee of the draft, as a person reads it.
fn fee_text(case: &Case, d: &Draft, lang: Lang) -> String {
    let amount = case.fees.amount(&FeeInput {
        channel: FeeChannel::Online,
        pages: d.pages.unwrap_or(1),
        copies: d.copies.unwrap_or(1),
    });
    if amount == 0 {
        i18n::tr(lang, "fee_free").to_owned()
    } else {
        format_vnd(amount, lang)
    }
}

#[allow(clippy::too_many_arguments)]
async fn review_view(
    state: &AppState,
    v: &Visitor,
    me: &Citizen,
    id: &str,
    loaded: &Loaded,
    words: bool,
    error: Option<String>,
    fields: BTreeMap<String, String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let here = step_path(id, "xac-nhan");
    let lang = v.lang;
    let challenge = if words {
        captcha::new_text(state, me.user_id, lang).await
    } else {
        captcha::new_image(state, me.user_id).await
    }
    .or_page(v, &here)?;
    let d = &loaded.draft;
    let office = match &d.office {
        Some(code) => catalog::offices(&state.db)
            .await
            .or_page(v, &here)?
            .into_iter()
            .find(|o| &o.code == code)
            .map(|o| o.name)
            .unwrap_or_else(|| code.clone()),
        None => String::new(),
    };
    let mut facts = vec![
        Fact {
            label: i18n::tr(lang, "office"),
            value: office,
        },
        Fact {
            label: i18n::tr(lang, "procedure"),
            value: loaded
                .procedure
                .as_ref()
                .map(|p| format!("{} ({})", p.name, p.code))
                .unwrap_or_default(),
        },
        Fact {
            label: i18n::tr(lang, "case"),
            value: loaded.case().map(|c| c.name.clone()).unwrap_or_default(),
        },
        Fact {
            label: i18n::tr(lang, "applicant"),
            value: me.full_name.clone(),
        },
        Fact {
            label: i18n::tr(lang, "delivery"),
            value: d
                .delivery
                .map(|m| m.label(lang).to_owned())
                .unwrap_or_default(),
        },
    ];
    if let Some(address) = &d.address
        && d.delivery == Some(DeliveryMethod::Postal)
    {
        facts.push(Fact {
            label: i18n::tr(lang, "address"),
            value: address.clone(),
        });
    }
    if let Some(case) = loaded.case() {
        facts.push(Fact {
            label: i18n::tr(lang, "fee"),
            value: fee_text(case, d, lang),
        });
    }
    if let Some(note) = &d.note {
        facts.push(Fact {
            label: i18n::tr(lang, "note"),
            value: note.clone(),
        });
    }
    let files = loaded
        .case()
        .map(|c| {
            c.documents
                .iter()
                .filter_map(|p| {
                    d.files.get(&p.id).map(|f| Fact {
                        label: i18n::tr(lang, "document"),
                        value: format!("{}: {} ({})", p.name, f.filename, size_text(f.size)),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let view = ReviewPage {
        l: Layout::new(v, "review_title", &here).with_step(12),
        action: here.clone(),
        facts,
        files,
        image_href: format!("/ma-xac-nhan/{}", challenge.id),
        challenge: challenge.id,
        question: challenge.question,
        words_href: format!("{here}?ma=chu"),
        error,
        fields,
    };
    Ok(page_with(v, status, &view))
}

/// `GET /nop-ho-so/{draft}/xac-nhan[?ma=chu]`: step 12; `?ma=chu` gives the code in
/// words instead of the image.
pub async fn review_page(
    State(state): State<AppState>,
    v: Visitor,
    Path(raw): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let here = step_path(&raw, "xac-nhan");
    let Some(me) = v.citizen.clone() else {
        return Ok(login_first(&here));
    };
    let loaded = match load(&state, &me, &raw).await.or_page(&v, "/nop-ho-so")? {
        Ok(l) => l,
        Err(done) => return Ok(done),
    };
    if let Some(back) = guard(&raw, &loaded, 12) {
        return Ok(back);
    }
    let words = query.as_deref() == Some("ma=chu");
    review_view(
        &state,
        &v,
        &me,
        &raw,
        &loaded,
        words,
        None,
        BTreeMap::new(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct SendForm {
    pub csrf: Option<String>,
    pub thu_thach: Option<String>,
    pub ma_xac_nhan: Option<String>,
    pub cam_doan: Option<String>,
    pub bang_chu: Option<String>,
}

impl Bounded for SendForm {
    const BOUNDS: &'static [Bound] = &[
        Bound::line("csrf", limits::CODE),
        Bound::line("thu_thach", limits::CODE),
        Bound::line("ma_xac_nhan", limits::SHORT),
        Bound::line("cam_doan", limits::CODE),
        Bound::line("bang_chu", limits::CODE),
    ];
}

/// `POST /nop-ho-so/{draft}/xac-nhan`: the confirmation code (spent whatever happens),
/// the declaration, then the submission in one transaction with the draft marked
/// submitted, so a repeated press finds the dossier instead of making a second one.
pub async fn send(
    State(state): State<AppState>,
    v: Visitor,
    Path(raw): Path<String>,
    body: Body,
) -> Result<Response, PageError> {
    let here = step_path(&raw, "xac-nhan");
    let Some(me) = v.citizen.clone() else {
        return Ok(login_first(&here));
    };
    let loaded = match load(&state, &me, &raw).await.or_page(&v, "/nop-ho-so")? {
        Ok(l) => l,
        Err(done) => return Ok(done),
    };
    if let Some(back) = guard(&raw, &loaded, 12) {
        return Ok(back);
    }
    let bytes = form::body(body, form::FORM_LIMIT)
        .await
        .or_page(&v, &here)?;
    let parsed = form::parse::<SendForm>(&bytes);
    let words = parsed
        .as_ref()
        .is_ok_and(|f| f.bang_chu.as_deref() == Some("1"));
    let result = async {
        let f = parsed?;
        v.check_csrf(f.csrf.as_deref())?;
        captcha::check(
            &state,
            me.user_id,
            f.thu_thach.as_deref().unwrap_or(""),
            f.ma_xac_nhan.as_deref().unwrap_or(""),
        )
        .await?;
        if f.cam_doan.as_deref() != Some("1") {
            return Err(invalid(
                "cam_doan",
                "Chưa đánh dấu lời cam đoan «Tôi xin chịu trách nhiệm trước pháp luật về lời khai trên». Hãy đánh dấu rồi nộp lại (với mã xác nhận mới).",
                "The declaration \"I take responsibility before the law for the statements above\" is not ticked. Tick it and submit again (with the new confirmation code).",
            ));
        }
        submit(&state, &me, &raw, &loaded.draft).await
    }
    .await;
    match result {
        Ok(code) => Ok(see_other(&format!("/ho-so/{code}/da-nop"))),
        Err(e) => {
            let fields = field_errors(&e, v.lang);
            let error = Some(e.message(v.lang));
            review_view(
                &state,
                &v,
                &me,
                &raw,
                &loaded,
                words,
                error,
                fields,
                e.status(),
            )
            .await
        }
    }
}

/// The submission itself: the API's service in one write transaction with the draft's
/// mark. Answers the dossier's code (the earlier one when the draft was submitted
/// already).
async fn submit(state: &AppState, me: &Citizen, id: &str, d: &Draft) -> Result<String, ApiError> {
    let now = state.clock.now();
    let mut session = me.session();
    // The audit row says the pages made it, and of which procedure: the training
    // journal judges the exercise of guiding a citizen by it.
    session.via = Some(format!(
        "pages {}",
        d.procedure.as_deref().unwrap_or_default()
    ));
    let mut tx = db::write(&state.db).await?;
    let already: Option<Option<String>> =
        sqlx::query_scalar("SELECT dossier_code FROM web_drafts WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(me.user_id)
            .fetch_optional(&mut *tx)
            .await?;
    match already {
        None => return Err(ApiError::NotFound),
        Some(Some(code)) => return Ok(code),
        Some(None) => {}
    }
    let row = online::submit(
        &mut tx,
        state,
        &session,
        me.citizen_id,
        d.submission(true),
        now,
    )
    .await?;
    sqlx::query("UPDATE web_drafts SET dossier_code = $1, updated_at = $2 WHERE id = $3")
        .bind(&row.code)
        .bind(now.to_rfc3339())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(row.code)
}

/// `GET /ma-xac-nhan/{id}`: the image of a confirmation code, to its citizen only.
pub async fn challenge_image(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Response {
    let Some(me) = v.citizen.as_ref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match captcha::image(&state, me.user_id, &id).await {
        Ok(png) => (
            [(header::CONTENT_TYPE, HeaderValue::from_static("image/png"))],
            png,
        )
            .into_response(),
        Err(e) => e.status().into_response(),
    }
}
