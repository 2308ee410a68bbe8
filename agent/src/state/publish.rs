//! Serialise once, serve many times: the snapshot and events are turned into JSON when they
//! change, in two variants. Callers without the per-user token get the redacted one, where the
//! holder's names and identifiers are absent (architecture.md §Local API).

use axum::body::Bytes;
use serde::Serialize;
use serde_json::Value;

/// Fields of a `holder` object that identify a person.
const HOLDER_PERSONAL_FIELDS: [&str; 3] = ["id", "surname", "given_name"];
/// Fields anywhere that identify a person's card (`8025000001/<card number>`).
const CARD_PERSONAL_FIELDS: [&str; 1] = ["card_number"];

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

/// Removes the holder's names and identifiers, wherever they sit in the tree.
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
    fn holder_names_and_ids_are_removed_at_any_depth() {
        let value = json!({
            "readers": [{"card": {
                "holder": {"id": "810001234567", "surname": "DUPONT", "given_name": "Anne",
                           "title": "Médecin"},
                "card_number": "8025000001/1234567890",
                "certificates": [{"holder": {"id": "810001234567", "surname": "DUPONT"}}]
            }}]
        });
        let (full, redacted) = serialise_both(&value);
        assert!(full.contains("DUPONT") && full.contains("810001234567"));
        for personal in ["DUPONT", "Anne", "810001234567", "1234567890"] {
            assert!(
                !redacted.contains(personal),
                "{personal} left in {redacted}"
            );
        }
        assert!(
            redacted.contains("Médecin"),
            "non-personal fields stay: {redacted}"
        );
    }
}
