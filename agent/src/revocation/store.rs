//! The CRL cache: one SQLite file (WAL) in the user's data dir,
//! `$XDG_DATA_HOME/cpx-agent/revocation.sqlite`. Per CRL address, what was last fetched (its
//! issuer, dates, number, validators for a conditional request) and how the last attempt
//! went; and the revoked serial numbers, on disk (a national CRL has hundreds of thousands:
//! never in memory). A new CRL replaces the old one in one transaction, so the judge reading
//! meanwhile sees the old one or the new one whole; an older CRL than the one kept (by its
//! thisUpdate) is refused.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use time::OffsetDateTime;

use super::crl::{Crl, CrlError};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS crl (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    issuer_cn TEXT,
    this_update INTEGER,
    next_update INTEGER,
    crl_number TEXT,
    entries INTEGER NOT NULL DEFAULT 0,
    fetched_at INTEGER,
    etag TEXT,
    last_modified TEXT,
    last_attempt INTEGER,
    last_error TEXT,
    failures INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS revoked (
    crl INTEGER NOT NULL,
    serial BLOB NOT NULL,
    revoked_at INTEGER NOT NULL,
    reason INTEGER,
    PRIMARY KEY (crl, serial)
) WITHOUT ROWID;
";

/// Where the cache lives by default: `$XDG_DATA_HOME/cpx-agent/revocation.sqlite`.
pub fn default_path() -> Option<PathBuf> {
    crate::platform::data_dir().map(|d| d.join("cpx-agent").join("revocation.sqlite"))
}

/// What the cache knows of one CRL address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrlRecord {
    pub url: String,
    /// `None` until a CRL was accepted from this address.
    pub issuer_cn: Option<String>,
    pub this_update: Option<OffsetDateTime>,
    pub next_update: Option<OffsetDateTime>,
    pub crl_number: Option<String>,
    pub entries: u64,
    /// When the server last gave (or confirmed, 304) the CRL kept.
    pub fetched_at: Option<OffsetDateTime>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub last_attempt: Option<OffsetDateTime>,
    /// Why the last attempt failed (French), `None` when it succeeded.
    pub last_error: Option<String>,
    /// Failed attempts since the last success.
    pub failures: u32,
}

impl CrlRecord {
    /// Whether a CRL was ever accepted from this address.
    pub fn has_crl(&self) -> bool {
        self.this_update.is_some()
    }
}

/// Why the cache could not be written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}", crate::text::revocation::cache_error(.0))]
    Database(#[from] rusqlite::Error),
    #[error("{}", crate::text::revocation::cache_io(.0))]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Crl(#[from] CrlError),
    /// The CRL offered is older than the one kept.
    #[error("{}", crate::text::revocation::OLDER_CRL)]
    Older,
}

fn pragmas(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // A small page cache whatever the CRL's size: memory stays flat.
    conn.pragma_update(None, "cache_size", -1024)?;
    Ok(())
}

fn secs(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

fn time_of(v: Option<i64>) -> Option<OffsetDateTime> {
    v.and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
}

const RECORD_COLUMNS: &str = "url, issuer_cn, this_update, next_update, crl_number, entries, \
    fetched_at, etag, last_modified, last_attempt, last_error, failures";

fn record_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<CrlRecord> {
    Ok(CrlRecord {
        url: r.get(0)?,
        issuer_cn: r.get(1)?,
        this_update: time_of(r.get(2)?),
        next_update: time_of(r.get(3)?),
        crl_number: r.get(4)?,
        entries: r.get::<_, i64>(5)?.try_into().unwrap_or(0),
        fetched_at: time_of(r.get(6)?),
        etag: r.get(7)?,
        last_modified: r.get(8)?,
        last_attempt: time_of(r.get(9)?),
        last_error: r.get(10)?,
        failures: r.get::<_, i64>(11)?.try_into().unwrap_or(u32::MAX),
    })
}

/// The cache opened for reading (the judge): never writes, never waits on the network.
pub struct Cache {
    conn: Connection,
}

impl Cache {
    /// Opens the cache at `path`; `Ok(None)` when there is none yet.
    pub fn open(path: &Path) -> rusqlite::Result<Option<Cache>> {
        if !path.exists() {
            return Ok(None);
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(2))?;
        let ready: i64 = conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('crl', 'revoked')",
            [],
            |r| r.get(0),
        )?;
        if ready < 2 {
            return Ok(None);
        }
        Ok(Some(Cache { conn }))
    }

    /// What the cache knows of `url`.
    pub fn record(&self, url: &str) -> rusqlite::Result<Option<CrlRecord>> {
        let sql = format!("SELECT {RECORD_COLUMNS} FROM crl WHERE url = ?1");
        self.conn
            .prepare_cached(&sql)?
            .query_row([url], record_of)
            .optional()
    }

    /// When and why `serial` (DER content bytes) was revoked, in the CRL kept for `url`.
    pub fn revoked(
        &self,
        url: &str,
        serial: &[u8],
    ) -> rusqlite::Result<Option<(OffsetDateTime, Option<u8>)>> {
        self.conn
            .prepare_cached(
                "SELECT r.revoked_at, r.reason FROM revoked r JOIN crl c ON c.id = r.crl \
                 WHERE c.url = ?1 AND r.serial = ?2",
            )?
            .query_row(params![url, serial], |r| {
                let at: i64 = r.get(0)?;
                let reason: Option<i64> = r.get(1)?;
                Ok((
                    OffsetDateTime::from_unix_timestamp(at).unwrap_or(OffsetDateTime::UNIX_EPOCH),
                    reason.and_then(|v| u8::try_from(v).ok()),
                ))
            })
            .optional()
    }
}

/// The cache opened for writing (the fetcher).
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating it and its folder if needed) the cache at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)?;
            }
        }
        let conn = Connection::open(path)?;
        pragmas(&conn)?;
        conn.execute_batch(SCHEMA)?;
        Ok(Store { conn })
    }

    /// What the cache knows of `url`.
    pub fn record(&self, url: &str) -> rusqlite::Result<Option<CrlRecord>> {
        let sql = format!("SELECT {RECORD_COLUMNS} FROM crl WHERE url = ?1");
        self.conn
            .prepare_cached(&sql)?
            .query_row([url], record_of)
            .optional()
    }

    fn ensure(&self, url: &str) -> rusqlite::Result<i64> {
        self.conn
            .execute("INSERT OR IGNORE INTO crl (url) VALUES (?1)", [url])?;
        self.conn
            .query_row("SELECT id FROM crl WHERE url = ?1", [url], |r| r.get(0))
    }

    /// An attempt failed: the CRL kept (if any) stays.
    pub fn attempt_failed(
        &self,
        url: &str,
        now: OffsetDateTime,
        error: &str,
    ) -> rusqlite::Result<()> {
        let id = self.ensure(url)?;
        self.conn.execute(
            "UPDATE crl SET last_attempt = ?2, last_error = ?3, failures = failures + 1 \
             WHERE id = ?1",
            params![id, secs(now), error],
        )?;
        Ok(())
    }

    /// The server says the CRL kept is still the current one (304).
    pub fn not_modified(&self, url: &str, now: OffsetDateTime) -> rusqlite::Result<()> {
        let id = self.ensure(url)?;
        self.conn.execute(
            "UPDATE crl SET last_attempt = ?2, fetched_at = ?2, last_error = NULL, failures = 0 \
             WHERE id = ?1",
            params![id, secs(now)],
        )?;
        Ok(())
    }

    /// Replaces what is kept for `url` by the verified `crl`, in one transaction. Returns the
    /// number of entries.
    pub fn replace(
        &mut self,
        url: &str,
        crl: &mut Crl,
        etag: Option<&str>,
        last_modified: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<u64, StoreError> {
        let id = self.ensure(url)?;
        let kept: Option<i64> =
            self.conn
                .query_row("SELECT this_update FROM crl WHERE id = ?1", [id], |r| {
                    r.get(0)
                })?;
        if kept.is_some_and(|k| secs(crl.info.this_update) < k) {
            return Err(StoreError::Older);
        }
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM revoked WHERE crl = ?1", [id])?;
        let entries = {
            let mut insert = tx.prepare(
                "INSERT OR REPLACE INTO revoked (crl, serial, revoked_at, reason) \
                 VALUES (?1, ?2, ?3, ?4)",
            )?;
            crl.for_each_revoked(|r| -> Result<(), StoreError> {
                insert.execute(params![id, r.serial, secs(r.revoked_at), r.reason])?;
                Ok(())
            })?
        };
        let info = &crl.info;
        tx.execute(
            "UPDATE crl SET issuer_cn = ?2, this_update = ?3, next_update = ?4, \
             crl_number = ?5, entries = ?6, fetched_at = ?7, etag = ?8, last_modified = ?9, \
             last_attempt = ?7, last_error = NULL, failures = 0 WHERE id = ?1",
            params![
                id,
                info.issuer_cn,
                secs(info.this_update),
                info.next_update.map(secs),
                info.crl_number,
                i64::try_from(entries).unwrap_or(i64::MAX),
                secs(now),
                etag,
                last_modified,
            ],
        )?;
        tx.commit()?;
        Ok(entries)
    }
}
