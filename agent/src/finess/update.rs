//! `finess update`: the current national extracts found through the data.gouv.fr dataset API
//! (the FINESS+ JSON « structures » dataset first, the legacy CSV extracts while they exist),
//! downloaded over HTTPS (rustls, `crate::net`), skipped when unchanged (ETag, Last-Modified
//! kept with the directory), checked against the size and checksum data.gouv.fr publishes,
//! then imported exactly as `finess import` does (`import::import_with`): one transaction, so
//! a failed, refused or interrupted update leaves the previous directory whole. Downloads go
//! to a temporary folder beside the database, removed whatever happens.
//!
//! The dataset API (`GET {api}/datasets/{slug}/`) answers an object whose `resources` list the
//! files: `title`, `url`, `format`, `last_modified`, `filesize`, `checksum {type, value}`. The
//! FINESS+ dataset (`finess-structures-1`) publishes a daily file
//! `finess-structures-journalier-YYYYMMDD.json.gz` (and monthly, yearly snapshots); the legacy
//! datasets (`finess-extraction-du-fichier-des-etablissements` for the EGs,
//! `finess-extraction-des-entites-juridiques` for the EJs) `etalab-cs11005xx-stock-*.csv`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use reqwest::header::{CONTENT_LENGTH, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

use super::import::{self, ImportError, ImportOptions, ImportSummary};
use super::store::{Directory, SourceStamp};
use crate::text::finess as msg;

/// The FINESS+ « structures » dataset.
pub const DATASET_STRUCTURES: &str = "finess-structures-1";
/// The legacy CSV extracts: establishments (EG) and legal entities (EJ).
pub const DATASET_LEGACY_EG: &str = "finess-extraction-du-fichier-des-etablissements";
pub const DATASET_LEGACY_EJ: &str = "finess-extraction-des-entites-juridiques";
/// Largest file downloaded (the national JSON is about 50 MB gzipped, 700 MB plain).
pub const MAX_DOWNLOAD_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// Largest dataset description read.
const MAX_API_BYTES: usize = 8 * 1024 * 1024;

/// What an update did.
#[derive(Debug, Clone, Serialize)]
pub struct UpdateSummary {
    /// `updated` (a new directory was imported) or `unchanged` (nothing new published).
    pub outcome: Outcome,
    /// The API root or the file address used.
    pub source: String,
    pub files: Vec<Fetched>,
    /// The import, when there was one (as `finess import --json` prints it).
    pub import: Option<ImportSummary>,
    pub seconds: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Updated,
    Unchanged,
}

/// One file of the update.
#[derive(Debug, Clone, Serialize)]
pub struct Fetched {
    pub url: String,
    pub name: String,
    /// Bytes downloaded (0 when the server said it had not changed).
    pub bytes: u64,
    pub not_modified: bool,
}

/// Why an update did not replace the directory (the previous one is whole).
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("{0}")]
    Api(String),
    #[error("{}", msg::UPDATE_NO_RESOURCE)]
    NoResource,
    #[error("{0}")]
    Download(String),
    #[error("{}", msg::update_io(.0))]
    Io(#[from] std::io::Error),
    /// Another update of the same directory is under way.
    #[error("{}", msg::UPDATE_BUSY)]
    Busy,
    #[error("{}", msg::update_refused(.0))]
    Import(#[from] ImportError),
}

/// A dataset as the data.gouv.fr API describes it (the fields used).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Dataset {
    #[serde(default)]
    pub resources: Vec<Resource>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Resource {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default)]
    pub last_modified: Option<String>,
    #[serde(default)]
    pub filesize: Option<u64>,
    #[serde(default)]
    pub checksum: Option<Checksum>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Checksum {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

/// One file to download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub url: String,
    pub name: String,
    pub filesize: Option<u64>,
    /// `(type, hex value)`, e.g. `("sha1", "…")`.
    pub checksum: Option<(String, String)>,
}

/// The last path segment of an address, without its query (`…/x.csv?a=1` → `x.csv`).
fn file_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/').next().unwrap_or(path).to_string()
}

/// A name safe for a file in the temporary folder.
fn safe_name(name: &str, index: usize) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    if cleaned.is_empty() || cleaned.starts_with('.') {
        format!("finess-{index}")
    } else {
        cleaned
    }
}

/// Whether `source` is one extract's address rather than an API root.
pub fn is_file_address(source: &str) -> bool {
    let name = file_name(source).to_ascii_lowercase();
    [".json", ".json.gz", ".gz", ".csv"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// `YYYYMMDD` after `prefix` in `name`, when `name` is `prefix` + 8 digits + `…suffix`.
fn dated(name: &str, prefix: &str, suffixes: &[&str]) -> Option<String> {
    let rest = name.strip_prefix(prefix)?;
    let date = rest.get(..8)?;
    let tail = &rest[8..];
    (date.bytes().all(|b| b.is_ascii_digit()) && suffixes.iter().any(|s| tail.ends_with(s)))
        .then(|| date.to_string())
}

fn planned(r: &Resource, url: &str) -> Planned {
    Planned {
        url: url.to_string(),
        name: file_name(url),
        filesize: r.filesize.filter(|n| *n > 0),
        checksum: r
            .checksum
            .as_ref()
            .map(|c| (c.kind.to_ascii_lowercase(), c.value.to_ascii_lowercase())),
    }
}

/// The FINESS+ structures file to use: the latest daily one, else the latest JSON named
/// « structures ».
pub fn pick_structures(dataset: &Dataset) -> Option<Planned> {
    const DAILY: &str = "finess-structures-journalier-";
    let names = |r: &Resource| -> Vec<String> {
        [r.title.clone(), r.url.as_deref().map(file_name)]
            .into_iter()
            .flatten()
            .map(|n| n.to_ascii_lowercase())
            .collect()
    };
    let daily = dataset
        .resources
        .iter()
        .filter_map(|r| {
            let url = r.url.as_deref()?;
            let date = names(r)
                .iter()
                .find_map(|n| dated(n, DAILY, &[".json", ".json.gz"]))?;
            Some((date, planned(r, url)))
        })
        .max_by(|a, b| a.0.cmp(&b.0));
    if let Some((_, p)) = daily {
        return Some(p);
    }
    dataset
        .resources
        .iter()
        .filter_map(|r| {
            let url = r.url.as_deref()?;
            let json = names(r).iter().any(|n| {
                n.contains("structures") && (n.ends_with(".json") || n.ends_with(".json.gz"))
            });
            json.then(|| (r.last_modified.clone().unwrap_or_default(), planned(r, url)))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, p)| p)
}

/// The latest legacy CSV extract among `prefixes` (in order of preference).
pub fn pick_legacy(dataset: &Dataset, prefixes: &[&str]) -> Option<Planned> {
    for prefix in prefixes {
        let found = dataset
            .resources
            .iter()
            .filter_map(|r| {
                let url = r.url.as_deref()?;
                let name = file_name(url).to_ascii_lowercase();
                let date = dated(&name, prefix, &[".csv"])?;
                Some((date, planned(r, url)))
            })
            .max_by(|a, b| a.0.cmp(&b.0));
        if let Some((_, p)) = found {
            return Some(p);
        }
    }
    None
}

async fn dataset(client: &reqwest::Client, api: &str, slug: &str) -> Result<Dataset, String> {
    let url = format!("{}/datasets/{slug}/", api.trim_end_matches('/'));
    let response = client
        .get(&url)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| msg::update_api(&url, &crate::net::describe(&e)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(msg::update_api(
            &url,
            &crate::text::net::status(status.as_u16()),
        ));
    }
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| msg::update_api(&url, &crate::net::describe(&e)))?;
        body.extend_from_slice(&chunk);
        if body.len() > MAX_API_BYTES {
            return Err(msg::update_api(&url, "réponse trop grande"));
        }
    }
    serde_json::from_slice(&body).map_err(|e| msg::update_api(&url, &e.to_string()))
}

/// The files of the current directory, found through the API at `api`: FINESS+ JSON first,
/// else the legacy EJ and EG extracts.
pub async fn discover(client: &reqwest::Client, api: &str) -> Result<Vec<Planned>, UpdateError> {
    let structures = dataset(client, api, DATASET_STRUCTURES).await;
    if let Some(p) = structures.as_ref().ok().and_then(pick_structures) {
        return Ok(vec![p]);
    }
    let eg = dataset(client, api, DATASET_LEGACY_EG).await;
    let ej = dataset(client, api, DATASET_LEGACY_EJ).await;
    let eg_file = eg
        .as_ref()
        .ok()
        .and_then(|d| pick_legacy(d, &["etalab-cs1100507-stock-", "etalab-cs1100502-stock-"]));
    let ej_file = ej
        .as_ref()
        .ok()
        .and_then(|d| pick_legacy(d, &["etalab-cs1100501-stock-"]));
    match (ej_file, eg_file) {
        (Some(ej), Some(eg)) => Ok(vec![ej, eg]),
        _ => match (structures, eg, ej) {
            // Nothing could be read at all: say why (the first error).
            (Err(e), Err(_), Err(_)) => Err(UpdateError::Api(e)),
            _ => Err(UpdateError::NoResource),
        },
    }
}

/// How a download ended.
enum Got {
    NotModified,
    File {
        path: PathBuf,
        bytes: u64,
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

/// Streams `planned` into `dir`, conditionally on `stamp` when given.
async fn download(
    client: &reqwest::Client,
    planned: &Planned,
    stamp: Option<&SourceStamp>,
    dir: &Path,
    index: usize,
    show_progress: bool,
) -> Result<Got, UpdateError> {
    let url = &planned.url;
    let failed = |why: String| UpdateError::Download(msg::download_failed(url, &why));
    let mut request = client.get(url);
    if let Some(s) = stamp {
        if let Some(e) = &s.etag {
            request = request.header(IF_NONE_MATCH, e);
        }
        if let Some(l) = &s.last_modified {
            request = request.header(IF_MODIFIED_SINCE, l);
        }
    }
    let response = request
        .send()
        .await
        .map_err(|e| failed(crate::net::describe(&e)))?;
    let status = response.status();
    if status == StatusCode::NOT_MODIFIED && stamp.is_some() {
        return Ok(Got::NotModified);
    }
    if !status.is_success() {
        return Err(failed(crate::text::net::status(status.as_u16())));
    }
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
            .map(str::to_string)
    };
    let etag = header(ETAG);
    let last_modified = header(LAST_MODIFIED);
    let length = header(CONTENT_LENGTH).and_then(|v| v.parse::<u64>().ok());
    if length.is_some_and(|n| n > MAX_DOWNLOAD_BYTES) {
        return Err(UpdateError::Download(msg::download_too_big(
            url,
            MAX_DOWNLOAD_BYTES,
        )));
    }
    let path = dir.join(safe_name(&planned.name, index));
    let mut file = std::fs::File::create(&path)?;
    let bar = (show_progress).then(|| {
        let bar = ProgressBar::new(length.or(planned.filesize).unwrap_or(0));
        if let Ok(style) = ProgressStyle::with_template(msg::DOWNLOAD_TEMPLATE) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(msg::downloading(&planned.name));
        bar
    });
    let mut sha1 = ring::digest::Context::new(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY);
    let mut sha256 = ring::digest::Context::new(&ring::digest::SHA256);
    let mut bytes = 0u64;
    let mut stream = response.bytes_stream();
    let result = async {
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| failed(crate::net::describe(&e)))?;
            bytes += chunk.len() as u64;
            if bytes > MAX_DOWNLOAD_BYTES {
                return Err(UpdateError::Download(msg::download_too_big(
                    url,
                    MAX_DOWNLOAD_BYTES,
                )));
            }
            sha1.update(&chunk);
            sha256.update(&chunk);
            file.write_all(&chunk)?;
            if let Some(bar) = &bar {
                bar.set_position(bytes);
            }
        }
        file.flush()?;
        Ok(())
    }
    .await;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    result?;
    if let Some(expected) = planned.filesize {
        if expected != bytes {
            return Err(UpdateError::Download(msg::download_incomplete(
                url, bytes, expected,
            )));
        }
    }
    if let Some((kind, value)) = &planned.checksum {
        let actual = match kind.as_str() {
            "sha1" => Some(hex::encode(sha1.finish())),
            "sha256" => Some(hex::encode(sha256.finish())),
            // md5 and others: not checked (the size and the import's own checks remain).
            _ => None,
        };
        if actual.is_some_and(|a| a != *value) {
            return Err(UpdateError::Download(msg::download_checksum(url, kind)));
        }
    }
    Ok(Got::File {
        path,
        bytes,
        etag,
        last_modified,
    })
}

/// What `update` needs.
pub struct UpdateOptions<'a> {
    /// The data.gouv.fr API root, or one extract's address.
    pub source: &'a str,
    pub db: &'a Path,
    pub show_progress: bool,
}

/// Runs one update; the previous directory is whole unless `Ok(Updated)`.
pub async fn update(
    client: &reqwest::Client,
    options: &UpdateOptions<'_>,
) -> Result<UpdateSummary, UpdateError> {
    let started = Instant::now();
    let plan = if is_file_address(options.source) {
        vec![Planned {
            url: options.source.to_string(),
            name: file_name(options.source),
            filesize: None,
            checksum: None,
        }]
    } else {
        discover(client, options.source).await?
    };
    // What the current directory is: its sources (for conditional requests) and its size.
    let (stamps, current) = match Directory::open(options.db) {
        Ok(Some(d)) => {
            let count = d.info().map(|i| i.ej_count + i.eg_count).unwrap_or(0);
            (d.sources().unwrap_or_default(), count)
        }
        _ => (Vec::new(), 0),
    };
    let folder = options
        .db
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&folder)?;
    // One update at a time per folder; holding the lock, what an earlier update left (killed
    // mid-way) can go.
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(folder.join(".finess-update.lock"))?;
    if fs4::FileExt::try_lock(&lock).is_err() {
        return Err(UpdateError::Busy);
    }
    remove_leftovers(&folder);
    let temp = tempfile::Builder::new()
        .prefix(".finess-update-")
        .tempdir_in(&folder)?;
    let stamp_of = |url: &str| stamps.iter().find(|s| s.url == url);
    let mut got = Vec::with_capacity(plan.len());
    for (i, p) in plan.iter().enumerate() {
        got.push(
            download(
                client,
                p,
                stamp_of(&p.url),
                temp.path(),
                i,
                options.show_progress,
            )
            .await?,
        );
    }
    let mut files = Vec::new();
    if got.iter().all(|g| matches!(g, Got::NotModified)) {
        for p in &plan {
            files.push(Fetched {
                url: p.url.clone(),
                name: p.name.clone(),
                bytes: 0,
                not_modified: true,
            });
        }
        return Ok(UpdateSummary {
            outcome: Outcome::Unchanged,
            source: options.source.to_string(),
            files,
            import: None,
            seconds: started.elapsed().as_secs_f64(),
        });
    }
    // One of several changed: the others are needed whole too (the files of one import make
    // the directory).
    let now = now_rfc3339();
    let mut paths = Vec::with_capacity(plan.len());
    let mut sources = Vec::with_capacity(plan.len());
    for (i, (p, g)) in plan.iter().zip(got).enumerate() {
        let g = match g {
            Got::NotModified => {
                download(client, p, None, temp.path(), i, options.show_progress).await?
            }
            file => file,
        };
        if let Got::File {
            path,
            bytes,
            etag,
            last_modified,
        } = g
        {
            paths.push(path);
            sources.push(SourceStamp {
                url: p.url.clone(),
                etag,
                last_modified,
                fetched_at: now.clone(),
            });
            files.push(Fetched {
                url: p.url.clone(),
                name: p.name.clone(),
                bytes,
                not_modified: false,
            });
        }
    }
    let import_options = ImportOptions {
        show_progress: options.show_progress,
        min_entities: current / 2,
        sources,
    };
    let db = options.db.to_path_buf();
    let summary =
        tokio::task::spawn_blocking(move || import::import_with(&paths, &db, &import_options))
            .await
            .map_err(|e| UpdateError::Io(std::io::Error::other(e.to_string())))??;
    drop(temp);
    drop(lock);
    Ok(UpdateSummary {
        outcome: Outcome::Updated,
        source: options.source.to_string(),
        files,
        import: Some(summary),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Temporary folders left by an update that was killed (called with the update lock held:
/// none is in use).
fn remove_leftovers(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir
            && entry
                .file_name()
                .to_string_lossy()
                .starts_with(".finess-update-")
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Whether progress bars are worth drawing.
pub fn terminal() -> bool {
    std::io::stderr().is_terminal()
}

#[cfg(test)]
mod tests;
