//! End to end (issue 9 §3, §4): the request forms a hostile page, process or client would
//! send, on raw sockets (a client library would normalise them), against the real agent:
//! absolute-form targets naming another authority, two `Host` / `Origin` / `Sec-Fetch-Site` /
//! `Authorization` headers, a `Host` that is not ASCII, bodies on routes that take none
//! (`Content-Length` or chunked, 1 MB), `Sec-Fetch-Site: cross-site` and `same-site` on every
//! route, the SSE budget kept for token holders, and the one-time link's attempt limit.

mod daemon_support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use cpx_testkit::PrivatePcscd;
use daemon_support::*;

const ALLOWED: &str = "https://portail.example.fr";

fn request(agent: &Agent, head: &str) -> String {
    raw_request(
        agent.addr,
        format!("{head}Connection: close\r\n\r\n").as_bytes(),
    )
}

#[test]
fn request_forms_are_checked() {
    let pcscd = PrivatePcscd::start(1).unwrap();
    let agent = Agent::start_with(&pcscd, &format!("allowed_origins = [\"{ALLOWED}\"]"), None);
    let host = agent.addr.to_string();
    let port = agent.addr.port();

    // Absolute-form targets: the authority must be ours too.
    for (target, expected) in [
        (format!("http://evil.example:{port}/v1/status"), 403),
        (format!("http://{host}.evil.example/v1/status"), 403),
        (format!("https://{host}/v1/status"), 403),
        (format!("http://{host}/v1/status"), 200),
        (format!("http://localhost:{port}/healthz"), 200),
    ] {
        let answer = request(
            &agent,
            &format!("GET {target} HTTP/1.1\r\nHost: {host}\r\n"),
        );
        assert_eq!(status_code(&answer), expected, "{target}: {answer}");
    }

    // One Host, Origin, Sec-Fetch-Site, Authorization: two are refused, whatever their values.
    let own_origin = format!("http://{host}");
    for (name, first, second) in [
        ("Host", host.as_str(), "evil.example"),
        ("Host", host.as_str(), host.as_str()),
        ("Origin", own_origin.as_str(), "https://evil.example"),
        ("Origin", ALLOWED, own_origin.as_str()),
        ("Sec-Fetch-Site", "same-origin", "cross-site"),
        ("Sec-Fetch-Site", "none", "none"),
        ("Authorization", "Bearer x", "Bearer y"),
    ] {
        let extra_host = if name == "Host" {
            String::new()
        } else {
            format!("Host: {host}\r\n")
        };
        let answer = request(
            &agent,
            &format!(
                "GET /v1/status HTTP/1.1\r\n{extra_host}{name}: {first}\r\n{name}: {second}\r\n"
            ),
        );
        assert_eq!(status_code(&answer), 400, "two {name}: {answer}");
        assert!(answer.contains("duplicate_header"), "{answer}");
    }

    // A Host that is not ASCII (Latin-1 bytes) is refused, not read as the target's host.
    let mut bytes = format!("GET http://{host}/v1/status HTTP/1.1\r\nHost: ").into_bytes();
    bytes.extend_from_slice(b"127.0.0.1\xe9:");
    bytes.extend_from_slice(format!("{port}\r\nConnection: close\r\n\r\n").as_bytes());
    let answer = raw_request(agent.addr, &bytes);
    assert_eq!(status_code(&answer), 400, "{answer}");
    assert!(answer.contains("malformed_host"), "{answer}");

    // Bodies: no route takes one, whatever the framing.
    let refresh = format!("POST /v1/refresh HTTP/1.1\r\nHost: {host}\r\n");
    let answer = request(&agent, &refresh);
    assert_eq!(status_code(&answer), 202, "no body: {answer}");
    let answer = request(&agent, &format!("{refresh}Content-Length: 0\r\n"));
    assert_eq!(status_code(&answer), 202, "empty body: {answer}");
    let answer = raw_request(
        agent.addr,
        format!("{refresh}Content-Length: 1\r\nConnection: close\r\n\r\nx").as_bytes(),
    );
    assert_eq!(status_code(&answer), 413, "one byte: {answer}");
    assert!(answer.contains("body_not_accepted"), "{answer}");
    let answer = raw_request(
        agent.addr,
        format!("{refresh}Content-Length: 20000\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    assert_eq!(status_code(&answer), 413, "announced 20 kB: {answer}");
    // 1 MB chunked (in 64 kB chunks), written while the answer is read.
    let mut stream = TcpStream::connect(agent.addr).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    write!(
        stream,
        "{refresh}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let writer = {
        let mut stream = stream.try_clone().unwrap();
        std::thread::spawn(move || {
            let chunk = vec![b'a'; 64 * 1024];
            for _ in 0..16 {
                let sent = write!(stream, "{:x}\r\n", chunk.len())
                    .and_then(|_| stream.write_all(&chunk))
                    .and_then(|_| stream.write_all(b"\r\n"));
                if sent.is_err() {
                    return;
                }
            }
            let _ = stream.write_all(b"0\r\n\r\n");
        })
    };
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert_eq!(status_code(&answer), 413, "1 MB chunked: {answer}");
    let _ = writer.join();
    // A GET with a body is refused as well.
    let answer = raw_request(
        agent.addr,
        format!(
            "GET /v1/status HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n\
             Connection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
        )
        .as_bytes(),
    );
    assert_eq!(status_code(&answer), 413, "{answer}");
    let readers = agent.get("/v1/readers").send().unwrap();
    assert_eq!(readers.status(), 200, "the agent serves on");
}

#[test]
fn cross_site_browser_requests_are_refused_on_every_route() {
    let pcscd = PrivatePcscd::start(1).unwrap();
    let agent = Agent::start_with(&pcscd, &format!("allowed_origins = [\"{ALLOWED}\"]"), None);
    let host = agent.addr.to_string();
    let routes = [
        ("GET", "/"),
        ("GET", "/ui/app.js"),
        ("GET", "/ui/app.css"),
        ("GET", "/ui/icon.svg"),
        ("GET", "/v1/status"),
        ("GET", "/v1/readers"),
        ("GET", "/v1/readers/nope"),
        ("GET", "/v1/events"),
        ("GET", "/v1/openapi.json"),
        ("GET", "/healthz"),
        ("GET", "/metrics"),
        ("GET", "/session?code=00"),
        ("POST", "/v1/refresh"),
        ("POST", "/v1/session/otp"),
        ("GET", "/nope"),
    ];
    for (method, path) in routes {
        let head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\n");
        for site in ["cross-site", "same-site", "Cross-Site", "bogus"] {
            // A no-cors request from a hostile page carries no Origin.
            let answer = request(&agent, &format!("{head}Sec-Fetch-Site: {site}\r\n"));
            assert_eq!(
                status_code(&answer),
                403,
                "{method} {path} {site}: {answer}"
            );
            assert!(answer.contains("\"error\":\"cross_site\""), "{answer}");
            assert!(answer.contains("nosniff"), "security headers: {answer}");
        }
        for site in ["same-origin", "none"] {
            let head = format!("{head}Sec-Fetch-Site: {site}\r\n");
            if path == "/v1/events" {
                let answer = raw_request_head(&agent, &head);
                assert_eq!(status_code(&answer), 200, "{site}: {answer}");
            } else {
                let answer = request(&agent, &head);
                assert_ne!(status_code(&answer), 0, "{method} {path} {site}");
                assert!(
                    !answer.contains("\"error\":\"cross_site\""),
                    "{method} {path} {site}: {answer}"
                );
            }
        }
    }
    // A configured origin's own CORS requests are cross-site, and allowed.
    let answer = request(
        &agent,
        &format!(
            "GET /v1/status HTTP/1.1\r\nHost: {host}\r\nOrigin: {ALLOWED}\r\n\
             Sec-Fetch-Site: cross-site\r\n"
        ),
    );
    assert_eq!(status_code(&answer), 200, "{answer}");
    assert!(answer
        .to_ascii_lowercase()
        .contains(&format!("access-control-allow-origin: {ALLOWED}")));
}

/// The head of an answer that may be a stream (`/v1/events`): read until the blank line.
fn raw_request_head(agent: &Agent, head: &str) -> String {
    let mut stream = TcpStream::connect(agent.addr).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    write!(stream, "{head}Connection: close\r\n\r\n").unwrap();
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !seen.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => seen.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&seen).into_owned()
}

/// Opens `/v1/events` and returns the stream once its head arrived, with the status code.
fn open_stream(agent: &Agent, token: Option<&str>) -> (TcpStream, u16) {
    let mut stream = TcpStream::connect(agent.addr).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    write!(
        stream,
        "GET /v1/events HTTP/1.1\r\nHost: {}\r\n{auth}\r\n",
        agent.addr
    )
    .unwrap();
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !seen.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => seen.push(byte[0]),
            _ => break,
        }
    }
    let code = status_code(&String::from_utf8_lossy(&seen));
    (stream, code)
}

#[test]
fn anonymous_streams_cannot_take_the_token_holders_slots() {
    let pcscd = PrivatePcscd::start(1).unwrap();
    let agent = Agent::start(&pcscd);
    // What a local process (or, before the Sec-Fetch-Site rule, a hostile page) could open.
    let mut anonymous = Vec::new();
    for i in 0.. {
        let (stream, code) = open_stream(&agent, None);
        if code != 200 {
            assert_eq!(code, 503, "stream {i}");
            assert_eq!(i, 16, "the anonymous budget");
            break;
        }
        anonymous.push(stream);
        assert!(i < 64, "anonymous streams are bounded");
    }
    // The tray and the page with a session still get theirs: 32 of them.
    let mut holders = Vec::new();
    for i in 0..32 {
        let (stream, code) = open_stream(&agent, Some(&agent.token));
        assert_eq!(code, 200, "token holder's stream {i}");
        holders.push(stream);
    }
    let (_, code) = open_stream(&agent, Some(&agent.token));
    assert_eq!(code, 503, "the token holders' budget is bounded too");
    // An anonymous stream closed frees its slot.
    drop(anonymous.pop());
    std::thread::sleep(Duration::from_millis(200));
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let (_stream, code) = open_stream(&agent, None);
        if code == 200 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "slot never freed");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn wrong_one_time_codes_are_limited() {
    let pcscd = PrivatePcscd::start(1).unwrap();
    let agent = Agent::start(&pcscd);
    let host = agent.addr.to_string();
    let open = |code: &str| {
        request(
            &agent,
            &format!("GET /session?code={code} HTTP/1.1\r\nHost: {host}\r\n"),
        )
    };
    let answer: serde_json::Value = reqwest::blocking::Client::new()
        .post(agent.url("/v1/session/otp"))
        .bearer_auth(&agent.token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let live = answer["code"].as_str().unwrap().to_owned();
    for i in 0..10 {
        let answer = open(&format!("{i:064x}"));
        assert_eq!(status_code(&answer), 403, "wrong code {i}: {answer}");
    }
    for code in ["0".repeat(64), live.clone()] {
        let answer = open(&code);
        assert_eq!(status_code(&answer), 429, "{answer}");
        assert!(
            answer.to_ascii_lowercase().contains("retry-after: "),
            "{answer}"
        );
        assert!(answer.contains("<html lang=\"fr\">"), "{answer}");
        assert!(answer.contains("Trop de liens refusés"), "{answer}");
        assert!(
            !answer.to_ascii_lowercase().contains("set-cookie"),
            "{answer}"
        );
    }
    let log = agent.stderr();
    assert!(log.contains("trop de liens de session invalides"), "{log}");
}
