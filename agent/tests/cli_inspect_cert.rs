//! `cpx-agent inspect-cert`: every certificate of the corpus through the binary, JSON and
//! human output, and malformed input refused with exit 2 and one line on stderr.

mod cli_common;

use cli_common::{corpus, run};
use serde_json::Value;

struct Expected {
    file: &'static str,
    kind: &'static str,
    holder: Option<(&'static str, &'static str, &'static str, &'static str)>,
    structure: Option<(&'static str, &'static str, &'static str)>,
    card_number: Option<&'static str>,
    not_after: &'static str,
    issuer: &'static str,
    trust: &'static str,
    usage: &'static str,
}

const CARD_CERTS: &[Expected] = &[
    Expected {
        file: "cpe_card_standard_auth_30B0057881_CPET0002.pem",
        kind: "CDE/CPE",
        holder: Some((
            "30B0057881/CPET0002",
            "FINESS",
            "ADMINISTRATIF-CH057880002",
            "CHARLES",
        )),
        structure: Some(("10B0057881", "FINESS", "0B0057881")),
        card_number: Some("2600301752"),
        not_after: "2020-03-23T15:16:43Z",
        issuer: "TEST AC IGC-SANTE STANDARD PERSONNES",
        trust: "test",
        usage: "authentication",
    },
    Expected {
        file: "cpe_card_standard_auth_30B0057881_CPET0002_INVALID_SIGNATURE.pem",
        kind: "CDE/CPE",
        holder: Some((
            "30B0057881/CPET0002",
            "FINESS",
            "ADMINISTRATIF-CH057880002",
            "CHARLES",
        )),
        structure: Some(("10B0057881", "FINESS", "0B0057881")),
        card_number: Some("2600301752"),
        not_after: "2020-03-23T15:16:43Z",
        issuer: "TEST AC IGC-SANTE STANDARD PERSONNES",
        trust: "untrusted",
        usage: "authentication",
    },
    Expected {
        file: "cps_card_fort_auth_dentiste_899700041983.pem",
        kind: "CPS",
        holder: Some(("899700041983", "RPPS", "DENTISTE RPPS-ADELI", "GERALDINE")),
        structure: None,
        card_number: Some("2500634598"),
        not_after: "2021-03-15T15:53:45Z",
        issuer: "TEST AC IGC-SANTE FORT PERSONNES",
        trust: "untrusted",
        usage: "authentication",
    },
    Expected {
        file: "cps_card_fort_sign_infirmier_00B6077602.pem",
        kind: "CPS",
        holder: Some(("00B6077602", "ADELI", "INFIRMCH7760", "GUY")),
        structure: None,
        card_number: Some("2800262487"),
        not_after: "2023-05-15T12:08:05Z",
        issuer: "TEST AC IGC-SANTE FORT PERSONNES",
        trust: "untrusted",
        usage: "signature",
    },
    Expected {
        file: "org_elementaire_OU_1_FINESS_10B0039129.pem",
        kind: "unknown",
        holder: None,
        structure: Some(("10B0039129", "FINESS", "0B0039129")),
        card_number: None,
        not_after: "2019-04-16T08:44:50Z",
        issuer: "TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS",
        trust: "test",
        usage: "signature",
    },
    Expected {
        file: "org_elementaire_OU_3_SIRET_300000000077081.pem",
        kind: "unknown",
        holder: None,
        structure: Some(("300000000077081", "SIRET", "00000000077081")),
        card_number: None,
        not_after: "2024-12-23T13:06:17Z",
        issuer: "TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS",
        trust: "test",
        usage: "signature",
    },
    Expected {
        file: "ps_elementaire_sagefemme_899700075064_not_card.pem",
        kind: "CPS",
        holder: Some(("899700075064", "RPPS", "SAGECH0007506", "CECILE")),
        structure: None,
        card_number: None,
        not_after: "2022-07-14T13:43:43Z",
        issuer: "TEST AC IGC-SANTE ELEMENTAIRE PERSONNES",
        trust: "test",
        usage: "signature",
    },
];

fn json_of(file: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = corpus(file);
    let r = run(
        dir.path(),
        &["inspect-cert", "--json", path.to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{file}: {}", r.stderr);
    assert!(r.stderr.is_empty(), "{file}: {}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{file}: {e}\n{}", r.stdout))
}

#[test]
fn every_card_certificate_of_the_corpus_as_json() {
    for e in CARD_CERTS {
        let v = json_of(e.file);
        let f = e.file;
        assert_eq!(v["kind"], e.kind, "{f}");
        match e.holder {
            Some((id, id_type, surname, given)) => {
                assert_eq!(v["holder"]["id"], id, "{f}");
                assert_eq!(v["holder"]["id_type"], id_type, "{f}");
                assert_eq!(v["holder"]["surname"], surname, "{f}");
                assert_eq!(v["holder"]["given_name"], given, "{f}");
            }
            None => assert!(v["holder"].is_null(), "{f}"),
        }
        match e.structure {
            Some((id, id_type, number)) => {
                assert_eq!(v["structure"]["id"], id, "{f}");
                assert_eq!(v["structure"]["id_type"], id_type, "{f}");
                assert_eq!(v["structure"]["number"], number, "{f}");
            }
            None => assert!(v["structure"].is_null(), "{f}"),
        }
        match e.card_number {
            Some(n) => {
                assert_eq!(v["card_number"], n, "{f}");
                assert_eq!(v["card_issuer"], "8025000001", "{f}");
            }
            None => assert!(
                v["card_number"].is_null() && v["card_issuer"].is_null(),
                "{f}"
            ),
        }
        assert_eq!(v["not_after"], e.not_after, "{f}");
        assert!(v["not_before"].as_str().unwrap() < e.not_after, "{f}");
        assert_eq!(v["issuer"]["name"], e.issuer, "{f}");
        assert_eq!(v["trust"], e.trust, "{f}");
        assert_eq!(v["usage"], e.usage, "{f}");
    }
}

#[test]
fn every_file_of_the_corpus_parses() {
    let dir = std::fs::read_dir(corpus("")).unwrap();
    let mut n = 0;
    for entry in dir {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("pem") {
            continue;
        }
        let v = json_of(path.file_name().unwrap().to_str().unwrap());
        assert!(v["issuer"]["name"].is_string(), "{}", path.display());
        n += 1;
    }
    assert!(
        n >= CARD_CERTS.len() + 10,
        "only {n} certificates in the corpus"
    );
}

#[test]
fn production_ca_is_trusted_as_production() {
    let v = json_of("prod_ca_AC_STANDARD_PERSONNES_20130625.pem");
    assert_eq!(v["trust"], "production");
}

#[test]
fn human_output_is_french() {
    let dir = tempfile::tempdir().unwrap();
    let path = corpus("cpe_card_standard_auth_30B0057881_CPET0002.pem");
    let r = run(dir.path(), &["inspect-cert", path.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for needle in [
        "Type de carte",
        "CDE/CPE",
        "30B0057881/CPET0002",
        "FINESS 0B0057881",
        "du 23/03/2017 au 23/03/2020",
        "IGC-Santé de test",
        "authentification",
    ] {
        assert!(
            r.stdout.contains(needle),
            "missing {needle:?} in\n{}",
            r.stdout
        );
    }
}

#[test]
fn der_input_accepted() {
    // Convert the PEM to DER by hand (base64 between the markers).
    let pem =
        std::fs::read_to_string(corpus("cps_card_fort_auth_dentiste_899700041983.pem")).unwrap();
    let b64: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    let der = base64_decode(&b64);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cert.der");
    std::fs::write(&path, &der).unwrap();
    let r = run(
        dir.path(),
        &["inspect-cert", "--json", path.to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["holder"]["id"], "899700041983");

    // Truncated DER: refused.
    std::fs::write(&path, &der[..der.len() / 2]).unwrap();
    let r = run(dir.path(), &["inspect-cert", path.to_str().unwrap()]);
    assert_refused(&r);
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("bad base64 {c}"),
        }
    };
    let bytes: Vec<u8> = s
        .bytes()
        .filter(|c| *c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::new();
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            acc |= val(*c) << (18 - 6 * i);
        }
        let n = chunk.len() * 6 / 8;
        for i in 0..n {
            out.push((acc >> (16 - 8 * i)) as u8);
        }
    }
    out
}

fn assert_refused(r: &cli_common::Run) {
    assert_eq!(r.code, 2, "stdout {} stderr {}", r.stdout, r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert_eq!(
        r.stderr.trim_end().lines().count(),
        1,
        "one line: {:?}",
        r.stderr
    );
    assert!(r.stderr.starts_with("cpx-agent"), "{}", r.stderr);
}

#[test]
fn malformed_input_refused_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[u8]); 5] = [
        ("empty.pem", b""),
        ("junk.pem", b"this is not a certificate\n"),
        (
            "junk-pem.pem",
            b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
        ),
        ("junk.der", &[0x30, 0x82, 0xFF, 0xFF, 0x01, 0x02]),
        (
            "huge-length.der",
            &[0x30, 0x84, 0x7F, 0xFF, 0xFF, 0xFF, 0x00],
        ),
    ];
    for (name, bytes) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let r = run(dir.path(), &["inspect-cert", path.to_str().unwrap()]);
        assert_refused(&r);
        assert!(r.stderr.contains(name), "{name}: {}", r.stderr);
    }
    let missing = dir.path().join("missing.pem");
    let r = run(
        dir.path(),
        &["inspect-cert", "--json", missing.to_str().unwrap()],
    );
    assert_refused(&r);
    assert!(r.stderr.contains("impossible de lire"), "{}", r.stderr);
}

#[test]
fn extra_trust_anchor_from_config_is_used() {
    // Trusting the FORT test CA is impossible (not public), but trusting the standard test root
    // as an extra anchor must keep the CPE at `test`, and an anchor that is a card
    // certificate must not make the tampered one trusted.
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    let anchor = corpus("ca_TEST_AC_RACINE_IGC_SANTE_STANDARD.pem");
    std::fs::write(
        &cfg,
        format!(
            "[checks]\nextra_trust_anchors = [{:?}]\n",
            anchor.to_str().unwrap()
        ),
    )
    .unwrap();
    let bad = corpus("cpe_card_standard_auth_30B0057881_CPET0002_INVALID_SIGNATURE.pem");
    let r = run(
        dir.path(),
        &[
            "inspect-cert",
            "--json",
            "--config",
            cfg.to_str().unwrap(),
            bad.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["trust"], "untrusted");
}

#[test]
fn several_certificates_in_one_pem_give_an_array() {
    let dir = tempfile::tempdir().unwrap();
    let mut both = std::fs::read(corpus("cps_card_fort_auth_dentiste_899700041983.pem")).unwrap();
    both.extend(std::fs::read(corpus("cps_card_fort_sign_infirmier_00B6077602.pem")).unwrap());
    let path = dir.path().join("both.pem");
    std::fs::write(&path, &both).unwrap();
    let r = run(
        dir.path(),
        &["inspect-cert", "--json", path.to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let items = v.as_array().expect("an array");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["holder"]["id"], "899700041983");
    assert_eq!(items[1]["holder"]["id"], "00B6077602");

    let r = run(dir.path(), &["inspect-cert", path.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Certificat 1/2") && r.stdout.contains("Certificat 2/2"));
    assert!(
        r.stdout.contains("40 (chirurgien-dentiste)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("60 (infirmier)"), "{}", r.stdout);
}
