//! The snapshot every face shows: `cpx-agent status --json`, `GET /v1/status`, SSE `snapshot`.
//! One set of types, versioned by the API path (`/v1`): keep it stable.

use cpx_card::CardReport;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::checklist::ChecklistSummary;
use super::verdict::Verdict;
use crate::readers::ReaderModel;

/// Whether the PC/SC service answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ServiceState {
    Running,
    Unavailable,
}

/// A card in a reader: what the card layer read, and the judge's verdict on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CardView {
    /// Opaque id of this card while the agent runs (`c-` and 16 hex digits): tells two cards
    /// apart without identifying them (a keyed hash with a key drawn at each start; it means
    /// nothing outside this run of the agent). Absent for a card with neither chip serial nor
    /// certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_id: Option<String>,
    #[serde(flatten)]
    pub report: CardReport,
    pub verdict: Verdict,
}

impl CardView {
    /// A card and its verdict, without an id yet (the state gives it one).
    pub fn new(report: CardReport, verdict: Verdict) -> CardView {
        CardView {
            card_id: None,
            report,
            verdict,
        }
    }
}

/// One PC/SC reader and its card, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReaderView {
    /// Stable id for `/v1/readers/{id}` (derived from the name).
    pub id: String,
    /// The PC/SC reader name.
    pub name: String,
    /// Its model in the reader catalog; `null` when the catalog does not know it (never
    /// guessed).
    #[serde(default)]
    pub model: Option<ReaderModel>,
    pub card: Option<CardView>,
    /// Why the card in this reader could not be read, when the last read failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_error: Option<ReadFailure>,
}

impl ReaderView {
    /// A reader without a card (yet), its id derived from its name, its model looked up.
    pub fn new(name: &str) -> ReaderView {
        ReaderView {
            id: reader_id(name),
            name: name.to_owned(),
            model: crate::readers::by_name(name),
            card: None,
            read_error: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StatusSnapshot {
    pub service: ServiceState,
    pub readers: Vec<ReaderView>,
    /// Where the organisation's RPPS+ démarche stands (the agent's checklist; absent from
    /// `cpx-agent status`, which reads cards only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checklist: Option<ChecklistSummary>,
    /// The local FINESS directory the verdicts use, when one was imported: how old its data
    /// is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finess_directory: Option<DirectoryStatus>,
}

impl StatusSnapshot {
    /// A snapshot of cards only (no checklist summary, no directory status).
    pub fn new(service: ServiceState, readers: Vec<ReaderView>) -> StatusSnapshot {
        StatusSnapshot {
            service,
            readers,
            checklist: None,
            finess_directory: None,
        }
    }
}

/// What the local FINESS directory is (its data's date, when it was imported or updated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DirectoryStatus {
    /// Date of the data (`YYYY-MM-DD`), as the extracts declare it.
    pub data_date: Option<String>,
    /// When it was imported here (RFC 3339, UTC).
    pub imported_at: String,
}

/// Why a card could not be read: a stable `code` (other applications match on it, like the
/// finding codes) and the French `message` for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReadFailure {
    pub code: ReadFailureCode,
    pub message: String,
}

/// The stable codes of a failed read (`service_unavailable`, `card_removed`, `card_busy`…):
/// the card crate's one classification of PC/SC and card errors.
pub use cpx_card::ReadFailureCode;

/// Worth trying again by itself, without a new insertion: another application holds the card.
pub fn retry_alone(code: ReadFailureCode) -> bool {
    code == ReadFailureCode::CardBusy
}

/// Stable id of a reader for `/v1/readers/{id}`: its name in lower case, runs of anything but
/// letters and digits turned into one `-` (`Virtual PCD 00 00` → `virtual-pcd-00-00`).
pub fn reader_id(name: &str) -> String {
    let mut id = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
    }
    while id.ends_with('-') {
        id.pop();
    }
    id
}
