//! End to end: every card kind and card condition, eight readers with cards at once, read by
//! `cpx-agent status --json` through a private pcscd.

mod e2e_common;

use cpx_testkit::agent::AgentConfig;
use cpx_testkit::card::{atr_bytes, CpxCard, CpxCardSpec, Generation, PlainIsoCard, SmartCard};
use cpx_testkit::pki::{CardCertsBuilder, CertValidity, IssuerChoice, StringKind, StructureId};
use cpx_testkit::{CardKind, InsertOptions, PrivatePcscd};
use e2e_common::*;

fn cpx(b: CardCertsBuilder) -> Box<dyn SmartCard> {
    Box::new(CpxCard::new(CpxCardSpec::new(b.build())))
}

fn spec(b: CardCertsBuilder, f: impl FnOnce(&mut CpxCardSpec)) -> Box<dyn SmartCard> {
    let mut s = CpxCardSpec::new(b.build());
    f(&mut s);
    Box::new(CpxCard::new(s))
}

fn plain(c: Box<dyn SmartCard>) -> (Box<dyn SmartCard>, InsertOptions) {
    (c, InsertOptions::default())
}

#[test]
fn every_card_kind_in_eight_readers_at_once() {
    let pcscd = PrivatePcscd::start(8).unwrap();
    let config = AgentConfig::write(Some(&centralised())).unwrap();
    let cards = vec![
        plain(cpx(CardCertsBuilder::new(CardKind::Cps))),
        plain(cpx(CardCertsBuilder::new(CardKind::Cpf))),
        plain(cpx(CardCertsBuilder::new(CardKind::Cde).finess(EJ))),
        plain(cpx(CardCertsBuilder::new(CardKind::Cpe).finess(EJ))),
        plain(cpx(CardCertsBuilder::new(CardKind::Cpa))),
        plain(Box::new(PlainIsoCard)),
        plain(cpx(CardCertsBuilder::new(CardKind::Cpe)
            .finess(EJ)
            .validity(CertValidity::Expired))),
        plain(cpx(CardCertsBuilder::new(CardKind::Cpe)
            .finess(EJ)
            .issuer(IssuerChoice::Unknown))),
    ];
    let _inserted = insert_all(&pcscd, cards);
    let r = run_status(&pcscd, &config);
    let names: Vec<String> = pcscd.readers().iter().map(|r| r.name.clone()).collect();
    assert_eq!(r.json["service"], "running");
    assert_eq!(r.code, Some(1), "not every card is ready");

    let cps = r.card(&names[0]);
    assert_eq!(cps["kind"], "CPS", "{cps}");
    assert_eq!(cps["holder"]["id"], "810001234567");
    assert_eq!(cps["holder"]["id_type"], "RPPS");
    assert_eq!(cps["holder"]["surname"], "MEDECIN-TEST");
    assert!(cps["structure"].is_null(), "{cps}");
    assert_eq!(cps["family"], "cps3");
    assert_eq!(cps["pin_tries_left"], 3);
    assert!(r
        .codes(&names[0])
        .contains(&"structure_unknown_without_pin".to_string()));

    assert_eq!(r.card(&names[1])["kind"], "CPF");

    for i in [2, 3] {
        let c = r.card(&names[i]);
        assert_eq!(c["kind"], "CDE/CPE", "{c}");
        assert_eq!(c["structure"]["number"], EJ, "{c}");
        assert_eq!(c["structure"]["id_type"], "FINESS");
        assert_eq!(c["structure"]["name"], "HOPITAL DE TEST");
        assert_eq!(r.status(&names[i]).as_deref(), Some("ready"), "{c}");
        assert!(r.codes(&names[i]).contains(&"contract_match".to_string()));
    }
    assert_eq!(r.card(&names[2])["holder"]["id"], format!("3{EJ}/CDET0001"));
    assert_eq!(r.card(&names[3])["holder"]["id"], format!("3{EJ}/CPET0002"));

    let cpa = r.card(&names[4]);
    assert_eq!(cpa["kind"], "CDA/CPA", "{cpa}");
    assert_eq!(cpa["structure"]["id_type"], "SIRET");
    assert!(r
        .codes(&names[4])
        .contains(&"structure_not_finess".to_string()));
    assert_eq!(r.status(&names[4]).as_deref(), Some("not_ready"));

    let other = r.card(&names[5]);
    assert_eq!(other["atr"], hex_spaced(atr_bytes::PLAIN_ISO), "{other}");
    assert!(
        r.codes(&names[5]).contains(&"not_a_cpx_card".to_string()),
        "{other}"
    );

    assert!(r.codes(&names[6]).contains(&"card_expired".to_string()));
    assert_eq!(r.status(&names[6]).as_deref(), Some("not_ready"));
    assert!(r
        .codes(&names[7])
        .contains(&"untrusted_certificate".to_string()));
    assert_ne!(r.status(&names[7]).as_deref(), Some("ready"));
}

fn hex_spaced(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn card_conditions_pin_validity_pairs_generations_and_strings() {
    let pcscd = PrivatePcscd::start(8).unwrap();
    let config = AgentConfig::write(Some(&centralised())).unwrap();
    let cpe = || CardCertsBuilder::new(CardKind::Cpe).finess(EJ);
    let cards = vec![
        plain(spec(cpe(), |s| s.pin_tries_left = 0)),
        plain(spec(cpe(), |s| s.pin_tries_left = 1)),
        plain(cpx(cpe().validity(CertValidity::ExpiresInDays(10)))),
        plain(cpx(cpe().validity(CertValidity::NotYetValid))),
        plain(cpx(cpe().disagreeing_sign_structure(StructureId::Finess(
            OTHER_FINESS.into(),
        )))),
        plain(spec(cpe(), |s| s.generation = Generation::Cps4)),
        plain(cpx(cpe()
            .strings(StringKind::Printable)
            .structure_name("CENTRE HOSPITALIER"))),
        plain(cpx(cpe()
            .strings(StringKind::Bmp)
            .structure_name("Hôpital Sainte-Anne"))),
    ];
    let _inserted = insert_all(&pcscd, cards);
    let r = run_status(&pcscd, &config);
    let n: Vec<String> = pcscd.readers().iter().map(|r| r.name.clone()).collect();

    assert_eq!(r.card(&n[0])["pin_tries_left"], 0, "{}", r.card(&n[0]));
    assert!(r.codes(&n[0]).contains(&"pin_blocked".to_string()));
    assert_eq!(r.status(&n[0]).as_deref(), Some("not_ready"));

    assert_eq!(r.card(&n[1])["pin_tries_left"], 1);
    assert!(r.codes(&n[1]).contains(&"pin_tries_low".to_string()));
    assert_eq!(r.status(&n[1]).as_deref(), Some("warning"));

    assert!(
        r.codes(&n[2]).contains(&"card_expires_soon".to_string()),
        "{:?}",
        r.codes(&n[2])
    );
    assert_eq!(r.status(&n[2]).as_deref(), Some("warning"));

    assert!(r.codes(&n[3]).contains(&"card_not_yet_valid".to_string()));
    assert!(
        r.codes(&n[4])
            .contains(&"certificates_disagree".to_string()),
        "{}",
        r.card(&n[4])
    );

    assert_eq!(r.card(&n[5])["family"], "cps4", "{}", r.card(&n[5]));
    assert_eq!(r.status(&n[5]).as_deref(), Some("ready"));

    assert_eq!(r.card(&n[6])["structure"]["name"], "CENTRE HOSPITALIER");
    assert_eq!(r.card(&n[6])["holder"]["surname"], "GESTIONNAIRE-TEST");
    assert_eq!(r.card(&n[7])["structure"]["name"], "Hôpital Sainte-Anne");
    assert_eq!(r.status(&n[7]).as_deref(), Some("ready"));
}

#[test]
fn two_readers_two_cards() {
    let pcscd = PrivatePcscd::start(2).unwrap();
    let config = AgentConfig::write(Some(&centralised())).unwrap();
    let cards = vec![
        plain(cpx(CardCertsBuilder::new(CardKind::Cde).finess(EJ))),
        plain(cpx(CardCertsBuilder::new(CardKind::Cps))),
    ];
    let _inserted = insert_all(&pcscd, cards);
    let r = run_status(&pcscd, &config);
    let readers = r.json["readers"].as_array().unwrap();
    assert_eq!(readers.len(), 2);
    eprintln!("cpx-agent status, 2 readers with cards: {:?}", r.elapsed);
    assert_eq!(r.card(&pcscd.readers()[0].name)["kind"], "CDE/CPE");
    assert_eq!(r.card(&pcscd.readers()[1].name)["kind"], "CPS");
}

#[test]
fn cps4_with_its_t0_atr_is_read_through_get_response() {
    let pcscd = PrivatePcscd::start(1).unwrap();
    let config = AgentConfig::write(Some(&centralised())).unwrap();
    let cpe = CardCertsBuilder::new(CardKind::Cpe).finess(EJ);
    let _inserted = insert_all(
        &pcscd,
        vec![plain(spec(cpe, |s| s.generation = Generation::Cps4T0))],
    );
    let r = run_status(&pcscd, &config);
    let name = &pcscd.readers()[0].name;
    let c = r.card(name);
    assert_eq!(c["atr"], hex_spaced(atr_bytes::CPS4_T0), "{c}");
    assert_eq!(c["kind"], "CDE/CPE", "{c}");
    assert_eq!(r.status(name).as_deref(), Some("ready"), "{c}");
}
