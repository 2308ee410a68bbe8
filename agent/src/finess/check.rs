//! `finess check`: the contract's EJ and EGs against the directory, before contracting (step 1
//! of the RPPS+ checklist: "the FINESS data of my structures are correct"). Each problem is a
//! finding with its remedy; FINESS anomalies are corrected by the ARS FINESS service of the
//! structure's region.

use serde::Serialize;
use time::Date;

pub use super::entity::Role;
use super::entity::{Entity, EntityKind};
use super::region;
use super::store::{Directory, DirectoryInfo};
use crate::model::verdict::{Finding, Severity};
use crate::text::finess as msg;
use cpx_card::{Finess, FinessKey};

/// A directory older than this is worth refreshing.
pub const DIRECTORY_MAX_AGE_DAYS: i64 = 90;

/// The organisation's structures as its configuration states them (raw text: checking that
/// they are well-formed is part of the check).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContractStructures {
    pub ej: Option<String>,
    pub egs: Vec<String>,
    /// The organisation's own FINESS contact at its ARS, when configured.
    pub ars_contact: Option<String>,
}

/// One configured number and what the directory says of it.
#[derive(Debug, Clone, Serialize)]
pub struct CheckedNumber {
    pub role: Role,
    pub finess: String,
    pub found: Option<EntityKind>,
    pub name: Option<String>,
}

/// What `finess check` prints (text or `--json`).
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub directory: DirectoryInfo,
    pub checked: Vec<CheckedNumber>,
    pub findings: Vec<Finding>,
}

impl CheckReport {
    /// Whether something needs attention (a warning or an error).
    pub fn needs_attention(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.severity >= Severity::Warning)
    }
}

pub(crate) fn finding(code: &str, severity: Severity, message: String, remedy: String) -> Finding {
    Finding {
        code: code.to_string(),
        severity,
        message,
        remedy,
    }
}

/// Parses a `YYYY-MM-DD` date (the directory's dates).
pub fn parse_date(s: &str) -> Option<Date> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.get(..10)?, &fmt).ok()
}

/// The département to route a remedy: the directory's when the entry is known, else the
/// number's.
fn departement(entity: Option<&Entity>, finess: Option<&Finess>) -> Option<String> {
    entity
        .and_then(|e| e.departement.clone())
        .or_else(|| finess.map(Finess::departement))
}

/// Checks the contract's structures against the directory, as of `today`.
pub fn check(
    dir: &Directory,
    contract: &ContractStructures,
    today: Date,
) -> rusqlite::Result<CheckReport> {
    let info = dir.info()?;
    let mut findings = Vec::new();
    let mut checked = Vec::new();
    let contact = contract.ars_contact.as_deref();

    match info.data_date.as_deref().and_then(parse_date) {
        Some(d) => {
            let age = (today - d).whole_days();
            if age > DIRECTORY_MAX_AGE_DAYS {
                findings.push(finding(
                    "finess_directory_old",
                    Severity::Warning,
                    msg::directory_old(&d.to_string(), age),
                    msg::REMEDY_REIMPORT.to_string(),
                ));
            }
        }
        None => findings.push(finding(
            "finess_directory_undated",
            Severity::Info,
            msg::DIRECTORY_UNDATED.to_string(),
            msg::REMEDY_REIMPORT.to_string(),
        )),
    }

    let ej_number = contract.ej.as_deref().and_then(|s| Finess::parse(s).ok());
    let mut numbers: Vec<(Role, &str)> = Vec::new();
    if let Some(ej) = &contract.ej {
        numbers.push((Role::Ej, ej));
    }
    numbers.extend(contract.egs.iter().map(|e| (Role::Eg, e.as_str())));

    for (role, raw) in numbers {
        let finess = match Finess::parse(raw) {
            Ok(f) => f,
            Err(e) => {
                findings.push(finding(
                    "finess_malformed",
                    Severity::Error,
                    msg::malformed(role, raw, &e.to_string()),
                    msg::REMEDY_FIX_CONFIG.to_string(),
                ));
                continue;
            }
        };
        match finess.key() {
            FinessKey::Valid => {}
            FinessKey::Invalid => {
                findings.push(finding(
                    "finess_key_invalid",
                    Severity::Error,
                    msg::key_invalid(role, finess.as_str()),
                    msg::REMEDY_FIX_CONFIG.to_string(),
                ));
                continue;
            }
            FinessKey::NotVerifiable => findings.push(finding(
                "finess_key_not_verifiable",
                Severity::Info,
                msg::key_not_verifiable(role, finess.as_str()),
                String::new(),
            )),
        }
        let entity = dir.get(finess.as_str())?;
        let dep = departement(entity.as_ref(), Some(&finess));
        let ars = region::contact_phrase(dep.as_deref(), contact);
        checked.push(CheckedNumber {
            role,
            finess: finess.to_string(),
            found: entity.as_ref().and_then(|e| e.kind),
            name: entity.as_ref().and_then(|e| e.name.clone()),
        });
        let Some(entity) = entity else {
            findings.push(finding(
                "finess_unknown",
                Severity::Error,
                msg::unknown(role, finess.as_str(), info.data_date.as_deref()),
                msg::remedy_unknown(&ars),
            ));
            continue;
        };
        match (role, entity.kind) {
            (Role::Ej, Some(EntityKind::Eg)) => findings.push(finding(
                "finess_is_eg_expected_ej",
                Severity::Error,
                msg::is_eg_expected_ej(finess.as_str(), entity.ej.as_deref()),
                msg::remedy_config_ej(entity.ej.as_deref()),
            )),
            (Role::Eg, Some(EntityKind::Ej)) => findings.push(finding(
                "finess_is_ej_expected_eg",
                Severity::Error,
                msg::is_ej_expected_eg(finess.as_str()),
                msg::REMEDY_CONFIG_EG.to_string(),
            )),
            (Role::Eg, Some(EntityKind::Eg)) => {
                if let Some(contract_ej) = &ej_number {
                    if entity.ej.as_deref() != Some(contract_ej.as_str()) {
                        findings.push(finding(
                            "eg_not_in_contract_ej",
                            Severity::Error,
                            msg::eg_not_in_ej(
                                finess.as_str(),
                                entity.ej.as_deref(),
                                contract_ej.as_str(),
                            ),
                            msg::remedy_eg_not_in_ej(&ars),
                        ));
                    }
                }
            }
            _ => {}
        }
        if entity.is_closed() {
            findings.push(finding(
                "finess_closed",
                Severity::Error,
                msg::closed(role, finess.as_str(), entity.closed.as_deref()),
                msg::remedy_closed(&ars),
            ));
        }
    }
    Ok(CheckReport {
        directory: info,
        checked,
        findings,
    })
}
