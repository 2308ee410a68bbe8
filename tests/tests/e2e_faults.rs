//! End to end: faults during a read. A card pulled out at every APDU index of a read, a reset
//! by another application, garbage and truncated answers, a card dropping its connection, a
//! silent card. The agent never shows a half-read card and reads the next insertion right.

mod e2e_common;

use cpx_testkit::agent::AgentConfig;
use cpx_testkit::card::{CpxCard, SmartCard};
use cpx_testkit::{CardKind, CardLog, Faults, InsertOptions, PrivatePcscd};
use e2e_common::*;
use std::time::Duration;

fn cde() -> Box<dyn SmartCard> {
    Box::new(CpxCard::of_kind(CardKind::Cde))
}

fn with(faults: Faults) -> (Box<dyn SmartCard>, InsertOptions) {
    (
        cde(),
        InsertOptions {
            faults,
            ..Default::default()
        },
    )
}

fn assert_read_right(r: &cpx_testkit::agent::StatusRun, reader: &str, what: &str) {
    let c = r.card(reader);
    assert_eq!(c["kind"], "CDE/CPE", "{what}: {c}");
    assert_eq!(c["holder"]["id"], format!("3{EJ}/CDET0001"), "{what}: {c}");
    assert_eq!(r.status(reader).as_deref(), Some("ready"), "{what}: {c}");
}

/// APDUs of one full read, as the card counted them.
fn apdus_of_a_full_read(pcscd: &PrivatePcscd, config: &AgentConfig) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("card.jsonl");
    let inserted = insert_all(
        pcscd,
        vec![(
            cde(),
            InsertOptions {
                log: Some(log.clone()),
                ..Default::default()
            },
        )],
    );
    let r = run_status(pcscd, config);
    assert_read_right(&r, &pcscd.readers()[0].name, "clean read");
    drop(inserted);
    let n = CardLog::load(&log).unwrap().commands().len();
    eprintln!(
        "a full read is {n} APDUs (agent says {})",
        r.card(&pcscd.readers()[0].name)["apdu_count"]
    );
    n
}

#[test]
fn card_pulled_at_every_apdu_index_of_a_read() {
    let pcscd = PrivatePcscd::start(8).unwrap();
    let config = AgentConfig::write(Some(&centralised())).unwrap();
    let n = apdus_of_a_full_read(&pcscd, &config);
    assert!(n >= 5, "{n}");
    assert!(pcscd.wait_card(0, false, Duration::from_secs(10)).unwrap());
    let names: Vec<String> = pcscd.readers().iter().map(|r| r.name.clone()).collect();
    let indexes: Vec<usize> = (1..=n).collect();
    for batch in indexes.chunks(8) {
        let cards = batch
            .iter()
            .map(|&k| {
                with(Faults {
                    pull_at: Some(k),
                    ..Default::default()
                })
            })
            .collect();
        let inserted = insert_all(&pcscd, cards);
        let r = run_status(&pcscd, &config);
        for (i, &k) in batch.iter().enumerate() {
            assert_absent_or_complete(r.card(&names[i]), &format!("pulled at APDU {k}"));
            assert!(
                inserted[i].wait_disconnected(Duration::from_secs(5)),
                "the card was pulled at APDU {k}"
            );
        }
        drop(inserted);
        // pcscd notices removals within ~400 ms; the next insertion must read right.
        for i in 0..batch.len() {
            assert!(pcscd.wait_card(i, false, Duration::from_secs(10)).unwrap());
        }
        let fresh = insert_all(
            &pcscd,
            batch
                .iter()
                .map(|_| (cde(), InsertOptions::default()))
                .collect(),
        );
        let r = run_status(&pcscd, &config);
        for (i, &k) in batch.iter().enumerate() {
            assert_read_right(
                &r,
                &names[i],
                &format!("insertion after a pull at APDU {k}"),
            );
        }
        drop(fresh);
        for i in 0..batch.len() {
            assert!(pcscd.wait_card(i, false, Duration::from_secs(10)).unwrap());
        }
    }
}

#[test]
fn reset_by_another_application_mid_read() {
    let pcscd = PrivatePcscd::start(4).unwrap();
    let config = AgentConfig::write(Some(&centralised())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ks = [1usize, 5, 12, 20];
    let logs: Vec<_> = ks
        .iter()
        .map(|k| dir.path().join(format!("reset{k}.jsonl")))
        .collect();
    let cards = ks
        .iter()
        .zip(&logs)
        .map(|(&k, log)| {
            (
                cde(),
                InsertOptions {
                    faults: Faults {
                        reset_at: Some(k),
                        ..Default::default()
                    },
                    log: Some(log.clone()),
                    ..Default::default()
                },
            )
        })
        .collect();
    let _inserted = insert_all(&pcscd, cards);
    let names: Vec<String> = pcscd.readers().iter().map(|r| r.name.clone()).collect();
    let first = run_status(&pcscd, &config);
    // The other application's reset lands when the agent's transaction ends (pcscd defers it);
    // the next read meets a card that was reset under it and must still be right.
    std::thread::sleep(Duration::from_millis(300));
    let second = run_status(&pcscd, &config);
    for (i, &k) in ks.iter().enumerate() {
        assert_read_right(&first, &names[i], &format!("read during reset at APDU {k}"));
        assert_read_right(&second, &names[i], &format!("read after reset at APDU {k}"));
        let log = CardLog::load(&logs[i]).unwrap();
        assert!(
            log.entries
                .iter()
                .any(|e| e.event.as_deref() == Some("reset_by_other_application")),
            "the other application reset the card (APDU {k})"
        );
        assert_eq!(log.resets(), 0, "the agent itself never resets the card");
        assert_eq!(log.verifies_with_data(), 0);
    }
}

#[test]
fn bad_answers_and_dropped_connections_never_give_a_half_read_card() {
    let pcscd = PrivatePcscd::start(8).unwrap();
    let config = AgentConfig::write(Some(&centralised())).unwrap();
    let faults = [
        Faults {
            garbage_at: Some(1),
            ..Default::default()
        },
        Faults {
            garbage_at: Some(6),
            ..Default::default()
        },
        Faults {
            garbage_at: Some(15),
            ..Default::default()
        },
        Faults {
            truncated_at: Some(3),
            ..Default::default()
        },
        Faults {
            truncated_at: Some(12),
            ..Default::default()
        },
        Faults {
            bounce_at: Some(2),
            ..Default::default()
        },
        Faults {
            bounce_at: Some(18),
            ..Default::default()
        },
        Faults {
            delay: Some(Duration::from_millis(20)),
            ..Default::default()
        },
    ];
    let inserted = insert_all(&pcscd, faults.iter().cloned().map(with).collect());
    let names: Vec<String> = pcscd.readers().iter().map(|r| r.name.clone()).collect();
    let r = run_status(&pcscd, &config);
    for (i, f) in faults.iter().enumerate() {
        assert_absent_or_complete(r.card(&names[i]), &format!("{f:?}"));
    }
    // Power glitches: the card forgets its selection mid-read, pcscd sees nothing.
    let glitches = [4usize, 9, 16];
    let glitch_pcscd = PrivatePcscd::start(glitches.len()).unwrap();
    let _glitched = insert_all(
        &glitch_pcscd,
        glitches
            .iter()
            .map(|&k| {
                with(Faults {
                    state_lost_at: Some(k),
                    ..Default::default()
                })
            })
            .collect(),
    );
    let g = run_status(&glitch_pcscd, &config);
    for (i, k) in glitches.iter().enumerate() {
        let name = &glitch_pcscd.readers()[i].name;
        assert_absent_or_complete(g.card(name), &format!("state lost at APDU {k}"));
        if g.card(name)["kind"].is_string() {
            assert_read_right(&g, name, &format!("state lost at APDU {k}"));
        }
    }
    assert_read_right(&r, &names[7], "slow card (20 ms per answer)");
    // Faults are one-shot: the next read of the same cards is right.
    let again = run_status(&pcscd, &config);
    for (i, f) in faults.iter().enumerate() {
        if inserted[i].is_connected() {
            assert_read_right(&again, &names[i], &format!("second read after {f:?}"));
        }
    }
}

#[test]
fn silent_card_is_given_up_within_a_bounded_time() {
    let pcscd = PrivatePcscd::start(2).unwrap();
    let config = AgentConfig::write(Some(&centralised())).unwrap();
    let _inserted = insert_all(
        &pcscd,
        vec![
            with(Faults {
                silent_from: Some(1),
                ..Default::default()
            }),
            (cde(), InsertOptions::default()),
        ],
    );
    let r = run_status(&pcscd, &config);
    let names: Vec<String> = pcscd.readers().iter().map(|r| r.name.clone()).collect();
    assert_absent_or_complete(r.card(&names[0]), "silent card");
    assert!(
        r.card(&names[0])["kind"].is_null(),
        "a silent card gives no report"
    );
    // The other reader is not held up by the silent one.
    assert_read_right(&r, &names[1], "card next to a silent one");
    // Bound: the agent's read deadline (generous margin for a loaded 2-core machine).
    assert!(r.elapsed < Duration::from_secs(60), "{:?}", r.elapsed);
    eprintln!("silent card: status gave up after {:?}", r.elapsed);
}
