//! What the tray knows of the agent: whether it follows the agent's event stream, the last
//! snapshot, and which readers are reading a card. Fed the SSE messages of `GET /v1/events`
//! one by one (`on_message`); pure, no I/O, so every transition is unit-tested.

use std::collections::BTreeSet;

use crate::model::events::{Event, EventKind};
use crate::model::reduce;
use crate::model::status::StatusSnapshot;

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

    /// Applies one event to the snapshot (the one reducer, `crate::model::reduce`), and follows
    /// which readers are reading a card.
    pub fn apply(&mut self, kind: &EventKind) -> Next {
        let Some(snapshot) = self.snapshot.as_mut() else {
            return Next::Reread;
        };
        if reduce::apply(snapshot, kind).is_err() {
            return Next::Reread;
        }
        match kind {
            EventKind::ServiceLost => self.reading.clear(),
            EventKind::CardInserted { reader, .. } => {
                self.reading.insert(reader.clone());
            }
            EventKind::ReaderRemoved { reader }
            | EventKind::CardRead { reader, .. }
            | EventKind::ReadFailed { reader, .. }
            | EventKind::CardRemoved { reader } => {
                self.reading.remove(reader);
            }
            _ => {}
        }
        Next::Changed
    }
}
