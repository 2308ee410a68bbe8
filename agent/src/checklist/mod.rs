//! The organisation's RPPS+ démarche, step by step (issue 10): the seed's to-do list
//! (domain.md §2) as a checklist the agent ticks where it can tell, and people tick where it
//! cannot. A store beside `finess/`, with its logic:
//!
//! - [`store`]: SQLite in the data dir (WAL, one transaction per write): the history of ticks,
//!   the establishment cards and readers seen.
//! - [`seen`]: the facts kept of a card seen (no name, no number), and the seam where the
//!   technician's-bench journal (issue 14) can replace the checklist's own record.
//! - [`evaluate`]: where the démarche stands, from the contract, the FINESS directory's check,
//!   the ticks, the cards seen and the live state. Pure.
//! - [`tick`]: a person's tick checked and turned into a history entry.
//! - [`export`]: JSON export and merge-import, to carry the démarche to another workstation.
//!
//! The wire types are `crate::model::checklist`; the words `crate::text::checklist`; the faces
//! `cpx-agent checklist` (`crate::cli::checklist`), `GET/POST /v1/checklist`, the status page
//! and the tray. The running agent records cards and re-evaluates off the verdicts' path
//! (`crate::cli::run`).

pub mod evaluate;
pub mod export;
pub mod seen;
pub mod store;
pub mod tick;

use time::{Date, OffsetDateTime};

use crate::config::Config;
use crate::finess::check::{check, ContractStructures};
use crate::finess::Directory;
use crate::model::checklist::Checklist;
use crate::model::status::StatusSnapshot;
use evaluate::{FinessEvidence, Inputs};
use seen::Sightings;
use store::{Store, StoreError};

/// A moment as the store writes it: RFC 3339, UTC, microseconds, fixed width (so that the
/// text sorts as the time does).
pub fn timestamp(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

/// What the configured FINESS directory says of the contract's numbers, as of `today`.
pub fn finess_evidence(config: &Config, today: Date) -> FinessEvidence {
    let Some(contract) = &config.contract else {
        return FinessEvidence::NoContract;
    };
    let Some(path) = config
        .finess
        .db
        .clone()
        .or_else(crate::finess::store::default_path)
    else {
        return FinessEvidence::NoDirectory;
    };
    let directory = match Directory::open(&path) {
        Ok(Some(d)) => d,
        Ok(None) => return FinessEvidence::NoDirectory,
        Err(e) => return FinessEvidence::Unreadable(e.to_string()),
    };
    let structures = ContractStructures {
        ej: Some(contract.ej.to_string()),
        egs: contract.egs.iter().map(|e| e.to_string()).collect(),
        ars_contact: config.finess.ars_contact.clone(),
    };
    match check(&directory, &structures, today) {
        Ok(report) => FinessEvidence::Checked(Box::new(report)),
        Err(e) => FinessEvidence::Unreadable(e.to_string()),
    }
}

/// The checklist now: the configuration, the directory, the store, and the live state when
/// the caller is the running agent.
pub fn evaluate_now(
    config: &Config,
    store: &Store,
    live: Option<&StatusSnapshot>,
    now: OffsetDateTime,
) -> Result<Checklist, StoreError> {
    let finess = finess_evidence(config, now.date());
    evaluate_with(config, &finess, store, live, now)
}

/// The same, with the directory's evidence already at hand.
pub fn evaluate_with(
    config: &Config,
    finess: &FinessEvidence,
    store: &Store,
    live: Option<&StatusSnapshot>,
    now: OffsetDateTime,
) -> Result<Checklist, StoreError> {
    let ticks = store.ticks()?;
    let sightings: &dyn Sightings = store;
    let cards = sightings.establishment_cards()?;
    let reader_seen = sightings.reader_last_seen()?;
    Ok(evaluate::evaluate(&Inputs {
        contract: config.contract.as_ref(),
        ars_contact: config.finess.ars_contact.as_deref(),
        finess,
        ticks: &ticks,
        cards: &cards,
        reader_seen: reader_seen.as_deref(),
        live,
        now,
    }))
}
