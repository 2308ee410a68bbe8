//! IGC-Santé card certificates (domain.md §4) interpreted into a `CertReport`, and the
//! certificates of one card combined into a `CardReport`.

use crate::ber;
use crate::report::{
    CardKind, CardReport, CertField, CertReport, Disagreement, Holder, Issuer, PersonIdType,
    RecognitionHint, Structure, StructureIdType, Trust, Usage,
};
use crate::trust::TrustStore;
use crate::x509::{der_of, parse, CertError};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension};
use x509_parser::prelude::{X509Certificate, X509Name};

/// Card type, nomenclature TRE_G02 (IGC-Santé private extension, domain.md §4).
const OID_CARD_TYPE: &str = "1.2.250.1.71.1.2.2";
/// Card number `8025000001/<10 digits>` (IGC-Santé private extension, domain.md §4).
const OID_CARD_NUMBER: &str = "1.2.250.1.71.1.2.3";
/// Profession code, nomenclature TRE_G15 (IGC-Santé private extension, domain.md §4).
const OID_PROFESSION: &str = "1.2.250.1.71.1.2.7";

/// X.520 attribute types (RFC 4519).
const OID_CN: &str = "2.5.4.3";
const OID_SURNAME: &str = "2.5.4.4";
const OID_LOCALITY: &str = "2.5.4.7";
const OID_STATE: &str = "2.5.4.8";
const OID_ORGANIZATION: &str = "2.5.4.10";
const OID_ORG_UNIT: &str = "2.5.4.11";
const OID_TITLE: &str = "2.5.4.12";
const OID_GIVEN_NAME: &str = "2.5.4.42";

/// Universal tags of the string types a DirectoryString may use (X.680).
const TAG_UTF8: u32 = 12;
const TAG_NUMERIC: u32 = 18;
const TAG_PRINTABLE: u32 = 19;
const TAG_TELETEX: u32 = 20;
const TAG_IA5: u32 = 22;
const TAG_VISIBLE: u32 = 26;
const TAG_UNIVERSAL: u32 = 28;
const TAG_BMP: u32 = 30;

/// Interprets one DER certificate against the IGC-Santé profile, trust included (its chain
/// checked now).
pub fn interpret(der: &[u8], trust: &TrustStore) -> Result<CertReport, CertError> {
    interpret_at(der, trust, OffsetDateTime::now_utc())
}

/// Interprets one DER certificate, its chain checked at `now` (see `trust`: brought within
/// the certificate's own validity).
pub fn interpret_at(
    der: &[u8],
    trust: &TrustStore,
    now: OffsetDateTime,
) -> Result<CertReport, CertError> {
    let cert = parse(der)?;
    let subject = Subject::read(cert.subject());
    let ext = Extensions::read(&cert);
    let holder = subject.holder(ext.profession);
    let kind = match ext.card_type {
        Some(code) => kind_from_code(code),
        None => kind_from_subject(holder.as_ref(), &subject),
    };
    let structure = match kind {
        CardKind::Cps | CardKind::Cpf => None,
        _ => subject.structure(),
    };
    let usage = usage(&cert);
    let (trust_level, trust_detail) = trust.check(&cert, der_of(der), usage, now);
    let validity = cert.validity();
    Ok(CertReport {
        kind,
        holder,
        structure,
        card_number: ext.card_number,
        card_issuer: ext.card_issuer,
        not_before: validity.not_before.to_datetime(),
        not_after: validity.not_after.to_datetime(),
        issuer: Issuer {
            name: first_value(cert.issuer(), OID_CN).unwrap_or_else(|| cert.issuer().to_string()),
        },
        trust: trust_level,
        trust_detail: Some(trust_detail),
        usage,
        serial_number: hex::encode_upper(cert.tbs_certificate.raw_serial()),
        crl_urls: crl_urls(&cert),
        sha256: hex::encode(Sha256::digest(der_of(der))),
    })
}

fn kind_from_code(code: u64) -> CardKind {
    match code {
        0 => CardKind::Cps,
        1 => CardKind::Cpf,
        2 => CardKind::CdeCpe,
        3 => CardKind::CdaCpa,
        _ => CardKind::Unknown,
    }
}

/// Without extension .2: a person bound to a structure (OU) is CDE/CPE, a FINESS-based id is
/// CDE/CPE, a SIRET-based one CDA/CPA, an RPPS/ADELI one a CPS; not a person: unknown.
fn kind_from_subject(holder: Option<&Holder>, subject: &Subject) -> CardKind {
    let Some(h) = holder else {
        return CardKind::Unknown;
    };
    match h.id_type {
        PersonIdType::Finess => CardKind::CdeCpe,
        PersonIdType::Siret => CardKind::CdaCpa,
        _ if subject.structure_ou().is_some() => CardKind::CdeCpe,
        PersonIdType::Rpps | PersonIdType::Adeli => CardKind::Cps,
        PersonIdType::Other => CardKind::Unknown,
    }
}

fn person_id_type(id: &str) -> PersonIdType {
    match id.chars().next() {
        Some('8') => PersonIdType::Rpps,
        Some('0') => PersonIdType::Adeli,
        Some('3') => PersonIdType::Finess,
        Some('5') => PersonIdType::Siret,
        _ => PersonIdType::Other,
    }
}

fn structure_id_type(prefix: char) -> StructureIdType {
    match prefix {
        '1' | '5' | '6' => StructureIdType::Finess,
        '2' => StructureIdType::Siren,
        '3' => StructureIdType::Siret,
        '0' => StructureIdType::Adeli,
        '4' => StructureIdType::Rpps,
        _ => StructureIdType::Other,
    }
}

/// The subject attributes the profile uses, multi-valued RDNs flattened (any order).
#[derive(Debug, Default)]
struct Subject {
    attrs: Vec<(String, String)>,
}

impl Subject {
    fn read(name: &X509Name<'_>) -> Self {
        let mut attrs = Vec::new();
        for rdn in name.iter() {
            for atv in rdn.iter() {
                if let Some(v) = directory_string(atv.attr_value().tag().0, atv.attr_value().data) {
                    attrs.push((atv.attr_type().to_id_string(), v));
                }
            }
        }
        Subject { attrs }
    }

    fn get(&self, oid: &str) -> Option<String> {
        self.attrs
            .iter()
            .find(|(o, _)| o == oid)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// A person certificate has a surname or a given name next to its CN.
    fn holder(&self, profession_code: Option<u32>) -> Option<Holder> {
        let surname = self.get(OID_SURNAME);
        let given_name = self.get(OID_GIVEN_NAME);
        if surname.is_none() && given_name.is_none() {
            return None;
        }
        let id = self.get(OID_CN)?;
        Some(Holder {
            id_type: person_id_type(&id),
            id,
            surname,
            given_name,
            title: self.get(OID_TITLE),
            profession_code,
        })
    }

    /// The OU carrying an idNat_Struct (the IGC-Santé CA OUs have spaces or letters first).
    fn structure_ou(&self) -> Option<String> {
        self.attrs
            .iter()
            .filter(|(o, _)| o == OID_ORG_UNIT)
            .map(|(_, v)| v.trim())
            .find(|v| {
                v.len() >= 2
                    && v.starts_with(|c: char| c.is_ascii_digit())
                    && v.chars().all(|c| c.is_ascii_alphanumeric())
            })
            .map(str::to_string)
    }

    fn structure(&self) -> Option<Structure> {
        let id = self.structure_ou()?;
        let mut chars = id.chars();
        let prefix = chars.next()?;
        Some(Structure {
            id_type: structure_id_type(prefix),
            number: chars.as_str().to_string(),
            name: self.get(OID_ORGANIZATION),
            departement: self.get(OID_STATE).or_else(|| self.get(OID_LOCALITY)),
            id,
        })
    }
}

fn first_value(name: &X509Name<'_>, oid: &str) -> Option<String> {
    Subject::read(name).get(oid)
}

/// Decodes any DirectoryString form; `None` for a tag that is not a string.
fn directory_string(tag: u32, data: &[u8]) -> Option<String> {
    match tag {
        TAG_UTF8 | TAG_PRINTABLE | TAG_IA5 | TAG_NUMERIC | TAG_VISIBLE => {
            Some(String::from_utf8_lossy(data).into_owned())
        }
        // T.61 in practice carries Latin-1 (what every PKI writing it meant).
        TAG_TELETEX => Some(data.iter().map(|b| char::from(*b)).collect()),
        TAG_BMP => {
            let units: Vec<u16> = data
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                .collect();
            Some(String::from_utf16_lossy(&units))
        }
        TAG_UNIVERSAL => Some(
            data.chunks(4)
                .map(|c| {
                    let mut b = [0u8; 4];
                    b[..c.len()].copy_from_slice(c);
                    char::from_u32(u32::from_be_bytes(b)).unwrap_or('\u{FFFD}')
                })
                .collect(),
        ),
        _ => None,
    }
}

/// The IGC-Santé private extensions.
#[derive(Debug, Default)]
struct Extensions {
    card_type: Option<u64>,
    card_number: Option<String>,
    card_issuer: Option<String>,
    profession: Option<u32>,
}

impl Extensions {
    fn read(cert: &X509Certificate<'_>) -> Self {
        let mut out = Extensions::default();
        for ext in cert.extensions() {
            let Ok((tlv, _)) = ber::parse_one(ext.value) else {
                continue;
            };
            match ext.oid.to_id_string().as_str() {
                OID_CARD_TYPE if tlv.tag == 0x02 => out.card_type = tlv.as_u64(),
                OID_PROFESSION if tlv.tag == 0x02 => {
                    out.profession = tlv.as_u64().and_then(|v| u32::try_from(v).ok())
                }
                OID_CARD_NUMBER => {
                    let value = directory_string(tlv.tag, tlv.value)
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty());
                    (out.card_issuer, out.card_number) = split_card_number(value);
                }
                _ => {}
            }
        }
        out
    }
}

/// `8025000001/2600301752` → issuer `8025000001`, number `2600301752` (domain.md §4). A
/// value without `/` (not seen on cards) is kept whole as the number, without an issuer.
fn split_card_number(value: Option<String>) -> (Option<String>, Option<String>) {
    let Some(value) = value else {
        return (None, None);
    };
    match value.split_once('/') {
        Some((issuer, number)) if !issuer.trim().is_empty() && !number.trim().is_empty() => (
            Some(issuer.trim().to_string()),
            Some(number.trim().to_string()),
        ),
        _ => (None, Some(value)),
    }
}

/// The HTTP(S) addresses of the certificate's CRL distribution points, in order (LDAP
/// addresses are left out: the agent fetches over HTTP only).
fn crl_urls(cert: &X509Certificate<'_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for ext in cert.extensions() {
        let ParsedExtension::CRLDistributionPoints(points) = ext.parsed_extension() else {
            continue;
        };
        for point in points.iter() {
            let Some(DistributionPointName::FullName(names)) = &point.distribution_point else {
                continue;
            };
            for name in names {
                if let GeneralName::URI(uri) = name {
                    let lower = uri.to_ascii_lowercase();
                    let http = lower.starts_with("http://") || lower.starts_with("https://");
                    if http && !out.iter().any(|u| u == uri) {
                        out.push((*uri).to_string());
                    }
                }
            }
        }
    }
    out
}

/// nonRepudiation or EKU emailProtection alone → signature; digitalSignature or clientAuth →
/// authentication.
fn usage(cert: &X509Certificate<'_>) -> Usage {
    let ku = cert.key_usage().ok().flatten().map(|k| *k.value);
    let eku = cert
        .extended_key_usage()
        .ok()
        .flatten()
        .map(|e| e.value.clone());
    if ku.is_some_and(|k| k.non_repudiation()) {
        return Usage::Signature;
    }
    if eku.as_ref().is_some_and(|e| e.client_auth) || ku.is_some_and(|k| k.digital_signature()) {
        return Usage::Authentication;
    }
    if eku.as_ref().is_some_and(|e| e.email_protection) {
        return Usage::Signature;
    }
    Usage::Other
}

fn trust_rank(t: Trust) -> u8 {
    match t {
        Trust::Untrusted => 0,
        Trust::Test => 1,
        Trust::Production => 2,
    }
}

/// A card report from the card's certificates: the authentication certificate speaks for the
/// card, dates are the earliest, trust the weakest, and every disagreement between the
/// certificates on kind, holder, structure or card number is listed (without personal data).
pub fn combine(atr: &[u8], certificates: Vec<CertReport>) -> CardReport {
    let primary = certificates
        .iter()
        .find(|c| c.usage == Usage::Authentication)
        .or(certificates.first())
        .cloned();
    let mut disagreements = Vec::new();
    if let Some(p) = &primary {
        for other in certificates.iter().filter(|c| c.sha256 != p.sha256) {
            disagreements.extend(differences(p, other));
        }
    }
    disagreements.dedup();
    CardReport {
        atr: crate::atr::atr_hex(atr),
        family: crate::atr::identify(atr),
        serial: None,
        kind: primary.as_ref().map_or(CardKind::Unknown, |p| p.kind),
        holder: primary.as_ref().and_then(|p| p.holder.clone()),
        structure: primary.as_ref().and_then(|p| p.structure.clone()),
        card_number: primary.as_ref().and_then(|p| p.card_number.clone()),
        card_issuer: primary.as_ref().and_then(|p| p.card_issuer.clone()),
        not_before: certificates.iter().map(|c| c.not_before).min(),
        not_after: certificates.iter().map(|c| c.not_after).min(),
        pin_tries_left: None,
        pin_state: None,
        trust: certificates
            .iter()
            .map(|c| c.trust)
            .min_by_key(|t| trust_rank(*t)),
        certificates,
        disagreements,
        apdu_count: 0,
        recognition_hint: RecognitionHint::default(),
    }
}

fn differences(a: &CertReport, b: &CertReport) -> Vec<Disagreement> {
    let (first, second) = (a.usage, b.usage);
    let mut out = Vec::new();
    let mut differ = |field: CertField, same: bool| {
        if !same {
            out.push(Disagreement::Field {
                field,
                first,
                second,
            });
        }
    };
    differ(CertField::CardKind, a.kind == b.kind);
    let ha = a.holder.as_ref();
    let hb = b.holder.as_ref();
    differ(CertField::HolderId, ha.map(|h| &h.id) == hb.map(|h| &h.id));
    differ(
        CertField::HolderSurname,
        ha.map(|h| &h.surname) == hb.map(|h| &h.surname),
    );
    differ(
        CertField::HolderGivenName,
        ha.map(|h| &h.given_name) == hb.map(|h| &h.given_name),
    );
    differ(
        CertField::CardNumber,
        a.card_number == b.card_number && a.card_issuer == b.card_issuer,
    );
    let sa = a.structure.as_ref().map(|s| s.id.clone());
    let sb = b.structure.as_ref().map(|s| s.id.clone());
    if sa != sb {
        out.push(Disagreement::Structure {
            first,
            first_id: sa,
            second,
            second_id: sb,
        });
    }
    out
}

#[cfg(test)]
mod tests;
