//! Steps 2 and 3 of the course: registration (the account was opened at the desk, which
//! printed an activation slip; the citizen proves the slip's code and chooses a
//! password, and may give an e-mail address) and logging in and out.
//!
//! Both go through the API's own code: `service::activation::activate` (its throttle of
//! wrong codes, its audit rows) and `auth::authenticate` (the login throttle per account
//! and address, argon2id under the bound on hashing). A staff account is refused here,
//! even with the right password: the desk works in the motcua app.

use crate::api::limits::{self, Bound, Bounded};
use crate::domain::identity::parse_cccd;
use crate::domain::workflow::Role;
use crate::portal::audit::{self, Event};
use crate::portal::auth::{Session, authenticate, me_of};
use crate::portal::error::{ApiError, Problem, invalid};
use crate::portal::service::activation;
use crate::portal::state::AppState;
use crate::portal::web::form::{self, field_errors};
use crate::portal::web::i18n;
use crate::portal::web::layout::{Layout, OrPage, PageError, local_path, page_with, see_other};
use crate::portal::web::session::{self, Visitor};
use askama::Template;
use axum::body::Body;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::SocketAddr;

/// The registration form.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct RegisterForm {
    pub csrf: Option<String>,
    pub so_dinh_danh: Option<String>,
    pub ma_kich_hoat: Option<String>,
    pub mat_khau: Option<String>,
    pub nhap_lai: Option<String>,
    pub thu_dien_tu: Option<String>,
}

impl Bounded for RegisterForm {
    const BOUNDS: &'static [Bound] = &[
        Bound::line("csrf", limits::CODE),
        Bound::line("so_dinh_danh", limits::SHORT),
        Bound::line("ma_kich_hoat", limits::CODE),
        Bound::line("mat_khau", limits::PASSWORD),
        Bound::line("nhap_lai", limits::PASSWORD),
        Bound::line("thu_dien_tu", limits::EMAIL),
    ];
}

#[derive(Template)]
#[template(path = "register.html", config = "src/portal/web/askama.toml")]
struct RegisterPage {
    l: Layout,
    number: String,
    email: String,
    error: Option<String>,
    fields: BTreeMap<String, String>,
}

impl RegisterPage {
    fn field(&self, name: &str) -> Option<&String> {
        self.fields.get(name)
    }
}

/// `GET /dang-ky`.
pub async fn register_form(v: Visitor) -> Response {
    let view = RegisterPage {
        l: Layout::new(&v, "register_title", "/dang-ky").with_step(2),
        number: String::new(),
        email: String::new(),
        error: None,
        fields: BTreeMap::new(),
    };
    page_with(&v, StatusCode::OK, &view)
}

/// The registration's own checks before the activation: the number by the domain's
/// identity rules, the password typed twice alike, the e-mail's shape. Every problem at
/// once, by field.
fn check_registration(f: &RegisterForm, today: chrono::NaiveDate) -> Result<(), ApiError> {
    let mut problems = BTreeMap::new();
    let number = f.so_dinh_danh.as_deref().unwrap_or("").trim();
    if let Err(e) = parse_cccd(number, today) {
        problems.insert("so_dinh_danh".to_owned(), std::sync::Arc::new(e) as _);
    }
    if f.ma_kich_hoat.as_deref().unwrap_or("").trim().is_empty() {
        let p = Problem::invalid(
            "ma_kich_hoat",
            "Chưa nhập mã kích hoạt. Hãy nhập mã in trên phiếu kích hoạt Bộ phận Một cửa đã trao.",
            "The activation code is missing. Enter the code printed on the slip the one-stop desk gave you.",
        );
        problems.insert("ma_kich_hoat".to_owned(), p.rule);
    }
    if f.mat_khau != f.nhap_lai {
        let p = Problem::invalid(
            "nhap_lai",
            "Hai lần nhập mật khẩu không giống nhau. Hãy nhập lại cho khớp.",
            "The two passwords differ. Type the same password twice.",
        );
        problems.insert("nhap_lai".to_owned(), p.rule);
    }
    if let Some(email) = f
        .thu_dien_tu
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        && !crate::domain::account::email_shape(email)
    {
        let p = Problem::invalid(
            "thu_dien_tu",
            "Địa chỉ thư điện tử không đúng dạng ten@mien.vn. Hãy sửa lại, hoặc để trống (không bắt buộc).",
            "The e-mail address is not of the form name@domain.vn. Correct it, or leave it empty (it is optional).",
        );
        problems.insert("thu_dien_tu".to_owned(), p.rule);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(problems))
    }
}

/// `POST /dang-ky`: the activation with the slip's code, then on to logging in.
pub async fn register(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    v: Visitor,
    body: Body,
) -> Result<Response, PageError> {
    let bytes = form::body(body, form::FORM_LIMIT)
        .await
        .or_page(&v, "/dang-ky")?;
    let parsed = form::parse::<RegisterForm>(&bytes);
    let mut view = RegisterPage {
        l: Layout::new(&v, "register_title", "/dang-ky").with_step(2),
        number: String::new(),
        email: String::new(),
        error: None,
        fields: BTreeMap::new(),
    };
    if let Ok(f) = &parsed {
        view.number = f.so_dinh_danh.clone().unwrap_or_default();
        view.email = f.thu_dien_tu.clone().unwrap_or_default();
    }
    let result = async {
        let f = parsed?;
        v.check_csrf(f.csrf.as_deref())?;
        check_registration(&f, state.clock.now().date_naive())?;
        let email = f
            .thu_dien_tu
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty());
        activation::activate(
            &state,
            &addr,
            f.so_dinh_danh.as_deref().unwrap_or(""),
            f.ma_kich_hoat.as_deref().unwrap_or(""),
            f.mat_khau.clone().unwrap_or_default(),
            email,
        )
        .await
    }
    .await;
    match result {
        Ok(_) => Ok(see_other("/dang-nhap?da_kich_hoat=1")),
        Err(e) => {
            view.fields = rename(field_errors(&e, v.lang));
            if view.fields.is_empty() {
                view.error = Some(e.message(v.lang));
            }
            Ok(page_with(&v, e.status(), &view))
        }
    }
}

/// The API names a bad password `new_password`; the form calls it `mat_khau`.
fn rename(mut fields: BTreeMap<String, String>) -> BTreeMap<String, String> {
    if let Some(m) = fields.remove("new_password") {
        fields.insert("mat_khau".to_owned(), m);
    }
    fields
}

/// The login form.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct LoginForm {
    pub csrf: Option<String>,
    pub so_dinh_danh: Option<String>,
    pub mat_khau: Option<String>,
    pub tiep: Option<String>,
}

impl Bounded for LoginForm {
    const BOUNDS: &'static [Bound] = &[
        Bound::line("csrf", limits::CODE),
        Bound::line("so_dinh_danh", limits::CODE),
        Bound::line("mat_khau", limits::PASSWORD),
        Bound::line("tiep", 512),
    ];
}

#[derive(Template)]
#[template(path = "login.html", config = "src/portal/web/askama.toml")]
struct LoginPage {
    l: Layout,
    number: String,
    next: String,
    error: Option<String>,
}

/// `GET /dang-nhap[?tiep=…][&da_kich_hoat=1]`.
pub async fn login_form(v: Visitor, RawQuery(raw): RawQuery) -> Response {
    let pairs: Vec<(String, String)> = raw
        .as_deref()
        .and_then(|q| serde_urlencoded::from_str(q).ok())
        .unwrap_or_default();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let notice = get("da_kich_hoat").map(|_| i18n::tr(v.lang, "activated_notice").to_owned());
    let view = LoginPage {
        l: Layout::new(&v, "login_title", "/dang-nhap")
            .with_step(3)
            .with_notice(notice),
        number: String::new(),
        next: local_path(get("tiep")),
        error: None,
    };
    page_with(&v, StatusCode::OK, &view)
}

/// The refusal of a login that is not a citizen's identity number: staff names never
/// reach the password check here.
fn not_a_citizen() -> ApiError {
    invalid(
        "so_dinh_danh",
        "Trang này dành cho công dân: hãy đăng nhập bằng số định danh cá nhân (12 chữ số). Cán bộ làm việc trong ứng dụng motcua, không đăng nhập ở đây.",
        "These pages are for citizens: log in with your 12-digit personal identity number. Staff work in the motcua app and do not log in here.",
    )
}

/// `POST /dang-nhap`: the API's login checks, then a cookie session for a citizen.
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    v: Visitor,
    body: Body,
) -> Result<Response, PageError> {
    let bytes = form::body(body, form::FORM_LIMIT)
        .await
        .or_page(&v, "/dang-nhap")?;
    let parsed = form::parse::<LoginForm>(&bytes);
    let mut view = LoginPage {
        l: Layout::new(&v, "login_title", "/dang-nhap").with_step(3),
        number: String::new(),
        next: "/ho-so".to_owned(),
        error: None,
    };
    if let Ok(f) = &parsed {
        view.number = f.so_dinh_danh.clone().unwrap_or_default();
        view.next = local_path(f.tiep.as_deref());
    }
    let result = async {
        let f = parsed?;
        v.check_csrf(f.csrf.as_deref())?;
        let number = f.so_dinh_danh.as_deref().unwrap_or("").trim().to_owned();
        if number.len() != 12 || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(not_a_citizen());
        }
        let user_id = authenticate(
            &state,
            &addr,
            &number,
            f.mat_khau.clone().unwrap_or_default(),
        )
        .await?;
        let me = me_of(&state, user_id).await?;
        if me.role != Role::Citizen {
            // The right password of a staff account: refused all the same, and noted.
            let staff = Session::acting_as(
                user_id,
                &me.username,
                me.role,
                me.office.as_ref().map(|o| o.id),
                None,
            );
            audit::refused(&state, &staff, "citizen pages: log in with a staff account").await;
            return Err(not_a_citizen());
        }
        audit::record(
            &state.db,
            &state.clock,
            Event::LoginOk {
                user: &me,
                client: &addr.ip().to_string(),
            },
        )
        .await?;
        session::open(&state, user_id).await
    }
    .await;
    match result {
        Ok(cookie) => {
            let next = if view.next == "/" || view.next.starts_with("/dang-") {
                "/ho-so".to_owned()
            } else {
                view.next.clone()
            };
            let mut response = see_other(&next);
            if let Some(cookie) = cookie {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            Ok(response)
        }
        Err(e) => {
            let fields = field_errors(&e, v.lang);
            view.error = Some(if fields.is_empty() {
                e.message(v.lang)
            } else {
                fields.into_values().collect::<Vec<_>>().join(" ")
            });
            Ok(page_with(&v, e.status(), &view))
        }
    }
}

/// The logout form.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct LogoutForm {
    pub csrf: Option<String>,
}

impl Bounded for LogoutForm {
    const BOUNDS: &'static [Bound] = &[Bound::line("csrf", limits::CODE)];
}

/// `POST /dang-xuat`: the session ends at once.
pub async fn logout(
    State(state): State<AppState>,
    v: Visitor,
    body: Body,
) -> Result<Response, PageError> {
    let bytes = form::body(body, form::FORM_LIMIT).await.or_page(&v, "/")?;
    let f = form::parse::<LogoutForm>(&bytes).or_page(&v, "/")?;
    v.check_csrf(f.csrf.as_deref()).or_page(&v, "/")?;
    let mut response = see_other("/");
    if let Some(citizen) = &v.citizen
        && let Some(cookie) = session::close(&state, citizen).await.or_page(&v, "/")?
    {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}
