//! The organisation's configuration (TOML): its RPPS+ contract (mode, EJ, EGs), the checks'
//! settings, the local API and the FINESS directory. Parsed then validated once, at start: a
//! `Config` only holds valid values, and every refusal names the key and says how to fix it.
//!
//! ```toml
//! [contract]
//! mode = "centralised"          # or "decentralised"
//! ej = "750712184"              # FINESS of the legal entity
//! egs = ["750100125"]           # FINESS of the sites concerned
//! [checks]
//! expiry_warning_days = 30
//! accept_test_cards = false
//! extra_trust_anchors = []      # PEM files of further test roots
//! [api]
//! listen = "127.0.0.1:8787"     # optional: without it, the first free port from 8787
//! allowed_origins = []
//! [finess]
//! db = "/var/lib/cpx-agent/finess.sqlite"   # optional
//! auto_update = false           # the daemon updates the directory by itself, at most daily
//! source = "https://www.data.gouv.fr/api/1/"  # where updates come from
//! [network]
//! offline = false               # true: nothing is ever fetched (CRLs, FINESS updates)
//! ca_files = []                 # PEM files of further CAs trusted for HTTPS (proxies…)
//! [notifications]               # the tray's desktop notifications, on/off per kind
//! enabled = true
//! card_read = true
//! card_not_ready = true
//! pcsc = true
//! card_expiring = true
//! ```

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use cpx_card::{Finess, FinessKey, TrustStore};
use serde::Deserialize;

pub use crate::model::contract::{Contract, ContractMode};
use crate::text::config as msg;

/// Default `[checks] expiry_warning_days`.
pub const DEFAULT_EXPIRY_WARNING_DAYS: u32 = 30;
/// Above this, `expiry_warning_days` is surely a typo (ten years).
const MAX_EXPIRY_WARNING_DAYS: u32 = 3650;

/// A further test trust anchor (`checks.extra_trust_anchors`), read at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustAnchorFile {
    /// The path as resolved (relative paths are relative to the config file's directory).
    pub path: PathBuf,
    /// The file's bytes (PEM or DER).
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checks {
    /// Warn when the card expires within this many days.
    pub expiry_warning_days: u32,
    /// Are test PKI cards (ANS test kits) acceptable?
    pub accept_test_cards: bool,
    pub extra_trust_anchors: Vec<TrustAnchorFile>,
}

impl Default for Checks {
    fn default() -> Self {
        Self {
            expiry_warning_days: DEFAULT_EXPIRY_WARNING_DAYS,
            accept_test_cards: false,
            extra_trust_anchors: Vec::new(),
        }
    }
}

/// `[api]`: the local API (loopback only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiConfig {
    /// The configured address (its port is held on both loopback families); `None`: the
    /// automatic rule, the first free port from 8787 (see `api::listen`).
    pub listen: Option<SocketAddr>,
    /// Origins allowed by CORS, exact match (`https://intranet.example.fr`).
    pub allowed_origins: Vec<String>,
}

/// Default `[finess] source`: the data.gouv.fr API (datasets are read under it).
pub const DEFAULT_FINESS_SOURCE: &str = "https://www.data.gouv.fr/api/1/";

/// `[finess]`: the local FINESS directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinessConfig {
    /// Directory database; `None` = the default in the XDG data dir.
    pub db: Option<PathBuf>,
    /// Contact for FINESS anomalies, overriding the one derived from the région.
    pub ars_contact: Option<String>,
    /// The daemon updates the directory by itself (at most daily, never during a read).
    pub auto_update: bool,
    /// Where updates come from: the data.gouv.fr API root (its FINESS datasets are read
    /// under it), or one extract's own address (`.json`, `.json.gz`, `.csv`).
    pub source: String,
}

impl Default for FinessConfig {
    fn default() -> Self {
        Self {
            db: None,
            ars_contact: None,
            auto_update: false,
            source: DEFAULT_FINESS_SOURCE.to_string(),
        }
    }
}

/// A CA certificate file trusted for HTTPS (`network.ca_files`), read at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaFile {
    pub path: PathBuf,
    /// The file's bytes (PEM).
    pub pem: Vec<u8>,
}

/// `[network]`: what the agent fetches (CRLs, FINESS updates). Proxies come from the
/// environment (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkConfig {
    /// Nothing is ever fetched: revocation stays unknown (« hors ligne »), FINESS updates are
    /// refused.
    pub offline: bool,
    /// Further CAs trusted for HTTPS, besides the system's (an inspecting proxy's, a mirror's).
    pub ca_files: Vec<CaFile>,
}

/// `[notifications]`: the desktop notifications the tray sends, on or off per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotificationsConfig {
    /// All of them (`false`: none, whatever the kinds say).
    pub enabled: bool,
    /// A card read: its kind and verdict in one line.
    pub card_read: bool,
    /// A card not ready or unreadable: its first reason.
    pub card_not_ready: bool,
    /// The PC/SC service lost, and back.
    pub pcsc: bool,
    /// A card expiring within `[checks] expiry_warning_days` (once a day at most).
    pub card_expiring: bool,
}

impl Default for NotificationsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            card_read: true,
            card_not_ready: true,
            pcsc: true,
            card_expiring: true,
        }
    }
}

/// Default `[journal] keep_days`.
pub const DEFAULT_JOURNAL_KEEP_DAYS: u32 = 365;

/// `[journal]`: the journal of readers and cards seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalConfig {
    /// Entries last seen longer ago than this are forgotten.
    pub keep_days: u32,
    /// Journal database; `None` = the default in the XDG data dir.
    pub db: Option<PathBuf>,
}

impl Default for JournalConfig {
    fn default() -> Self {
        Self {
            keep_days: DEFAULT_JOURNAL_KEEP_DAYS,
            db: None,
        }
    }
}

/// A validated configuration. `Config::default()` is "no config file": no contract.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// `None` when no contract is configured: the contract findings say so.
    pub contract: Option<Contract>,
    pub checks: Checks,
    pub api: ApiConfig,
    pub finess: FinessConfig,
    pub notifications: NotificationsConfig,
    pub journal: JournalConfig,
    pub network: NetworkConfig,
    /// The file this came from, if any.
    pub source: Option<PathBuf>,
}

/// Why a configuration is refused. Messages are French, name the key and say the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{}", msg::not_found(path))]
    NotFound { path: PathBuf },
    #[error("{}", msg::unreadable(path, detail))]
    Unreadable { path: PathBuf, detail: String },
    #[error("{}", msg::syntax(path.as_deref(), *line, table.as_deref(), detail))]
    Syntax {
        path: Option<PathBuf>,
        line: Option<usize>,
        /// The table the error is in (`contract`), when known.
        table: Option<String>,
        detail: String,
    },
    #[error("{}", msg::invalid(path.as_deref(), key, problem, fix))]
    Invalid {
        path: Option<PathBuf>,
        /// The offending key, dotted (`contract.egs[1]`).
        key: String,
        problem: String,
        fix: String,
    },
}

impl ConfigError {
    /// The offending key, when the error is about one.
    pub fn key(&self) -> Option<&str> {
        match self {
            Self::Invalid { key, .. } => Some(key),
            _ => None,
        }
    }
}

// ----- raw TOML shape ------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    contract: Option<RawContract>,
    #[serde(default)]
    checks: RawChecks,
    #[serde(default)]
    api: RawApi,
    #[serde(default)]
    finess: RawFiness,
    #[serde(default)]
    notifications: NotificationsConfig,
    #[serde(default)]
    journal: RawJournal,
    #[serde(default)]
    network: RawNetwork,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawJournal {
    keep_days: u32,
    db: Option<PathBuf>,
}

impl Default for RawJournal {
    fn default() -> Self {
        Self {
            keep_days: DEFAULT_JOURNAL_KEEP_DAYS,
            db: None,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContract {
    mode: Option<String>,
    ej: Option<String>,
    #[serde(default)]
    egs: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawChecks {
    expiry_warning_days: u32,
    accept_test_cards: bool,
    extra_trust_anchors: Vec<PathBuf>,
}

impl Default for RawChecks {
    fn default() -> Self {
        Self {
            expiry_warning_days: DEFAULT_EXPIRY_WARNING_DAYS,
            accept_test_cards: false,
            extra_trust_anchors: Vec::new(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawApi {
    listen: Option<String>,
    allowed_origins: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawFiness {
    db: Option<PathBuf>,
    ars_contact: Option<String>,
    auto_update: bool,
    source: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawNetwork {
    offline: bool,
    ca_files: Vec<PathBuf>,
}

// ----- loading -------------------------------------------------------------------------------

impl Config {
    /// `$XDG_CONFIG_HOME/cpx-agent/config.toml` (or the OS equivalent).
    pub fn default_path() -> Option<PathBuf> {
        crate::platform::user_config_file()
    }

    /// Loads the configuration: `explicit` (`--config`) must exist; without it, the user's
    /// file is read when present, else the organisation-wide default
    /// (`/etc/cpx-agent/config.toml` on Linux) when present, else the result is
    /// `Config::default()` (no contract).
    pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        Self::load_from(
            explicit,
            Self::default_path().as_deref(),
            crate::platform::system_config_file().as_deref(),
        )
    }

    /// `load` with the user's and the organisation's paths given: the first that applies wins
    /// (the user's file replaces the organisation's whole, nothing is merged).
    pub fn load_from(
        explicit: Option<&Path>,
        user: Option<&Path>,
        organisation: Option<&Path>,
    ) -> Result<Config, ConfigError> {
        if let Some(path) = explicit {
            return Self::load_file(path);
        }
        match [user, organisation]
            .into_iter()
            .flatten()
            .find(|p| p.exists())
        {
            Some(path) => Self::load_file(path),
            None => Ok(Config::default()),
        }
    }

    /// Reads and validates one file.
    pub fn load_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                ConfigError::NotFound {
                    path: path.to_path_buf(),
                }
            } else {
                ConfigError::Unreadable {
                    path: path.to_path_buf(),
                    detail: e.to_string(),
                }
            }
        })?;
        Self::from_toml_str(&text, Some(path))
    }

    /// Parses and validates TOML text; `path` is used in messages and to resolve relative
    /// trust anchor paths.
    pub fn from_toml_str(text: &str, path: Option<&Path>) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            ConfigError::Syntax {
                path: path.map(Path::to_path_buf),
                line,
                table: line.and_then(|l| enclosing_table(text, l)),
                detail: e.message().trim().to_string(),
            }
        })?;
        Validator { path }.validate(raw)
    }

    /// The embedded IGC-Santé CAs plus `checks.extra_trust_anchors` (as test anchors).
    pub fn trust_store(&self) -> TrustStore {
        let mut store = TrustStore::builtin();
        for anchor in &self.checks.extra_trust_anchors {
            // Decoded once already when the configuration was validated.
            if let Err(e) = store.add_test_anchor_pem(&anchor.bytes) {
                tracing::warn!(path = %anchor.path.display(), error = %e, "trust anchor skipped");
            }
        }
        store
    }

    /// The contract mode, if a contract is configured.
    pub fn contract_mode(&self) -> Option<ContractMode> {
        self.contract.as_ref().map(|c| c.mode)
    }
}

/// The `[table]` header in force at 1-based `line` of `text`.
fn enclosing_table(text: &str, line: usize) -> Option<String> {
    text.lines()
        .take(line)
        .filter_map(|l| {
            let l = l.trim();
            let inner = l.strip_prefix('[')?.split(']').next()?;
            Some(inner.trim_matches(['[', ' ']).to_string())
        })
        .last()
}

struct Validator<'a> {
    path: Option<&'a Path>,
}

impl Validator<'_> {
    fn invalid(&self, key: impl Into<String>, problem: String, fix: String) -> ConfigError {
        ConfigError::Invalid {
            path: self.path.map(Path::to_path_buf),
            key: key.into(),
            problem,
            fix,
        }
    }

    fn validate(&self, raw: RawConfig) -> Result<Config, ConfigError> {
        let contract = match raw.contract {
            Some(c) => Some(self.contract(c)?),
            None => None,
        };
        Ok(Config {
            contract,
            checks: self.checks(raw.checks)?,
            api: self.api(raw.api)?,
            finess: self.finess_config(raw.finess)?,
            network: self.network(raw.network)?,
            notifications: raw.notifications,
            journal: self.journal(raw.journal)?,
            source: self.path.map(Path::to_path_buf),
        })
    }

    fn finess_config(&self, raw: RawFiness) -> Result<FinessConfig, ConfigError> {
        let source = match raw.source {
            Some(s) => {
                let s = s.trim().to_string();
                if !is_http_url(&s) {
                    return Err(self.invalid(
                        "finess.source",
                        msg::source_malformed(&s),
                        msg::source_fix(),
                    ));
                }
                s
            }
            None => DEFAULT_FINESS_SOURCE.to_string(),
        };
        Ok(FinessConfig {
            db: raw.db,
            ars_contact: raw.ars_contact,
            auto_update: raw.auto_update,
            source,
        })
    }

    fn network(&self, raw: RawNetwork) -> Result<NetworkConfig, ConfigError> {
        let mut ca_files = Vec::with_capacity(raw.ca_files.len());
        for (i, p) in raw.ca_files.iter().enumerate() {
            let key = format!("network.ca_files[{i}]");
            let path = self.resolve(p);
            let pem = std::fs::read(&path).map_err(|e| {
                self.invalid(
                    key.clone(),
                    msg::anchor_unreadable(&path, &e.to_string()),
                    msg::ca_file_fix(),
                )
            })?;
            let readable = cpx_card::decode_pem_or_der(&pem).is_ok()
                && reqwest::Certificate::from_pem_bundle(&pem).is_ok_and(|c| !c.is_empty());
            if !readable {
                return Err(self.invalid(key, msg::ca_file_invalid(&path), msg::ca_file_fix()));
            }
            ca_files.push(CaFile { path, pem });
        }
        Ok(NetworkConfig {
            offline: raw.offline,
            ca_files,
        })
    }

    /// A path of the file, relative paths resolved against the configuration's folder.
    fn resolve(&self, p: &Path) -> PathBuf {
        match self.path.and_then(Path::parent) {
            Some(dir) if p.is_relative() => dir.join(p),
            _ => p.to_path_buf(),
        }
    }

    fn finess(&self, key: &str, value: &str) -> Result<Finess, ConfigError> {
        let f = Finess::parse(value)
            .map_err(|e| self.invalid(key, msg::finess_malformed(value, &e), msg::finess_fix()))?;
        if f.key() == FinessKey::Invalid {
            return Err(self.invalid(key, msg::finess_key_invalid(&f), msg::finess_fix()));
        }
        Ok(f)
    }

    fn contract(&self, raw: RawContract) -> Result<Contract, ConfigError> {
        let mode_text = raw
            .mode
            .ok_or_else(|| self.invalid("contract.mode", msg::missing(), msg::mode_fix()))?;
        let mode = ContractMode::parse(&mode_text).ok_or_else(|| {
            self.invalid(
                "contract.mode",
                msg::mode_unknown(&mode_text),
                msg::mode_fix(),
            )
        })?;
        let ej_text = raw
            .ej
            .ok_or_else(|| self.invalid("contract.ej", msg::missing(), msg::ej_fix()))?;
        let ej = self.finess("contract.ej", &ej_text)?;
        let mut egs = Vec::with_capacity(raw.egs.len());
        let mut seen = BTreeSet::new();
        for (i, text) in raw.egs.iter().enumerate() {
            let key = format!("contract.egs[{i}]");
            let eg = self.finess(&key, text)?;
            if eg == ej {
                return Err(self.invalid(key, msg::eg_is_ej(&eg), msg::eg_is_ej_fix(mode)));
            }
            if !seen.insert(eg.clone()) {
                return Err(self.invalid(key, msg::eg_duplicate(&eg), msg::eg_duplicate_fix()));
            }
            egs.push(eg);
        }
        if mode == ContractMode::Decentralised && egs.is_empty() {
            return Err(self.invalid(
                "contract.egs",
                msg::decentralised_without_egs(),
                msg::decentralised_without_egs_fix(),
            ));
        }
        Ok(Contract { mode, ej, egs })
    }

    fn checks(&self, raw: RawChecks) -> Result<Checks, ConfigError> {
        if raw.expiry_warning_days > MAX_EXPIRY_WARNING_DAYS {
            return Err(self.invalid(
                "checks.expiry_warning_days",
                msg::expiry_days_too_big(raw.expiry_warning_days),
                msg::expiry_days_fix(MAX_EXPIRY_WARNING_DAYS),
            ));
        }
        let base = self.path.and_then(Path::parent);
        let mut anchors = Vec::with_capacity(raw.extra_trust_anchors.len());
        for (i, p) in raw.extra_trust_anchors.iter().enumerate() {
            let key = format!("checks.extra_trust_anchors[{i}]");
            let resolved = match base {
                Some(dir) if p.is_relative() => dir.join(p),
                _ => p.clone(),
            };
            let bytes = std::fs::read(&resolved).map_err(|e| {
                self.invalid(
                    key.clone(),
                    msg::anchor_unreadable(&resolved, &e.to_string()),
                    msg::anchor_fix(),
                )
            })?;
            if bytes.is_empty() {
                return Err(self.invalid(key, msg::anchor_empty(&resolved), msg::anchor_fix()));
            }
            if let Err(e) = cpx_card::decode_pem_or_der(&bytes) {
                return Err(self.invalid(
                    key,
                    msg::anchor_invalid(&resolved, &e.to_string()),
                    msg::anchor_fix(),
                ));
            }
            anchors.push(TrustAnchorFile {
                path: resolved,
                bytes,
            });
        }
        Ok(Checks {
            expiry_warning_days: raw.expiry_warning_days,
            accept_test_cards: raw.accept_test_cards,
            extra_trust_anchors: anchors,
        })
    }

    fn journal(&self, raw: RawJournal) -> Result<JournalConfig, ConfigError> {
        if raw.keep_days == 0 || raw.keep_days > 36_500 {
            return Err(self.invalid(
                "journal.keep_days",
                crate::text::bench::keep_days_invalid(raw.keep_days),
                crate::text::bench::keep_days_fix(),
            ));
        }
        let db = match (raw.db, self.path.and_then(Path::parent)) {
            (Some(p), Some(dir)) if p.is_relative() => Some(dir.join(p)),
            (db, _) => db,
        };
        Ok(JournalConfig {
            keep_days: raw.keep_days,
            db,
        })
    }

    fn api(&self, raw: RawApi) -> Result<ApiConfig, ConfigError> {
        let listen = match &raw.listen {
            None => None,
            Some(text) => {
                let listen: SocketAddr = text.trim().parse().map_err(|_| {
                    self.invalid("api.listen", msg::listen_malformed(text), msg::listen_fix())
                })?;
                if !listen.ip().is_loopback() {
                    return Err(self.invalid(
                        "api.listen",
                        msg::listen_not_loopback(&listen),
                        msg::listen_fix(),
                    ));
                }
                Some(listen)
            }
        };
        for (i, origin) in raw.allowed_origins.iter().enumerate() {
            if !is_origin(origin) {
                return Err(self.invalid(
                    format!("api.allowed_origins[{i}]"),
                    msg::origin_malformed(origin),
                    msg::origin_fix(),
                ));
            }
        }
        Ok(ApiConfig {
            listen,
            allowed_origins: raw.allowed_origins,
        })
    }
}

/// An `http://` or `https://` address with a host.
fn is_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/') && !r.contains(char::is_whitespace))
}

/// `scheme://host[:port]`, nothing after, no wildcard (CORS origins match exactly).
fn is_origin(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains(['/', '*', '?', '#', ' ', '@'])
}

#[cfg(test)]
mod tests;
