//! The judge's rules that need the local FINESS directory (issue 5, item 4). The contract and
//! the card's FINESS do not say whether that number is an EJ or an EG: the directory does.
//! With it, the contract's answer becomes the precise `finess_is_eg_expected_ej` /
//! `finess_is_ej_expected_eg` where it applies, and the directory adds `finess_unknown`,
//! `eg_not_in_contract_ej` and `structure_name_differs`.

use std::path::PathBuf;

use cpx_card::{CardReport, Finess};

use super::codes;
use crate::config::{Config, Contract, ContractMode};
use crate::finess::entity::{Entity, EntityKind};
use crate::finess::names::same_structure_name;
use crate::finess::region;
use crate::finess::store::{self, Directory};
use crate::model::verdict::{Finding, Severity};
use crate::text::finess as msg;

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

/// The directory's entry for the card's FINESS (`None`: not in it, or unreadable).
pub fn entity(dir: &Directory, finess: &Finess) -> Option<Entity> {
    match dir.get(finess.as_str()) {
        Ok(entity) => entity,
        Err(e) => {
            tracing::warn!("répertoire FINESS : {e}");
            None
        }
    }
}

fn remedy_contact(entity: &Entity, finess: &Finess, config: &Config) -> String {
    let dep = entity
        .departement
        .clone()
        .unwrap_or_else(|| finess.departement());
    region::contact_phrase(Some(&dep), config.finess.ars_contact.as_deref())
}

/// What the directory adds on the card's structure: unknown number, names that differ, an EG
/// of another EJ than the contract's.
pub fn findings(
    report: &CardReport,
    card: &Finess,
    entity: Option<&Entity>,
    dir: &Directory,
    config: &Config,
    out: &mut Vec<Finding>,
) {
    let Some(entity) = entity else {
        let data_date = dir.info().ok().and_then(|i| i.data_date);
        let ars = region::contact_phrase(
            Some(&card.departement()),
            config.finess.ars_contact.as_deref(),
        );
        out.push(Finding::new(
            codes::FINESS_UNKNOWN,
            Severity::Warning,
            msg::card_finess_unknown(card.as_str(), data_date.as_deref()),
            msg::remedy_card_finess_unknown(&ars),
        ));
        return;
    };
    if let Some(card_name) = report.structure.as_ref().and_then(|s| s.name.as_deref()) {
        let names: Vec<&str> = [entity.name.as_deref(), entity.long_name.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        if !names.is_empty() && !same_structure_name(card_name, &names) {
            out.push(Finding::new(
                codes::STRUCTURE_NAME_DIFFERS,
                Severity::Warning,
                msg::name_differs(card_name, names[0], card.as_str()),
                msg::remedy_name_differs(&remedy_contact(entity, card, config)),
            ));
        }
    }
    let Some(contract) = &config.contract else {
        return;
    };
    if entity.kind == Some(EntityKind::Eg) && entity.ej.as_deref() != Some(contract.ej.as_str()) {
        out.push(Finding::new(
            codes::EG_NOT_IN_CONTRACT_EJ,
            Severity::Error,
            msg::eg_not_in_ej(card.as_str(), entity.ej.as_deref(), contract.ej.as_str()),
            msg::remedy_card_eg_not_in_ej(&remedy_contact(entity, card, config)),
        ));
    }
}

/// The contract's answer when the directory makes it precise: a card on an EG in a
/// centralised contract, on an EJ in a decentralised one. `None`: the contract alone decides
/// (`contract_match` or `finess_mismatch`).
pub fn contract_rule(card: &Finess, entity: &Entity, contract: &Contract) -> Option<Finding> {
    match (contract.mode, entity.kind?) {
        (ContractMode::Centralised, EntityKind::Eg) => {
            let is_contract_ej = *card == contract.ej;
            Some(Finding::new(
                codes::FINESS_IS_EG_EXPECTED_EJ,
                Severity::Error,
                msg::card_is_eg_expected_ej(
                    card.as_str(),
                    entity.ej.as_deref(),
                    contract.ej.as_str(),
                    is_contract_ej,
                ),
                msg::remedy_card_is_eg_expected_ej(contract.ej.as_str(), is_contract_ej),
            ))
        }
        (ContractMode::Decentralised, EntityKind::Ej) => {
            let listed = contract.egs.contains(card);
            Some(Finding::new(
                codes::FINESS_IS_EJ_EXPECTED_EG,
                Severity::Error,
                msg::card_is_ej_expected_eg(card.as_str(), listed),
                msg::remedy_card_is_ej_expected_eg(listed),
            ))
        }
        _ => None,
    }
}
