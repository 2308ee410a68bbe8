//! Fetching CRLs in the background: at most one fetch per CRL per `nextUpdate` (a failed
//! attempt is retried later, with a growing pause), a conditional request when a CRL is kept
//! (ETag, Last-Modified), bounded time and size, the body streamed to a file beside the cache;
//! then verified and stored off the async runtime. A verdict never waits for any of this.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use cpx_card::TrustStore;
use futures::StreamExt;
use reqwest::header::{CONTENT_LENGTH, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use reqwest::StatusCode;
use time::OffsetDateTime;

use super::crl::Crl;
use super::store::{CrlRecord, Store, StoreError};
use crate::text::revocation as msg;

/// Largest CRL accepted (a national CRL of 500,000 entries is about 20 MB).
pub const MAX_CRL_BYTES: u64 = 64 * 1024 * 1024;
/// Longest time for one CRL, answer and body.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(120);
/// First pause after a failed attempt; it doubles with each failure, up to `RETRY_MAX`.
pub const RETRY_MIN: Duration = Duration::from_secs(60);
pub const RETRY_MAX: Duration = Duration::from_secs(3600);
/// Shortest time between two fetches of one CRL whose nextUpdate has passed (the CA is late).
pub const LATE_CA_PAUSE: Duration = Duration::from_secs(900);
/// How long a CRL without nextUpdate is kept before it is asked for again.
pub const NO_NEXT_UPDATE_REFRESH: Duration = Duration::from_secs(24 * 3600);

/// Whether `url` should be fetched now, given what the cache knows of it.
pub fn due(record: Option<&CrlRecord>, now: OffsetDateTime) -> bool {
    let Some(r) = record else {
        return true;
    };
    let since = |t: Option<OffsetDateTime>| t.map(|t| now - t);
    if r.failures > 0 {
        let shift = r.failures.saturating_sub(1).min(16);
        let pause = RETRY_MIN.saturating_mul(1u32 << shift).min(RETRY_MAX);
        return since(r.last_attempt).is_none_or(|d| d >= pause);
    }
    if !r.has_crl() {
        return true;
    }
    match r.next_update {
        Some(next) if now < next => false,
        Some(_) => since(r.last_attempt).is_none_or(|d| d >= LATE_CA_PAUSE),
        None => since(r.fetched_at).is_none_or(|d| d >= NO_NEXT_UPDATE_REFRESH),
    }
}

/// What one fetch did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A new CRL was verified and stored, with this many entries.
    Stored(u64),
    /// The server says the CRL kept is current (304).
    NotModified,
    /// It failed; the CRL kept (if any) stays. French reason.
    Failed(String),
}

/// Fetches CRLs into the cache.
pub struct Fetcher {
    client: reqwest::Client,
    store: PathBuf,
    trust: TrustStore,
    /// Longest time for one CRL.
    pub timeout: Duration,
    /// Largest CRL.
    pub max_bytes: u64,
}

impl Fetcher {
    pub fn new(client: reqwest::Client, store: PathBuf, trust: TrustStore) -> Fetcher {
        Fetcher {
            client,
            store,
            trust,
            timeout: FETCH_TIMEOUT,
            max_bytes: MAX_CRL_BYTES,
        }
    }

    /// Fetches every one of `urls` that is due; returns what was done, per URL fetched.
    pub async fn refresh(&self, urls: &[String]) -> Vec<(String, Outcome)> {
        let mut done = Vec::new();
        for url in urls {
            let now = OffsetDateTime::now_utc();
            let record = match self.record(url).await {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!("cache des listes de révocation : {e}");
                    continue;
                }
            };
            if !due(record.as_ref(), now) {
                continue;
            }
            let outcome = self.fetch(url, record.as_ref()).await;
            match &outcome {
                Outcome::Stored(n) => {
                    tracing::info!(url = %url, entries = n, "liste de révocation mise à jour")
                }
                Outcome::NotModified => {
                    tracing::debug!(url = %url, "liste de révocation inchangée")
                }
                Outcome::Failed(why) => {
                    tracing::warn!(url = %url, "liste de révocation non obtenue : {why}")
                }
            }
            done.push((url.clone(), outcome));
        }
        done
    }

    async fn record(&self, url: &str) -> Result<Option<CrlRecord>, StoreError> {
        let (path, url) = (self.store.clone(), url.to_string());
        tokio::task::spawn_blocking(move || Ok(Store::open(&path)?.record(&url)?))
            .await
            .unwrap_or_else(|e| Err(StoreError::Io(std::io::Error::other(e.to_string()))))
    }

    /// One fetch of `url`, recorded in the cache whatever happens.
    pub async fn fetch(&self, url: &str, kept: Option<&CrlRecord>) -> Outcome {
        let result = tokio::time::timeout(self.timeout, self.download(url, kept)).await;
        let result = match result {
            Ok(r) => r,
            Err(_) => Err(msg::fetch_timeout(self.timeout.as_secs())),
        };
        let (path, url_owned) = (self.store.clone(), url.to_string());
        let trust = self.trust.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            let now = OffsetDateTime::now_utc();
            let outcome = match result {
                Ok(Download::NotModified) => Store::open(&path)
                    .and_then(|s| Ok(s.not_modified(&url_owned, now)?))
                    .map(|()| Outcome::NotModified)
                    .unwrap_or_else(|e| Outcome::Failed(e.to_string())),
                Ok(Download::Body {
                    file,
                    etag,
                    last_modified,
                }) => match ingest(&path, &url_owned, &file, &trust, etag, last_modified, now) {
                    Ok(n) => Outcome::Stored(n),
                    Err(e) => Outcome::Failed(e.to_string()),
                },
                Err(why) => Outcome::Failed(why),
            };
            if let Outcome::Failed(why) = &outcome {
                if let Err(e) =
                    Store::open(&path).and_then(|s| Ok(s.attempt_failed(&url_owned, now, why)?))
                {
                    tracing::warn!("cache des listes de révocation : {e}");
                }
            }
            outcome
        })
        .await;
        outcome.unwrap_or_else(|e| Outcome::Failed(e.to_string()))
    }

    async fn download(&self, url: &str, kept: Option<&CrlRecord>) -> Result<Download, String> {
        let mut request = self.client.get(url);
        if let Some(k) = kept.filter(|k| k.has_crl()) {
            if let Some(etag) = &k.etag {
                request = request.header(IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &k.last_modified {
                request = request.header(IF_MODIFIED_SINCE, lm);
            }
        }
        let response = request.send().await.map_err(|e| crate::net::describe(&e))?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED && kept.is_some_and(CrlRecord::has_crl) {
            return Ok(Download::NotModified);
        }
        if !status.is_success() {
            return Err(crate::text::net::status(status.as_u16()));
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
        if let Some(len) = header(CONTENT_LENGTH).and_then(|v| v.parse::<u64>().ok()) {
            if len > self.max_bytes {
                return Err(msg::too_big(self.max_bytes));
            }
        }
        let dir = self
            .store
            .parent()
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        std::fs::create_dir_all(&dir).map_err(|e| msg::crl_io(&e))?;
        let mut file = tempfile::Builder::new()
            .prefix(".crl-")
            .tempfile_in(&dir)
            .map_err(|e| msg::crl_io(&e))?;
        let mut received = 0u64;
        let mut body = response.bytes_stream();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| crate::net::describe(&e))?;
            received += chunk.len() as u64;
            if received > self.max_bytes {
                return Err(msg::too_big(self.max_bytes));
            }
            file.write_all(&chunk).map_err(|e| msg::crl_io(&e))?;
        }
        file.flush().map_err(|e| msg::crl_io(&e))?;
        Ok(Download::Body {
            file,
            etag,
            last_modified,
        })
    }
}

enum Download {
    NotModified,
    Body {
        file: tempfile::NamedTempFile,
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

/// Verifies the CRL in `file` against the issuing CA and stores it.
fn ingest(
    store: &std::path::Path,
    url: &str,
    file: &tempfile::NamedTempFile,
    trust: &TrustStore,
    etag: Option<String>,
    last_modified: Option<String>,
    now: OffsetDateTime,
) -> Result<u64, StoreError> {
    let mut crl = Crl::open(file.path())?;
    let cas = trust.ca_certificates_named(&crl.info.issuer);
    crl.verify(&cas)?;
    let mut store = Store::open(store)?;
    store.replace(
        url,
        &mut crl,
        etag.as_deref(),
        last_modified.as_deref(),
        now,
    )
}
