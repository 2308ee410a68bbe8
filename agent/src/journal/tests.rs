//! Unit tests of the journal store and its writer (real SQLite files in a temporary folder).

use std::time::Duration;

use cpx_card::fixtures::ReportBuilder;
use cpx_card::{CardFamily, CardKind, Trust};
use time::macros::datetime;

use super::writer::WriterConfig;
use super::*;
use crate::model::status::CardView;
use crate::model::verdict::{Finding, Severity, Status, Verdict};

fn cpe(number: &str, finess: &str) -> CardView {
    CardView {
        card_id: None,
        report: ReportBuilder::establishment(finess)
            .card_number(number)
            .validity(None, Some(datetime!(2028-01-31 12:00 UTC)))
            .trust(Some(Trust::Test))
            .build(),
        verdict: Verdict {
            status: Status::NotReady,
            findings: vec![Finding::new(
                "finess_mismatch",
                Severity::Error,
                "m".into(),
                "r".into(),
            )],
            directory_name: None,
        },
    }
}

fn sighting(card: CardView, insertion: bool) -> Sighting {
    Sighting {
        reader: "Virtual PCD 00 00".into(),
        card,
        insertion,
        batch: None,
    }
}

#[test]
fn a_card_is_one_entry_seen_again_and_again() {
    let dir = tempfile::tempdir().unwrap();
    let j = Journal::open(&dir.path().join("j.sqlite")).unwrap();
    let card = cpe("2600000001", "750712184");
    j.record_card(
        &sighting(card.clone(), true),
        Some("EJ".into()),
        "2026-01-01T10:00:00Z",
    )
    .unwrap();
    j.record_card(&sighting(card.clone(), true), None, "2026-01-02T10:00:00Z")
        .unwrap();
    // A re-read on request is not another insertion.
    j.record_card(&sighting(card, false), None, "2026-01-03T10:00:00Z")
        .unwrap();
    let cards = j.cards(&ListFilter::default()).unwrap();
    assert_eq!(cards.len(), 1);
    let c = &cards[0];
    assert_eq!(c.card_number.as_deref(), Some("2600000001"));
    assert_eq!(c.kind, "CDE/CPE");
    assert_eq!(c.structure_finess.as_deref(), Some("750712184"));
    assert_eq!(
        c.structure_role.as_deref(),
        Some("EJ"),
        "the role stays known"
    );
    assert_eq!(c.verdict, "not_ready");
    assert_eq!(c.codes, ["finess_mismatch"]);
    assert_eq!(c.first_seen, "2026-01-01T10:00:00Z");
    assert_eq!(c.last_seen, "2026-01-03T10:00:00Z");
    assert_eq!(c.times_seen, 2);
    assert_eq!(c.not_after.as_deref(), Some("2028-01-31T12:00:00Z"));
    assert_eq!(
        c.holder.as_ref().unwrap().surname.as_deref(),
        Some("DUPONT")
    );
    let readers = j.readers().unwrap();
    assert_eq!(readers.len(), 1);
    assert_eq!(readers[0].model, None, "vpcd is not in the catalog");
    assert_eq!(j.integrity().unwrap(), "ok");
}

#[test]
fn filters_and_purge() {
    let dir = tempfile::tempdir().unwrap();
    let j = Journal::open(&dir.path().join("j.sqlite")).unwrap();
    j.record_card(
        &sighting(cpe("2600000001", "750712184"), true),
        None,
        "2025-01-01T10:00:00Z",
    )
    .unwrap();
    let mut cps = cpe("2600000002", "750712184");
    cps.report.kind = CardKind::Cps;
    j.record_card(&sighting(cps, true), None, "2026-06-01T10:00:00Z")
        .unwrap();
    let since = day_start("2026-01-01").unwrap();
    let recent = j
        .cards(&ListFilter {
            since: Some(since),
            ..ListFilter::default()
        })
        .unwrap();
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0].kind, "CPS");
    let cde = j
        .cards(&ListFilter {
            kinds: vec!["CDE/CPE".into()],
            ..ListFilter::default()
        })
        .unwrap();
    assert_eq!(cde.len(), 1);
    assert_eq!(cde[0].kind, "CDE/CPE");
    let purged = j.purge(&day_start("2026-01-01").unwrap()).unwrap();
    assert_eq!(purged.cards, 1);
    assert_eq!(j.cards(&ListFilter::default()).unwrap().len(), 1);
    assert_eq!(day_start("2026-13-01"), None);
    assert_eq!(day_start("hier"), None);
}

#[test]
fn the_writer_writes_in_the_background_and_survives_a_broken_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.sqlite");
    let writer = JournalWriter::start(WriterConfig {
        path: Some(path.clone()),
        directory: None,
        keep_days: 365,
    });
    writer.reader_seen("Virtual PCD 00 00");
    writer.card_seen(sighting(cpe("2600000003", "750712184"), true));
    assert!(writer.flush(Duration::from_secs(10)));
    assert!(writer.health().available());
    let j = Journal::open_existing(&path).unwrap().unwrap();
    assert_eq!(j.cards(&ListFilter::default()).unwrap().len(), 1);

    // A journal whose path is a folder cannot be written: unavailable, said, no panic.
    let bad = JournalWriter::start(WriterConfig {
        path: Some(dir.path().to_path_buf()),
        directory: None,
        keep_days: 365,
    });
    bad.card_seen(sighting(cpe("2600000004", "750712184"), true));
    assert!(bad.flush(Duration::from_secs(10)));
    // The flush answers before the next message is handled: send one more and flush again.
    bad.reader_seen("x");
    assert!(bad.flush(Duration::from_secs(10)));
    let health = bad.health();
    assert!(!health.available());
    let error = health.last_error().unwrap();
    assert!(error.starts_with("journal indisponible"), "{error}");
    assert!(health.dropped() >= 1);
}

#[test]
fn a_non_cpx_card_is_kept_by_its_atr() {
    let dir = tempfile::tempdir().unwrap();
    let j = Journal::open(&dir.path().join("j.sqlite")).unwrap();
    let mut vitale = cpe("0", "750712184");
    vitale.report.family = CardFamily::NotCpx;
    vitale.report.kind = CardKind::Unknown;
    vitale.report.card_number = None;
    vitale.report.serial = None;
    vitale.report.structure = None;
    vitale.report.holder = None;
    j.record_card(&sighting(vitale, true), None, "2026-01-01T10:00:00Z")
        .unwrap();
    let cards = j.cards(&ListFilter {
        kinds: vec!["not_cpx".into()],
        ..ListFilter::default()
    });
    assert_eq!(cards.unwrap().len(), 1);
    assert_eq!(
        j.card("atr:3B AC").unwrap().map(|c| c.kind),
        Some("not_cpx".to_owned())
    );
}
