//! The checklist's memory: one SQLite file (WAL) in the user's data dir,
//! `$XDG_DATA_HOME/cpx-agent/checklist.sqlite`. It keeps
//! - the **history** of ticks (who ticked, unticked or marked a step not applicable, when, the
//!   day they gave, their note, from where): the ticks in force are derived from it (for each
//!   step and EG, its latest entry), so merging another workstation's export is a union of
//!   histories;
//! - the **cards seen** (establishment cards: kind, structure FINESS, whether the title says
//!   director, last verdict, days first/last seen and last seen usable), keyed by a hash of the
//!   card's identifiers: no name, no number, no serial is kept;
//! - the day a **reader** was last seen.
//!
//! Every write is one transaction; a crash loses nothing committed. The schema carries its
//! version (`PRAGMA user_version`): an older file is upgraded in place, a newer one refused
//! with a clear message.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};

use crate::model::checklist::{HistoryEntry, SeenCard};
use crate::text::checklist as texte;

/// Schema version (`PRAGMA user_version`).
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY,
    step TEXT NOT NULL,
    eg TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    date TEXT,
    at TEXT NOT NULL,
    by TEXT NOT NULL,
    note TEXT,
    origin TEXT NOT NULL,
    UNIQUE (step, eg, action, at, by)
);
CREATE INDEX IF NOT EXISTS history_step ON history(step, eg);
CREATE TABLE IF NOT EXISTS card_seen (
    key TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    finess TEXT NOT NULL,
    director INTEGER NOT NULL,
    status TEXT NOT NULL,
    codes TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    usable_seen TEXT
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
";

/// Where the checklist lives by default: `$XDG_DATA_HOME/cpx-agent/checklist.sqlite`.
pub fn default_path() -> Option<PathBuf> {
    crate::platform::data_dir().map(|d| d.join("cpx-agent").join("checklist.sqlite"))
}

/// Why the store cannot be used. French, with what to do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}", texte::store_unavailable(&path.display().to_string(), detail))]
    Unavailable { path: PathBuf, detail: String },
    #[error("{}", texte::store_too_new(&path.display().to_string(), *version))]
    TooNew { path: PathBuf, version: i64 },
    #[error("{}", texte::NO_DATA_DIR)]
    NoDataDir,
}

/// One tick in force (the latest history entry of a step and EG, when not an untick).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tick {
    pub step: String,
    /// Empty when the step is not per EG.
    pub eg: String,
    /// `tick` or `not_applicable`.
    pub action: String,
    pub date: Option<String>,
    pub at: String,
    pub by: String,
    pub note: Option<String>,
}

/// One establishment card as the store keeps it, with its key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CardFact {
    /// A hash of the card's identifiers (never shown).
    pub key: String,
    #[serde(flatten)]
    pub card: SeenCard,
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens the store at the default place.
    pub fn open_default() -> Result<Store, StoreError> {
        let path = default_path().ok_or(StoreError::NoDataDir)?;
        Store::open(&path)
    }

    /// Opens (creating it and its folder if needed) the store at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let fail = |e: &dyn std::fmt::Display| StoreError::Unavailable {
            path: path.to_path_buf(),
            detail: e.to_string(),
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| fail(&e))?;
        }
        let conn = Connection::open(path).map_err(|e| fail(&e))?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.prepare().map_err(|e| fail(&e))??;
        Ok(store)
    }

    /// Pragmas, schema, upgrade. The outer error is SQLite's, the inner one a refusal.
    fn prepare(&self) -> rusqlite::Result<Result<(), StoreError>> {
        self.conn.busy_timeout(std::time::Duration::from_secs(10))?;
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Ok(Err(StoreError::TooNew {
                path: self.path.clone(),
                version,
            }));
        }
        if version < SCHEMA_VERSION {
            // Version 0 is a new file. Later versions add their upgrade steps here, in one
            // transaction with the version bump.
            self.conn.execute_batch(&format!(
                "BEGIN IMMEDIATE; {SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
            ))?;
        }
        Ok(Ok(()))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn error(&self, e: rusqlite::Error) -> StoreError {
        StoreError::Unavailable {
            path: self.path.clone(),
            detail: e.to_string(),
        }
    }

    /// Appends one history entry (a tick, an untick, a "not applicable"). `false` when the
    /// very same entry was already there.
    pub fn record(&mut self, entry: &HistoryEntry) -> Result<bool, StoreError> {
        let result = (|| {
            let tx = self.conn.transaction()?;
            let added = insert_history(&tx, entry)?;
            tx.commit()?;
            Ok(added)
        })();
        result.map_err(|e| self.error(e))
    }

    /// Every history entry, oldest first.
    pub fn history(&self) -> Result<Vec<HistoryEntry>, StoreError> {
        self.read_history().map_err(|e| self.error(e))
    }

    fn read_history(&self) -> rusqlite::Result<Vec<HistoryEntry>> {
        let mut stmt = self.conn.prepare(
            "SELECT step, eg, action, date, at, by, note, origin FROM history ORDER BY at, id",
        )?;
        let rows = stmt.query_map([], |r| {
            let eg: String = r.get(1)?;
            Ok(HistoryEntry {
                step: r.get(0)?,
                eg: (!eg.is_empty()).then_some(eg),
                action: r.get(2)?,
                date: r.get(3)?,
                at: r.get(4)?,
                by: r.get(5)?,
                note: r.get(6)?,
                origin: r.get(7)?,
            })
        })?;
        rows.collect()
    }

    /// The ticks in force: for each step and EG, its latest entry, unless it is an untick.
    pub fn ticks(&self) -> Result<Vec<Tick>, StoreError> {
        let history = self.history()?;
        Ok(ticks_of(&history))
    }

    /// Records an establishment card seen on `day` (`YYYY-MM-DD`). Returns whether what the
    /// checklist shows may have changed (a new card, a new verdict, a new day).
    pub fn record_card(&mut self, fact: &CardFact) -> Result<bool, StoreError> {
        self.upsert_card(fact).map_err(|e| self.error(e))
    }

    fn upsert_card(&mut self, fact: &CardFact) -> rusqlite::Result<bool> {
        let tx = self.conn.transaction()?;
        let changed = upsert_card(&tx, fact, false)?;
        tx.commit()?;
        Ok(changed)
    }

    /// The cards seen, most recently seen first.
    pub fn cards(&self) -> Result<Vec<CardFact>, StoreError> {
        self.read_cards().map_err(|e| self.error(e))
    }

    fn read_cards(&self) -> rusqlite::Result<Vec<CardFact>> {
        let mut stmt = self.conn.prepare(
            "SELECT key, kind, finess, director, status, codes, first_seen, last_seen, \
             usable_seen FROM card_seen ORDER BY last_seen DESC, first_seen DESC, key",
        )?;
        let rows = stmt.query_map([], |r| {
            let codes: String = r.get(5)?;
            Ok(CardFact {
                key: r.get(0)?,
                card: SeenCard {
                    kind: r.get(1)?,
                    finess: r.get(2)?,
                    director: r.get::<_, i64>(3)? != 0,
                    status: r.get(4)?,
                    codes: codes
                        .split(',')
                        .filter(|c| !c.is_empty())
                        .map(str::to_string)
                        .collect(),
                    first_seen: r.get(6)?,
                    last_seen: r.get(7)?,
                    usable_seen: r.get(8)?,
                },
            })
        })?;
        rows.collect()
    }

    /// Records that a reader was seen on `day`. Returns whether the day is new.
    pub fn record_reader(&mut self, day: &str) -> Result<bool, StoreError> {
        let known = self.reader_seen()?;
        if known.as_deref() == Some(day) {
            return Ok(false);
        }
        self.conn
            .execute(
                "INSERT INTO meta (key, value) VALUES ('reader_last_seen', ?1) \
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [day],
            )
            .map_err(|e| self.error(e))?;
        Ok(true)
    }

    /// The last day a reader was seen.
    pub fn reader_seen(&self) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'reader_last_seen'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.error(e))
    }

    /// Merges another workstation's history and cards in one transaction. Returns how many
    /// history entries were new.
    pub fn merge(
        &mut self,
        history: &[HistoryEntry],
        cards: &[CardFact],
        reader_seen: Option<&str>,
    ) -> Result<usize, StoreError> {
        let result = (|| {
            let tx = self.conn.transaction()?;
            let mut added = 0;
            for entry in history {
                if insert_history(&tx, entry)? {
                    added += 1;
                }
            }
            for fact in cards {
                upsert_card(&tx, fact, true)?;
            }
            if let Some(day) = reader_seen {
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES ('reader_last_seen', ?1) \
                     ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)",
                    [day],
                )?;
            }
            tx.commit()?;
            Ok(added)
        })();
        result.map_err(|e| self.error(e))
    }
}

fn insert_history(conn: &Connection, entry: &HistoryEntry) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "INSERT OR IGNORE INTO history (step, eg, action, date, at, by, note, origin) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            entry.step,
            entry.eg.as_deref().unwrap_or(""),
            entry.action,
            entry.date,
            entry.at,
            entry.by,
            entry.note,
            entry.origin,
        ],
    )?;
    Ok(n == 1)
}

/// Inserts or updates a card. `merge`: the fact comes from another workstation (keep the
/// earliest first sighting and the latest of the rest).
fn upsert_card(conn: &Connection, fact: &CardFact, merge: bool) -> rusqlite::Result<bool> {
    let card = &fact.card;
    let codes = card.codes.join(",");
    let before: Option<(String, String, String, Option<String>)> = conn
        .query_row(
            "SELECT status, codes, last_seen, usable_seen FROM card_seen WHERE key = ?1",
            [&fact.key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    match before {
        None => {
            conn.execute(
                "INSERT INTO card_seen (key, kind, finess, director, status, codes, first_seen, \
                 last_seen, usable_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    fact.key,
                    card.kind,
                    card.finess,
                    card.director,
                    card.status,
                    codes,
                    card.first_seen,
                    card.last_seen,
                    card.usable_seen,
                ],
            )?;
            Ok(true)
        }
        Some((status, old_codes, last_seen, usable_seen)) => {
            if merge && last_seen >= card.last_seen {
                // Ours is as recent: keep it, only widen the dates.
                conn.execute(
                    "UPDATE card_seen SET first_seen = min(first_seen, ?2), \
                     usable_seen = max(coalesce(usable_seen, ''), coalesce(?3, '')) \
                     WHERE key = ?1",
                    params![fact.key, card.first_seen, card.usable_seen],
                )?;
                conn.execute(
                    "UPDATE card_seen SET usable_seen = NULL WHERE key = ?1 AND usable_seen = ''",
                    [&fact.key],
                )?;
                return Ok(false);
            }
            let usable = match (&card.usable_seen, &usable_seen) {
                (Some(new), Some(old)) => Some(new.max(old).clone()),
                (new, old) => new.clone().or_else(|| old.clone()),
            };
            let changed = status != card.status
                || old_codes != codes
                || last_seen != card.last_seen
                || usable != usable_seen;
            if changed {
                conn.execute(
                    "UPDATE card_seen SET kind = ?2, finess = ?3, director = ?4, status = ?5, \
                     codes = ?6, first_seen = min(first_seen, ?7), last_seen = ?8, \
                     usable_seen = ?9 WHERE key = ?1",
                    params![
                        fact.key,
                        card.kind,
                        card.finess,
                        card.director,
                        card.status,
                        codes,
                        card.first_seen,
                        card.last_seen,
                        usable,
                    ],
                )?;
            }
            Ok(changed)
        }
    }
}

/// The ticks in force in a history (oldest first): the latest entry per step and EG.
pub fn ticks_of(history: &[HistoryEntry]) -> Vec<Tick> {
    let mut latest: std::collections::BTreeMap<(String, String), &HistoryEntry> =
        std::collections::BTreeMap::new();
    for entry in history {
        let key = (entry.step.clone(), entry.eg.clone().unwrap_or_default());
        match latest.get(&key) {
            Some(old) if old.at > entry.at => {}
            _ => {
                latest.insert(key, entry);
            }
        }
    }
    latest
        .into_iter()
        .filter(|(_, e)| e.action != "untick")
        .map(|((step, eg), e)| Tick {
            step,
            eg,
            action: e.action.clone(),
            date: e.date.clone(),
            at: e.at.clone(),
            by: e.by.clone(),
            note: e.note.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests;
