use super::*;
use crate::CardKind;
use std::io::Write;
use std::process::Command;

fn write_pem(dir: &std::path::Path, name: &str, ders: &[&[u8]]) -> std::path::PathBuf {
    let p = dir.join(name);
    let mut f = std::fs::File::create(&p).unwrap();
    for d in ders {
        f.write_all(der::pem(d).as_bytes()).unwrap();
    }
    p
}

fn openssl(args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl").args(args).output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn ca_certificates_are_the_same_bytes_every_time() {
    let a = TestPki::build();
    let b = TestPki::build();
    assert_eq!(a.root_fort.cert_der, b.root_fort.cert_der);
    assert_eq!(a.standard_personnes.cert_der, b.standard_personnes.cert_der);
    assert_ne!(a.root_fort.cert_der, a.root_standard.cert_der);
}

#[test]
fn openssl_reads_the_hierarchy_and_verifies_chains() {
    let pki = TestPki::get();
    let dir = tempfile::tempdir().unwrap();
    let roots = write_pem(dir.path(), "roots.pem", &pki.roots());
    let inters = write_pem(dir.path(), "inter.pem", &pki.intermediates());
    let (ok, text) = openssl(&["x509", "-in", roots.to_str().unwrap(), "-noout", "-subject"]);
    assert!(ok, "{text}");
    assert!(
        text.contains("CN = TEST AC RACINE IGC-SANTE FORT") && text.contains("OU = IGC-SANTE TEST"),
        "{text}"
    );
    for kind in [
        CardKind::Cps,
        CardKind::Cpf,
        CardKind::Cde,
        CardKind::Cpe,
        CardKind::Cpa,
    ] {
        let certs = CardCertsBuilder::new(kind).build();
        for (n, c) in [("auth", &certs.auth), ("sign", &certs.sign)] {
            let leaf = write_pem(dir.path(), &format!("{kind:?}_{n}.pem"), &[c]);
            let (ok, text) = openssl(&[
                "verify",
                "-CAfile",
                roots.to_str().unwrap(),
                "-untrusted",
                inters.to_str().unwrap(),
                leaf.to_str().unwrap(),
            ]);
            assert!(ok && text.contains(": OK"), "{kind:?} {n}: {text}");
        }
    }
}

#[test]
fn establishment_card_subject_and_extensions_follow_the_profile() {
    let certs = CardCertsBuilder::new(CardKind::Cpe)
        .finess("0B0057881")
        .structure_name("HOPITAL DES 3 DAMES")
        .card_number("2600301752")
        .build();
    let dir = tempfile::tempdir().unwrap();
    let leaf = write_pem(dir.path(), "cpe.pem", &[&certs.auth]);
    let (ok, text) = openssl(&[
        "x509",
        "-in",
        leaf.to_str().unwrap(),
        "-noout",
        "-text",
        "-nameopt",
        "RFC2253",
    ]);
    assert!(ok, "{text}");
    assert!(
        text.contains("Subject: GN=CHARLES+CN=30B0057881/CPET0002+SN=GESTIONNAIRE-TEST,title=Personnel santé ou social,OU=10B0057881,O=HOPITAL DES 3 DAMES,ST=Paris (0B),C=FR")
            || text.contains("30B0057881/CPET0002"),
        "{text}"
    );
    assert!(
        text.contains("OU=10B0057881,O=HOPITAL DES 3 DAMES"),
        "{text}"
    );
    assert!(
        text.contains("UPN:30B0057881/CPET0002@carte-cps.fr")
            || text.contains("UPN::30B0057881/CPET0002@carte-cps.fr"),
        "{text}"
    );
    assert!(text.contains("Digital Signature"), "{text}");
    assert!(text.contains("Microsoft Smartcard Login"), "{text}");
    assert!(text.contains("1.2.250.1.71.1.2.3"), "{text}");
    assert!(text.contains("8025000001/2600301752"), "{text}");
    assert!(
        !text.contains("1.2.250.1.71.1.2.7"),
        "no profession on a CPE: {text}"
    );
    let sign = write_pem(dir.path(), "cpe_sign.pem", &[&certs.sign]);
    let (_, text) = openssl(&["x509", "-in", sign.to_str().unwrap(), "-noout", "-text"]);
    assert!(
        text.contains("Non Repudiation") && text.contains("E-mail Protection"),
        "{text}"
    );
    assert!(!text.contains("UPN"), "{text}");
}

#[test]
fn cps_subject_has_no_structure_and_a_profession() {
    let certs = CardCertsBuilder::new(CardKind::Cps).build();
    let dir = tempfile::tempdir().unwrap();
    let leaf = write_pem(dir.path(), "cps.pem", &[&certs.auth]);
    let (_, text) = openssl(&[
        "x509",
        "-in",
        leaf.to_str().unwrap(),
        "-noout",
        "-text",
        "-nameopt",
        "RFC2253",
    ]);
    assert!(
        text.contains("title=Médecin,C=FR") || text.contains("title=M"),
        "{text}"
    );
    let subject = text
        .lines()
        .find(|l| l.contains("Subject:"))
        .unwrap_or_default();
    assert!(
        !subject.contains(",O=") && !subject.contains("OU="),
        "{subject}"
    );
    assert!(text.contains("CN=810001234567"), "{text}");
    assert!(text.contains("1.2.250.1.71.1.2.7"), "{text}");
    assert!(text.contains("TEST AC IGC-SANTE FORT PERSONNES"), "{text}");
}

#[test]
fn validity_options_move_the_dates() {
    use x509_like::not_after_days;
    let expired = CardCertsBuilder::new(CardKind::Cps)
        .validity(CertValidity::Expired)
        .build();
    assert!(not_after_days(&expired.auth) < 0);
    let soon = CardCertsBuilder::new(CardKind::Cps)
        .validity(CertValidity::ExpiresInDays(12))
        .build();
    assert_eq!(not_after_days(&soon.auth), 12);
    let future = CardCertsBuilder::new(CardKind::Cps)
        .validity(CertValidity::NotYetValid)
        .build();
    assert!(not_after_days(&future.auth) > 365);
}

#[test]
fn untrusted_issuer_does_not_verify_and_disagreeing_pair_differs() {
    let pki = TestPki::get();
    let dir = tempfile::tempdir().unwrap();
    let roots = write_pem(dir.path(), "roots.pem", &pki.roots());
    let inters = write_pem(dir.path(), "inter.pem", &pki.intermediates());
    let certs = CardCertsBuilder::new(CardKind::Cpe)
        .issuer(IssuerChoice::Unknown)
        .build();
    let leaf = write_pem(dir.path(), "u.pem", &[&certs.auth]);
    let (ok, text) = openssl(&[
        "verify",
        "-CAfile",
        roots.to_str().unwrap(),
        "-untrusted",
        inters.to_str().unwrap(),
        leaf.to_str().unwrap(),
    ]);
    assert!(!ok, "{text}");
    let pair = CardCertsBuilder::new(CardKind::Cpe)
        .disagreeing_sign_structure(StructureId::Finess("010780054".into()))
        .build();
    let a = write_pem(dir.path(), "a.pem", &[&pair.auth]);
    let s = write_pem(dir.path(), "s.pem", &[&pair.sign]);
    let (_, ta) = openssl(&["x509", "-in", a.to_str().unwrap(), "-noout", "-subject"]);
    let (_, ts) = openssl(&["x509", "-in", s.to_str().unwrap(), "-noout", "-subject"]);
    assert!(
        ta.contains("1750712184") && ts.contains("1010780054"),
        "{ta} {ts}"
    );
}

#[test]
fn every_card_gets_its_own_number() {
    let a = CardCertsBuilder::new(CardKind::Cde).build();
    let b = CardCertsBuilder::new(CardKind::Cde).build();
    assert_ne!(a.card_number, b.card_number);
    for n in [&a.card_number, &b.card_number] {
        assert!(
            n.len() == 10 && n.bytes().all(|c| c.is_ascii_digit()),
            "{n}"
        );
    }
}

#[test]
fn string_kinds_are_written_as_asked() {
    for (kind, tag) in [
        (StringKind::Printable, "PRINTABLESTRING"),
        (StringKind::Bmp, "BMPSTRING"),
        (StringKind::Teletex, "T61STRING"),
        (StringKind::Utf8, "UTF8STRING"),
    ] {
        let certs = CardCertsBuilder::new(CardKind::Cpe).strings(kind).build();
        let dir = tempfile::tempdir().unwrap();
        let leaf = write_pem(dir.path(), "x.pem", &[&certs.auth]);
        let (ok, text) = openssl(&["asn1parse", "-in", leaf.to_str().unwrap()]);
        assert!(ok);
        // The surname is the only name attribute after the title (index of the SN value).
        let sn = text
            .lines()
            .skip_while(|l| !l.contains(":surname"))
            .nth(1)
            .unwrap_or_default();
        assert!(sn.contains(tag), "{kind:?}: {sn}\n{text}");
    }
}

/// Reading notAfter back without a parser dependency: via openssl.
mod x509_like {
    pub fn not_after_days(der: &[u8]) -> i64 {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.der");
        std::fs::write(&p, der).unwrap();
        let out = std::process::Command::new("openssl")
            .args([
                "x509",
                "-inform",
                "DER",
                "-in",
                p.to_str().unwrap(),
                "-noout",
                "-enddate",
                "-dateopt",
                "iso_8601",
            ])
            .output()
            .unwrap();
        let s = String::from_utf8_lossy(&out.stdout);
        let date = s.trim().trim_start_matches("notAfter=");
        let fmt = time::format_description::parse_borrowed::<2>(
            "[year]-[month]-[day] [hour]:[minute]:[second]Z",
        )
        .unwrap();
        let t = time::PrimitiveDateTime::parse(date, &fmt)
            .unwrap()
            .assume_utc();
        (t - time::OffsetDateTime::now_utc()).whole_days()
    }
}
