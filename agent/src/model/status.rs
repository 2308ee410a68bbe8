//! The snapshot every face shows: `cpx-agent status --json`, `GET /v1/status`, SSE `snapshot`.
//! One set of types, versioned by the API path (`/v1`): keep it stable.

use cpx_card::CardReport;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::verdict::Verdict;

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
    #[serde(flatten)]
    pub report: CardReport,
    pub verdict: Verdict,
}

/// One PC/SC reader and its card, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReaderView {
    /// Stable id for `/v1/readers/{id}` (derived from the name).
    pub id: String,
    /// The PC/SC reader name.
    pub name: String,
    pub card: Option<CardView>,
    /// Why the card in this reader could not be read, when the last read failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_error: Option<ReadFailure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StatusSnapshot {
    pub service: ServiceState,
    pub readers: Vec<ReaderView>,
    /// The local FINESS directory the verdicts use, when one was imported: how old its data
    /// is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finess_directory: Option<DirectoryStatus>,
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
