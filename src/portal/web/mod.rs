//! The citizen pages: what a citizen sees of the portal at `/`, beside the API at
//! `/api/v1` (docs/citizen.md). The catalog and a procedure's details, registration with
//! the desk's activation slip, logging in and out, the online submission in the 13 steps
//! of the course with a draft kept between them, the receipt with the dossier's code,
//! "my dossiers" with the supplement answered online and the fee by VietQR, and the public
//! lookup. Vietnamese first, English on a switch.
//!
//! Server-rendered HTML (askama templates, checked when the crate compiles), forms that
//! work without JavaScript, one small stylesheet and one optional script, nothing from
//! another site: built for slow links and old phones. Every rule is the API's: the pages
//! call the same services (`portal::service`, `auth::authenticate`), so a page can never
//! accept what the API refuses. Their session is a cookie of their own, never an API
//! token, and staff accounts cannot log in here.

mod assets;
mod captcha;
mod draft;
mod form;
mod i18n;
mod layout;
mod pages;
mod qr;
mod session;

use crate::portal::state::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, head, post};

pub use i18n::{catalog_keys, raw as catalog_text};
pub use session::{LANG_COOKIE, SESSION_COOKIE};

/// The Content-Security-Policy of every page: nothing but this origin's own stylesheet,
/// script and images (and the inline SVG of a VietQR code, which is markup, not a
/// resource); no inline script or style, no frames, forms posting only here.
pub const CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; \
     img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'";

/// Every route of the citizen pages. They sit at the root, outside the API's base path
/// (`/api/v1`) and Swagger UI (`/docs`), so no path of either is taken.
pub fn routes() -> Router<AppState> {
    use pages::{account, files, home, mine, submit};
    Router::new()
        .route("/", get(home::home))
        .route("/thu-tuc/{code}", get(home::procedure))
        .route("/tra-cuu", get(home::lookup_form).post(home::lookup))
        .route("/ngon-ngu/{lang}", get(home::switch_language))
        .route("/tai-nguyen/{file}", get(assets::serve))
        .route(
            "/dang-ky",
            get(account::register_form).post(account::register),
        )
        .route("/dang-nhap", get(account::login_form).post(account::login))
        .route("/dang-xuat", post(account::logout))
        .route("/nop-ho-so", get(submit::start_page).post(submit::start))
        .route(
            "/nop-ho-so/{draft}/thu-tuc",
            get(submit::choose_page).post(submit::choose),
        )
        .route(
            "/nop-ho-so/{draft}/nguoi-nop",
            get(submit::applicant_page).post(submit::applicant),
        )
        .route(
            "/nop-ho-so/{draft}/giay-to",
            get(submit::documents_page).post(submit::documents),
        )
        .route(
            "/nop-ho-so/{draft}/giay-to/{part}",
            post(files::attach_to_draft),
        )
        .route(
            "/nop-ho-so/{draft}/nhan-ket-qua",
            get(submit::delivery_page).post(submit::delivery),
        )
        .route(
            "/nop-ho-so/{draft}/xac-nhan",
            get(submit::review_page).post(submit::send),
        )
        .route("/ma-xac-nhan/{id}", get(submit::challenge_image))
        .route("/ho-so", get(mine::list))
        .route("/ho-so/{code}", get(mine::detail))
        .route("/ho-so/{code}/da-nop", get(mine::submitted))
        .route("/ho-so/{code}/bo-sung", post(mine::supplement))
        .route("/tai-len", post(files::declare))
        .route("/tai-len/{id}", head(files::progress).patch(files::append))
        // Multipart forms carry files (a supplement several); form bodies are read with
        // their own, smaller bound (`form::FORM_LIMIT`).
        .layer(DefaultBodyLimit::max(files::MULTIPART_LIMIT))
        .layer(axum::middleware::from_fn(headers))
}

/// What every answer of the pages carries: the strict CSP, no framing, no referrer to
/// other sites, and no caching of pages (they show a person's data) unless the handler
/// said otherwise (the stylesheet and script are cached).
async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Paths no route has: the API's JSON 404 under the API and Swagger UI, a page
/// elsewhere (a citizen who typed an address wrong reads what to do).
pub async fn fallback(
    axum::extract::State(state): axum::extract::State<AppState>,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> Response {
    use axum::response::IntoResponse;
    let path = uri.path();
    if path.starts_with(crate::api::BASE_PATH) || path.starts_with("/docs") {
        return crate::portal::error::ApiError::NotFound.into_response();
    }
    let visitor = session::Visitor::read(&state, &headers).await;
    let mut response = layout::not_found(&visitor);
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    response
}
