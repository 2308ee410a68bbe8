//! The directory's findings on a card (issue 5, item 4). The judge alone knows the contract
//! (config) and the card's FINESS, not whether that number is an EJ or an EG: with a local
//! directory, its generic `finess_mismatch` becomes the precise `finess_is_eg_expected_ej` /
//! `finess_is_ej_expected_eg`, and the directory adds `finess_unknown`,
//! `eg_not_in_contract_ej` and `structure_name_differs`.

use std::path::PathBuf;

use cpx_card::{CardReport, Finess, FinessKey, StructureIdType};

use super::check::finding;
use super::entity::{Entity, EntityKind};
use super::messages as msg;
use super::names::same_structure_name;
use super::region;
use super::store::{self, Directory};
use crate::config::{Config, ContractMode};
use crate::judge::codes as judge_codes;
use crate::verdict::{Finding, Severity};

/// Stable codes of the directory findings.
pub mod codes {
    pub const FINESS_UNKNOWN: &str = "finess_unknown";
    pub const FINESS_IS_EG_EXPECTED_EJ: &str = "finess_is_eg_expected_ej";
    pub const FINESS_IS_EJ_EXPECTED_EG: &str = "finess_is_ej_expected_eg";
    pub const EG_NOT_IN_CONTRACT_EJ: &str = "eg_not_in_contract_ej";
    pub const STRUCTURE_NAME_DIFFERS: &str = "structure_name_differs";
}

/// The directory database the configuration points to (`[finess] db`, else the default).
pub fn directory_path(config: &Config) -> Option<PathBuf> {
    config.finess.db.clone().or_else(store::default_path)
}

/// Opens the configured directory; `None` when there is none (or it cannot be read: the
/// judge then works without it, as before any import).
pub fn open_directory(config: &Config) -> Option<Directory> {
    let path = directory_path(config)?;
    match Directory::open(&path) {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!("répertoire FINESS {} illisible : {e}", path.display());
            None
        }
    }
}

/// The card's structure FINESS when it is a well-formed number whose key is not wrong.
fn card_finess(report: &CardReport) -> Option<Finess> {
    let s = report.structure.as_ref()?;
    if s.id_type != StructureIdType::Finess {
        return None;
    }
    let f = Finess::parse(&s.number).ok()?;
    (f.key() != FinessKey::Invalid).then_some(f)
}

/// Fills `structure.directory_name` from the directory.
pub fn annotate(report: &mut CardReport, dir: &Directory) {
    let Some(finess) = card_finess(report) else {
        return;
    };
    let Ok(Some(entity)) = dir.get(finess.as_str()) else {
        return;
    };
    if let Some(s) = report.structure.as_mut() {
        s.directory_name = entity.name.or(entity.long_name);
    }
}

/// Replaces the judge's generic finding `generic` (if any) by `precise`, else adds it.
fn replace(findings: &mut Vec<Finding>, generic: &[&str], precise: Finding) {
    findings.retain(|f| !generic.contains(&f.code.as_str()));
    findings.push(precise);
}

fn remedy_contact(entity: &Entity, finess: &Finess, config: &Config) -> String {
    let dep = entity
        .departement
        .clone()
        .unwrap_or_else(|| finess.departement());
    region::contact_phrase(Some(&dep), config.finess.ars_contact.as_deref())
}

/// The judge's findings, refined with the directory's.
pub fn refine(
    mut findings: Vec<Finding>,
    report: &CardReport,
    config: &Config,
    dir: &Directory,
) -> Vec<Finding> {
    let Some(card) = card_finess(report) else {
        return findings;
    };
    let entity = match dir.get(card.as_str()) {
        Ok(e) => e,
        Err(e) => {
            tracing::warn!("répertoire FINESS : {e}");
            return findings;
        }
    };
    let data_date = dir.info().ok().and_then(|i| i.data_date);
    let Some(entity) = entity else {
        let ars = region::contact_phrase(
            Some(&card.departement()),
            config.finess.ars_contact.as_deref(),
        );
        findings.push(finding(
            codes::FINESS_UNKNOWN,
            Severity::Warning,
            msg::card_finess_unknown(card.as_str(), data_date.as_deref()),
            msg::remedy_card_finess_unknown(&ars),
        ));
        return findings;
    };

    if let Some(card_name) = report.structure.as_ref().and_then(|s| s.name.as_deref()) {
        let names: Vec<&str> = [entity.name.as_deref(), entity.long_name.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        if !names.is_empty() && !same_structure_name(card_name, &names) {
            findings.push(finding(
                codes::STRUCTURE_NAME_DIFFERS,
                Severity::Warning,
                msg::name_differs(card_name, names[0], card.as_str()),
                msg::remedy_name_differs(&remedy_contact(&entity, &card, config)),
            ));
        }
    }

    let Some(contract) = &config.contract else {
        return findings;
    };
    let generic = [judge_codes::FINESS_MISMATCH, judge_codes::CONTRACT_MATCH];
    let is_contract_ej = card == contract.ej;
    match (contract.mode, entity.kind) {
        (ContractMode::Centralised, Some(EntityKind::Eg)) => replace(
            &mut findings,
            &generic,
            finding(
                codes::FINESS_IS_EG_EXPECTED_EJ,
                Severity::Error,
                msg::card_is_eg_expected_ej(
                    card.as_str(),
                    entity.ej.as_deref(),
                    contract.ej.as_str(),
                    is_contract_ej,
                ),
                msg::remedy_card_is_eg_expected_ej(contract.ej.as_str(), is_contract_ej),
            ),
        ),
        (ContractMode::Decentralised, Some(EntityKind::Ej)) => replace(
            &mut findings,
            &generic,
            finding(
                codes::FINESS_IS_EJ_EXPECTED_EG,
                Severity::Error,
                msg::card_is_ej_expected_eg(card.as_str(), contract.egs.contains(&card)),
                msg::remedy_card_is_ej_expected_eg(contract.egs.contains(&card)),
            ),
        ),
        _ => {}
    }
    if entity.kind == Some(EntityKind::Eg) && entity.ej.as_deref() != Some(contract.ej.as_str()) {
        findings.push(finding(
            codes::EG_NOT_IN_CONTRACT_EJ,
            Severity::Error,
            msg::eg_not_in_ej(card.as_str(), entity.ej.as_deref(), contract.ej.as_str()),
            msg::remedy_card_eg_not_in_ej(&remedy_contact(&entity, &card, config)),
        ));
    }
    findings
}
