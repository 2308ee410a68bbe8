//! The API against its own description (`GET /v1/openapi.json`), on the real agent with
//! emulated cards in a private pcscd (a CDE on the contract's EJ, a CPE elsewhere, a CPS, and a
//! card whose truncated answer is a `read_error`): Schemathesis (PyPI), driven by the document,
//! every operation but the endless event stream, without and with the token. Checks (the
//! issue's): no 5xx (`not_a_server_error`), every answer's status documented
//! (`status_code_conformance`), its body valid against its schema
//! (`response_schema_conformance`), its content type and documented headers
//! (`content_type_conformance`, `response_headers_conformance`). `CPX_SCHEMATHESIS_CHECKS`
//! replaces that list (`all` adds the request-schema checks: `positive_data_acceptance`
//! still finds request schemas looser than the validation, see tests/README.md).
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
    let checks = std::env::var("CPX_SCHEMATHESIS_CHECKS").unwrap_or_else(|_| {
        "not_a_server_error,status_code_conformance,response_schema_conformance,\
         content_type_conformance,response_headers_conformance"
            .into()
    });
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
            .args(["--max-examples", &examples])
            .args(["--seed", "1"])
            .args(["--workers", "2"])
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
