//! The judge's output: a `Verdict` (status + findings). Shared by the CLI, the API and SSE.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Overall readiness of a card for this organisation's RPPS+ contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Nothing stands in the way.
    Ready,
    /// Usable, but something needs attention (expires soon, few PIN tries left…).
    Warning,
    /// At least one error finding: the card cannot be used for RPPS+ as it is.
    NotReady,
    /// The card's structure could not be established (CPS/CPF without PIN).
    Unknown,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// One thing the judge found. `code` is stable (other applications match on it); `message`
/// and `remedy` are French, for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Finding {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    pub remedy: String,
}

impl Finding {
    pub fn new(code: &str, severity: Severity, message: String, remedy: String) -> Finding {
        Finding {
            code: code.to_string(),
            severity,
            message,
            remedy,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Verdict {
    pub status: Status,
    pub findings: Vec<Finding>,
    /// The name of the card's structure in the local FINESS directory, when one was imported
    /// and knows the number (the card's own name is `structure.name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory_name: Option<String>,
}
