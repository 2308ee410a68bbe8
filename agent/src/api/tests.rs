//! Handler tests through `tower::ServiceExt::oneshot`, on synthetic state.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use cpx_card::{CardFamily, CardKind, CardReport, Holder, PersonIdType, PinState};
use futures::StreamExt;
use time::macros::datetime;
use tower::ServiceExt;

use super::*;
use crate::model::status::{CardView, ServiceState};
use crate::model::verdict::{Status, Verdict};

const TOKEN: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const HOST: &str = "127.0.0.1:8787";

pub(crate) fn sample_card(surname: &str, serial: &str) -> CardReport {
    CardReport {
        atr: "3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00".into(),
        family: CardFamily::Cps3,
        serial: Some(serial.into()),
        kind: CardKind::Cps,
        holder: Some(Holder {
            id: "810001234567".into(),
            id_type: PersonIdType::Rpps,
            surname: Some(surname.into()),
            given_name: Some("Anne".into()),
            title: Some("Médecin".into()),
            profession_code: Some(10),
        }),
        structure: None,
        card_number: Some("1234567890".into()),
        card_issuer: Some("8025000001".into()),
        not_before: Some(datetime!(2024-01-01 0:00 UTC)),
        not_after: Some(datetime!(2030-01-01 0:00 UTC)),
        pin_tries_left: Some(3),
        pin_state: Some(PinState::TriesLeft),
        trust: None,
        certificates: Vec::new(),
        disagreements: Vec::new(),
        apdu_count: 23,
        recognition_hint: Default::default(),
    }
}

fn verdict(status: Status) -> Verdict {
    Verdict {
        status,
        findings: Vec::new(),
        directory_name: None,
    }
}

struct Fixture {
    state: Arc<DaemonState>,
    router: Router,
    refreshes: Arc<AtomicUsize>,
}

fn fixture(origins: &[&str]) -> Fixture {
    let state = Arc::new(DaemonState::new(ServiceState::Running));
    let refreshes = Arc::new(AtomicUsize::new(0));
    let counter = refreshes.clone();
    let listen: SocketAddr = HOST.parse().unwrap();
    let ctx = Arc::new(ApiContext::new(
        state.clone(),
        Token::from_secret(TOKEN),
        SecurityPolicy::for_listen(listen, origins.iter().map(|o| o.to_string()).collect()),
        Arc::new(move || counter.fetch_add(1, Ordering::SeqCst) + 1),
    ));
    Fixture {
        state,
        router: router(ctx),
        refreshes,
    }
}

fn with_card(f: &Fixture, reader: &str, surname: &str, serial: &str) {
    f.state.reader_added(reader);
    let generation = f.state.card_inserted(reader, &[0x3B, 0xAC]);
    assert!(f.state.card_read(
        reader,
        generation,
        CardView {
            card_id: None,
            report: sample_card(surname, serial),
            verdict: verdict(Status::Ready),
        }
    ));
}

fn get(path: &str) -> axum::http::request::Builder {
    Request::get(path).header(header::HOST, HOST)
}

async fn send(f: &Fixture, request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = f.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn status_hides_holder_without_token_and_shows_it_with() {
    let f = fixture(&[]);
    with_card(&f, "Reader A 00", "DUPONT", "0102");
    let (code, headers, anonymous) = send(&f, get("/v1/status").body(Body::empty()).unwrap()).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    assert!(!anonymous.contains("DUPONT") && !anonymous.contains("810001234567"));
    assert!(anonymous.contains("Médecin"), "{anonymous}");
    let (code, _, full) = send(
        &f,
        get("/v1/status")
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    assert!(full.contains("DUPONT") && full.contains("810001234567"));
    let parsed: crate::model::status::StatusSnapshot = serde_json::from_str(&full).unwrap();
    assert_eq!(parsed.readers[0].id, "reader-a-00");
}

#[tokio::test]
async fn a_wrong_token_is_refused_not_silently_redacted() {
    let f = fixture(&[]);
    let (code, headers, body) = send(
        &f,
        get("/v1/status")
            .header(header::AUTHORIZATION, "Bearer nope")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    assert_eq!(headers[header::WWW_AUTHENTICATE], "Bearer");
    assert!(body.contains("bad_token"));
}

#[tokio::test]
async fn foreign_host_is_refused_with_security_headers() {
    let f = fixture(&[]);
    for host in ["evil.example:8787", "127.0.0.1:9999", "localhost"] {
        let request = Request::get("/v1/status")
            .header(header::HOST, host)
            .body(Body::empty())
            .unwrap();
        let (code, headers, body) = send(&f, request).await;
        assert_eq!(code, StatusCode::FORBIDDEN, "{host}");
        assert!(body.contains("foreign_host"));
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'"));
    }
    for host in ["localhost:8787", "[::1]:8787", "LOCALHOST:8787"] {
        let request = Request::get("/healthz")
            .header(header::HOST, host)
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&f, request).await.0, StatusCode::OK, "{host}");
    }
}

#[tokio::test]
async fn cors_only_for_exact_configured_origins() {
    let f = fixture(&["https://portail.example.fr"]);
    let (code, headers, _) = send(
        &f,
        get("/v1/status")
            .header(header::ORIGIN, "https://portail.example.fr")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(
        headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://portail.example.fr"
    );
    for foreign in [
        "https://evil.example",
        "https://portail.example.fr.evil.example",
        "http://portail.example.fr",
    ] {
        let (code, headers, _) = send(
            &f,
            get("/v1/status")
                .header(header::ORIGIN, foreign)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(code, StatusCode::FORBIDDEN, "{foreign}");
        assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    }
    // Preflight from the allowed origin.
    let (code, headers, _) = send(
        &f,
        Request::options("/v1/refresh")
            .header(header::HOST, HOST)
            .header(header::ORIGIN, "https://portail.example.fr")
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(code.is_success(), "{code}");
    assert_eq!(
        headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://portail.example.fr"
    );
}

#[tokio::test]
async fn refresh_only_on_post() {
    let f = fixture(&[]);
    let (code, _, _) = send(&f, get("/v1/refresh").body(Body::empty()).unwrap()).await;
    assert_eq!(code, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(f.refreshes.load(Ordering::SeqCst), 0);
    let request = Request::post("/v1/refresh")
        .header(header::HOST, HOST)
        .body(Body::empty())
        .unwrap();
    let (code, _, body) = send(&f, request).await;
    assert_eq!(code, StatusCode::ACCEPTED);
    assert_eq!(f.refreshes.load(Ordering::SeqCst), 1);
    assert!(body.contains("\"reads_queued\":1"), "{body}");
}

#[tokio::test]
async fn oversized_body_is_refused() {
    let f = fixture(&[]);
    let request = Request::post("/v1/refresh")
        .header(header::HOST, HOST)
        .header(header::CONTENT_LENGTH, MAX_BODY_BYTES + 1)
        .body(Body::from(vec![b'x'; MAX_BODY_BYTES + 1]))
        .unwrap();
    assert_eq!(send(&f, request).await.0, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn readers_by_id_and_unknown_reader() {
    let f = fixture(&[]);
    with_card(&f, "Reader B 01", "MARTIN", "0304");
    let (code, _, body) = send(
        &f,
        get("/v1/readers/reader-b-01").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    assert!(body.contains("\"name\":\"Reader B 01\"") && !body.contains("MARTIN"));
    let (code, _, body) = send(&f, get("/v1/readers").body(Body::empty()).unwrap()).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(
        serde_json::from_str::<Vec<serde_json::Value>>(&body)
            .unwrap()
            .len(),
        1
    );
    let (code, _, body) = send(&f, get("/v1/readers/nope").body(Body::empty()).unwrap()).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    assert!(body.contains("reader_not_found"));
}

#[tokio::test]
async fn metrics_count_readers_cards_and_expiry() {
    let f = fixture(&[]);
    with_card(&f, "Reader A 00", "DUPONT", "0102");
    f.state.reader_added("Reader C 02");
    let (code, headers, text) = send(&f, get("/metrics").body(Body::empty()).unwrap()).await;
    assert_eq!(code, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert!(text.contains("\ncpx_readers 2\n"), "{text}");
    assert!(
        text.contains("cpx_cards{kind=\"CPS\",verdict=\"ready\"} 1"),
        "{text}"
    );
    assert!(text.contains("cpx_card_expiry_seconds{reader=\"reader-a-00\",kind=\"CPS\"} "));
    assert!(text.contains("cpx_api_requests_total 1"), "{text}");
    assert!(!text.contains("DUPONT"));
}

#[tokio::test]
async fn openapi_lists_every_route() {
    let f = fixture(&[]);
    let (code, _, body) = send(&f, get("/v1/openapi.json").body(Body::empty()).unwrap()).await;
    assert_eq!(code, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/v1/status",
        "/v1/readers",
        "/v1/readers/{id}",
        "/v1/events",
        "/v1/refresh",
        "/v1/openapi.json",
        "/healthz",
        "/metrics",
        "/v1/journal",
        "/v1/diagnostics",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
    assert!(doc["paths"]["/v1/refresh"].get("post").is_some());
    assert!(doc["components"]["schemas"].get("StatusSnapshot").is_some());
}

/// Reads SSE frames from a streaming body until `count` events have arrived.
async fn sse_events(body: Body, count: usize) -> Vec<(String, Option<String>, String)> {
    let mut stream = body.into_data_stream();
    let mut text = String::new();
    let mut events = Vec::new();
    while events.len() < count {
        let chunk = tokio::time::timeout(Duration::from_secs(5), stream.next())
            .await
            .expect("SSE event in time")
            .expect("stream open")
            .unwrap();
        text.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = text.find("\n\n") {
            let frame: String = text.drain(..end + 2).collect();
            let (mut name, mut id, mut data) = (String::new(), None, String::new());
            for line in frame.lines() {
                if let Some(v) = line.strip_prefix("event: ") {
                    name = v.into();
                } else if let Some(v) = line.strip_prefix("id: ") {
                    id = Some(v.into());
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data = v.into();
                }
            }
            if !name.is_empty() {
                events.push((name, id, data));
            }
        }
    }
    events
}

#[tokio::test]
async fn sse_snapshot_first_then_numbered_events() {
    let f = fixture(&[]);
    f.state.reader_added("Reader A 00");
    let response = f
        .router
        .clone()
        .oneshot(get("/v1/events").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/event-stream"
    );
    let state = f.state.clone();
    tokio::spawn(async move {
        let generation = state.card_inserted("Reader A 00", &[0x3B]);
        state.card_read(
            "Reader A 00",
            generation,
            CardView {
                card_id: None,
                report: sample_card("DUPONT", "01"),
                verdict: verdict(Status::Ready),
            },
        );
        state.card_removed("Reader A 00");
    });
    let events = sse_events(response.into_body(), 4).await;
    let names: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        names,
        ["snapshot", "card_inserted", "card_read", "card_removed"]
    );
    let ids: Vec<u64> = events
        .iter()
        .map(|e| e.1.as_ref().unwrap().parse().unwrap())
        .collect();
    assert_eq!(ids, [1, 2, 3, 4]);
    assert!(events[0].2.contains("Reader A 00"));
    assert!(!events[2].2.contains("DUPONT"), "redacted without token");
}

#[tokio::test]
async fn sse_resumes_after_last_event_id_and_reports_a_gap() {
    let f = fixture(&[]);
    for i in 0..5 {
        f.state.reader_added(&format!("Reader {i}"));
    }
    let response = f
        .router
        .clone()
        .oneshot(
            get("/v1/events")
                .header("last-event-id", "3")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let events = sse_events(response.into_body(), 2).await;
    assert_eq!(events[0].1.as_deref(), Some("4"));
    assert_eq!(events[1].1.as_deref(), Some("5"));
    assert!(events.iter().all(|e| e.0 == "reader_added"));

    // Push the first events out of the log: resuming from them is a gap.
    for i in 0..crate::state::EVENT_LOG_CAPACITY {
        f.state.reader_removed(&format!("Reader {}", i % 5));
        f.state.reader_added(&format!("Reader {}", i % 5));
    }
    let response = f
        .router
        .clone()
        .oneshot(
            get("/v1/events")
                .header("last-event-id", "2")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let events = sse_events(response.into_body(), 2).await;
    assert_eq!(events[0].0, "gap");
    assert!(events[0].2.contains("/v1/status"));
    assert_eq!(events[1].0, "snapshot");
    assert_eq!(
        events[1].1.as_deref().unwrap(),
        f.state.last_event_id().to_string()
    );
}

#[tokio::test]
async fn anonymous_sse_clients_have_their_own_smaller_budget() {
    let f = fixture(&[]);
    let open_stream = |token: bool| {
        let mut request = get("/v1/events");
        if token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
        }
        f.router
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
    };
    let mut open = Vec::new();
    for _ in 0..MAX_ANONYMOUS_SSE_CLIENTS {
        let response = open_stream(false).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        open.push(response);
    }
    let (code, _, body) = send(&f, get("/v1/events").body(Body::empty()).unwrap()).await;
    assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("too_many_streams"));
    // Token holders (the tray, the page with a session) are not starved by them.
    for _ in 0..MAX_SSE_CLIENTS {
        let response = open_stream(true).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        open.push(response);
    }
    assert_eq!(
        open_stream(true).await.unwrap().status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    drop(open);
    let (code, _, _) = send(&f, get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(open_stream(false).await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn ambiguous_or_malformed_requests_are_refused() {
    let f = fixture(&["https://portail.example.fr"]);
    for (name, values) in [
        ("host", [HOST, "evil.example"]),
        ("host", [HOST, HOST]),
        ("origin", ["http://127.0.0.1:8787", "https://evil.example"]),
        ("sec-fetch-site", ["same-origin", "cross-site"]),
        ("authorization", ["Bearer a", "Bearer b"]),
    ] {
        let mut request = Request::get("/v1/status");
        if name != "host" {
            request = request.header(header::HOST, HOST);
        }
        for value in values {
            request = request.header(name, value);
        }
        let (code, headers, body) = send(&f, request.body(Body::empty()).unwrap()).await;
        assert_eq!(code, StatusCode::BAD_REQUEST, "{name} twice");
        assert!(body.contains("duplicate_header"), "{body}");
        assert_eq!(headers[header::CONNECTION], "close");
    }
    let latin1 = axum::http::HeaderValue::from_bytes(b"127.0.0.1\xe9:8787").unwrap();
    let request = Request::get("http://127.0.0.1:8787/v1/status")
        .header(header::HOST, latin1)
        .body(Body::empty())
        .unwrap();
    let (code, _, body) = send(&f, request).await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert!(body.contains("malformed_host"), "{body}");
}

#[tokio::test]
async fn an_absolute_form_target_must_name_the_agent() {
    let f = fixture(&[]);
    for (target, expected) in [
        ("http://evil.example:8787/v1/status", StatusCode::FORBIDDEN),
        ("https://127.0.0.1:8787/v1/status", StatusCode::FORBIDDEN),
        ("http://127.0.0.1:9999/v1/status", StatusCode::FORBIDDEN),
        ("http://127.0.0.1:8787/v1/status", StatusCode::OK),
        ("http://[::1]:8787/healthz", StatusCode::OK),
    ] {
        let request = Request::get(target)
            .header(header::HOST, HOST)
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&f, request).await.0, expected, "{target}");
    }
    // Without a Host header, the target's authority is the host.
    let request = Request::get("http://localhost:8787/healthz")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&f, request).await.0, StatusCode::OK);
}

#[tokio::test]
async fn names_the_agent_does_not_hold_are_refused() {
    let state = Arc::new(DaemonState::new(ServiceState::Running));
    let ctx = Arc::new(ApiContext::new(
        state,
        Token::from_secret(TOKEN),
        SecurityPolicy::for_port(8787, false, Vec::new()),
        Arc::new(|| 0),
    ));
    let app = router(ctx);
    for (host, expected) in [
        ("[::1]:8787", StatusCode::FORBIDDEN),
        ("127.0.0.1:8787", StatusCode::OK),
        ("localhost:8787", StatusCode::OK),
    ] {
        let request = Request::get("/healthz")
            .header(header::HOST, host)
            .body(Body::empty())
            .unwrap();
        let status = app.clone().oneshot(request).await.unwrap().status();
        assert_eq!(status, expected, "{host} on an agent without IPv6");
    }
}

#[tokio::test]
async fn cross_site_browser_requests_are_refused() {
    let f = fixture(&["https://portail.example.fr"]);
    for path in [
        "/v1/status",
        "/v1/events",
        "/",
        "/ui/app.js",
        "/healthz",
        "/metrics",
    ] {
        for site in ["cross-site", "same-site"] {
            let request = get(path)
                .header("sec-fetch-site", site)
                .body(Body::empty())
                .unwrap();
            let (code, headers, body) = send(&f, request).await;
            assert_eq!(code, StatusCode::FORBIDDEN, "{path} {site}");
            assert!(body.contains("cross_site"), "{body}");
            assert_eq!(headers["x-content-type-options"], "nosniff");
        }
        for site in ["same-origin", "none"] {
            let request = get(path)
                .header("sec-fetch-site", site)
                .body(Body::empty())
                .unwrap();
            let response = f.router.clone().oneshot(request).await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{path} {site}");
        }
    }
    let request = Request::post("/v1/refresh")
        .header(header::HOST, HOST)
        .header("sec-fetch-site", "cross-site")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&f, request).await.0, StatusCode::FORBIDDEN);
    assert_eq!(f.refreshes.load(Ordering::SeqCst), 0, "nothing queued");
    // A configured origin's CORS requests are cross-site by nature: allowed.
    let request = get("/v1/status")
        .header(header::ORIGIN, "https://portail.example.fr")
        .header("sec-fetch-site", "cross-site")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&f, request).await.0, StatusCode::OK);
}

#[tokio::test]
async fn routes_without_a_body_refuse_one() {
    let f = fixture(&[]);
    let chunks = futures::stream::iter(
        (0..16).map(|_| Ok::<_, std::io::Error>(axum::body::Bytes::from(vec![b'a'; 65536]))),
    );
    for (method, body) in [
        ("POST", Body::from("x")),
        ("POST", Body::from(vec![0u8; MAX_BODY_BYTES + 1])),
        ("POST", Body::from_stream(chunks)),
        ("GET", Body::from("{}")),
    ] {
        let path = if method == "POST" {
            "/v1/refresh"
        } else {
            "/v1/status"
        };
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, HOST)
            .body(body)
            .unwrap();
        let (code, _, answer) = send(&f, request).await;
        assert_eq!(code, StatusCode::PAYLOAD_TOO_LARGE, "{method} {path}");
        assert!(answer.contains("body_not_accepted"), "{answer}");
    }
    assert_eq!(f.refreshes.load(Ordering::SeqCst), 0, "nothing queued");
    let request = Request::post("/v1/refresh")
        .header(header::HOST, HOST)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&f, request).await.0, StatusCode::ACCEPTED);
}

/// A bench that says which caller it served.
struct FakeBench;

impl super::bench::Bench for FakeBench {
    fn journal(&self, since: Option<String>, kinds: Vec<String>) -> Result<String, String> {
        Ok(serde_json::json!({"since": since, "kinds": kinds}).to_string())
    }

    fn diagnostics(&self, authorised: bool, html: bool) -> String {
        if html {
            format!("<!DOCTYPE html><html lang=\"fr\"><p>{authorised}</p></html>")
        } else {
            serde_json::json!({ "authorised": authorised }).to_string()
        }
    }
}

fn bench_fixture() -> Router {
    let state = Arc::new(DaemonState::new(ServiceState::Running));
    let listen: SocketAddr = HOST.parse().unwrap();
    let ctx = ApiContext::new(
        state,
        Token::from_secret(TOKEN),
        SecurityPolicy::for_listen(listen, Vec::new()),
        Arc::new(|| 0),
    )
    .with_bench(Arc::new(FakeBench));
    router(Arc::new(ctx))
}

async fn send_to(
    router: &Router,
    request: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn the_journal_needs_the_token_and_the_report_redacts_without_it() {
    let r = bench_fixture();
    let (code, _, body) = send_to(&r, get("/v1/journal").body(Body::empty()).unwrap()).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    assert!(body.contains("token_required"), "{body}");
    let with = |path: &str| {
        get(path)
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .body(Body::empty())
            .unwrap()
    };
    let (code, _, body) = send_to(&r, with("/v1/journal?since=2026-01-31&kind=CPS,CDE/CPE")).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["since"], "2026-01-31T00:00:00Z");
    assert_eq!(v["kinds"], serde_json::json!(["CPS", "CDE/CPE"]));
    let (code, _, _) = send_to(&r, with("/v1/journal?since=demain")).await;
    assert_eq!(code, StatusCode::BAD_REQUEST);

    let (code, _, body) = send_to(&r, get("/v1/diagnostics").body(Body::empty()).unwrap()).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(body, r#"{"authorised":false}"#);
    let (_, _, body) = send_to(&r, with("/v1/diagnostics")).await;
    assert_eq!(body, r#"{"authorised":true}"#);
    let (code, headers, body) = send_to(
        &r,
        get("/v1/diagnostics?format=html")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    assert!(body.contains("<p>false</p>"));
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.starts_with("default-src 'none'") && !csp.contains("script-src"),
        "{csp}"
    );
    let (code, _, _) = send_to(
        &r,
        get("/v1/diagnostics?format=pdf")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
}

/// Found by Schemathesis: a query parameter given twice got axum's plain-text rejection, not
/// the documented JSON error.
#[tokio::test]
async fn a_query_parameter_twice_is_a_json_bad_request() {
    let r = bench_fixture();
    for path in [
        "/v1/diagnostics?format=null&format=null",
        "/v1/journal?since=null&since=null",
    ] {
        let request = get(path)
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .body(Body::empty())
            .unwrap();
        let (code, headers, body) = send_to(&r, request).await;
        assert_eq!(code, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert_eq!(headers[header::CONTENT_TYPE], "application/json", "{path}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["error"], "bad_request", "{path}");
    }
}
