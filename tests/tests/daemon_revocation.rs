//! End to end: revocation through the real pcscd, the emulator and `cpx-agent run`, with the
//! card's CRL served by a real local HTTP server. A revoked card is judged at once
//! (`revocation_unknown`), then turns `card_revoked` on SSE when the CRL arrives, without
//! being re-inserted; with the CRL server not answering, the verdict still comes at once;
//! offline, nothing is fetched.

mod daemon_support;

use std::time::{Duration, Instant};

use cpx_testkit::card::{CpxCard, CpxCardSpec};
use cpx_testkit::http::{Reply, TestServer};
use cpx_testkit::pki::crl::{CrlIssuer, CrlSpec};
use cpx_testkit::pki::CardCertsBuilder;
use cpx_testkit::{CardKind, InsertOptions, PrivatePcscd};
use daemon_support::*;

const CRL_PATH: &str = "/CRL/ACI-ST-PP-TEST.crl";

fn verdict_codes(event: &SseEvent) -> Vec<String> {
    finding_codes(&event.data["card"])
}

#[test]
fn a_revoked_card_turns_card_revoked_on_sse_without_reinsertion() {
    let server = TestServer::http();
    let pcscd = PrivatePcscd::start(1).unwrap();
    let agent = Agent::start(&pcscd);
    agent.wait_status("a reader", |s| reader_count(s) >= 1);
    let certs = CardCertsBuilder::new(CardKind::Cpe)
        .finess(EJ)
        .crl_url(&server.url(CRL_PATH))
        .build();
    // The CRL lists the card; it comes a second after it is asked for, so that the first
    // verdict is surely given before.
    let crl = CrlSpec::new(CrlIssuer::StandardPersonnes)
        .with_others(1000)
        .revoke(&certs.auth_serial);
    server.set(
        CRL_PATH,
        Reply::After(
            Duration::from_millis(1000),
            Box::new(Reply::file(crl.der(), "application/pkix-crl")),
        ),
    );
    let sse = agent.events(None, false);
    assert_eq!(sse.next().name, "snapshot");
    let _card = pcscd
        .insert(
            0,
            CpxCard::new(CpxCardSpec::new(certs)),
            InsertOptions::default(),
        )
        .unwrap();
    let events = sse.until("card_read");
    let read = events.last().unwrap();
    assert_eq!(read.data["card"]["verdict"]["status"], "ready", "{read:?}");
    assert!(
        verdict_codes(read).contains(&"revocation_unknown".to_string()),
        "{read:?}"
    );
    // Then, from the CRL alone: the verdict changes, no new insertion or read.
    let changed = sse.until("verdict_changed");
    // No new insertion or read (the démarche's `checklist_changed` may come between).
    assert!(
        changed
            .iter()
            .all(|e| e.name == "verdict_changed" || e.name == "checklist_changed"),
        "{changed:?}"
    );
    let change = changed.last().unwrap();
    assert_eq!(change.data["from"], "ready");
    assert_eq!(change.data["to"], "not_ready");
    let status = agent.wait_status("card_revoked in the status", |s| {
        finding_codes(card_at(s, 0)).contains(&"card_revoked".to_string())
    });
    let codes = finding_codes(card_at(&status, 0));
    assert!(
        !codes.contains(&"revocation_unknown".to_string()),
        "{codes:?}"
    );
    let finding = card_at(&status, 0)["verdict"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "card_revoked")
        .unwrap()
        .clone();
    assert_eq!(finding["severity"], "error");
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("mise en opposition"),
        "{finding}"
    );
    // One fetch: the CRL is current until its nextUpdate.
    assert_eq!(server.requests_for(CRL_PATH).len(), 1);
    // The cache is on disk, in the data dir.
    assert!(agent
        .dir
        .path()
        .join("data/cpx-agent/revocation.sqlite")
        .exists());
}

#[test]
fn with_the_crl_server_not_answering_the_verdict_comes_at_once() {
    let server = TestServer::http();
    server.set(CRL_PATH, Reply::Hang);
    let pcscd = PrivatePcscd::start(2).unwrap();
    let agent = Agent::start(&pcscd);
    agent.wait_status("two readers", |s| reader_count(s) >= 2);
    let sse = agent.events(None, false);
    assert_eq!(sse.next().name, "snapshot");
    let url = server.url(CRL_PATH);
    let mut cards = Vec::new();
    for (i, number) in ["2600301752", "2600301753"].into_iter().enumerate() {
        let certs = CardCertsBuilder::new(CardKind::Cpe)
            .finess(EJ)
            .card_number(number)
            .crl_url(&url)
            .build();
        cards.push(
            pcscd
                .insert(
                    i,
                    CpxCard::new(CpxCardSpec::new(certs)),
                    InsertOptions::default(),
                )
                .unwrap(),
        );
        let inserted = sse.until("card_inserted");
        let started = Instant::now();
        let read = sse.until("card_read");
        let took = started.elapsed();
        let read = read.last().unwrap();
        println!("card {i}: card_inserted → card_read {took:?} with the CRL server hanging");
        assert_eq!(
            read.data["card"]["verdict"]["status"], "ready",
            "{inserted:?}"
        );
        assert!(verdict_codes(read).contains(&"revocation_unknown".to_string()));
        // Far within the fetch's own bound (120 s): the verdict did not wait for it.
        assert!(took < Duration::from_secs(5), "{took:?}");
    }
    // The fetch is under way (and hanging) meanwhile.
    let deadline = Instant::now() + WAIT;
    while server.requests_for(CRL_PATH).is_empty() {
        assert!(Instant::now() < deadline, "no CRL request");
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = agent.status(false);
    let finding = card_at(&status, 0)["verdict"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "revocation_unknown")
        .unwrap()
        .clone();
    assert_eq!(finding["severity"], "info");
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("en cours de téléchargement"),
        "{finding}"
    );
}

#[test]
fn offline_nothing_is_fetched() {
    let server = TestServer::http();
    let certs = CardCertsBuilder::new(CardKind::Cpe)
        .finess(EJ)
        .crl_url(&server.url(CRL_PATH))
        .build();
    server.set(
        CRL_PATH,
        Reply::file(
            CrlSpec::new(CrlIssuer::StandardPersonnes)
                .revoke(&certs.auth_serial)
                .der(),
            "application/pkix-crl",
        ),
    );
    let pcscd = PrivatePcscd::start(1).unwrap();
    let agent = Agent::start_with(&pcscd, "[network]\noffline = true", None);
    agent.wait_status("a reader", |s| reader_count(s) >= 1);
    let _card = pcscd
        .insert(
            0,
            CpxCard::new(CpxCardSpec::new(certs)),
            InsertOptions::default(),
        )
        .unwrap();
    let status = agent.wait_status("the card judged", |s| judged_cards(s) == 1);
    let finding = card_at(&status, 0)["verdict"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "revocation_unknown")
        .unwrap()
        .clone();
    assert!(
        finding["message"].as_str().unwrap().contains("hors ligne"),
        "{finding}"
    );
    // Past the moment a fetch would have started (at once after the read): none did.
    std::thread::sleep(Duration::from_millis(1500));
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    assert!(agent.stderr().contains("hors ligne"), "{}", agent.stderr());
}
