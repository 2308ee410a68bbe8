use super::*;
use crate::checklist::export;
use crate::checklist::tick::{entry, TickError};
use crate::config::{Contract, ContractMode};
use crate::model::checklist::TickRequest;
use cpx_card::Finess;
use time::macros::datetime;

fn request(done: bool, note: Option<&str>, date: Option<&str>, eg: Option<&str>) -> TickRequest {
    TickRequest {
        done,
        note: note.map(str::to_string),
        date: date.map(str::to_string),
        eg: eg.map(str::to_string),
        not_applicable: false,
    }
}

fn decentralised() -> Contract {
    Contract {
        mode: ContractMode::Decentralised,
        ej: Finess::parse("760000018").unwrap(),
        egs: vec![
            Finess::parse("760000026").unwrap(),
            Finess::parse("760000034").unwrap(),
        ],
    }
}

fn card(key: &str, status: &str, day: &str, usable: bool) -> CardFact {
    CardFact {
        key: key.into(),
        card: SeenCard {
            kind: "CDE/CPE".into(),
            finess: "760000018".into(),
            director: false,
            status: status.into(),
            codes: vec!["contract_match".into()],
            first_seen: day.into(),
            last_seen: day.into(),
            usable_seen: usable.then(|| day.to_string()),
        },
    }
}

#[test]
fn ticks_and_their_history_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data/checklist.sqlite");
    let at = datetime!(2026-12-03 10:00 UTC);
    {
        let mut store = Store::open(&path).unwrap();
        let e = entry(
            "contract_sent",
            &request(true, Some("copie au classeur"), Some("2026-12-01"), None),
            None,
            "anne",
            "cli",
            at,
        )
        .unwrap();
        assert!(store.record(&e).unwrap());
        assert!(!store.record(&e).unwrap(), "the same entry twice is one");
        let e = entry(
            "elearning",
            &request(true, None, None, None),
            None,
            "anne",
            "page",
            at,
        )
        .unwrap();
        store.record(&e).unwrap();
        let e = entry(
            "elearning",
            &request(false, None, None, None),
            None,
            "paul",
            "api",
            at + time::Duration::seconds(1),
        )
        .unwrap();
        store.record(&e).unwrap();
    }
    let store = Store::open(&path).unwrap();
    let ticks = store.ticks().unwrap();
    assert_eq!(ticks.len(), 1, "{ticks:?}");
    assert_eq!(ticks[0].step, "contract_sent");
    assert_eq!(ticks[0].date.as_deref(), Some("2026-12-01"));
    assert_eq!(ticks[0].note.as_deref(), Some("copie au classeur"));
    let history = store.history().unwrap();
    let actions: Vec<(&str, &str, &str)> = history
        .iter()
        .map(|h| (h.step.as_str(), h.action.as_str(), h.by.as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            ("contract_sent", "tick", "anne"),
            ("elearning", "tick", "anne"),
            ("elearning", "untick", "paul")
        ]
    );
}

#[test]
fn wrong_ticks_are_refused_with_what_to_do() {
    let at = datetime!(2026-12-03 10:00 UTC);
    let c = decentralised();
    let refuse = |id: &str, r: TickRequest, contract: Option<&Contract>| {
        entry(id, &r, contract, "anne", "cli", at).unwrap_err()
    };
    assert!(matches!(
        refuse("nope", request(true, None, None, None), None),
        TickError::UnknownStep(_)
    ));
    assert!(matches!(
        refuse("contract_mode", request(true, None, None, None), None),
        TickError::NotTickable
    ));
    let e = refuse("contract_sent", request(true, None, None, None), Some(&c));
    assert!(e.to_string().contains("760000026"), "{e}");
    assert!(matches!(
        refuse(
            "contract_sent",
            request(true, None, None, Some("750100125")),
            Some(&c)
        ),
        TickError::EgNotInContract { .. }
    ));
    assert!(matches!(
        refuse(
            "elearning",
            request(true, None, None, Some("760000026")),
            Some(&c)
        ),
        TickError::EgNotNeeded(_)
    ));
    assert!(matches!(
        refuse(
            "elearning",
            request(true, None, Some("03/12/2026"), None),
            None
        ),
        TickError::BadDate(_)
    ));
    assert!(matches!(
        refuse(
            "elearning",
            request(true, None, Some("2027-01-01"), None),
            None
        ),
        TickError::FutureDate(_)
    ));
    let long = "x".repeat(1001);
    assert!(matches!(
        refuse("elearning", request(true, Some(&long), None, None), None),
        TickError::NoteTooLong
    ));
    let mut na = request(true, None, None, None);
    na.not_applicable = true;
    assert!(matches!(
        refuse("elearning", na.clone(), None),
        TickError::NotApplicableOnlyOptional
    ));
    let ok = entry("certificates_org_serv", &na, None, "anne", "cli", at).unwrap();
    assert_eq!(ok.action, "not_applicable");
    let ok = entry(
        "contract_sent",
        &request(true, None, None, Some("760000034")),
        Some(&c),
        "anne",
        "cli",
        at,
    )
    .unwrap();
    assert_eq!(ok.eg.as_deref(), Some("760000034"));
    assert_eq!(ok.date.as_deref(), Some("2026-12-03"));
}

#[test]
fn cards_are_kept_without_identifiers_and_updated_only_on_change() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("c.sqlite")).unwrap();
    assert!(store
        .record_card(&card("k1", "ready", "2026-12-01", true))
        .unwrap());
    assert!(!store
        .record_card(&card("k1", "ready", "2026-12-01", true))
        .unwrap());
    let mut later = card("k1", "not_ready", "2026-12-03", false);
    later.card.first_seen = "2026-12-03".into();
    assert!(store.record_card(&later).unwrap());
    let cards = store.cards().unwrap();
    assert_eq!(cards.len(), 1);
    let c = &cards[0].card;
    assert_eq!(c.first_seen, "2026-12-01");
    assert_eq!(c.last_seen, "2026-12-03");
    assert_eq!(
        c.usable_seen.as_deref(),
        Some("2026-12-01"),
        "last seen usable stays"
    );
    assert_eq!(c.status, "not_ready");
    assert!(store.record_reader("2026-12-03").unwrap());
    assert!(!store.record_reader("2026-12-03").unwrap());
    assert_eq!(store.reader_seen().unwrap().as_deref(), Some("2026-12-03"));
}

#[test]
fn export_then_import_merges_and_twice_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let at = datetime!(2026-12-03 10:00 UTC);
    let mut a = Store::open(&dir.path().join("a.sqlite")).unwrap();
    let mut b = Store::open(&dir.path().join("b.sqlite")).unwrap();
    a.record(
        &entry(
            "contract_sent",
            &request(true, Some("envoyé"), None, None),
            None,
            "anne",
            "cli",
            at,
        )
        .unwrap(),
    )
    .unwrap();
    a.record(
        &entry(
            "elearning",
            &request(true, None, None, None),
            None,
            "anne",
            "cli",
            at,
        )
        .unwrap(),
    )
    .unwrap();
    a.record_card(&card("k1", "ready", "2026-12-02", true))
        .unwrap();
    a.record_reader("2026-12-02").unwrap();
    // On B, later: e-learning unticked (the latest wins after the merge).
    b.record(
        &entry(
            "elearning",
            &request(false, None, None, None),
            None,
            "paul",
            "cli",
            at + time::Duration::hours(1),
        )
        .unwrap(),
    )
    .unwrap();
    b.record(
        &entry(
            "roles",
            &request(true, None, None, None),
            None,
            "paul",
            "cli",
            at,
        )
        .unwrap(),
    )
    .unwrap();

    let file = dir.path().join("demarche.json");
    let (ticks, history) = export::export(&a, &file, "2026-12-03T10:00:00.000000Z").unwrap();
    assert_eq!((ticks, history), (2, 2));
    let (added, ticks) = export::import(&mut b, &file).unwrap();
    assert_eq!(added, 2);
    let mut steps: Vec<String> = b.ticks().unwrap().into_iter().map(|t| t.step).collect();
    steps.sort();
    assert_eq!(
        steps,
        ["contract_sent", "roles"],
        "elearning unticked later on B"
    );
    assert_eq!(ticks, 2);
    assert_eq!(b.cards().unwrap().len(), 1);
    assert_eq!(b.reader_seen().unwrap().as_deref(), Some("2026-12-02"));
    let (added, _) = export::import(&mut b, &file).unwrap();
    assert_eq!(added, 0, "importing twice adds nothing");
    assert_eq!(b.history().unwrap().len(), 4);
}

#[test]
fn a_file_that_is_not_an_export_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
    let bad = dir.path().join("bad.json");
    for text in [
        "not json",
        r#"{"format":"autre","version":1,"exported_at":"x","history":[]}"#,
        r#"{"format":"cpx-agent-checklist","version":9,"exported_at":"x","history":[]}"#,
        r#"{"format":"cpx-agent-checklist","version":1,"exported_at":"x","history":[
            {"step":"roles","action":"tick","at":"2026-12-03T10:00:00Z","by":"a","origin":"cli"},
            {"step":"martian","action":"tick","at":"2026-12-03T10:00:00Z","by":"a","origin":"cli"}]}"#,
        r#"{"format":"cpx-agent-checklist","version":1,"exported_at":"x","history":[
            {"step":"roles","action":"tick","at":"hier","by":"a","origin":"cli"}]}"#,
    ] {
        std::fs::write(&bad, text).unwrap();
        let e = export::import(&mut store, &bad).unwrap_err();
        assert!(e.contains("n'est pas un export"), "{e}");
    }
    assert!(store.history().unwrap().is_empty(), "nothing written");
    let e = export::import(&mut store, &dir.path().join("absent.json")).unwrap_err();
    assert!(e.contains("Impossible de lire"), "{e}");
}

#[test]
fn a_store_from_a_newer_version_is_refused_and_an_old_one_upgraded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let e = Store::open(&path).err().unwrap();
    assert!(e.to_string().contains("plus récente"), "{e}");
    let fresh = dir.path().join("v0.sqlite");
    Connection::open(&fresh).unwrap();
    let store = Store::open(&fresh).unwrap();
    assert!(store.ticks().unwrap().is_empty());
}
