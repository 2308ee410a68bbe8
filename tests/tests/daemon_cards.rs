//! End to end: `cpx-agent run` on a private pcscd with emulated cards. Cards inserted and
//! removed in two readers show in `/v1/status` and on SSE, in order, with increasing ids;
//! an SSE client resumes with `Last-Event-ID`.

mod daemon_support;

use cpx_testkit::agent::reader_id;
use cpx_testkit::{CardKind, InsertOptions, PrivatePcscd};
use daemon_support::*;

#[test]
fn cards_in_two_readers_come_and_go_in_status_and_on_sse_in_order() {
    let pcscd = PrivatePcscd::start(2).unwrap();
    let agent = Agent::start(&pcscd);
    let names: Vec<String> = pcscd.readers().iter().map(|r| r.name.clone()).collect();
    agent.wait_status("two readers", |s| reader_count(s) == 2);
    let sse = agent.events(None, true);
    let snapshot = sse.next();
    assert_eq!(snapshot.name, "snapshot");
    assert_eq!(reader_count(&snapshot.data), 2);
    let mut last_id = snapshot.id.expect("snapshot carries the last event id");

    let cde = pcscd
        .insert(0, card(CardKind::Cde, Some(EJ)), InsertOptions::default())
        .unwrap();
    let cpe = pcscd
        .insert(
            1,
            card(CardKind::Cpe, Some(OTHER_FINESS)),
            InsertOptions::default(),
        )
        .unwrap();
    let status = agent.wait_status("both cards judged", |s| judged_cards(s) == 2);
    let on_contract = &reader_named(&status, &names[0])["card"];
    let outside = &reader_named(&status, &names[1])["card"];
    assert_eq!(on_contract["kind"], "CDE/CPE");
    assert!(
        finding_codes(on_contract).contains(&"contract_match".to_string()),
        "{on_contract:#}"
    );
    assert_eq!(outside["verdict"]["status"], "not_ready", "{outside:#}");
    assert!(finding_codes(outside).contains(&"finess_mismatch".to_string()));

    // Inserted then read, per reader; ids increase by one.
    let mut events = Vec::new();
    while events
        .iter()
        .filter(|e: &&SseEvent| e.name == "card_read")
        .count()
        < 2
    {
        events.push(sse.next());
    }
    for reader in &names {
        let id = reader_id(reader);
        let order: Vec<&str> = events
            .iter()
            .filter(|e| e.data["reader"] == id.as_str())
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(
            order,
            ["card_inserted", "card_read"],
            "{reader}: {events:?}"
        );
    }
    for event in &events {
        let id = event.id.unwrap();
        assert_eq!(id, last_id + 1, "{events:?}");
        last_id = id;
    }
    let read = events.iter().find(|e| e.name == "card_read").unwrap();
    assert!(
        read.data["card"]["holder"]["surname"].is_string(),
        "token: names present"
    );

    cde.remove();
    let removed = sse.until("card_removed");
    assert_eq!(
        removed.last().unwrap().data["reader"],
        reader_id(&names[0]).as_str()
    );
    agent.wait_status("card 0 gone", |s| {
        reader_named(s, &names[0])["card"].is_null()
            && reader_named(s, &names[1])["card"].is_object()
    });
    cpe.remove();
    let removed = sse.until("card_removed");
    assert_eq!(
        removed.last().unwrap().data["reader"],
        reader_id(&names[1]).as_str()
    );
    agent.wait_status("no card", |s| judged_cards(s) == 0);
    let ids: Vec<u64> = events
        .iter()
        .chain(&removed)
        .map(|e| e.id.unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
}

#[test]
fn sse_resumes_after_last_event_id() {
    let pcscd = PrivatePcscd::start(1).unwrap();
    let agent = Agent::start(&pcscd);
    agent.wait_status("a reader", |s| reader_count(s) >= 1);
    let live = agent.events(None, false);
    let start = live.next().id.unwrap();
    let card = pcscd
        .insert(0, card(CardKind::Cps, None), InsertOptions::default())
        .unwrap();
    let mut seen = live.until("card_read");
    card.remove();
    seen.extend(live.until("card_removed"));
    assert!(seen.len() >= 3, "{seen:?}");
    assert!(
        seen.iter()
            .all(|e| e.data["card"]["holder"]["surname"].is_null()),
        "no token: no names"
    );

    // Reconnect as if the connection dropped after the first event seen.
    let resumed = agent.events(Some(seen[0].id.unwrap()), false);
    for expected in &seen[1..] {
        let got = resumed.next();
        assert_eq!((&got.name, got.id), (&expected.name, expected.id));
    }
    assert!(
        resumed.quiet_for(std::time::Duration::from_millis(300)),
        "nothing replayed twice"
    );
    assert!(seen[0].id.unwrap() > start);
}
