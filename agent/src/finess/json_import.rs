//! The FINESS+ JSON "structures" dataset (schema `schema-structures-v1.json`, ANS `finess`
//! repository): one object `{"schemaVersion", "generatedAt", "gcc": [...], "gco": [...],
//! "pmej": [...]}`; each `pmej` element is a legal entity with its sites nested in `ege`.
//! Streamed: a serde visitor walks the top-level object and the `pmej` array one element at a
//! time (each element, one EJ and its EGs, is small); `gcc`/`gco` are skipped unread.

use std::cell::Cell;
use std::fmt;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::entity::{Entity, EntityKind};
use super::sink::{ImportError, Sink};
use crate::text::finess as msg;
use cpx_card::Finess;

struct State<'s> {
    sink: &'s mut dyn Sink,
    /// A sink error (database) that stopped the walk.
    error: Option<ImportError>,
    saw_pmej: bool,
    data_date: Option<String>,
    index: u64,
    /// Bytes read so far from the file (for the progress bar).
    bytes: Rc<Cell<u64>>,
}

/// A reader that counts the bytes it hands out.
struct Counting<R> {
    inner: R,
    bytes: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes.set(self.bytes.get() + n as u64);
        Ok(n)
    }
}

/// Streams one FINESS+ JSON file into `sink`. Elements that cannot be used are reported and
/// skipped; a file that is not JSON, or has no `pmej` array, is an error (nothing is kept).
pub fn read<R: BufRead>(file: &str, mut input: R, sink: &mut dyn Sink) -> Result<(), ImportError> {
    super::decode::skip_bom(&mut input).map_err(|e| ImportError::Io(file.to_string(), e))?;
    let bytes = Rc::new(Cell::new(0));
    let input = Counting {
        inner: input,
        bytes: Rc::clone(&bytes),
    };
    let mut de = serde_json::Deserializer::from_reader(input);
    let mut state = State {
        sink,
        error: None,
        saw_pmej: false,
        data_date: None,
        index: 0,
        bytes,
    };
    let walked = de::Deserializer::deserialize_map(&mut de, Top(&mut state));
    if let Some(e) = state.error.take() {
        return Err(e);
    }
    walked
        .and_then(|()| de.end())
        .map_err(|e| ImportError::Json(file.to_string(), e.to_string()))?;
    if !state.saw_pmej {
        return Err(ImportError::NotFiness(
            file.to_string(),
            msg::NO_PMEJ.to_string(),
        ));
    }
    let date = state.data_date.take();
    state.sink.data_date(date.as_deref());
    Ok(())
}

struct Top<'a, 's>(&'a mut State<'s>);

impl<'de> Visitor<'de> for Top<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a FINESS+ structures object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "pmej" => {
                    self.0.saw_pmej = true;
                    map.next_value_seed(Pmej(&mut *self.0))?;
                }
                "generatedAt" => {
                    let v: Option<String> = map.next_value()?;
                    self.0.data_date = v.and_then(|s| s.get(..10).map(str::to_string));
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct Pmej<'a, 's>(&'a mut State<'s>);

impl<'de> DeserializeSeed<'de> for Pmej<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Pmej<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the pmej array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let st = self.0;
        while let Some(element) = seq.next_element::<Value>()? {
            st.index += 1;
            if let Err(e) = legal_entity(&element, st.index, st.sink) {
                st.error = Some(e);
                return Err(de::Error::custom("import stopped"));
            }
            st.sink.progress(st.bytes.get());
        }
        Ok(())
    }
}

/// A trimmed, non-empty string member.
fn text(v: Option<&Value>, key: &str) -> Option<String> {
    let s = v?.get(key)?.as_str()?.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// A date member cut to `YYYY-MM-DD` (`dateDerniereMaj` carries a time).
fn date(v: Option<&Value>, key: &str) -> Option<String> {
    text(v, key).map(|d| d.get(..10).map(str::to_string).unwrap_or(d))
}

/// The département of an INSEE commune code: `01143` → `01`, `2A004` → `2A`, `97411` → `974`.
/// Anything but five digits (or `2A`/`2B` and three digits) has none.
pub fn departement_of_commune(cog: &str) -> Option<String> {
    let b = cog.as_bytes();
    let corsica = b.len() == 5 && b[0] == b'2' && matches!(b[1], b'A' | b'B');
    let digits_from = if corsica { 2 } else { 0 };
    if b.len() != 5 || !b[digits_from..].iter().all(u8::is_ascii_digit) {
        return None;
    }
    if cog.starts_with("97") || cog.starts_with("98") {
        Some(cog[..3].to_string())
    } else {
        Some(cog[..2].to_string())
    }
}

/// Fills the address fields from the first `adresse[]` element.
fn address(e: &mut Entity, v: &Value) {
    let a = v.get("adresse").and_then(|a| a.get(0));
    e.street_number = text(a, "numeroVoie");
    e.street_type = text(a, "typeVoie");
    e.street = text(a, "libelleVoie");
    e.street_complement = text(a, "complementVoie");
    e.distribution = text(a, "complementPointGeographique");
    e.place = text(a, "lieuDit");
    e.commune = text(a, "cogCommune");
    e.departement = e.commune.as_deref().and_then(departement_of_commune);
    e.postal_line = match (text(a, "codePostal"), text(a, "ligneAcheminement")) {
        (Some(cp), Some(l)) => Some(format!("{cp} {l}")),
        (cp, l) => cp.or(l),
    };
    let telecom = v
        .get("contact")
        .and_then(|c| c.get(0))
        .and_then(|c| c.get("telecom"));
    e.phone = text(telecom, "telephone");
    e.fax = text(telecom, "telecopie");
}

fn finess_member(v: Option<&Value>, key: &str) -> Result<String, String> {
    let raw = v
        .and_then(|v| v.get(key))
        .and_then(Value::as_str)
        .unwrap_or_default();
    Finess::parse(raw)
        .map(|f| f.as_str().to_string())
        .map_err(|e| msg::bad_finess_field(key, raw, &e.to_string()))
}

/// One `pmej` element: the EJ, then each of its EGs.
fn legal_entity(v: &Value, at: u64, sink: &mut dyn Sink) -> Result<(), ImportError> {
    let info = v.get("informationsGeneralesPMEJ");
    let ej = match finess_member(info, "numFinessPm") {
        Ok(n) => n,
        Err(reason) => {
            sink.skipped(at, reason);
            return Ok(());
        }
    };
    let mut entity = Entity {
        finess: ej.clone(),
        kind: Some(EntityKind::Ej),
        name: text(info, "denominationPm"),
        long_name: text(info, "denominationLonguePmSmsse"),
        name_complement: text(info, "complementAdressePmSmsse"),
        siren: text(info, "siren"),
        legal_status: text(info, "statutJuridique"),
        ape: text(info, "codeApe"),
        category: text(info, "categorieentiteGeographiqueExercice"),
        opened: date(info, "dateCreation"),
        closed: date(info, "dateFermeture"),
        state: text(Some(v), "etatObjet"),
        updated: date(Some(v), "dateDerniereMaj"),
        ..Entity::default()
    };
    address(&mut entity, v);
    sink.entity(entity, at)?;
    let Some(sites) = v.get("ege").and_then(Value::as_array) else {
        return Ok(());
    };
    for site in sites {
        let info = site.get("informationsGeneralesEGE");
        let eg = match finess_member(info, "numFinessEge") {
            Ok(n) => n,
            Err(reason) => {
                sink.skipped(at, msg::in_site_of(&ej, &reason));
                continue;
            }
        };
        let mut entity = Entity {
            finess: eg,
            kind: Some(EntityKind::Eg),
            ej: Some(ej.clone()),
            name: text(info, "nomEgeCourt"),
            long_name: text(info, "nomEgeLong"),
            name_complement: text(info, "complementDenominationEg"),
            siret: text(info, "siret"),
            category: text(Some(site), "categorieentiteGeographiqueExercice"),
            opened: date(info, "dateOuverture"),
            authorised: date(info, "datePremiereAutorisation"),
            closed: date(info, "dateFermeture"),
            state: text(Some(site), "etatObjet"),
            updated: date(Some(site), "dateDerniereMaj"),
            ..Entity::default()
        };
        address(&mut entity, site);
        sink.entity(entity, at)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn departements_of_communes() {
        assert_eq!(departement_of_commune("01143").as_deref(), Some("01"));
        assert_eq!(departement_of_commune("2A004").as_deref(), Some("2A"));
        assert_eq!(departement_of_commune("97411").as_deref(), Some("974"));
        assert_eq!(departement_of_commune("1"), None);
        // Found by the finess_json fuzz target: a code with a space gave the département "9 ".
        assert_eq!(departement_of_commune("9 1"), None);
        assert_eq!(departement_of_commune("9 123"), None);
        assert_eq!(departement_of_commune("2C004"), None);
        assert_eq!(departement_of_commune("2B123").as_deref(), Some("2B"));
    }
}
