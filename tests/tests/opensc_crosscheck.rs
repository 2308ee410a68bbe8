//! Fidelity of the emulator: OpenSC's own CPx driver (Debian's opensc, pkcs15-tool) reads the
//! emulated card through a private pcscd and finds both certificates and the PIN.

use cpx_testkit::card::{CpxCard, CpxCardSpec, Generation};
use cpx_testkit::pki::{der::pem, CardCertsBuilder};
use cpx_testkit::{CardKind, CardLog, InsertOptions, PrivatePcscd};
use std::process::Command;
use std::time::Duration;

fn pkcs15_tool(pcscd: &PrivatePcscd, args: &[&str]) -> String {
    let (k, v) = pcscd.env();
    let out = Command::new("pkcs15-tool")
        .args(args)
        .env(k, v)
        .output()
        .expect("pkcs15-tool (Debian package opensc)");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "pkcs15-tool {args:?} failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

fn check_card(kind: CardKind, generation: Generation) {
    let pcscd = PrivatePcscd::start(1).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("card.jsonl");
    let certs = CardCertsBuilder::new(kind).build();
    let mut spec = CpxCardSpec::new(certs.clone());
    spec.generation = generation;
    let card = pcscd
        .insert(
            0,
            CpxCard::new(spec),
            InsertOptions {
                log: Some(log.clone()),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(card.wait_powered(Duration::from_secs(5)));

    let listed = pkcs15_tool(&pcscd, &["--list-certificates"]);
    assert!(
        listed.contains("Certificat d'authentification CPS"),
        "{listed}"
    );
    assert!(listed.contains("Certificat de signature CPS"), "{listed}");
    assert!(
        listed.contains("3f000001e001") && listed.contains("3f000001e002"),
        "{listed}"
    );

    for (id, der) in [("01", &certs.auth), ("02", &certs.sign)] {
        let read = pkcs15_tool(&pcscd, &["--read-certificate", id]);
        assert!(read.contains(pem(der).trim()), "certificate {id}: {read}");
    }

    let pins = pkcs15_tool(&pcscd, &["--list-pins"]);
    assert!(pins.contains("Code porteur de la carte CPX"), "{pins}");
    assert!(pins.contains("Reference      : 1"), "{pins}");

    let keys = pkcs15_tool(&pcscd, &["--list-keys"]);
    assert!(
        keys.contains("Cle d'authentification CPS") && keys.contains("sign"),
        "{keys}"
    );
    assert!(
        keys.contains("Cle de signature CPS") && keys.contains("nonRepudiation"),
        "{keys}"
    );
    assert_eq!(keys.matches("ModLength      : 2048").count(), 2, "{keys}");

    card.remove();
    let log = CardLog::load(&log).unwrap();
    assert_eq!(
        log.verifies_with_data(),
        0,
        "OpenSC listing must not use a PIN try"
    );
    // Figures for the notes (not assertions).
    eprintln!(
        "{kind:?} {generation:?}: OpenSC sent {} APDUs for list/read/read/pins/keys",
        log.commands().len()
    );
}

#[test]
fn opensc_lists_and_reads_both_certificates_and_the_pin_of_a_cps3_cpe() {
    check_card(CardKind::Cpe, Generation::Cps3);
}

#[test]
fn opensc_reads_a_cps3_cps_card() {
    check_card(CardKind::Cps, Generation::Cps3);
}

// No CPS4 cross-check: Debian 12's OpenSC 0.23 does not know the CPS4 ATRs (its iasecc driver
// answers "card not matched", even with OPENSC_DRIVER=iasecc).
