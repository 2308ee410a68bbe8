//! End to end: SIGTERM while a card is being read. The agent waits for the read to end, leaves
//! the card as it was (no reset in the emulator's log, still connected) and exits 0.

mod daemon_support;

use std::time::{Duration, Instant};

use cpx_testkit::{CardKind, CardLog, Faults, InsertOptions, PrivatePcscd};
use daemon_support::*;

#[test]
fn sigterm_during_a_read_leaves_the_card_unreset() {
    let pcscd = PrivatePcscd::start(1).unwrap();
    let mut agent = Agent::start(&pcscd);
    agent.wait_status("a reader", |s| reader_count(s) >= 1);
    let log_path = agent.dir.path().join("card.jsonl");
    let options = InsertOptions {
        // Slow answers: the read lasts about a second.
        faults: Faults {
            delay: Some(Duration::from_millis(40)),
            ..Faults::default()
        },
        log: Some(log_path.clone()),
        ..InsertOptions::default()
    };
    let card = pcscd
        .insert(0, card(CardKind::Cpe, Some(EJ)), options)
        .unwrap();
    let deadline = Instant::now() + WAIT;
    while card.apdu_count() < 3 {
        assert!(Instant::now() < deadline, "the read did not start");
        std::thread::sleep(Duration::from_millis(5));
    }
    let status = agent.terminate();
    assert!(status.success(), "{status}: {}", agent.stderr());
    let apdus_at_exit = card.apdu_count();
    std::thread::sleep(Duration::from_millis(200));
    let log = CardLog::load(&log_path).unwrap();
    assert_eq!(log.resets(), 0, "card reset: {:?}", log.entries);
    assert_eq!(log.verifies_with_data(), 0);
    assert!(card.is_connected(), "card still in its reader");
    assert_eq!(card.apdu_count(), apdus_at_exit, "nothing sent after exit");
    let stderr = agent.stderr();
    // The read in progress when the signal came was finished, then the agent stopped.
    let signalled = stderr.find("SIGTERM").expect("SIGTERM logged");
    let read = stderr.find("carte lue").expect("the read finished");
    assert!(signalled < read, "{stderr}");
    for personal in ["GESTIONNAIRE-TEST", "CHARLES", "CPET0002"] {
        assert!(
            !stderr.contains(personal),
            "personal data in info logs: {stderr}"
        );
    }
}
