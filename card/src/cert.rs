//! IGC-Santé card certificates (domain.md §4) interpreted into a `CertReport`, and several
//! certificates of one card combined into a `CardReport`.

use crate::report::{CardReport, CertReport};
use crate::trust::TrustStore;

/// Why a certificate could not be interpreted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    #[error("empty input / fichier vide")]
    Empty,
    #[error("no certificate found (neither PEM nor DER) / aucun certificat trouvé")]
    NoCertificate,
    #[error("malformed PEM: {0} / PEM mal formé")]
    Pem(String),
    #[error("malformed certificate: {0} / certificat mal formé")]
    Der(String),
    #[error("not implemented yet")]
    NotImplemented,
}

/// Interprets one DER certificate against the IGC-Santé profile, trust included.
pub fn interpret(der: &[u8], trust: &TrustStore) -> Result<CertReport, CertError> {
    let _ = (der, trust);
    Err(CertError::NotImplemented)
}

/// The certificates of a file: PEM (one or more blocks) or a single DER.
pub fn decode_pem_or_der(bytes: &[u8]) -> Result<Vec<Vec<u8>>, CertError> {
    let _ = bytes;
    Err(CertError::NotImplemented)
}

/// A card report from the card's certificates: earliest dates, weakest trust, disagreements.
pub fn combine(
    atr: &[u8],
    serial: Option<String>,
    certificates: Vec<CertReport>,
    pin: Option<(crate::report::PinState, Option<u8>)>,
    apdu_count: u32,
) -> CardReport {
    let _ = (serial, certificates, pin, apdu_count);
    CardReport {
        atr: crate::atr::atr_hex(atr),
        family: crate::atr::identify(atr),
        serial: None,
        kind: crate::report::CardKind::Unknown,
        holder: None,
        structure: None,
        card_number: None,
        not_before: None,
        not_after: None,
        pin_tries_left: None,
        pin_state: None,
        trust: None,
        certificates: Vec::new(),
        disagreements: Vec::new(),
        apdu_count: 0,
    }
}
