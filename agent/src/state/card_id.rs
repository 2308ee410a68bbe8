//! Opaque card ids: clients that must tell two cards apart (a card moved to another reader, two
//! cards of the same kind) get `card_id` instead of the chip serial, the card number or a
//! certificate fingerprint, which identify the card (and its holder) outside the agent. The id
//! is a keyed hash of the chip serial (else of the certificates' fingerprints) with a key drawn
//! at random when the agent starts: the same card keeps its id while the agent runs, and the
//! id means nothing elsewhere, nor after a restart.

use cpx_card::CardReport;
use sha2::{Digest, Sha256};

/// Bytes of the per-run key.
const KEY_BYTES: usize = 32;
/// Bytes of the hash kept in an id (printed as hex): 64 bits, plenty for a desk's cards.
const ID_BYTES: usize = 8;

/// The per-run key that makes card ids.
pub struct CardIds {
    key: [u8; KEY_BYTES],
}

impl std::fmt::Debug for CardIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CardIds(…)")
    }
}

impl Default for CardIds {
    fn default() -> Self {
        Self::new()
    }
}

impl CardIds {
    /// A new random key. Without randomness (never seen on Linux), a key from the clock and
    /// the process id: ids stay opaque enough and the agent keeps running.
    pub fn new() -> CardIds {
        let mut key = [0u8; KEY_BYTES];
        if getrandom::getrandom(&mut key).is_err() {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            let seed = Sha256::new()
                .chain_update(now.to_le_bytes())
                .chain_update(std::process::id().to_le_bytes())
                .finalize();
            key.copy_from_slice(&seed);
        }
        CardIds { key }
    }

    /// The card's opaque id (`c-` and 16 hex digits), or `None` when nothing on the card tells
    /// it from another of its kind (not a CPx card: no serial, no certificate).
    pub fn of(&self, report: &CardReport) -> Option<String> {
        let mut hash = Sha256::new().chain_update(self.key);
        if let Some(serial) = &report.serial {
            hash.update(b"serial:");
            hash.update(serial.as_bytes());
        } else if !report.certificates.is_empty() {
            for cert in &report.certificates {
                hash.update(b"cert:");
                hash.update(cert.sha256.as_bytes());
            }
        } else {
            return None;
        }
        let digest = hash.finalize();
        Some(format!("c-{}", hex::encode(&digest[..ID_BYTES])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::tests::sample_card;

    #[test]
    fn same_card_same_id_within_a_run_never_the_serial() {
        let ids = CardIds::new();
        let a = sample_card("DUPONT", "5A0A80250000012600301752");
        let b = sample_card("DUPONT", "5A0A80250000012600301753");
        let id_a = ids.of(&a).unwrap();
        assert_eq!(ids.of(&a).unwrap(), id_a, "stable while the agent runs");
        assert_ne!(ids.of(&b).unwrap(), id_a, "two cards, two ids");
        assert!(id_a.starts_with("c-") && id_a.len() == 18, "{id_a}");
        assert!(!id_a.to_ascii_uppercase().contains("2600301752"));
        let other_run = CardIds::new();
        assert_ne!(other_run.of(&a).unwrap(), id_a, "another run, another id");
    }

    #[test]
    fn a_card_without_serial_or_certificate_has_no_id() {
        let ids = CardIds::new();
        let mut card = sample_card("DUPONT", "01");
        card.serial = None;
        card.certificates.clear();
        assert_eq!(ids.of(&card), None);
    }
}
