//! Unit tests of the judge: one per code, the status rule, and the contract matrix.

use cpx_card::fixtures::ReportBuilder;
use cpx_card::{
    CardFamily, CardKind, CardReport, CertReport, Disagreement, Holder, Issuer, PersonIdType,
    PinState, StructureIdType, Trust, TrustDetail, Usage,
};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::*;

/// The judge without a FINESS directory (its rules have their own tests).
fn judge(report: &CardReport, config: &Config, now: OffsetDateTime) -> Verdict {
    super::judge(report, config, now, None)
}
use crate::config::{Checks, Config, Contract, ContractMode};

const NOW: OffsetDateTime = datetime!(2026-11-29 12:00 UTC);
const EJ: &str = "750712184";
const EG: &str = "750100125";
const OTHER: &str = "010780054";

fn f(s: &str) -> Finess {
    Finess::parse(s).unwrap()
}

fn cert(usage: Usage, trust: Trust) -> CertReport {
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
        trust,
        trust_detail: None,
        usage,
        serial_number: "01".into(),
        crl_urls: Vec::new(),
        sha256: "00".into(),
    }
}

/// A healthy production CPE on FINESS `finess`, 3 PIN tries, valid ~2 years.
fn cpe_on(finess: &str) -> CardReport {
    let mut report = ReportBuilder::establishment(finess)
        .atr("3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00")
        .serial("0102030405")
        .departement("Paris (75)")
        .validity(
            Some(NOW - Duration::days(365)),
            Some(NOW + Duration::days(700)),
        )
        .pin(Some(3), Some(PinState::TriesLeft))
        .trust(Some(Trust::Production))
        .certificates(vec![
            cert(Usage::Authentication, Trust::Production),
            cert(Usage::Signature, Trust::Production),
        ])
        .apdu_count(12)
        .build();
    report.card_number = Some("0000000001".into());
    report
}

fn cps() -> CardReport {
    let mut r = cpe_on(EJ);
    r.kind = CardKind::Cps;
    r.structure = None;
    r.holder = Some(Holder {
        id: "899700041983".into(),
        id_type: PersonIdType::Rpps,
        surname: Some("MARTIN".into()),
        given_name: Some("PAUL".into()),
        title: Some("Chirurgien-dentiste".into()),
        profession_code: Some(40),
    });
    r
}

fn config(mode: ContractMode, egs: &[&str]) -> Config {
    Config {
        contract: Some(Contract {
            mode,
            ej: f(EJ),
            egs: egs.iter().map(|e| f(e)).collect(),
        }),
        ..Config::default()
    }
}

fn centralised() -> Config {
    config(ContractMode::Centralised, &[EG])
}

fn codes_of(v: &Verdict) -> Vec<&str> {
    v.findings.iter().map(|f| f.code.as_str()).collect()
}

fn finding<'a>(v: &'a Verdict, code: &str) -> &'a Finding {
    v.findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", codes_of(v)))
}

fn assert_no(v: &Verdict, code: &str) {
    assert!(
        !codes_of(v).contains(&code),
        "unexpected {code} in {:?}",
        codes_of(v)
    );
}

fn assert_french(fd: &Finding) {
    assert!(!fd.message.is_empty() && !fd.remedy.is_empty(), "{fd:?}");
    assert_ne!(fd.message, fd.remedy);
}

#[test]
fn healthy_card_on_contract_is_ready() {
    let v = judge(&cpe_on(EJ), &centralised(), NOW);
    assert_eq!(v.status, Status::Ready, "{:?}", codes_of(&v));
    assert_eq!(codes_of(&v), vec![codes::CONTRACT_MATCH]);
    assert_eq!(finding(&v, codes::CONTRACT_MATCH).severity, Severity::Info);
}

#[test]
fn not_a_cpx_card_is_error_alone() {
    let mut r = cpe_on(EJ);
    r.family = CardFamily::NotCpx;
    r.atr = "3B 6F 00 FF 00 56 72 75 54".into();
    r.kind = CardKind::Unknown;
    r.structure = None;
    r.certificates.clear();
    r.pin_state = None;
    r.pin_tries_left = None;
    let v = judge(&r, &centralised(), NOW);
    assert_eq!(v.status, Status::NotReady);
    assert_eq!(codes_of(&v), vec![codes::NOT_A_CPX_CARD]);
    let fd = finding(&v, codes::NOT_A_CPX_CARD);
    assert_eq!(fd.severity, Severity::Error);
    assert!(fd.message.contains("3B 6F 00 FF"), "{}", fd.message);
    assert_french(fd);
}

#[test]
fn card_without_certificates_is_error() {
    let mut r = cpe_on(EJ);
    r.certificates.clear();
    r.trust = None;
    let v = judge(&r, &centralised(), NOW);
    assert_eq!(finding(&v, codes::NO_CERTIFICATE).severity, Severity::Error);
    assert_eq!(v.status, Status::NotReady);
    r.family = CardFamily::CpsLegacy;
    let v = judge(&r, &centralised(), NOW);
    let fd = finding(&v, codes::NO_CERTIFICATE);
    assert!(fd.message.contains("ancienne génération"), "{}", fd.message);
    assert!(fd.remedy.contains("CPS3 ou CPS4"), "{}", fd.remedy);
}

#[test]
fn card_expired() {
    let mut r = cpe_on(EJ);
    r.not_after = Some(datetime!(2026-11-01 00:00 UTC));
    let v = judge(&r, &centralised(), NOW);
    let fd = finding(&v, codes::CARD_EXPIRED);
    assert_eq!(fd.severity, Severity::Error);
    assert!(fd.message.contains("01/11/2026"), "{}", fd.message);
    assert!(fd.remedy.contains("F301"), "{}", fd.remedy);
    assert_no(&v, codes::CARD_EXPIRES_SOON);
    assert_eq!(v.status, Status::NotReady);
    // Exactly at notAfter: expired.
    r.not_after = Some(NOW);
    assert!(codes_of(&judge(&r, &centralised(), NOW)).contains(&codes::CARD_EXPIRED));
}

#[test]
fn card_not_yet_valid() {
    let mut r = cpe_on(EJ);
    r.not_before = Some(NOW + Duration::days(2));
    let v = judge(&r, &centralised(), NOW);
    let fd = finding(&v, codes::CARD_NOT_YET_VALID);
    assert_eq!(fd.severity, Severity::Error);
    assert!(fd.message.contains("01/12/2026"), "{}", fd.message);
    assert_eq!(v.status, Status::NotReady);
}

#[test]
fn card_expires_soon_uses_configured_horizon() {
    let mut r = cpe_on(EJ);
    r.not_after = Some(NOW + Duration::days(20));
    let v = judge(&r, &centralised(), NOW);
    let fd = finding(&v, codes::CARD_EXPIRES_SOON);
    assert_eq!(fd.severity, Severity::Warning);
    assert!(fd.message.contains("20 jours"), "{}", fd.message);
    assert_eq!(v.status, Status::Warning);

    // Horizon of 10 days: 20 days left is fine.
    let mut cfg = centralised();
    cfg.checks = Checks {
        expiry_warning_days: 10,
        ..Checks::default()
    };
    let v = judge(&r, &cfg, NOW);
    assert_no(&v, codes::CARD_EXPIRES_SOON);
    assert_eq!(v.status, Status::Ready);

    // Default 30: 31 days left is fine, 30 is not.
    r.not_after = Some(NOW + Duration::days(31));
    assert_no(&judge(&r, &centralised(), NOW), codes::CARD_EXPIRES_SOON);
    r.not_after = Some(NOW + Duration::days(30));
    assert!(codes_of(&judge(&r, &centralised(), NOW)).contains(&codes::CARD_EXPIRES_SOON));
}

#[test]
fn pin_blocked() {
    for (state, tries) in [(PinState::Blocked, None), (PinState::TriesLeft, Some(0))] {
        let mut r = cpe_on(EJ);
        r.pin_state = Some(state);
        r.pin_tries_left = tries;
        let v = judge(&r, &centralised(), NOW);
        let fd = finding(&v, codes::PIN_BLOCKED);
        assert_eq!(fd.severity, Severity::Error);
        assert!(fd.remedy.contains("PUK"), "{}", fd.remedy);
        assert_eq!(v.status, Status::NotReady);
    }
}

#[test]
fn pin_tries_low() {
    for n in [1u8, 2] {
        let mut r = cpe_on(EJ);
        r.pin_tries_left = Some(n);
        let v = judge(&r, &centralised(), NOW);
        let fd = finding(&v, codes::PIN_TRIES_LOW);
        assert_eq!(fd.severity, Severity::Warning);
        let expected = if n == 1 { "un seul essai" } else { "2 essais" };
        assert!(fd.message.contains(expected), "{}", fd.message);
        assert_eq!(v.status, Status::Warning);
    }
    let v = judge(&cpe_on(EJ), &centralised(), NOW);
    assert_no(&v, codes::PIN_TRIES_LOW);
}

#[test]
fn pin_verified_is_fine_and_unknown_is_info() {
    let mut r = cpe_on(EJ);
    r.pin_state = Some(PinState::Verified);
    r.pin_tries_left = None;
    let v = judge(&r, &centralised(), NOW);
    assert_eq!(v.status, Status::Ready, "{:?}", codes_of(&v));
    r.pin_state = Some(PinState::Unknown);
    let v = judge(&r, &centralised(), NOW);
    assert_eq!(
        finding(&v, codes::PIN_STATE_UNKNOWN).severity,
        Severity::Info
    );
    assert_eq!(v.status, Status::Ready);
}

#[test]
fn untrusted_certificate() {
    let mut r = cpe_on(EJ);
    r.certificates[1].trust = Trust::Untrusted;
    r.certificates[1].trust_detail = Some(TrustDetail::BadSignature);
    r.trust = Some(Trust::Untrusted);
    let v = judge(&r, &centralised(), NOW);
    let fd = finding(&v, codes::UNTRUSTED_CERTIFICATE);
    assert_eq!(fd.severity, Severity::Error);
    assert!(
        fd.message.contains("signature : signature invalide"),
        "{}",
        fd.message
    );
    assert!(fd.message.contains("signature :"), "{}", fd.message);
    assert_eq!(v.status, Status::NotReady);
}

#[test]
fn test_card_refused_unless_accepted() {
    let mut r = cpe_on(EJ);
    for c in &mut r.certificates {
        c.trust = Trust::Test;
    }
    r.trust = Some(Trust::Test);
    let v = judge(&r, &centralised(), NOW);
    let fd = finding(&v, codes::TEST_CARD);
    assert_eq!(fd.severity, Severity::Error);
    assert!(fd.remedy.contains("accept_test_cards"), "{}", fd.remedy);
    assert_eq!(v.status, Status::NotReady);

    let mut cfg = centralised();
    cfg.checks.accept_test_cards = true;
    let v = judge(&r, &cfg, NOW);
    assert_eq!(finding(&v, codes::TEST_CARD).severity, Severity::Info);
    assert_eq!(v.status, Status::Ready);
}

#[test]
fn certificates_disagree() {
    let mut r = cpe_on(EJ);
    r.disagreements = vec![Disagreement::Structure {
        first: Usage::Authentication,
        first_id: Some("1750712184".into()),
        second: Usage::Signature,
        second_id: Some("1750100125".into()),
    }];
    let v = judge(&r, &centralised(), NOW);
    let fd = finding(&v, codes::CERTIFICATES_DISAGREE);
    assert_eq!(fd.severity, Severity::Error);
    assert!(
        fd.message
            .contains("(1750712184) et le certificat de signature (1750100125)"),
        "{}",
        fd.message
    );
    assert_eq!(v.status, Status::NotReady);
}

#[test]
fn structure_not_finess() {
    let mut r = cpe_on(EJ);
    r.kind = CardKind::CdaCpa;
    if let Some(s) = r.structure.as_mut() {
        s.id = "300000000077081".into();
        s.id_type = StructureIdType::Siret;
        s.number = "00000000077081".into();
    }
    let v = judge(&r, &centralised(), NOW);
    let fd = finding(&v, codes::STRUCTURE_NOT_FINESS);
    assert_eq!(fd.severity, Severity::Error);
    assert!(
        fd.message.contains("SIRET 00000000077081"),
        "{}",
        fd.message
    );
    assert_no(&v, codes::FINESS_MISMATCH);
    assert_eq!(v.status, Status::NotReady);
    // Not contract-dependent: also without a contract.
    let v = judge(&r, &Config::default(), NOW);
    assert!(codes_of(&v).contains(&codes::STRUCTURE_NOT_FINESS));
}

#[test]
fn finess_key_invalid_and_malformed() {
    let v = judge(&cpe_on("010000098"), &centralised(), NOW);
    let fd = finding(&v, codes::FINESS_KEY_INVALID);
    assert_eq!(fd.severity, Severity::Error);
    assert!(fd.message.contains("010000098"));
    // 01 = Ain: ARS Auvergne-Rhône-Alpes.
    assert!(fd.remedy.contains("Auvergne-Rhône-Alpes"), "{}", fd.remedy);
    assert_no(&v, codes::FINESS_MISMATCH);
    assert_eq!(v.status, Status::NotReady);

    let v = judge(&cpe_on("12345"), &centralised(), NOW);
    assert_eq!(
        finding(&v, codes::STRUCTURE_FINESS_MALFORMED).severity,
        Severity::Error
    );
    assert_eq!(v.status, Status::NotReady);
}

#[test]
fn finess_with_letter_is_not_verifiable_info() {
    // The ANS test CPE: FINESS 0B0057881.
    let mut cfg = centralised();
    if let Some(c) = cfg.contract.as_mut() {
        c.ej = f("0B0057881");
        c.egs.clear();
    }
    let v = judge(&cpe_on("0B0057881"), &cfg, NOW);
    assert_eq!(
        finding(&v, codes::FINESS_KEY_NOT_VERIFIABLE).severity,
        Severity::Info
    );
    assert!(codes_of(&v).contains(&codes::CONTRACT_MATCH));
    assert_eq!(v.status, Status::Ready);
}

#[test]
fn cps_structure_unknown_without_pin() {
    let v = judge(&cps(), &centralised(), NOW);
    let fd = finding(&v, codes::STRUCTURE_UNKNOWN_WITHOUT_PIN);
    assert_eq!(fd.severity, Severity::Info);
    assert!(fd.message.contains("CPS"));
    assert!(fd.remedy.contains(EJ), "{}", fd.remedy);
    assert_no(&v, codes::FINESS_MISMATCH);
    assert_eq!(v.status, Status::Unknown);

    let mut cpf = cps();
    cpf.kind = CardKind::Cpf;
    let v = judge(&cpf, &config(ContractMode::Decentralised, &[EG]), NOW);
    let fd = finding(&v, codes::STRUCTURE_UNKNOWN_WITHOUT_PIN);
    assert!(fd.message.contains("CPF"));
    assert!(fd.remedy.contains(EG), "{}", fd.remedy);
    assert_eq!(v.status, Status::Unknown);
}

#[test]
fn establishment_card_without_structure_is_unknown() {
    let mut r = cpe_on(EJ);
    r.structure = None;
    let v = judge(&r, &centralised(), NOW);
    assert_eq!(
        finding(&v, codes::STRUCTURE_UNKNOWN).severity,
        Severity::Warning
    );
    assert_eq!(v.status, Status::Unknown);
}

#[test]
fn contract_not_configured() {
    let v = judge(&cpe_on(OTHER), &Config::default(), NOW);
    let fd = finding(&v, codes::CONTRACT_NOT_CONFIGURED);
    assert_eq!(fd.severity, Severity::Info);
    assert!(
        fd.message.contains("Contrat non configuré"),
        "{}",
        fd.message
    );
    assert_no(&v, codes::FINESS_MISMATCH);
    assert_no(&v, codes::CONTRACT_MATCH);
    assert_eq!(v.status, Status::Ready);
    // A CPS without contract: still unknown, and says the contract is not configured.
    let v = judge(&cps(), &Config::default(), NOW);
    assert!(codes_of(&v).contains(&codes::CONTRACT_NOT_CONFIGURED));
    assert_eq!(v.status, Status::Unknown);
}

/// Centralised/decentralised × card on EJ / on a listed EG / on another FINESS.
#[test]
fn contract_matrix() {
    let cases = [
        (ContractMode::Centralised, EJ, true),
        (ContractMode::Centralised, EG, false),
        (ContractMode::Centralised, OTHER, false),
        (ContractMode::Decentralised, EJ, false),
        (ContractMode::Decentralised, EG, true),
        (ContractMode::Decentralised, OTHER, false),
    ];
    for (mode, on, matches) in cases {
        let v = judge(&cpe_on(on), &config(mode, &[EG]), NOW);
        let case = format!("{mode} card on {on}: {:?}", codes_of(&v));
        if matches {
            assert_eq!(v.status, Status::Ready, "{case}");
            assert!(codes_of(&v).contains(&codes::CONTRACT_MATCH), "{case}");
            assert_no(&v, codes::FINESS_MISMATCH);
            continue;
        }
        assert_eq!(v.status, Status::NotReady, "{case}");
        assert_no(&v, codes::CONTRACT_MATCH);
        let fd = finding(&v, codes::FINESS_MISMATCH);
        assert_eq!(fd.severity, Severity::Error);
        assert!(fd.message.contains(on), "{case}: {}", fd.message);
        assert!(fd.remedy.contains("F301"), "{case}: {}", fd.remedy);
        match mode {
            ContractMode::Centralised => {
                assert!(fd.message.contains("Contrat centralisé"), "{}", fd.message);
                assert!(fd.message.contains(&format!("l'EJ {EJ}")), "{}", fd.message);
                assert!(fd.remedy.contains(EJ), "{}", fd.remedy);
                assert_eq!(
                    fd.message.contains("un site du contrat"),
                    on == EG,
                    "{}",
                    fd.message
                );
            }
            ContractMode::Decentralised => {
                assert!(
                    fd.message.contains("Contrat décentralisé"),
                    "{}",
                    fd.message
                );
                assert!(fd.message.contains(EG), "{}", fd.message);
                assert_eq!(
                    fd.message.contains("l'entité juridique"),
                    on == EJ,
                    "{}",
                    fd.message
                );
            }
        }
    }
}

#[test]
fn status_rule_precedence() {
    let mk = |code: &str, severity| Finding {
        code: code.into(),
        severity,
        message: "m".into(),
        remedy: "r".into(),
    };
    assert_eq!(status(&[]), Status::Ready);
    assert_eq!(status(&[mk("x", Severity::Info)]), Status::Ready);
    assert_eq!(status(&[mk("x", Severity::Warning)]), Status::Warning);
    assert_eq!(
        status(&[
            mk(codes::STRUCTURE_UNKNOWN_WITHOUT_PIN, Severity::Info),
            mk("x", Severity::Warning)
        ]),
        Status::Unknown
    );
    assert_eq!(
        status(&[
            mk(codes::STRUCTURE_UNKNOWN_WITHOUT_PIN, Severity::Info),
            mk("x", Severity::Error)
        ]),
        Status::NotReady
    );
    assert_eq!(
        status(&[mk("x", Severity::Warning), mk("y", Severity::Error)]),
        Status::NotReady
    );
}

#[test]
fn cps_expiring_soon_is_unknown_and_expired_cps_not_ready() {
    let mut r = cps();
    r.not_after = Some(NOW + Duration::days(3));
    let v = judge(&r, &centralised(), NOW);
    assert!(codes_of(&v).contains(&codes::CARD_EXPIRES_SOON));
    assert_eq!(v.status, Status::Unknown);
    r.not_after = Some(NOW - Duration::days(3));
    assert_eq!(judge(&r, &centralised(), NOW).status, Status::NotReady);
}

#[test]
fn findings_sorted_most_severe_first_every_one_french() {
    let mut r = cpe_on(OTHER);
    r.pin_tries_left = Some(1);
    r.not_after = Some(NOW + Duration::days(5));
    r.pin_state = Some(PinState::TriesLeft);
    let v = judge(&r, &centralised(), NOW);
    let sev: Vec<Severity> = v.findings.iter().map(|f| f.severity).collect();
    let mut sorted = sev.clone();
    sorted.sort_by_key(|s| std::cmp::Reverse(*s));
    assert_eq!(sev, sorted);
    assert_eq!(v.findings[0].code, codes::FINESS_MISMATCH);
    v.findings.iter().for_each(assert_french);
}

#[test]
fn revocation_unknown_without_a_crl_yet_or_offline() {
    let mut card = cpe_on(EJ);
    // No CRL address: nothing to say.
    assert!(!codes_of(&judge(&card, &centralised(), NOW)).contains(&codes::REVOCATION_UNKNOWN));
    for c in &mut card.certificates {
        c.crl_urls = vec!["http://igc-sante.esante.gouv.fr/CRL/ACI-ST-PP.crl".into()];
    }
    let v = judge(&card, &centralised(), NOW);
    let f = finding(&v, codes::REVOCATION_UNKNOWN);
    assert_eq!(f.severity, Severity::Info);
    assert!(
        f.message.contains("en cours de téléchargement"),
        "{}",
        f.message
    );
    assert!(
        f.message.contains("AC IGC-SANTE STANDARD PERSONNES"),
        "{}",
        f.message
    );
    // Information only: the card stays ready.
    assert_eq!(v.status, Status::Ready);
    let mut offline = centralised();
    offline.network.offline = true;
    let v = judge(&card, &offline, NOW);
    assert!(finding(&v, codes::REVOCATION_UNKNOWN)
        .message
        .contains("hors ligne"));
    // An untrusted certificate's CRL could not be verified: not asked.
    for c in &mut card.certificates {
        c.trust = Trust::Untrusted;
    }
    let v = judge(&card, &centralised(), NOW);
    assert!(!codes_of(&v).contains(&codes::REVOCATION_UNKNOWN));
    assert!(codes_of(&v).contains(&codes::UNTRUSTED_CERTIFICATE));
}
