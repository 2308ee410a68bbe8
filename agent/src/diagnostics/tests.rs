//! Unit tests of the report: what a caller without the token gets, and the page.

use cpx_card::fixtures::ReportBuilder;
use cpx_card::{Holder, PersonIdType, Trust};
use serde_json::json;
use time::macros::datetime;

use super::*;
use crate::model::status::ReaderView;
use crate::model::verdict::{Status, Verdict};

fn card() -> CardView {
    CardView {
        card_id: None,
        report: ReportBuilder::establishment("750712184")
            .card_number("2600301752")
            .holder(Some(Holder {
                id: "3750712184/CDET0001".into(),
                id_type: PersonIdType::Finess,
                surname: Some("DIRECTEUR-TEST".into()),
                given_name: Some("PAUL".into()),
                title: None,
                profession_code: None,
            }))
            .structure_name(Some("HOPITAL DE TEST"))
            .validity(None, Some(datetime!(2028-01-31 12:00 UTC)))
            .trust(Some(Trust::Test))
            .build(),
        verdict: Verdict {
            status: Status::Ready,
            findings: Vec::new(),
            directory_name: None,
        },
    }
}

fn report() -> Report {
    let mut reader = ReaderView::new("Virtual PCD 00 00");
    reader.card = Some(card());
    let config = Config {
        journal: crate::config::JournalConfig {
            keep_days: 365,
            db: Some(std::path::PathBuf::from("/nonexistent/cpx/journal.sqlite")),
        },
        ..Config::default()
    };
    gather(Inputs {
        config: &config,
        snapshot: StatusSnapshot {
            // Unavailable: the test does not talk to PC/SC.
            service: ServiceState::Unavailable,
            readers: vec![reader],
            checklist: None,
            finess_directory: None,
        },
        pcsc_error: Some("service PC/SC injoignable".into()),
        agent: AgentInfo {
            version: "0.1.0".into(),
            source: "agent".into(),
            running: Some(true),
            listen: "127.0.0.1:8787".into(),
        },
        events: Some(
            (1..=60)
                .map(|id| {
                    json!({"id": id, "at": "2026-01-01T00:00:00Z", "type": "card_read",
                    "reader": "virtual-pcd-00-00", "card": {"card_number": "8025000001/2600301752",
                    "holder": {"surname": "DIRECTEUR-TEST"}}})
                })
                .collect(),
        ),
        journal_error: None,
        now: datetime!(2026-12-01 10:00 UTC),
    })
}

const PERSONAL: [&str; 5] = [
    "DIRECTEUR-TEST",
    "PAUL",
    "CDET0001",
    "2600301752",
    "5A0A80250000012600301752",
];

#[test]
fn the_report_has_what_support_needs() {
    let r = report();
    let v = for_caller(&r, true);
    assert_eq!(v["agent"]["version"], "0.1.0");
    assert_eq!(v["pcsc"]["service"], "unavailable");
    assert!(v["pcsc"].get("pcscd_version").is_some());
    assert_eq!(v["readers"][0]["name"], "Virtual PCD 00 00");
    assert!(v["readers"][0]["model"].is_null(), "vpcd: unknown model");
    assert_eq!(v["readers"][0]["pinpad"]["pinpad"], "unknown");
    assert!(v["usb_unseen"].is_array());
    assert_eq!(v["cards"][0]["reader"], "Virtual PCD 00 00");
    assert_eq!(v["cards"][0]["verdict"]["status"], "ready");
    assert_eq!(v["events"].as_array().unwrap().len(), EVENTS, "the last 50");
    assert_eq!(v["events"][0]["id"], 11);
    assert_eq!(v["clock"]["utc"], "2026-12-01T10:00:00Z");
    assert!(v["journal"]["available"].is_boolean());
    let full = v.to_string();
    for p in PERSONAL {
        assert!(full.contains(p), "{p} missing with the token");
    }
}

#[test]
fn without_the_token_nothing_identifies_a_person_or_a_card() {
    let r = report();
    let v = for_caller(&r, false);
    let text = v.to_string();
    for p in PERSONAL {
        assert!(!text.contains(p), "{p} left without the token: {text}");
    }
    assert_eq!(v["cards"][0]["structure"]["number"], "750712184");
    let page = html::render(&v, false);
    for p in PERSONAL {
        assert!(!page.contains(p), "{p} in the page without the token");
    }
}

#[test]
fn the_page_is_french_self_contained_and_has_every_section() {
    let r = report();
    let page = html::render(&for_caller(&r, true), true);
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">"));
    for section in [
        crate::text::bench::SECTION_SYSTEM,
        crate::text::bench::SECTION_PCSC,
        crate::text::bench::SECTION_READERS,
        crate::text::bench::SECTION_USB,
        crate::text::bench::SECTION_CARDS,
        crate::text::bench::SECTION_CONFIG,
        crate::text::bench::SECTION_FINESS,
        crate::text::bench::SECTION_JOURNAL,
        crate::text::bench::SECTION_EVENTS,
    ] {
        assert!(page.contains(&format!(">{section}</h2>")), "{section}");
    }
    for external in ["<script", "src=", "href=\"http", "@import", "url("] {
        assert!(
            !page.contains(external),
            "{external} in a self-contained page"
        );
    }
    assert!(page.contains("@media print"));
    assert!(page.contains("PAUL DIRECTEUR-TEST"), "names with the token");
}
