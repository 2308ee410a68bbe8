//! Certificates as bytes: one DER certificate parsed, a PEM or DER file decoded. The bottom
//! of the certificate files: `cert` (the IGC-Santé profile) and `trust` (the CA store) both
//! stand on it, and it imports neither.

use crate::ber;
use x509_parser::prelude::{FromDer, X509Certificate};

/// Why a certificate could not be interpreted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    #[error("fichier vide / empty input")]
    Empty,
    #[error(
        "aucun certificat trouvé (ni PEM ni DER) / no certificate found (neither PEM nor DER)"
    )]
    NoCertificate,
    #[error("PEM mal formé / malformed PEM: {0}")]
    Pem(String),
    #[error("certificat mal formé / malformed certificate: {0}")]
    Der(String),
}

/// Parses one DER certificate (trailing bytes after it are ignored: card files are padded).
pub(crate) fn parse(der: &[u8]) -> Result<X509Certificate<'_>, CertError> {
    if der.is_empty() {
        return Err(CertError::Empty);
    }
    X509Certificate::from_der(der)
        .map(|(_, c)| c)
        .map_err(|e| CertError::Der(e.to_string()))
}

/// The bytes of the certificate itself (without what may follow it), from its DER header.
pub(crate) fn der_of(der: &[u8]) -> &[u8] {
    match ber::parse_header(der).ok().and_then(|h| h.total_len()) {
        Some(n) if n <= der.len() => &der[..n],
        _ => der,
    }
}

/// The certificates of a file: PEM (one or more `CERTIFICATE` blocks) or a single DER.
pub fn decode_pem_or_der(bytes: &[u8]) -> Result<Vec<Vec<u8>>, CertError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(CertError::Empty);
    }
    if contains(bytes, b"-----BEGIN") {
        let mut out = Vec::new();
        for block in x509_parser::pem::Pem::iter_from_buffer(bytes) {
            let pem = block.map_err(|e| CertError::Pem(e.to_string()))?;
            if pem.label.ends_with("CERTIFICATE") {
                parse(&pem.contents)?;
                out.push(pem.contents);
            }
        }
        if out.is_empty() {
            return Err(CertError::NoCertificate);
        }
        return Ok(out);
    }
    if bytes.first() != Some(&0x30) {
        return Err(CertError::NoCertificate);
    }
    parse(bytes)?;
    Ok(vec![der_of(bytes).to_vec()])
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
