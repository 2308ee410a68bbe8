//! The directory database: one SQLite file (WAL) in the user's data dir,
//! `$XDG_DATA_HOME/cpx-agent/finess.sqlite`.
//!
//! An import replaces the whole directory in ONE transaction (drop the tables, create them
//! again, insert every entry, build the link index, write the metadata, commit). Readers keep
//! seeing the previous directory until the commit; a failed or killed import never commits, so
//! the previous directory stays whole (SQLite discards the uncommitted WAL frames).

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Row};
use serde::Serialize;
use utoipa::ToSchema;

use super::entity::{Entity, EntityKind};

/// Schema version (`PRAGMA user_version`).
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS entity (
    finess TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    ej TEXT,
    name TEXT, long_name TEXT, name_complement TEXT,
    street_number TEXT, street_type TEXT, street TEXT, street_complement TEXT,
    distribution TEXT, place TEXT, commune TEXT, postal_line TEXT,
    departement TEXT, departement_name TEXT, phone TEXT, fax TEXT,
    category TEXT, category_label TEXT, category_group TEXT, category_group_label TEXT,
    legal_status TEXT, legal_status_label TEXT, siret TEXT, siren TEXT, ape TEXT,
    opened TEXT, authorised TEXT, updated TEXT, closed TEXT, state TEXT
);
CREATE INDEX IF NOT EXISTS entity_ej ON entity(ej);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS source (
    url TEXT PRIMARY KEY NOT NULL, etag TEXT, last_modified TEXT, fetched_at TEXT NOT NULL
);
";

/// Where one file of the directory was downloaded from (`finess update`), with what the
/// server said of it: the next update asks whether it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceStamp {
    pub url: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// RFC 3339, UTC.
    pub fetched_at: String,
}

const COLUMNS: &str = "finess, kind, ej, name, long_name, name_complement, street_number, \
    street_type, street, street_complement, distribution, place, commune, postal_line, \
    departement, departement_name, phone, fax, category, category_label, category_group, \
    category_group_label, legal_status, legal_status_label, siret, siren, ape, opened, \
    authorised, updated, closed, state";

const INSERT: &str = "INSERT INTO entity (finess, kind, ej, name, long_name, name_complement, \
    street_number, street_type, street, street_complement, distribution, place, commune, \
    postal_line, departement, departement_name, phone, fax, category, category_label, \
    category_group, category_group_label, legal_status, legal_status_label, siret, siren, ape, \
    opened, authorised, updated, closed, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, \
    ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, \
    ?28, ?29, ?30, ?31, ?32) ON CONFLICT(finess) DO NOTHING";

/// Where the directory lives by default: `$XDG_DATA_HOME/cpx-agent/finess.sqlite`.
pub fn default_path() -> Option<PathBuf> {
    crate::platform::data_dir().map(|d| d.join("cpx-agent").join("finess.sqlite"))
}

/// What the directory is: when the data was published and imported, from which files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DirectoryInfo {
    /// Date of the data (the extracts' manifest line, the JSON's `generatedAt`), `YYYY-MM-DD`.
    pub data_date: Option<String>,
    /// When it was imported here (RFC 3339, UTC).
    pub imported_at: String,
    /// File names imported together.
    pub files: Vec<String>,
    pub ej_count: u64,
    pub eg_count: u64,
}

impl DirectoryInfo {
    /// What the faces show of it (the snapshot's `finess_directory`).
    pub fn status(&self) -> crate::model::status::DirectoryStatus {
        crate::model::status::DirectoryStatus {
            data_date: self.data_date.clone(),
            imported_at: self.imported_at.clone(),
        }
    }
}

/// The directory, opened for reading.
pub struct Directory {
    conn: Connection,
    path: PathBuf,
    /// Read once at open: an import replaces the whole file's content, and a `Directory` is
    /// short-lived (opened per command or verdict).
    info: DirectoryInfo,
}

fn pragmas(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(())
}

impl Directory {
    /// Opens the directory at `path`; `Ok(None)` when no import ever completed there.
    pub fn open(path: &Path) -> rusqlite::Result<Option<Directory>> {
        if !path.exists() {
            return Ok(None);
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        pragmas(&conn)?;
        let has_meta: bool = conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
            [],
            |r| r.get::<_, i64>(0).map(|n| n > 0),
        )?;
        if !has_meta {
            return Ok(None);
        }
        let Some(info) = read_info(&conn)? else {
            return Ok(None);
        };
        Ok(Some(Directory {
            conn,
            path: path.to_path_buf(),
            info,
        }))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What the directory is (read at open).
    pub fn info(&self) -> rusqlite::Result<DirectoryInfo> {
        Ok(self.info.clone())
    }

    /// The entry of one number (as written in the directory: 9 characters).
    pub fn get(&self, finess: &str) -> rusqlite::Result<Option<Entity>> {
        let sql = format!("SELECT {COLUMNS} FROM entity WHERE finess = ?1");
        self.conn
            .prepare_cached(&sql)?
            .query_row([finess], entity_from_row)
            .optional()
    }

    /// The EGs attached to an EJ, by number.
    pub fn egs_of(&self, ej: &str) -> rusqlite::Result<Vec<Entity>> {
        let sql = format!("SELECT {COLUMNS} FROM entity WHERE ej = ?1 ORDER BY finess");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([ej], entity_from_row)?;
        rows.collect()
    }

    /// Where the directory's files were downloaded from (empty after a `finess import` of
    /// local files).
    pub fn sources(&self) -> rusqlite::Result<Vec<SourceStamp>> {
        let has_table: bool = self.conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'source'",
            [],
            |r| r.get::<_, i64>(0).map(|n| n > 0),
        )?;
        if !has_table {
            return Ok(Vec::new());
        }
        let mut stmt = self
            .conn
            .prepare("SELECT url, etag, last_modified, fetched_at FROM source ORDER BY url")?;
        let rows = stmt.query_map([], |r| {
            Ok(SourceStamp {
                url: r.get(0)?,
                etag: r.get(1)?,
                last_modified: r.get(2)?,
                fetched_at: r.get(3)?,
            })
        })?;
        rows.collect()
    }

    /// Every entry, ordered by number (tests compare two imports with it).
    pub fn all(&self) -> rusqlite::Result<Vec<Entity>> {
        let sql = format!("SELECT {COLUMNS} FROM entity ORDER BY finess");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], entity_from_row)?;
        rows.collect()
    }
}

/// The metadata of a completed import; `None` when no import ever completed.
fn read_info(conn: &Connection) -> rusqlite::Result<Option<DirectoryInfo>> {
    let mut stmt = conn.prepare("SELECT key, value FROM meta")?;
    let pairs = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let Some(imported_at) = get("imported_at") else {
        return Ok(None);
    };
    let count = |k: &str| get(k).and_then(|v| v.parse().ok()).unwrap_or_default();
    Ok(Some(DirectoryInfo {
        data_date: get("data_date"),
        imported_at,
        files: get("files")
            .map(|f| f.split('\n').map(str::to_string).collect())
            .unwrap_or_default(),
        ej_count: count("ej_count"),
        eg_count: count("eg_count"),
    }))
}

fn entity_from_row(r: &Row<'_>) -> rusqlite::Result<Entity> {
    let kind: String = r.get(1)?;
    Ok(Entity {
        finess: r.get(0)?,
        kind: EntityKind::from_code(&kind),
        ej: r.get(2)?,
        name: r.get(3)?,
        long_name: r.get(4)?,
        name_complement: r.get(5)?,
        street_number: r.get(6)?,
        street_type: r.get(7)?,
        street: r.get(8)?,
        street_complement: r.get(9)?,
        distribution: r.get(10)?,
        place: r.get(11)?,
        commune: r.get(12)?,
        postal_line: r.get(13)?,
        departement: r.get(14)?,
        departement_name: r.get(15)?,
        phone: r.get(16)?,
        fax: r.get(17)?,
        category: r.get(18)?,
        category_label: r.get(19)?,
        category_group: r.get(20)?,
        category_group_label: r.get(21)?,
        legal_status: r.get(22)?,
        legal_status_label: r.get(23)?,
        siret: r.get(24)?,
        siren: r.get(25)?,
        ape: r.get(26)?,
        opened: r.get(27)?,
        authorised: r.get(28)?,
        updated: r.get(29)?,
        closed: r.get(30)?,
        state: r.get(31)?,
    })
}

/// One import in progress: a write transaction that replaces the directory (tables dropped
/// and rebuilt). Dropped without
/// [`Writer::commit`], the connection closes and SQLite rolls everything back.
pub struct Writer {
    conn: Connection,
}

impl Writer {
    /// Opens (creating it and its folder if needed) the database at `path` and starts the
    /// replacing transaction.
    pub fn begin(path: &Path) -> Result<Writer, std::io::Error> {
        if let Some(parent) = path.parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)?;
            }
        }
        let conn = Connection::open(path).map_err(std::io::Error::other)?;
        Self::start(conn).map_err(std::io::Error::other)
    }

    fn start(conn: Connection) -> rusqlite::Result<Writer> {
        pragmas(&conn)?;
        conn.execute_batch("BEGIN IMMEDIATE")?;
        // The new directory is built from nothing (which also upgrades an older schema); the
        // link index is built once at the end, faster than row by row.
        conn.execute_batch(
            "DROP TABLE IF EXISTS entity; DROP TABLE IF EXISTS meta; DROP TABLE IF EXISTS source;",
        )?;
        conn.execute_batch(SCHEMA)?;
        conn.execute_batch("DROP INDEX entity_ej")?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        conn.prepare_cached(INSERT)?;
        Ok(Writer { conn })
    }

    /// Adds one entry; `false` when its number is already in this import (the first one stays).
    pub fn insert(&mut self, e: &Entity) -> rusqlite::Result<bool> {
        let kind = e.kind.map(EntityKind::code).unwrap_or("EG");
        let n = self.conn.prepare_cached(INSERT)?.execute(params![
            e.finess,
            kind,
            e.ej,
            e.name,
            e.long_name,
            e.name_complement,
            e.street_number,
            e.street_type,
            e.street,
            e.street_complement,
            e.distribution,
            e.place,
            e.commune,
            e.postal_line,
            e.departement,
            e.departement_name,
            e.phone,
            e.fax,
            e.category,
            e.category_label,
            e.category_group,
            e.category_group_label,
            e.legal_status,
            e.legal_status_label,
            e.siret,
            e.siren,
            e.ape,
            e.opened,
            e.authorised,
            e.updated,
            e.closed,
            e.state,
        ])?;
        Ok(n == 1)
    }

    /// Rebuilds the index, writes what the directory is and where its files came from, and
    /// commits: from here on readers see the new directory.
    pub fn commit(self, info: &DirectoryInfo, sources: &[SourceStamp]) -> rusqlite::Result<()> {
        self.conn
            .execute_batch("CREATE INDEX IF NOT EXISTS entity_ej ON entity(ej)")?;
        {
            let mut put = self
                .conn
                .prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")?;
            if let Some(d) = &info.data_date {
                put.execute(["data_date", d])?;
            }
            put.execute(["imported_at", &info.imported_at])?;
            put.execute(["files", &info.files.join("\n")])?;
            put.execute(["ej_count", &info.ej_count.to_string()])?;
            put.execute(["eg_count", &info.eg_count.to_string()])?;
            let mut source = self.conn.prepare(
                "INSERT OR REPLACE INTO source (url, etag, last_modified, fetched_at) \
                 VALUES (?1, ?2, ?3, ?4)",
            )?;
            for s in sources {
                source.execute(params![s.url, s.etag, s.last_modified, s.fetched_at])?;
            }
        }
        self.conn.execute_batch("COMMIT")?;
        // Best effort: fold the WAL back into the database and shrink it.
        let _ = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        Ok(())
    }
}
