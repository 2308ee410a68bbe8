//! The directory database: one SQLite file in the user's data dir,
//! `$XDG_DATA_HOME/cpx-agent/finess.sqlite`, read-only once written.
//!
//! An import builds the new directory in a file of its own beside it (`.finess.sqlite.new-…`:
//! every entry, then the indexes, then the metadata), makes it durable (`fsync`), and renames
//! it over the old one: readers see the previous directory until that rename, then the new one
//! (one already open goes on reading the previous file). A failed or killed import never
//! renames, so the previous directory stays whole whatever happens; its half-built file is
//! removed (by the next import after a crash). The rebuild alone runs without journal and
//! without `fsync` until its end: nothing else reads or writes that file, and it counts only
//! once complete and synced. Building in a fresh file writes each page once (no journal or WAL
//! copy, no checkpoint), with both indexes built at the end (sorted, faster than row by row).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Row};
use serde::Serialize;
use utoipa::ToSchema;

use super::entity::{Entity, EntityKind};
use super::sink::ImportError;

/// Schema version (`PRAGMA user_version`). 2: the number is a unique index (built at the end
/// of an import) instead of the table's primary key; no WAL.
const SCHEMA_VERSION: i64 = 2;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS entity (
    finess TEXT NOT NULL,
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
/// Built once every entry is in: the lookups by number and by EJ.
const INDEXES: &str = "
CREATE UNIQUE INDEX IF NOT EXISTS entity_finess ON entity(finess);
CREATE INDEX IF NOT EXISTS entity_ej ON entity(ej);
";

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
    ?28, ?29, ?30, ?31, ?32)";

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

/// Page cache of the connection that builds a new directory (the index sorts use it too):
/// enough for the indexes of a national file, well under the import's memory budget.
const BUILD_CACHE_KIB: i64 = 16 * 1024;

/// A half-built directory older than this is left over from a crash: the next import removes
/// it (an import in progress writes to its file all the time).
const STALE_BUILD: Duration = Duration::from_secs(3600);

/// A reader never writes (an older directory in WAL mode is still read through its WAL).
fn pragmas(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
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

/// One import in progress: a new directory being built in its own file beside the old one.
/// Dropped without [`Writer::commit`], its file is removed and the old directory stays.
pub struct Writer {
    conn: Option<Connection>,
    /// The file being built.
    building: PathBuf,
    /// The directory it replaces on commit.
    path: PathBuf,
    /// Numbers already in (the first entry of a number stays): checked here, so that the
    /// table has no index to maintain row by row.
    seen: HashSet<[u8; 9]>,
    /// Numbers that are not 9 bytes (never, from the importers; kept apart to stay exact).
    seen_other: HashSet<String>,
}

/// The name of the file a new directory is built in: `.finess.sqlite.new-<pid>-<nanos>`.
fn building_prefix(path: &Path) -> String {
    let name = path.file_name().map_or_else(
        || "finess.sqlite".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    format!(".{name}.new-")
}

/// Removes half-built directories left over by an import that crashed (older than
/// [`STALE_BUILD`]).
fn remove_stale_builds(path: &Path) {
    let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return;
    };
    let prefix = building_prefix(path);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry.file_name().to_string_lossy().starts_with(&prefix)
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| SystemTime::now().duration_since(t).ok())
                .is_some_and(|age| age > STALE_BUILD);
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

impl Writer {
    /// Starts building a new directory for `path` (creating its folder if needed), in a file
    /// of its own beside it.
    pub fn begin(path: &Path) -> Result<Writer, std::io::Error> {
        if let Some(parent) = path.parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)?;
            }
        }
        remove_stale_builds(path);
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let building = path.with_file_name(format!(
            "{}{}-{nanos}",
            building_prefix(path),
            std::process::id()
        ));
        let _ = std::fs::remove_file(&building);
        let conn = Connection::open(&building).map_err(std::io::Error::other)?;
        let mut writer = Writer {
            conn: Some(conn),
            building,
            path: path.to_path_buf(),
            seen: HashSet::new(),
            seen_other: HashSet::new(),
        };
        writer.start().map_err(std::io::Error::other)?;
        Ok(writer)
    }

    fn conn(&self) -> rusqlite::Result<&Connection> {
        self.conn.as_ref().ok_or(rusqlite::Error::InvalidQuery)
    }

    fn start(&mut self) -> rusqlite::Result<()> {
        let conn = self.conn()?;
        // Nobody else opens this file, and it counts only once synced and renamed: no journal,
        // no fsync while building.
        conn.pragma_update(None, "journal_mode", "OFF")?;
        conn.pragma_update(None, "synchronous", "OFF")?;
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
        conn.pragma_update(None, "cache_size", -BUILD_CACHE_KIB)?;
        conn.execute_batch(SCHEMA)?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        conn.execute_batch("BEGIN")?;
        conn.prepare_cached(INSERT)?;
        Ok(())
    }

    /// Adds one entry; `false` when its number is already in this import (the first one stays).
    pub fn insert(&mut self, e: &Entity) -> rusqlite::Result<bool> {
        let first = match <[u8; 9]>::try_from(e.finess.as_bytes()) {
            Ok(key) => self.seen.insert(key),
            Err(_) => self.seen_other.insert(e.finess.clone()),
        };
        if !first {
            return Ok(false);
        }
        let kind = e.kind.map(EntityKind::code).unwrap_or("EG");
        self.conn()?.prepare_cached(INSERT)?.execute(params![
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
        Ok(true)
    }

    /// Builds the indexes, writes what the directory is, makes the new file durable and puts it
    /// in place of the old one: from here on readers see the new directory.
    pub fn commit(
        mut self,
        info: &DirectoryInfo,
        sources: &[SourceStamp],
    ) -> Result<(), ImportError> {
        {
            let conn = self.conn()?;
            conn.execute_batch(INDEXES)?;
            let mut put =
                conn.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")?;
            if let Some(d) = &info.data_date {
                put.execute(["data_date", d])?;
            }
            put.execute(["imported_at", &info.imported_at])?;
            put.execute(["files", &info.files.join("\n")])?;
            put.execute(["ej_count", &info.ej_count.to_string()])?;
            put.execute(["eg_count", &info.eg_count.to_string()])?;
            let mut source = conn.prepare(
                "INSERT OR REPLACE INTO source (url, etag, last_modified, fetched_at) \
                 VALUES (?1, ?2, ?3, ?4)",
            )?;
            for s in sources {
                source.execute(params![s.url, s.etag, s.last_modified, s.fetched_at])?;
            }
            drop(put);
            drop(source);
            conn.execute_batch("COMMIT")?;
        }
        if let Some(conn) = self.conn.take() {
            conn.close().map_err(|(_, e)| e)?;
        }
        self.put_in_place()
            .map_err(|e| ImportError::Io(self.path.display().to_string(), e))
    }

    /// fsync the new file, rename it over the old directory, fsync the folder.
    fn put_in_place(&self) -> std::io::Result<()> {
        std::fs::File::open(&self.building)?.sync_all()?;
        // What an older directory left beside it (its WAL) must not be read with the new one.
        for suffix in ["-wal", "-shm", "-journal"] {
            let mut side = self.path.clone().into_os_string();
            side.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(side));
        }
        // Windows refuses to replace a file another process has open: a reader closes its
        // directory within moments, try again for a while.
        let mut tries = 0;
        loop {
            match std::fs::rename(&self.building, &self.path) {
                Ok(()) => break,
                Err(e) if tries < 50 && e.kind() == std::io::ErrorKind::PermissionDenied => {
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => return Err(e),
            }
        }
        // The rename itself, durable (where folders can be synced).
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(())
    }
}

impl Drop for Writer {
    /// Not committed (or failed while committing): the half-built file goes.
    fn drop(&mut self) {
        drop(self.conn.take());
        let _ = std::fs::remove_file(&self.building);
    }
}
