//! `finess check`: every finding on the contract's EJ and EGs, and the directory's age.

use std::path::PathBuf;

use cpx_agent::finess::check::{check, CheckReport, ContractStructures};
use cpx_agent::finess::{import, Directory};
use cpx_agent::model::verdict::Severity;
use time::macros::date;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/finess")
        .join(name)
}

/// A directory of the synthetic EJ/EG extracts and the FINESS+ JSON (data of 2026-05-12).
fn directory(tmp: &tempfile::TempDir) -> Directory {
    let db = tmp.path().join("finess.sqlite");
    let files = [
        data("synthetic-ej-utf8.csv"),
        data("synthetic-eg-utf8-bom.csv"),
        data("synthetic-structures.json"),
    ];
    import::import(&files, &db, false).unwrap();
    Directory::open(&db).unwrap().unwrap()
}

fn contract(ej: Option<&str>, egs: &[&str]) -> ContractStructures {
    ContractStructures {
        ej: ej.map(str::to_string),
        egs: egs.iter().map(|s| s.to_string()).collect(),
        ars_contact: None,
    }
}

fn codes(r: &CheckReport) -> Vec<&str> {
    r.findings.iter().map(|f| f.code.as_str()).collect()
}

#[test]
fn a_right_contract_has_no_finding() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = directory(&tmp);
    let r = check(
        &dir,
        &contract(Some("760000018"), &["760000026", "760000034"]),
        date!(2026 - 06 - 01),
    )
    .unwrap();
    assert!(r.findings.is_empty(), "{:#?}", r.findings);
    assert!(!r.needs_attention());
    assert_eq!(r.checked.len(), 3);
    assert_eq!(r.checked[0].name.as_deref(), Some("CH FICTIF DE ROUEN"));
}

#[test]
fn an_old_directory_is_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = directory(&tmp);
    let r = check(
        &dir,
        &contract(Some("760000018"), &[]),
        date!(2026 - 11 - 29),
    )
    .unwrap();
    assert_eq!(codes(&r), vec!["finess_directory_old"]);
    assert_eq!(r.findings[0].severity, Severity::Warning);
    assert!(r.findings[0].message.contains("2026-05-12"));
    assert!(
        r.findings[0].message.contains("201 jours"),
        "{}",
        r.findings[0].message
    );
    assert!(r.findings[0].remedy.contains("finess import"));
    assert!(r.needs_attention());
}

#[test]
fn malformed_and_bad_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = directory(&tmp);
    let r = check(
        &dir,
        &contract(Some("12345"), &["010000098", "2A0000154"]),
        date!(2026 - 06 - 01),
    )
    .unwrap();
    assert_eq!(
        codes(&r),
        vec![
            "finess_malformed",
            "finess_key_invalid",
            "finess_key_not_verifiable",
            "finess_unknown"
        ]
    );
    assert_eq!(r.findings[0].severity, Severity::Error);
    assert!(r.findings[0].message.contains("12345"));
    assert!(r.findings[1].message.contains("010000098"));
    assert_eq!(r.findings[2].severity, Severity::Info);
    assert!(r.findings[3].message.contains("2A0000154"));
    assert!(
        r.findings[3].remedy.contains("ARS de Corse"),
        "{}",
        r.findings[3].remedy
    );
    assert!(r.needs_attention());
}

#[test]
fn unknown_number() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = directory(&tmp);
    let r = check(
        &dir,
        &contract(Some("690000013"), &[]),
        date!(2026 - 06 - 01),
    )
    .unwrap();
    assert_eq!(codes(&r), vec!["finess_unknown"]);
    assert!(r.findings[0].message.contains("2026-05-12"));
    assert!(
        r.findings[0].remedy.contains("Auvergne-Rhône-Alpes"),
        "{}",
        r.findings[0].remedy
    );
}

#[test]
fn eg_given_as_ej_and_ej_given_as_eg() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = directory(&tmp);
    let r = check(
        &dir,
        &contract(Some("760000026"), &["140000019"]),
        date!(2026 - 06 - 01),
    )
    .unwrap();
    assert_eq!(
        codes(&r),
        vec!["finess_is_eg_expected_ej", "finess_is_ej_expected_eg"]
    );
    assert!(r.findings[0].message.contains("760000018"), "names its EJ");
    assert!(r.findings[0].remedy.contains("760000018"));
    assert!(r.findings.iter().all(|f| f.severity == Severity::Error));
}

#[test]
fn eg_of_another_ej() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = directory(&tmp);
    let r = check(
        &dir,
        &contract(Some("760000018"), &["760000026", "140000027"]),
        date!(2026 - 06 - 01),
    )
    .unwrap();
    assert_eq!(codes(&r), vec!["eg_not_in_contract_ej"]);
    let f = &r.findings[0];
    assert!(f.message.contains("140000027") && f.message.contains("140000019"));
    // Calvados: Normandy's ARS FINESS service, by its address.
    assert!(
        f.remedy.contains("ARS-NORMANDIE-FINESS@ars.sante.fr"),
        "{}",
        f.remedy
    );

    let custom = ContractStructures {
        ars_contact: Some("finess@ars.example".into()),
        ..contract(Some("760000018"), &["140000027"])
    };
    let r = check(&dir, &custom, date!(2026 - 06 - 01)).unwrap();
    assert!(r.findings[0].remedy.contains("finess@ars.example"));
}

#[test]
fn closed_structures() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = directory(&tmp);
    let r = check(
        &dir,
        &contract(Some("140000035"), &["140000043", "750000010"]),
        date!(2026 - 06 - 01),
    )
    .unwrap();
    assert_eq!(codes(&r), vec!["finess_closed"]);
    assert!(r.findings[0].message.contains("750000010"));
    assert!(r.findings[0].message.contains("2025-12-31"));
    assert!(r.findings[0].remedy.contains("Île-de-France"));

    let r = check(
        &dir,
        &contract(Some("330000019"), &[]),
        date!(2026 - 06 - 01),
    )
    .unwrap();
    assert_eq!(codes(&r), vec!["finess_closed"]);
    assert!(r.findings[0].remedy.contains("Nouvelle-Aquitaine"));
}

#[test]
fn an_undated_directory_is_said() {
    let tmp = tempfile::tempdir().unwrap();
    let undated = tmp.path().join("etalab-undated.csv");
    let ej = std::fs::read_to_string(data("synthetic-ej-utf8.csv")).unwrap();
    std::fs::write(&undated, ej.replacen("2026-05-12", "", 1)).unwrap();
    let db = tmp.path().join("finess.sqlite");
    let s = import::import(&[undated], &db, false).unwrap();
    assert_eq!((s.ej, s.data_date), (7, None));
    let dir = Directory::open(&db).unwrap().unwrap();
    let r = check(
        &dir,
        &contract(Some("760000018"), &[]),
        date!(2026 - 06 - 01),
    )
    .unwrap();
    assert_eq!(codes(&r), vec!["finess_directory_undated"]);
    assert_eq!(r.findings[0].severity, Severity::Info);
    assert!(!r.needs_attention(), "information only");
}
