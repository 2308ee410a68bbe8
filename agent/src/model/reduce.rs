//! The one reducer: how an event changes a status snapshot. The daemon's state applies each
//! event it logs with it, the tray applies each event it receives with it, so the two cannot
//! drift apart; the status page re-reads `/v1/status` instead of keeping a third copy.

use super::events::EventKind;
use super::status::{ReaderView, ServiceState, StatusSnapshot};

/// The event does not fit the snapshot (a reader it names is unknown, a verdict change without
/// a card): the snapshot is left as it was, and a client should re-read `/v1/status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mismatch;

/// Applies one event to the snapshot.
pub fn apply(snapshot: &mut StatusSnapshot, event: &EventKind) -> Result<(), Mismatch> {
    match event {
        EventKind::ServiceLost => {
            snapshot.service = ServiceState::Unavailable;
            snapshot.readers.clear();
        }
        EventKind::ServiceRestored => snapshot.service = ServiceState::Running,
        EventKind::DirectoryUpdated { directory } => {
            snapshot.finess_directory = directory.clone();
        }
        EventKind::ReaderAdded { reader, name } => {
            if snapshot.readers.iter().all(|r| r.id != *reader) {
                let at = snapshot
                    .readers
                    .partition_point(|r| r.name.as_str() < name.as_str());
                snapshot.readers.insert(
                    at,
                    ReaderView {
                        id: reader.clone(),
                        ..ReaderView::new(name)
                    },
                );
            }
        }
        EventKind::ReaderRemoved { reader } => snapshot.readers.retain(|r| r.id != *reader),
        EventKind::CardInserted { reader, .. }
        | EventKind::CardRead { reader, .. }
        | EventKind::ReadFailed { reader, .. }
        | EventKind::CardRemoved { reader } => {
            let view = snapshot
                .readers
                .iter_mut()
                .find(|r| r.id == *reader)
                .ok_or(Mismatch)?;
            view.card = None;
            view.read_error = None;
            match event {
                EventKind::CardRead { card, .. } => view.card = Some((**card).clone()),
                EventKind::ReadFailed { error, .. } => view.read_error = Some(error.clone()),
                _ => {}
            }
        }
        EventKind::VerdictChanged { reader, to, .. } => {
            let card = snapshot
                .readers
                .iter_mut()
                .find(|r| r.id == *reader)
                .and_then(|r| r.card.as_mut())
                .ok_or(Mismatch)?;
            card.verdict.status = *to;
        }
        EventKind::ChecklistChanged { checklist } => snapshot.checklist = Some(checklist.clone()),
        EventKind::ConfigReloaded { .. } => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests;
