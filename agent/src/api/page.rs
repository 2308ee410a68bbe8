//! The French status page: `GET /` and its assets under `/ui/`, embedded in the binary (no
//! external resource). One more face over the same state: the page's script reads
//! `/v1/status` and follows `/v1/events` like any other client, same-origin, and never
//! reaches PC/SC. Script and style are separate files so the page runs under a strict
//! Content-Security-Policy (`script-src 'self'`, nothing inline). Without a session (see
//! `session`), the API redacts the holder's names and identifiers, so the page cannot show
//! them.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderName, HeaderValue};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use super::auth::Caller;
use super::headers::PAGE_CSP;
use super::ApiContext;
use crate::text::pcsc::pcsc_remedy;

const INDEX_HTML: &str = include_str!("page/index.html");
const APP_JS: &str = include_str!("page/app.js");
const APP_CSS: &str = include_str!("page/app.css");
const ICON_SVG: &str = include_str!("page/icon.svg");

/// The page's routes (merged into the API router).
pub fn routes() -> Router<Arc<ApiContext>> {
    Router::new()
        .route("/", get(index))
        .route("/ui/app.js", get(app_js))
        .route("/ui/app.css", get(app_css))
        .route("/ui/icon.svg", get(icon_svg))
}

fn asset(body: impl Into<Body>, content_type: &'static str) -> Response {
    let mut response = Response::new(body.into());
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        HeaderName::from_static("content-security-policy"),
        HeaderValue::from_static(PAGE_CSP),
    );
    response
}

/// Escapes text for an HTML attribute value in double quotes.
fn escape_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// The page. It says whether this browser has a session (names shown) and how to start
/// the PC/SC service on this system; everything else comes from the API.
pub async fn index(caller: Caller) -> Response {
    let session = if caller.authorised { "active" } else { "none" };
    let html = INDEX_HTML
        .replace("{{SESSION}}", session)
        .replace("{{PCSC_REMEDY}}", &escape_attribute(pcsc_remedy()));
    asset(html, "text/html; charset=utf-8")
}

pub async fn app_js() -> Response {
    asset(APP_JS, "text/javascript; charset=utf-8")
}

pub async fn app_css() -> Response {
    asset(APP_CSS, "text/css; charset=utf-8")
}

pub async fn icon_svg() -> Response {
    asset(ICON_SVG, "image/svg+xml")
}

#[cfg(test)]
mod tests;
