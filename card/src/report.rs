//! The facts read from a card, as one serialisable `CardReport` (the same JSON everywhere:
//! CLI `--json`, API, SSE). Nothing here knows about contracts: that is the agent's judge.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

/// Which chip family the ATR says this is (domain.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CardFamily {
    /// CPS3, IAS-ECC, contact interface.
    Cps3,
    /// CPS3 read through its contactless interface.
    Cps3Contactless,
    /// CPS4 (NXP ChipDoc), any of its three ATRs.
    Cps4,
    /// Older CPS (CPS2ter era).
    CpsLegacy,
    /// Not a CPx card (Vitale card, bank card…).
    NotCpx,
}

/// Card type, nomenclature TRE_G02 (extension 1.2.250.1.71.1.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum CardKind {
    #[serde(rename = "CPS")]
    Cps,
    #[serde(rename = "CPF")]
    Cpf,
    /// Nothing public tells CDE from CPE inside code 2.
    #[serde(rename = "CDE/CPE")]
    CdeCpe,
    #[serde(rename = "CDA/CPA")]
    CdaCpa,
    #[serde(rename = "unknown")]
    Unknown,
}

/// Type of a person's national identifier (idNat_PS, TRE_G08).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum PersonIdType {
    #[serde(rename = "RPPS")]
    Rpps,
    #[serde(rename = "ADELI")]
    Adeli,
    /// `3` + FINESS + `/` + internal id.
    #[serde(rename = "FINESS")]
    Finess,
    /// `5` + SIRET + `/` + internal id.
    #[serde(rename = "SIRET")]
    Siret,
    #[serde(rename = "other")]
    Other,
}

/// The card holder, from the subject's SN+CN+GN RDN, title and extension .7.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Holder {
    /// National identifier as the certificate writes it (`899700041983`, `30B0057881/CPET0002`).
    /// Personal data: the local API leaves it out for callers without the per-user token.
    #[schema(required = false)]
    pub id: String,
    pub id_type: PersonIdType,
    pub surname: Option<String>,
    pub given_name: Option<String>,
    /// Subject `title` (profession or role label).
    pub title: Option<String>,
    /// Profession code, TRE_G15 (extension 1.2.250.1.71.1.2.7).
    pub profession_code: Option<u32>,
}

/// Type of a structure identifier (idNat_Struct, TRE_G07).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum StructureIdType {
    /// Prefix 1, and the deprecated 5 (FINESS EJ) / 6 (FINESS EG).
    #[serde(rename = "FINESS")]
    Finess,
    #[serde(rename = "SIREN")]
    Siren,
    #[serde(rename = "SIRET")]
    Siret,
    #[serde(rename = "ADELI")]
    Adeli,
    #[serde(rename = "RPPS")]
    Rpps,
    #[serde(rename = "other")]
    Other,
}

/// The structure an establishment card is bound to (subject OU/O/ST).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Structure {
    /// idNat_Struct as written in OU, prefix included (`10B0057881`).
    pub id: String,
    pub id_type: StructureIdType,
    /// The number without its prefix (`0B0057881`): a FINESS, SIRET, SIREN…
    pub number: String,
    /// Structure name (subject O).
    pub name: Option<String>,
    /// Département (subject ST, else L), e.g. `Paris (75)`.
    pub departement: Option<String>,
}

/// Where a certificate chains to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Trust {
    /// Chains to an embedded IGC-Santé production CA and every signature verifies.
    Production,
    /// Chains to an IGC-Santé test CA (or a configured extra trust anchor).
    Test,
    /// A signature does not verify, or the issuer is not known.
    Untrusted,
}

/// What a certificate is for (keyUsage / EKU).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Usage {
    /// digitalSignature, EKU clientAuth (+ smartcard logon).
    Authentication,
    /// nonRepudiation, EKU emailProtection.
    Signature,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Issuer {
    /// Issuer CN, e.g. `TEST AC IGC-SANTE STANDARD PERSONNES`.
    pub name: String,
}

/// One certificate interpreted against the IGC-Santé card profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CertReport {
    pub kind: CardKind,
    pub holder: Option<Holder>,
    /// `null` for CPS/CPF (their structure is only in PIN-protected data).
    pub structure: Option<Structure>,
    /// The number printed on the card: the 10 digits after `8025000001/` in extension
    /// 1.2.250.1.71.1.2.3 (the whole value when it has no `/`). Identifies the card: the
    /// local API leaves it out for callers without the per-user token.
    #[schema(required = false)]
    pub card_number: Option<String>,
    /// The card issuer's number, before the `/` of extension 1.2.250.1.71.1.2.3
    /// (`8025000001`: the ANS).
    pub card_issuer: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub not_before: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub not_after: OffsetDateTime,
    pub issuer: Issuer,
    pub trust: Trust,
    // A `TrustDetail`, serialised as its stable English string (`english.rs`).
    /// Why the trust is what it is (`issuer unknown`, `signature does not verify`…), English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub trust_detail: Option<TrustDetail>,
    pub usage: Usage,
    /// Certificate serial number, hex. Identifies the holder's certificate: the local API
    /// leaves it out for callers without the per-user token.
    #[schema(required = false)]
    pub serial_number: String,
    /// Where its issuer publishes its revocation list: the HTTP(S) addresses of the CRL
    /// distribution points (the LDAP ones are left out).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub crl_urls: Vec<String>,
    /// SHA-256 of the DER, hex: identifies the certificate (left out without the token).
    #[schema(required = false)]
    pub sha256: String,
}

/// PIN state read without using a try (empty VERIFY).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PinState {
    /// `63 Cx`: x tries left.
    TriesLeft,
    /// `69 83`: blocked.
    Blocked,
    /// `90 00`: already verified in this card session (by another application).
    Verified,
    /// Any other answer.
    Unknown,
}

/// Everything read from one card without a PIN, interpreted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CardReport {
    /// ATR, upper-case hex with spaces (`3B AC 00 …`).
    pub atr: String,
    pub family: CardFamily,
    /// Chip serial from EF.SN.ICC, hex. It contains the card number: the local API leaves
    /// it out for callers without the per-user token.
    #[schema(required = false)]
    pub serial: Option<String>,
    pub kind: CardKind,
    pub holder: Option<Holder>,
    pub structure: Option<Structure>,
    /// The number printed on the card (see `CertReport::card_number`); left out without the
    /// token.
    #[schema(required = false)]
    pub card_number: Option<String>,
    /// The card issuer's number (`8025000001`: the ANS).
    pub card_issuer: Option<String>,
    /// Earliest notBefore of the card's certificates.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub not_before: Option<OffsetDateTime>,
    /// Earliest notAfter of the card's certificates: when the card stops working.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub not_after: Option<OffsetDateTime>,
    /// `None` when not read (not a CPx card) or the card gave no answer.
    pub pin_tries_left: Option<u8>,
    pub pin_state: Option<PinState>,
    /// Weakest trust of the card's certificates; `None` when the card has none.
    pub trust: Option<Trust>,
    pub certificates: Vec<CertReport>,
    // `Disagreement`s, each serialised as its stable English sentence (`english.rs`).
    /// Where the authentication and signature certificates disagree on holder or structure
    /// (English, one line each); empty when they agree.
    #[schema(value_type = Vec<String>)]
    pub disagreements: Vec<Disagreement>,
    /// How many APDUs the read took.
    pub apdu_count: u32,
    /// Where the full read found the authentication certificate: for a quick recognition of
    /// the same card next time. In memory only, never in the JSON.
    #[serde(skip)]
    pub recognition_hint: RecognitionHint,
}

/// Why a certificate's trust is what it is. Serialised as a stable English string (see
/// `english.rs`); the agent words it for people.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum TrustDetail {
    /// Every signature verifies up to this CA (its CN, else its whole name), the top reached.
    ChainsTo(String),
    /// No known CA is named as its issuer.
    IssuerUnknown,
    /// A known CA is named as issuer, but no such CA's key verifies the signature.
    BadSignature,
    /// Longer than the chains followed (leaf included, 4 certificates).
    ChainTooLong,
    /// A CA of the chain had expired at the time checked.
    CaExpired,
    /// A CA of the chain was not valid yet at the time checked.
    CaNotYetValid,
    /// The extended key usage does not allow what the certificate is for (client
    /// authentication for an authentication certificate, e-mail protection for a signature
    /// certificate).
    WrongExtendedKeyUsage,
    /// A CA's key usage does not allow signing certificates.
    CaKeyUsage,
    /// The certificate named as issuer is not a CA.
    IssuerNotCa,
    /// A CA's path length constraint is exceeded.
    PathLengthExceeded,
    /// A CA's name constraints exclude the certificate.
    NameConstraintViolated,
    /// A certificate of the chain carries a critical extension the validation does not know.
    UnsupportedCriticalExtension,
    /// A signature algorithm (or key) of the chain is not supported.
    UnsupportedAlgorithm,
    /// The certificate (or one of the chain) is not well-formed DER for the validation.
    Malformed,
}

/// A field of the certificates that must be the same in all of a card's certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CertField {
    CardKind,
    HolderId,
    HolderSurname,
    HolderGivenName,
    CardNumber,
}

/// How two certificates of one card disagree (without personal data: structure ids only).
/// Serialised as a stable English sentence (see `english.rs`); the agent words it for people.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Disagreement {
    /// `field` differs between the `first` (the one speaking for the card) and `second`
    /// certificates.
    Field {
        field: CertField,
        first: Usage,
        second: Usage,
    },
    /// The structures differ (`None`: that certificate names no structure).
    Structure {
        first: Usage,
        first_id: Option<String>,
        second: Usage,
        second_id: Option<String>,
    },
}

/// Where a full read found a card's authentication certificate and its first bytes: the next
/// read of the same reader makes sure it is the same card with one SELECT and one READ
/// (`recognise_known`). A cache, not a fact about the card: never serialised, ignored by
/// `==` (two reports of the same facts are equal whatever their hint), not printed.
#[derive(Clone, Default)]
pub struct RecognitionHint(Option<CertLocation>);

/// An absolute path, an offset in that file, and the bytes found there.
#[derive(Clone)]
pub(crate) struct CertLocation {
    pub(crate) path: Vec<u8>,
    pub(crate) offset: usize,
    pub(crate) head: Vec<u8>,
}

impl RecognitionHint {
    pub(crate) fn new(location: CertLocation) -> Self {
        RecognitionHint(Some(location))
    }

    pub(crate) fn location(&self) -> Option<&CertLocation> {
        self.0.as_ref()
    }

    /// Whether a full read left a hint (a deserialised report has none).
    pub fn is_set(&self) -> bool {
        self.0.is_some()
    }
}

impl PartialEq for RecognitionHint {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for RecognitionHint {}

impl std::fmt::Debug for RecognitionHint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.is_set() {
            "RecognitionHint(set)"
        } else {
            "RecognitionHint(none)"
        })
    }
}
