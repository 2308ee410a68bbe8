//! The judge's rule from the CRL cache: `card_revoked` when a certificate of the card is in
//! its CA's revocation list, `revocation_unknown` when that cannot be said (no list yet,
//! offline, list expired). The cache is read from disk, never the network.

use cpx_card::CardReport;
use time::OffsetDateTime;

use super::codes;
use crate::config::Config;
use crate::model::verdict::{Finding, Severity};
use crate::revocation::{self, Cache, CertStatus, Unknown};
use crate::text::findings as msg;

/// Adds the card's revocation findings.
pub fn findings(
    report: &CardReport,
    cache: Option<&Cache>,
    config: &Config,
    now: OffsetDateTime,
    out: &mut Vec<Finding>,
) {
    let offline = config.network.offline;
    let statuses: Vec<(&str, CertStatus)> = report
        .certificates
        .iter()
        .map(|c| {
            (
                c.issuer.name.as_str(),
                revocation::status(cache, c, offline, now),
            )
        })
        .collect();
    if let Some((
        issuer,
        CertStatus::Revoked {
            at,
            reason,
            crl_date,
        },
    )) = statuses
        .iter()
        .find(|(_, s)| matches!(s, CertStatus::Revoked { .. }))
    {
        let text = msg::card_revoked(*at, *reason, issuer, *crl_date);
        out.push(Finding::new(
            codes::CARD_REVOKED,
            Severity::Error,
            text.message,
            text.remedy,
        ));
        return;
    }
    // The most telling reason among the certificates whose revocation is unknown.
    let worst = statuses
        .iter()
        .filter_map(|(issuer, s)| match s {
            CertStatus::Unknown(u) => Some((*issuer, u)),
            _ => None,
        })
        .max_by_key(|(_, u)| match u {
            Unknown::Offline => 0,
            Unknown::NotYet { last_error: None } => 1,
            Unknown::NotYet { .. } => 2,
            Unknown::Expired { .. } => 3,
        });
    let Some((issuer, unknown)) = worst else {
        return;
    };
    let (severity, text) = match unknown {
        Unknown::Offline => (Severity::Info, msg::revocation_unknown_offline()),
        Unknown::NotYet { last_error } => (
            Severity::Info,
            msg::revocation_unknown_not_yet(issuer, last_error.as_deref()),
        ),
        Unknown::Expired {
            this_update,
            next_update,
        } => (
            Severity::Warning,
            msg::revocation_unknown_expired(
                issuer,
                *this_update,
                *next_update,
                (now - *this_update).whole_days(),
            ),
        ),
    };
    out.push(Finding::new(
        codes::REVOCATION_UNKNOWN,
        severity,
        text.message,
        text.remedy,
    ));
}
