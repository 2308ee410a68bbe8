//! Where the démarche stands: a pure function of the contract, the FINESS directory's check,
//! the ticks in force, the cards and readers seen, and the live state (cards in readers now).
//!
//! Each line's state, strongest first:
//! 1. `attention`: the agent sees a problem now — the directory's check has findings
//!    (`finess_data`), or an establishment card in a reader is not ready or is off the
//!    contract's FINESS (`cde_received` when its title says director, else `manager_cards`),
//!    with the findings and their remedies;
//! 2. a person's tick (`done`, or `not_applicable`): source `person`;
//! 3. what the agent verified (`done`, source `agent`): the contract configured, the directory
//!    check clean, a director's card seen on the contract FINESS, a usable manager card seen
//!    there and a reader seen;
//! 4. else `todo` (`optional` for the ORG/SERV certificates).

use cpx_card::Finess;
use time::OffsetDateTime;

use super::store::Tick;
use crate::config::{Contract, ContractMode};
use crate::finess::check::CheckReport;
use crate::finess::region::contact_phrase;
use crate::model::checklist::{summarise, Checklist, SeenCard, Source, Step, StepId, StepState};
use crate::model::label;
use crate::model::status::StatusSnapshot;
use crate::model::verdict::{Finding, Severity, Status};
use crate::text::checklist as texte;

use super::seen::{establishment_finess, title_says_director, usable};

/// What the FINESS directory says of the contract's numbers.
#[derive(Debug, Clone)]
pub enum FinessEvidence {
    /// No contract: nothing to check.
    NoContract,
    /// No directory imported on this workstation.
    NoDirectory,
    /// The directory could not be read (French detail).
    Unreadable(String),
    /// `finess check`'s report.
    Checked(Box<CheckReport>),
}

/// Everything the evaluation looks at.
pub struct Inputs<'a> {
    pub contract: Option<&'a Contract>,
    /// `[finess] ars_contact`, when configured.
    pub ars_contact: Option<&'a str>,
    pub finess: &'a FinessEvidence,
    pub ticks: &'a [Tick],
    pub cards: &'a [SeenCard],
    /// The last day a reader was seen.
    pub reader_seen: Option<&'a str>,
    /// The live state (cards in readers now); `None` outside the running agent.
    pub live: Option<&'a StatusSnapshot>,
    pub now: OffsetDateTime,
}

/// `YYYY-MM-DD` of a moment, UTC.
pub fn day(at: OffsetDateTime) -> String {
    let d = at.to_offset(time::UtcOffset::UTC).date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// One line before its state is decided.
struct Line {
    id: StepId,
    eg: Option<String>,
    /// The FINESS the contract and cards of this line are on.
    contract_finess: Option<String>,
}

fn lines(contract: Option<&Contract>) -> Vec<Line> {
    let mut out = Vec::new();
    for id in StepId::ALL {
        match contract {
            Some(c) if c.mode == ContractMode::Decentralised && id.per_eg() => {
                for eg in &c.egs {
                    out.push(Line {
                        id,
                        eg: Some(eg.to_string()),
                        contract_finess: Some(eg.to_string()),
                    });
                }
            }
            Some(c) => out.push(Line {
                id,
                eg: None,
                contract_finess: (c.mode == ContractMode::Centralised || id == StepId::FinessData)
                    .then(|| c.ej.to_string()),
            }),
            None => out.push(Line {
                id,
                eg: None,
                contract_finess: None,
            }),
        }
    }
    out
}

/// Whether a FINESS is where the contract's cards belong.
fn on_contract(contract: &Contract, finess: &str) -> bool {
    match contract.mode {
        ContractMode::Centralised => contract.ej.as_str() == finess,
        ContractMode::Decentralised => contract.egs.iter().any(|e| e.as_str() == finess),
    }
}

/// A problem seen now on an establishment card in a reader.
struct LiveProblem {
    step: StepId,
    /// The line's FINESS, or `None` for every line of the step (a card off the contract).
    finess: Option<String>,
    detail: String,
    findings: Vec<Finding>,
}

fn live_problems(contract: Option<&Contract>, live: Option<&StatusSnapshot>) -> Vec<LiveProblem> {
    let (Some(contract), Some(live)) = (contract, live) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for card in live.readers.iter().filter_map(|r| r.card.as_ref()) {
        let Some(finess) = establishment_finess(card) else {
            continue;
        };
        let director =
            title_says_director(card.report.holder.as_ref().and_then(|h| h.title.as_deref()));
        let step = if director {
            StepId::CdeReceived
        } else {
            StepId::ManagerCards
        };
        let here = on_contract(contract, finess);
        if here && card.verdict.status != Status::NotReady {
            continue;
        }
        let findings: Vec<Finding> = card
            .verdict
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .cloned()
            .collect();
        out.push(LiveProblem {
            step,
            finess: here.then(|| finess.to_string()),
            detail: texte::card_problem(finess, here),
            findings,
        });
    }
    out
}

/// The reader holding a usable manager card on the contract, now.
fn ready_manager_reader<'a>(
    contract: Option<&Contract>,
    live: Option<&'a StatusSnapshot>,
    finess: Option<&str>,
) -> Option<&'a str> {
    let contract = contract?;
    live?.readers.iter().find_map(|r| {
        let card = r.card.as_ref()?;
        let on = establishment_finess(card)?;
        let director =
            title_says_director(card.report.holder.as_ref().and_then(|h| h.title.as_deref()));
        let wanted = match finess {
            Some(f) => on == f,
            None => on_contract(contract, on),
        };
        (wanted && !director && usable(card.verdict.status)).then_some(r.name.as_str())
    })
}

/// The state and its provenance, before ticks and live problems.
struct Verified {
    state: StepState,
    source: Option<Source>,
    at: Option<String>,
    detail: Option<String>,
    hint: Option<String>,
    findings: Vec<Finding>,
}

impl Verified {
    fn todo(detail: Option<String>) -> Verified {
        Verified {
            state: StepState::Todo,
            source: None,
            at: None,
            detail,
            hint: None,
            findings: Vec::new(),
        }
    }

    fn done(at: Option<String>, detail: String) -> Verified {
        Verified {
            state: StepState::Done,
            source: Some(Source::Agent),
            at,
            detail: Some(detail),
            hint: None,
            findings: Vec::new(),
        }
    }
}

fn finess_data(inputs: &Inputs) -> Verified {
    match inputs.finess {
        FinessEvidence::NoContract => Verified::todo(Some(texte::FINESS_NO_CONTRACT.into())),
        FinessEvidence::NoDirectory => Verified::todo(Some(texte::FINESS_NO_DIRECTORY.into())),
        FinessEvidence::Unreadable(detail) => {
            Verified::todo(Some(texte::finess_unreadable(detail)))
        }
        FinessEvidence::Checked(report) => {
            let problems: Vec<Finding> = report
                .findings
                .iter()
                .filter(|f| f.severity >= Severity::Warning)
                .cloned()
                .collect();
            if problems.is_empty() {
                let numbers: Vec<String> = report
                    .checked
                    .iter()
                    .map(|c| match &c.name {
                        Some(name) => format!("{} {} ({name})", label(&c.role), c.finess),
                        None => format!("{} {}", label(&c.role), c.finess),
                    })
                    .collect();
                let at = Some(report.directory.imported_at.chars().take(10).collect());
                Verified::done(
                    at,
                    texte::finess_checked(report.directory.data_date.as_deref(), &numbers),
                )
            } else {
                Verified {
                    state: StepState::Attention,
                    source: Some(Source::Agent),
                    at: None,
                    detail: Some(texte::finess_problems(problems.len())),
                    hint: None,
                    findings: problems,
                }
            }
        }
    }
}

fn contract_mode(contract: Option<&Contract>) -> Verified {
    match contract {
        None => Verified::todo(Some(texte::NO_CONTRACT.into())),
        Some(c) => {
            let detail = match c.mode {
                ContractMode::Centralised => texte::mode_centralised(c.ej.as_str()),
                ContractMode::Decentralised => {
                    let egs: Vec<String> = c.egs.iter().map(Finess::to_string).collect();
                    texte::mode_decentralised(c.ej.as_str(), &egs)
                }
            };
            Verified::done(None, detail)
        }
    }
}

fn cde_received(inputs: &Inputs, finess: Option<&str>) -> Verified {
    let Some(finess) = finess else {
        return Verified::todo(None);
    };
    let on_line = inputs.cards.iter().filter(|c| c.finess == finess);
    if let Some(card) = on_line.clone().find(|c| c.director) {
        return Verified::done(
            Some(card.last_seen.clone()),
            texte::director_card_seen(&card.last_seen, finess),
        );
    }
    let mut todo = Verified::todo(None);
    todo.hint = on_line
        .max_by(|a, b| a.last_seen.cmp(&b.last_seen))
        .map(|c| texte::other_establishment_card_seen(&c.last_seen, finess));
    todo
}

fn manager_cards(inputs: &Inputs, finess: Option<&str>) -> Verified {
    let Some(finess) = finess else {
        return Verified::todo(None);
    };
    let usable_cards: Vec<&SeenCard> = inputs
        .cards
        .iter()
        .filter(|c| c.finess == finess && !c.director && c.usable_seen.is_some())
        .collect();
    let latest = usable_cards
        .iter()
        .filter_map(|c| c.usable_seen.as_deref())
        .max();
    match (latest, inputs.reader_seen) {
        (Some(day), Some(reader)) => Verified::done(
            Some(day.to_string()),
            texte::manager_card_seen(day, finess, usable_cards.len(), Some(reader)),
        ),
        (Some(day), None) => Verified::todo(Some(texte::manager_card_without_reader(day, finess))),
        (None, None) => Verified::todo(Some(texte::NO_READER_SEEN.into())),
        (None, Some(_)) => Verified::todo(None),
    }
}

fn ars_phrase(inputs: &Inputs) -> String {
    let dep = inputs.contract.map(|c| c.ej.departement());
    contact_phrase(dep.as_deref(), inputs.ars_contact)
}

/// Evaluates the checklist.
pub fn evaluate(inputs: &Inputs) -> Checklist {
    let contract = inputs.contract;
    let problems = live_problems(contract, inputs.live);
    let ars = ars_phrase(inputs);
    let mut steps = Vec::new();
    for line in lines(contract) {
        let finess = line.contract_finess.as_deref();
        let mut verified = match line.id {
            StepId::FinessData => finess_data(inputs),
            StepId::ContractMode => contract_mode(contract),
            StepId::CdeReceived => cde_received(inputs, finess),
            StepId::ManagerCards => manager_cards(inputs, finess),
            StepId::CertificatesOrgServ => Verified {
                state: StepState::Optional,
                ..Verified::todo(None)
            },
            _ => Verified::todo(None),
        };
        if line.id == StepId::Registration {
            verified.hint =
                ready_manager_reader(contract, inputs.live, None).map(texte::registration_hint);
        }
        let eg_key = line.eg.clone().unwrap_or_default();
        let tick = inputs
            .ticks
            .iter()
            .find(|t| t.step == line.id.as_str() && t.eg == eg_key && line.id.tickable());
        let live: Vec<&LiveProblem> = problems
            .iter()
            .filter(|p| p.step == line.id && p.finess.as_deref().is_none_or(|f| Some(f) == finess))
            .collect();
        let mut step = Step {
            id: line.id,
            title: texte::title(line.id, line.eg.as_deref()),
            what_to_do: texte::what_to_do(line.id, &ars, finess),
            state: verified.state,
            source: verified.source,
            at: verified.at,
            note: None,
            by: None,
            eg: line.eg.clone(),
            detail: verified.detail,
            hint: verified.hint,
            findings: verified.findings,
            tickable: line.id.tickable(),
        };
        if let Some(tick) = tick.filter(|_| step.state != StepState::Attention) {
            step.state = if tick.action == "not_applicable" {
                StepState::NotApplicable
            } else {
                StepState::Done
            };
            step.source = Some(Source::Person);
            step.at = tick
                .date
                .clone()
                .or_else(|| Some(tick.at.chars().take(10).collect()));
            step.by = Some(tick.by.clone());
            step.note = tick.note.clone();
        }
        if !live.is_empty() {
            step.state = StepState::Attention;
            step.source = Some(Source::Agent);
            step.at = Some(day(inputs.now));
            let details: Vec<&str> = live.iter().map(|p| p.detail.as_str()).collect();
            step.detail = Some(details.join(" "));
            for p in live {
                for f in &p.findings {
                    if !step.findings.contains(f) {
                        step.findings.push(f.clone());
                    }
                }
            }
        }
        steps.push(step);
    }
    let mut cards_seen: Vec<SeenCard> = inputs.cards.to_vec();
    cards_seen.sort_by(|a, b| b.last_seen.cmp(&a.last_seen));
    Checklist {
        mode: contract.map(|c| c.mode.as_str().to_string()),
        ej: contract.map(|c| c.ej.to_string()),
        ej_name: match inputs.finess {
            FinessEvidence::Checked(report) => report
                .checked
                .iter()
                .find(|c| contract.is_some_and(|k| k.ej.as_str() == c.finess))
                .and_then(|c| c.name.clone()),
            _ => None,
        },
        egs: contract
            .map(|c| c.egs.iter().map(Finess::to_string).collect())
            .unwrap_or_default(),
        summary: summarise(&steps),
        steps,
        cards_seen,
        evaluated_at: inputs
            .now
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests;
