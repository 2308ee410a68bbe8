//! The page through the router (`oneshot`): French, self-contained, strict CSP, its assets
//! served, the session flag, same-origin refresh.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use tower::ServiceExt;

use super::*;
use crate::api::{router, SecurityPolicy};
use crate::model::status::ServiceState;
use crate::state::DaemonState;
use crate::token::Token;

const TOKEN: &str = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
const HOST: &str = "127.0.0.1:8787";

fn app() -> Router {
    let listen: SocketAddr = HOST.parse().unwrap();
    router(Arc::new(ApiContext::new(
        Arc::new(DaemonState::new(ServiceState::Running)),
        Token::from_secret(TOKEN),
        SecurityPolicy::for_listen(listen, vec!["https://portail.example.fr".into()]),
        Arc::new(|| 2),
    )))
}

async fn send(request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = app().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

fn get(path: &str) -> Request<Body> {
    Request::get(path)
        .header(header::HOST, HOST)
        .body(Body::empty())
        .unwrap()
}

/// `src="…"` and `href="…"` values of the page.
fn references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        for part in html.split(attribute).skip(1) {
            found.push(part.split('"').next().unwrap().to_owned());
        }
    }
    found
}

#[tokio::test]
async fn the_page_is_french_html_under_a_strict_policy() {
    let (code, headers, html) = send(get("/")).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert_eq!(headers["content-security-policy"], PAGE_CSP);
    assert!(PAGE_CSP.contains("script-src 'self'") && !PAGE_CSP.contains("unsafe"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(html.contains("<html lang=\"fr\">"));
    assert!(html.contains("Relire les cartes"));
    assert!(html.contains("aria-live=\"polite\""));
    // Nothing inline for the CSP to block, nothing fetched from elsewhere.
    assert!(!html.contains("<script>") && !html.contains("<style") && !html.contains(" style="));
    assert!(!html.contains(" on"), "no inline event handler");
    let refs = references(&html);
    assert!(refs.len() >= 3, "{refs:?}");
    for r in &refs {
        assert!(r.starts_with('/') && !r.starts_with("//"), "external: {r}");
    }
    assert!(!html.contains("{{"), "template left: {html}");
}

#[tokio::test]
async fn every_asset_the_page_names_is_served_with_its_type() {
    let (_, _, html) = send(get("/")).await;
    for path in references(&html) {
        if path == "/v1/diagnostics?format=html" {
            // The report comes from the daemon's bench (api/tests.rs, bench_report_chromium).
            continue;
        }
        let (code, headers, body) = send(get(&path)).await;
        assert_eq!(code, StatusCode::OK, "{path}");
        assert!(!body.is_empty(), "{path}");
        let expected = match path.rsplit('.').next().unwrap() {
            "js" => "text/javascript; charset=utf-8",
            "css" => "text/css; charset=utf-8",
            "svg" => "image/svg+xml",
            "/v1/status" => "application/json",
            other => panic!("unexpected asset type {other} ({path})"),
        };
        assert_eq!(headers[header::CONTENT_TYPE], expected, "{path}");
    }
}

#[tokio::test]
async fn the_script_never_writes_markup_from_data() {
    let (_, _, js) = send(get("/ui/app.js")).await;
    for sink in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
    ] {
        assert!(!js.contains(sink), "{sink} in app.js");
    }
    // It follows the event stream and re-reads the status.
    assert!(js.contains("new EventSource('/v1/events')"));
    assert!(js.contains("fetch('/v1/status'"));
    assert!(js.contains("fetch('/v1/refresh', { method: 'POST' })"));
}

#[tokio::test]
async fn the_page_knows_whether_names_can_be_shown() {
    let (_, _, anonymous) = send(get("/")).await;
    assert!(anonymous.contains("data-session=\"none\""));
    let mut with_token = get("/");
    with_token.headers_mut().insert(
        header::AUTHORIZATION,
        format!("Bearer {TOKEN}").parse().unwrap(),
    );
    let (code, _, html) = send(with_token).await;
    assert_eq!(code, StatusCode::OK);
    assert!(html.contains("data-session=\"active\""));
}

#[test]
fn the_pcsc_remedy_is_escaped_into_its_attribute() {
    assert_eq!(
        escape_attribute("a \"b\" <c> & d"),
        "a &quot;b&quot; &lt;c&gt; &amp; d"
    );
    assert!(!escape_attribute(pcsc_remedy()).contains('"'));
}

#[tokio::test]
async fn the_refresh_button_is_accepted_from_the_page_itself_only() {
    for (origin, expected) in [
        ("http://127.0.0.1:8787", StatusCode::ACCEPTED),
        ("http://localhost:8787", StatusCode::ACCEPTED),
        ("http://127.0.0.1:9999", StatusCode::FORBIDDEN),
        ("https://evil.example", StatusCode::FORBIDDEN),
    ] {
        let request = Request::post("/v1/refresh")
            .header(header::HOST, HOST)
            .header(header::ORIGIN, origin)
            .body(Body::empty())
            .unwrap();
        let (code, _, body) = send(request).await;
        assert_eq!(code, expected, "{origin}: {body}");
        if expected == StatusCode::ACCEPTED {
            assert!(body.contains("\"reads_queued\":2"), "{body}");
        }
    }
}
