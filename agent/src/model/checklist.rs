//! The RPPS+ démarche as every face sees it (issue 10): the organisation's checklist, its steps
//! in the order of the seed's to-do list (domain.md §2), each with a state and who set it, and
//! the short summary (progress, next step) the status snapshot and the tray carry.
//! `GET /v1/checklist`, `cpx-agent checklist --json` and the SSE `checklist_changed` event
//! serialise these types: keep them stable.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::verdict::Finding;

/// A step of the démarche. The ids are stable (ticks are stored under them).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum StepId {
    /// FINESS data of the EJ and EGs correct (anomalies to the ARS before contracting).
    FinessData,
    /// Contract mode chosen (centralised recommended by the ANS).
    ContractMode,
    /// Contract(s) and F101 sent to the ANS, a copy kept.
    ContractSent,
    /// ORG/SERV certificates (optional).
    CertificatesOrgServ,
    /// The CDE card received: it validates the contract.
    CdeReceived,
    /// Manager cards and readers ordered and received.
    ManagerCards,
    /// The manager followed the ANS e-learning.
    Elearning,
    /// The manager habilitated in « Mes habilitations ».
    Habilitation,
    /// Who needs RPPS+, with which role.
    Roles,
    /// The manager registers the professionals on the RPPS+ portal.
    Registration,
}

impl StepId {
    /// Every step, in the order of the démarche.
    pub const ALL: [StepId; 10] = [
        StepId::FinessData,
        StepId::ContractMode,
        StepId::ContractSent,
        StepId::CertificatesOrgServ,
        StepId::CdeReceived,
        StepId::ManagerCards,
        StepId::Elearning,
        StepId::Habilitation,
        StepId::Roles,
        StepId::Registration,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StepId::FinessData => "finess_data",
            StepId::ContractMode => "contract_mode",
            StepId::ContractSent => "contract_sent",
            StepId::CertificatesOrgServ => "certificates_org_serv",
            StepId::CdeReceived => "cde_received",
            StepId::ManagerCards => "manager_cards",
            StepId::Elearning => "elearning",
            StepId::Habilitation => "habilitation",
            StepId::Roles => "roles",
            StepId::Registration => "registration",
        }
    }

    pub fn parse(text: &str) -> Option<StepId> {
        StepId::ALL.into_iter().find(|s| s.as_str() == text.trim())
    }

    /// Steps that a decentralised contract has once per EG (one contract, one CDE, their own
    /// manager cards per EG: domain.md §2).
    pub fn per_eg(self) -> bool {
        matches!(
            self,
            StepId::ContractSent | StepId::CdeReceived | StepId::ManagerCards
        )
    }

    /// Whether a person may tick it. The contract mode is the configuration's
    /// (`cpx-agent setup`), never a tick.
    pub fn tickable(self) -> bool {
        self != StepId::ContractMode
    }

    /// Optional steps (not counted in the progress until done).
    pub fn optional(self) -> bool {
        self == StepId::CertificatesOrgServ
    }
}

impl std::fmt::Display for StepId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Done,
    Todo,
    /// The agent found a problem: see the step's findings and their remedies.
    Attention,
    /// Optional, not done (ORG/SERV certificates).
    Optional,
    /// Marked not applicable by a person.
    NotApplicable,
}

/// Who set the state: the agent (verified) or a person (ticked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Agent,
    Person,
}

/// One line of the checklist (a step, or a step for one EG in a decentralised contract).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Step {
    pub id: StepId,
    /// French title.
    pub title: String,
    /// French: what to do, with the addresses, forms and portals.
    pub what_to_do: String,
    pub state: StepState,
    /// Who set `state`; absent while nobody did (`todo`, `optional`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// When: the day the agent saw it, or the day the person gave (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// The person's note (personal: only with the token or the page session).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The OS user who ticked it (personal: only with the token or the page session).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// The EG this line is about (decentralised contracts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eg: Option<String>,
    /// What the agent saw or knows, French (no personal data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// A hint for now (e.g. a ready manager card is in a reader: register on the portal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Why `attention`: the findings, each with its remedy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    /// Whether a person may tick it (`POST /v1/checklist/{id}`).
    pub tickable: bool,
}

impl Step {
    /// Counts in the progress: everything but optional steps left undone and steps not
    /// applicable.
    pub fn counts(&self) -> bool {
        !matches!(self.state, StepState::Optional | StepState::NotApplicable)
    }

    pub fn is_open(&self) -> bool {
        matches!(self.state, StepState::Todo | StepState::Attention)
    }
}

/// The next thing to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NextStep {
    pub id: StepId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eg: Option<String>,
    pub title: String,
    pub state: StepState,
}

/// Where the démarche stands, in short: the status snapshot, the tray and the
/// `checklist_changed` event carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChecklistSummary {
    /// Lines done.
    pub done: u32,
    /// Lines that count (optional steps left undone and steps not applicable do not).
    pub total: u32,
    /// Lines needing attention.
    pub attention: u32,
    /// The first line to do, in order (`None`: every counted line is done).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<NextStep>,
}

/// A card the agent saw (never who holds it: no name, no number, no serial).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SeenCard {
    /// `CDE/CPE`…
    pub kind: String,
    /// The structure FINESS the card is bound to.
    pub finess: String,
    /// Its subject title suggests a director's card (CDE) [inf: nothing public tells CDE from
    /// CPE for sure].
    pub director: bool,
    /// `ready`, `warning`, `not_ready`, `unknown`: the last verdict.
    pub status: String,
    /// Finding codes of the last verdict.
    pub codes: Vec<String>,
    /// `YYYY-MM-DD`.
    pub first_seen: String,
    pub last_seen: String,
    /// Last day it was seen usable (`ready` or `warning`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usable_seen: Option<String>,
}

/// The organisation's checklist: `GET /v1/checklist`, `cpx-agent checklist --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Checklist {
    /// `centralised` or `decentralised`; absent without a configured contract.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ej: Option<String>,
    /// The EJ's name in the FINESS directory, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ej_name: Option<String>,
    #[serde(default)]
    pub egs: Vec<String>,
    #[serde(flatten)]
    pub summary: ChecklistSummary,
    pub steps: Vec<Step>,
    /// Cards seen on the contract's FINESS numbers (and on others, marked), newest first.
    pub cards_seen: Vec<SeenCard>,
    /// When this was evaluated (RFC 3339).
    pub evaluated_at: String,
}

/// `POST /v1/checklist/{id}`: tick (`done: true`) or untick a step.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TickRequest {
    pub done: bool,
    /// A note (what was sent, to whom, where the copy is…).
    #[serde(default)]
    pub note: Option<String>,
    /// The day it was done, `YYYY-MM-DD` (default: today).
    #[serde(default)]
    pub date: Option<String>,
    /// The EG, for the per-EG steps of a decentralised contract.
    #[serde(default)]
    pub eg: Option<String>,
    /// Mark the step not applicable instead (with `done: true`).
    #[serde(default)]
    pub not_applicable: bool,
}

/// One entry of a step's history: who ticked or unticked it, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HistoryEntry {
    pub step: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eg: Option<String>,
    /// `tick`, `untick` or `not_applicable`.
    pub action: String,
    /// The day given for it (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// When it was recorded (RFC 3339, UTC).
    pub at: String,
    /// The OS user (personal).
    pub by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// `cli`, `api`, `page`, `import`.
    pub origin: String,
}

/// Removes what identifies a person (who ticked, their notes) for callers without the token.
pub fn redact_person(checklist: &mut Checklist) {
    for step in &mut checklist.steps {
        step.by = None;
        step.note = None;
    }
}

/// The summary of a list of lines.
pub fn summarise(steps: &[Step]) -> ChecklistSummary {
    let counted = steps.iter().filter(|s| s.counts());
    let total = counted.clone().count() as u32;
    let done = counted.filter(|s| s.state == StepState::Done).count() as u32;
    let attention = steps
        .iter()
        .filter(|s| s.state == StepState::Attention)
        .count() as u32;
    let next = steps.iter().find(|s| s.is_open()).map(|s| NextStep {
        id: s.id,
        eg: s.eg.clone(),
        title: s.title.clone(),
        state: s.state,
    });
    ChecklistSummary {
        done,
        total,
        attention,
        next,
    }
}
