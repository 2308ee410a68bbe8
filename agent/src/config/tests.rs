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
    assert_eq!(c.api.listen, None, "the automatic port rule");
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
    let c =
        parse("[contract]\nmode = \"decentralized\"\nej = \"750 712 184\"\negs = [\"750100125\"]")
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
    let text = "[contract]\nmode = \"decentralised\"\nej = \"750712184\"\negs = [\"750712184\"]";
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
    assert_eq!(c.api.listen, None, "the automatic port rule");
    assert_eq!(c.api.allowed_origins, vec!["https://intranet.example.fr"]);
    let c = parse("[api]\nlisten = \"[::1]:9000\"").unwrap();
    assert_eq!(c.api.listen.map(|l| l.port()), Some(9000));
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

#[test]
fn the_users_file_wins_over_the_organisations_whole() {
    let dir = tempfile::tempdir().unwrap();
    let user = dir.path().join("user.toml");
    let org = dir.path().join("org.toml");
    std::fs::write(
        &org,
        "[contract]\nmode = \"centralised\"\nej = \"750712184\"\n[checks]\nexpiry_warning_days = 45\n",
    )
    .unwrap();
    // Only the organisation's file: it applies.
    let config = Config::load_from(None, Some(&user), Some(&org)).unwrap();
    assert_eq!(config.source.as_deref(), Some(org.as_path()));
    assert_eq!(config.checks.expiry_warning_days, 45);
    assert!(config.contract.is_some());
    // The user's own file replaces it whole (nothing merged: no contract here).
    std::fs::write(&user, "[checks]\nexpiry_warning_days = 10\n").unwrap();
    let config = Config::load_from(None, Some(&user), Some(&org)).unwrap();
    assert_eq!(config.source.as_deref(), Some(user.as_path()));
    assert_eq!(config.checks.expiry_warning_days, 10);
    assert!(config.contract.is_none());
    // --config beats both, and must exist.
    let explicit = dir.path().join("absent.toml");
    assert!(matches!(
        Config::load_from(Some(&explicit), Some(&user), Some(&org)),
        Err(ConfigError::NotFound { .. })
    ));
    // Neither file: no contract.
    let none = Config::load_from(
        None,
        Some(&dir.path().join("a")),
        Some(&dir.path().join("b")),
    );
    assert_eq!(none.unwrap(), Config::default());
}

#[test]
fn a_broken_organisation_file_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let org = dir.path().join("org.toml");
    std::fs::write(&org, "[contract]\nmode = \"sometimes\"\n").unwrap();
    let err = Config::load_from(None, None, Some(&org)).unwrap_err();
    assert!(err.to_string().contains("org.toml"), "{err}");
}

#[test]
fn journal_retention_and_file() {
    let c = Config::from_toml_str("", None).unwrap();
    assert_eq!(c.journal.keep_days, 365);
    assert_eq!(c.journal.db, None);
    let c = Config::from_toml_str(
        "[journal]\nkeep_days = 30\ndb = \"j.sqlite\"\n",
        Some(Path::new("/etc/cpx-agent/config.toml")),
    )
    .unwrap();
    assert_eq!(c.journal.keep_days, 30);
    assert_eq!(
        c.journal.db.as_deref(),
        Some(Path::new("/etc/cpx-agent/j.sqlite"))
    );
    let e = Config::from_toml_str("[journal]\nkeep_days = 0\n", None).unwrap_err();
    assert_eq!(e.key(), Some("journal.keep_days"));
    assert!(e.to_string().contains("36500"), "{e}");
}

#[test]
fn network_and_finess_update_keys() {
    let c = parse("").unwrap();
    assert!(!c.network.offline);
    assert!(c.network.ca_files.is_empty());
    assert!(!c.finess.auto_update);
    assert_eq!(c.finess.source, DEFAULT_FINESS_SOURCE);
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("proxy-ca.pem");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../card/corpus/certs/prod_ca_ACR_FORT_20130625.pem"
        ),
        &ca,
    )
    .unwrap();
    let path = dir.path().join("config.toml");
    let c = Config::from_toml_str(
        "[network]\noffline = true\nca_files = [\"proxy-ca.pem\"]\n[finess]\nauto_update = true\nsource = \"https://miroir.example.fr/finess.json.gz\"\n",
        Some(&path),
    )
    .unwrap();
    assert!(c.network.offline);
    assert_eq!(c.network.ca_files[0].path, ca);
    assert!(c.finess.auto_update);
    assert_eq!(c.finess.source, "https://miroir.example.fr/finess.json.gz");
    assert_eq!(
        invalid_key("[finess]\nsource = \"ftp://x/y\"\n"),
        "finess.source"
    );
    assert_eq!(
        invalid_key("[network]\nca_files = [\"/nonexistent/ca.pem\"]\n"),
        "network.ca_files[0]"
    );
    std::fs::write(dir.path().join("junk.pem"), "not a certificate").unwrap();
    let junk = Config::from_toml_str("[network]\nca_files = [\"junk.pem\"]\n", Some(&path));
    assert!(matches!(junk, Err(ConfigError::Invalid { key, .. }) if key == "network.ca_files[0]"));
    assert!(matches!(
        parse("[network]\nproxy = \"x\"\n"),
        Err(ConfigError::Syntax { .. })
    ));
}
