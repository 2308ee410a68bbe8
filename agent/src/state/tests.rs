use super::*;
use crate::api::tests::sample_card;
use crate::model::verdict::Status;

fn view(status: Status, serial: &str) -> CardView {
    CardView {
        card_id: None,
        report: sample_card("DUPONT", serial),
        verdict: Verdict {
            status,
            findings: Vec::new(),
            directory_name: None,
        },
    }
}

fn kinds(state: &DaemonState) -> Vec<&'static str> {
    state.read().log.iter().map(|e| e.name).collect::<Vec<_>>()
}

#[test]
fn a_read_that_ends_after_its_card_left_is_dropped() {
    let state = DaemonState::new(ServiceState::Running);
    state.reader_added("R");
    let first = state.card_inserted("R", &[0x3B]);
    state.card_removed("R");
    let second = state.card_inserted("R", &[0x3B]);
    assert!(!state.card_read("R", first, view(Status::Ready, "01")));
    assert!(state.snapshot().readers[0].card.is_none());
    assert!(state.card_read("R", second, view(Status::Ready, "02")));
    assert_eq!(
        state.snapshot().readers[0]
            .card
            .as_ref()
            .unwrap()
            .report
            .serial
            .as_deref(),
        Some("02")
    );
}

#[test]
fn losing_the_service_forgets_readers_with_events() {
    let state = DaemonState::new(ServiceState::Running);
    state.reader_added("B");
    state.reader_added("A");
    assert_eq!(state.snapshot().readers[0].name, "A", "sorted by name");
    state.set_service(ServiceState::Unavailable);
    state.set_service(ServiceState::Unavailable);
    assert!(state.snapshot().readers.is_empty());
    state.set_service(ServiceState::Running);
    assert_eq!(
        kinds(&state),
        [
            "reader_added",
            "reader_added",
            "service_lost",
            "reader_removed",
            "reader_removed",
            "service_restored"
        ]
    );
    assert_eq!(state.last_event_id(), 6);
}

#[test]
fn verdict_changes_on_reread_and_rejudge() {
    let state = DaemonState::new(ServiceState::Running);
    state.reader_added("R");
    let generation = state.card_inserted("R", &[0x3B]);
    state.card_read("R", generation, view(Status::Ready, "01"));
    state.card_read("R", generation, view(Status::Warning, "01"));
    let present = state.cards_read();
    assert_eq!(present.len(), 1);
    let (name, generation, _) = present[0].clone();
    state.rejudged(vec![(
        name,
        generation,
        Verdict {
            status: Status::NotReady,
            findings: Vec::new(),
            directory_name: None,
        },
    )]);
    assert_eq!(
        kinds(&state),
        [
            "reader_added",
            "card_inserted",
            "card_read",
            "card_read",
            "verdict_changed",
            "verdict_changed"
        ]
    );
    let last = state.read().log.back().unwrap().full.clone();
    assert!(last.contains("\"from\":\"warning\"") && last.contains("\"to\":\"not_ready\""));
}

#[test]
fn a_repeated_failure_is_recorded_once_and_remembered_for_a_retry() {
    let state = DaemonState::new(ServiceState::Running);
    state.reader_added("R");
    let generation = state.card_inserted("R", &[0x3B]);
    assert_eq!(state.failed_read("R"), None);
    let busy = || crate::model::status::ReadFailure {
        code: crate::model::status::ReadFailureCode::CardBusy,
        message: "occupée".into(),
    };
    assert!(state.read_failed("R", generation, busy()));
    assert!(!state.read_failed("R", generation, busy()));
    assert_eq!(state.counters.read_errors.load(Ordering::Relaxed), 1);
    assert_eq!(state.failed_read("R"), Some(generation));
    state.card_removed("R");
    assert_eq!(state.failed_read("R"), None);
    assert_eq!(
        kinds(&state),
        [
            "reader_added",
            "card_inserted",
            "read_failed",
            "card_removed"
        ]
    );
}

#[test]
fn reader_ids_are_slugs_of_names() {
    assert_eq!(reader_id("Virtual PCD 00 00"), "virtual-pcd-00-00");
    assert_eq!(
        reader_id("Gemalto PC Twin Reader (645D) 00 00"),
        "gemalto-pc-twin-reader-645d-00-00"
    );
}

#[test]
fn the_directory_is_published_once_per_change() {
    let state = DaemonState::new(ServiceState::Running);
    let dir = DirectoryStatus {
        data_date: Some("2026-11-20".into()),
        imported_at: "2026-12-03T04:00:00Z".into(),
    };
    state.set_directory(Some(dir.clone()));
    state.set_directory(Some(dir.clone()));
    assert_eq!(kinds(&state), vec!["directory_updated"]);
    assert_eq!(state.snapshot().finess_directory, Some(dir));
    let json: serde_json::Value = serde_json::from_slice(&state.status_json(false)).unwrap();
    assert_eq!(json["finess_directory"]["data_date"], "2026-11-20");
    state.set_directory(None);
    assert_eq!(
        kinds(&state),
        vec!["directory_updated", "directory_updated"]
    );
    let json: serde_json::Value = serde_json::from_slice(&state.status_json(false)).unwrap();
    assert!(json.get("finess_directory").is_none());
}

#[test]
fn a_read_in_progress_is_seen() {
    let state = DaemonState::new(ServiceState::Running);
    state.reader_added("R");
    assert!(!state.reading_in_progress());
    let g = state.card_inserted("R", &[0x3B]);
    assert!(state.reading_in_progress());
    state.card_read("R", g, view(Status::Ready, "01"));
    assert!(!state.reading_in_progress());
    state.card_removed("R");
    let g = state.card_inserted("R", &[0x3B]);
    state.read_failed(
        "R",
        g,
        ReadFailure {
            code: crate::model::status::ReadFailureCode::CardError,
            message: "x".into(),
        },
    );
    assert!(!state.reading_in_progress());
}
