//! The CRL cache against real local HTTP and HTTPS servers (cpx-testkit's, with their own
//! test CA trusted through the configuration) serving CRLs made by the testkit PKI: a card
//! revoked, not revoked, a CRL expired, one signed by the wrong CA, garbage, a huge one, a
//! server that never answers; conditional requests; the judge's findings from the cache.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cpx_agent::config::Config;
use cpx_agent::judge;
use cpx_agent::model::verdict::Severity;
use cpx_agent::revocation::fetch::{due, Fetcher, Outcome};
use cpx_agent::revocation::{self, Cache, CertStatus, Unknown};
use cpx_card::{CardReport, TrustStore};
use cpx_testkit::http::{Reply, TestServer, TestTls};
use cpx_testkit::pki::crl::{CrlIssuer, CrlSpec};
use cpx_testkit::pki::{CardCerts, CardCertsBuilder, TestPki};
use cpx_testkit::CardKind;
use time::OffsetDateTime;

const CRL_PATH: &str = "/CRL/ACI-ST-PP-TEST.crl";
const DER: &str = "application/pkix-crl";
/// CPS3 contact ATR (domain.md §3).
const CPS3_ATR: [u8; 17] = [
    0x3B, 0xAC, 0x00, 0x40, 0x2A, 0x00, 0x12, 0x25, 0x00, 0x64, 0x80, 0x00, 0x03, 0x10, 0x00, 0x90,
    0x00,
];

fn trust() -> TrustStore {
    let mut t = TrustStore::builtin();
    t.add_test_anchor_pem(TestPki::get().ca_bundle_pem().as_bytes())
        .unwrap();
    t
}

/// A configuration trusting the test PKI (and, with `tls`, the HTTPS servers' CA).
fn config(dir: &Path, tls: Option<&TestTls>, offline: bool) -> Config {
    let bundle = dir.join("test-ca.pem");
    std::fs::write(&bundle, TestPki::get().ca_bundle_pem()).unwrap();
    let mut text = format!(
        "[checks]\naccept_test_cards = true\nextra_trust_anchors = [\"{}\"]\n[network]\noffline = {offline}\n",
        bundle.display()
    );
    if let Some(tls) = tls {
        let ca = dir.join("https-ca.pem");
        tls.write_ca(&ca).unwrap();
        text.push_str(&format!("ca_files = [\"{}\"]\n", ca.display()));
    }
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    Config::load_file(&path).unwrap()
}

fn card(url: &str) -> (CardCerts, CardReport) {
    let certs = CardCertsBuilder::new(CardKind::Cpe).crl_url(url).build();
    let t = trust();
    let reports = vec![
        cpx_card::interpret(&certs.auth, &t).unwrap(),
        cpx_card::interpret(&certs.sign, &t).unwrap(),
    ];
    let report = cpx_card::combine(&CPS3_ATR, reports);
    (certs, report)
}

fn fetcher(config: &Config, store: &Path) -> Fetcher {
    let client = cpx_agent::net::client(&config.network).unwrap();
    Fetcher::new(client, store.to_path_buf(), config.trust_store())
}

fn run<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

struct Setup {
    _dir: tempfile::TempDir,
    store: PathBuf,
    config: Config,
}

fn setup(tls: Option<&TestTls>) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), tls, false);
    Setup {
        store: dir.path().join("revocation.sqlite"),
        config,
        _dir: dir,
    }
}

fn codes(report: &CardReport, s: &Setup) -> Vec<(String, Severity)> {
    let cache = Cache::open(&s.store).unwrap();
    let v = judge::judge_with(
        report,
        &s.config,
        OffsetDateTime::now_utc(),
        None,
        cache.as_ref(),
    );
    v.findings
        .iter()
        .filter(|f| f.code.starts_with("revocation") || f.code == "card_revoked")
        .map(|f| (f.code.clone(), f.severity))
        .collect()
}

#[test]
fn a_revoked_card_is_found_in_its_crl() {
    let server = TestServer::http();
    let s = setup(None);
    let (certs, report) = card(&server.url(CRL_PATH));
    assert_eq!(report.certificates[0].crl_urls, vec![server.url(CRL_PATH)]);
    // Before any fetch: unknown, at once, from the (empty) cache.
    assert_eq!(
        codes(&report, &s),
        vec![("revocation_unknown".to_string(), Severity::Info)]
    );
    let crl = CrlSpec::new(CrlIssuer::StandardPersonnes)
        .with_others(50)
        .revoke(&certs.auth_serial);
    server.set(CRL_PATH, Reply::file(crl.der(), DER));
    let f = fetcher(&s.config, &s.store);
    let urls = revocation::wanted([&report]);
    assert_eq!(urls, vec![server.url(CRL_PATH)]);
    let done = run(f.refresh(&urls));
    assert_eq!(done, vec![(server.url(CRL_PATH), Outcome::Stored(51))]);
    assert_eq!(
        codes(&report, &s),
        vec![("card_revoked".to_string(), Severity::Error)]
    );
    let cache = Cache::open(&s.store).unwrap().unwrap();
    let status = revocation::status(
        Some(&cache),
        &report.certificates[0],
        false,
        OffsetDateTime::now_utc(),
    );
    assert!(
        matches!(
            status,
            CertStatus::Revoked {
                reason: Some(1),
                ..
            }
        ),
        "{status:?}"
    );
    // The verdict's words name the CA and say what to do.
    let v = judge::judge_with(
        &report,
        &s.config,
        OffsetDateTime::now_utc(),
        None,
        Some(&cache),
    );
    let f = v
        .findings
        .iter()
        .find(|f| f.code == "card_revoked")
        .unwrap();
    assert!(
        f.message.contains("TEST AC IGC-SANTE STANDARD PERSONNES"),
        "{}",
        f.message
    );
    assert!(f.message.contains("clé compromise"), "{}", f.message);
    assert!(f.remedy.contains("F301"), "{}", f.remedy);
    assert_eq!(v.status, cpx_agent::model::verdict::Status::NotReady);
}

#[test]
fn a_card_not_in_its_crl_is_not_revoked_and_the_crl_is_not_fetched_again() {
    let server = TestServer::http();
    let s = setup(None);
    let (_, report) = card(&server.url(CRL_PATH));
    let crl = CrlSpec::new(CrlIssuer::StandardPersonnes).with_others(10);
    server.set(CRL_PATH, Reply::file(crl.der(), DER));
    let f = fetcher(&s.config, &s.store);
    let urls = revocation::wanted([&report]);
    assert_eq!(run(f.refresh(&urls)).len(), 1);
    assert!(codes(&report, &s).is_empty(), "{:?}", codes(&report, &s));
    // At most one fetch per CRL per nextUpdate: asking again fetches nothing.
    assert!(run(f.refresh(&urls)).is_empty());
    assert!(run(f.refresh(&urls)).is_empty());
    assert_eq!(server.requests_for(CRL_PATH).len(), 1);
}

#[test]
fn an_expired_crl_leaves_revocation_unknown_with_its_age() {
    let server = TestServer::http();
    let s = setup(None);
    let (_, report) = card(&server.url(CRL_PATH));
    let crl = CrlSpec::new(CrlIssuer::StandardPersonnes).next_update_in(time::Duration::days(-2));
    server.set(CRL_PATH, Reply::file(crl.der(), DER));
    let f = fetcher(&s.config, &s.store);
    let done = run(f.refresh(&revocation::wanted([&report])));
    assert_eq!(done[0].1, Outcome::Stored(0));
    assert_eq!(
        codes(&report, &s),
        vec![("revocation_unknown".to_string(), Severity::Warning)]
    );
    let cache = Cache::open(&s.store).unwrap();
    let v = judge::judge_with(
        &report,
        &s.config,
        OffsetDateTime::now_utc(),
        None,
        cache.as_ref(),
    );
    let finding = v
        .findings
        .iter()
        .find(|f| f.code == "revocation_unknown")
        .unwrap();
    assert!(finding.message.contains("(9 jours)"), "{}", finding.message);
    // A revoked card stays revoked in an expired CRL.
    let (certs, report) = card(&server.url("/other.crl"));
    let crl = CrlSpec::new(CrlIssuer::StandardPersonnes)
        .next_update_in(time::Duration::days(-1))
        .revoke(&certs.sign_serial);
    server.set("/other.crl", Reply::file(crl.der(), DER));
    run(f.refresh(&revocation::wanted([&report])));
    assert_eq!(
        codes(&report, &s),
        vec![("card_revoked".to_string(), Severity::Error)]
    );
}

#[test]
fn refused_crls_leave_nothing_and_say_why() {
    let server = TestServer::http();
    let s = setup(None);
    let (certs, report) = card(&server.url(CRL_PATH));
    let mut f = fetcher(&s.config, &s.store);
    f.timeout = Duration::from_secs(3);
    f.max_bytes = 1024 * 1024;
    let forged = CrlSpec::new(CrlIssuer::WrongKey).revoke(&certs.auth_serial);
    let mut garbage = b"<html>maintenance</html>".to_vec();
    garbage.extend(std::iter::repeat_n(0x5Au8, 300));
    let big = CrlSpec::new(CrlIssuer::StandardPersonnes).with_others(40_000);
    let cases: Vec<(&str, Reply, &str)> = vec![
        ("/forged.crl", Reply::file(forged.der(), DER), "signature"),
        (
            "/garbage.crl",
            Reply::file(garbage, DER),
            "pas une liste de révocation",
        ),
        ("/big.crl", Reply::file(big.der(), DER), "taille permise"),
        (
            "/endless.crl",
            Reply::Endless {
                declared: 512 * 1024 * 1024,
            },
            "taille permise",
        ),
        ("/gone.crl", Reply::Status(404), "404"),
        ("/hang.crl", Reply::Hang, "3 s"),
        (
            "/truncated.crl",
            Reply::Truncated {
                body: std::sync::Arc::new(
                    CrlSpec::new(CrlIssuer::StandardPersonnes).der()[..200].to_vec(),
                ),
                declared: 5000,
            },
            "",
        ),
    ];
    for (path, reply, why) in cases {
        server.set(path, reply);
        let url = server.url(path);
        let started = Instant::now();
        let done = run(f.refresh(std::slice::from_ref(&url)));
        let Outcome::Failed(reason) = &done[0].1 else {
            panic!("{path}: {:?}", done[0].1);
        };
        assert!(reason.contains(why), "{path}: {reason}");
        assert!(
            started.elapsed() < Duration::from_secs(6),
            "{path}: too long"
        );
        let cache = Cache::open(&s.store).unwrap().unwrap();
        let record = cache.record(&url).unwrap().unwrap();
        assert!(!record.has_crl(), "{path}");
        assert_eq!(record.failures, 1, "{path}");
        assert_eq!(record.last_error.as_deref(), Some(reason.as_str()));
        // What the judge says of a card pointing there: unknown, with the reason.
        let (_, report) = card(&url);
        let status = revocation::status(
            Some(&cache),
            &report.certificates[0],
            false,
            OffsetDateTime::now_utc(),
        );
        assert_eq!(
            status,
            CertStatus::Unknown(Unknown::NotYet {
                last_error: Some(reason.clone())
            }),
            "{path}"
        );
        // A failed attempt is not retried at once.
        assert!(
            run(f.refresh(std::slice::from_ref(&url))).is_empty(),
            "{path}"
        );
    }
    let _ = report;
}

#[test]
fn another_cas_crl_says_nothing_of_the_card() {
    let server = TestServer::http();
    let s = setup(None);
    let (certs, report) = card(&server.url("/fort.crl"));
    // The FORT CA's CRL, listing the card's serial: verified and kept, but the card's issuer
    // is the STANDARD CA: it does not speak for the card.
    let crl = CrlSpec::new(CrlIssuer::FortPersonnes).revoke(&certs.auth_serial);
    server.set("/fort.crl", Reply::file(crl.der(), DER));
    let done = run(fetcher(&s.config, &s.store).refresh(&revocation::wanted([&report])));
    assert_eq!(done[0].1, Outcome::Stored(1));
    assert_eq!(
        codes(&report, &s),
        vec![("revocation_unknown".to_string(), Severity::Info)]
    );
}

#[test]
fn a_changed_crl_is_fetched_with_a_conditional_request() {
    let server = TestServer::http();
    let s = setup(None);
    let (certs, _) = card(&server.url(CRL_PATH));
    let url = server.url(CRL_PATH);
    let first = CrlSpec::new(CrlIssuer::StandardPersonnes);
    server.set(CRL_PATH, Reply::file(first.der(), DER));
    let f = fetcher(&s.config, &s.store);
    run(f.refresh(std::slice::from_ref(&url)));
    let kept = Cache::open(&s.store)
        .unwrap()
        .unwrap()
        .record(&url)
        .unwrap();
    assert!(kept.as_ref().unwrap().etag.is_some());
    // Same CRL on the server: 304, nothing replaced.
    let outcome = run(f.fetch(&url, kept.as_ref()));
    assert_eq!(outcome, Outcome::NotModified);
    let last = server.requests_for(CRL_PATH).pop().unwrap();
    assert_eq!(
        last.header("if-none-match"),
        kept.as_ref().unwrap().etag.as_deref()
    );
    // A newer CRL revoking the card: stored.
    let mut second = CrlSpec::new(CrlIssuer::StandardPersonnes).revoke(&certs.auth_serial);
    second.crl_number = 2;
    second.this_update += time::Duration::minutes(30);
    server.set(CRL_PATH, Reply::file(second.der(), DER));
    assert_eq!(run(f.fetch(&url, kept.as_ref())), Outcome::Stored(1));
    // An older one than kept is refused (no rollback to a CRL without the card).
    server.set(CRL_PATH, Reply::file(first.der(), DER));
    let Outcome::Failed(why) = run(f.fetch(&url, None)) else {
        panic!("older CRL accepted")
    };
    assert!(why.contains("plus ancienne"), "{why}");
    let record = Cache::open(&s.store)
        .unwrap()
        .unwrap()
        .record(&url)
        .unwrap()
        .unwrap();
    assert_eq!(record.crl_number.as_deref(), Some("02"));
    assert_eq!(record.entries, 1);
}

#[test]
fn over_https_with_the_ca_of_the_configuration() {
    let tls = TestTls::new();
    let server = TestServer::https(&tls);
    let (certs, report) = card(&server.url(CRL_PATH));
    let crl = CrlSpec::new(CrlIssuer::StandardPersonnes).revoke(&certs.auth_serial);
    server.set(CRL_PATH, Reply::file(crl.der(), DER));
    // Without the servers' CA: refused (unknown certificate), nothing stored.
    let s = setup(None);
    let done = run(fetcher(&s.config, &s.store).refresh(&revocation::wanted([&report])));
    assert!(matches!(&done[0].1, Outcome::Failed(_)), "{done:?}");
    // With it, through `[network] ca_files`.
    let s = setup(Some(&tls));
    let done = run(fetcher(&s.config, &s.store).refresh(&revocation::wanted([&report])));
    assert_eq!(done[0].1, Outcome::Stored(1));
    assert_eq!(
        codes(&report, &s),
        vec![("card_revoked".to_string(), Severity::Error)]
    );
}

#[test]
fn offline_says_so_and_makes_no_client() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), None, true);
    assert!(matches!(
        cpx_agent::net::client(&config.network),
        Err(cpx_agent::net::NetError::Offline)
    ));
    let (_, report) = card("http://127.0.0.1:9/none.crl");
    let v = judge::judge_with(&report, &config, OffsetDateTime::now_utc(), None, None);
    let f = v
        .findings
        .iter()
        .find(|f| f.code == "revocation_unknown")
        .unwrap();
    assert_eq!(f.severity, Severity::Info);
    assert!(f.message.contains("hors ligne"), "{}", f.message);
}

#[test]
fn when_a_crl_is_due() {
    let now = OffsetDateTime::now_utc();
    let hour = time::Duration::hours(1);
    let base = revocation::CrlRecord {
        url: "http://x/a.crl".into(),
        issuer_cn: Some("AC".into()),
        this_update: Some(now - hour),
        next_update: Some(now + hour),
        crl_number: None,
        entries: 0,
        fetched_at: Some(now - hour),
        etag: None,
        last_modified: None,
        last_attempt: Some(now - hour),
        last_error: None,
        failures: 0,
    };
    assert!(due(None, now));
    assert!(!due(Some(&base), now), "before nextUpdate");
    let late = revocation::CrlRecord {
        next_update: Some(now - time::Duration::minutes(1)),
        last_attempt: Some(now - time::Duration::minutes(5)),
        ..base.clone()
    };
    assert!(
        !due(Some(&late), now),
        "CA late: not more than every 15 min"
    );
    let late = revocation::CrlRecord {
        last_attempt: Some(now - time::Duration::minutes(16)),
        ..late
    };
    assert!(due(Some(&late), now));
    let failed = revocation::CrlRecord {
        this_update: None,
        failures: 3,
        last_attempt: Some(now - time::Duration::minutes(3)),
        ..base.clone()
    };
    assert!(!due(Some(&failed), now), "third failure: 4 min pause");
    let failed = revocation::CrlRecord {
        last_attempt: Some(now - time::Duration::minutes(4)),
        ..failed
    };
    assert!(due(Some(&failed), now));
}
