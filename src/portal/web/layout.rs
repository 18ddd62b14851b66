//! What every page shares: the frame (header, language switch, the citizen's menu), the
//! answers (a page, a redirect, an error page in the visitor's language) and the 13
//! steps of the course shown above the submission's pages.

use super::assets;
use super::i18n::{self, Lang};
use super::session::Visitor;
use crate::portal::error::ApiError;
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// One of the 13 steps in the step bar.
pub struct Step {
    pub n: u8,
    pub name: &'static str,
    pub now: bool,
}

/// The frame of a page, read by `base.html`.
pub struct Layout {
    pub lang: Lang,
    pub title: String,
    /// The citizen's name when logged in.
    pub user: Option<String>,
    pub csrf: String,
    /// Where the language switch goes, and what it says.
    pub switch_href: String,
    /// The stylesheet's address, with its version.
    pub css: &'static str,
    /// The upload script's address, on the pages that attach files.
    pub script: Option<&'static str>,
    /// A message at the top: what just happened.
    pub notice: Option<String>,
    /// The step of the 13 shown, on the submission's pages.
    pub step: Option<u8>,
}

impl Layout {
    /// The frame for `visitor` on the page at `here` (where the switch comes back to).
    pub fn new(visitor: &Visitor, title_key: &str, here: &str) -> Layout {
        let other = match visitor.lang {
            Lang::Vi => "en",
            Lang::En => "vi",
        };
        Layout {
            lang: visitor.lang,
            title: i18n::tr(visitor.lang, title_key).to_owned(),
            user: visitor.citizen.as_ref().map(|c| c.full_name.clone()),
            csrf: visitor.csrf(),
            switch_href: format!("/ngon-ngu/{other}?tiep={}", encode(here)),
            css: assets::css_href(),
            script: None,
            notice: None,
            step: None,
        }
    }

    pub fn with_step(mut self, step: u8) -> Layout {
        self.step = Some(step);
        self
    }

    pub fn with_script(mut self) -> Layout {
        self.script = Some(assets::script_href());
        self
    }

    pub fn with_notice(mut self, notice: Option<String>) -> Layout {
        self.notice = notice;
        self
    }

    /// The text of `key` in the page's language.
    pub fn tr(&self, key: &str) -> &'static str {
        // Catalogs live for the program's life; `tr` borrows from them.
        static_tr(self.lang, key)
    }

    pub fn lang_code(&self) -> &'static str {
        match self.lang {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// The 13 steps, numbered, for the step bar.
    pub fn steps(&self) -> Vec<Step> {
        (1..=13)
            .map(|n| Step {
                n,
                name: static_tr(self.lang, &format!("step_{n}")),
                now: self.step == Some(n),
            })
            .collect()
    }

    pub fn step_title(&self) -> String {
        match self.step {
            Some(n) => i18n::fill(
                self.lang,
                "step_of",
                &[
                    ("n", &n.to_string()),
                    ("name", static_tr(self.lang, &format!("step_{n}"))),
                ],
            ),
            None => String::new(),
        }
    }
}

fn static_tr(lang: Lang, key: &str) -> &'static str {
    // The catalogs live in a static, so their texts outlive any page. A missing key
    // shows as "?" (the catalogs' test keeps that from happening).
    match i18n::raw(lang, key) {
        Some(text) => text,
        None => {
            tracing::warn!("citizen pages: no text for {key:?}");
            "?"
        }
    }
}

/// Percent-encodes a path for a query string.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A local path to go to after a step (`?tiep=`), or `/`: never another site.
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\')
                && !p.chars().any(char::is_control)
                && p.len() <= 512 =>
        {
            p.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// A rendered page with status 200, the visitor's cookies set.
pub fn page(visitor: &Visitor, template: &impl Template) -> Response {
    page_with(visitor, StatusCode::OK, template)
}

/// A rendered page with `status`.
pub fn page_with(visitor: &Visitor, status: StatusCode, template: &impl Template) -> Response {
    let mut response = match template.render() {
        Ok(html) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            html,
        )
            .into_response(),
        Err(e) => {
            tracing::error!("citizen pages: a template failed: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "").into_response()
        }
    };
    for cookie in visitor.cookies() {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// 303 See Other to `to`: every form answers so, and the browser's back and reload
/// then never send a form twice.
pub fn see_other(to: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(to) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

#[derive(Template)]
#[template(path = "error.html", config = "src/portal/web/askama.toml")]
struct ErrorPage {
    l: Layout,
    message: String,
    back: String,
}

/// A page saying what went wrong and what to do, with the error's status.
pub fn error_page(visitor: &Visitor, error: &ApiError, back: &str) -> Response {
    let l = Layout::new(visitor, "error_title", back);
    let page = ErrorPage {
        message: error.message(visitor.lang),
        back: local_path(Some(back)),
        l,
    };
    let mut response = page_with(visitor, error.status(), &page);
    if let ApiError::TooManyRequests(after) | ApiError::ServerBusy(after) = error
        && let Ok(value) = HeaderValue::from_str(&after.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// The page of an address that leads nowhere.
pub fn not_found(visitor: &Visitor) -> Response {
    error_page(visitor, &ApiError::NotFound, "/")
}

/// A failure of a page's handler, answered as a page in the visitor's language.
pub struct PageError {
    visitor: Box<Visitor>,
    error: ApiError,
    back: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        error_page(&self.visitor, &self.error, &self.back)
    }
}

/// Turns the portal's errors into pages.
pub trait OrPage<T> {
    /// On error, the error page, with a way back to `back`.
    fn or_page(self, visitor: &Visitor, back: &str) -> Result<T, PageError>;
}

impl<T, E: Into<ApiError>> OrPage<T> for Result<T, E> {
    fn or_page(self, visitor: &Visitor, back: &str) -> Result<T, PageError> {
        self.map_err(|e| PageError {
            visitor: Box::new(visitor.clone()),
            error: e.into(),
            back: back.to_owned(),
        })
    }
}

/// Formats an RFC 3339 time as a citizen reads it: `14:30 ngày 05/03/2026` /
/// `14:30, 05/03/2026`.
pub fn when(rfc3339: &str, lang: Lang) -> String {
    match chrono::DateTime::parse_from_rfc3339(rfc3339) {
        Ok(t) => match lang {
            Lang::Vi => t.format("%H:%M ngày %d/%m/%Y").to_string(),
            Lang::En => t.format("%H:%M, %d/%m/%Y").to_string(),
        },
        Err(_) => rfc3339.to_owned(),
    }
}
