//! `cpx-agent checklist export FILE` / `import FILE`: the démarche carried to another
//! workstation of the same organisation, as JSON: the history of ticks (the ticks in force
//! follow from it), the cards seen (no name, number or serial: a hash) and the day a reader
//! was last seen. Importing merges: histories are united (an entry already there is not
//! added twice), so importing the same file twice changes nothing, and for each step the
//! latest tick or untick, wherever it was made, is the one in force. A file that is not an
//! export, or has one bad entry, is refused before anything is written.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::store::{ticks_of, CardFact, Store};
use crate::model::checklist::{HistoryEntry, StepId};
use crate::text::checklist as texte;

/// The `format` of an export file.
pub const FORMAT: &str = "cpx-agent-checklist";
/// Its version.
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Export {
    pub format: String,
    pub version: u32,
    /// RFC 3339.
    pub exported_at: String,
    pub history: Vec<HistoryEntry>,
    #[serde(default)]
    pub cards_seen: Vec<CardFact>,
    #[serde(default)]
    pub reader_seen: Option<String>,
}

/// Writes the store's démarche to `path` (atomically). Returns (ticks in force, history
/// entries), or the French error.
pub fn export(store: &Store, path: &Path, now: &str) -> Result<(usize, usize), String> {
    let history = store.history().map_err(|e| e.to_string())?;
    let export = Export {
        format: FORMAT.into(),
        version: VERSION,
        exported_at: now.to_string(),
        cards_seen: store.cards().map_err(|e| e.to_string())?,
        reader_seen: store.reader_seen().map_err(|e| e.to_string())?,
        history,
    };
    let mut bytes = serde_json::to_vec_pretty(&export).map_err(|e| e.to_string())?;
    bytes.push(b'\n');
    crate::atomic_file::write(path, &bytes)
        .map_err(|e| texte::cannot_write(&path.display().to_string(), &e.to_string()))?;
    Ok((ticks_of(&export.history).len(), export.history.len()))
}

fn valid_day(text: &str) -> bool {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &format).is_ok()
}

fn valid_moment(text: &str) -> bool {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).is_ok()
}

/// Checks a parsed export: the first problem, in English-free French words.
fn check(export: &Export) -> Result<(), String> {
    if export.format != FORMAT {
        return Err(format!(
            "format « {} » au lieu de « {FORMAT} »",
            export.format
        ));
    }
    if export.version > VERSION {
        return Err(format!(
            "version {} d'une version plus récente de cpx-agent",
            export.version
        ));
    }
    for (i, e) in export.history.iter().enumerate() {
        let n = i + 1;
        let problem = if StepId::parse(&e.step).is_none() {
            Some(format!("étape « {} » inconnue", e.step))
        } else if !matches!(e.action.as_str(), "tick" | "untick" | "not_applicable") {
            Some(format!("action « {} » inconnue", e.action))
        } else if !valid_moment(&e.at) {
            Some(format!("horodatage « {} » invalide", e.at))
        } else if e.date.as_deref().is_some_and(|d| !valid_day(d)) {
            Some("date invalide".to_string())
        } else if e
            .note
            .as_deref()
            .is_some_and(|n| n.chars().count() > super::tick::NOTE_MAX_CHARS)
        {
            Some("note trop longue".to_string())
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(format!("entrée d'historique n° {n} : {problem}"));
        }
    }
    for (i, c) in export.cards_seen.iter().enumerate() {
        if c.key.is_empty()
            || !valid_day(&c.card.first_seen)
            || !valid_day(&c.card.last_seen)
            || c.card.usable_seen.as_deref().is_some_and(|d| !valid_day(d))
        {
            return Err(format!("carte vue n° {} : dates ou clé invalides", i + 1));
        }
    }
    if export.reader_seen.as_deref().is_some_and(|d| !valid_day(d)) {
        return Err("date du dernier lecteur vu invalide".to_string());
    }
    Ok(())
}

/// Merges the export at `path` into the store. Returns (new history entries, ticks in force
/// after), or the French error (nothing written).
pub fn import(store: &mut Store, path: &Path) -> Result<(usize, usize), String> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| texte::cannot_read(&shown, &e.to_string()))?;
    let export: Export =
        serde_json::from_slice(&bytes).map_err(|e| texte::not_an_export(&shown, &e.to_string()))?;
    check(&export).map_err(|detail| texte::not_an_export(&shown, &detail))?;
    let added = store
        .merge(
            &export.history,
            &export.cards_seen,
            export.reader_seen.as_deref(),
        )
        .map_err(|e| e.to_string())?;
    let ticks = store.ticks().map_err(|e| e.to_string())?.len();
    Ok((added, ticks))
}
