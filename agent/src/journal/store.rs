//! The journal's SQLite file. WAL, `synchronous = FULL`: every write is one transaction, and a
//! committed one survives a crash of the process or of the machine; an interrupted one is
//! rolled back by SQLite on the next open, so the file is never left half-written.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Row};

use super::entry::{card_key, CardEntry, JournalHolder, ReaderEntry, Sighting};
use crate::text::bench as msg;

/// Schema version (`PRAGMA user_version`).
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS card (
    card_key TEXT PRIMARY KEY NOT NULL,
    card_number TEXT, chip_serial TEXT, kind TEXT NOT NULL, family TEXT NOT NULL,
    structure_finess TEXT, structure_id TEXT, structure_role TEXT, structure_name TEXT,
    not_after TEXT, pin_tries_left INTEGER, trust TEXT, verdict TEXT NOT NULL,
    codes TEXT NOT NULL, reader TEXT NOT NULL, first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL, times_seen INTEGER NOT NULL,
    holder_id TEXT, holder_surname TEXT, holder_given_name TEXT,
    batch TEXT, batch_ok INTEGER
);
CREATE INDEX IF NOT EXISTS card_last_seen ON card(last_seen);
CREATE TABLE IF NOT EXISTS reader (
    name TEXT PRIMARY KEY NOT NULL,
    first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, model TEXT, usb_id TEXT
);
CREATE TABLE IF NOT EXISTS batch_result (
    batch TEXT NOT NULL, card_key TEXT NOT NULL, at TEXT NOT NULL, ok INTEGER NOT NULL,
    verdict TEXT NOT NULL, codes TEXT NOT NULL,
    PRIMARY KEY (batch, card_key)
);
";

const CARD_COLUMNS: &str = "card_number, chip_serial, kind, family, structure_finess, \
    structure_id, structure_role, structure_name, not_after, pin_tries_left, trust, verdict, \
    codes, reader, first_seen, last_seen, times_seen, holder_id, holder_surname, \
    holder_given_name, batch, batch_ok";

const UPSERT_CARD: &str = "INSERT INTO card (card_key, card_number, chip_serial, kind, family, \
    structure_finess, structure_id, structure_role, structure_name, not_after, pin_tries_left, \
    trust, verdict, codes, reader, first_seen, last_seen, times_seen, holder_id, holder_surname, \
    holder_given_name, batch, batch_ok) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, \
    ?12, ?13, ?14, ?15, ?16, ?16, 1, ?17, ?18, ?19, ?20, ?21) \
    ON CONFLICT(card_key) DO UPDATE SET card_number = excluded.card_number, \
    chip_serial = excluded.chip_serial, kind = excluded.kind, family = excluded.family, \
    structure_finess = excluded.structure_finess, structure_id = excluded.structure_id, \
    structure_role = coalesce(excluded.structure_role, structure_role), \
    structure_name = excluded.structure_name, not_after = excluded.not_after, \
    pin_tries_left = excluded.pin_tries_left, trust = excluded.trust, \
    verdict = excluded.verdict, codes = excluded.codes, reader = excluded.reader, \
    last_seen = excluded.last_seen, times_seen = times_seen + ?22, \
    holder_id = excluded.holder_id, holder_surname = excluded.holder_surname, \
    holder_given_name = excluded.holder_given_name, \
    batch = coalesce(excluded.batch, batch), batch_ok = coalesce(excluded.batch_ok, batch_ok)";

/// Why the journal cannot be used. French, says what to do.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("{}", msg::journal_unavailable(path, &source.to_string()))]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("{}", msg::journal_unavailable(path, &source.to_string()))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", msg::journal_no_path())]
    NoPath,
}

/// Which cards to list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Seen on or after this time (journal time, `YYYY-MM-DDT…Z`).
    pub since: Option<String>,
    /// Journal kinds (`CDE/CPE`, `CPS`, `not_cpx`…), any of them.
    pub kinds: Vec<String>,
    /// At most this many, most recently seen first.
    pub limit: Option<usize>,
}

/// What a purge removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Purged {
    pub cards: usize,
    pub readers: usize,
}

/// The journal, open.
pub struct Journal {
    conn: Connection,
    path: PathBuf,
}

impl Journal {
    /// Opens the journal at `path`, creating it (and its folder) if needed.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| JournalError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(|e| sqlite(path, e))?;
        let journal = Journal {
            conn,
            path: path.to_path_buf(),
        };
        journal.prepare().map_err(|e| sqlite(path, e))?;
        Ok(journal)
    }

    /// Opens the journal for reading; `Ok(None)` when there is none yet.
    pub fn open_existing(path: &Path) -> Result<Option<Journal>, JournalError> {
        if !path.exists() {
            return Ok(None);
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| sqlite(path, e))?;
        let journal = Journal {
            conn,
            path: path.to_path_buf(),
        };
        journal.prepare().map_err(|e| sqlite(path, e))?;
        Ok(Some(journal))
    }

    fn prepare(&self) -> rusqlite::Result<()> {
        self.conn.busy_timeout(std::time::Duration::from_secs(5))?;
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version < SCHEMA_VERSION {
            let tx = self.conn.unchecked_transaction()?;
            tx.execute_batch(SCHEMA)?;
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
            tx.commit()?;
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn fail(&self, e: rusqlite::Error) -> JournalError {
        sqlite(&self.path, e)
    }

    /// Records a reader seen at `at` (one transaction).
    pub fn record_reader(&self, name: &str, at: &str) -> Result<(), JournalError> {
        let model = crate::readers::by_name(name);
        self.conn
            .execute(
                "INSERT INTO reader (name, first_seen, last_seen, model, usb_id) \
                 VALUES (?1, ?2, ?2, ?3, ?4) ON CONFLICT(name) DO UPDATE SET \
                 last_seen = excluded.last_seen, model = excluded.model, usb_id = excluded.usb_id",
                params![
                    name,
                    at,
                    model.as_ref().map(|m| m.model.clone()),
                    model.as_ref().map(|m| m.usb_id.clone())
                ],
            )
            .map(|_| ())
            .map_err(|e| self.fail(e))
    }

    /// Records a card read (and its reader) at `at`, in one transaction. `role`: the
    /// structure's `EJ`/`EG` from the FINESS directory.
    pub fn record_card(
        &self,
        sighting: &Sighting,
        role: Option<String>,
        at: &str,
    ) -> Result<(), JournalError> {
        let write = || -> rusqlite::Result<()> {
            let tx = self.conn.unchecked_transaction()?;
            let e = sighting.entry(role, at);
            let key = card_key(&sighting.card.report);
            let codes = serde_json::to_string(&e.codes).unwrap_or_else(|_| "[]".into());
            let holder = e.holder.clone().unwrap_or(JournalHolder {
                id: None,
                surname: None,
                given_name: None,
            });
            tx.prepare_cached(UPSERT_CARD)?.execute(params![
                key,
                e.card_number,
                e.chip_serial,
                e.kind,
                e.family,
                e.structure_finess,
                e.structure_id,
                e.structure_role,
                e.structure_name,
                e.not_after,
                e.pin_tries_left,
                e.trust,
                e.verdict,
                codes,
                e.reader,
                at,
                holder.id,
                holder.surname,
                holder.given_name,
                e.batch,
                e.batch_ok,
                i64::from(sighting.insertion),
            ])?;
            if let Some((batch, ok)) = &sighting.batch {
                tx.execute(
                    "INSERT OR REPLACE INTO batch_result (batch, card_key, at, ok, verdict, codes) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![batch, key, at, ok, e.verdict, codes],
                )?;
            }
            tx.execute(
                "INSERT INTO reader (name, first_seen, last_seen, model, usb_id) \
                 VALUES (?1, ?2, ?2, ?3, ?4) ON CONFLICT(name) DO UPDATE SET \
                 last_seen = excluded.last_seen",
                params![
                    sighting.reader,
                    at,
                    crate::readers::by_name(&sighting.reader).map(|m| m.model),
                    crate::readers::by_name(&sighting.reader).map(|m| m.usb_id)
                ],
            )?;
            tx.commit()
        };
        write().map_err(|e| self.fail(e))
    }

    /// Cards seen, most recently seen first.
    pub fn cards(&self, filter: &ListFilter) -> Result<Vec<CardEntry>, JournalError> {
        let mut sql = format!("SELECT {CARD_COLUMNS} FROM card WHERE 1 = 1");
        let mut args: Vec<String> = Vec::new();
        if let Some(since) = &filter.since {
            args.push(since.clone());
            sql.push_str(&format!(" AND last_seen >= ?{}", args.len()));
        }
        if !filter.kinds.is_empty() {
            let mut marks = Vec::new();
            for k in &filter.kinds {
                args.push(k.clone());
                marks.push(format!("?{}", args.len()));
            }
            sql.push_str(&format!(" AND kind IN ({})", marks.join(", ")));
        }
        sql.push_str(" ORDER BY last_seen DESC, rowid DESC");
        if let Some(limit) = filter.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        let run = || -> rusqlite::Result<Vec<CardEntry>> {
            let mut stmt = self.conn.prepare(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), card_from_row)?;
            rows.collect()
        };
        run().map_err(|e| self.fail(e))
    }

    /// Readers seen, most recently seen first.
    pub fn readers(&self) -> Result<Vec<ReaderEntry>, JournalError> {
        let run = || -> rusqlite::Result<Vec<ReaderEntry>> {
            let mut stmt = self.conn.prepare(
                "SELECT name, first_seen, last_seen, model, usb_id FROM reader \
                 ORDER BY last_seen DESC, name",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(ReaderEntry {
                    name: r.get(0)?,
                    first_seen: r.get(1)?,
                    last_seen: r.get(2)?,
                    model: r.get(3)?,
                    usb_id: r.get(4)?,
                })
            })?;
            rows.collect()
        };
        run().map_err(|e| self.fail(e))
    }

    /// How many cards the journal holds, and when the last was seen.
    pub fn summary(&self) -> Result<(u64, Option<String>), JournalError> {
        self.conn
            .query_row("SELECT count(*), max(last_seen) FROM card", [], |r| {
                Ok((r.get::<_, i64>(0)?.max(0) as u64, r.get(1)?))
            })
            .map_err(|e| self.fail(e))
    }

    /// The card with this key, if seen.
    pub fn card(&self, key: &str) -> Result<Option<CardEntry>, JournalError> {
        let sql = format!("SELECT {CARD_COLUMNS} FROM card WHERE card_key = ?1");
        self.conn
            .query_row(&sql, [key], card_from_row)
            .optional()
            .map_err(|e| self.fail(e))
    }

    /// Forgets what was last seen before `before` (journal time), in one transaction.
    pub fn purge(&self, before: &str) -> Result<Purged, JournalError> {
        let run = || -> rusqlite::Result<Purged> {
            let tx = self.conn.unchecked_transaction()?;
            let cards = tx.execute("DELETE FROM card WHERE last_seen < ?1", [before])?;
            let readers = tx.execute("DELETE FROM reader WHERE last_seen < ?1", [before])?;
            tx.execute("DELETE FROM batch_result WHERE at < ?1", [before])?;
            tx.commit()?;
            Ok(Purged { cards, readers })
        };
        run().map_err(|e| self.fail(e))
    }

    /// SQLite's own check of the file (`ok` when sound).
    pub fn integrity(&self) -> Result<String, JournalError> {
        self.conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| self.fail(e))
    }
}

fn sqlite(path: &Path, source: rusqlite::Error) -> JournalError {
    JournalError::Sqlite {
        path: path.to_path_buf(),
        source,
    }
}

fn card_from_row(r: &Row<'_>) -> rusqlite::Result<CardEntry> {
    let codes: String = r.get(12)?;
    let holder_id: Option<String> = r.get(17)?;
    let surname: Option<String> = r.get(18)?;
    let given_name: Option<String> = r.get(19)?;
    let holder = (holder_id.is_some() || surname.is_some() || given_name.is_some()).then_some(
        JournalHolder {
            id: holder_id,
            surname,
            given_name,
        },
    );
    let batch_ok: Option<bool> = r.get(21)?;
    Ok(CardEntry {
        card_number: r.get(0)?,
        chip_serial: r.get(1)?,
        kind: r.get(2)?,
        family: r.get(3)?,
        structure_finess: r.get(4)?,
        structure_id: r.get(5)?,
        structure_role: r.get(6)?,
        structure_name: r.get(7)?,
        not_after: r.get(8)?,
        pin_tries_left: r.get(9)?,
        trust: r.get(10)?,
        verdict: r.get(11)?,
        codes: serde_json::from_str(&codes).unwrap_or_default(),
        reader: r.get(13)?,
        first_seen: r.get(14)?,
        last_seen: r.get(15)?,
        times_seen: r.get::<_, i64>(16)?.clamp(0, i64::from(u32::MAX)) as u32,
        holder,
        batch: r.get(20)?,
        batch_ok,
    })
}
