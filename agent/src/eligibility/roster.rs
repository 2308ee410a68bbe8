//! `cpx-agent roster check FILE.csv`: the list an organisation collects before registering
//! (name, profession, the answers), each person assessed. One header line names the columns
//! (any order, case and accents ignored): `nom`, `profession`, `donnees_sante`, `mss`,
//! `rpps` (optional). Separator `;`, `,` or tab (from the header); UTF-8 or Windows-1252.
//! A bad line is listed with its number and why, never a crash; nothing is stored.

use serde::Serialize;

use super::{assess, EligibilityError};
use crate::model::setup::{Eligibility, EligibilityAnswer, EligibilityRequest};
use crate::text::eligibility as texte;

/// One person of the list and the answer.
#[derive(Debug, Clone, Serialize)]
pub struct Person {
    /// Line number in the file (the header is line 1).
    pub line: usize,
    pub name: String,
    pub profession: String,
    #[serde(flatten)]
    pub answer: EligibilityAnswer,
}

/// A line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadLine {
    pub line: usize,
    pub reason: String,
}

/// The whole check.
#[derive(Debug, Clone, Serialize)]
pub struct RosterReport {
    pub people: Vec<Person>,
    pub bad_lines: Vec<BadLine>,
    pub eligible: usize,
    pub not_eligible: usize,
    pub to_check: usize,
}

/// The file cannot be checked at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RosterError {
    #[error("{}", texte::ROSTER_EMPTY)]
    Empty,
    #[error("{}", texte::roster_missing_columns(.0))]
    MissingColumns(Vec<&'static str>),
}

fn column_key(header: &str) -> String {
    super::professions::normalise(header).replace(' ', "_")
}

/// Which column is which, from the header's names.
struct Columns {
    name: usize,
    profession: usize,
    medical_data: usize,
    mss: usize,
    rpps: Option<usize>,
    count: usize,
}

fn columns(header: &csv::StringRecord) -> Result<Columns, RosterError> {
    let keys: Vec<String> = header.iter().map(column_key).collect();
    let find = |names: &[&str]| {
        let names: Vec<String> = names.iter().map(|n| column_key(n)).collect();
        keys.iter().position(|k| names.contains(k))
    };
    let name = find(&["nom", "name", "nom_prenom", "prenom_nom", "nom_et_prenom"]);
    let profession = find(&["profession", "metier", "fonction"]);
    let medical_data = find(&[
        "donnee_sante",
        "donnees_sante",
        "acce_donnee_sante",
        "acces_donnees_sante",
        "medical_data",
    ]);
    let mss = find(&["mss", "mssante", "messagerie"]);
    let rpps = find(&["rpps", "numero_rpps", "n_rpps"]);
    let mut missing = Vec::new();
    for (found, label) in [
        (name, "nom"),
        (profession, "profession"),
        (medical_data, "donnees_sante"),
        (mss, "mss"),
    ] {
        if found.is_none() {
            missing.push(label);
        }
    }
    match (name, profession, medical_data, mss) {
        (Some(name), Some(profession), Some(medical_data), Some(mss)) => Ok(Columns {
            name,
            profession,
            medical_data,
            mss,
            rpps,
            count: keys.len(),
        }),
        _ => Err(RosterError::MissingColumns(missing)),
    }
}

/// `oui`/`non` and their usual spellings.
pub fn yes_no(text: &str) -> Option<bool> {
    match super::professions::normalise(text).as_str() {
        "oui" | "o" | "yes" | "y" | "1" | "x" | "vrai" | "true" => Some(true),
        "non" | "n" | "no" | "0" | "faux" | "false" | "" => Some(false),
        _ => None,
    }
}

/// Decodes the file's bytes: UTF-8 (BOM or not), else Windows-1252.
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

fn separator(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    [b';', b'\t', b',']
        .into_iter()
        .max_by_key(|s| header.bytes().filter(|b| b == s).count())
        .unwrap_or(b';')
}

/// Checks the list in `text`.
pub fn check(text: &str) -> Result<RosterReport, RosterError> {
    if text.trim().is_empty() {
        return Err(RosterError::Empty);
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator(text))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(_)) | None => return Err(RosterError::Empty),
    };
    let cols = columns(&header)?;
    let mut report = RosterReport {
        people: Vec::new(),
        bad_lines: Vec::new(),
        eligible: 0,
        not_eligible: 0,
        to_check: 0,
    };
    // The file's own line numbers (the csv reader does not count blank lines).
    let line_at = |byte: u64| {
        // A record's position may be that of the blank lines skipped before it.
        let bytes = text.as_bytes();
        let mut end = (byte as usize).min(bytes.len());
        while end < bytes.len() && matches!(bytes[end], b'\n' | b'\r') {
            end += 1;
        }
        bytes[..end].iter().filter(|b| **b == b'\n').count() + 1
    };
    for record in records {
        let (line, record) = match record {
            Ok(r) => (r.position().map_or(0, |p| line_at(p.byte())), r),
            Err(e) => {
                let line = e.position().map_or(0, |p| line_at(p.byte()));
                report.bad_lines.push(BadLine {
                    line,
                    reason: e.to_string(),
                });
                continue;
            }
        };
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        match person(&cols, &record) {
            Ok((name, profession, answer)) => {
                match answer.verdict {
                    Eligibility::Eligible => report.eligible += 1,
                    Eligibility::NotEligible => report.not_eligible += 1,
                    Eligibility::ToCheck => report.to_check += 1,
                }
                report.people.push(Person {
                    line,
                    name,
                    profession,
                    answer,
                });
            }
            Err(reason) => report.bad_lines.push(BadLine { line, reason }),
        }
    }
    Ok(report)
}

fn person(
    cols: &Columns,
    record: &csv::StringRecord,
) -> Result<(String, String, EligibilityAnswer), String> {
    if record.len() != cols.count {
        return Err(texte::bad_field_count(record.len(), cols.count));
    }
    let field = |i: usize| record.get(i).unwrap_or("").trim().to_string();
    let yes = |i: usize, column: &str| {
        let value = field(i);
        yes_no(&value).ok_or_else(|| texte::bad_yes_no(column, &value))
    };
    let request = EligibilityRequest {
        profession: field(cols.profession),
        medical_data: yes(cols.medical_data, "donnees_sante")?,
        mss: yes(cols.mss, "mss")?,
        rpps: cols.rpps.map(field),
    };
    let answer = assess(&request).map_err(|e| match e {
        EligibilityError::NoProfession => texte::NO_PROFESSION_FIELD.to_string(),
        other => other.to_string(),
    })?;
    Ok((field(cols.name), request.profession, answer))
}
