//! Every certificate of card/corpus/certs with its expected interpretation written out
//! (values read with `openssl x509 -text`), and malformed inputs answered by errors.

use cpx_card::{
    decode_pem_or_der, interpret, CardKind, CertError, CertReport, PersonIdType, StructureIdType,
    Trust, TrustStore, Usage,
};
use time::macros::datetime;

fn corpus(name: &str) -> Vec<u8> {
    let path = format!("{}/corpus/certs/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `trust_detail` as the JSON carries it.
fn detail(r: &CertReport) -> Option<String> {
    let json = serde_json::to_value(r).unwrap();
    json.get("trust_detail")
        .map(|d| d.as_str().unwrap().to_string())
}

fn read(name: &str) -> CertReport {
    let ders = decode_pem_or_der(&corpus(name)).unwrap();
    assert_eq!(ders.len(), 1, "{name}");
    interpret(&ders[0], &TrustStore::builtin()).unwrap()
}

#[test]
fn cpe_authentication_certificate() {
    let r = read("cpe_card_standard_auth_30B0057881_CPET0002.pem");
    assert_eq!(r.kind, CardKind::CdeCpe);
    let h = r.holder.as_ref().unwrap();
    assert_eq!(h.id, "30B0057881/CPET0002");
    assert_eq!(h.id_type, PersonIdType::Finess);
    assert_eq!(h.surname.as_deref(), Some("ADMINISTRATIF-CH057880002"));
    assert_eq!(h.given_name.as_deref(), Some("CHARLES"));
    assert_eq!(h.title.as_deref(), Some("Personnel santé ou social"));
    assert_eq!(h.profession_code, None);
    let s = r.structure.as_ref().unwrap();
    assert_eq!(s.id, "10B0057881");
    assert_eq!(s.id_type, StructureIdType::Finess);
    assert_eq!(s.number, "0B0057881");
    assert_eq!(s.name.as_deref(), Some("HOPITAL DES 3 DAMES"));
    assert_eq!(s.departement.as_deref(), Some("Paris (75)"));
    assert_eq!(r.card_number.as_deref(), Some("2600301752"));
    assert_eq!(r.card_issuer.as_deref(), Some("8025000001"));
    assert_eq!(r.not_before, datetime!(2017-03-23 15:16:43 UTC));
    assert_eq!(r.not_after, datetime!(2020-03-23 15:16:43 UTC));
    assert_eq!(r.issuer.name, "TEST AC IGC-SANTE STANDARD PERSONNES");
    assert_eq!(r.trust, Trust::Test);
    assert_eq!(
        detail(&r).as_deref(),
        Some("chains to TEST AC RACINE IGC-SANTE STANDARD")
    );
    assert_eq!(r.usage, Usage::Authentication);
    assert_eq!(r.serial_number, "6BC2874B9334BED19414E8EB4FB317D4");
    assert_eq!(r.sha256.len(), 64);
}

#[test]
fn tampered_cpe_certificate_is_untrusted() {
    let good = read("cpe_card_standard_auth_30B0057881_CPET0002.pem");
    let r = read("cpe_card_standard_auth_30B0057881_CPET0002_INVALID_SIGNATURE.pem");
    assert_eq!(r.trust, Trust::Untrusted);
    assert_eq!(detail(&r).as_deref(), Some("signature does not verify"));
    // Same content otherwise.
    assert_eq!(r.holder, good.holder);
    assert_eq!(r.structure, good.structure);
    assert_ne!(r.sha256, good.sha256);
}

#[test]
fn cps_dentist_authentication_certificate() {
    let r = read("cps_card_fort_auth_dentiste_899700041983.pem");
    assert_eq!(r.kind, CardKind::Cps);
    let h = r.holder.as_ref().unwrap();
    assert_eq!(h.id, "899700041983");
    assert_eq!(h.id_type, PersonIdType::Rpps);
    assert_eq!(h.surname.as_deref(), Some("DENTISTE RPPS-ADELI"));
    assert_eq!(h.given_name.as_deref(), Some("GERALDINE"));
    assert_eq!(h.title.as_deref(), Some("Chirurgien-Dentiste"));
    assert_eq!(h.profession_code, Some(40));
    assert_eq!(r.structure, None);
    assert_eq!(r.card_number.as_deref(), Some("2500634598"));
    assert_eq!(r.card_issuer.as_deref(), Some("8025000001"));
    assert_eq!(r.not_before, datetime!(2018-03-16 15:53:45 UTC));
    assert_eq!(r.not_after, datetime!(2021-03-15 15:53:45 UTC));
    assert_eq!(r.issuer.name, "TEST AC IGC-SANTE FORT PERSONNES");
    // The FORT test CA is not public.
    assert_eq!(r.trust, Trust::Untrusted);
    assert_eq!(detail(&r).as_deref(), Some("issuer unknown"));
    assert_eq!(r.usage, Usage::Authentication);
}

#[test]
fn cps_nurse_signature_certificate() {
    let r = read("cps_card_fort_sign_infirmier_00B6077602.pem");
    assert_eq!(r.kind, CardKind::Cps);
    let h = r.holder.as_ref().unwrap();
    assert_eq!(h.id, "00B6077602");
    assert_eq!(h.id_type, PersonIdType::Adeli);
    assert_eq!(h.surname.as_deref(), Some("INFIRMCH7760"));
    assert_eq!(h.given_name.as_deref(), Some("GUY"));
    assert_eq!(h.title.as_deref(), Some("Infirmier"));
    assert_eq!(h.profession_code, Some(60));
    assert_eq!(r.structure, None);
    assert_eq!(r.card_number.as_deref(), Some("2800262487"));
    assert_eq!(r.card_issuer.as_deref(), Some("8025000001"));
    assert_eq!(r.not_before, datetime!(2020-05-15 12:08:05 UTC));
    assert_eq!(r.not_after, datetime!(2023-05-15 12:08:05 UTC));
    assert_eq!(r.issuer.name, "TEST AC IGC-SANTE FORT PERSONNES");
    assert_eq!(r.trust, Trust::Untrusted);
    assert_eq!(detail(&r).as_deref(), Some("issuer unknown"));
    assert_eq!(r.usage, Usage::Signature);
}

#[test]
fn software_person_certificate_without_card_type_falls_back_on_the_subject() {
    let r = read("ps_elementaire_sagefemme_899700075064_not_card.pem");
    // No extension .2: an RPPS holder without structure reads as a CPS.
    assert_eq!(r.kind, CardKind::Cps);
    let h = r.holder.as_ref().unwrap();
    assert_eq!(h.id, "899700075064");
    assert_eq!(h.id_type, PersonIdType::Rpps);
    assert_eq!(h.surname.as_deref(), Some("SAGECH0007506"));
    assert_eq!(h.given_name.as_deref(), Some("CECILE"));
    assert_eq!(h.title.as_deref(), Some("Sage-Femme"));
    assert_eq!(h.profession_code, Some(50));
    assert_eq!(r.structure, None);
    assert_eq!(r.card_number, None);
    assert_eq!(r.card_issuer, None);
    assert_eq!(r.not_before, datetime!(2019-06-14 13:43:43 UTC));
    assert_eq!(r.not_after, datetime!(2022-07-14 13:43:43 UTC));
    assert_eq!(r.issuer.name, "TEST AC IGC-SANTE ELEMENTAIRE PERSONNES");
    assert_eq!(r.trust, Trust::Test);
    assert_eq!(r.usage, Usage::Signature);
}

#[test]
fn organisation_certificate_finess() {
    let r = read("org_elementaire_OU_1_FINESS_10B0039129.pem");
    assert_eq!(r.kind, CardKind::Unknown);
    assert_eq!(r.holder, None);
    let s = r.structure.as_ref().unwrap();
    assert_eq!(s.id, "10B0039129");
    assert_eq!(s.id_type, StructureIdType::Finess);
    assert_eq!(s.number, "0B0039129");
    assert_eq!(s.name.as_deref(), Some("HOPITAL DES 3 DAMES03912"));
    assert_eq!(s.departement.as_deref(), Some("Paris (75)"));
    assert_eq!(r.not_before, datetime!(2016-03-16 09:44:50 UTC));
    assert_eq!(r.not_after, datetime!(2019-04-16 08:44:50 UTC));
    assert_eq!(r.issuer.name, "TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS");
    assert_eq!(r.trust, Trust::Test);
    assert_eq!(r.usage, Usage::Signature);
}

#[test]
fn organisation_certificate_siret() {
    let r = read("org_elementaire_OU_3_SIRET_300000000077081.pem");
    assert_eq!(r.kind, CardKind::Unknown);
    assert_eq!(r.holder, None);
    let s = r.structure.as_ref().unwrap();
    assert_eq!(s.id, "300000000077081");
    assert_eq!(s.id_type, StructureIdType::Siret);
    assert_eq!(s.number, "00000000077081");
    assert_eq!(s.name.as_deref(), Some("MINISTERE DE TEST7708"));
    assert_eq!(s.departement.as_deref(), Some("Côte-d'Or (21)"));
    assert_eq!(r.not_before, datetime!(2021-12-23 13:06:17 UTC));
    assert_eq!(r.not_after, datetime!(2024-12-23 13:06:17 UTC));
    assert_eq!(r.issuer.name, "TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS");
    assert_eq!(r.trust, Trust::Test);
}

#[test]
fn ca_certificates_trust_and_issuers() {
    let rows = [
        (
            "prod_ca_ACR_ELEMENTAIRE_20130625.pem",
            Trust::Production,
            "AC RACINE IGC-SANTE ELEMENTAIRE",
        ),
        (
            "prod_ca_ACR_FORT_20130625.pem",
            Trust::Production,
            "AC RACINE IGC-SANTE FORT",
        ),
        (
            "prod_ca_ACR_STANDARD_20130625.pem",
            Trust::Production,
            "AC RACINE IGC-SANTE STANDARD",
        ),
        (
            "prod_ca_AC_ELEMENTAIRE_ORGANISATIONS_20130625.pem",
            Trust::Production,
            "AC RACINE IGC-SANTE ELEMENTAIRE",
        ),
        (
            "prod_ca_AC_ELEMENTAIRE_PERSONNES_20130625.pem",
            Trust::Production,
            "AC RACINE IGC-SANTE ELEMENTAIRE",
        ),
        (
            "prod_ca_AC_FORT_ORGANISATIONS_20130625.pem",
            Trust::Production,
            "AC RACINE IGC-SANTE FORT",
        ),
        (
            "prod_ca_AC_FORT_PERSONNES_20130625.pem",
            Trust::Production,
            "AC RACINE IGC-SANTE FORT",
        ),
        (
            "prod_ca_AC_STANDARD_ORGANISATIONS_20130625.pem",
            Trust::Production,
            "AC RACINE IGC-SANTE STANDARD",
        ),
        (
            "prod_ca_AC_STANDARD_PERSONNES_20130625.pem",
            Trust::Production,
            "AC RACINE IGC-SANTE STANDARD",
        ),
        (
            "ca_AC_IGC_SANTE_ELEMENTAIRE_ORGANISATIONS.pem",
            Trust::Production,
            "AC RACINE IGC-SANTE ELEMENTAIRE",
        ),
        (
            "ca_TEST_AC_RACINE_IGC_SANTE_ELEMENTAIRE.pem",
            Trust::Test,
            "TEST AC RACINE IGC-SANTE ELEMENTAIRE",
        ),
        (
            "ca_TEST_AC_RACINE_IGC_SANTE_STANDARD.pem",
            Trust::Test,
            "TEST AC RACINE IGC-SANTE STANDARD",
        ),
        (
            "ca_TEST_AC_IGC_SANTE_ELEMENTAIRE_ORGANISATIONS.pem",
            Trust::Test,
            "TEST AC RACINE IGC-SANTE ELEMENTAIRE",
        ),
        (
            "ca_TEST_AC_IGC_SANTE_ELEMENTAIRE_PERSONNES.pem",
            Trust::Test,
            "TEST AC RACINE IGC-SANTE ELEMENTAIRE",
        ),
        (
            "ca_TEST_AC_IGC_SANTE_STANDARD_PERSONNES.pem",
            Trust::Test,
            "TEST AC RACINE IGC-SANTE STANDARD",
        ),
    ];
    for (file, trust, issuer) in rows {
        let r = read(file);
        assert_eq!(r.trust, trust, "{file}");
        assert_eq!(r.issuer.name, issuer, "{file}");
        assert_eq!(r.kind, CardKind::Unknown, "{file}");
        assert_eq!(r.holder, None, "{file}");
        assert_eq!(r.usage, Usage::Other, "{file}");
    }
}

#[test]
fn every_corpus_file_is_covered() {
    let dir = format!("{}/corpus/certs", env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".pem") {
            read(&name);
            n += 1;
        }
    }
    assert_eq!(n, 22);
}

#[test]
fn empty_store_trusts_nothing() {
    let der =
        &decode_pem_or_der(&corpus("cpe_card_standard_auth_30B0057881_CPET0002.pem")).unwrap()[0];
    let r = interpret(der, &TrustStore::empty()).unwrap();
    assert_eq!(r.trust, Trust::Untrusted);
    assert_eq!(detail(&r).as_deref(), Some("issuer unknown"));
}

#[test]
fn extra_test_anchor_counts_as_test() {
    // Only the STANDARD test root, as a configured anchor: the CPE chains through the
    // intermediate only if that is also present, so add the intermediate too.
    let der =
        &decode_pem_or_der(&corpus("cpe_card_standard_auth_30B0057881_CPET0002.pem")).unwrap()[0];
    let mut store = TrustStore::empty();
    store
        .add_test_anchor_pem(&corpus("ca_TEST_AC_IGC_SANTE_STANDARD_PERSONNES.pem"))
        .unwrap();
    let r = interpret(der, &store).unwrap();
    assert_eq!(r.trust, Trust::Test);
    assert!(store.add_test_anchor_pem(b"junk").is_err());
}

#[test]
fn der_input_and_multi_block_pem() {
    let pem = corpus("cpe_card_standard_auth_30B0057881_CPET0002.pem");
    let der = decode_pem_or_der(&pem).unwrap().remove(0);
    assert_eq!(decode_pem_or_der(&der).unwrap(), vec![der.clone()]);
    // Padded DER (as read from a card file) gives the certificate alone.
    let mut padded = der.clone();
    padded.extend([0u8; 40]);
    assert_eq!(decode_pem_or_der(&padded).unwrap(), vec![der.clone()]);
    let mut two = pem.clone();
    two.extend(b"\nsome text between\n");
    two.extend(corpus("cps_card_fort_auth_dentiste_899700041983.pem"));
    assert_eq!(decode_pem_or_der(&two).unwrap().len(), 2);
}

#[test]
fn malformed_input_is_an_error_never_a_panic() {
    assert_eq!(decode_pem_or_der(b""), Err(CertError::Empty));
    assert_eq!(decode_pem_or_der(b"  \n"), Err(CertError::Empty));
    assert_eq!(decode_pem_or_der(b"hello"), Err(CertError::NoCertificate));
    assert!(matches!(
        decode_pem_or_der(b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"),
        Err(CertError::Pem(_))
    ));
    assert!(decode_pem_or_der(b"-----BEGIN CERTIFICATE-----\nMIIB\n").is_err());
    assert_eq!(
        decode_pem_or_der(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
        Err(CertError::NoCertificate)
    );
    assert!(decode_pem_or_der(&[0xFF, 0xFE, 0x00]).is_err());
    let der = decode_pem_or_der(&corpus("cps_card_fort_sign_infirmier_00B6077602.pem"))
        .unwrap()
        .remove(0);
    let trust = TrustStore::builtin();
    assert_eq!(interpret(&[], &trust), Err(CertError::Empty));
    // Every truncation of a real certificate is refused.
    for n in (1..der.len()).step_by(7) {
        assert!(interpret(&der[..n], &trust).is_err(), "truncated at {n}");
        assert!(decode_pem_or_der(&der[..n]).is_err(), "truncated at {n}");
    }
    // Flipped bytes: an error or some interpretation, never a panic.
    for i in (0..der.len()).step_by(3) {
        let mut d = der.clone();
        d[i] ^= 0x5A;
        let _ = interpret(&d, &trust);
    }
}
