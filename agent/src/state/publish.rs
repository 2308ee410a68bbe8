//! Serialise once, serve many times: the snapshot and events are turned into JSON when they
//! change, in two variants. Callers without the per-user token (or the page's session) get the
//! redacted one, where nothing identifies a person or a card: no holder name or id, no card
//! number, no chip serial (EF.SN.ICC contains the card number), no certificate serial or
//! fingerprint (architecture.md §Local API). Clients that must tell cards apart use `card_id`,
//! an opaque per-run id (`card_id.rs`).

use axum::body::Bytes;
use serde::Serialize;
use serde_json::Value;

/// Fields of a `holder` object that identify a person.
const HOLDER_PERSONAL_FIELDS: [&str; 3] = ["id", "surname", "given_name"];
/// Fields anywhere that identify a card, and so its holder: the card number, the chip serial,
/// a certificate's serial number and SHA-256 fingerprint.
const CARD_PERSONAL_FIELDS: [&str; 4] = ["card_number", "serial", "serial_number", "sha256"];

/// Full and redacted JSON of one value.
#[derive(Debug, Clone)]
pub struct Published {
    pub full: Bytes,
    pub redacted: Bytes,
}

impl Published {
    pub fn of<T: Serialize>(value: &T) -> Published {
        let (full, redacted) = serialise_both(value);
        Published {
            full: Bytes::from(full),
            redacted: Bytes::from(redacted),
        }
    }

    pub fn get(&self, authorised: bool) -> Bytes {
        if authorised {
            self.full.clone()
        } else {
            self.redacted.clone()
        }
    }
}

/// An event as published: serialised once, in full (token holders) and redacted (everyone else).
#[derive(Debug)]
pub struct PublishedEvent {
    pub id: u64,
    pub name: &'static str,
    pub full: String,
    pub redacted: String,
}

/// The value's JSON, and the same with personal data removed.
pub fn serialise_both<T: Serialize>(value: &T) -> (String, String) {
    // Our own types always serialise; `Null` keeps this total anyway.
    let mut tree = serde_json::to_value(value).unwrap_or(Value::Null);
    let full = tree.to_string();
    redact(&mut tree);
    (full, tree.to_string())
}

/// Removes the holder's names and identifiers and the card's identifiers, wherever they sit in
/// the tree.
pub fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for field in CARD_PERSONAL_FIELDS {
                map.remove(field);
            }
            if let Some(Value::Object(holder)) = map.get_mut("holder") {
                for field in HOLDER_PERSONAL_FIELDS {
                    holder.remove(field);
                }
            }
            for child in map.values_mut() {
                redact(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn holder_and_card_identifiers_are_removed_at_any_depth() {
        let value = json!({
            "readers": [{"card": {
                "card_id": "c-0011223344556677",
                "serial": "5A0A80250000011234567890",
                "holder": {"id": "810001234567", "surname": "DUPONT", "given_name": "Anne",
                           "title": "Médecin"},
                "card_number": "1234567890",
                "card_issuer": "8025000001",
                "certificates": [{"holder": {"id": "810001234567", "surname": "DUPONT"},
                                  "card_number": "1234567890",
                                  "serial_number": "4F2A99C0DE",
                                  "sha256": "9f86d081884c7d659a2feaa0c55ad015"}]
            }}]
        });
        let (full, redacted) = serialise_both(&value);
        assert!(full.contains("DUPONT") && full.contains("810001234567"));
        for personal in [
            "DUPONT",
            "Anne",
            "810001234567",
            "1234567890",
            "5A0A8025",
            "4F2A99C0DE",
            "9f86d081",
        ] {
            assert!(
                !redacted.contains(personal),
                "{personal} left in {redacted}"
            );
        }
        for kept in ["Médecin", "c-0011223344556677", "8025000001"] {
            assert!(
                redacted.contains(kept),
                "non-personal fields stay: {kept} in {redacted}"
            );
        }
    }
}
