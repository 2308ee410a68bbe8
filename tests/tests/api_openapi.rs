//! The API against its own description (`GET /v1/openapi.json`), on the real agent with
//! emulated cards in a private pcscd (a CDE on the contract's EJ, a CPE elsewhere, a CPS, and a
//! card whose truncated answer is a `read_error`): Schemathesis (PyPI), driven by the document,
//! every operation but the endless event stream, without and with the token. Checks: all of
//! Schemathesis's (no 5xx, every answer's status documented, its body valid against its schema,
//! its content type and documented headers, schema-invalid requests refused, methods not
//! allowed answered 405, authentication not ignored…) but `positive_data_acceptance` (see
//! below). `CPX_SCHEMATHESIS_CHECKS` and `CPX_SCHEMATHESIS_EXCLUDE` replace the lists.
//!
//! A plain test beside it (`every_documented_status_is_answered_and_every_answer_documented`)
//! holds the document to what the agent answers, status by status.
//!
//! Ignored by `cargo test`: it needs Schemathesis, which `tests/run` installs in a venv and
//! passes as `CPX_SCHEMATHESIS`. `CPX_SCHEMATHESIS_EXAMPLES` (default 30) and
//! `CPX_SCHEMATHESIS_SECONDS` (default none) size the run; its figures are printed.

mod daemon_support;

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use cpx_testkit::{CardKind, Faults, InsertOptions, InsertedCard, PrivatePcscd};
use daemon_support::*;
use serde_json::json;

const ALLOWED_ORIGIN: &str = "https://portail.example.fr";

/// A private pcscd with four readers: a CDE on the contract's EJ, a CPE elsewhere, a CPS, and a
/// card giving a truncated answer (a `read_error`); the agent on them, every card read.
fn agent_with_cards() -> (PrivatePcscd, Vec<InsertedCard>, Agent) {
    let pcscd = PrivatePcscd::start(4).unwrap();
    let mut cards = vec![
        pcscd
            .insert(0, card(CardKind::Cde, Some(EJ)), InsertOptions::default())
            .unwrap(),
        pcscd
            .insert(
                1,
                card(CardKind::Cpe, Some(OTHER_FINESS)),
                InsertOptions::default(),
            )
            .unwrap(),
        pcscd
            .insert(2, card(CardKind::Cps, None), InsertOptions::default())
            .unwrap(),
    ];
    let garbage = InsertOptions {
        faults: Faults {
            truncated_at: Some(5),
            ..Faults::default()
        },
        ..InsertOptions::default()
    };
    cards.push(pcscd.insert(3, card(CardKind::Cpa, None), garbage).unwrap());
    let agent = Agent::start_with(
        &pcscd,
        &format!("allowed_origins = [\"{ALLOWED_ORIGIN}\"]"),
        None,
    );
    agent.wait_status("three cards judged and one read error", |s| {
        judged_cards(s) == 3
            && s["readers"]
                .as_array()
                .is_some_and(|r| r.iter().any(|r| r["read_error"].is_object()))
    });
    (pcscd, cards, agent)
}

/// Schemathesis's command (`CPX_SCHEMATHESIS`).
fn schemathesis() -> PathBuf {
    PathBuf::from(
        std::env::var_os("CPX_SCHEMATHESIS")
            .expect("CPX_SCHEMATHESIS: the schemathesis command (tests/run installs it in a venv)"),
    )
}

#[test]
#[ignore = "needs Schemathesis (PyPI): tests/run installs it and runs this test"]
fn schemathesis_finds_nothing() {
    let (_pcscd, _cards, agent) = agent_with_cards();
    let st = schemathesis();
    let examples = std::env::var("CPX_SCHEMATHESIS_EXAMPLES").unwrap_or_else(|_| "30".into());
    let seconds = std::env::var("CPX_SCHEMATHESIS_SECONDS").ok();
    // Every check but `positive_data_acceptance`: it expects any request valid per the schema
    // to be accepted, and three rules cannot be written in JSON Schema (a FINESS number's Luhn
    // key, a tick's EG that must be one of the contract's, a date not in the future).
    let checks = std::env::var("CPX_SCHEMATHESIS_CHECKS").unwrap_or_else(|_| "all".into());
    let excluded = std::env::var("CPX_SCHEMATHESIS_EXCLUDE")
        .unwrap_or_else(|_| "positive_data_acceptance".into());
    let reports = tempfile::tempdir().unwrap();
    let schema = agent.url("/v1/openapi.json");
    let bearer = format!("Authorization: Bearer {}", agent.token);
    let mut failed = Vec::new();
    for (name, auth) in [
        ("without the token", None),
        ("with the token", Some(&bearer)),
    ] {
        let started = Instant::now();
        let mut cmd = Command::new(&st);
        cmd.arg("run")
            .arg(&schema)
            .args(["--checks", &checks])
            .args(["--exclude-checks", &excluded])
            .args(["--max-examples", &examples])
            .args(["--seed", "1"])
            // One worker: with two, Python 3.11's `ast` (Hypothesis describing its lambdas in
            // threads) fails now and then ("AST constructor recursion depth mismatch").
            .args(["--workers", "1"])
            .args(["--request-timeout", "10"])
            // The event stream never ends: the other test calls it.
            .args(["--exclude-path", "/v1/events"])
            .args(["--report", "ndjson"])
            .arg("--report-ndjson-path")
            .arg(
                reports
                    .path()
                    .join(format!("{}.ndjson", name.replace(' ', "-"))),
            )
            // Schemathesis keeps a cache (.schemathesis/) in its working directory.
            .current_dir(reports.path())
            .env("NO_COLOR", "1")
            .env("SCHEMATHESIS_TELEMETRY", "false");
        if let Some(s) = &seconds {
            cmd.args(["--max-time", s]);
        }
        if let Some(h) = auth {
            cmd.args(["--header", h]);
        }
        let out = cmd.output().expect("run schemathesis");
        let stdout = String::from_utf8_lossy(&out.stdout);
        // The summary: the last lines say what was tested and what failed.
        let summary: Vec<&str> = stdout
            .lines()
            .filter(|l| {
                l.contains("passed")
                    || l.contains("failed")
                    || l.contains("test cases")
                    || l.contains("operations")
                    || l.contains("API probing")
                    || l.contains("Seed")
            })
            .collect();
        println!(
            "schemathesis {name} ({:.0} s):\n  {}",
            started.elapsed().as_secs_f64(),
            summary.join("\n  ")
        );
        if !out.status.success() {
            failed.push(format!(
                "{name}: exit {:?}\n{stdout}\n{}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(
        agent
            .get("/healthz")
            .send()
            .is_ok_and(|r| r.status() == 200),
        "the agent still answers"
    );
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

/// One request of the status census: the operation it exercises (method and path template as
/// the document writes them) and how it is made.
struct Probe {
    method: &'static str,
    template: String,
    path: String,
    headers: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
}

impl Probe {
    fn new(method: &'static str, template: &str, path: &str) -> Probe {
        Probe {
            method,
            template: template.to_owned(),
            path: path.to_owned(),
            headers: Vec::new(),
            body: None,
        }
    }

    fn header(mut self, name: &'static str, value: &str) -> Probe {
        self.headers.push((name, value.to_owned()));
        self
    }

    fn token(self, agent: &Agent) -> Probe {
        let bearer = format!("Bearer {}", agent.token);
        self.header("authorization", &bearer)
    }

    fn json(self, body: serde_json::Value) -> Probe {
        let mut probe = self.header("content-type", "application/json");
        probe.body = Some(body.to_string().into_bytes());
        probe
    }

    fn body(mut self, body: Vec<u8>) -> Probe {
        self.body = Some(body);
        self
    }

    /// Sends it; the answer's status (the body is not read: the event stream never ends).
    fn send(&self, agent: &Agent) -> reqwest::blocking::Response {
        let method = reqwest::Method::from_bytes(self.method.as_bytes()).unwrap();
        let mut headers = reqwest::header::HeaderMap::new();
        for (name, value) in &self.headers {
            // `append`: a header given twice is sent twice.
            headers.append(*name, value.parse().unwrap());
        }
        let mut request = agent
            .http()
            .request(method, agent.url(&self.path))
            .headers(headers);
        if let Some(body) = &self.body {
            request = request.body(body.clone());
        }
        request.send().expect("an answer")
    }
}

/// The (method, path template, status) triples the document lists.
fn documented(doc: &serde_json::Value) -> std::collections::BTreeSet<(String, String, u16)> {
    let mut out = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().unwrap() {
            for status in operation["responses"].as_object().unwrap().keys() {
                out.insert((
                    method.to_uppercase(),
                    path.clone(),
                    status.parse().expect("numeric status"),
                ));
            }
        }
    }
    out
}

/// The document says neither more nor less than the agent does: every status it lists for an
/// operation is answered by the real agent to some request below, and every answer to these
/// requests — the guard's refusals included (foreign `Origin`, a header twice, a body where none
/// is taken, a wrong token) — is listed for its operation. Stores that cannot be opened (503)
/// are a second agent whose data files are directories.
#[test]
fn every_documented_status_is_answered_and_every_answer_documented() {
    use std::collections::BTreeSet;
    let (_pcscd, _cards, agent) = agent_with_cards();
    let doc: serde_json::Value = agent
        .get("/v1/openapi.json")
        .send()
        .unwrap()
        .json()
        .unwrap();
    let listed = documented(&doc);
    let status = agent.status(true);
    let reader = status["readers"][0]["id"].as_str().unwrap().to_owned();
    let reader_path = format!("/v1/readers/{}", url_escape(&reader));

    // Requests that every operation gets: a foreign page, a header twice, a wrong token, a
    // body (a byte where none is taken, more than the cap where JSON is).
    let operations: BTreeSet<(String, String)> = listed
        .iter()
        .map(|(m, p, _)| (m.clone(), p.clone()))
        .collect();
    let concrete = |template: &str| -> String {
        template
            .replace("/v1/readers/{id}", &reader_path)
            .replace("{id}", "contract_sent")
            .replace("{number}", EJ)
    };
    let mut probes = Vec::new();
    for (method, template) in &operations {
        let method: &'static str = if method == "GET" { "GET" } else { "POST" };
        let path = concrete(template);
        let takes_json = method == "POST"
            && (template == "/v1/config"
                || template == "/v1/eligibility"
                || template == "/v1/checklist/{id}");
        probes.push(Probe::new(method, template, &path).header("origin", "https://pirate.example"));
        probes.push(
            Probe::new(method, template, &path)
                .header("origin", ALLOWED_ORIGIN)
                .header("origin", ALLOWED_ORIGIN),
        );
        probes.push(
            Probe::new(method, template, &path).header("authorization", "Bearer pas-le-jeton"),
        );
        // Refused before it is read: the connection is not one to use again.
        probes.push(
            Probe::new(method, template, &path)
                .header("connection", "close")
                .body(if takes_json {
                    vec![b' '; 64 * 1024]
                } else {
                    b"x".to_vec()
                }),
        );
    }

    // What each operation is for, and its own refusals.
    let contract = json!({"mode": "centralised", "ej": EJ});
    probes.extend([
        Probe::new("GET", "/v1/status", "/v1/status"),
        Probe::new("GET", "/v1/readers", "/v1/readers"),
        Probe::new("GET", "/v1/readers/{id}", &reader_path),
        Probe::new("GET", "/v1/readers/{id}", "/v1/readers/Lecteur%20inconnu"),
        Probe::new("GET", "/v1/events", "/v1/events"),
        Probe::new("POST", "/v1/refresh", "/v1/refresh"),
        Probe::new("POST", "/v1/session/otp", "/v1/session/otp").token(&agent),
        Probe::new("POST", "/v1/session/otp", "/v1/session/otp"),
        Probe::new("GET", "/v1/checklist", "/v1/checklist"),
        Probe::new("POST", "/v1/checklist/{id}", "/v1/checklist/contract_sent")
            .token(&agent)
            .json(json!({"done": true, "note": "copie au secrétariat"})),
        Probe::new("POST", "/v1/checklist/{id}", "/v1/checklist/pas_une_etape")
            .token(&agent)
            .json(json!({"done": true})),
        Probe::new("POST", "/v1/checklist/{id}", "/v1/checklist/contract_sent")
            .json(json!({"done": true})),
        Probe::new("POST", "/v1/config", "/v1/config")
            .token(&agent)
            .json(contract.clone()),
        Probe::new("POST", "/v1/config", "/v1/config")
            .token(&agent)
            .json(json!({"mode": "au hasard", "ej": EJ})),
        Probe::new("POST", "/v1/config", "/v1/config").json(contract),
        Probe::new("POST", "/v1/config/reload", "/v1/config/reload").token(&agent),
        Probe::new("POST", "/v1/config/reload", "/v1/config/reload"),
        Probe::new("GET", "/v1/finess/{number}", &format!("/v1/finess/{EJ}")),
        Probe::new("POST", "/v1/eligibility", "/v1/eligibility")
            .json(json!({"profession": "secrétaire médicale", "medical_data": true, "mss": true})),
        Probe::new("POST", "/v1/eligibility", "/v1/eligibility")
            .json(json!({"profession": " ", "medical_data": true, "mss": true})),
        Probe::new("GET", "/v1/openapi.json", "/v1/openapi.json"),
        Probe::new("GET", "/healthz", "/healthz"),
        Probe::new("GET", "/metrics", "/metrics"),
        Probe::new("GET", "/v1/journal", "/v1/journal").token(&agent),
        Probe::new("GET", "/v1/journal", "/v1/journal?since=hier").token(&agent),
        Probe::new("GET", "/v1/journal", "/v1/journal"),
        Probe::new("GET", "/v1/diagnostics", "/v1/diagnostics").token(&agent),
        Probe::new("GET", "/v1/diagnostics", "/v1/diagnostics?format=pdf").token(&agent),
        Probe::new("GET", "/v1/diagnostics", "/v1/diagnostics"),
    ]);

    let mut answered: BTreeSet<(String, String, u16)> = BTreeSet::new();
    let mut undocumented = Vec::new();
    let mut record = |probe: &Probe, code: u16| {
        let key = (probe.method.to_owned(), probe.template.clone(), code);
        if !listed.contains(&key) {
            undocumented.push(format!(
                "{} {} ({}) → {code}, not in the document",
                probe.method, probe.template, probe.path
            ));
        }
        answered.insert(key);
    };
    for probe in &probes {
        let answer = probe.send(&agent);
        let code = answer.status().as_u16();
        // A refusal says what and why: the error body, in JSON.
        if code >= 400 && probe.template != "/v1/events" {
            let body: serde_json::Value = answer.json().unwrap_or_else(|e| {
                panic!("{} {} → {code}: not JSON ({e})", probe.method, probe.path)
            });
            assert!(
                body["error"].is_string() && body["message"].is_string(),
                "{} {} → {code}: {body}",
                probe.method,
                probe.path
            );
        }
        record(probe, code);
    }

    // A configuration file the agent refuses: reload says 400 and keeps what is in force.
    let config = agent.dir.path().join("config.toml");
    let kept = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, "[contract]\nmode = \"au hasard\"\n").unwrap();
    let probe = Probe::new("POST", "/v1/config/reload", "/v1/config/reload").token(&agent);
    record(&probe, probe.send(&agent).status().as_u16());
    std::fs::write(&config, kept).unwrap();

    // Every slot of the event stream taken: the next client is told to come back (503).
    let stream = Probe::new("GET", "/v1/events", "/v1/events");
    let mut held = Vec::new();
    let refused = loop {
        let answer = stream.send(&agent);
        if answer.status() != 200 {
            break answer.status().as_u16();
        }
        held.push(answer);
        assert!(held.len() <= 64, "no limit on event streams");
    };
    record(&stream, refused);
    drop(held);

    // A second agent whose stores cannot be opened (their files are directories).
    let pcscd = PrivatePcscd::start(1).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    write_config(
        dir.path(),
        &format!("[contract]\nmode = \"centralised\"\nej = \"{EJ}\"\n"),
        port,
        "",
    );
    for store in ["journal.sqlite", "checklist.sqlite"] {
        std::fs::create_dir_all(dir.path().join("data/cpx-agent").join(store)).unwrap();
    }
    let broken = Agent::start_in(&pcscd, dir, port);
    for probe in [
        Probe::new("GET", "/v1/journal", "/v1/journal").token(&broken),
        Probe::new("GET", "/v1/checklist", "/v1/checklist"),
    ] {
        record(&probe, probe.send(&broken).status().as_u16());
    }

    let unanswered: Vec<String> = listed
        .difference(&answered)
        .map(|(m, p, s)| format!("{m} {p} → {s}: listed, never answered"))
        .collect();
    println!(
        "{} documented answers, {} answered by {} requests",
        listed.len(),
        answered.len(),
        probes.len() + 4
    );
    assert!(
        unanswered.is_empty() && undocumented.is_empty(),
        "{}\n{}",
        unanswered.join("\n"),
        undocumented.join("\n")
    );
}

/// Percent-escapes a path segment.
fn url_escape(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
