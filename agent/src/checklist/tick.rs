//! A person ticks, unticks or marks a step not applicable: the request checked against the
//! steps and the contract, turned into one history entry (who, when, the day given, the note,
//! from where).

use time::{Date, OffsetDateTime};

use crate::config::{Contract, ContractMode};
use crate::model::checklist::{HistoryEntry, StepId, TickRequest};
use crate::text::checklist as texte;

use super::store::StoreError;

/// Longest note kept.
pub const NOTE_MAX_CHARS: usize = 1000;

/// Why a tick is refused. French, with what to do.
#[derive(Debug, thiserror::Error)]
pub enum TickError {
    #[error("{}", texte::unknown_step(.0))]
    UnknownStep(String),
    #[error("{}", texte::NOT_TICKABLE)]
    NotTickable,
    #[error("{}", texte::eg_needed(*step, egs))]
    EgNeeded { step: StepId, egs: Vec<String> },
    #[error("{}", texte::eg_not_in_contract(eg, egs))]
    EgNotInContract { eg: String, egs: Vec<String> },
    #[error("{}", texte::eg_not_needed(*.0))]
    EgNotNeeded(StepId),
    #[error("{}", texte::bad_date(.0))]
    BadDate(String),
    #[error("{}", texte::future_date(.0))]
    FutureDate(String),
    #[error("{}", texte::NOTE_TOO_LONG)]
    NoteTooLong,
    #[error("{}", texte::NA_ONLY_OPTIONAL)]
    NotApplicableOnlyOptional,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl TickError {
    /// Whether the request itself is wrong (400), rather than the store (500).
    pub fn is_request_error(&self) -> bool {
        !matches!(self, TickError::Store(_))
    }
}

/// The OS user running this process (who ticked).
pub fn os_user() -> String {
    crate::platform::os_user()
}

fn parse_day(text: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), &format).ok()
}

/// The history entry for `request` on step `id`, as of `now`.
pub fn entry(
    id: &str,
    request: &TickRequest,
    contract: Option<&Contract>,
    by: &str,
    origin: &str,
    now: OffsetDateTime,
) -> Result<HistoryEntry, TickError> {
    let step = StepId::parse(id).ok_or_else(|| TickError::UnknownStep(id.trim().to_string()))?;
    if !step.tickable() {
        return Err(TickError::NotTickable);
    }
    let decentralised = contract.filter(|c| c.mode == ContractMode::Decentralised && step.per_eg());
    let eg = request
        .eg
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    let eg = match (decentralised, eg) {
        (Some(c), None) => {
            return Err(TickError::EgNeeded {
                step,
                egs: c.egs.iter().map(|e| e.to_string()).collect(),
            })
        }
        (Some(c), Some(eg)) => {
            if !c.egs.iter().any(|e| e.as_str() == eg) {
                return Err(TickError::EgNotInContract {
                    eg: eg.to_string(),
                    egs: c.egs.iter().map(|e| e.to_string()).collect(),
                });
            }
            Some(eg.to_string())
        }
        (None, Some(eg)) if step.per_eg() => {
            return Err(TickError::EgNotInContract {
                eg: eg.to_string(),
                egs: Vec::new(),
            })
        }
        (None, Some(_)) => return Err(TickError::EgNotNeeded(step)),
        (None, None) => None,
    };
    if request.not_applicable && request.done && !step.optional() {
        return Err(TickError::NotApplicableOnlyOptional);
    }
    let today = now.to_offset(time::UtcOffset::UTC).date();
    let date = match request
        .date
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(text) => {
            let day = parse_day(text).ok_or_else(|| TickError::BadDate(text.to_string()))?;
            // A day ahead is tolerated (time zones); more is a typo.
            if day > today.next_day().unwrap_or(today) {
                return Err(TickError::FutureDate(text.to_string()));
            }
            day
        }
        None => today,
    };
    let note = request
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > NOTE_MAX_CHARS) {
        return Err(TickError::NoteTooLong);
    }
    let action = match (request.done, request.not_applicable) {
        (false, _) => "untick",
        (true, true) => "not_applicable",
        (true, false) => "tick",
    };
    Ok(HistoryEntry {
        step: step.as_str().to_string(),
        eg,
        action: action.to_string(),
        date: Some(super::evaluate::day(date.midnight().assume_utc())),
        at: super::timestamp(now),
        by: by.to_string(),
        note: note.map(str::to_string),
        origin: origin.to_string(),
    })
}
