//! The legacy open-data CSV extracts (`etalab-cs1100501/502/507-stock-*.csv`, domain.md §5):
//! `;`-separated, no header, a first line `finess;etalab;<n>;<date>`, then lines tagged by
//! their section (`structureej`, `structureet`, `geolocalisation`). Streamed record by record
//! (`csv::ByteRecord`, one buffer reused): memory does not grow with the file.

use std::io::BufRead;

use csv::ByteRecord;

use super::decode::{self, opt_field};
use super::entity::{Entity, EntityKind};
use super::sink::{ImportError, Sink};
use crate::text::finess as msg;
use cpx_card::Finess;

/// Field counts of each section (the trailing `;` may add one empty field).
pub const STRUCTUREET_FIELDS: usize = 32;
pub const STRUCTUREEJ_FIELDS: usize = 23;
pub const GEOLOCALISATION_FIELDS: usize = 6;

/// What the first line of a file says, when it is a FINESS extract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The date of the data (4th field), `YYYY-MM-DD`.
    pub data_date: Option<String>,
}

/// Reads the manifest line `finess;etalab;<n>;<date>`; `None` when the line is something else.
pub fn manifest(first_line: &[u8]) -> Option<Manifest> {
    let line = first_line
        .strip_prefix(decode::UTF8_BOM)
        .unwrap_or(first_line);
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut parts = line.split(|&b| b == b';');
    if parts.next()? != b"finess" || parts.next()? != b"etalab" {
        return None;
    }
    let _count = parts.next();
    let data_date = parts
        .next()
        .and_then(opt_field)
        .filter(|d| looks_like_date(d));
    Some(Manifest { data_date })
}

fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

/// Streams one CSV extract into `sink`. Bad lines are reported to the sink and skipped; only an
/// unreadable file or a missing manifest line is an error.
pub fn read<R: BufRead>(file: &str, mut input: R, sink: &mut dyn Sink) -> Result<(), ImportError> {
    decode::skip_bom(&mut input).map_err(|e| ImportError::Io(file.to_string(), e))?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(64 * 1024)
        .from_reader(input);
    let mut record = ByteRecord::new();
    let first = reader
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(file, e))?;
    let head: Vec<u8> = record.iter().collect::<Vec<_>>().join(&b';');
    let Some(manifest) = first.then(|| manifest(&head)).flatten() else {
        return Err(ImportError::NotFiness(
            file.to_string(),
            msg::NOT_CSV_EXTRACT.to_string(),
        ));
    };
    sink.data_date(manifest.data_date.as_deref());
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line());
                match parse_record(&record) {
                    Ok(Some(entity)) => sink.entity(entity, line)?,
                    Ok(None) => sink.other_line(),
                    Err(reason) => sink.skipped(line, reason),
                }
                if let Some(p) = record.position() {
                    sink.progress(p.byte());
                }
            }
            Err(e) => match e.kind() {
                csv::ErrorKind::Io(_) => return Err(csv_error(file, e)),
                _ => {
                    let line = e.position().map_or(0, |p| p.line());
                    sink.skipped(line, msg::garbled_line(&e.to_string()));
                }
            },
        }
    }
    Ok(())
}

fn csv_error(file: &str, e: csv::Error) -> ImportError {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => ImportError::Io(file.to_string(), io),
        other => ImportError::NotFiness(file.to_string(), format!("{other:?}")),
    }
}

/// True when the record has `n` fields, or `n + 1` with an empty last one (trailing `;`).
fn has_fields(record: &ByteRecord, n: usize) -> bool {
    record.len() == n || (record.len() == n + 1 && record.get(n).is_some_and(<[u8]>::is_empty))
}

fn finess_field(record: &ByteRecord, i: usize, what: &str) -> Result<String, String> {
    let raw = decode::field(record.get(i).unwrap_or_default());
    Finess::parse(&raw)
        .map(|f| f.as_str().to_string())
        .map_err(|e| msg::bad_finess_field(what, &raw, &e.to_string()))
}

/// One record: `Ok(Some)` an EJ or EG, `Ok(None)` a line of another known section (kept
/// out of the directory), `Err(reason)` a line to skip.
pub fn parse_record(record: &ByteRecord) -> Result<Option<Entity>, String> {
    let tag = record.get(0).unwrap_or_default();
    let f = |i: usize| record.get(i).and_then(opt_field);
    match tag {
        b"structureet" => {
            if !has_fields(record, STRUCTUREET_FIELDS) {
                return Err(msg::field_count(
                    "structureet",
                    record.len(),
                    STRUCTUREET_FIELDS,
                ));
            }
            Ok(Some(Entity {
                finess: finess_field(record, 1, "nofinesset")?,
                kind: Some(EntityKind::Eg),
                ej: Some(finess_field(record, 2, "nofinessej")?),
                name: f(3),
                long_name: f(4),
                name_complement: f(5),
                distribution: f(6),
                street_number: f(7),
                street_type: f(8),
                street: f(9),
                street_complement: f(10),
                place: f(11),
                commune: f(12),
                departement: f(13),
                departement_name: f(14),
                postal_line: f(15),
                phone: f(16),
                fax: f(17),
                category: f(18),
                category_label: f(19),
                category_group: f(20),
                category_group_label: f(21),
                siret: f(22),
                ape: f(23),
                opened: f(28),
                authorised: f(29),
                updated: f(30),
                ..Entity::default()
            }))
        }
        b"structureej" => {
            if !has_fields(record, STRUCTUREEJ_FIELDS) {
                return Err(msg::field_count(
                    "structureej",
                    record.len(),
                    STRUCTUREEJ_FIELDS,
                ));
            }
            Ok(Some(Entity {
                finess: finess_field(record, 1, "nofiness")?,
                kind: Some(EntityKind::Ej),
                name: f(2),
                long_name: f(3),
                name_complement: f(4),
                street_number: f(5),
                street_type: f(6),
                street: f(7),
                street_complement: f(8),
                distribution: f(9),
                place: f(10),
                commune: f(11),
                postal_line: f(12),
                departement: f(13),
                departement_name: f(14),
                phone: f(15),
                legal_status: f(16),
                legal_status_label: f(17),
                category: f(18),
                category_label: f(19),
                siren: f(20),
                ape: f(21),
                opened: f(22),
                ..Entity::default()
            }))
        }
        b"geolocalisation" => {
            if !has_fields(record, GEOLOCALISATION_FIELDS) {
                return Err(msg::field_count(
                    "geolocalisation",
                    record.len(),
                    GEOLOCALISATION_FIELDS,
                ));
            }
            finess_field(record, 1, "nofinesset")?;
            Ok(None)
        }
        other => Err(msg::unknown_section(&decode::field(other))),
    }
}

#[cfg(test)]
mod tests;
