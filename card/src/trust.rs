//! The CA certificates a card certificate may chain to: the IGC-Santé production CAs and the
//! public test CAs (both embedded), plus configured extra test anchors. Every link's signature
//! is verified (ring, through x509-parser).

use crate::report::{Trust, TrustDetail};
use crate::x509::{decode_pem_or_der, parse, CertError};
use x509_parser::prelude::X509Certificate;

/// Longest chain followed, leaf included.
const MAX_CHAIN: usize = 4;

/// IGC-Santé production CAs (public, card/corpus/certs/SOURCES.md).
const PRODUCTION_PEM: &[&[u8]] = &[
    include_bytes!("../corpus/certs/prod_ca_ACR_ELEMENTAIRE_20130625.pem"),
    include_bytes!("../corpus/certs/prod_ca_ACR_FORT_20130625.pem"),
    include_bytes!("../corpus/certs/prod_ca_ACR_STANDARD_20130625.pem"),
    include_bytes!("../corpus/certs/prod_ca_AC_ELEMENTAIRE_ORGANISATIONS_20130625.pem"),
    include_bytes!("../corpus/certs/prod_ca_AC_ELEMENTAIRE_PERSONNES_20130625.pem"),
    include_bytes!("../corpus/certs/prod_ca_AC_FORT_ORGANISATIONS_20130625.pem"),
    include_bytes!("../corpus/certs/prod_ca_AC_FORT_PERSONNES_20130625.pem"),
    include_bytes!("../corpus/certs/prod_ca_AC_STANDARD_ORGANISATIONS_20130625.pem"),
    include_bytes!("../corpus/certs/prod_ca_AC_STANDARD_PERSONNES_20130625.pem"),
];

/// IGC-Santé public test CAs (card/corpus/certs/SOURCES.md).
const TEST_PEM: &[&[u8]] = &[
    include_bytes!("../corpus/certs/ca_TEST_AC_RACINE_IGC_SANTE_ELEMENTAIRE.pem"),
    include_bytes!("../corpus/certs/ca_TEST_AC_RACINE_IGC_SANTE_STANDARD.pem"),
    include_bytes!("../corpus/certs/ca_TEST_AC_IGC_SANTE_ELEMENTAIRE_ORGANISATIONS.pem"),
    include_bytes!("../corpus/certs/ca_TEST_AC_IGC_SANTE_ELEMENTAIRE_PERSONNES.pem"),
    include_bytes!("../corpus/certs/ca_TEST_AC_IGC_SANTE_STANDARD_PERSONNES.pem"),
];

#[derive(Debug, Clone)]
struct Anchor {
    der: Vec<u8>,
    trust: Trust,
}

/// Known CA certificates, each marked production or test.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    anchors: Vec<Anchor>,
}

impl TrustStore {
    /// The embedded IGC-Santé production CAs and public test CAs.
    pub fn builtin() -> Self {
        let mut s = TrustStore::default();
        for (pems, trust) in [(PRODUCTION_PEM, Trust::Production), (TEST_PEM, Trust::Test)] {
            for pem in pems {
                // Embedded files are tested to decode (builtin_store_loads_every_file).
                for der in decode_pem_or_der(pem).unwrap_or_default() {
                    s.anchors.push(Anchor { der, trust });
                }
            }
        }
        s
    }

    /// An empty store (everything untrusted).
    pub fn empty() -> Self {
        TrustStore::default()
    }

    /// Adds the certificates of a PEM (or DER) file as test anchors (config
    /// `extra_trust_anchors`).
    pub fn add_test_anchor_pem(&mut self, pem: &[u8]) -> Result<(), CertError> {
        for der in decode_pem_or_der(pem)? {
            self.anchors.push(Anchor {
                der,
                trust: Trust::Test,
            });
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// Where `cert` chains to, and why. Walks up the embedded CAs verifying each signature;
    /// the chain ends at a self-signed CA or at the last embedded CA found.
    /// The result is the weakest class met on the way (a production CA under a test root
    /// counts as test).
    pub(crate) fn check(&self, cert: &X509Certificate<'_>) -> (Trust, TrustDetail) {
        let mut current = cert.clone();
        let mut class: Option<Trust> = None;
        let mut top = String::new();
        for depth in 0..MAX_CHAIN {
            let candidates: Vec<(X509Certificate<'_>, Trust)> = self
                .anchors
                .iter()
                .filter_map(|a| parse(&a.der).ok().map(|c| (c, a.trust)))
                .filter(|(c, _)| same_name(c, &current))
                .collect();
            if candidates.is_empty() {
                return match class {
                    None => (Trust::Untrusted, TrustDetail::IssuerUnknown),
                    Some(t) => (t, TrustDetail::ChainsTo(top)),
                };
            }
            let Some((issuer, trust)) = candidates
                .into_iter()
                .find(|(issuer, _)| current.verify_signature(Some(issuer.public_key())).is_ok())
            else {
                return (Trust::Untrusted, TrustDetail::BadSignature);
            };
            class = Some(match (class, trust) {
                (Some(Trust::Test), _) | (_, Trust::Test) => Trust::Test,
                _ => trust,
            });
            top = issuer
                .subject()
                .iter_common_name()
                .next()
                .and_then(|cn| cn.as_str().ok())
                .map_or_else(|| issuer.subject().to_string(), str::to_string);
            let self_signed = issuer.subject().as_raw() == issuer.issuer().as_raw();
            if self_signed {
                return (
                    class.unwrap_or(Trust::Untrusted),
                    TrustDetail::ChainsTo(top),
                );
            }
            if depth + 1 == MAX_CHAIN {
                break;
            }
            current = issuer;
        }
        (Trust::Untrusted, TrustDetail::ChainTooLong)
    }
}

/// Whether `issuer` is named as the issuer of `cert` (raw bytes, else the string form).
fn same_name(issuer: &X509Certificate<'_>, cert: &X509Certificate<'_>) -> bool {
    issuer.subject().as_raw() == cert.issuer().as_raw()
        || issuer.subject().to_string() == cert.issuer().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_store_loads_every_file() {
        let n: usize = PRODUCTION_PEM.len() + TEST_PEM.len();
        assert_eq!(TrustStore::builtin().len(), n);
        let production = TrustStore::builtin()
            .anchors
            .iter()
            .filter(|a| a.trust == Trust::Production)
            .count();
        assert_eq!(production, PRODUCTION_PEM.len());
    }
}
