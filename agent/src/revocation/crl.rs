//! One CRL file (RFC 5280 §5), read without loading it: its small parts (issuer, dates,
//! extensions, signature) in memory, its signed part hashed as a stream, its entries read one
//! at a time. The signature is verified against the CA that issued the card certificates (a
//! CA of the agent's trust store whose name is the CRL's issuer and whose key usage allows
//! signing CRLs): RSA PKCS#1 v1.5 with SHA-256/384/512, what IGC-Santé uses; anything else is
//! refused. Delta, indirect and partial (reason-partitioned) CRLs are refused too: they do
//! not say alone whether a card is revoked.

use std::fs::File;
use std::path::Path;

use ring::digest;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::Pkcs1v15Sign;
use time::OffsetDateTime;
use x509_parser::extensions::{ParsedExtension, X509Extension};
use x509_parser::prelude::{FromDer, X509Certificate, X509Name};
use x509_parser::revocation_list::RevokedCertificate;
use x509_parser::time::ASN1Time;
use x509_parser::x509::AlgorithmIdentifier;

use super::der::{children, DerError, DerFile, Header};
use crate::text::revocation as msg;

/// Largest small element (name, extensions, signature) read into memory.
const MAX_SMALL: u64 = 64 * 1024;
/// Largest CRL entry.
const MAX_ENTRY: u64 = 4 * 1024;

const TAG_SEQUENCE: u8 = 0x30;
const TAG_INTEGER: u8 = 0x02;
const TAG_UTC_TIME: u8 = 0x17;
const TAG_GENERALIZED_TIME: u8 = 0x18;
const TAG_BIT_STRING: u8 = 0x03;
/// `crlExtensions [0] EXPLICIT`.
const TAG_CRL_EXTENSIONS: u8 = 0xA0;

/// sha256WithRSAEncryption, sha384…, sha512… (RFC 4055).
const OID_RSA_SHA256: &str = "1.2.840.113549.1.1.11";
const OID_RSA_SHA384: &str = "1.2.840.113549.1.1.12";
const OID_RSA_SHA512: &str = "1.2.840.113549.1.1.13";
/// rsaEncryption (RFC 8017).
const OID_RSA_KEY: &str = "1.2.840.113549.1.1.1";

/// CRL extensions (RFC 5280 §5.2).
const OID_AKI: &str = "2.5.29.35";
const OID_CRL_NUMBER: &str = "2.5.29.20";
const OID_DELTA_CRL_INDICATOR: &str = "2.5.29.27";
const OID_ISSUING_DISTRIBUTION_POINT: &str = "2.5.29.28";
const OID_FRESHEST_CRL: &str = "2.5.29.46";
const OID_AUTHORITY_INFO_ACCESS: &str = "1.3.6.1.5.5.7.1.1";
/// CRL entry extensions (RFC 5280 §5.3).
const OID_REASON_CODE: &str = "2.5.29.21";
const OID_INVALIDITY_DATE: &str = "2.5.29.24";
const OID_CERTIFICATE_ISSUER: &str = "2.5.29.29";

/// The DigestInfo prefixes of EMSA-PKCS1-v1_5 (RFC 8017 §9.2, note 1).
const PREFIX_SHA256: &[u8] = &[
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];
const PREFIX_SHA384: &[u8] = &[
    0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05,
    0x00, 0x04, 0x30,
];
const PREFIX_SHA512: &[u8] = &[
    0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05,
    0x00, 0x04, 0x40,
];

/// Why a CRL is refused. The previous copy (if any) stays.
#[derive(Debug, thiserror::Error)]
pub enum CrlError {
    #[error("{}", msg::crl_io(.0))]
    Io(#[from] std::io::Error),
    /// Not a CRL, or a damaged one.
    #[error("{}", msg::not_a_crl(.0))]
    NotCrl(String),
    /// A CRL the agent cannot use alone (delta, indirect, partial, unknown critical
    /// extension, unsupported algorithm).
    #[error("{}", msg::unsupported_crl(.0))]
    Unsupported(String),
    /// No CA of the trust store has the CRL's issuer name.
    #[error("{}", msg::crl_issuer_unknown(.0))]
    IssuerUnknown(String),
    /// No such CA's key verifies the signature (or none may sign CRLs).
    #[error("{}", msg::CRL_BAD_SIGNATURE)]
    BadSignature,
}

impl From<DerError> for CrlError {
    fn from(e: DerError) -> Self {
        match e {
            DerError::Io(e) => CrlError::Io(e),
            other => CrlError::NotCrl(other.to_string()),
        }
    }
}

/// What the CRL says of itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrlInfo {
    /// The issuer's name, DER (the whole `Name`).
    pub issuer: Vec<u8>,
    /// The issuer's CN (else its whole name), for people and for matching card certificates.
    pub issuer_cn: String,
    pub this_update: OffsetDateTime,
    pub next_update: Option<OffsetDateTime>,
    /// cRLNumber, hex.
    pub crl_number: Option<String>,
}

/// One revoked certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revoked {
    /// The serial number's DER content bytes (as the card report writes it, in hex).
    pub serial: Vec<u8>,
    pub revoked_at: OffsetDateTime,
    /// CRLReason (RFC 5280 §5.3.1), when given.
    pub reason: Option<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn from_oid(oid: &str) -> Option<Hash> {
        match oid {
            OID_RSA_SHA256 => Some(Hash::Sha256),
            OID_RSA_SHA384 => Some(Hash::Sha384),
            OID_RSA_SHA512 => Some(Hash::Sha512),
            _ => None,
        }
    }

    fn ring(self) -> &'static digest::Algorithm {
        match self {
            Hash::Sha256 => &digest::SHA256,
            Hash::Sha384 => &digest::SHA384,
            Hash::Sha512 => &digest::SHA512,
        }
    }

    fn padding(self) -> Pkcs1v15Sign {
        let (prefix, len) = match self {
            Hash::Sha256 => (PREFIX_SHA256, 32),
            Hash::Sha384 => (PREFIX_SHA384, 48),
            Hash::Sha512 => (PREFIX_SHA512, 64),
        };
        Pkcs1v15Sign {
            hash_len: Some(len),
            prefix: prefix.into(),
        }
    }
}

/// An open CRL file: what it says, and where its parts are.
pub struct Crl {
    file: DerFile<File>,
    pub info: CrlInfo,
    tbs: Header,
    revoked: Option<Header>,
    hash: Hash,
    signature: Vec<u8>,
}

fn not_crl(what: &str) -> CrlError {
    CrlError::NotCrl(what.to_string())
}

fn time_of(bytes: &[u8]) -> Result<OffsetDateTime, CrlError> {
    ASN1Time::from_der(bytes)
        .map(|(_, t)| t.to_datetime())
        .map_err(|_| not_crl("date"))
}

impl Crl {
    /// Reads the CRL's layout and what it says (not its entries, not its signature yet).
    pub fn open(path: &Path) -> Result<Crl, CrlError> {
        let mut file = DerFile::new(File::open(path)?)?;
        let size = file.size();
        let outer = file.header_at(0, size)?;
        if outer.tag != TAG_SEQUENCE {
            return Err(not_crl("CertificateList"));
        }
        let tbs = file.header_at(outer.value_offset(), outer.end())?;
        if tbs.tag != TAG_SEQUENCE {
            return Err(not_crl("tbsCertList"));
        }
        // signatureAlgorithm and signatureValue, after the signed part.
        let sig_alg_h = file.header_at(tbs.end(), outer.end())?;
        let sig_alg_der = file.element(&sig_alg_h, MAX_SMALL)?;
        let sig_h = file.header_at(sig_alg_h.end(), outer.end())?;
        if sig_h.tag != TAG_BIT_STRING || sig_h.end() != outer.end() {
            return Err(not_crl("signatureValue"));
        }
        let sig_bits = file.value(&sig_h, MAX_SMALL)?;
        let signature = match sig_bits.split_first() {
            Some((0, sig)) => sig.to_vec(),
            _ => return Err(not_crl("signatureValue")),
        };
        let hash = algorithm(&sig_alg_der)?;

        // The signed part, element by element.
        let mut at = tbs.value_offset();
        let next = |file: &mut DerFile<File>, at: u64| file.header_at(at, tbs.end());
        let mut h = next(&mut file, at)?;
        if h.tag == TAG_INTEGER {
            // version v2 (1); v1 CRLs have none.
            at = h.end();
            h = next(&mut file, at)?;
        }
        let inner_alg = file.element(&h, MAX_SMALL)?;
        if inner_alg != sig_alg_der {
            return Err(not_crl("signature ≠ signatureAlgorithm"));
        }
        at = h.end();
        let issuer_h = next(&mut file, at)?;
        let issuer = file.element(&issuer_h, MAX_SMALL)?;
        let issuer_cn = issuer_name(&issuer)?;
        at = issuer_h.end();
        let this_h = next(&mut file, at)?;
        if !matches!(this_h.tag, TAG_UTC_TIME | TAG_GENERALIZED_TIME) {
            return Err(not_crl("thisUpdate"));
        }
        let this_update = time_of(&file.element(&this_h, MAX_SMALL)?)?;
        at = this_h.end();
        let mut next_update = None;
        let mut revoked = None;
        let mut crl_number = None;
        while at < tbs.end() {
            let h = next(&mut file, at)?;
            match h.tag {
                TAG_UTC_TIME | TAG_GENERALIZED_TIME
                    if next_update.is_none() && revoked.is_none() =>
                {
                    next_update = Some(time_of(&file.element(&h, MAX_SMALL)?)?);
                }
                TAG_SEQUENCE if revoked.is_none() => revoked = Some(h),
                TAG_CRL_EXTENSIONS => {
                    let value = file.value(&h, MAX_SMALL)?;
                    crl_number = crl_extensions(&value)?;
                }
                _ => return Err(not_crl("tbsCertList")),
            }
            at = h.end();
        }
        Ok(Crl {
            file,
            info: CrlInfo {
                issuer,
                issuer_cn,
                this_update,
                next_update,
                crl_number,
            },
            tbs,
            revoked,
            hash,
            signature,
        })
    }

    /// Verifies the signature with the key of one of `cas` (CA certificates, DER, named as
    /// the CRL's issuer); the CA used must be allowed to sign CRLs.
    pub fn verify(&mut self, cas: &[&[u8]]) -> Result<(), CrlError> {
        if cas.is_empty() {
            return Err(CrlError::IssuerUnknown(self.info.issuer_cn.clone()));
        }
        let mut context = digest::Context::new(self.hash.ring());
        let total = self.tbs.header_len + self.tbs.len;
        self.file
            .stream(self.tbs.offset, total, |chunk| context.update(chunk))?;
        let hashed = context.finish();
        for ca in cas {
            let Ok((_, cert)) = X509Certificate::from_der(ca) else {
                continue;
            };
            if cert.subject().as_raw() != self.info.issuer.as_slice() || !may_sign_crls(&cert) {
                continue;
            }
            let spki = cert.public_key();
            if spki.algorithm.algorithm.to_id_string() != OID_RSA_KEY {
                continue;
            }
            let Ok(key) = rsa::PublicKey::from_pkcs1_der(&spki.subject_public_key.data) else {
                continue;
            };
            if key
                .verify(self.hash.padding(), hashed.as_ref(), &self.signature)
                .is_ok()
            {
                return Ok(());
            }
        }
        Err(CrlError::BadSignature)
    }

    /// Hands every entry to `each`, in file order; returns how many there were.
    pub fn for_each_revoked<E>(
        &mut self,
        mut each: impl FnMut(Revoked) -> Result<(), E>,
    ) -> Result<u64, E>
    where
        E: From<CrlError>,
    {
        let Some(list) = self.revoked else {
            return Ok(0);
        };
        let mut at = list.value_offset();
        let mut n = 0u64;
        while at < list.end() {
            let h = self
                .file
                .header_at(at, list.end())
                .map_err(CrlError::from)?;
            if h.tag != TAG_SEQUENCE {
                return Err(not_crl("revokedCertificates").into());
            }
            let bytes = self.file.element(&h, MAX_ENTRY).map_err(CrlError::from)?;
            each(entry(&bytes)?)?;
            n += 1;
            at = h.end();
        }
        Ok(n)
    }
}

fn algorithm(der: &[u8]) -> Result<Hash, CrlError> {
    let (_, alg) = AlgorithmIdentifier::from_der(der).map_err(|_| not_crl("algorithm"))?;
    let oid = alg.algorithm.to_id_string();
    Hash::from_oid(&oid).ok_or_else(|| CrlError::Unsupported(msg::algorithm(&oid)))
}

fn issuer_name(der: &[u8]) -> Result<String, CrlError> {
    let (_, name) = X509Name::from_der(der).map_err(|_| not_crl("issuer"))?;
    let cn = name
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_string);
    Ok(cn.unwrap_or_else(|| name.to_string()))
}

/// A CA's key usage, when it has one, must include cRLSign (RFC 5280 §4.2.1.3).
fn may_sign_crls(ca: &X509Certificate<'_>) -> bool {
    match ca.key_usage() {
        Ok(Some(ku)) => ku.value.crl_sign(),
        Ok(None) => true,
        Err(_) => false,
    }
}

/// The CRL's extensions: the cRLNumber when given; a delta, indirect or partial CRL, or an
/// unknown critical extension, is refused.
fn crl_extensions(explicit: &[u8]) -> Result<Option<String>, CrlError> {
    let mut number = None;
    let Some(list) = children(explicit) else {
        return Err(not_crl("crlExtensions"));
    };
    let [(TAG_SEQUENCE, mut rest)] = list.as_slice() else {
        return Err(not_crl("crlExtensions"));
    };
    while !rest.is_empty() {
        let (after, ext) = X509Extension::from_der(rest).map_err(|_| not_crl("extension"))?;
        rest = after;
        match ext.oid.to_id_string().as_str() {
            OID_CRL_NUMBER => {
                if let ParsedExtension::CRLNumber(n) = ext.parsed_extension() {
                    number = Some(hex::encode_upper(n.to_bytes_be()));
                }
            }
            OID_DELTA_CRL_INDICATOR => {
                return Err(CrlError::Unsupported(msg::DELTA_CRL.to_string()))
            }
            OID_ISSUING_DISTRIBUTION_POINT => match ext.parsed_extension() {
                ParsedExtension::IssuingDistributionPoint(idp) => {
                    if idp.indirect_crl {
                        return Err(CrlError::Unsupported(msg::INDIRECT_CRL.to_string()));
                    }
                    if idp.only_some_reasons.is_some()
                        || idp.only_contains_ca_certs
                        || idp.only_contains_attribute_certs
                    {
                        return Err(CrlError::Unsupported(msg::PARTIAL_CRL.to_string()));
                    }
                }
                _ => return Err(not_crl("issuingDistributionPoint")),
            },
            OID_AKI | OID_FRESHEST_CRL | OID_AUTHORITY_INFO_ACCESS => {}
            other if ext.critical => {
                return Err(CrlError::Unsupported(msg::critical_extension(other)))
            }
            _ => {}
        }
    }
    Ok(number)
}

fn entry(bytes: &[u8]) -> Result<Revoked, CrlError> {
    let (rest, e) = RevokedCertificate::from_der(bytes).map_err(|_| not_crl("entry"))?;
    if !rest.is_empty() {
        return Err(not_crl("entry"));
    }
    let mut reason = None;
    for ext in e.extensions() {
        match ext.oid.to_id_string().as_str() {
            OID_REASON_CODE => {
                if let ParsedExtension::ReasonCode(code) = ext.parsed_extension() {
                    reason = Some(code.0);
                }
            }
            OID_CERTIFICATE_ISSUER => {
                return Err(CrlError::Unsupported(msg::INDIRECT_CRL.to_string()))
            }
            OID_INVALIDITY_DATE => {}
            other if ext.critical => {
                return Err(CrlError::Unsupported(msg::critical_extension(other)))
            }
            _ => {}
        }
    }
    Ok(Revoked {
        serial: e.raw_serial().to_vec(),
        revoked_at: e.revocation_date.to_datetime(),
        reason,
    })
}
