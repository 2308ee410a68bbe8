//! The notifications' decisions on synthetic events and a synthetic clock: one line per card
//! without names, grouping, the rate limit, PC/SC lost and back, expiry once a day, settings.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use time::macros::date;

use super::*;
use crate::model::status::ReadFailure;

fn card(kind: &str, status: &str, finess: &str, findings: Value) -> CardView {
    serde_json::from_value(json!({
        "atr": "3B 8F 80 01", "family": "cps3", "serial": "0102", "kind": kind,
        "holder": { "id": "899700041983", "id_type": "RPPS", "surname": "DUPONT",
                    "given_name": "JEANNE", "title": null, "profession_code": null },
        "structure": { "id": format!("1{finess}"), "id_type": "FINESS", "number": finess,
                       "name": "CH TEST", "departement": null },
        "card_number": "1234567890",
        "not_before": "2024-01-01T00:00:00Z", "not_after": "2029-01-01T00:00:00Z",
        "pin_tries_left": 3, "pin_state": "tries_left", "trust": "test",
        "certificates": [], "disagreements": [], "apdu_count": 22,
        "verdict": { "status": status, "findings": findings }
    }))
    .unwrap()
}

fn finding(code: &str, severity: &str, message: &str) -> Value {
    json!({ "code": code, "severity": severity, "message": message, "remedy": "Faites ceci." })
}

fn snapshot(readers: &[(&str, Option<&CardView>)]) -> StatusSnapshot {
    let readers: Vec<Value> = readers
        .iter()
        .map(|(id, card)| json!({ "id": id, "name": id.to_uppercase(), "card": card }))
        .collect();
    serde_json::from_value(json!({ "service": "running", "readers": readers })).unwrap()
}

fn read(reader: &str, card: &CardView) -> EventKind {
    EventKind::CardRead {
        reader: reader.to_string(),
        card: Box::new(card.clone()),
    }
}

const TODAY: Date = date!(2026 - 12 - 03);

#[test]
fn a_card_read_is_one_line_without_a_name_after_the_group_window() {
    let mut n = Notifier::new(NotificationsConfig::default());
    let t0 = Instant::now();
    let cde = card("CDE/CPE", "ready", "750712184", json!([]));
    n.on_event(&read("a", &cde), &snapshot(&[("a", Some(&cde))]), t0, TODAY);
    assert!(n.due(t0).is_empty(), "waits for cards read together");
    assert_eq!(n.next_deadline(t0), Some(t0 + GROUP_WINDOW));
    let notes = n.due(t0 + GROUP_WINDOW);
    assert_eq!(notes.len(), 1);
    assert_eq!(
        notes[0].summary,
        "Lecteur A : CDE/CPE 750712184 — prête pour RPPS+"
    );
    assert_eq!(notes[0].urgency, Urgency::Normal);
    let all = format!("{notes:?}");
    for personal in ["DUPONT", "JEANNE", "899700041983", "1234567890"] {
        assert!(!all.contains(personal), "{personal} in {all}");
    }
    assert_eq!(n.next_deadline(t0 + GROUP_WINDOW), None);
}

#[test]
fn a_card_not_ready_gives_its_first_reason() {
    let mut n = Notifier::new(NotificationsConfig::default());
    let t0 = Instant::now();
    let cpe = card(
        "CDE/CPE",
        "not_ready",
        "010780054",
        json!([
            finding("finess_mismatch", "error", "FINESS hors contrat"),
            finding("card_expired", "error", "Carte expirée"),
        ]),
    );
    n.on_event(&read("b", &cpe), &snapshot(&[("b", Some(&cpe))]), t0, TODAY);
    let notes = n.due(t0 + GROUP_WINDOW);
    assert_eq!(
        notes[0].summary,
        "Lecteur B : CDE/CPE 010780054 — pas prête pour RPPS+ (FINESS hors contrat)"
    );
    assert_eq!(notes[0].urgency, Urgency::Critical);
}

#[test]
fn cards_arriving_together_are_grouped_into_one() {
    let mut n = Notifier::new(NotificationsConfig::default());
    let t0 = Instant::now();
    let cde = card("CDE/CPE", "ready", "750712184", json!([]));
    let cps = card("CPS", "unknown", "750712184", json!([]));
    let s = snapshot(&[("a", Some(&cde)), ("b", Some(&cps)), ("c", None)]);
    n.on_event(&read("a", &cde), &s, t0, TODAY);
    n.on_event(&read("b", &cps), &s, t0 + Duration::from_millis(400), TODAY);
    n.on_event(
        &EventKind::ReadFailed {
            reader: "c".into(),
            error: ReadFailure {
                code: crate::model::status::ReadFailureCode::CardRemoved,
                message: "carte retirée pendant la lecture".into(),
            },
        },
        &s,
        t0 + Duration::from_millis(900),
        TODAY,
    );
    let notes = n.due(t0 + GROUP_WINDOW);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].summary, "3 cartes lues");
    assert_eq!(
        notes[0].body.lines().collect::<Vec<_>>(),
        [
            "Lecteur A : CDE/CPE 750712184 — prête pour RPPS+",
            "Lecteur B : CPS 750712184 — indéterminée sans code porteur",
            "Lecteur C : carte illisible (carte retirée pendant la lecture)",
        ]
    );
    assert_eq!(notes[0].urgency, Urgency::Critical);
}

#[test]
fn beyond_the_rate_the_rest_waits_and_is_grouped() {
    let mut n = Notifier::new(NotificationsConfig::default());
    let t0 = Instant::now();
    let cde = card("CDE/CPE", "ready", "750712184", json!([]));
    let s = snapshot(&[("a", Some(&cde))]);
    let mut t = t0;
    for _ in 0..MAX_PER_WINDOW {
        n.on_event(&read("a", &cde), &s, t, TODAY);
        t += GROUP_WINDOW;
        assert_eq!(n.due(t).len(), 1);
    }
    // Three more reads: nothing until the oldest notification leaves the window.
    for _ in 0..3 {
        n.on_event(&read("a", &cde), &s, t, TODAY);
        t += GROUP_WINDOW;
        assert!(n.due(t).is_empty());
    }
    let free = t0 + GROUP_WINDOW + RATE_WINDOW;
    assert_eq!(n.next_deadline(t), Some(free));
    let notes = n.due(free);
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].summary, "3 cartes lues");
}

#[test]
fn pcsc_lost_then_back_replaces_and_a_blink_says_nothing() {
    let mut n = Notifier::new(NotificationsConfig::default());
    let t0 = Instant::now();
    let s = snapshot(&[]);
    n.on_event(&EventKind::ServiceLost, &s, t0, TODAY);
    assert_eq!(n.next_deadline(t0), Some(t0), "PC/SC is said at once");
    let lost = n.due(t0);
    assert_eq!(lost[0].slot, Slot::Service);
    assert_eq!(lost[0].summary, texte::PCSC_LOST);
    assert!(lost[0].body.contains("systemctl start pcscd"));
    n.on_event(&EventKind::ServiceRestored, &s, t0, TODAY);
    let back = n.due(t0);
    assert_eq!(back[0].slot, Slot::Service);
    assert_eq!(back[0].summary, texte::PCSC_BACK);
    // Lost and back before anything went out: nothing.
    n.on_event(&EventKind::ServiceLost, &s, t0, TODAY);
    n.on_event(&EventKind::ServiceRestored, &s, t0, TODAY);
    assert!(n.due(t0).is_empty());
}

#[test]
fn an_expiring_card_is_announced_once_a_day() {
    let mut n = Notifier::new(NotificationsConfig::default());
    let t0 = Instant::now();
    let cde = card(
        "CDE/CPE",
        "warning",
        "750712184",
        json!([finding(
            "card_expires_soon",
            "warning",
            "La carte expire dans 10 jours."
        )]),
    );
    let s = snapshot(&[("a", Some(&cde))]);
    n.on_snapshot(&s, TODAY);
    let notes = n.due(t0);
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].slot, Slot::Expiry);
    assert_eq!(notes[0].summary, "Carte CDE/CPE 750712184 bientôt expirée");
    // Read again the same day: the card line, no second expiry notice.
    n.on_event(&read("a", &cde), &s, t0, TODAY);
    let notes = n.due(t0 + GROUP_WINDOW);
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].slot, Slot::Cards);
    // The next day, once more.
    n.on_snapshot(&s, date!(2026 - 12 - 04));
    assert_eq!(n.due(t0 + GROUP_WINDOW).len(), 1);
}

#[test]
fn each_kind_can_be_turned_off() {
    let t0 = Instant::now();
    let cde = card("CDE/CPE", "ready", "750712184", json!([]));
    let cpe = card(
        "CDE/CPE",
        "not_ready",
        "010780054",
        json!([finding("finess_mismatch", "error", "FINESS hors contrat")]),
    );
    let s = snapshot(&[("a", Some(&cde)), ("b", Some(&cpe))]);
    let run = |settings: NotificationsConfig| {
        let mut n = Notifier::new(settings);
        n.on_event(&read("a", &cde), &s, t0, TODAY);
        n.on_event(&read("b", &cpe), &s, t0, TODAY);
        n.on_event(&EventKind::ServiceLost, &s, t0, TODAY);
        let mut notes = n.due(t0);
        notes.extend(n.due(t0 + GROUP_WINDOW));
        notes
    };
    let all = NotificationsConfig::default();
    assert_eq!(run(all).len(), 2);
    let none = run(NotificationsConfig {
        enabled: false,
        ..all
    });
    assert!(none.is_empty());
    let no_pcsc = run(NotificationsConfig { pcsc: false, ..all });
    assert!(no_pcsc.iter().all(|n| n.slot == Slot::Cards));
    // Only cards not ready: the ready one is not said.
    let only_bad = run(NotificationsConfig {
        card_read: false,
        pcsc: false,
        ..all
    });
    assert_eq!(only_bad.len(), 1);
    assert!(only_bad[0].summary.starts_with("Lecteur B"), "{only_bad:?}");
}
