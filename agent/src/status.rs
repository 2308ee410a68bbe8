//! The snapshot every face shows: `cpx-agent status --json`, `GET /v1/status`, SSE `snapshot`.
//! One set of types, versioned by the API path (`/v1`): keep it stable.

use cpx_card::CardReport;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::verdict::Verdict;

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
    /// Why the card in this reader could not be read, French, when the last read failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StatusSnapshot {
    pub service: ServiceState,
    pub readers: Vec<ReaderView>,
}
