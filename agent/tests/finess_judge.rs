//! The judge with a FINESS directory: precise forms of `finess_mismatch`, `finess_unknown`,
//! `eg_not_in_contract_ej`, `structure_name_differs`, and the directory name in the report.

use std::path::PathBuf;

use cpx_agent::config::{Config, Contract, ContractMode};
use cpx_agent::finess::import;
use cpx_agent::judge::directory::open_directory;
use cpx_agent::judge::judge;
use cpx_agent::model::verdict::{Severity, Status, Verdict};
use cpx_card::{
    CardFamily, CardKind, CardReport, CertReport, Finess, Issuer, PinState, Structure,
    StructureIdType, Trust, Usage,
};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-11-29 12:00 UTC);
const EJ: &str = "760000018";
const EG_N: &str = "760000026";
const EG_S: &str = "760000034";
/// An EG of another EJ (140000019), in Calvados.
const OTHER_EG: &str = "140000027";

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/finess")
        .join(name)
}

struct Fixture {
    _tmp: tempfile::TempDir,
    db: PathBuf,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("finess.sqlite");
    let files = [
        data("synthetic-ej-utf8.csv"),
        data("synthetic-eg-utf8-bom.csv"),
        data("etalab-cs1100502-sample.csv"),
    ];
    import::import(&files, &db, false).unwrap();
    Fixture { _tmp: tmp, db }
}

fn f(s: &str) -> Finess {
    Finess::parse(s).unwrap()
}

fn cert(usage: Usage) -> CertReport {
    CertReport {
        kind: CardKind::CdeCpe,
        holder: None,
        structure: None,
        card_number: Some("0000000001".into()),
        card_issuer: Some("8025000001".into()),
        not_before: NOW - Duration::days(365),
        not_after: NOW + Duration::days(700),
        issuer: Issuer {
            name: "AC IGC-SANTE STANDARD PERSONNES".into(),
        },
        trust: Trust::Production,
        trust_detail: None,
        usage,
        serial_number: "01".into(),
        crl_urls: Vec::new(),
        sha256: "00".into(),
    }
}

/// A healthy production CPE on `finess`, its structure named `name` (subject O).
fn cpe_on(finess: &str, name: &str) -> CardReport {
    CardReport {
        atr: "3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00".into(),
        family: CardFamily::Cps3,
        serial: Some("0102030405".into()),
        kind: CardKind::CdeCpe,
        holder: None,
        structure: Some(Structure {
            id: format!("1{finess}"),
            id_type: StructureIdType::Finess,
            number: finess.into(),
            name: Some(name.into()),
            departement: None,
        }),
        card_number: Some("0000000001".into()),
        card_issuer: Some("8025000001".into()),
        not_before: Some(NOW - Duration::days(365)),
        not_after: Some(NOW + Duration::days(700)),
        pin_tries_left: Some(3),
        pin_state: Some(PinState::TriesLeft),
        trust: Some(Trust::Production),
        certificates: vec![cert(Usage::Authentication), cert(Usage::Signature)],
        disagreements: vec![],
        apdu_count: 12,
        recognition_hint: Default::default(),
    }
}

fn config(mode: ContractMode, egs: &[&str], db: &std::path::Path) -> Config {
    let mut c = Config {
        contract: Some(Contract {
            mode,
            ej: f(EJ),
            egs: egs.iter().map(|e| f(e)).collect(),
        }),
        ..Config::default()
    };
    c.finess.db = Some(db.to_path_buf());
    c
}

fn codes(v: &Verdict) -> Vec<&str> {
    let mut c: Vec<&str> = v.findings.iter().map(|f| f.code.as_str()).collect();
    c.retain(|c| *c != "pin_state_unknown");
    c
}

fn judged(report: &CardReport, config: &Config) -> Verdict {
    let dir = open_directory(config).expect("the configured directory");
    judge(report, config, NOW, Some(&dir))
}

#[test]
fn centralised_card_on_the_ej_is_ready_and_named() {
    let fx = fixture();
    let cfg = config(ContractMode::Centralised, &[EG_N, EG_S], &fx.db);
    let card = cpe_on(EJ, "Centre hospitalier fictif de Rouen");
    let v = judged(&card, &cfg);
    assert_eq!(v.status, Status::Ready, "{:#?}", v.findings);
    assert_eq!(codes(&v), vec!["contract_match"]);
    assert_eq!(v.directory_name.as_deref(), Some("CH FICTIF DE ROUEN"));
}

#[test]
fn centralised_card_on_an_eg_gets_the_precise_finding() {
    let fx = fixture();
    let cfg = config(ContractMode::Centralised, &[EG_N], &fx.db);
    let card = cpe_on(EG_N, "SITE FICTIF ROUEN NORD");
    assert!(codes(&judge(&card, &cfg, NOW, None)).contains(&"finess_mismatch"));
    let v = judged(&card, &cfg);
    assert_eq!(codes(&v), vec!["finess_is_eg_expected_ej"]);
    assert_eq!(v.status, Status::NotReady);
    let f = &v.findings[0];
    assert!(
        f.message.contains(EG_N) && f.message.contains(EJ),
        "{}",
        f.message
    );
    assert!(f.remedy.contains("F301"));
}

#[test]
fn centralised_card_on_an_eg_of_another_ej() {
    let fx = fixture();
    let cfg = config(ContractMode::Centralised, &[EG_N], &fx.db);
    let v = judged(&cpe_on(OTHER_EG, "SITE FICTIF DE CAEN"), &cfg);
    assert_eq!(
        codes(&v),
        vec!["finess_is_eg_expected_ej", "eg_not_in_contract_ej"]
    );
    let f = &v.findings[1];
    assert!(f.message.contains("140000019"));
    assert!(
        f.remedy.contains("ARS-NORMANDIE-FINESS@ars.sante.fr"),
        "{}",
        f.remedy
    );
}

#[test]
fn decentralised_card_on_the_ej_gets_the_precise_finding() {
    let fx = fixture();
    let cfg = config(ContractMode::Decentralised, &[EG_N, EG_S], &fx.db);
    let v = judged(&cpe_on(EJ, "CH FICTIF DE ROUEN"), &cfg);
    assert_eq!(codes(&v), vec!["finess_is_ej_expected_eg"]);
    assert_eq!(v.status, Status::NotReady);

    let ok = judged(&cpe_on(EG_S, "SITE FICTIF ROUEN SUD"), &cfg);
    assert_eq!(ok.status, Status::Ready, "{:#?}", ok.findings);
}

#[test]
fn decentralised_listed_eg_of_another_ej() {
    let fx = fixture();
    let cfg = config(ContractMode::Decentralised, &[EG_N, OTHER_EG], &fx.db);
    let v = judged(&cpe_on(OTHER_EG, "SITE FICTIF DE CAEN"), &cfg);
    assert_eq!(codes(&v), vec!["eg_not_in_contract_ej", "contract_match"]);
    assert_eq!(v.status, Status::NotReady);
}

#[test]
fn unknown_finess_is_a_warning_next_to_the_contract_rule() {
    let fx = fixture();
    let cfg = config(ContractMode::Centralised, &[], &fx.db);
    let v = judged(&cpe_on("690000013", "EJ FICTIVE"), &cfg);
    assert_eq!(codes(&v), vec!["finess_mismatch", "finess_unknown"]);
    let unknown = v
        .findings
        .iter()
        .find(|f| f.code == "finess_unknown")
        .unwrap();
    assert_eq!(unknown.severity, Severity::Warning);
    assert!(unknown.message.contains("2026-05-12"));
    assert!(unknown.remedy.contains("Auvergne-Rhône-Alpes"));
}

#[test]
fn structure_name_differs_is_a_warning() {
    let fx = fixture();
    let cfg = config(ContractMode::Centralised, &[], &fx.db);
    let v = judged(&cpe_on(EJ, "CLINIQUE DU PARC"), &cfg);
    assert_eq!(codes(&v), vec!["structure_name_differs", "contract_match"]);
    assert_eq!(v.status, Status::Warning);
    assert!(v.findings[0].message.contains("CLINIQUE DU PARC"));
    assert!(v.findings[0].message.contains("CH FICTIF DE ROUEN"));
    // Case, accents and punctuation do not count.
    let v = judged(&cpe_on(EJ, "C.H. fictif de Rouen"), &cfg);
    assert_eq!(v.status, Status::Ready, "{:#?}", v.findings);
}

#[test]
fn without_contract_or_directory() {
    let fx = fixture();
    let mut cfg = Config::default();
    cfg.finess.db = Some(fx.db.clone());
    let v = judged(&cpe_on("010000024", "CH DE FLEYRIAT"), &cfg);
    assert_eq!(codes(&v), vec!["contract_not_configured"]);
    let v = judged(&cpe_on("010000024", "AUTRE NOM"), &cfg);
    assert_eq!(
        codes(&v),
        vec!["structure_name_differs", "contract_not_configured"]
    );

    let card = cpe_on(EG_N, "X");
    let cfg = config(ContractMode::Centralised, &[], &fx.db);
    let without = judge(&card, &cfg, NOW, None);
    assert!(without.directory_name.is_none());
    assert!(codes(&without).iter().all(|c| !c.starts_with("finess_is")
        && *c != "finess_unknown"
        && *c != "structure_name_differs"));
    // A configured path with no directory: the judge works without it.
    let mut none = cfg.clone();
    none.finess.db = Some(fx.db.with_file_name("absent.sqlite"));
    assert!(open_directory(&none).is_none());
}
