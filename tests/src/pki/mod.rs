//! Test PKI: an IGC-Santé-like hierarchy with fixed keys (committed in tests/pki/*.pk8) and a
//! builder of card certificates that follow domain.md §4 to the letter.
//!
//! The CA certificates are byte-identical at every run (fixed keys, names, serials, validity,
//! deterministic RSA PKCS#1 v1.5 signatures). Card certificates are dated relative to "now".

mod card_certs;
pub mod crl;
pub mod der;

pub use card_certs::{
    CardCerts, CardCertsBuilder, CertValidity, Holder, IssuerChoice, StructureId, DEFAULT_FINESS,
    DEFAULT_SIRET,
};
pub use der::StringKind;

use der::{attr, Extension, Name, TbsFields};
use ring::signature::RsaKeyPair;
use std::sync::OnceLock;
use time::macros::datetime;

/// Fixed RSA-2048 keys (PKCS#8 DER, generated once with `openssl genpkey`).
mod keys {
    pub const ROOT_FORT: &[u8] = include_bytes!("../../pki/root_fort.pk8");
    pub const ROOT_STANDARD: &[u8] = include_bytes!("../../pki/root_standard.pk8");
    pub const INTER_FORT: &[u8] = include_bytes!("../../pki/inter_fort.pk8");
    pub const INTER_STANDARD: &[u8] = include_bytes!("../../pki/inter_standard.pk8");
    pub const UNKNOWN_CA: &[u8] = include_bytes!("../../pki/unknown_ca.pk8");
    pub const CARD_AUTH: &[u8] = include_bytes!("../../pki/card_auth.pk8");
    pub const CARD_SIGN: &[u8] = include_bytes!("../../pki/card_sign.pk8");
}

fn load_key(pk8: &[u8]) -> RsaKeyPair {
    RsaKeyPair::from_pkcs8(pk8).expect("committed test key is a valid RSA PKCS#8 key")
}

/// A certification authority of the test PKI.
pub struct Ca {
    pub name: Name,
    pub key: RsaKeyPair,
    pub cert_der: Vec<u8>,
    pub key_id: Vec<u8>,
}

/// The test hierarchy: two roots, their `… PERSONNES` intermediates, and a CA outside it.
pub struct TestPki {
    pub root_fort: Ca,
    pub root_standard: Ca,
    pub fort_personnes: Ca,
    pub standard_personnes: Ca,
    /// A self-signed CA that the agent does not know (for `--untrusted`).
    pub unknown: Ca,
    pub(crate) card_auth_key: RsaKeyPair,
    pub(crate) card_sign_key: RsaKeyPair,
}

/// `CN=<cn>,OU=IGC-SANTE TEST,OU=0002 187512751,O=ASIP-SANTE,C=FR` (DER order C first).
pub fn igc_sante_test_name(cn: &str) -> Name {
    let mut n = Name::default();
    n.push(attr::COUNTRY, "FR", StringKind::Printable);
    n.push(attr::ORGANIZATION, "ASIP-SANTE", StringKind::Utf8);
    n.push(attr::ORG_UNIT, "0002 187512751", StringKind::Utf8);
    n.push(attr::ORG_UNIT, "IGC-SANTE TEST", StringKind::Utf8);
    n.push(attr::COMMON_NAME, cn, StringKind::Utf8);
    n
}

pub(crate) mod oids {
    pub const BASIC_CONSTRAINTS: &[u64] = &[2, 5, 29, 19];
    pub const KEY_USAGE: &[u64] = &[2, 5, 29, 15];
    pub const SKI: &[u64] = &[2, 5, 29, 14];
    pub const AKI: &[u64] = &[2, 5, 29, 35];
    pub const EKU: &[u64] = &[2, 5, 29, 37];
    pub const SAN: &[u64] = &[2, 5, 29, 17];
    pub const CERT_POLICIES: &[u64] = &[2, 5, 29, 32];
    pub const CRL_DISTRIBUTION_POINTS: &[u64] = &[2, 5, 29, 31];
    pub const CRL_NUMBER: &[u64] = &[2, 5, 29, 20];
    pub const CRL_REASON: &[u64] = &[2, 5, 29, 21];
    pub const EKU_CLIENT_AUTH: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 2];
    pub const EKU_EMAIL: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 4];
    /// Microsoft smartcard logon.
    pub const EKU_SMARTCARD_LOGON: &[u64] = &[1, 3, 6, 1, 4, 1, 311, 20, 2, 2];
    /// Microsoft UPN otherName.
    pub const UPN: &[u64] = &[1, 3, 6, 1, 4, 1, 311, 20, 2, 3];
    pub const CPS_QUALIFIER: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 2, 1];
    /// IGC-Santé test policy seen on the public ANS test card certificates.
    pub const IGC_SANTE_TEST_POLICY: &[u64] = &[1, 2, 250, 1, 213, 1, 7, 2, 1, 1, 1, 1];
    /// Private extensions 1.2.250.1.71.1.2.x (domain.md §4).
    pub const CARD_TYPE: &[u64] = &[1, 2, 250, 1, 71, 1, 2, 2];
    pub const CARD_NUMBER: &[u64] = &[1, 2, 250, 1, 71, 1, 2, 3];
    pub const EXT_5: &[u64] = &[1, 2, 250, 1, 71, 1, 2, 5];
    pub const PROFESSION: &[u64] = &[1, 2, 250, 1, 71, 1, 2, 7];
}

pub(crate) fn ext_key_ids(ski: &[u8], aki: Option<&[u8]>) -> Vec<Extension> {
    let mut v = vec![Extension {
        oid: oids::SKI,
        critical: false,
        value: der::der(|w| w.write_bytes(ski)),
    }];
    if let Some(aki) = aki {
        v.push(Extension {
            oid: oids::AKI,
            critical: false,
            value: der::der(|w| {
                w.write_sequence(|w| {
                    w.next()
                        .write_tagged_implicit(yasna::Tag::context(0), |w| w.write_bytes(aki))
                })
            }),
        });
    }
    v
}

/// keyUsage BIT STRING with the given bit numbers set (0 = digitalSignature).
pub(crate) fn key_usage(bits: &[usize]) -> Extension {
    let len = bits.iter().copied().max().unwrap_or(0) + 1;
    let mut bytes = vec![0u8; len.div_ceil(8)];
    for &b in bits {
        bytes[b / 8] |= 0x80 >> (b % 8);
    }
    Extension {
        oid: oids::KEY_USAGE,
        critical: true,
        value: der::der(|w| w.write_bitvec_bytes(&bytes, len)),
    }
}

fn make_ca(cn: &str, key: RsaKeyPair, issuer: Option<&Ca>, serial: u8) -> Ca {
    let name = igc_sante_test_name(cn);
    make_ca_named(name, key, issuer, serial)
}

fn make_ca_named(name: Name, key: RsaKeyPair, issuer: Option<&Ca>, serial: u8) -> Ca {
    let key_id = der::key_id(&key);
    let spki = der::spki_der(&key);
    let (issuer_name, signer, aki) = match issuer {
        Some(ca) => (&ca.name, &ca.key, Some(ca.key_id.as_slice())),
        None => (&name, &key, None),
    };
    let mut extensions = vec![
        Extension {
            oid: oids::BASIC_CONSTRAINTS,
            critical: true,
            value: der::der(|w| w.write_sequence(|w| w.next().write_bool(true))),
        },
        key_usage(&[5, 6]),
    ];
    extensions.extend(ext_key_ids(&key_id, aki));
    let tbs = der::tbs_der(&TbsFields {
        serial: &[0x11, 0x22, serial],
        issuer: issuer_name,
        not_before: datetime!(2020-01-01 00:00:00 UTC),
        not_after: datetime!(2045-01-01 00:00:00 UTC),
        subject: &name,
        spki: &spki,
        extensions,
    });
    let cert_der = der::sign_certificate(&tbs, signer);
    Ca {
        name,
        key,
        cert_der,
        key_id,
    }
}

impl TestPki {
    /// The process-wide test PKI (built once).
    pub fn get() -> &'static TestPki {
        static PKI: OnceLock<TestPki> = OnceLock::new();
        PKI.get_or_init(TestPki::build)
    }

    fn build() -> TestPki {
        let root_fort = make_ca(
            "TEST AC RACINE IGC-SANTE FORT",
            load_key(keys::ROOT_FORT),
            None,
            1,
        );
        let root_standard = make_ca(
            "TEST AC RACINE IGC-SANTE STANDARD",
            load_key(keys::ROOT_STANDARD),
            None,
            2,
        );
        let fort_personnes = make_ca(
            "TEST AC IGC-SANTE FORT PERSONNES",
            load_key(keys::INTER_FORT),
            Some(&root_fort),
            3,
        );
        let standard_personnes = make_ca(
            "TEST AC IGC-SANTE STANDARD PERSONNES",
            load_key(keys::INTER_STANDARD),
            Some(&root_standard),
            4,
        );
        let mut unknown_name = Name::default();
        unknown_name.push(attr::COUNTRY, "FR", StringKind::Printable);
        unknown_name.push(attr::ORGANIZATION, "AUTORITE INCONNUE", StringKind::Utf8);
        unknown_name.push(attr::COMMON_NAME, "AC INCONNUE DE TEST", StringKind::Utf8);
        let unknown = make_ca_named(unknown_name, load_key(keys::UNKNOWN_CA), None, 5);
        TestPki {
            root_fort,
            root_standard,
            fort_personnes,
            standard_personnes,
            unknown,
            card_auth_key: load_key(keys::CARD_AUTH),
            card_sign_key: load_key(keys::CARD_SIGN),
        }
    }

    /// The two root certificates (DER): what the agent is told to trust.
    pub fn roots(&self) -> Vec<&[u8]> {
        vec![&self.root_fort.cert_der, &self.root_standard.cert_der]
    }

    /// The two `… PERSONNES` intermediates (DER).
    pub fn intermediates(&self) -> Vec<&[u8]> {
        vec![
            &self.fort_personnes.cert_der,
            &self.standard_personnes.cert_der,
        ]
    }

    /// PEM bundle written by `cpx-emulator --export-ca`: both roots, then both intermediates
    /// (the card holds only its own certificates; the agent needs the intermediates to build
    /// the chain, as it would have the production ones).
    pub fn ca_bundle_pem(&self) -> String {
        self.roots()
            .into_iter()
            .chain(self.intermediates())
            .map(der::pem)
            .collect()
    }
}

#[cfg(test)]
mod tests;
