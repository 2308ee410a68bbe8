//! Setting the contract without editing TOML (issue 10 §4) and asking who needs RPPS+
//! (§5), as the page's forms and the API see them: `POST /v1/config`,
//! `GET /v1/finess/{number}`, `POST /v1/eligibility`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /v1/config`: the contract to write in the configuration file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupRequest {
    /// `centralised` or `decentralised` (also `centralized`, `centralisé`…).
    pub mode: String,
    pub ej: String,
    #[serde(default)]
    pub egs: Vec<String>,
}

/// What the directory says of one number, for the setup form and `cpx-agent setup`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FinessLookup {
    pub finess: String,
    /// The number is well-formed and its key right (else `problem` says why).
    pub valid: bool,
    /// A directory was there to ask.
    pub directory: bool,
    /// Found in the directory.
    pub found: bool,
    /// `EJ` or `EG`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// For an EG: its EJ, and the EJ's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ej: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ej_name: Option<String>,
    pub closed: bool,
    /// French, when something is wrong or worth saying (not found, closed, wrong key…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The answer of `POST /v1/config`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SetupAnswer {
    /// The file written.
    pub path: String,
    /// Each number, as the directory saw it.
    pub lookups: Vec<FinessLookup>,
    /// French: what happened.
    pub message: String,
}

/// `POST /v1/eligibility`: one person's answers (nothing is stored).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EligibilityRequest {
    /// The person's profession, as they name it (not blank).
    #[schema(min_length = 1)]
    pub profession: String,
    /// Needs access to medical data.
    pub medical_data: bool,
    /// Needs a nominative MSSanté address.
    pub mss: bool,
    /// Their RPPS number, if they have one.
    #[serde(default)]
    pub rpps: Option<String>,
}

/// `eligible`: every criterion holds; `not_eligible`: one does not; `to_check`: the
/// profession's status is not settled (recently regulated professions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Eligibility {
    Eligible,
    NotEligible,
    ToCheck,
}

/// One criterion of the seed's « À noter que ».
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Criterion {
    /// `medical_data`, `mss`, `profession`, `rpps`.
    pub criterion: String,
    /// Whether it holds (`null`: to check).
    pub ok: Option<bool>,
    /// French.
    pub message: String,
}

/// The answer for one person: `cpx-agent eligible --json`, `POST /v1/eligibility`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EligibilityAnswer {
    pub eligible: bool,
    pub verdict: Eligibility,
    /// Why not (or what to check): French, one per criterion that fails or is uncertain.
    pub reasons: Vec<String>,
    /// Every criterion, with its outcome.
    pub criteria: Vec<Criterion>,
}
