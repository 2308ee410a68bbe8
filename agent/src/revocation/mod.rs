//! The CRL cache (a store, beside `finess`): whether a card has been revoked (declared lost
//! or stolen, « mise en opposition »). The daemon fetches the CRLs named by the card
//! certificates' distribution points in the background (`fetch`), verifies each against the
//! issuing CA (`crl`) and keeps the revoked serial numbers on disk (`store`); the judge reads
//! the cache synchronously (`status`), never the network: a verdict is given at once, with
//! `revocation_unknown` until a CRL is there, and the daemon judges again when one arrives.
//!
//! - [`der`]: DER read from a file, element by element.
//! - [`crl`]: one CRL file: what it says, its signature, its entries one at a time.
//! - [`store`]: the SQLite cache (`revocation.sqlite` in the data dir).
//! - [`fetch`]: HTTP fetches, bounded, at most one per CRL per `nextUpdate`.

pub mod crl;
pub mod der;
pub mod fetch;
pub mod store;

use std::path::PathBuf;

use cpx_card::{CardReport, CertReport, Trust};
use time::OffsetDateTime;

pub use store::{Cache, CrlRecord};

/// The cache file: `$XDG_DATA_HOME/cpx-agent/revocation.sqlite`.
pub fn cache_path() -> Option<PathBuf> {
    store::default_path()
}

/// Opens the cache for the judge; `None` when there is none yet (or it cannot be read: the
/// judge then says revocation is unknown).
pub fn open_cache() -> Option<Cache> {
    let path = cache_path()?;
    match Cache::open(&path) {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(
                "cache des listes de révocation {} illisible : {e}",
                path.display()
            );
            None
        }
    }
}

/// The CRL addresses worth fetching for these cards: those of their certificates that chain
/// to a known CA (an untrusted certificate's CRL could not be verified anyway).
pub fn wanted<'a>(reports: impl IntoIterator<Item = &'a CardReport>) -> Vec<String> {
    let mut urls: Vec<String> = Vec::new();
    for report in reports {
        for cert in report
            .certificates
            .iter()
            .filter(|c| c.trust != Trust::Untrusted)
        {
            for url in &cert.crl_urls {
                if !urls.contains(url) {
                    urls.push(url.clone());
                }
            }
        }
    }
    urls
}

/// Why a certificate's revocation is not known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unknown {
    /// `[network] offline = true` and no CRL kept.
    Offline,
    /// No CRL obtained yet; why the last attempt failed, if one did.
    NotYet { last_error: Option<String> },
    /// The CRL kept is past its nextUpdate (and no newer one could be had).
    Expired {
        this_update: OffsetDateTime,
        next_update: OffsetDateTime,
    },
}

/// What the cache says of one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertStatus {
    /// Nothing to check: no CRL address, or the certificate is untrusted.
    NotChecked,
    Revoked {
        at: OffsetDateTime,
        /// CRLReason (RFC 5280 §5.3.1).
        reason: Option<u8>,
        /// thisUpdate of the CRL that says so.
        crl_date: OffsetDateTime,
    },
    /// In no CRL, and the CRL kept is current.
    Good {
        this_update: OffsetDateTime,
    },
    Unknown(Unknown),
}

/// CRLReason `removeFromCRL` (RFC 5280 §5.3.1): only in delta CRLs, which are refused; an
/// entry with it is not a revocation.
const REMOVE_FROM_CRL: u8 = 8;

/// What the cache says of `cert` at `now`. Of the CRLs kept for its addresses, issued by its
/// issuer, the most recent one speaks. A revocation is final: an expired CRL still says so.
pub fn status(
    cache: Option<&Cache>,
    cert: &CertReport,
    offline: bool,
    now: OffsetDateTime,
) -> CertStatus {
    if cert.trust == Trust::Untrusted || cert.crl_urls.is_empty() {
        return CertStatus::NotChecked;
    }
    let serial = hex::decode(&cert.serial_number).unwrap_or_default();
    let mut last_error = None;
    let mut best: Option<CrlRecord> = None;
    for url in &cert.crl_urls {
        let record = match cache.map(|c| c.record(url)) {
            Some(Ok(Some(r))) => r,
            Some(Err(e)) => {
                tracing::warn!("cache des listes de révocation : {e}");
                continue;
            }
            _ => continue,
        };
        if record.last_error.is_some() {
            last_error = record.last_error.clone();
        }
        let same_issuer = record.issuer_cn.as_deref() == Some(cert.issuer.name.as_str());
        if !record.has_crl() || !same_issuer {
            continue;
        }
        if best
            .as_ref()
            .is_none_or(|b| record.this_update > b.this_update)
        {
            best = Some(record);
        }
    }
    let (Some(record), Some(cache)) = (best, cache) else {
        return CertStatus::Unknown(if offline {
            Unknown::Offline
        } else {
            Unknown::NotYet { last_error }
        });
    };
    let this_update = record.this_update.unwrap_or(OffsetDateTime::UNIX_EPOCH);
    match cache.revoked(&record.url, &serial) {
        Ok(Some((at, reason))) if reason != Some(REMOVE_FROM_CRL) => {
            return CertStatus::Revoked {
                at,
                reason,
                crl_date: this_update,
            }
        }
        Ok(_) => {}
        Err(e) => {
            tracing::warn!("cache des listes de révocation : {e}");
            return CertStatus::Unknown(Unknown::NotYet { last_error: None });
        }
    }
    match record.next_update {
        Some(next) if next <= now => CertStatus::Unknown(Unknown::Expired {
            this_update,
            next_update: next,
        }),
        _ => CertStatus::Good { this_update },
    }
}
