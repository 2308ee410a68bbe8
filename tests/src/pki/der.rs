//! Small DER writing helpers for the test PKI: names (with multi-valued RDNs and a choice of
//! string type), validity, extensions, signing with ring. yasna writes the bytes.

use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use time::OffsetDateTime;
use yasna::models::{ObjectIdentifier, UTCTime};
use yasna::{DERWriter, Tag};

/// X.520 attribute types used in IGC-Santé names.
pub mod attr {
    pub const COUNTRY: &[u64] = &[2, 5, 4, 6];
    pub const STATE: &[u64] = &[2, 5, 4, 8];
    pub const ORGANIZATION: &[u64] = &[2, 5, 4, 10];
    pub const ORG_UNIT: &[u64] = &[2, 5, 4, 11];
    pub const COMMON_NAME: &[u64] = &[2, 5, 4, 3];
    pub const SURNAME: &[u64] = &[2, 5, 4, 4];
    pub const GIVEN_NAME: &[u64] = &[2, 5, 4, 42];
    pub const TITLE: &[u64] = &[2, 5, 4, 12];
}

/// The ASN.1 string type used for a DirectoryString value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum StringKind {
    #[default]
    Utf8,
    /// PrintableString; values with characters outside its alphabet fall back to UTF8String.
    Printable,
    Bmp,
    /// TeletexString (T61), written as Latin-1 bytes (the common real-world practice).
    Teletex,
}

/// One attribute of a name.
#[derive(Clone, Debug)]
pub struct Atv {
    pub oid: &'static [u64],
    pub value: String,
    pub kind: StringKind,
}

/// A distinguished name: a sequence of RDNs, each a set of attributes (usually one).
#[derive(Clone, Debug, Default)]
pub struct Name(pub Vec<Vec<Atv>>);

impl Name {
    pub fn push(&mut self, oid: &'static [u64], value: &str, kind: StringKind) {
        self.0.push(vec![Atv {
            oid,
            value: value.to_string(),
            kind,
        }]);
    }

    pub fn push_multi(&mut self, atvs: Vec<Atv>) {
        self.0.push(atvs);
    }

    pub fn to_der(&self) -> Vec<u8> {
        yasna::construct_der(|w| self.write(w))
    }

    pub fn write(&self, w: DERWriter) {
        w.write_sequence(|w| {
            for rdn in &self.0 {
                w.next().write_set_of(|w| {
                    for atv in rdn {
                        w.next().write_sequence(|w| {
                            w.next().write_oid(&ObjectIdentifier::from_slice(atv.oid));
                            write_directory_string(w.next(), &atv.value, atv.kind);
                        });
                    }
                });
            }
        });
    }
}

fn is_printable(s: &str) -> bool {
    s.bytes().all(|b| {
        b == b' '
            || (b'\''..=b':').contains(&b) && b != b'*'
            || b == b'='
            || b == b'?'
            || b.is_ascii_alphabetic()
    })
}

pub fn write_directory_string(w: DERWriter, value: &str, kind: StringKind) {
    match kind {
        StringKind::Utf8 => w.write_utf8_string(value),
        StringKind::Printable if is_printable(value) && !value.contains('?') => {
            w.write_printable_string(value)
        }
        StringKind::Printable => w.write_utf8_string(value),
        StringKind::Bmp => w.write_bmp_string(value),
        StringKind::Teletex => {
            let latin1: Vec<u8> = value
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect();
            let teletex = Tag {
                tag_class: yasna::TagClass::Universal,
                tag_number: 20,
            };
            w.write_tagged_implicit(teletex, |w| w.write_bytes(&latin1))
        }
    }
}

/// An X.509 v3 extension (value = DER of the extnValue contents).
pub struct Extension {
    pub oid: &'static [u64],
    pub critical: bool,
    pub value: Vec<u8>,
}

pub struct TbsFields<'a> {
    pub serial: &'a [u8],
    pub issuer: &'a Name,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub subject: &'a Name,
    pub spki: &'a [u8],
    pub extensions: Vec<Extension>,
}

const SHA256_WITH_RSA: &[u64] = &[1, 2, 840, 113549, 1, 1, 11];
const RSA_ENCRYPTION: &[u64] = &[1, 2, 840, 113549, 1, 1, 1];

pub(crate) fn write_sig_alg(w: DERWriter) {
    w.write_sequence(|w| {
        w.next()
            .write_oid(&ObjectIdentifier::from_slice(SHA256_WITH_RSA));
        w.next().write_null();
    });
}

pub(crate) fn write_time(w: DERWriter, t: OffsetDateTime) {
    let t = t.replace_nanosecond(0).unwrap_or(t);
    if t.year() < 2050 {
        w.write_utctime(&UTCTime::from_datetime(t));
    } else {
        w.write_generalized_time(&yasna::models::GeneralizedTime::from_datetime(t));
    }
}

pub fn tbs_der(f: &TbsFields) -> Vec<u8> {
    yasna::construct_der(|w| {
        w.write_sequence(|w| {
            w.next().write_tagged(Tag::context(0), |w| w.write_u8(2));
            w.next().write_bigint_bytes(f.serial, true);
            write_sig_alg(w.next());
            f.issuer.write(w.next());
            w.next().write_sequence(|w| {
                write_time(w.next(), f.not_before);
                write_time(w.next(), f.not_after);
            });
            f.subject.write(w.next());
            w.next().write_der(f.spki);
            if !f.extensions.is_empty() {
                w.next().write_tagged(Tag::context(3), |w| {
                    w.write_sequence(|w| {
                        for e in &f.extensions {
                            w.next().write_sequence(|w| {
                                w.next().write_oid(&ObjectIdentifier::from_slice(e.oid));
                                if e.critical {
                                    w.next().write_bool(true);
                                }
                                w.next().write_bytes(&e.value);
                            });
                        }
                    });
                });
            }
        });
    })
}

/// Signs a TBSCertificate or a TBSCertList (sha256WithRSAEncryption, deterministic PKCS#1
/// v1.5): both are `SEQUENCE { tbs, signatureAlgorithm, signatureValue }`.
pub fn sign_certificate(tbs: &[u8], key: &RsaKeyPair) -> Vec<u8> {
    let mut sig = vec![0u8; key.public().modulus_len()];
    key.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), tbs, &mut sig)
        .expect("RSA signing of a test certificate");
    yasna::construct_der(|w| {
        w.write_sequence(|w| {
            w.next().write_der(tbs);
            write_sig_alg(w.next());
            w.next().write_bitvec_bytes(&sig, sig.len() * 8);
        });
    })
}

/// SubjectPublicKeyInfo of an RSA key pair.
pub fn spki_der(key: &RsaKeyPair) -> Vec<u8> {
    let pkcs1 = key.public().as_ref();
    yasna::construct_der(|w| {
        w.write_sequence(|w| {
            w.next().write_sequence(|w| {
                w.next()
                    .write_oid(&ObjectIdentifier::from_slice(RSA_ENCRYPTION));
                w.next().write_null();
            });
            w.next().write_bitvec_bytes(pkcs1, pkcs1.len() * 8);
        });
    })
}

/// Key identifier: SHA-1 of the subjectPublicKey bits (RFC 5280 method 1).
pub fn key_id(key: &RsaKeyPair) -> Vec<u8> {
    ring::digest::digest(
        &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
        key.public().as_ref(),
    )
    .as_ref()
    .to_vec()
}

pub fn der<F: FnOnce(DERWriter)>(f: F) -> Vec<u8> {
    yasna::construct_der(f)
}

pub fn oid(c: &[u64]) -> ObjectIdentifier {
    ObjectIdentifier::from_slice(c)
}

/// PEM armour for a DER certificate.
pub fn pem(der: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::new();
    for chunk in der.chunks(3) {
        let n = chunk.len();
        let v = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= n {
                b64.push(ALPHABET[((v >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                b64.push('=');
            }
        }
    }
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or(""));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// PEM armour for a DER CRL.
pub fn pem_crl(der: &[u8]) -> String {
    pem(der).replace("CERTIFICATE-----", "X509 CRL-----")
}
