//! The stable English wording of the report values the JSON carries as sentences
//! (`trust_detail`, `disagreements`): other local apps read them, so they never change, and
//! they are parsed back exactly as written. People read the agent's French wording instead.

use crate::report::{CertField, Disagreement, TrustDetail, Usage};

const ISSUER_UNKNOWN: &str = "issuer unknown";
const BAD_SIGNATURE: &str = "signature does not verify";
const CHAIN_TOO_LONG: &str = "chain too long";
const CA_EXPIRED: &str = "CA certificate expired";
const CA_NOT_YET_VALID: &str = "CA certificate not yet valid";
const WRONG_EKU: &str = "extended key usage does not allow this use";
const CA_KEY_USAGE: &str = "CA key usage does not allow certificate signing";
const ISSUER_NOT_CA: &str = "issuer is not a CA";
const PATH_LENGTH: &str = "path length constraint exceeded";
const NAME_CONSTRAINT: &str = "name constraint violated";
const CRITICAL_EXTENSION: &str = "unsupported critical extension";
const UNSUPPORTED_ALGORITHM: &str = "unsupported signature algorithm";
const MALFORMED: &str = "malformed certificate";

/// Every detail without a parameter, with its stable string.
const FIXED: [(TrustDetail, &str); 13] = [
    (TrustDetail::IssuerUnknown, ISSUER_UNKNOWN),
    (TrustDetail::BadSignature, BAD_SIGNATURE),
    (TrustDetail::ChainTooLong, CHAIN_TOO_LONG),
    (TrustDetail::CaExpired, CA_EXPIRED),
    (TrustDetail::CaNotYetValid, CA_NOT_YET_VALID),
    (TrustDetail::WrongExtendedKeyUsage, WRONG_EKU),
    (TrustDetail::CaKeyUsage, CA_KEY_USAGE),
    (TrustDetail::IssuerNotCa, ISSUER_NOT_CA),
    (TrustDetail::PathLengthExceeded, PATH_LENGTH),
    (TrustDetail::NameConstraintViolated, NAME_CONSTRAINT),
    (
        TrustDetail::UnsupportedCriticalExtension,
        CRITICAL_EXTENSION,
    ),
    (TrustDetail::UnsupportedAlgorithm, UNSUPPORTED_ALGORITHM),
    (TrustDetail::Malformed, MALFORMED),
];
const CHAINS_TO: &str = "chains to ";
const DIFFERS: &str = " differs between the ";
const CERTIFICATES: &str = " certificates";
const STRUCTURE: &str = "structure";
/// A certificate without structure, in a structure disagreement.
const NO_STRUCTURE: &str = "none";

impl From<TrustDetail> for String {
    fn from(d: TrustDetail) -> String {
        match d {
            TrustDetail::ChainsTo(ca) => format!("{CHAINS_TO}{ca}"),
            other => FIXED
                .iter()
                .find(|(fixed, _)| *fixed == other)
                .map_or(ISSUER_UNKNOWN, |(_, s)| s)
                .to_string(),
        }
    }
}

impl TryFrom<String> for TrustDetail {
    type Error = String;

    fn try_from(s: String) -> Result<TrustDetail, String> {
        if let Some((d, _)) = FIXED.iter().find(|(_, text)| *text == s) {
            return Ok(d.clone());
        }
        match s.strip_prefix(CHAINS_TO) {
            Some(ca) => Ok(TrustDetail::ChainsTo(ca.to_string())),
            None => Err(format!("unknown trust detail {s:?}")),
        }
    }
}

fn usage(u: Usage) -> &'static str {
    match u {
        Usage::Authentication => "authentication",
        Usage::Signature => "signature",
        Usage::Other => "other",
    }
}

fn usage_from(s: &str) -> Option<Usage> {
    [Usage::Authentication, Usage::Signature, Usage::Other]
        .into_iter()
        .find(|u| usage(*u) == s)
}

const FIELDS: [CertField; 5] = [
    CertField::CardKind,
    CertField::HolderId,
    CertField::HolderSurname,
    CertField::HolderGivenName,
    CertField::CardNumber,
];

fn field(f: CertField) -> &'static str {
    match f {
        CertField::CardKind => "card kind",
        CertField::HolderId => "holder identifier",
        CertField::HolderSurname => "holder surname",
        CertField::HolderGivenName => "holder given name",
        CertField::CardNumber => "card number",
    }
}

impl From<Disagreement> for String {
    fn from(d: Disagreement) -> String {
        match d {
            Disagreement::Field {
                field: f,
                first,
                second,
            } => format!(
                "{}{DIFFERS}{} and {}{CERTIFICATES}",
                field(f),
                usage(first),
                usage(second)
            ),
            Disagreement::Structure {
                first,
                first_id,
                second,
                second_id,
            } => format!(
                "{STRUCTURE}{DIFFERS}{} ({}) and {} ({}){CERTIFICATES}",
                usage(first),
                first_id.as_deref().unwrap_or(NO_STRUCTURE),
                usage(second),
                second_id.as_deref().unwrap_or(NO_STRUCTURE)
            ),
        }
    }
}

impl TryFrom<String> for Disagreement {
    type Error = String;

    fn try_from(s: String) -> Result<Disagreement, String> {
        parse_disagreement(&s).ok_or_else(|| format!("unknown disagreement {s:?}"))
    }
}

fn parse_disagreement(s: &str) -> Option<Disagreement> {
    let (what, rest) = s.strip_suffix(CERTIFICATES)?.split_once(DIFFERS)?;
    let (a, b) = rest.split_once(" and ")?;
    if what == STRUCTURE {
        let (first, first_id) = usage_and_structure(a)?;
        let (second, second_id) = usage_and_structure(b)?;
        return Some(Disagreement::Structure {
            first,
            first_id,
            second,
            second_id,
        });
    }
    Some(Disagreement::Field {
        field: FIELDS.into_iter().find(|f| field(*f) == what)?,
        first: usage_from(a)?,
        second: usage_from(b)?,
    })
}

/// `signature (1750712184)` → the usage and the structure id (`none` → `None`).
fn usage_and_structure(s: &str) -> Option<(Usage, Option<String>)> {
    let (u, id) = s.strip_suffix(')')?.split_once(" (")?;
    let id = (id != NO_STRUCTURE).then(|| id.to_string());
    Some((usage_from(u)?, id))
}

#[cfg(test)]
mod tests;
