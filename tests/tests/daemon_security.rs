//! End to end: the local API's security and faces on a running agent. Foreign `Host` → 403;
//! a foreign `Origin` gets no CORS grant; holder names only with the token; `/metrics` parses
//! as Prometheus text; `/v1/openapi.json` is OpenAPI 3 listing every route; a taken port is a
//! clear message and exit code 4.

mod daemon_support;

use std::io::{Read, Write};
use std::net::TcpStream;

use cpx_testkit::{CardKind, InsertOptions, PrivatePcscd};
use daemon_support::*;
use serde_json::Value;

const ALLOWED: &str = "https://portail.example.fr";

fn raw_get(agent: &Agent, host: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(agent.addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn foreign_host_and_origin_are_refused_and_names_need_the_token() {
    let pcscd = PrivatePcscd::start(1).unwrap();
    let agent = Agent::start_with(&pcscd, &format!("allowed_origins = [\"{ALLOWED}\"]"), None);
    let _card = pcscd
        .insert(0, card(CardKind::Cde, Some(EJ)), InsertOptions::default())
        .unwrap();
    agent.wait_status("card judged", |s| judged_cards(s) == 1);

    let port = agent.addr.port();
    let evil = raw_get(&agent, &format!("evil.example:{port}"), "/v1/status");
    assert!(evil.starts_with("HTTP/1.1 403"), "{evil}");
    assert!(!evil.contains("DIRECTEUR-TEST"));
    let own = raw_get(&agent, &format!("localhost:{port}"), "/healthz");
    assert!(own.starts_with("HTTP/1.1 200"), "{own}");

    let foreign = agent
        .get("/v1/status")
        .header("Origin", "https://evil.example")
        .send()
        .unwrap();
    assert_eq!(foreign.status(), 403);
    assert!(foreign
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    let allowed = agent
        .get("/v1/status")
        .header("Origin", ALLOWED)
        .send()
        .unwrap();
    assert_eq!(allowed.status(), 200);
    assert_eq!(allowed.headers()["access-control-allow-origin"], ALLOWED);
    assert_eq!(allowed.headers()["x-content-type-options"], "nosniff");

    let anonymous = agent.get("/v1/status").send().unwrap().text().unwrap();
    let with_token = agent.get_auth("/v1/status").send().unwrap().text().unwrap();
    for personal in ["DIRECTEUR-TEST", "PAUL", "CDET0001"] {
        assert!(
            !anonymous.contains(personal),
            "{personal} without token: {anonymous}"
        );
        assert!(
            with_token.contains(personal),
            "{personal} with token: {with_token}"
        );
    }
    let wrong = agent
        .get("/v1/status")
        .bearer_auth("not-the-token")
        .send()
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let refresh_by_get = agent.get("/v1/refresh").send().unwrap();
    assert_eq!(refresh_by_get.status(), 405, "no state change on GET");
}

/// A minimal check of the Prometheus text exposition format: every line is a `# HELP`/`# TYPE`
/// comment or `name{label="value",…} number`, and every sample's family has a TYPE.
fn parse_prometheus(text: &str) -> Vec<(String, String, f64)> {
    let mut typed = std::collections::HashSet::new();
    let mut samples = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        if let Some(rest) = line.strip_prefix("# ") {
            let mut parts = rest.splitn(3, ' ');
            let (kind, name) = (parts.next().unwrap(), parts.next().expect("metric name"));
            assert!(kind == "HELP" || kind == "TYPE", "{line}");
            if kind == "TYPE" {
                let t = parts.next().expect("type");
                assert!(["gauge", "counter", "histogram", "summary", "untyped"].contains(&t));
                typed.insert(name.to_owned());
            }
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("sample value");
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("number in {line}"));
        let (name, labels) = match series.split_once('{') {
            Some((n, l)) => {
                let l = l.strip_suffix('}').expect("closing brace");
                for pair in l.split("\",").filter(|p| !p.is_empty()) {
                    let (k, v) = pair.split_once("=\"").expect("label=\"value\"");
                    assert!(
                        k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                        "{line}"
                    );
                    assert!(!v.contains('\n'));
                }
                (n, l.to_owned())
            }
            None => (series, String::new()),
        };
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "{line}"
        );
        assert!(typed.contains(name), "no TYPE for {name}");
        samples.push((name.to_owned(), labels, value));
    }
    samples
}

#[test]
fn metrics_are_prometheus_text_and_openapi_lists_every_route() {
    let pcscd = PrivatePcscd::start(2).unwrap();
    let agent = Agent::start(&pcscd);
    let _card = pcscd
        .insert(
            1,
            card(CardKind::Cpe, Some(OTHER_FINESS)),
            InsertOptions::default(),
        )
        .unwrap();
    agent.wait_status("card judged", |s| judged_cards(s) == 1);

    let response = agent.get("/metrics").send().unwrap();
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let samples = parse_prometheus(&response.text().unwrap());
    let value = |name: &str, labels: &str| {
        samples
            .iter()
            .find(|(n, l, _)| n == name && l == labels)
            .map(|s| s.2)
    };
    assert_eq!(value("cpx_readers", ""), Some(2.0));
    assert_eq!(value("cpx_service_up", ""), Some(1.0));
    assert_eq!(
        value("cpx_cards", "kind=\"CDE/CPE\",verdict=\"not_ready\""),
        Some(1.0)
    );
    let expiry = samples
        .iter()
        .find(|s| s.0 == "cpx_card_expiry_seconds")
        .expect("expiry of the card");
    assert!(expiry.2 > 0.0, "test cards are valid: {expiry:?}");
    assert!(value("cpx_api_requests_total", "").unwrap() >= 1.0);
    assert!(value("cpx_read_errors_total", "").is_some());

    let doc: Value = agent
        .get("/v1/openapi.json")
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3."),
        "OpenAPI 3"
    );
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let paths = doc["paths"].as_object().unwrap();
    for (route, method) in [
        ("/v1/status", "get"),
        ("/v1/readers", "get"),
        ("/v1/readers/{id}", "get"),
        ("/v1/events", "get"),
        ("/v1/refresh", "post"),
        ("/v1/session/otp", "post"),
        ("/v1/openapi.json", "get"),
        ("/healthz", "get"),
        ("/metrics", "get"),
        ("/v1/checklist", "get"),
        ("/v1/checklist/{id}", "post"),
        ("/v1/config", "post"),
        ("/v1/config/reload", "post"),
        ("/v1/finess/{number}", "get"),
        ("/v1/eligibility", "post"),
        ("/v1/journal", "get"),
        ("/v1/diagnostics", "get"),
    ] {
        let operation = &paths[route][method];
        assert!(operation["responses"].is_object(), "{method} {route}");
        // Each route listed actually answers (not 404).
        let url_path = route
            .replace("{id}", "nope")
            .replace("{number}", "750712184");
        // Routes that need a JSON body answer 400 to an empty one, with what to send.
        let needs_body = matches!(route, "/v1/config" | "/v1/eligibility");
        let code = if method == "get" {
            if route == "/v1/events" {
                continue;
            }
            // With the token: /v1/journal answers nothing without it.
            agent.get_auth(&url_path).send().unwrap().status()
        } else {
            reqwest::blocking::Client::new()
                .post(agent.url(&url_path))
                .bearer_auth(&agent.token)
                .send()
                .unwrap()
                .status()
        };
        assert!(
            code.is_success() || route.contains("{id}") || (needs_body && code == 400),
            "{route}: {code}"
        );
    }
    assert_eq!(
        paths.len(),
        17,
        "no undocumented or stale route: {:?}",
        paths.keys()
    );
    // Every reference resolves.
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "dangling $ref {name}"
        );
    }
}

#[test]
fn a_taken_port_is_a_clear_message_and_exit_code() {
    let pcscd = PrivatePcscd::start(1).unwrap();
    let first = Agent::start(&pcscd);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, format!("[api]\nlisten = \"{}\"\n", first.addr)).unwrap();
    let mut second = spawn_agent(&pcscd, dir.path(), &config);
    let status = second.wait().unwrap();
    let log = std::fs::read_to_string(dir.path().join("agent.log")).unwrap();
    assert_eq!(status.code(), Some(4), "{log}");
    assert!(log.contains("déjà utilisé"), "{log}");
}
