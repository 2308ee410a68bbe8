//! End to end: pcscd killed and restarted under a running agent → `service_lost`, then
//! `service_restored`, readers and cards back, the agent never restarted.

mod daemon_support;

use std::time::Instant;

use cpx_testkit::{CardKind, InsertOptions, PrivatePcscd};
use daemon_support::*;

#[test]
fn pcscd_killed_and_restarted_is_lost_then_restored_without_restarting_the_agent() {
    let mut pcscd = PrivatePcscd::start(2).unwrap();
    let mut agent = Agent::start(&pcscd);
    let pid = agent.child.id();
    let first = pcscd
        .insert(0, card(CardKind::Cde, Some(EJ)), InsertOptions::default())
        .unwrap();
    agent.wait_status("card judged", |s| judged_cards(s) == 1);
    let sse = agent.events(None, false);
    assert_eq!(sse.next().name, "snapshot");

    pcscd.kill();
    let lost = sse.until("service_lost");
    assert_eq!(lost.len(), 1, "{lost:?}");
    let status = agent.wait_status("service unavailable", |s| s["service"] == "unavailable");
    assert_eq!(reader_count(&status), 0);
    let health: serde_json::Value = agent.get("/healthz").send().unwrap().json().unwrap();
    assert_eq!(health["service"], "unavailable");
    drop(first);

    pcscd.restart().unwrap();
    let restarted = Instant::now();
    let mut events = sse.until("service_restored");
    agent.wait_status("readers back", |s| {
        s["service"] == "running" && reader_count(s) == 2
    });
    eprintln!(
        "service restored {:?} after pcscd restart",
        restarted.elapsed()
    );
    let _again = pcscd
        .insert(1, card(CardKind::Cps, None), InsertOptions::default())
        .unwrap();
    agent.wait_status("card judged after restart", |s| judged_cards(s) == 1);
    events.extend(sse.until("card_read"));
    let names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
    let restored_at = names.iter().position(|n| *n == "service_restored").unwrap();
    assert!(
        names[..restored_at]
            .iter()
            .filter(|n| **n == "reader_removed")
            .count()
            == 2,
        "readers removed when the service went: {names:?}"
    );
    assert!(
        names[restored_at..]
            .iter()
            .filter(|n| **n == "reader_added")
            .count()
            == 2,
        "{names:?}"
    );
    assert!(agent.is_running());
    assert_eq!(agent.child.id(), pid, "same agent process");
}
