//! The pages' two files: the stylesheet and the optional upload script, built into the
//! binary and served with a version in their address, so that a browser keeps them as
//! long as it likes and still gets a new one after an upgrade.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

const CSS: &str = include_str!("static/style.css");
const JS: &str = include_str!("static/upload.js");

/// `name?v=<first 10 hex digits of the SHA-256 of the content>`.
fn versioned(name: &str, content: &str) -> String {
    let hash = hex::encode(Sha256::digest(content.as_bytes()));
    format!("/tai-nguyen/{name}?v={}", &hash[..10])
}

pub fn css_href() -> &'static str {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| versioned("style.css", CSS))
}

pub fn script_href() -> &'static str {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| versioned("upload.js", JS))
}

/// `GET /tai-nguyen/{file}`.
pub async fn serve(Path(file): Path<String>) -> Response {
    let (body, kind) = match file.as_str() {
        "style.css" => (CSS, "text/css; charset=utf-8"),
        "upload.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
            // A day, then revalidated by the version in the address anyway.
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        body,
    )
        .into_response()
}
