//! Who needs RPPS+ (the seed's « À noter que », domain.md §2): a professional registered in
//! RPPS+ needs access to medical data, needs a nominative MSSanté address, is not in a
//! profession with an Ordre or registered with the ARS, and has no RPPS number yet. For one
//! person (`cpx-agent eligible`, the page's form) or a list (`cpx-agent roster check`).
//! Nothing is stored.
//!
//! - [`professions`]: the embedded lists, with their public sources.
//! - [`roster`]: the CSV an organisation collects before registering.

pub mod professions;
pub mod roster;

use crate::model::setup::{Criterion, Eligibility, EligibilityAnswer, EligibilityRequest};
use crate::text::eligibility as texte;
use professions::{classify, ProfessionClass};

/// A request that cannot be assessed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EligibilityError {
    #[error("{}", texte::NO_PROFESSION)]
    NoProfession,
    #[error("{}", texte::rpps_malformed(.0))]
    RppsMalformed(String),
}

/// An RPPS number: 11 digits (spaces allowed in the input).
pub fn parse_rpps(text: &str) -> Result<Option<String>, EligibilityError> {
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.is_empty() {
        return Ok(None);
    }
    if digits.len() == 11 && digits.chars().all(|c| c.is_ascii_digit()) {
        Ok(Some(digits))
    } else {
        Err(EligibilityError::RppsMalformed(text.trim().to_string()))
    }
}

/// Assesses one person.
pub fn assess(request: &EligibilityRequest) -> Result<EligibilityAnswer, EligibilityError> {
    let profession = request.profession.trim();
    if profession.is_empty() {
        return Err(EligibilityError::NoProfession);
    }
    let rpps = parse_rpps(request.rpps.as_deref().unwrap_or(""))?;
    let criterion = |name: &str, ok: Option<bool>, message: String| Criterion {
        criterion: name.to_string(),
        ok,
        message,
    };
    let profession_criterion = match classify(profession) {
        ProfessionClass::WithOrdre(name) => criterion(
            "profession",
            Some(false),
            texte::with_ordre(profession, name),
        ),
        ProfessionClass::ArsRegistered(name) => criterion(
            "profession",
            Some(false),
            texte::ars_registered(profession, name),
        ),
        ProfessionClass::ToCheck(name) => {
            criterion("profession", None, texte::to_check(profession, name))
        }
        ProfessionClass::Other => criterion("profession", Some(true), texte::other(profession)),
    };
    let criteria = vec![
        criterion(
            "medical_data",
            Some(request.medical_data),
            texte::medical_data(request.medical_data),
        ),
        criterion("mss", Some(request.mss), texte::mss(request.mss)),
        profession_criterion,
        criterion("rpps", Some(rpps.is_none()), texte::rpps(rpps.is_some())),
    ];
    let verdict = if criteria.iter().any(|c| c.ok == Some(false)) {
        Eligibility::NotEligible
    } else if criteria.iter().any(|c| c.ok.is_none()) {
        Eligibility::ToCheck
    } else {
        Eligibility::Eligible
    };
    let reasons = criteria
        .iter()
        .filter(|c| c.ok != Some(true))
        .map(|c| c.message.clone())
        .collect();
    Ok(EligibilityAnswer {
        eligible: verdict == Eligibility::Eligible,
        verdict,
        reasons,
        criteria,
    })
}

#[cfg(test)]
mod tests;
