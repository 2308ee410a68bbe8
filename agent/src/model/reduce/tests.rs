use super::*;
use crate::model::status::{ReadFailure, ReadFailureCode};
use crate::model::verdict::Status;

fn snapshot() -> StatusSnapshot {
    StatusSnapshot::new(ServiceState::Running, Vec::new())
}

fn added(id: &str, name: &str) -> EventKind {
    EventKind::ReaderAdded {
        reader: id.into(),
        name: name.into(),
    }
}

#[test]
fn readers_are_kept_sorted_by_name_and_once() {
    let mut s = snapshot();
    for (id, name) in [("b", "B"), ("a", "A"), ("c", "C"), ("a", "A")] {
        apply(&mut s, &added(id, name)).unwrap();
    }
    let ids: Vec<&str> = s.readers.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    apply(&mut s, &EventKind::ReaderRemoved { reader: "b".into() }).unwrap();
    assert_eq!(s.readers.len(), 2);
}

#[test]
fn a_failed_read_then_a_removal_clear_the_reader() {
    let mut s = snapshot();
    apply(&mut s, &added("r", "R")).unwrap();
    let error = ReadFailure {
        code: ReadFailureCode::CardBusy,
        message: "occupée".into(),
    };
    apply(
        &mut s,
        &EventKind::ReadFailed {
            reader: "r".into(),
            error: error.clone(),
        },
    )
    .unwrap();
    assert_eq!(s.readers[0].read_error.as_ref(), Some(&error));
    apply(&mut s, &EventKind::CardRemoved { reader: "r".into() }).unwrap();
    assert_eq!(s.readers[0].read_error, None);
    assert!(s.readers[0].card.is_none());
}

#[test]
fn events_that_do_not_fit_leave_the_snapshot_as_it_was() {
    let mut s = snapshot();
    apply(&mut s, &added("r", "R")).unwrap();
    let before = s.clone();
    assert_eq!(
        apply(&mut s, &EventKind::CardRemoved { reader: "x".into() }),
        Err(Mismatch)
    );
    assert_eq!(
        apply(
            &mut s,
            &EventKind::VerdictChanged {
                reader: "r".into(),
                from: Status::Ready,
                to: Status::NotReady,
            }
        ),
        Err(Mismatch),
        "no card to change"
    );
    assert_eq!(s, before);
}

#[test]
fn losing_the_service_forgets_the_readers() {
    let mut s = snapshot();
    apply(&mut s, &added("r", "R")).unwrap();
    apply(&mut s, &EventKind::ServiceLost).unwrap();
    assert_eq!(s.service, ServiceState::Unavailable);
    assert!(s.readers.is_empty());
    apply(&mut s, &EventKind::ServiceRestored).unwrap();
    assert_eq!(s.service, ServiceState::Running);
}

#[test]
fn a_checklist_change_replaces_the_summary() {
    use crate::model::checklist::{ChecklistSummary, NextStep, StepId, StepState};
    let mut s = snapshot();
    let summary = ChecklistSummary {
        done: 3,
        total: 9,
        attention: 1,
        next: Some(NextStep {
            id: StepId::ManagerCards,
            eg: None,
            title: "Cartes".into(),
            state: StepState::Attention,
        }),
    };
    apply(
        &mut s,
        &EventKind::ChecklistChanged {
            checklist: summary.clone(),
        },
    )
    .unwrap();
    assert_eq!(s.checklist, Some(summary));
    let before = s.clone();
    apply(&mut s, &EventKind::ConfigReloaded { mode: None }).unwrap();
    assert_eq!(s, before);
}

#[test]
fn directory_updated_sets_the_directory() {
    let mut s = snapshot();
    let dir = crate::model::status::DirectoryStatus {
        data_date: Some("2026-11-20".into()),
        imported_at: "2026-12-03T04:00:00Z".into(),
    };
    apply(
        &mut s,
        &EventKind::DirectoryUpdated {
            directory: Some(dir.clone()),
        },
    )
    .unwrap();
    assert_eq!(s.finess_directory, Some(dir));
    apply(&mut s, &EventKind::DirectoryUpdated { directory: None }).unwrap();
    assert_eq!(s.finess_directory, None);
}
