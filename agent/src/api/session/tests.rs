//! One-time codes and the session cookie, through the router (`oneshot`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use futures::StreamExt;
use tower::ServiceExt;

use super::*;
use crate::api::tests::sample_card;
use crate::api::{router, SecurityPolicy};
use crate::model::status::{CardView, ServiceState};
use crate::model::verdict::{Status, Verdict};
use crate::state::DaemonState;
use crate::token::Token;

const TOKEN: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const HOST: &str = "127.0.0.1:8787";
const COOKIE: &str = "cpx_session_8787";
const ALLOWED: &str = "http://localhost:3000";

struct Fixture {
    router: Router,
}

fn fixture_with(sessions: Sessions) -> Fixture {
    let listen: SocketAddr = HOST.parse().unwrap();
    let state = Arc::new(DaemonState::new(ServiceState::Running));
    state.reader_added("Reader A 00");
    let generation = state.card_inserted("Reader A 00", &[0x3B]);
    assert!(state.card_read(
        "Reader A 00",
        generation,
        CardView {
            card_id: None,
            report: sample_card("DUPONT", "0102"),
            verdict: Verdict {
                status: Status::Ready,
                findings: Vec::new(),
                directory_name: None,
            },
        }
    ));
    let mut ctx = ApiContext::new(
        state,
        Token::from_secret(TOKEN),
        SecurityPolicy::for_listen(listen, vec![ALLOWED.into()]),
        Arc::new(|| 0),
    );
    ctx.sessions = sessions;
    Fixture {
        router: router(Arc::new(ctx)),
    }
}

fn fixture() -> Fixture {
    fixture_with(Sessions::default())
}

struct Answer {
    code: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn send(f: &Fixture, request: Request<Body>) -> Answer {
    let response = f.router.clone().oneshot(request).await.unwrap();
    let code = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    Answer {
        code,
        headers,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}

fn request(method: &str, path: &str) -> axum::http::request::Builder {
    Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, HOST)
}

async fn new_code(f: &Fixture) -> OneTimeCode {
    let answer = send(
        f,
        request("POST", "/v1/session/otp")
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(answer.code, StatusCode::CREATED, "{}", answer.body);
    serde_json::from_str(&answer.body).unwrap()
}

async fn open(f: &Fixture, code: &str) -> Answer {
    send(
        f,
        request("GET", &format!("/session?code={code}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

/// A session cookie from a fresh one-time code, as `name=value`.
async fn session_cookie(f: &Fixture) -> String {
    let code = new_code(f).await;
    let answer = open(f, &code.code).await;
    assert_eq!(answer.code, StatusCode::SEE_OTHER);
    let set = answer.headers[header::SET_COOKIE].to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

async fn status_with(f: &Fixture, headers: &[(&str, &str)]) -> Answer {
    let mut builder = request("GET", "/v1/status");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    send(f, builder.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn a_code_opens_one_session_then_is_spent() {
    let f = fixture();
    let code = new_code(&f).await;
    assert_eq!(code.path, format!("/session?code={}", code.code));
    assert_eq!(code.expires_in_seconds, 60);
    assert_eq!(code.code.len(), 64);

    let first = open(&f, &code.code).await;
    assert_eq!(first.code, StatusCode::SEE_OTHER);
    assert_eq!(first.headers[header::LOCATION], "/");
    let cookie = first.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with(&format!("{COOKIE}=")), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(
        !cookie.contains(&code.code),
        "the session id is not the code"
    );

    let again = open(&f, &code.code).await;
    assert_eq!(again.code, StatusCode::FORBIDDEN);
    assert!(again.headers.get(header::SET_COOKIE).is_none());
    assert!(
        again.body.contains("Lien expiré ou déjà utilisé"),
        "{}",
        again.body
    );
    assert!(again.body.contains("cpx-agent open"));

    for bad in ["", "?code=", "?code=00", "?nothing=1"] {
        let answer = send(
            &f,
            request("GET", &format!("/session{bad}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(answer.code, StatusCode::FORBIDDEN, "{bad}");
    }
}

#[tokio::test]
async fn a_code_expires() {
    let f = fixture_with(Sessions::with_lifetimes(
        Duration::from_millis(50),
        SESSION_LIFETIME,
    ));
    let code = new_code(&f).await;
    tokio::time::sleep(Duration::from_millis(120)).await;
    let answer = open(&f, &code.code).await;
    assert_eq!(answer.code, StatusCode::FORBIDDEN);
    assert!(answer.headers.get(header::SET_COOKIE).is_none());
}

#[tokio::test]
async fn codes_need_the_token_itself() {
    let f = fixture();
    let cookie = session_cookie(&f).await;
    for auth in [None, Some("Bearer nope".to_string())] {
        let mut builder = request("POST", "/v1/session/otp").header(header::COOKIE, &cookie);
        if let Some(auth) = auth {
            builder = builder.header(header::AUTHORIZATION, auth);
        }
        let answer = send(&f, builder.body(Body::empty()).unwrap()).await;
        assert_eq!(answer.code, StatusCode::UNAUTHORIZED, "{}", answer.body);
        assert!(!answer.body.contains("code\":"));
    }
    // Not on GET either.
    let answer = send(
        &f,
        request("GET", "/v1/session/otp")
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(answer.code, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn the_cookie_shows_names_to_the_agents_own_page_only() {
    let f = fixture();
    let cookie = session_cookie(&f).await;

    let anonymous = status_with(&f, &[]).await;
    assert!(!anonymous.body.contains("DUPONT"));
    for own in [
        vec![("cookie", cookie.as_str())],
        vec![
            ("cookie", cookie.as_str()),
            ("origin", "http://127.0.0.1:8787"),
        ],
        vec![
            ("cookie", cookie.as_str()),
            ("sec-fetch-site", "same-origin"),
        ],
    ] {
        let answer = status_with(&f, &own).await;
        assert_eq!(answer.code, StatusCode::OK);
        assert!(
            answer.body.contains("DUPONT") && answer.body.contains("810001234567"),
            "{own:?}: {}",
            answer.body
        );
    }
    // A configured origin is served, but never with names through the user's cookie.
    let allowed = status_with(&f, &[("cookie", &cookie), ("origin", ALLOWED)]).await;
    assert_eq!(allowed.code, StatusCode::OK);
    assert!(!allowed.body.contains("DUPONT"), "{}", allowed.body);
    let cross = status_with(&f, &[("cookie", &cookie), ("sec-fetch-site", "same-site")]).await;
    assert!(!cross.body.contains("DUPONT"), "{}", cross.body);
    // A foreign origin is refused outright.
    let foreign = status_with(
        &f,
        &[("cookie", &cookie), ("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(foreign.code, StatusCode::FORBIDDEN);
    assert!(!foreign.body.contains("DUPONT"));
    // Forged, or meant for another agent's port.
    let value = cookie.split_once('=').unwrap().1;
    for other in [
        format!("{COOKIE}={}", "0".repeat(64)),
        format!("cpx_session_9999={value}"),
        format!("{COOKIE}="),
    ] {
        let answer = status_with(&f, &[("cookie", &other)]).await;
        assert!(!answer.body.contains("DUPONT"), "{other}");
    }
    // Among other cookies.
    let mixed = format!("theme=dark; {cookie}; lang=fr");
    assert!(status_with(&f, &[("cookie", &mixed)])
        .await
        .body
        .contains("DUPONT"));
    // The page says names are shown.
    let page = send(
        &f,
        request("GET", "/")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(page.body.contains("data-session=\"active\""));
}

#[tokio::test]
async fn the_event_stream_follows_the_cookie_too() {
    let f = fixture();
    let cookie = session_cookie(&f).await;
    for (with_cookie, names) in [(true, true), (false, false)] {
        let mut builder = request("GET", "/v1/events");
        if with_cookie {
            builder = builder.header(header::COOKIE, &cookie);
        }
        let response = f
            .router
            .clone()
            .oneshot(builder.body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let mut stream = response.into_body().into_data_stream();
        let first = stream.next().await.unwrap().unwrap();
        let text = String::from_utf8_lossy(&first);
        assert!(text.contains("event: snapshot"), "{text}");
        assert_eq!(text.contains("DUPONT"), names, "{text}");
    }
}

#[tokio::test]
async fn a_session_ends() {
    let f = fixture_with(Sessions::with_lifetimes(
        CODE_LIFETIME,
        Duration::from_millis(80),
    ));
    let cookie = session_cookie(&f).await;
    assert!(status_with(&f, &[("cookie", &cookie)])
        .await
        .body
        .contains("DUPONT"));
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert!(!status_with(&f, &[("cookie", &cookie)])
        .await
        .body
        .contains("DUPONT"));
}

#[test]
fn codes_and_sessions_are_bounded() {
    let sessions = Sessions::default();
    let codes: Vec<String> = (0..MAX_CODES + 4)
        .map(|_| sessions.issue_code().unwrap())
        .collect();
    assert_eq!(
        sessions.redeem(Some(&codes[0])),
        Err(Refused::Invalid),
        "the oldest code went"
    );
    let ids: Vec<String> = codes[4..]
        .iter()
        .map(|c| sessions.redeem(Some(c)).expect("live code"))
        .collect();
    assert!(ids.iter().all(|id| sessions.is_open(id)));
    for _ in 0..MAX_SESSIONS {
        let code = sessions.issue_code().unwrap();
        sessions.redeem(Some(&code)).unwrap();
    }
    assert!(!sessions.is_open(&ids[0]), "the oldest session went");
    assert_eq!(sessions.lock().sessions.len(), MAX_SESSIONS);
    assert!(!sessions.is_open(""));
}

#[tokio::test]
async fn wrong_codes_past_the_limit_are_answered_429_for_a_while() {
    let f = fixture();
    let live = new_code(&f).await;
    for i in 0..MAX_FAILED_CODES {
        let wrong = format!("{i:064x}");
        let answer = open(&f, &wrong).await;
        assert_eq!(answer.code, StatusCode::FORBIDDEN, "attempt {i}");
    }
    // Locked: even the live code is not looked at (and not spent).
    let locked = open(&f, &live.code).await;
    assert_eq!(
        locked.code,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.body
    );
    assert!(locked.headers.get(header::SET_COOKIE).is_none());
    let retry: u64 = locked.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=LOCKOUT.as_secs()).contains(&retry), "{retry}");
    assert!(locked.body.contains("<html lang=\"fr\">"));
    assert!(
        locked.body.contains("Trop de liens refusés"),
        "{}",
        locked.body
    );
    assert!(locked.body.contains("cpx-agent open"));
}

#[test]
fn the_lockout_ends_and_a_live_code_still_works() {
    let sessions = Sessions::default();
    let live = sessions.issue_code().unwrap();
    for _ in 0..MAX_FAILED_CODES {
        assert_eq!(sessions.redeem(Some("nope")), Err(Refused::Invalid));
    }
    assert!(matches!(
        sessions.redeem(Some(&live)),
        Err(Refused::TooManyAttempts { .. })
    ));
    // The lockout's end, as if its time had passed.
    sessions.lock().failures.locked_until = Some(Instant::now());
    let id = sessions
        .redeem(Some(&live))
        .expect("the live code, after the lockout");
    assert!(sessions.is_open(&id));
    // Failures spread over windows never lock.
    for _ in 0..3 {
        for _ in 0..MAX_FAILED_CODES - 1 {
            assert_eq!(sessions.redeem(None), Err(Refused::Invalid));
        }
        sessions.lock().failures.window_start = Instant::now().checked_sub(FAILURE_WINDOW);
    }
    let code = sessions.issue_code().unwrap();
    assert!(sessions.redeem(Some(&code)).is_ok());
}
