//! Bad configurations are refused at start: exit 2, one French line naming the key.

mod cli_common;

use cli_common::run;

fn refused(config: &str, key: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, config).unwrap();
    let r = run(dir.path(), &["status", "--config", path.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{config}: {}", r.stderr);
    assert_eq!(r.stderr.trim_end().lines().count(), 1, "{:?}", r.stderr);
    assert!(r.stderr.contains(key), "{key} not named: {}", r.stderr);
    assert!(r.stderr.contains(" — "), "no fix given: {}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[test]
fn unknown_mode() {
    refused(
        "[contract]\nmode = \"hybrid\"\nej = \"750712184\"\n",
        "contract.mode",
    );
}

#[test]
fn malformed_finess() {
    refused(
        "[contract]\nmode = \"centralised\"\nej = \"7507121\"\n",
        "contract.ej",
    );
    refused(
        "[contract]\nmode = \"centralised\"\nej = \"750712184\"\negs = [\"75010012A\"]\n",
        "contract.egs[0]",
    );
}

#[test]
fn invalid_luhn_key() {
    refused(
        "[contract]\nmode = \"centralised\"\nej = \"060785432\"\n",
        "contract.ej",
    );
}

#[test]
fn eg_equal_to_ej() {
    refused(
        "[contract]\nmode = \"decentralised\"\nej = \"750712184\"\negs = [\"750100125\", \"750712184\"]\n",
        "contract.egs[1]",
    );
}

#[test]
fn duplicate_egs() {
    refused(
        "[contract]\nmode = \"decentralised\"\nej = \"010780054\"\negs = [\"010000024\", \"010000024\"]\n",
        "contract.egs[1]",
    );
}

#[test]
fn decentralised_without_egs() {
    refused(
        "[contract]\nmode = \"decentralised\"\nej = \"750712184\"\n",
        "contract.egs",
    );
}

#[test]
fn unreadable_trust_anchor() {
    refused(
        "[checks]\nextra_trust_anchors = [\"/nonexistent/root.pem\"]\n",
        "checks.extra_trust_anchors[0]",
    );
}

#[test]
fn unknown_key_and_table() {
    refused("[checks]\naccept_test_card = true\n", "accept_test_card");
    refused("[contrat]\nmode = \"centralised\"\n", "contrat");
    refused("[api]\nlisten = \"0.0.0.0:8787\"\n", "api.listen");
}

#[test]
fn missing_explicit_config() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &["status", "--config", "/nonexistent/cpx.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("/nonexistent/cpx.toml"), "{}", r.stderr);
}

#[test]
fn default_path_is_xdg_config_home() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("cpx-agent")).unwrap();
    let path = dir.path().join("cpx-agent/config.toml");
    std::fs::write(&path, "[contract]\nmode = \"nope\"\nej = \"750712184\"\n").unwrap();
    let r = run(dir.path(), &["status"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("contract.mode"), "{}", r.stderr);
    assert!(r.stderr.contains(path.to_str().unwrap()), "{}", r.stderr);

    // A valid default config passes validation: the run gets as far as PC/SC (exit 3 here).
    std::fs::write(
        &path,
        "[contract]\nmode = \"centralised\"\nej = \"750712184\"\negs = [\"750100125\"]\n",
    )
    .unwrap();
    let r = run(dir.path(), &["status"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
}
