//! `cpx-agent doctor` end to end: on a machine whose PC/SC service sees no reader, with the
//! service stopped, and with emulated cards in virtual readers; its JSON, text and HTML page;
//! no personal data without `--names`.

mod bench_support;

use std::time::Duration;

use bench_support::*;
use cpx_testkit::card::{CpxCard, CpxCardSpec};
use cpx_testkit::pki::CardCertsBuilder;
use cpx_testkit::{CardKind, InsertOptions, PrivatePcscd};
use serde_json::Value;

const PERSONAL: [&str; 6] = [
    "DIRECTEUR-TEST",
    "PAUL",
    "GESTIONNAIRE-TEST",
    "CHARLES",
    "CDET0001",
    "CPET0002",
];

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&out.stdout), text(&out.stderr)))
}

fn assert_report_shape(r: &Value) {
    assert_eq!(r["agent"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(r["agent"]["source"], "doctor");
    assert!(
        r["agent"]["running"].is_boolean(),
        "whether an agent answers"
    );
    for key in [
        "system",
        "clock",
        "pcsc",
        "middleware",
        "config",
        "finess",
        "journal",
    ] {
        assert!(r[key].is_object(), "{key}: {r:#}");
    }
    assert!(r["pcsc"]["pcscd_version"]
        .as_str()
        .is_some_and(|v| v.starts_with("1.")));
    assert!(r["pcsc"]["libccid_version"].is_string());
    assert!(r["readers"].is_array() && r["usb_unseen"].is_array() && r["cards"].is_array());
    assert_eq!(r["config"]["contract_mode"], "centralised");
    assert!(r["events"].is_null(), "doctor has no agent's events");
}

#[test]
fn doctor_on_a_service_that_sees_no_reader() {
    let pcscd = PrivatePcscd::start(0).unwrap();
    let config = config();
    let out = run(Some(&pcscd), &config, &["doctor", "--json"]);
    assert_eq!(out.status.code(), Some(1), "no card: like status");
    let r = json(&out);
    assert_report_shape(&r);
    assert_eq!(r["pcsc"]["service"], "running");
    assert_eq!(r["readers"].as_array().unwrap().len(), 0);
    let words = run(Some(&pcscd), &config, &["doctor"]);
    let words = text(&words.stdout);
    assert!(words.contains("PC/SC ne voit aucun lecteur"), "{words}");
    assert!(words.contains("Le service PC/SC répond."), "{words}");
}

#[test]
fn doctor_with_the_service_stopped() {
    let mut pcscd = PrivatePcscd::start(1).unwrap();
    pcscd.stop();
    let config = config();
    let out = run(Some(&pcscd), &config, &["doctor", "--json"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let r = json(&out);
    assert_report_shape(&r);
    assert_eq!(r["pcsc"]["service"], "unavailable");
    let error = r["pcsc"]["error"].as_str().unwrap();
    assert!(
        error.contains("pcscd"),
        "the remedy names the service: {error}"
    );
    assert!(text(&out.stderr).contains("pcscd"));
    let page = config.dir().join("rapport.html");
    let out = run(
        Some(&pcscd),
        &config,
        &["doctor", "--html", page.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(3));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("Le service PC/SC ne répond pas."));
}

#[test]
fn doctor_with_emulated_cards() {
    let pcscd = PrivatePcscd::start(2).unwrap();
    let config = config();
    let cde = CpxCard::new(CpxCardSpec::new(
        CardCertsBuilder::new(CardKind::Cde).finess(EJ).build(),
    ));
    let number = cde.spec().certs.card_number.clone();
    let cards = [
        pcscd.insert(0, cde, InsertOptions::default()).unwrap(),
        pcscd
            .insert(
                1,
                CpxCard::new(CpxCardSpec::new(
                    CardCertsBuilder::new(CardKind::Cpe)
                        .finess(OTHER_FINESS)
                        .build(),
                )),
                InsertOptions::default(),
            )
            .unwrap(),
    ];
    for c in &cards {
        assert!(c.wait_powered(Duration::from_secs(5)));
    }
    for i in 0..2 {
        assert!(pcscd.wait_card(i, true, Duration::from_secs(5)).unwrap());
    }
    let out = run(Some(&pcscd), &config, &["doctor", "--json"]);
    assert_eq!(out.status.code(), Some(1), "a card not ready: like status");
    let r = json(&out);
    assert_report_shape(&r);
    let readers = r["readers"].as_array().unwrap();
    assert_eq!(readers.len(), 2);
    for reader in readers {
        assert!(reader["name"].as_str().unwrap().starts_with("CPX Virtual"));
        assert!(reader["model"].is_null());
        assert_eq!(reader["pinpad"]["pinpad"], "unknown");
        assert!(reader["card"]["verdict"]["status"].is_string());
    }
    let cards_seen = r["cards"].as_array().unwrap();
    assert_eq!(cards_seen.len(), 2);
    let statuses: Vec<&str> = cards_seen
        .iter()
        .map(|c| c["verdict"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["ready", "not_ready"]);
    let all = text(&out.stdout);
    for p in PERSONAL.iter().chain([number.as_str()].iter()) {
        assert!(!all.contains(p), "{p} without --names");
    }
    let named = run(Some(&pcscd), &config, &["doctor", "--json", "--names"]);
    let named = text(&named.stdout);
    assert!(named.contains("DIRECTEUR-TEST") && named.contains(&number));

    let page = config.dir().join("rapport.html");
    let out = run(
        Some(&pcscd),
        &config,
        &["doctor", "--html", page.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("Diagnostic enregistré dans"));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">"));
    assert!(html.contains("Pas prête") && html.contains("finess_mismatch"));
    for p in PERSONAL {
        assert!(!html.contains(p), "{p} in the page without --names");
    }
    let words = run(Some(&pcscd), &config, &["doctor"]);
    let words = text(&words.stdout);
    assert!(
        words.contains("modèle inconnu (absent du catalogue des lecteurs)"),
        "{words}"
    );
    assert!(words.contains("pas prête"), "{words}");
}
