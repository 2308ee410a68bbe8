//! The judge: is this card right for this organisation's RPPS+ contract, now? A function of
//! the facts read from the card (`CardReport`), the configuration, the time and the local
//! FINESS directory when there is one, handed in once per judgement. Its answer is a
//! `Verdict`: findings (stable code, severity, French message and remedy) and a status derived
//! from them by `status`. The judge owns every finding: the directory's rules
//! (`directory`) run inside it, and no step removes another's findings.

use cpx_card::{CardFamily, CardKind, CardReport, Finess, FinessKey, PersonIdType, PinState};
use cpx_card::{StructureIdType, Trust, Usage};
use time::{Duration, OffsetDateTime};

use crate::config::{Config, Contract, ContractMode};
use crate::finess::region::contact_phrase;
use crate::finess::Directory;
use crate::model::verdict::{Finding, Severity, Status, Verdict};
use crate::text;
use crate::text::findings::{self as msg, Text};

pub mod codes;
pub mod directory;
pub mod revocation;

/// A CPx PIN allows 3 tries (domain.md §3): fewer left means someone typed a wrong code.
const PIN_MAX_TRIES: u8 = 3;

/// Judges a card read without PIN against the configuration at time `now`, with the local
/// FINESS directory when one was imported (`None`: the rules that need it are skipped), and
/// no CRL cache (revocation unknown).
pub fn judge(
    report: &CardReport,
    config: &Config,
    now: OffsetDateTime,
    directory: Option<&Directory>,
) -> Verdict {
    judge_with(report, config, now, directory, None)
}

/// `judge`, with the CRL cache when there is one (read from disk, never the network).
pub fn judge_with(
    report: &CardReport,
    config: &Config,
    now: OffsetDateTime,
    directory: Option<&Directory>,
    crls: Option<&crate::revocation::Cache>,
) -> Verdict {
    let mut findings = Vec::new();
    let mut directory_name = None;
    if report.family == CardFamily::NotCpx {
        push(
            &mut findings,
            codes::NOT_A_CPX_CARD,
            Severity::Error,
            msg::not_a_cpx_card(&report.atr),
        );
    } else {
        validity(report, config, now, &mut findings);
        pin(report, &mut findings);
        trust(report, config, &mut findings);
        revocation::findings(report, crls, config, now, &mut findings);
        directory_name = structure_and_contract(report, config, directory, &mut findings);
    }
    let mut verdict = verdict(findings);
    verdict.directory_name = directory_name;
    verdict
}

/// Builds a verdict from findings: sorted most severe first, status by `status`.
pub fn verdict(mut findings: Vec<Finding>) -> Verdict {
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    Verdict {
        status: status(&findings),
        findings,
        directory_name: None,
    }
}

/// The status rule (issue 2 item 8): `not_ready` when any finding is an error; else `unknown`
/// when the card's structure could not be established; else `warning` when any finding is a
/// warning; else `ready`.
pub fn status(findings: &[Finding]) -> Status {
    if findings.iter().any(|f| f.severity == Severity::Error) {
        Status::NotReady
    } else if findings
        .iter()
        .any(|f| codes::STRUCTURE_NOT_ESTABLISHED.contains(&f.code.as_str()))
    {
        Status::Unknown
    } else if findings.iter().any(|f| f.severity == Severity::Warning) {
        Status::Warning
    } else {
        Status::Ready
    }
}

fn push(findings: &mut Vec<Finding>, code: &str, severity: Severity, text: Text) {
    findings.push(Finding::new(code, severity, text.message, text.remedy));
}

fn validity(report: &CardReport, config: &Config, now: OffsetDateTime, out: &mut Vec<Finding>) {
    if report.certificates.is_empty() {
        push(
            out,
            codes::NO_CERTIFICATE,
            Severity::Error,
            msg::no_certificate(report.family == CardFamily::CpsLegacy),
        );
    }
    if let Some(not_before) = report.not_before {
        if now < not_before {
            push(
                out,
                codes::CARD_NOT_YET_VALID,
                Severity::Error,
                msg::card_not_yet_valid(not_before),
            );
        }
    }
    if let Some(not_after) = report.not_after {
        let left = not_after - now;
        if left <= Duration::ZERO {
            push(
                out,
                codes::CARD_EXPIRED,
                Severity::Error,
                msg::card_expired(report.kind, not_after),
            );
        } else if left <= Duration::days(i64::from(config.checks.expiry_warning_days)) {
            push(
                out,
                codes::CARD_EXPIRES_SOON,
                Severity::Warning,
                msg::card_expires_soon(report.kind, not_after, left.whole_days()),
            );
        }
    }
}

fn pin(report: &CardReport, out: &mut Vec<Finding>) {
    match (report.pin_state, report.pin_tries_left) {
        (Some(PinState::Blocked), _) | (Some(PinState::TriesLeft), Some(0)) => {
            push(out, codes::PIN_BLOCKED, Severity::Error, msg::pin_blocked());
        }
        (Some(PinState::TriesLeft), Some(n)) if n < PIN_MAX_TRIES => {
            push(
                out,
                codes::PIN_TRIES_LOW,
                Severity::Warning,
                msg::pin_tries_low(n),
            );
        }
        (Some(PinState::TriesLeft), Some(_)) | (Some(PinState::Verified), _) => {}
        _ => push(
            out,
            codes::PIN_STATE_UNKNOWN,
            Severity::Info,
            msg::pin_state_unknown(),
        ),
    }
}

fn usage_label(u: Usage) -> &'static str {
    match u {
        Usage::Authentication => "authentification",
        Usage::Signature => "signature",
        Usage::Other => "autre usage",
    }
}

fn trust(report: &CardReport, config: &Config, out: &mut Vec<Finding>) {
    let untrusted: Vec<String> = report
        .certificates
        .iter()
        .filter(|c| c.trust == Trust::Untrusted)
        .map(|c| match &c.trust_detail {
            Some(d) => format!("{} : {}", usage_label(c.usage), text::read::trust_detail(d)),
            None => usage_label(c.usage).to_string(),
        })
        .collect();
    if !untrusted.is_empty()
        || (report.certificates.is_empty() && report.trust == Some(Trust::Untrusted))
    {
        push(
            out,
            codes::UNTRUSTED_CERTIFICATE,
            Severity::Error,
            msg::untrusted_certificate(&untrusted.join(", ")),
        );
    }
    let test = report.certificates.iter().any(|c| c.trust == Trust::Test)
        || report.trust == Some(Trust::Test);
    if test {
        let accepted = config.checks.accept_test_cards;
        let severity = if accepted {
            Severity::Info
        } else {
            Severity::Error
        };
        push(out, codes::TEST_CARD, severity, msg::test_card(accepted));
    }
    if !report.disagreements.is_empty() {
        push(
            out,
            codes::CERTIFICATES_DISAGREE,
            Severity::Error,
            msg::certificates_disagree(&report.disagreements),
        );
    }
}

/// "the EJ 750712184" / "one of the EGs …", for the CPS remedy.
fn contract_target(contract: &Contract) -> String {
    match contract.mode {
        ContractMode::Centralised => format!("le FINESS de l'EJ {}", contract.ej),
        ContractMode::Decentralised => {
            let egs: Vec<&str> = contract.egs.iter().map(Finess::as_str).collect();
            format!("le FINESS d'un des EG {}", egs.join(", "))
        }
    }
}

/// The card's structure against the contract, and against the directory when there is one.
/// Returns the structure's name in the directory.
fn structure_and_contract(
    report: &CardReport,
    config: &Config,
    directory: Option<&Directory>,
    out: &mut Vec<Finding>,
) -> Option<String> {
    let contract = config.contract.as_ref();
    if contract.is_none() {
        push(
            out,
            codes::CONTRACT_NOT_CONFIGURED,
            Severity::Info,
            msg::contract_not_configured(),
        );
    }
    let Some(structure) = &report.structure else {
        let person_card = matches!(report.kind, CardKind::Cps | CardKind::Cpf)
            || (report.kind == CardKind::Unknown
                && report.holder.as_ref().is_some_and(|h| {
                    matches!(h.id_type, PersonIdType::Rpps | PersonIdType::Adeli)
                }));
        if person_card {
            let kind = if report.kind == CardKind::Unknown {
                CardKind::Cps
            } else {
                report.kind
            };
            let target = contract.map(contract_target);
            push(
                out,
                codes::STRUCTURE_UNKNOWN_WITHOUT_PIN,
                Severity::Info,
                msg::structure_unknown_without_pin(kind, target.as_deref()),
            );
        } else {
            push(
                out,
                codes::STRUCTURE_UNKNOWN,
                Severity::Warning,
                msg::structure_unknown(),
            );
        }
        return None;
    };
    if structure.id_type != StructureIdType::Finess {
        push(
            out,
            codes::STRUCTURE_NOT_FINESS,
            Severity::Error,
            msg::structure_not_finess(structure.id_type, &structure.number),
        );
        return None;
    }
    let Ok(card_finess) = Finess::parse(&structure.number) else {
        push(
            out,
            codes::STRUCTURE_FINESS_MALFORMED,
            Severity::Error,
            msg::structure_finess_malformed(&structure.number),
        );
        return None;
    };
    match card_finess.key() {
        FinessKey::Invalid => {
            push(
                out,
                codes::FINESS_KEY_INVALID,
                Severity::Error,
                msg::finess_key_invalid(
                    &card_finess,
                    &contact_phrase(
                        Some(&card_finess.departement()),
                        config.finess.ars_contact.as_deref(),
                    ),
                ),
            );
            return None;
        }
        FinessKey::NotVerifiable => push(
            out,
            codes::FINESS_KEY_NOT_VERIFIABLE,
            Severity::Info,
            msg::finess_key_not_verifiable(&card_finess),
        ),
        FinessKey::Valid => {}
    }
    // What the directory says of the number, looked up once.
    let entity = directory.and_then(|d| directory::entity(d, &card_finess));
    if let Some(contract) = contract {
        // The directory knows whether the number is an EJ or an EG: its precise finding, when
        // it has one, is the contract's answer; else the contract alone decides.
        let precise = entity
            .as_ref()
            .and_then(|e| directory::contract_rule(&card_finess, e, contract));
        match precise {
            Some(finding) => out.push(finding),
            None => contract_rule(&card_finess, contract, out),
        }
    }
    if let Some(dir) = directory {
        directory::findings(report, &card_finess, entity.as_ref(), dir, config, out);
    }
    entity.and_then(|e| e.name.or(e.long_name))
}

/// Domain.md §2: centralised → the card is on the EJ; decentralised → on a contracted EG.
fn contract_rule(card: &Finess, contract: &Contract, out: &mut Vec<Finding>) {
    match contract.mode {
        ContractMode::Centralised if *card == contract.ej => {
            push(
                out,
                codes::CONTRACT_MATCH,
                Severity::Info,
                msg::contract_matches_centralised(card),
            );
        }
        ContractMode::Centralised => {
            let on_listed_eg = contract.egs.contains(card);
            push(
                out,
                codes::FINESS_MISMATCH,
                Severity::Error,
                msg::finess_mismatch_centralised(card, &contract.ej, on_listed_eg),
            );
        }
        ContractMode::Decentralised if contract.egs.contains(card) => {
            push(
                out,
                codes::CONTRACT_MATCH,
                Severity::Info,
                msg::contract_matches_decentralised(card),
            );
        }
        ContractMode::Decentralised => {
            let on_ej = *card == contract.ej;
            push(
                out,
                codes::FINESS_MISMATCH,
                Severity::Error,
                msg::finess_mismatch_decentralised(card, &contract.egs, on_ej),
            );
        }
    }
}

#[cfg(test)]
mod tests;
