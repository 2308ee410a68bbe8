//! End to end: the agent shares the card politely. After many reads the card's own log shows
//! no reset and no VERIFY with PIN data; another client holding the card in a transaction does
//! not make the agent fail or lock the card.

mod e2e_common;

use cpx_testkit::agent::AgentConfig;
use cpx_testkit::card::CpxCard;
use cpx_testkit::{bins, CardKind, CardLog, InsertOptions, PrivatePcscd};
use e2e_common::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn many_reads_never_reset_the_card_nor_use_a_pin_try() {
    let pcscd = PrivatePcscd::start(2).unwrap();
    let config = AgentConfig::write(Some(&centralised())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let logs = [dir.path().join("cde.jsonl"), dir.path().join("cps.jsonl")];
    let _inserted = insert_all(
        &pcscd,
        vec![
            (
                Box::new(CpxCard::of_kind(CardKind::Cde)),
                InsertOptions {
                    log: Some(logs[0].clone()),
                    ..Default::default()
                },
            ),
            (
                Box::new(CpxCard::of_kind(CardKind::Cps)),
                InsertOptions {
                    log: Some(logs[1].clone()),
                    ..Default::default()
                },
            ),
        ],
    );
    let reads = 12;
    for _ in 0..reads {
        let r = run_status(&pcscd, &config);
        assert_eq!(r.card(&pcscd.readers()[0].name)["pin_tries_left"], 3);
    }
    for log in &logs {
        let log = CardLog::load(log).unwrap();
        assert_eq!(log.resets(), 0, "the agent reset the card");
        assert_eq!(log.verifies_with_data(), 0, "the agent sent a PIN");
        assert!(
            log.verify_status_queries() >= reads,
            "PIN state read without a try"
        );
    }
}

#[test]
fn another_client_holding_a_transaction_does_not_break_the_agent() {
    let pcscd = PrivatePcscd::start(2).unwrap();
    let config = AgentConfig::write(Some(&centralised())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("card.jsonl");
    let _inserted = insert_all(
        &pcscd,
        vec![(
            Box::new(CpxCard::of_kind(CardKind::Cde)),
            InsertOptions {
                log: Some(log.clone()),
                ..Default::default()
            },
        )],
    );
    let reader = pcscd.readers()[0].name.clone();
    let hold = Duration::from_millis(3000);
    let (k, v) = pcscd.env();
    let mut holder = Command::new(bins::find("cpx-card-hold", "CPX_CARD_HOLD").unwrap())
        .arg(&reader)
        .arg(hold.as_millis().to_string())
        .env(k, v)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(holder.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "held");
    let held_since = Instant::now();

    let during = run_status(&pcscd, &config);
    let waited = held_since.elapsed();
    // Either the agent waited for the other client and read the card, or it reported the
    // card as busy without a half-read card; it did not fail.
    assert_eq!(during.json["service"], "running");
    assert_absent_or_complete(during.card(&reader), "card held by another client");
    eprintln!(
        "while another client held the card: agent took {waited:?}, card kind {}, code {:?}",
        during.card(&reader)["kind"],
        during.code
    );
    assert!(
        holder.wait().unwrap().success(),
        "the other client kept its transaction"
    );

    let after = run_status(&pcscd, &config);
    assert_eq!(after.card(&reader)["kind"], "CDE/CPE");
    assert_eq!(after.status(&reader).as_deref(), Some("ready"));
    let log = CardLog::load(&log).unwrap();
    assert_eq!(log.resets(), 0);
    assert_eq!(log.verifies_with_data(), 0);
}

/// Sends APDUs as another application (cpx-card-apdu) and returns the answers in hex.
fn other_application(pcscd: &PrivatePcscd, reader: &str, apdus: &[&str]) -> Vec<String> {
    let (k, v) = pcscd.env();
    let out = Command::new(bins::find("cpx-card-apdu", "CPX_CARD_APDU").unwrap())
        .arg(reader)
        .args(apdus)
        .env(k, v)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn a_pin_session_opened_by_another_application_survives_the_agent() {
    let pcscd = PrivatePcscd::start(1).unwrap();
    let config = AgentConfig::write(Some(&centralised())).unwrap();
    let _inserted = insert_all(
        &pcscd,
        vec![(
            Box::new(CpxCard::of_kind(CardKind::Cde)),
            InsertOptions::default(),
        )],
    );
    let reader = pcscd.readers()[0].name.clone();
    // The other application (CryptoLib, a browser) verifies the PIN: its session is open.
    let verify_pin = "002000010831323334FFFFFFFF"; // PIN 1234, FF-padded
    assert_eq!(other_application(&pcscd, &reader, &[verify_pin]), ["9000"]);
    for _ in 0..3 {
        let r = run_status(&pcscd, &config);
        assert_eq!(r.card(&reader)["kind"], "CDE/CPE");
    }
    // Still verified: the agent neither reset the card nor spent a try.
    assert_eq!(other_application(&pcscd, &reader, &["00200001"]), ["9000"]);
}
