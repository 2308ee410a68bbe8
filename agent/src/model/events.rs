//! The numbered events of the daemon's log: what changed, in order. `GET /v1/events` (SSE)
//! sends each one with its `id`; the same types are serialised everywhere.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::checklist::ChecklistSummary;
use super::status::{CardView, ReadFailure};
use super::verdict::Status;

/// What happened. `reader` is the reader's stable id (as in `/v1/readers/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// A reader appeared (plugged in, or found when the service came back).
    ReaderAdded { reader: String, name: String },
    /// A reader disappeared; its card goes with it.
    ReaderRemoved { reader: String },
    /// A card was put in a reader; its read has started.
    CardInserted { reader: String, atr: String },
    /// The card in a reader was read and judged.
    CardRead { reader: String, card: Box<CardView> },
    /// The card in a reader could not be read; `error` says why (stable code, French message).
    /// Retried on the next change or on `POST /v1/refresh`.
    ReadFailed { reader: String, error: ReadFailure },
    /// The card was taken out of the reader.
    CardRemoved { reader: String },
    /// The verdict on the card in this reader changed (re-read, or a date crossed).
    VerdictChanged {
        reader: String,
        from: Status,
        to: Status,
    },
    /// The PC/SC service stopped answering; readers are unknown until it returns.
    ServiceLost,
    /// The PC/SC service answers again; readers follow as `reader_added`.
    ServiceRestored,
    /// Where the RPPS+ démarche stands changed (a step ticked, a card seen, the configuration
    /// or the FINESS directory changed): the new summary; `GET /v1/checklist` has the steps.
    ChecklistChanged { checklist: ChecklistSummary },
    /// The configuration was read again and applied (`POST /v1/config/reload`, SIGHUP,
    /// `cpx-agent setup`): the cards present are judged again.
    ConfigReloaded {
        /// `centralised`, `decentralised`, or absent without a contract.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mode: Option<String>,
    },
    /// The local FINESS directory changed (imported or updated): what it is now.
    DirectoryUpdated {
        directory: Option<super::status::DirectoryStatus>,
    },
}

impl EventKind {
    /// The SSE `event:` name, same as the JSON `type`.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::ReaderAdded { .. } => "reader_added",
            EventKind::ReaderRemoved { .. } => "reader_removed",
            EventKind::CardInserted { .. } => "card_inserted",
            EventKind::CardRead { .. } => "card_read",
            EventKind::ReadFailed { .. } => "read_failed",
            EventKind::CardRemoved { .. } => "card_removed",
            EventKind::VerdictChanged { .. } => "verdict_changed",
            EventKind::ServiceLost => "service_lost",
            EventKind::ServiceRestored => "service_restored",
            EventKind::ChecklistChanged { .. } => "checklist_changed",
            EventKind::ConfigReloaded { .. } => "config_reloaded",
            EventKind::DirectoryUpdated { .. } => "directory_updated",
        }
    }
}

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Event {
    /// Increases by one per event, from 1, for the life of the agent process.
    pub id: u64,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    #[serde(flatten)]
    pub kind: EventKind,
}
