//! What the tray knows of the agent: whether it follows the agent's event stream, the last
//! snapshot, and which readers are reading a card. Fed the SSE messages of `GET /v1/events`
//! one by one (`on_message`); pure, no I/O, so every transition is unit-tested.

use std::collections::BTreeSet;

use crate::daemon::events::{Event, EventKind};
use crate::status::{ReaderView, ServiceState, StatusSnapshot};

use super::sse::SseMessage;

/// The tray's link to the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// Not yet connected (start-up).
    Connecting,
    /// Following the event stream.
    Following,
    /// The agent does not answer; `detail` says how (French or system text).
    AgentDown { detail: String },
}

/// What to do after a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// The model changed: show it.
    Changed,
    /// Nothing to show (a message this tray does not use).
    Unchanged,
    /// Events were lost or do not fit the snapshot: re-read `/v1/status`.
    Reread,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayModel {
    pub link: Link,
    /// `None` until the first snapshot.
    pub snapshot: Option<StatusSnapshot>,
    /// Readers whose card was inserted and is being read (ids).
    pub reading: BTreeSet<String>,
}

impl Default for TrayModel {
    fn default() -> Self {
        TrayModel {
            link: Link::Connecting,
            snapshot: None,
            reading: BTreeSet::new(),
        }
    }
}

impl TrayModel {
    pub fn new() -> TrayModel {
        TrayModel::default()
    }

    /// A whole snapshot (SSE `snapshot`, or `/v1/status`): replaces what was known.
    pub fn replace(&mut self, snapshot: StatusSnapshot) {
        self.reading.retain(|id| {
            snapshot
                .readers
                .iter()
                .any(|r| r.id == *id && r.card.is_none())
        });
        self.snapshot = Some(snapshot);
        self.link = Link::Following;
    }

    /// The agent stopped answering: what was known of the cards no longer holds.
    pub fn agent_down(&mut self, detail: impl Into<String>) {
        self.link = Link::AgentDown {
            detail: detail.into(),
        };
        self.snapshot = None;
        self.reading.clear();
    }

    /// One SSE message of `/v1/events`.
    pub fn on_message(&mut self, message: &SseMessage) -> Next {
        match message.event.as_str() {
            "snapshot" => match serde_json::from_str::<StatusSnapshot>(&message.data) {
                Ok(snapshot) => {
                    self.replace(snapshot);
                    Next::Changed
                }
                Err(_) => Next::Reread,
            },
            "gap" => Next::Reread,
            _ => match serde_json::from_str::<Event>(&message.data) {
                Ok(event) => self.apply(&event.kind),
                // An event type newer than this tray: the snapshot tells the truth.
                Err(_) => Next::Reread,
            },
        }
    }

    /// Applies one event to the snapshot.
    pub fn apply(&mut self, kind: &EventKind) -> Next {
        let Some(snapshot) = self.snapshot.as_mut() else {
            return Next::Reread;
        };
        match kind {
            EventKind::ServiceLost => {
                snapshot.service = ServiceState::Unavailable;
                snapshot.readers.clear();
                self.reading.clear();
            }
            EventKind::ServiceRestored => snapshot.service = ServiceState::Running,
            EventKind::ReaderAdded { reader, name } => {
                if snapshot.readers.iter().all(|r| r.id != *reader) {
                    let at = snapshot
                        .readers
                        .partition_point(|r| r.name.as_str() < name.as_str());
                    snapshot.readers.insert(
                        at,
                        ReaderView {
                            id: reader.clone(),
                            name: name.clone(),
                            card: None,
                            read_error: None,
                        },
                    );
                }
            }
            EventKind::ReaderRemoved { reader } => {
                snapshot.readers.retain(|r| r.id != *reader);
                self.reading.remove(reader);
            }
            EventKind::CardInserted { reader, .. }
            | EventKind::CardRead { reader, .. }
            | EventKind::ReadFailed { reader, .. }
            | EventKind::CardRemoved { reader } => {
                let Some(view) = snapshot.readers.iter_mut().find(|r| r.id == *reader) else {
                    return Next::Reread;
                };
                view.card = None;
                view.read_error = None;
                self.reading.remove(reader);
                match kind {
                    EventKind::CardInserted { .. } => {
                        self.reading.insert(reader.clone());
                    }
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
                    .and_then(|r| r.card.as_mut());
                match card {
                    Some(card) => card.verdict.status = *to,
                    None => return Next::Reread,
                }
            }
        }
        Next::Changed
    }
}
