//! Proxies from the environment (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`), honoured by the
//! agent's HTTP client: a real local proxy (cpx-testkit) between the fetcher and real local
//! HTTP and HTTPS servers. One test in its own binary: the environment is the process's.

use cpx_agent::config::Config;
use cpx_agent::revocation::fetch::{Fetcher, Outcome};
use cpx_testkit::http::{Reply, TestProxy, TestServer, TestTls};
use cpx_testkit::pki::crl::{CrlIssuer, CrlSpec};
use cpx_testkit::pki::TestPki;

fn config(dir: &std::path::Path, tls: &TestTls) -> Config {
    let bundle = dir.join("test-ca.pem");
    std::fs::write(&bundle, TestPki::get().ca_bundle_pem()).unwrap();
    let ca = dir.join("https-ca.pem");
    tls.write_ca(&ca).unwrap();
    let text = format!(
        "[checks]\nextra_trust_anchors = [\"{}\"]\n[network]\nca_files = [\"{}\"]\n",
        bundle.display(),
        ca.display()
    );
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    Config::load_file(&path).unwrap()
}

fn fetch(config: &Config, store: &std::path::Path, url: &str) -> Outcome {
    // The client reads the proxy variables when it is built.
    let client = cpx_agent::net::client(&config.network).unwrap();
    let f = Fetcher::new(client, store.to_path_buf(), config.trust_store());
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(f.fetch(url, None))
}

fn clear_proxy_env() {
    for v in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "no_proxy",
    ] {
        std::env::remove_var(v);
    }
}

#[test]
fn proxies_from_the_environment() {
    clear_proxy_env();
    let tls = TestTls::new();
    let http = TestServer::http();
    let https = TestServer::https(&tls);
    let crl = CrlSpec::new(CrlIssuer::StandardPersonnes).der();
    http.set("/a.crl", Reply::file(crl.clone(), "application/pkix-crl"));
    https.set("/a.crl", Reply::file(crl, "application/pkix-crl"));
    let proxy = TestProxy::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &tls);
    let store = dir.path().join("revocation.sqlite");

    // HTTP_PROXY: a plain HTTP CRL goes through the proxy (absolute-form request).
    std::env::set_var("HTTP_PROXY", proxy.url());
    assert!(matches!(
        fetch(&config, &store, &http.url("/a.crl")),
        Outcome::Stored(0)
    ));
    let seen = proxy.requests();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].target, http.url("/a.crl"));

    // HTTPS_PROXY: an HTTPS CRL goes through a CONNECT tunnel (TLS end to end, the server's
    // certificate still checked against the configured CA).
    std::env::set_var("HTTPS_PROXY", proxy.url());
    let store2 = dir.path().join("revocation2.sqlite");
    assert!(matches!(
        fetch(&config, &store2, &https.url("/a.crl")),
        Outcome::Stored(0)
    ));
    let seen = proxy.requests();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[1].method, "CONNECT");
    assert_eq!(seen[1].target, https.addr().to_string());
    assert_eq!(https.requests_for("/a.crl").len(), 1);

    // NO_PROXY: straight to the server, the proxy sees nothing more.
    std::env::set_var("NO_PROXY", "127.0.0.1");
    let store3 = dir.path().join("revocation3.sqlite");
    assert!(matches!(
        fetch(&config, &store3, &http.url("/a.crl")),
        Outcome::Stored(0)
    ));
    assert_eq!(proxy.requests().len(), 2);
    assert_eq!(http.requests_for("/a.crl").len(), 2);

    // A proxy that does not answer: the fetch fails (and says why), nothing is stored.
    clear_proxy_env();
    std::env::set_var("HTTP_PROXY", "http://127.0.0.1:9");
    let store4 = dir.path().join("revocation4.sqlite");
    let Outcome::Failed(why) = fetch(&config, &store4, &http.url("/a.crl")) else {
        panic!("fetched through a dead proxy")
    };
    assert!(why.contains("connexion impossible"), "{why}");
    clear_proxy_env();
}
