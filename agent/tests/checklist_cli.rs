//! The démarche's subcommands without a running agent: `checklist` (show, tick, untick,
//! history, export, import), `setup` with flags, `eligible` and `roster check`.

mod cli_common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};

use cli_common::{agent, run, Run};
use serde_json::Value;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A configuration on a port where no agent listens (the commands then work on the store).
fn config(dir: &Path, contract: &str) -> PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(
        &path,
        format!(
            "{contract}\n[api]\nlisten = \"127.0.0.1:{}\"\n",
            free_port()
        ),
    )
    .unwrap();
    path
}

fn cli(dir: &Path, args: &[&str]) -> Run {
    agent(dir)
        .args(args)
        .env("CPX_AGENT_TOKEN_FILE", dir.join("token"))
        .output()
        .unwrap()
        .into()
}

fn with_config(dir: &Path, config: &Path, args: &[&str]) -> Run {
    let mut all: Vec<&str> = args.to_vec();
    let c = config.to_str().unwrap();
    all.extend(["--config", c]);
    cli(dir, &all)
}

#[test]
fn the_checklist_is_ticked_without_an_agent_and_remembers_who_and_when() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config(
        tmp.path(),
        "[contract]\nmode = \"centralised\"\nej = \"750712184\"\n",
    );
    let r = with_config(tmp.path(), &cfg, &["checklist", "--json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let c: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(c["steps"].as_array().unwrap().len(), 10);
    assert_eq!(c["done"], 1, "the contract mode, from the configuration");

    let r = with_config(
        tmp.path(),
        &cfg,
        &[
            "checklist",
            "tick",
            "contract_sent",
            "--note",
            "copie au classeur",
            "--date",
            "2026-11-30",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("Étape cochée : Contrat et formulaire F101"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("L'agent n'est pas démarré"),
        "{}",
        r.stdout
    );
    let r = with_config(tmp.path(), &cfg, &["checklist"]);
    assert!(
        r.stdout.contains("Démarche RPPS+ : 2/9 étapes"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("coché le 2026-11-30"), "{}", r.stdout);
    assert!(r.stdout.contains("copie au classeur"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("monserviceclient.annuaire@esante.gouv.fr")
            || r.stdout.contains("F301")
    );

    let r = with_config(tmp.path(), &cfg, &["checklist", "untick", "contract_sent"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = with_config(tmp.path(), &cfg, &["checklist", "history", "--json"]);
    let history: Value = serde_json::from_str(&r.stdout).unwrap();
    let actions: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["tick", "untick"]);
    assert_eq!(history[0]["origin"], "cli");

    // Refusals: exit 2, a French line saying what to do.
    for (args, expected) in [
        (vec!["checklist", "tick", "martian"], "inconnue"),
        (
            vec!["checklist", "tick", "contract_mode"],
            "cpx-agent setup",
        ),
        (
            vec!["checklist", "tick", "roles", "--date", "30/11/2026"],
            "AAAA-MM-JJ",
        ),
        (
            vec!["checklist", "tick", "contract_sent", "--eg", "750100125"],
            "EG",
        ),
    ] {
        let r = with_config(tmp.path(), &cfg, &args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stdout);
        assert!(r.stderr.contains(expected), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn export_and_import_carry_the_demarche_to_another_workstation() {
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    let cfg1 = config(one.path(), "");
    let cfg2 = config(two.path(), "");
    for step in ["contract_sent", "elearning"] {
        assert_eq!(
            with_config(one.path(), &cfg1, &["checklist", "tick", step]).code,
            0
        );
    }
    let file = one.path().join("demarche.json");
    let r = with_config(
        one.path(),
        &cfg1,
        &["checklist", "export", file.to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("2 étape(s) cochée(s)"), "{}", r.stdout);
    let r = with_config(
        two.path(),
        &cfg2,
        &["checklist", "import", file.to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("2 nouvelle(s) entrée(s)"), "{}", r.stdout);
    let r = with_config(
        two.path(),
        &cfg2,
        &["checklist", "import", file.to_str().unwrap()],
    );
    assert!(r.stdout.contains("0 nouvelle(s) entrée(s)"), "{}", r.stdout);
    let r = with_config(two.path(), &cfg2, &["checklist", "--json"]);
    let c: Value = serde_json::from_str(&r.stdout).unwrap();
    let done: Vec<&str> = c["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["state"] == "done")
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(done, ["contract_sent", "elearning"]);

    std::fs::write(two.path().join("bad.json"), "{\"format\": \"autre\"}").unwrap();
    let bad = two.path().join("bad.json");
    let r = with_config(
        two.path(),
        &cfg2,
        &["checklist", "import", bad.to_str().unwrap()],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("n'est pas un export"), "{}", r.stderr);
}

#[test]
fn the_directory_check_drives_the_finess_step() {
    let tmp = tempfile::tempdir().unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/finess");
    let db = tmp.path().join("data/cpx-agent/finess.sqlite");
    let r = run(
        tmp.path(),
        &[
            "finess",
            "import",
            "--db",
            db.to_str().unwrap(),
            data.join("synthetic-ej-utf8.csv").to_str().unwrap(),
            data.join("synthetic-eg-utf8-bom.csv").to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // An EG of another EJ in the contract: attention, the ARS of Normandy named.
    let cfg = config(
        tmp.path(),
        "[contract]\nmode = \"decentralised\"\nej = \"760000018\"\negs = [\"760000026\", \"140000027\"]\n",
    );
    let r = with_config(tmp.path(), &cfg, &["checklist", "--json"]);
    let c: Value = serde_json::from_str(&r.stdout).unwrap();
    let finess = &c["steps"][0];
    assert_eq!(finess["id"], "finess_data");
    assert_eq!(finess["state"], "attention", "{finess:#}");
    let codes: Vec<&str> = finess["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"eg_not_in_contract_ej"), "{codes:?}");
    assert_eq!(c["ej_name"], "CH FICTIF DE ROUEN");
    assert_eq!(
        c["steps"].as_array().unwrap().len(),
        13,
        "three steps per EG"
    );
    let r = with_config(tmp.path(), &cfg, &["checklist"]);
    assert!(r.stdout.contains("[!] Données FINESS"), "{}", r.stdout);
}

#[test]
fn setup_with_flags_writes_the_contract_and_keeps_the_comments() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "# Réglages du poste\n[checks]\nexpiry_warning_days = 45 # un mois et demi\n\
             [api]\nlisten = \"127.0.0.1:{}\"\n",
            free_port()
        ),
    )
    .unwrap();
    let c = cfg.to_str().unwrap();
    let r = cli(
        tmp.path(),
        &[
            "setup",
            "--config",
            c,
            "--mode",
            "centralised",
            "--ej",
            "750712184",
            "--yes",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("Configuration écrite"), "{}", r.stdout);
    assert!(
        r.stdout.contains("L'agent n'est pas démarré"),
        "{}",
        r.stdout
    );
    let written = std::fs::read_to_string(&cfg).unwrap();
    assert!(written.contains("# Réglages du poste"), "{written}");
    assert!(written.contains("# un mois et demi"), "{written}");
    assert!(written.contains("ej = \"750712184\""), "{written}");
    // The file is valid for the agent.
    assert_eq!(
        cli(tmp.path(), &["checklist", "--config", c, "--json"]).code,
        1
    );

    // Refused exactly as the configuration is at start: wrong key, nothing written.
    let r = cli(
        tmp.path(),
        &[
            "setup",
            "--config",
            c,
            "--mode",
            "centralised",
            "--ej",
            "750712185",
            "--yes",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("contract.ej"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&cfg).unwrap(), written);
    // No terminal and no flags: says how.
    let r = cli(tmp.path(), &["setup", "--config", c]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--mode"), "{}", r.stderr);
}

#[test]
fn eligible_answers_on_every_criterion() {
    let tmp = tempfile::tempdir().unwrap();
    let ask = |profession: &str, medical: &str, mss: &str, rpps: Option<&str>| {
        let mut args = vec![
            "eligible",
            "--profession",
            profession,
            "--medical-data",
            medical,
            "--mss",
            mss,
            "--json",
        ];
        if let Some(r) = rpps {
            args.extend(["--rpps", r]);
        }
        let r = run(tmp.path(), &args);
        let v: Value = serde_json::from_str(&r.stdout).unwrap_or(Value::Null);
        (r.code, v)
    };
    let (code, v) = ask("Secrétaire médicale", "oui", "oui", None);
    assert_eq!((code, v["eligible"].clone()), (0, Value::Bool(true)));
    for (profession, medical, mss, rpps, word) in [
        (
            "Secrétaire médicale",
            "non",
            "oui",
            None,
            "données de santé",
        ),
        ("Secrétaire médicale", "oui", "non", None, "MSSanté"),
        ("Sage-femme", "oui", "oui", None, "Ordre"),
        ("Ergothérapeute", "oui", "oui", None, "ARS"),
        (
            "Secrétaire médicale",
            "oui",
            "oui",
            Some("10001234567"),
            "RPPS",
        ),
    ] {
        let (code, v) = ask(profession, medical, mss, rpps);
        assert_eq!(code, 1, "{profession}");
        assert_eq!(v["eligible"], false);
        let reasons = v["reasons"].as_array().unwrap();
        assert_eq!(reasons.len(), 1, "{v:#}");
        assert!(reasons[0].as_str().unwrap().contains(word), "{v:#}");
    }
    let r = run(
        tmp.path(),
        &[
            "eligible",
            "--profession",
            "Secrétaire",
            "--medical-data",
            "peut-être",
            "--mss",
            "oui",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("oui ou non"), "{}", r.stderr);
    let r = run(
        tmp.path(),
        &[
            "eligible",
            "--profession",
            "Aide-soignant",
            "--medical-data",
            "oui",
            "--mss",
            "oui",
        ],
    );
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("à enregistrer dans RPPS+"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_roster_with_bad_lines_lists_them_and_stores_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("liste.csv");
    std::fs::write(
        &file,
        "Nom;Profession;Données santé;MSS;RPPS\n\
         Marie Martin;Secrétaire médicale;oui;oui;\n\
         Paul Durand;Infirmier;oui;oui;\n\
         Léa Petit;Aide-soignante;peut-être;oui;\n\
         Ana Lopez;;oui;oui;\n\
         trop;de;colonnes;ici;x;y\n",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let r = run(tmp.path(), &["roster", "check", f, "--json"]);
    assert_eq!(r.code, 1, "bad lines: {}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["people"].as_array().unwrap().len(), 2);
    assert_eq!(v["people"][0]["eligible"], true);
    assert_eq!(v["people"][1]["eligible"], false);
    let bad: Vec<u64> = v["bad_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["line"].as_u64().unwrap())
        .collect();
    assert_eq!(bad, [4, 5, 6]);
    let r = run(tmp.path(), &["roster", "check", f]);
    assert!(
        r.stdout
            .contains("ligne 2 — Marie Martin (Secrétaire médicale) : à enregistrer"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("ligne 4 ignorée"), "{}", r.stdout);
    let r = run(tmp.path(), &["roster", "check", f, "--csv"]);
    assert!(
        r.stdout
            .starts_with("ligne;nom;profession;eligible;verdict;raisons\n"),
        "{}",
        r.stdout
    );
    // Nothing of the roster was stored in the data dir.
    let data = tmp.path().join("data");
    let stored = walk(&data);
    assert!(
        stored.iter().all(|p| !std::fs::read(p)
            .unwrap_or_default()
            .windows(5)
            .any(|w| w == b"Marie")),
        "{stored:?}"
    );
    // A file that is not a roster.
    std::fs::write(&file, "a;b\n1;2\n").unwrap();
    let r = run(tmp.path(), &["roster", "check", f]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("Colonnes manquantes"), "{}", r.stderr);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}
