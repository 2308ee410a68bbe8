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
//! listen = "127.0.0.1:8787"
//! allowed_origins = []
//! [finess]
//! db = "/var/lib/cpx-agent/finess.sqlite"   # optional
//! ```

use std::collections::BTreeSet;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use cpx_card::{Finess, FinessKey, TrustStore};
use serde::Deserialize;

use crate::messages::config as msg;

/// Default `[api] listen`.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8787";
/// Default `[checks] expiry_warning_days`.
pub const DEFAULT_EXPIRY_WARNING_DAYS: u32 = 30;
/// Above this, `expiry_warning_days` is surely a typo (ten years).
const MAX_EXPIRY_WARNING_DAYS: u32 = 3650;

/// How the organisation signed its RPPS+ contract with the ANS (domain.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContractMode {
    /// Contract, CDE and manager cards on the EJ (legal entity) FINESS.
    Centralised,
    /// Contract and cards on each EG (site) FINESS.
    Decentralised,
}

impl ContractMode {
    fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "centralised" | "centralized" | "centralisé" => Some(Self::Centralised),
            "decentralised" | "decentralized" | "décentralisé" => Some(Self::Decentralised),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Centralised => "centralised",
            Self::Decentralised => "decentralised",
        }
    }
}

impl fmt::Display for ContractMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The RPPS+ contract: valid FINESS numbers only, EGs distinct and different from the EJ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    pub mode: ContractMode,
    /// FINESS of the legal entity (entité juridique).
    pub ej: Finess,
    /// FINESS of the sites (entités géographiques) concerned.
    pub egs: Vec<Finess>,
}

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiConfig {
    pub listen: SocketAddr,
    /// Origins allowed by CORS, exact match (`https://intranet.example.fr`).
    pub allowed_origins: Vec<String>,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            allowed_origins: Vec::new(),
        }
    }
}

/// `[finess]`: the local FINESS directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FinessConfig {
    /// Directory database; `None` = the default in the XDG data dir.
    pub db: Option<PathBuf>,
    /// Contact for FINESS anomalies, overriding the one derived from the région.
    pub ars_contact: Option<String>,
}

/// A validated configuration. `Config::default()` is "no config file": no contract.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// `None` when no contract is configured: the contract findings say so.
    pub contract: Option<Contract>,
    pub checks: Checks,
    pub api: ApiConfig,
    pub finess: FinessConfig,
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawApi {
    listen: String,
    allowed_origins: Vec<String>,
}

impl Default for RawApi {
    fn default() -> Self {
        Self {
            listen: DEFAULT_LISTEN.to_string(),
            allowed_origins: Vec::new(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawFiness {
    db: Option<PathBuf>,
    ars_contact: Option<String>,
}

// ----- loading -------------------------------------------------------------------------------

impl Config {
    /// `$XDG_CONFIG_HOME/cpx-agent/config.toml` (or the OS equivalent).
    pub fn default_path() -> Option<PathBuf> {
        dirs::config_dir().map(|d| d.join("cpx-agent").join("config.toml"))
    }

    /// Loads the configuration: `explicit` (`--config`) must exist; without it, the default
    /// path is read when present, else the result is `Config::default()` (no contract).
    pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        match explicit {
            Some(path) => Self::load_file(path),
            None => match Self::default_path() {
                Some(path) if path.exists() => Self::load_file(&path),
                _ => Ok(Config::default()),
            },
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
            finess: FinessConfig {
                db: raw.finess.db,
                ars_contact: raw.finess.ars_contact,
            },
            source: self.path.map(Path::to_path_buf),
        })
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

    fn api(&self, raw: RawApi) -> Result<ApiConfig, ConfigError> {
        let listen: SocketAddr = raw.listen.trim().parse().map_err(|_| {
            self.invalid(
                "api.listen",
                msg::listen_malformed(&raw.listen),
                msg::listen_fix(),
            )
        })?;
        if !listen.ip().is_loopback() {
            return Err(self.invalid(
                "api.listen",
                msg::listen_not_loopback(&listen),
                msg::listen_fix(),
            ));
        }
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
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::from_toml_str(text, Some(Path::new("/etc/cpx/config.toml")))
    }

    fn invalid_key(text: &str) -> String {
        match parse(text) {
            Err(ConfigError::Invalid { key, .. }) => key,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    const ISSUE_EXAMPLE: &str = r#"
[contract]
mode = "centralised"          # or "decentralised"
ej = "750712184"              # FINESS of the legal entity
egs = ["750100125"]           # FINESS of the sites concerned
[checks]
expiry_warning_days = 30
accept_test_cards = false     # test PKI cards (ANS test kits) acceptable?
extra_trust_anchors = []      # PEM files of further test roots, e.g. the emulator's
"#;

    #[test]
    fn issue_example_parses() {
        let c = parse(ISSUE_EXAMPLE).unwrap();
        let contract = c.contract.unwrap();
        assert_eq!(contract.mode, ContractMode::Centralised);
        assert_eq!(contract.ej.as_str(), "750712184");
        assert_eq!(contract.egs.len(), 1);
        assert_eq!(contract.egs[0].as_str(), "750100125");
        assert_eq!(c.checks.expiry_warning_days, 30);
        assert!(!c.checks.accept_test_cards);
        assert_eq!(c.api.listen.to_string(), DEFAULT_LISTEN);
        assert!(c.api.allowed_origins.is_empty());
        assert_eq!(c.source.as_deref(), Some(Path::new("/etc/cpx/config.toml")));
    }

    #[test]
    fn empty_file_means_no_contract_and_defaults() {
        let c = parse("").unwrap();
        assert!(c.contract.is_none());
        assert_eq!(c.checks, Checks::default());
        assert_eq!(c.api, ApiConfig::default());
    }

    #[test]
    fn spaces_in_finess_stripped_and_us_spelling_accepted() {
        let c = parse(
            "[contract]\nmode = \"decentralized\"\nej = \"750 712 184\"\negs = [\"750100125\"]",
        )
        .unwrap();
        let contract = c.contract.unwrap();
        assert_eq!(contract.mode, ContractMode::Decentralised);
        assert_eq!(contract.ej.as_str(), "750712184");
        let c = parse("[contract]\nmode = \"Centralisé\"\nej = \"750712184\"").unwrap();
        assert_eq!(c.contract_mode(), Some(ContractMode::Centralised));
    }

    #[test]
    fn unknown_mode_refused_naming_key() {
        let text = "[contract]\nmode = \"federal\"\nej = \"750712184\"";
        let err = parse(text).unwrap_err();
        assert_eq!(err.key(), Some("contract.mode"));
        let m = err.to_string();
        assert!(m.contains("contract.mode") && m.contains("federal"), "{m}");
        assert!(
            m.contains("centralised") && m.contains("decentralised"),
            "{m}"
        );
    }

    #[test]
    fn missing_mode_or_ej_refused() {
        assert_eq!(
            invalid_key("[contract]\nej = \"750712184\""),
            "contract.mode"
        );
        assert_eq!(
            invalid_key("[contract]\nmode = \"centralised\""),
            "contract.ej"
        );
    }

    #[test]
    fn malformed_finess_refused() {
        let text = "[contract]\nmode = \"centralised\"\nej = \"75071218\"";
        let err = parse(text).unwrap_err();
        assert_eq!(err.key(), Some("contract.ej"));
        assert!(err.to_string().contains("75071218"));
        let text = "[contract]\nmode = \"centralised\"\nej = \"750712184\"\negs = [\"X50100125\"]";
        assert_eq!(invalid_key(text), "contract.egs[0]");
    }

    #[test]
    fn invalid_luhn_key_refused() {
        let text = "[contract]\nmode = \"centralised\"\nej = \"750712185\"";
        let err = parse(text).unwrap_err();
        assert_eq!(err.key(), Some("contract.ej"));
        assert!(err.to_string().contains("clé"), "{err}");
        let text =
            "[contract]\nmode = \"centralised\"\nej = \"750712184\"\negs = [\"750100125\", \"010000098\"]";
        assert_eq!(invalid_key(text), "contract.egs[1]");
    }

    #[test]
    fn letter_finess_accepted_key_not_verifiable() {
        let c = parse("[contract]\nmode = \"centralised\"\nej = \"0B0057881\"").unwrap();
        assert_eq!(c.contract.unwrap().ej.as_str(), "0B0057881");
    }

    #[test]
    fn eg_equal_to_ej_refused() {
        let text =
            "[contract]\nmode = \"decentralised\"\nej = \"750712184\"\negs = [\"750712184\"]";
        let err = parse(text).unwrap_err();
        assert_eq!(err.key(), Some("contract.egs[0]"));
        assert!(err.to_string().contains("750712184"));
    }

    #[test]
    fn duplicate_egs_refused() {
        let text = "[contract]\nmode = \"decentralised\"\nej = \"010780054\"\negs = [\"010000024\", \"010 000 024\"]";
        assert_eq!(invalid_key(text), "contract.egs[1]");
    }

    #[test]
    fn decentralised_without_egs_refused() {
        let text = "[contract]\nmode = \"decentralised\"\nej = \"750712184\"";
        assert_eq!(invalid_key(text), "contract.egs");
        let text = "[contract]\nmode = \"decentralised\"\nej = \"750712184\"\negs = []";
        assert_eq!(invalid_key(text), "contract.egs");
    }

    #[test]
    fn centralised_without_egs_accepted() {
        let c = parse("[contract]\nmode = \"centralised\"\nej = \"750712184\"").unwrap();
        assert!(c.contract.unwrap().egs.is_empty());
    }

    #[test]
    fn unknown_keys_refused_with_key_and_table() {
        for (text, key, table) in [
            (
                "[contract]\nmode = \"centralised\"\nej = \"750712184\"\nfiness = \"x\"",
                "finess",
                "contract",
            ),
            ("[checks]\nexpiry_days = 3", "expiry_days", "checks"),
            ("[api]\nport = 3", "port", "api"),
            ("[finess]\npath = \"x\"", "path", "finess"),
        ] {
            let err = parse(text).unwrap_err();
            let ConfigError::Syntax { table: t, line, .. } = &err else {
                panic!("{err:?}");
            };
            assert_eq!(t.as_deref(), Some(table), "{text}");
            assert!(line.is_some());
            let m = err.to_string();
            assert!(m.contains(key) && m.contains(&format!("[{table}]")), "{m}");
        }
        let err = parse("[contrat]\nmode = \"x\"").unwrap_err();
        assert!(err.to_string().contains("contrat"), "{err}");
    }

    #[test]
    fn wrong_type_refused() {
        let err = parse("[checks]\nexpiry_warning_days = \"thirty\"").unwrap_err();
        assert!(matches!(err, ConfigError::Syntax { .. }), "{err:?}");
        assert!(err.to_string().contains("[checks]"), "{err}");
        assert_eq!(
            invalid_key("[checks]\nexpiry_warning_days = 100000"),
            "checks.expiry_warning_days"
        );
    }

    #[test]
    fn api_defaults_and_validation() {
        let c = parse("[api]\nallowed_origins = [\"https://intranet.example.fr\"]").unwrap();
        assert_eq!(c.api.listen.to_string(), "127.0.0.1:8787");
        assert_eq!(c.api.allowed_origins, vec!["https://intranet.example.fr"]);
        let c = parse("[api]\nlisten = \"[::1]:9000\"").unwrap();
        assert_eq!(c.api.listen.port(), 9000);
        assert_eq!(
            invalid_key("[api]\nlisten = \"0.0.0.0:8787\""),
            "api.listen"
        );
        assert_eq!(invalid_key("[api]\nlisten = \"localhost\""), "api.listen");
        assert_eq!(
            invalid_key("[api]\nallowed_origins = [\"https://ok.fr\", \"*\"]"),
            "api.allowed_origins[1]"
        );
        assert_eq!(
            invalid_key("[api]\nallowed_origins = [\"https://ok.fr/path\"]"),
            "api.allowed_origins[0]"
        );
    }

    #[test]
    fn trust_anchors_read_relative_to_config() {
        let dir = tempfile::tempdir().unwrap();
        let ca = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../card/corpus/certs/ca_TEST_AC_RACINE_IGC_SANTE_STANDARD.pem"
        );
        std::fs::copy(ca, dir.path().join("root.pem")).unwrap();
        let cfg = dir.path().join("config.toml");
        std::fs::write(&cfg, "[checks]\nextra_trust_anchors = [\"root.pem\"]\n").unwrap();
        let c = Config::load_file(&cfg).unwrap();
        assert_eq!(c.checks.extra_trust_anchors.len(), 1);
        assert_eq!(
            c.checks.extra_trust_anchors[0].path,
            dir.path().join("root.pem")
        );
        assert!(!c.checks.extra_trust_anchors[0].bytes.is_empty());
        assert_eq!(c.trust_store().len(), TrustStore::builtin().len() + 1);
    }

    #[test]
    fn unreadable_trust_anchor_refused() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("config.toml");
        std::fs::write(&cfg, "[checks]\nextra_trust_anchors = [\"missing.pem\"]\n").unwrap();
        let err = Config::load_file(&cfg).unwrap_err();
        assert_eq!(err.key(), Some("checks.extra_trust_anchors[0]"));
        assert!(err.to_string().contains("missing.pem"), "{err}");
        std::fs::write(dir.path().join("empty.pem"), b"").unwrap();
        std::fs::write(&cfg, "[checks]\nextra_trust_anchors = [\"empty.pem\"]\n").unwrap();
        let err = Config::load_file(&cfg).unwrap_err();
        assert_eq!(err.key(), Some("checks.extra_trust_anchors[0]"));
        std::fs::write(dir.path().join("junk.pem"), b"not a certificate").unwrap();
        std::fs::write(&cfg, "[checks]\nextra_trust_anchors = [\"junk.pem\"]\n").unwrap();
        let err = Config::load_file(&cfg).unwrap_err();
        assert_eq!(err.key(), Some("checks.extra_trust_anchors[0]"));
        assert!(err.to_string().contains("junk.pem"), "{err}");
    }

    #[test]
    fn explicit_missing_file_refused_default_missing_is_no_config() {
        let dir = tempfile::tempdir().unwrap();
        let err = Config::load(Some(&dir.path().join("nope.toml"))).unwrap_err();
        assert!(matches!(err, ConfigError::NotFound { .. }));
        assert!(err.to_string().contains("nope.toml"));
    }
}
