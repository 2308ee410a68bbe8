//! The CA certificates a card certificate may chain to: the IGC-Santé production CAs and the
//! public test CAs (both embedded), plus configured extra test anchors; and the chain
//! validation itself, with `rustls-webpki` (ring): path building to a root, every
//! certificate's signature, every CA's validity, basic constraints and path length, extended
//! key usage (client authentication for an authentication certificate, e-mail protection for
//! a signature certificate), critical extensions. Two checks webpki leaves to its caller are
//! made here on the path it found: a CA's key usage must allow certificate signing, and the
//! root (a trust anchor, which webpki does not date) must be valid too.
//!
//! The time of the check: the card certificate's own validity is the judge's business
//! (`card_expired`, `card_not_yet_valid`), so the chain is checked at "now" brought within the
//! certificate's validity: an expired card is checked as of its last valid second, which says
//! whether its chain was sound while it lived.
//!
//! A certificate that is itself a CA (the corpus's CA files, `inspect-cert` on a CA) is not a
//! card certificate and webpki does not validate CAs as end entities: it is handled apart,
//! by following issuers and verifying each signature (`check_ca`).

use crate::report::{Trust, TrustDetail, Usage};
use crate::x509::{decode_pem_or_der, parse, CertError};
use rustls_pki_types::{CertificateDer, TrustAnchor, UnixTime};
use time::OffsetDateTime;
use webpki::{EndEntityCert, KeyUsage};
use x509_parser::prelude::X509Certificate;

/// Longest chain followed, leaf included.
const MAX_CHAIN: usize = 4;
/// Validation attempts (`TrustStore::attempt_number`).
const ATTEMPTS: usize = 3;

/// id-kp-clientAuth (RFC 5280 §4.2.1.12), DER contents of the OID.
const EKU_CLIENT_AUTH: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02];
/// id-kp-emailProtection (RFC 5280 §4.2.1.12), DER contents of the OID.
const EKU_EMAIL_PROTECTION: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x04];

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

/// Where a CA certificate came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// Embedded production CA.
    Production,
    /// Embedded public test CA.
    Test,
    /// `extra_trust_anchors` of the configuration (test).
    Configured,
}

impl Origin {
    fn trust(self) -> Trust {
        match self {
            Origin::Production => Trust::Production,
            Origin::Test | Origin::Configured => Trust::Test,
        }
    }
}

#[derive(Debug, Clone)]
struct Anchor {
    der: Vec<u8>,
    origin: Origin,
    /// Raw DER of its subject and issuer names (read once).
    subject: Vec<u8>,
    issuer: Vec<u8>,
    /// Subject and issuer are the same name (a root).
    self_signed: bool,
}

/// Known CA certificates, each marked production or test.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    anchors: Vec<Anchor>,
}

/// One validation attempt: which CAs are roots, which are intermediates, and what trust a
/// success gives.
struct Attempt<'a> {
    roots: Vec<&'a Anchor>,
    intermediates: Vec<&'a Anchor>,
    trust: Trust,
}

impl TrustStore {
    /// The embedded IGC-Santé production CAs and public test CAs.
    pub fn builtin() -> Self {
        let mut s = TrustStore::default();
        for (pems, origin) in [
            (PRODUCTION_PEM, Origin::Production),
            (TEST_PEM, Origin::Test),
        ] {
            for pem in pems {
                // Embedded files are tested to decode (builtin_store_loads_every_file).
                for der in decode_pem_or_der(pem).unwrap_or_default() {
                    s.push(der, origin);
                }
            }
        }
        s
    }

    /// An empty store (everything untrusted).
    pub fn empty() -> Self {
        TrustStore::default()
    }

    fn push(&mut self, der: Vec<u8>, origin: Origin) {
        let (subject, issuer) = parse(&der)
            .map(|c| (c.subject().as_raw().to_vec(), c.issuer().as_raw().to_vec()))
            .unwrap_or_default();
        self.anchors.push(Anchor {
            self_signed: !subject.is_empty() && subject == issuer,
            der,
            origin,
            subject,
            issuer,
        });
    }

    /// Adds the certificates of a PEM (or DER) file as test anchors (config
    /// `extra_trust_anchors`). A root is a trust anchor; a CA that is not self-signed helps
    /// build a chain to a root, and is trusted as an anchor itself when no root is known above
    /// it (the configuration says to trust it).
    pub fn add_test_anchor_pem(&mut self, pem: &[u8]) -> Result<(), CertError> {
        for der in decode_pem_or_der(pem)? {
            self.push(der, Origin::Configured);
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// The known CA certificates (DER) whose subject is `name` (the raw DER of an X.509
    /// Name): the candidates to verify what such a CA signed (a CRL). Production first.
    pub fn ca_certificates_named(&self, name: &[u8]) -> Vec<&[u8]> {
        self.anchors
            .iter()
            .filter(|a| a.subject == name)
            .map(|a| a.der.as_slice())
            .collect()
    }

    /// Where `cert` chains to, and why, checked at `now` (brought within the certificate's
    /// validity). `usage`: what the certificate is for (its extended key usage is checked
    /// against it).
    pub(crate) fn check(
        &self,
        cert: &X509Certificate<'_>,
        der: &[u8],
        usage: Usage,
        now: OffsetDateTime,
    ) -> (Trust, TrustDetail) {
        let validity = cert.validity();
        let at = now
            .max(validity.not_before.to_datetime())
            .min(validity.not_after.to_datetime());
        if cert.is_ca() {
            return self.check_ca(cert, at);
        }
        let leaf_der = CertificateDer::from(der);
        let leaf = match EndEntityCert::try_from(&leaf_der) {
            Ok(leaf) => leaf,
            Err(e) => return (Trust::Untrusted, detail_of(&e)),
        };
        let mut worst: Option<TrustDetail> = None;
        for n in 0..ATTEMPTS {
            let attempt = self.attempt_number(n);
            match self.attempt(&leaf, &attempt, usage, at) {
                Ok(top) => return (attempt.trust, TrustDetail::ChainsTo(top)),
                Err(detail) => {
                    if worst.as_ref().is_none_or(|w| rank(&detail) > rank(w)) {
                        worst = Some(detail);
                    }
                }
            }
        }
        (
            Trust::Untrusted,
            worst.unwrap_or(TrustDetail::IssuerUnknown),
        )
    }

    /// Attempt `n`: production roots first; then test roots (a production CA under a test
    /// root counts as test); then configured CAs that are not roots and have no known CA
    /// above them, as anchors of their own.
    fn attempt_number(&self, n: usize) -> Attempt<'_> {
        let of = |f: &dyn Fn(&Anchor) -> bool| -> Vec<&Anchor> {
            self.anchors.iter().filter(|a| f(a)).collect()
        };
        match n {
            0 => Attempt {
                roots: of(&|a| a.origin == Origin::Production && a.self_signed),
                intermediates: of(&|a| a.origin == Origin::Production && !a.self_signed),
                trust: Trust::Production,
            },
            1 => Attempt {
                roots: of(&|a| a.origin != Origin::Production && a.self_signed),
                intermediates: of(&|a| !a.self_signed),
                trust: Trust::Test,
            },
            _ => Attempt {
                roots: of(&|a| {
                    a.origin == Origin::Configured && !a.self_signed && !self.issuer_known(a)
                }),
                intermediates: of(&|a| !a.self_signed),
                trust: Trust::Test,
            },
        }
    }

    /// Whether a CA certificate of the store names `a`'s issuer as its subject.
    fn issuer_known(&self, a: &Anchor) -> bool {
        self.anchors.iter().any(|other| other.subject == a.issuer)
    }

    /// One webpki validation; the CN of the root reached, or why it failed.
    fn attempt(
        &self,
        leaf: &EndEntityCert<'_>,
        attempt: &Attempt<'_>,
        usage: Usage,
        at: OffsetDateTime,
    ) -> Result<String, TrustDetail> {
        if attempt.roots.is_empty() {
            return Err(TrustDetail::IssuerUnknown);
        }
        let root_ders: Vec<CertificateDer<'_>> = attempt
            .roots
            .iter()
            .map(|a| CertificateDer::from(a.der.as_slice()))
            .collect();
        // A root webpki cannot read is left out (it could anchor nothing).
        let mut roots: Vec<(TrustAnchor<'_>, &Anchor)> = Vec::new();
        for (der, anchor) in root_ders.iter().zip(&attempt.roots) {
            if let Ok(ta) = webpki::anchor_from_trusted_cert(der) {
                roots.push((ta, anchor));
            }
        }
        let anchors: Vec<TrustAnchor<'_>> = roots.iter().map(|(ta, _)| ta.clone()).collect();
        let intermediates: Vec<CertificateDer<'_>> = attempt
            .intermediates
            .iter()
            .map(|a| CertificateDer::from(a.der.as_slice()))
            .collect();
        let time = UnixTime::since_unix_epoch(std::time::Duration::from_secs(
            u64::try_from(at.unix_timestamp()).unwrap_or(0),
        ));
        let purpose = match usage {
            Usage::Authentication => {
                Purpose::Required(KeyUsage::required_if_present(EKU_CLIENT_AUTH))
            }
            Usage::Signature => {
                Purpose::Required(KeyUsage::required_if_present(EKU_EMAIL_PROTECTION))
            }
            Usage::Other => Purpose::Any,
        };
        let path = leaf
            .verify_for_usage(
                webpki::ALL_VERIFICATION_ALGS,
                &anchors,
                &intermediates,
                time,
                &purpose,
                None,
                None,
            )
            .map_err(|e| detail_of(&e))?;
        // The two checks webpki leaves to us: the CAs' key usage, the root's validity.
        for ca in path.intermediate_certificates() {
            let der = ca.der();
            let parsed = parse(der.as_ref()).map_err(|_| TrustDetail::Malformed)?;
            if !may_sign_certificates(&parsed) {
                return Err(TrustDetail::CaKeyUsage);
            }
        }
        let reached = path.anchor();
        let (_, root) = roots
            .iter()
            .find(|(ta, _)| {
                ta.subject == reached.subject
                    && ta.subject_public_key_info == reached.subject_public_key_info
            })
            .ok_or(TrustDetail::IssuerUnknown)?;
        let root_cert = parse(&root.der).map_err(|_| TrustDetail::Malformed)?;
        if !may_sign_certificates(&root_cert) {
            return Err(TrustDetail::CaKeyUsage);
        }
        valid_at(&root_cert, at)?;
        Ok(common_name(&root_cert))
    }

    /// A CA certificate: follows issuers among the known CAs, verifying each signature and
    /// each CA's validity, up to a root or the last known CA.
    fn check_ca(&self, cert: &X509Certificate<'_>, at: OffsetDateTime) -> (Trust, TrustDetail) {
        let mut current = cert.clone();
        let mut class: Option<Trust> = None;
        let mut top = String::new();
        for depth in 0..MAX_CHAIN {
            let candidates: Vec<(X509Certificate<'_>, Trust)> = self
                .anchors
                .iter()
                .filter_map(|a| parse(&a.der).ok().map(|c| (c, a.origin.trust())))
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
            if let Err(detail) = valid_at(&issuer, at) {
                return (Trust::Untrusted, detail);
            }
            class = Some(match (class, trust) {
                (Some(Trust::Test), _) | (_, Trust::Test) => Trust::Test,
                _ => trust,
            });
            top = common_name(&issuer);
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

/// The extended key usage a certificate must allow: its usage's purpose when it lists any,
/// or anything (a certificate of no known purpose: nothing to require).
enum Purpose {
    Required(KeyUsage),
    Any,
}

impl webpki::ExtendedKeyUsageValidator for Purpose {
    fn validate(&self, iter: webpki::KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        match self {
            Purpose::Required(k) => k.validate(iter),
            Purpose::Any => Ok(()),
        }
    }
}

/// Which of two refusals says more: a precise reason over "issuer unknown" (a CA of that
/// name was found in one attempt even if not in another).
fn rank(d: &TrustDetail) -> u8 {
    match d {
        TrustDetail::IssuerUnknown => 0,
        TrustDetail::Malformed => 1,
        TrustDetail::ChainTooLong => 2,
        TrustDetail::BadSignature => 3,
        _ => 4,
    }
}

/// A CA's key usage, when it has one, must include keyCertSign (RFC 5280 §4.2.1.3).
fn may_sign_certificates(ca: &X509Certificate<'_>) -> bool {
    match ca.key_usage() {
        Ok(Some(ku)) => ku.value.key_cert_sign(),
        Ok(None) => true,
        Err(_) => false,
    }
}

/// A CA certificate's validity at `at`.
fn valid_at(ca: &X509Certificate<'_>, at: OffsetDateTime) -> Result<(), TrustDetail> {
    let v = ca.validity();
    if at < v.not_before.to_datetime() {
        Err(TrustDetail::CaNotYetValid)
    } else if at > v.not_after.to_datetime() {
        Err(TrustDetail::CaExpired)
    } else {
        Ok(())
    }
}

fn common_name(c: &X509Certificate<'_>) -> String {
    c.subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map_or_else(|| c.subject().to_string(), str::to_string)
}

/// What a webpki refusal means. The end entity is always checked within its own validity,
/// so a date error is a CA's.
fn detail_of(e: &webpki::Error) -> TrustDetail {
    use webpki::Error as E;
    #[allow(deprecated)]
    match e {
        E::UnknownIssuer => TrustDetail::IssuerUnknown,
        E::InvalidSignatureForPublicKey | E::SignatureAlgorithmMismatch => {
            TrustDetail::BadSignature
        }
        E::CertExpired { .. } => TrustDetail::CaExpired,
        E::CertNotValidYet { .. } => TrustDetail::CaNotYetValid,
        E::RequiredEkuNotFound | E::RequiredEkuNotFoundContext(_) | E::EmptyEkuExtension => {
            TrustDetail::WrongExtendedKeyUsage
        }
        E::UnsupportedCriticalExtension => TrustDetail::UnsupportedCriticalExtension,
        E::EndEntityUsedAsCa => TrustDetail::IssuerNotCa,
        E::PathLenConstraintViolated => TrustDetail::PathLengthExceeded,
        E::NameConstraintViolation => TrustDetail::NameConstraintViolated,
        E::MaximumPathDepthExceeded
        | E::MaximumPathBuildCallsExceeded
        | E::MaximumSignatureChecksExceeded => TrustDetail::ChainTooLong,
        E::UnsupportedSignatureAlgorithm
        | E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKey
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
            TrustDetail::UnsupportedAlgorithm
        }
        _ => TrustDetail::Malformed,
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
        let store = TrustStore::builtin();
        let production = store
            .anchors
            .iter()
            .filter(|a| a.origin == Origin::Production)
            .count();
        assert_eq!(production, PRODUCTION_PEM.len());
        // Three production roots, two test roots; the others are intermediates.
        let roots = |o: Origin| {
            store
                .anchors
                .iter()
                .filter(|a| a.origin == o && a.self_signed)
                .count()
        };
        assert_eq!(roots(Origin::Production), 3);
        assert_eq!(roots(Origin::Test), 2);
    }
}
