//! The tray's state logic on synthetic snapshots and events: model transitions, icon, SNI
//! status, tooltip and menu lines.

use serde_json::{json, Value};

use super::face::Face;
use super::model::{Link, Next, TrayModel};
use super::sse::SseMessage;
use super::view::view;
use crate::model::status::StatusSnapshot;

const AGENT: &str = "http://127.0.0.1:8787";

/// A card as the API serialises it; `holder`: given name and surname, `None` when redacted.
fn card_json(
    kind: &str,
    status: &str,
    structure: Option<&str>,
    holder: Option<(&str, &str)>,
) -> Value {
    json!({
        "atr": "3B 8F 80 01",
        "family": "cps3",
        "serial": "0102",
        "kind": kind,
        "holder": holder.map(|(given, surname)| json!({
            "id": "899700041983", "id_type": "RPPS", "surname": surname,
            "given_name": given, "title": null, "profession_code": null
        })),
        "structure": structure.map(|number| json!({
            "id": format!("1{number}"), "id_type": "FINESS", "number": number,
            "name": "CH TEST", "departement": null
        })),
        "card_number": null,
        "not_before": "2024-01-01T00:00:00Z",
        "not_after": "2029-01-01T00:00:00Z",
        "pin_tries_left": 3,
        "pin_state": "tries_left",
        "trust": "test",
        "certificates": [],
        "disagreements": [],
        "apdu_count": 22,
        "verdict": { "status": status, "findings": [] }
    })
}

fn reader(id: &str, card: Option<Value>, read_error: Option<&str>) -> Value {
    let read_error = read_error.map(|message| json!({ "code": "card_error", "message": message }));
    json!({ "id": id, "name": id.to_uppercase(), "card": card, "read_error": read_error })
}

fn snapshot(service: &str, readers: Vec<Value>) -> StatusSnapshot {
    serde_json::from_value(json!({ "service": service, "readers": readers })).unwrap()
}

fn following(s: StatusSnapshot) -> TrayModel {
    let mut model = TrayModel::new();
    model.replace(s);
    model
}

fn event(name: &str, body: Value) -> SseMessage {
    let mut data = json!({ "id": 9, "at": "2026-11-29T10:00:00Z", "type": name });
    if let (Value::Object(d), Value::Object(b)) = (&mut data, body) {
        d.extend(b);
    }
    SseMessage {
        event: name.to_string(),
        id: Some("9".into()),
        data: data.to_string(),
    }
}

#[test]
fn the_icon_shows_the_worst_verdict_among_present_cards() {
    let cases = [
        (vec!["ready"], Face::Ready, "security-high", false),
        (
            vec!["ready", "warning"],
            Face::Warning,
            "dialog-warning",
            true,
        ),
        (
            vec!["warning", "not_ready", "ready"],
            Face::NotReady,
            "dialog-error",
            true,
        ),
        (
            vec!["unknown", "ready"],
            Face::Unknown,
            "dialog-question",
            false,
        ),
        (
            vec!["unknown", "warning"],
            Face::Warning,
            "dialog-warning",
            true,
        ),
    ];
    for (statuses, face, icon, attention) in cases {
        let readers = statuses
            .iter()
            .enumerate()
            .map(|(i, s)| {
                reader(
                    &format!("r{i}"),
                    Some(card_json("CPS", s, None, None)),
                    None,
                )
            })
            .chain([reader("empty", None, None)])
            .collect();
        let v = view(&following(snapshot("running", readers)), AGENT);
        assert_eq!(v.face, face, "{statuses:?}");
        assert_eq!(v.icon_name(), icon, "{statuses:?}");
        assert_eq!(v.face.needs_attention(), attention, "{statuses:?}");
        assert_eq!(v.tooltip_lines.len(), statuses.len() + 1);
    }
}

#[test]
fn no_card_agent_down_and_pcsc_unavailable_are_distinct_states() {
    let no_reader = view(&following(snapshot("running", vec![])), AGENT);
    let empty = view(
        &following(snapshot("running", vec![reader("a", None, None)])),
        AGENT,
    );
    let pcsc = view(&following(snapshot("unavailable", vec![])), AGENT);
    let mut down_model = following(snapshot("running", vec![]));
    down_model.agent_down("connexion refusée");
    let down = view(&down_model, AGENT);
    let connecting = view(&TrayModel::new(), AGENT);

    assert_eq!(no_reader.face, Face::NoCard);
    assert!(
        no_reader.tooltip_title.contains("aucun lecteur"),
        "{no_reader:?}"
    );
    assert_eq!(empty.face, Face::NoCard);
    assert!(empty.tooltip_title.contains("aucune carte"), "{empty:?}");
    assert_eq!(empty.tooltip_lines, vec!["Lecteur A : pas de carte"]);
    assert_eq!(pcsc.face, Face::PcscUnavailable);
    assert!(pcsc.tooltip_lines[0].contains("pcscd"), "{pcsc:?}");
    assert_eq!(down.face, Face::AgentDown);
    assert!(
        down.tooltip_lines[0].contains("connexion refusée"),
        "{down:?}"
    );
    assert!(down.tooltip_lines[0].contains(AGENT), "{down:?}");
    assert_eq!(connecting.face, Face::Connecting);

    let icons: std::collections::BTreeSet<_> = [&empty, &pcsc, &down, &connecting]
        .iter()
        .map(|v| v.icon_name())
        .chain([
            "security-high",
            "dialog-warning",
            "dialog-error",
            "dialog-question",
        ])
        .collect();
    assert_eq!(icons.len(), 8, "{icons:?}");
    assert!(pcsc.face.needs_attention() && down.face.needs_attention());
    assert!(!empty.face.needs_attention());
}

#[test]
fn the_tooltip_names_kind_and_structure_never_the_holder() {
    let with_names = snapshot(
        "running",
        vec![
            reader(
                "x",
                Some(card_json(
                    "CDE/CPE",
                    "ready",
                    Some("750712184"),
                    Some(("Jeanne", "Martin")),
                )),
                None,
            ),
            reader(
                "y",
                Some(card_json(
                    "CPS",
                    "not_ready",
                    None,
                    Some(("Paul", "Durand")),
                )),
                None,
            ),
            reader("z", None, Some("la carte ne répond pas")),
        ],
    );
    let v = view(&following(with_names), AGENT);
    assert_eq!(
        v.tooltip_lines,
        vec![
            "Lecteur X : CDE/CPE 750712184 — prête",
            "Lecteur Y : CPS — pas prête",
            "Lecteur Z : illisible (la carte ne répond pas)",
        ]
    );
    let tooltip = format!("{} {}", v.tooltip_title, v.tooltip_text());
    for name in ["Jeanne", "Martin", "Paul", "Durand", "899700041983"] {
        assert!(!tooltip.contains(name), "{name} in {tooltip}");
    }
    // The menu may name holders: only the snapshot read with the token carries them.
    assert_eq!(
        v.holder_lines,
        vec!["Lecteur X : Jeanne Martin", "Lecteur Y : Paul Durand"]
    );
    let redacted = snapshot(
        "running",
        vec![reader(
            "x",
            Some(card_json("CPS", "ready", None, None)),
            None,
        )],
    );
    assert!(view(&following(redacted), AGENT).holder_lines.is_empty());
}

#[test]
fn events_move_the_model_as_the_agent_does() {
    let mut model = following(snapshot("running", vec![reader("a", None, None)]));
    let steps: Vec<(SseMessage, Face)> = vec![
        (
            event("reader_added", json!({"reader": "b", "name": "B"})),
            Face::NoCard,
        ),
        (
            event("card_inserted", json!({"reader": "b", "atr": "3B"})),
            Face::Reading,
        ),
        (
            event(
                "card_read",
                json!({"reader": "b", "card": card_json("CPS", "warning", None, None)}),
            ),
            Face::Warning,
        ),
        (
            event(
                "verdict_changed",
                json!({"reader": "b", "from": "warning", "to": "not_ready"}),
            ),
            Face::NotReady,
        ),
        (event("card_removed", json!({"reader": "b"})), Face::NoCard),
        (
            event("card_inserted", json!({"reader": "a", "atr": "3B"})),
            Face::Reading,
        ),
        (
            event(
                "read_failed",
                json!({"reader": "a", "error": {"code": "card_removed", "message": "carte retirée"}}),
            ),
            Face::ReadFailed,
        ),
        (event("service_lost", json!({})), Face::PcscUnavailable),
        (
            event("reader_removed", json!({"reader": "a"})),
            Face::PcscUnavailable,
        ),
        (event("service_restored", json!({})), Face::NoCard),
        (
            event("reader_added", json!({"reader": "a", "name": "A"})),
            Face::NoCard,
        ),
    ];
    for (message, face) in steps {
        assert_eq!(model.on_message(&message), Next::Changed, "{message:?}");
        assert_eq!(view(&model, AGENT).face, face, "after {}", message.event);
    }
    let names: Vec<_> = model
        .snapshot
        .as_ref()
        .unwrap()
        .readers
        .iter()
        .map(|r| r.name.clone())
        .collect();
    assert_eq!(names, vec!["A"]);
}

#[test]
fn gaps_unknown_readers_and_garbage_ask_for_a_reread() {
    let mut model = following(snapshot("running", vec![reader("a", None, None)]));
    let before = model.clone();
    for message in [
        SseMessage {
            event: "gap".into(),
            id: None,
            data: "{}".into(),
        },
        event("card_removed", json!({"reader": "ghost"})),
        event(
            "verdict_changed",
            json!({"reader": "a", "from": "ready", "to": "warning"}),
        ),
        event("something_new", json!({"reader": "a"})),
        SseMessage {
            event: "snapshot".into(),
            id: None,
            data: "not json".into(),
        },
    ] {
        assert_eq!(model.on_message(&message), Next::Reread, "{message:?}");
    }
    assert_eq!(model, before);
    // Before any snapshot, an event cannot be placed.
    let mut fresh = TrayModel::new();
    assert_eq!(
        fresh.on_message(&event("card_removed", json!({"reader": "a"}))),
        Next::Reread
    );
}

#[test]
fn a_snapshot_event_replaces_everything_and_the_agent_going_away_forgets_it() {
    let mut model = TrayModel::new();
    let s = snapshot(
        "running",
        vec![reader(
            "a",
            Some(card_json("CPS", "ready", None, None)),
            None,
        )],
    );
    let message = SseMessage {
        event: "snapshot".into(),
        id: Some("4".into()),
        data: serde_json::to_string(&s).unwrap(),
    };
    assert_eq!(model.on_message(&message), Next::Changed);
    assert_eq!(model.link, Link::Following);
    assert_eq!(view(&model, AGENT).face, Face::Ready);
    model.agent_down("flux fermé");
    assert!(model.snapshot.is_none());
    assert_eq!(view(&model, AGENT).face, Face::AgentDown);
    // A reader reading when the snapshot arrives keeps reading only if still without a card.
    let mut model = following(snapshot("running", vec![reader("a", None, None)]));
    model.on_message(&event("card_inserted", json!({"reader": "a", "atr": "3B"})));
    model.replace(s.clone());
    assert!(model.reading.is_empty());
}

#[test]
fn reader_names_are_not_read_as_markup() {
    let mut s = snapshot("running", vec![reader("a", None, None)]);
    s.readers[0].name = "Lecteur <b>&</b>".to_string();
    let v = view(&following(s), AGENT);
    assert_eq!(
        v.tooltip_text(),
        "Lecteur Lecteur &lt;b&gt;&amp;&lt;/b&gt; : pas de carte"
    );
}

#[test]
fn the_tooltip_adds_the_next_step_of_the_demarche_and_follows_its_changes() {
    let mut model = following(snapshot("running", vec![reader("a", None, None)]));
    let v = view(&model, AGENT);
    assert_eq!(v.tooltip_lines.len(), 1, "no démarche known yet: {v:?}");
    let changed = model.on_message(&event(
        "checklist_changed",
        json!({ "checklist": { "done": 6, "total": 9, "attention": 0,
            "next": { "id": "elearning", "title": "E-learning de l'ANS suivi par le gestionnaire",
                      "state": "todo" } } }),
    ));
    assert_eq!(changed, Next::Changed);
    let v = view(&model, AGENT);
    assert_eq!(
        v.tooltip_lines.last().unwrap(),
        "Démarche RPPS+ : 6/9 étapes — prochaine : E-learning de l'ANS suivi par le gestionnaire"
    );
    model.on_message(&event(
        "checklist_changed",
        json!({ "checklist": { "done": 9, "total": 9, "attention": 0 } }),
    ));
    let v = view(&model, AGENT);
    assert_eq!(
        v.tooltip_lines.last().unwrap(),
        "Démarche RPPS+ : 9/9 étapes, toutes faites"
    );
    // A snapshot that carries the summary shows it at once.
    let mut with_summary = snapshot("running", Vec::new());
    with_summary.checklist = model.snapshot.as_ref().unwrap().checklist.clone();
    let fresh = following(with_summary);
    assert!(view(&fresh, AGENT)
        .tooltip_lines
        .iter()
        .any(|l| l.contains("9/9")));
}

#[test]
fn pictures_are_32_pixels_square_with_the_faces_colour_inside_a_white_ring() {
    for face in [
        Face::Ready,
        Face::Warning,
        Face::NotReady,
        Face::AgentDown,
        Face::NoCard,
    ] {
        let (rgba, size) = face.picture();
        assert_eq!(size, 32);
        assert_eq!(rgba.len(), 32 * 32 * 4);
        let at = |x: usize, y: usize| &rgba[(y * 32 + x) * 4..(y * 32 + x) * 4 + 4];
        let [r, g, b] = face.colour();
        assert_eq!(at(16, 16), [r, g, b, 0xff], "{face:?}");
        assert_eq!(at(16, 1), [0xff, 0xff, 0xff, 0xff], "{face:?}");
        assert_eq!(at(0, 0)[3], 0, "corners are transparent");
    }
    assert_ne!(Face::Ready.colour(), Face::NotReady.colour());
}

#[test]
fn windows_tooltips_fit_the_128_units_of_sz_tip() {
    use super::item::{fit_utf16, TOOLTIP_MAX_UTF16};
    assert_eq!(fit_utf16("court", TOOLTIP_MAX_UTF16), "court");
    let long = "é".repeat(200);
    let cut = fit_utf16(&long, TOOLTIP_MAX_UTF16);
    assert_eq!(cut.encode_utf16().count(), TOOLTIP_MAX_UTF16);
    assert!(cut.ends_with('…'));
    // A character outside the BMP (two UTF-16 units) is never split.
    let emoji = "🟢".repeat(100);
    let cut = fit_utf16(&emoji, TOOLTIP_MAX_UTF16);
    assert!(cut.encode_utf16().count() <= TOOLTIP_MAX_UTF16);
    assert!(cut.trim_end_matches('…').chars().all(|c| c == '🟢'));
}
