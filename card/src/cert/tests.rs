use super::*;
use time::macros::datetime;

#[test]
fn every_directory_string_form() {
    assert_eq!(
        directory_string(TAG_UTF8, "Côte-d'Or".as_bytes()).unwrap(),
        "Côte-d'Or"
    );
    assert_eq!(
        directory_string(TAG_PRINTABLE, b"HOPITAL").unwrap(),
        "HOPITAL"
    );
    assert_eq!(directory_string(TAG_IA5, b"a@b.fr").unwrap(), "a@b.fr");
    assert_eq!(directory_string(TAG_TELETEX, b"C\xf4te").unwrap(), "Côte");
    assert_eq!(
        directory_string(TAG_BMP, &[0, b'S', 0, 0xE9, 0, b'e']).unwrap(),
        "Sée"
    );
    // Odd BMP length: no panic.
    assert!(directory_string(TAG_BMP, &[0, b'S', 0]).is_some());
    assert_eq!(
        directory_string(TAG_UNIVERSAL, &[0, 0, 0, 0xE9, 0, 0, 0, b'a']).unwrap(),
        "éa"
    );
    assert_eq!(directory_string(0x04, b"x"), None);
}

#[test]
fn identifier_prefixes() {
    assert_eq!(person_id_type("899700041983"), PersonIdType::Rpps);
    assert_eq!(person_id_type("00B6077602"), PersonIdType::Adeli);
    assert_eq!(person_id_type("30B0057881/CPET0002"), PersonIdType::Finess);
    assert_eq!(person_id_type("512345678901234/X"), PersonIdType::Siret);
    assert_eq!(person_id_type("1234"), PersonIdType::Other);
    assert_eq!(person_id_type(""), PersonIdType::Other);
    for (p, t) in [
        ('1', StructureIdType::Finess),
        ('5', StructureIdType::Finess),
        ('6', StructureIdType::Finess),
        ('2', StructureIdType::Siren),
        ('3', StructureIdType::Siret),
        ('0', StructureIdType::Adeli),
        ('4', StructureIdType::Rpps),
        ('9', StructureIdType::Other),
    ] {
        assert_eq!(structure_id_type(p), t, "{p}");
    }
    for (c, k) in [
        (0, CardKind::Cps),
        (1, CardKind::Cpf),
        (2, CardKind::CdeCpe),
        (3, CardKind::CdaCpa),
        (7, CardKind::Unknown),
    ] {
        assert_eq!(kind_from_code(c), k);
    }
}

fn subject(attrs: &[(&str, &str)]) -> Subject {
    Subject {
        attrs: attrs
            .iter()
            .map(|(o, v)| (o.to_string(), v.to_string()))
            .collect(),
    }
}

#[test]
fn kind_and_structure_from_the_subject() {
    let cpe = subject(&[
        (OID_STATE, "Paris (75)"),
        (OID_ORGANIZATION, "HOPITAL"),
        (OID_ORG_UNIT, "IGC-SANTE TEST"),
        (OID_ORG_UNIT, "60B0057881"),
        (OID_GIVEN_NAME, "A"),
        (OID_CN, "99999"),
        (OID_SURNAME, "B"),
    ]);
    let h = cpe.holder(None).unwrap();
    assert_eq!(kind_from_subject(Some(&h), &cpe), CardKind::CdeCpe);
    let s = cpe.structure().unwrap();
    assert_eq!(
        (s.id.as_str(), s.id_type),
        ("60B0057881", StructureIdType::Finess)
    );
    let cda = subject(&[(OID_CN, "512345678900012/X1"), (OID_SURNAME, "B")]);
    assert_eq!(
        kind_from_subject(cda.holder(None).as_ref(), &cda),
        CardKind::CdaCpa
    );
    let adeli = subject(&[(OID_CN, "012345678"), (OID_GIVEN_NAME, "A")]);
    assert_eq!(
        kind_from_subject(adeli.holder(None).as_ref(), &adeli),
        CardKind::Cps
    );
    let server = subject(&[(OID_CN, "host.example"), (OID_ORG_UNIT, "10B0057881")]);
    assert_eq!(server.holder(None), None);
    assert_eq!(kind_from_subject(None, &server), CardKind::Unknown);
    // Locality when no ST.
    let l = subject(&[(OID_ORG_UNIT, "10B0057881"), (OID_LOCALITY, "Lyon")]);
    assert_eq!(l.structure().unwrap().departement.as_deref(), Some("Lyon"));
}

fn cert(usage: Usage, structure: &str, trust: Trust, day: u8) -> CertReport {
    CertReport {
        kind: CardKind::CdeCpe,
        holder: Some(Holder {
            id: "30B0057881/CPET0002".into(),
            id_type: PersonIdType::Finess,
            surname: Some("S".into()),
            given_name: Some("G".into()),
            title: None,
            profession_code: None,
        }),
        structure: Some(Structure {
            id: structure.into(),
            id_type: StructureIdType::Finess,
            number: structure[1..].into(),
            name: None,
            departement: None,
        }),
        card_number: Some("1".into()),
        card_issuer: Some("8025000001".into()),
        not_before: datetime!(2024-01-01 0:00 UTC),
        not_after: datetime!(2027-01-01 0:00 UTC).replace_day(day).unwrap(),
        issuer: Issuer { name: "X".into() },
        trust,
        trust_detail: None,
        usage,
        serial_number: "01".into(),
        crl_urls: Vec::new(),
        sha256: format!("{usage:?}{structure}{day}"),
    }
}

#[test]
fn combine_takes_earliest_end_weakest_trust_and_lists_disagreements() {
    let atr = crate::scripted::hex_bytes("3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00");
    let agree = combine(
        &atr,
        vec![
            cert(Usage::Signature, "10B0057881", Trust::Production, 5),
            cert(Usage::Authentication, "10B0057881", Trust::Test, 9),
        ],
    );
    assert_eq!(agree.family, crate::report::CardFamily::Cps3);
    assert_eq!(agree.kind, CardKind::CdeCpe);
    assert_eq!(agree.trust, Some(Trust::Test));
    assert_eq!(agree.not_after, Some(datetime!(2027-01-05 0:00 UTC)));
    assert!(agree.disagreements.is_empty(), "{:?}", agree.disagreements);
    assert_eq!(agree.certificates.len(), 2);

    let disagree = combine(
        &atr,
        vec![
            cert(Usage::Authentication, "10B0057881", Trust::Test, 9),
            cert(Usage::Signature, "1750712184", Trust::Untrusted, 9),
        ],
    );
    assert_eq!(disagree.trust, Some(Trust::Untrusted));
    assert_eq!(disagree.structure.unwrap().id, "10B0057881");
    let english: Vec<String> =
        serde_json::from_value(serde_json::to_value(&disagree.disagreements).unwrap()).unwrap();
    assert_eq!(
        english,
        vec!["structure differs between the authentication (10B0057881) and signature (1750712184) certificates"]
    );

    let none = combine(&[0x3B, 0x00], vec![]);
    assert_eq!(none.kind, CardKind::Unknown);
    assert_eq!(none.trust, None);
    assert_eq!(none.not_after, None);
}

#[test]
fn card_number_is_the_ten_digits_after_the_issuer() {
    let split = |v: &str| split_card_number(Some(v.to_string()));
    assert_eq!(
        split("8025000001/2600301752"),
        (Some("8025000001".into()), Some("2600301752".into()))
    );
    // Not seen on cards: kept whole as the number, no issuer.
    assert_eq!(split("2600301752"), (None, Some("2600301752".into())));
    assert_eq!(split("8025000001/"), (None, Some("8025000001/".into())));
    assert_eq!(split_card_number(None), (None, None));
}
