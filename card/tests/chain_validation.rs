//! Chain validation one check at a time: chains made with rcgen (not the testkit PKI, so
//! that each CA can break one rule), validated by `interpret` against a store that trusts
//! their root as a configured test anchor.

use cpx_card::{interpret, interpret_at, CertReport, Trust, TrustStore, Usage};
use rcgen::{
    BasicConstraints, Certificate, CertificateParams, CustomExtension, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
};
use time::macros::datetime;
use time::OffsetDateTime;

struct Ca {
    cert: Certificate,
    key: KeyPair,
}

fn params(cn: &str, from: OffsetDateTime, to: OffsetDateTime) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.distinguished_name.push(DnType::CountryName, "FR");
    p.not_before = from;
    p.not_after = to;
    p
}

fn ca_params(cn: &str, from: OffsetDateTime, to: OffsetDateTime) -> CertificateParams {
    let mut p = params(cn, from, to);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p
}

fn root(cn: &str, from: OffsetDateTime, to: OffsetDateTime) -> Ca {
    let key = KeyPair::generate().unwrap();
    let cert = ca_params(cn, from, to).self_signed(&key).unwrap();
    Ca { cert, key }
}

fn signed(p: CertificateParams, by: &Ca) -> Ca {
    let key = KeyPair::generate().unwrap();
    let cert = p.signed_by(&key, &by.cert, &by.key).unwrap();
    Ca { cert, key }
}

/// An authentication certificate (digitalSignature, EKU clientAuth) valid 2024–2027.
fn auth_params() -> CertificateParams {
    let mut p = params(
        "30B0057881/CPET0002",
        datetime!(2024-01-01 00:00 UTC),
        datetime!(2027-01-01 00:00 UTC),
    );
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    p
}

fn store(cas: &[&Ca]) -> TrustStore {
    let mut s = TrustStore::empty();
    for ca in cas {
        s.add_test_anchor_pem(ca.cert.pem().as_bytes()).unwrap();
    }
    s
}

/// `trust_detail` as the JSON carries it.
fn detail(r: &CertReport) -> String {
    serde_json::to_value(r).unwrap()["trust_detail"]
        .as_str()
        .unwrap()
        .to_string()
}

fn check(leaf: &Ca, trust: &TrustStore) -> CertReport {
    interpret_at(leaf.cert.der(), trust, datetime!(2025-06-01 00:00 UTC)).unwrap()
}

fn long_ago() -> (OffsetDateTime, OffsetDateTime) {
    (
        datetime!(2020-01-01 00:00 UTC),
        datetime!(2040-01-01 00:00 UTC),
    )
}

#[test]
fn a_sound_chain_is_test_trusted_to_its_root() {
    let (a, b) = long_ago();
    let root = root("RACINE DE TEST", a, b);
    let inter = signed(ca_params("AC DE TEST", a, b), &root);
    let leaf = signed(auth_params(), &inter);
    let r = check(&leaf, &store(&[&root, &inter]));
    assert_eq!(r.usage, Usage::Authentication);
    assert_eq!(r.trust, Trust::Test);
    assert_eq!(detail(&r), "chains to RACINE DE TEST");
    // Without the intermediate, no path.
    let r = check(&leaf, &store(&[&root]));
    assert_eq!(
        (r.trust, detail(&r).as_str()),
        (Trust::Untrusted, "issuer unknown")
    );
    // The intermediate alone, configured: trusted as an anchor of its own.
    let r = check(&leaf, &store(&[&inter]));
    assert_eq!(
        (r.trust, detail(&r).as_str()),
        (Trust::Test, "chains to AC DE TEST")
    );
}

#[test]
fn an_expired_card_is_checked_within_its_own_life() {
    // The card expired in 2027; checked in 2030, its chain is checked as of its last second
    // (the judge says `card_expired`, the trust stays what it was).
    let (a, b) = long_ago();
    let root = root("RACINE DE TEST", a, b);
    let leaf = signed(auth_params(), &root);
    let r = interpret_at(
        leaf.cert.der(),
        &store(&[&root]),
        datetime!(2030-01-01 00:00 UTC),
    )
    .unwrap();
    assert_eq!(r.trust, Trust::Test);
    // Interpreted now (after 2027) as well.
    assert_eq!(
        interpret(leaf.cert.der(), &store(&[&root])).unwrap().trust,
        Trust::Test
    );
}

#[test]
fn an_expired_intermediate_is_refused() {
    let (a, b) = long_ago();
    let root = root("RACINE DE TEST", a, b);
    let inter = signed(
        ca_params(
            "AC EXPIREE",
            datetime!(2020-01-01 00:00 UTC),
            datetime!(2025-01-01 00:00 UTC),
        ),
        &root,
    );
    let leaf = signed(auth_params(), &inter);
    let r = check(&leaf, &store(&[&root, &inter]));
    assert_eq!(r.trust, Trust::Untrusted);
    assert_eq!(detail(&r), "CA certificate expired");
}

#[test]
fn a_root_not_yet_valid_is_refused() {
    let root = root(
        "RACINE FUTURE",
        datetime!(2026-01-01 00:00 UTC),
        datetime!(2040-01-01 00:00 UTC),
    );
    let leaf = signed(auth_params(), &root);
    let r = check(&leaf, &store(&[&root]));
    assert_eq!(r.trust, Trust::Untrusted);
    assert_eq!(detail(&r), "CA certificate not yet valid");
}

#[test]
fn an_authentication_certificate_without_client_auth_is_refused() {
    let (a, b) = long_ago();
    let root = root("RACINE DE TEST", a, b);
    let mut p = auth_params();
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf = signed(p, &root);
    let r = check(&leaf, &store(&[&root]));
    assert_eq!(r.usage, Usage::Authentication);
    assert_eq!(r.trust, Trust::Untrusted);
    assert_eq!(detail(&r), "extended key usage does not allow this use");
    // No EKU at all: allowed (RFC 5280, as TLS stacks do).
    let mut p = auth_params();
    p.extended_key_usages = Vec::new();
    let leaf = signed(p, &root);
    assert_eq!(check(&leaf, &store(&[&root])).trust, Trust::Test);
}

#[test]
fn a_signature_certificate_needs_email_protection_when_it_lists_purposes() {
    let (a, b) = long_ago();
    let root = root("RACINE DE TEST", a, b);
    let mut p = auth_params();
    p.key_usages = vec![KeyUsagePurpose::ContentCommitment];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let leaf = signed(p, &root);
    let r = check(&leaf, &store(&[&root]));
    assert_eq!(r.usage, Usage::Signature);
    assert_eq!(detail(&r), "extended key usage does not allow this use");
    let mut p = auth_params();
    p.key_usages = vec![KeyUsagePurpose::ContentCommitment];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::EmailProtection];
    let leaf = signed(p, &root);
    assert_eq!(check(&leaf, &store(&[&root])).trust, Trust::Test);
}

#[test]
fn a_ca_that_may_not_sign_certificates_is_refused() {
    let (a, b) = long_ago();
    let root = root("RACINE DE TEST", a, b);
    let mut p = ca_params("AC SANS KEYCERTSIGN", a, b);
    p.key_usages = vec![KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let inter = signed(p, &root);
    let leaf = signed(auth_params(), &inter);
    let r = check(&leaf, &store(&[&root, &inter]));
    assert_eq!(r.trust, Trust::Untrusted);
    assert_eq!(
        detail(&r),
        "CA key usage does not allow certificate signing"
    );
}

#[test]
fn a_certificate_signed_by_an_end_entity_is_refused() {
    let (a, b) = long_ago();
    let root = root("RACINE DE TEST", a, b);
    let mut p = auth_params();
    p.distinguished_name = rcgen::DistinguishedName::new();
    p.distinguished_name.push(DnType::CommonName, "PAS UNE AC");
    let not_ca = signed(p, &root);
    let leaf = signed(auth_params(), &not_ca);
    let r = check(&leaf, &store(&[&root, &not_ca]));
    assert_eq!(r.trust, Trust::Untrusted);
    assert_eq!(detail(&r), "issuer is not a CA");
}

#[test]
fn a_path_length_constraint_is_enforced() {
    let (a, b) = long_ago();
    let root = root("RACINE DE TEST", a, b);
    let mut p = ca_params("AC PATHLEN 0", a, b);
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    let first = signed(p, &root);
    let second = signed(ca_params("AC SOUS AC", a, b), &first);
    let leaf = signed(auth_params(), &second);
    let r = check(&leaf, &store(&[&root, &first, &second]));
    assert_eq!(r.trust, Trust::Untrusted);
    assert_eq!(detail(&r), "path length constraint exceeded");
    // Without the root, the configured sub-CA is an anchor of its own: nothing above it.
    let r = check(&leaf, &store(&[&second]));
    assert_eq!(
        (r.trust, detail(&r).as_str()),
        (Trust::Test, "chains to AC SOUS AC")
    );
}

#[test]
fn an_unknown_critical_extension_is_refused() {
    let (a, b) = long_ago();
    let root = root("RACINE DE TEST", a, b);
    let mut p = auth_params();
    let mut ext = CustomExtension::from_oid_content(&[1, 2, 250, 1, 999, 1], vec![0x05, 0x00]);
    ext.set_criticality(true);
    p.custom_extensions = vec![ext];
    let leaf = signed(p, &root);
    let r = check(&leaf, &store(&[&root]));
    assert_eq!(r.trust, Trust::Untrusted);
    assert_eq!(detail(&r), "unsupported critical extension");
    // The same extension, not critical: fine.
    let mut p = auth_params();
    p.custom_extensions = vec![CustomExtension::from_oid_content(
        &[1, 2, 250, 1, 999, 1],
        vec![0x05, 0x00],
    )];
    let leaf = signed(p, &root);
    assert_eq!(check(&leaf, &store(&[&root])).trust, Trust::Test);
}

#[test]
fn a_wrong_signature_is_refused() {
    let (a, b) = long_ago();
    let root = root("RACINE DE TEST", a, b);
    // Another root of the same name signs: the trusted one's key does not verify it.
    let impostor = self::root("RACINE DE TEST", a, b);
    let leaf = signed(auth_params(), &impostor);
    let r = check(&leaf, &store(&[&root]));
    assert_eq!(r.trust, Trust::Untrusted);
    assert_eq!(detail(&r), "signature does not verify");
}

#[test]
fn crl_distribution_points_are_read() {
    let (a, b) = long_ago();
    let root = root("RACINE DE TEST", a, b);
    let mut p = auth_params();
    p.crl_distribution_points = vec![rcgen::CrlDistributionPoint {
        uris: vec![
            "http://crl.example.test/ac.crl".into(),
            "ldap://annuaire.example.test/cn=AC?certificateRevocationList".into(),
            "https://crl.example.test/ac.crl".into(),
        ],
    }];
    let leaf = signed(p, &root);
    let r = check(&leaf, &store(&[&root]));
    assert_eq!(
        r.crl_urls,
        vec![
            "http://crl.example.test/ac.crl".to_string(),
            "https://crl.example.test/ac.crl".to_string()
        ]
    );
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["crl_urls"][0], "http://crl.example.test/ac.crl");
    // None: the field is left out of the JSON.
    let leaf = signed(auth_params(), &root);
    let json = serde_json::to_value(check(&leaf, &store(&[&root]))).unwrap();
    assert!(json.get("crl_urls").is_none());
}
