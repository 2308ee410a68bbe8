//! End to end: the contract matrix (domain.md §2). The same three cards — on the EJ, on a
//! listed EG, on another FINESS — judged under a centralised then a decentralised contract.

mod e2e_common;

use cpx_testkit::agent::AgentConfig;
use cpx_testkit::card::{CpxCard, CpxCardSpec, SmartCard};
use cpx_testkit::pki::CardCertsBuilder;
use cpx_testkit::{CardKind, InsertOptions, PrivatePcscd};
use e2e_common::*;

fn card(kind: CardKind, finess: &str) -> (Box<dyn SmartCard>, InsertOptions) {
    let certs = CardCertsBuilder::new(kind).finess(finess).build();
    (
        Box::new(CpxCard::new(CpxCardSpec::new(certs))),
        InsertOptions::default(),
    )
}

#[test]
fn centralised_and_decentralised_against_ej_listed_eg_and_other_finess() {
    let pcscd = PrivatePcscd::start(6).unwrap();
    let _inserted = insert_all(
        &pcscd,
        vec![
            card(CardKind::Cde, EJ),
            card(CardKind::Cpe, EG),
            card(CardKind::Cpe, OTHER_FINESS),
            card(CardKind::Cpe, EJ),
            card(CardKind::Cde, EG),
            card(CardKind::Cde, OTHER_FINESS),
        ],
    );
    let n: Vec<String> = pcscd.readers().iter().map(|r| r.name.clone()).collect();
    // (mode, expected (code, status) for a card on EJ, on the listed EG, on another FINESS)
    let cases = [
        (
            centralised(),
            [
                ("contract_match", "ready"),
                ("finess_mismatch", "not_ready"),
                ("finess_mismatch", "not_ready"),
            ],
        ),
        (
            decentralised(),
            [
                ("finess_mismatch", "not_ready"),
                ("contract_match", "ready"),
                ("finess_mismatch", "not_ready"),
            ],
        ),
    ];
    for (contract, expected) in cases {
        let config = AgentConfig::write(Some(&contract)).unwrap();
        let r = run_status(&pcscd, &config);
        for (offset, kinds) in [(0usize, "CPE/CDE first set"), (3, "second set")] {
            for (j, (code, status)) in expected.iter().enumerate() {
                // Second set: EJ, EG, other in the order CPE@EJ, CDE@EG, CDE@other.
                let reader = &n[offset + j];
                let codes = r.codes(reader);
                assert!(
                    codes.contains(&code.to_string()),
                    "{} {kinds} card {j}: {codes:?}",
                    contract.mode
                );
                assert_eq!(
                    r.status(reader).as_deref(),
                    Some(*status),
                    "{} {kinds} {j}",
                    contract.mode
                );
            }
        }
        // The mismatch message names the rule (French first).
        let msg = r.card(&n[2])["verdict"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "finess_mismatch")
            .map(|f| f["message"].as_str().unwrap_or("").to_string())
            .unwrap();
        assert!(msg.contains(OTHER_FINESS), "{msg}");
        assert_eq!(r.code, Some(1));
    }
}

#[test]
fn no_contract_configured_is_said() {
    let pcscd = PrivatePcscd::start(1).unwrap();
    let _inserted = insert_all(&pcscd, vec![card(CardKind::Cpe, EJ)]);
    let config = AgentConfig::write(None).unwrap();
    let r = run_status(&pcscd, &config);
    assert!(r
        .codes(&pcscd.readers()[0].name)
        .contains(&"contract_not_configured".to_string()));
}
