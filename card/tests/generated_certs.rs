//! Certificates made by the testkit's test PKI (not the card crate: a shared piece would make
//! both wrong together): every card kind × every DirectoryString form, trust, validity, and a
//! pair that disagrees.

use cpx_card::{
    combine, interpret, CardKind, PersonIdType, StructureIdType, Trust, TrustStore, Usage,
};
use cpx_testkit::pki::{CardCertsBuilder, CertValidity, IssuerChoice, StringKind, TestPki};
use cpx_testkit::CardKind as Kind;

/// `trust_detail` as the JSON carries it.
fn detail(r: &cpx_card::CertReport) -> Option<String> {
    let json = serde_json::to_value(r).unwrap();
    json.get("trust_detail")
        .map(|d| d.as_str().unwrap().to_string())
}

/// `disagreements` as the JSON carries them.
fn english(d: &[cpx_card::Disagreement]) -> Vec<String> {
    serde_json::from_value(serde_json::to_value(d).unwrap()).unwrap()
}

fn store() -> TrustStore {
    let mut t = TrustStore::builtin();
    t.add_test_anchor_pem(TestPki::get().ca_bundle_pem().as_bytes())
        .unwrap();
    t
}

#[test]
fn every_kind_in_every_string_form() {
    let trust = store();
    let rows = [
        (Kind::Cps, CardKind::Cps, PersonIdType::Rpps, None),
        (Kind::Cpf, CardKind::Cpf, PersonIdType::Rpps, None),
        (
            Kind::Cde,
            CardKind::CdeCpe,
            PersonIdType::Finess,
            Some(StructureIdType::Finess),
        ),
        (
            Kind::Cpe,
            CardKind::CdeCpe,
            PersonIdType::Finess,
            Some(StructureIdType::Finess),
        ),
        (
            Kind::Cpa,
            CardKind::CdaCpa,
            PersonIdType::Siret,
            Some(StructureIdType::Siret),
        ),
    ];
    for (kind, want_kind, id_type, structure_type) in rows {
        let mut reference = None;
        for strings in [
            StringKind::Utf8,
            StringKind::Printable,
            StringKind::Bmp,
            StringKind::Teletex,
        ] {
            let b = CardCertsBuilder::new(kind).strings(strings);
            let certs = b.build();
            let auth = interpret(&certs.auth, &trust).unwrap();
            let sign = interpret(&certs.sign, &trust).unwrap();
            let what = format!("{kind:?} {strings:?}");
            assert_eq!(auth.kind, want_kind, "{what}");
            assert_eq!(auth.usage, Usage::Authentication, "{what}");
            assert_eq!(sign.usage, Usage::Signature, "{what}");
            assert_eq!(auth.trust, Trust::Test, "{what}");
            assert_eq!(sign.trust, Trust::Test, "{what}");
            let h = auth.holder.clone().unwrap();
            assert_eq!(h.id, certs.id_nat, "{what}");
            assert_eq!(h.id_type, id_type, "{what}");
            assert_eq!(
                h.surname.as_deref(),
                Some(b.holder.surname.as_str()),
                "{what}"
            );
            assert_eq!(
                h.given_name.as_deref(),
                Some(b.holder.given_name.as_str()),
                "{what}"
            );
            assert_eq!(h.title.as_deref(), Some(b.holder.title.as_str()), "{what}");
            assert_eq!(
                h.profession_code.map(i64::from),
                b.holder.profession,
                "{what}"
            );
            assert_eq!(auth.card_number, Some(certs.card_number.clone()), "{what}");
            assert_eq!(auth.card_issuer.as_deref(), Some("8025000001"), "{what}");
            assert_eq!(
                auth.structure.as_ref().map(|s| s.id_type),
                structure_type,
                "{what}"
            );
            if let (Some(s), Some(id)) = (&auth.structure, &b.structure) {
                assert_eq!(s.id, id.id_nat_struct(), "{what}");
                assert_eq!(s.name.as_deref(), Some(b.structure_name.as_str()), "{what}");
            }
            let card = combine(&[0x3B], vec![auth.clone(), sign]);
            assert!(
                card.disagreements.is_empty(),
                "{what}: {:?}",
                card.disagreements
            );
            // Same reading whatever the string form.
            let seen = (auth.holder, auth.structure);
            match &reference {
                None => reference = Some(seen),
                Some(r) => assert_eq!(&seen, r, "{what}"),
            }
        }
    }
}

#[test]
fn unknown_issuer_and_validity() {
    let trust = store();
    let certs = CardCertsBuilder::new(Kind::Cpe)
        .issuer(IssuerChoice::Unknown)
        .build();
    let r = interpret(&certs.auth, &trust).unwrap();
    assert_eq!(r.trust, Trust::Untrusted);
    assert_eq!(detail(&r).as_deref(), Some("issuer unknown"));

    let now = time::OffsetDateTime::now_utc();
    let expired = CardCertsBuilder::new(Kind::Cps)
        .validity(CertValidity::Expired)
        .build();
    assert!(interpret(&expired.auth, &trust).unwrap().not_after < now);
    let later = CardCertsBuilder::new(Kind::Cps)
        .validity(CertValidity::NotYetValid)
        .build();
    assert!(interpret(&later.auth, &trust).unwrap().not_before > now);
    // Without the test PKI's CAs, its certificates do not verify against the real test CAs
    // of the same names.
    let plain = interpret(&certs.auth, &TrustStore::builtin()).unwrap();
    assert_eq!(plain.trust, Trust::Untrusted);
}

#[test]
fn a_pair_that_disagrees_on_the_structure() {
    let trust = store();
    let b = CardCertsBuilder::new(Kind::Cpe)
        .disagreeing_sign_structure(cpx_testkit::pki::StructureId::Finess("750100125".into()));
    let certs = b.build();
    let card = combine(
        &[0x3B],
        vec![
            interpret(&certs.auth, &trust).unwrap(),
            interpret(&certs.sign, &trust).unwrap(),
        ],
    );
    assert_eq!(card.structure.unwrap().id, "1750712184");
    // The holder's idNat carries the FINESS too (3 + FINESS + / + id): it differs as well.
    assert_eq!(
        english(&card.disagreements),
        vec![
            "holder identifier differs between the authentication and signature certificates",
            "structure differs between the authentication (1750712184) and signature (1750100125) certificates"
        ]
    );
}
