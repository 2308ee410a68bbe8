//! End to end: `[finess] auto_update` in the daemon. `cpx-agent run` (real pcscd, emulated
//! card) updates its FINESS directory from a real local HTTPS server playing data.gouv.fr (its
//! own CA trusted through `[network] ca_files`): the directory's date appears in `/v1/status`
//! and on SSE (`directory_updated`), the card present is judged again with it
//! (`verdict_changed`, without re-insertion), the status page in Chromium shows the date; an
//! agent started again the same day asks nothing (at most daily).

mod daemon_support;
mod page_support;

use std::io::Write;
use std::time::Duration;

use cpx_testkit::http::{Reply, TestServer, TestTls};
use cpx_testkit::{CardKind, InsertOptions, PrivatePcscd};
use daemon_support::*;
use page_support::Browser;
use serde_json::json;

const DAILY: &str =
    "/resources/finess-structures-1/20261203/finess-structures-journalier-20261203.json.gz";
const DATASET: &str = "/api/1/datasets/finess-structures-1/";

fn structures_gz() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../agent/tests/data/finess/synthetic-structures.json"
    );
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(&std::fs::read(path).unwrap()).unwrap();
    e.finish().unwrap()
}

#[test]
fn the_daemon_updates_its_directory_and_judges_again() {
    let tls = TestTls::new();
    let server = TestServer::https(&tls);
    let gz = structures_gz();
    server.set(DAILY, Reply::file(gz.clone(), "application/gzip"));
    server.set(
        DATASET,
        Reply::json(&json!({
            "slug": "finess-structures-1",
            "resources": [{
                "title": "finess-structures-journalier-20261203.json.gz",
                "url": server.url(DAILY),
                "format": "gz",
                "filesize": gz.len(),
                "last_modified": "2026-12-03T03:00:12.000000+00:00"
            }]
        })),
    );
    let pcscd = PrivatePcscd::start(1).unwrap();
    let ca = std::env::temp_dir().join(format!("cpx-https-ca-{}.pem", std::process::id()));
    tls.write_ca(&ca).unwrap();
    let extra = format!(
        "\n[finess]\nauto_update = true\nsource = \"{}\"\n[network]\nca_files = [\"{}\"]\n",
        server.url("/api/1/"),
        ca.display()
    );
    let agent = Agent::start_with(&pcscd, &extra, None);
    agent.wait_status("a reader", |s| reader_count(s) >= 1);
    let sse = agent.events(None, false);
    let snapshot = sse.next();
    assert_eq!(snapshot.name, "snapshot");
    // The update may have come before this client connected (a fast local server): then the
    // snapshot carries the directory and no `directory_updated` follows.
    let updated_before = snapshot.data["finess_directory"]["data_date"] == "2026-11-20";
    // The contract's EJ (750712184) is not in the synthetic directory: once it is there, the
    // card gets `finess_unknown` (a warning).
    let _card = pcscd
        .insert(0, card(CardKind::Cde, Some(EJ)), InsertOptions::default())
        .unwrap();
    let status = agent.wait_status("the directory and the card", |s| {
        s["finess_directory"]["data_date"] == "2026-11-20"
            && finding_codes(card_at(s, 0)).contains(&"finess_unknown".to_string())
    });
    assert_eq!(card_at(&status, 0)["verdict"]["status"], "warning");
    let mut seen = Vec::new();
    while !((updated_before
        || seen
            .iter()
            .any(|e: &SseEvent| e.name == "directory_updated"))
        && seen.iter().any(|e: &SseEvent| e.name == "card_read"))
    {
        seen.push(sse.next());
    }
    match seen.iter().find(|e| e.name == "directory_updated") {
        Some(updated) => assert_eq!(updated.data["directory"]["data_date"], "2026-11-20"),
        None => assert!(updated_before, "no directory_updated: {seen:?}"),
    }
    // The card read before the directory came is judged again; read after, it is judged with
    // it at once. Either way no second insertion, and at most one read.
    assert_eq!(
        seen.iter().filter(|e| e.name == "card_inserted").count(),
        1,
        "{seen:?}"
    );
    assert!(
        agent.stderr().contains("répertoire FINESS mis à jour"),
        "{}",
        agent.stderr()
    );
    assert_eq!(server.requests_for(DATASET).len(), 1);
    assert_eq!(server.requests_for(DAILY).len(), 1);

    // The status page shows the directory's date.
    let mut browser = Browser::start();
    browser.navigate(&agent.url("/"));
    let dom = browser.wait_dom("the directory's date", |d| {
        d.contains("Répertoire FINESS local : données du 20 novembre 2026")
    });
    assert!(dom.contains("importé le"), "{dom}");
    drop(browser);

    // Started again the same day on the same data dir: nothing is asked (at most daily), the
    // directory is there at once.
    let config = agent.dir.path().join("config.toml");
    let mut agent = agent;
    assert!(agent.terminate().success());
    agent.child = spawn_agent(&pcscd, agent.dir.path(), &config);
    let status = agent.wait_status("the directory at start", |s| {
        s["finess_directory"]["data_date"] == "2026-11-20"
    });
    assert!(status["finess_directory"]["imported_at"].is_string());
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        server.requests_for(DATASET).len(),
        1,
        "no second update the same day"
    );
    let _ = std::fs::remove_file(&ca);
}
