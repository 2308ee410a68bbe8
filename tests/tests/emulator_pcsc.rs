//! The emulator through a real private pcscd, read with the pcsc crate.
//! One pcscd for this whole test binary: libpcsclite reads PCSCLITE_CSOCK_NAME once per process.

use cpx_testkit::card::{CpxCard, PlainIsoCard};
use cpx_testkit::{wait_present, CardKind, CardLog, Faults, InsertOptions, SharedPcscd};
use pcsc::{Context, Disposition, Protocols, Scope, ShareMode};
use std::ffi::CString;
use std::time::{Duration, Instant};

fn transmit(card: &pcsc::Card, apdu: &[u8]) -> Vec<u8> {
    let mut buf = [0u8; 300];
    card.transmit(apdu, &mut buf).expect("transmit").to_vec()
}

#[test]
fn pcscd_sees_the_card_and_it_answers() {
    let s = SharedPcscd::get();
    let _g = s.turn();
    let ctx = Context::establish(Scope::User).unwrap();
    let mut names = ctx.list_readers_owned().unwrap();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    let reader = s.pcscd.readers()[0].name.clone();
    // A previous test's card may still be leaving this reader.
    assert!(wait_present(&ctx, &reader, false, Duration::from_secs(5)));
    assert!(
        names.iter().any(|n| n.to_str().unwrap() == reader),
        "{names:?} vs {reader}"
    );

    let inserted = s
        .pcscd
        .insert(0, CpxCard::of_kind(CardKind::Cpe), InsertOptions::default())
        .unwrap();
    assert!(wait_present(&ctx, &reader, true, Duration::from_secs(5)));
    let card = ctx
        .connect(
            &CString::new(reader.clone()).unwrap(),
            ShareMode::Shared,
            Protocols::ANY,
        )
        .unwrap();
    let (_, _, atr) = {
        let mut names_buf = [0u8; 256];
        let mut atr_buf = [0u8; 64];
        let st = card.status2(&mut names_buf, &mut atr_buf).unwrap();
        ((), (), st.atr().to_vec())
    };
    assert_eq!(atr, cpx_testkit::card::atr_bytes::CPS3);
    let r = transmit(
        &card,
        &[0x00, 0xA4, 0x09, 0x0C, 0x04, 0x3F, 0x00, 0x2F, 0x01],
    );
    assert_eq!(r, [0x90, 0x00]);
    let r = transmit(&card, &[0x00, 0xB0, 0x00, 0x00, 0x00]);
    assert_eq!(r.len(), 59);
    assert_eq!(transmit(&card, &[0x00, 0x20, 0x00, 0x01]), [0x63, 0xC3]);
    card.disconnect(Disposition::LeaveCard)
        .map_err(|(_, e)| e)
        .unwrap();
    inserted.remove();
    assert!(wait_present(&ctx, &reader, false, Duration::from_secs(5)));
}

#[test]
fn a_plain_iso_card_has_another_atr() {
    let s = SharedPcscd::get();
    let _g = s.turn();
    let ctx = Context::establish(Scope::User).unwrap();
    let reader = s.pcscd.readers()[1].name.clone();
    // A previous test's card may still be leaving this reader.
    assert!(wait_present(&ctx, &reader, false, Duration::from_secs(5)));
    let inserted = s
        .pcscd
        .insert(1, PlainIsoCard, InsertOptions::default())
        .unwrap();
    assert!(inserted.wait_powered(Duration::from_secs(5)));
    assert!(wait_present(&ctx, &reader, true, Duration::from_secs(5)));
    let name = CString::new(reader.clone()).unwrap();
    let mut rs = [pcsc::ReaderState::new(name, pcsc::State::UNAWARE)];
    ctx.get_status_change(Duration::from_millis(100), &mut rs)
        .unwrap();
    assert_eq!(rs[0].atr(), cpx_testkit::card::atr_bytes::PLAIN_ISO);
    inserted.remove();
    assert!(wait_present(&ctx, &reader, false, Duration::from_secs(5)));
}

fn connect(ctx: &Context, reader: &str) -> pcsc::Card {
    ctx.connect(
        &CString::new(reader).unwrap(),
        ShareMode::Shared,
        Protocols::ANY,
    )
    .unwrap()
}

const VERIFY_STATUS: [u8; 4] = [0x00, 0x20, 0x00, 0x01];

#[test]
fn injected_reset_comes_through_pcscd_as_reset_card() {
    let s = SharedPcscd::get();
    let _g = s.turn();
    let ctx = Context::establish(Scope::User).unwrap();
    let reader = s.pcscd.readers()[0].name.clone();
    // A previous test's card may still be leaving this reader.
    assert!(wait_present(&ctx, &reader, false, Duration::from_secs(5)));
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("card.jsonl");
    let opts = InsertOptions {
        faults: Faults {
            reset_at: Some(1),
            ..Default::default()
        },
        log: Some(log.clone()),
        ..Default::default()
    };
    let inserted = s
        .pcscd
        .insert(0, CpxCard::of_kind(CardKind::Cps), opts)
        .unwrap();
    assert!(wait_present(&ctx, &reader, true, Duration::from_secs(5)));
    let card = connect(&ctx, &reader);
    let mut buf = [0u8; 300];
    assert_eq!(
        card.transmit(&VERIFY_STATUS, &mut buf).unwrap(),
        [0x63, 0xC3]
    );
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut seen = None;
    while Instant::now() < deadline {
        match card.transmit(&VERIFY_STATUS, &mut buf) {
            Ok(_) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => {
                seen = Some(e);
                break;
            }
        }
    }
    assert_eq!(seen, Some(pcsc::Error::ResetCard));
    card.disconnect(Disposition::LeaveCard)
        .map_err(|(_, e)| e)
        .unwrap();
    inserted.remove();
    let log = CardLog::load(&log).unwrap();
    assert_eq!(log.resets(), 0, "the injected reset is not the host's");
    assert!(log
        .entries
        .iter()
        .any(|e| e.event.as_deref() == Some("reset_by_other_application")));
    assert!(wait_present(&ctx, &reader, false, Duration::from_secs(5)));
}

#[test]
fn pulled_card_fails_the_next_apdu_and_disappears() {
    let s = SharedPcscd::get();
    let _g = s.turn();
    let ctx = Context::establish(Scope::User).unwrap();
    let reader = s.pcscd.readers()[1].name.clone();
    // A previous test's card may still be leaving this reader.
    assert!(wait_present(&ctx, &reader, false, Duration::from_secs(5)));
    let opts = InsertOptions {
        faults: Faults {
            pull_at: Some(2),
            ..Default::default()
        },
        ..Default::default()
    };
    let inserted = s
        .pcscd
        .insert(1, CpxCard::of_kind(CardKind::Cpe), opts)
        .unwrap();
    assert!(wait_present(&ctx, &reader, true, Duration::from_secs(5)));
    let card = connect(&ctx, &reader);
    let mut buf = [0u8; 300];
    assert!(card.transmit(&VERIFY_STATUS, &mut buf).is_ok());
    // vpcd answers the interrupted APDU with an empty response (no status word), not an error.
    let cut = card.transmit(&VERIFY_STATUS, &mut buf).map(|r| r.to_vec());
    assert!(
        matches!(&cut, Ok(r) if r.is_empty()) || cut.is_err(),
        "{cut:?}"
    );
    assert!(inserted.wait_disconnected(Duration::from_secs(5)));
    assert!(wait_present(&ctx, &reader, false, Duration::from_secs(5)));
    let after = card.transmit(&VERIFY_STATUS, &mut buf).map(|r| r.to_vec());
    eprintln!("pulled card: interrupted APDU {cut:?}, next APDU {after:?}");
    assert!(after.is_err(), "{after:?}");
    let _ = card.disconnect(Disposition::LeaveCard);
}

#[test]
fn garbage_truncated_and_delayed_answers() {
    let s = SharedPcscd::get();
    let _g = s.turn();
    let ctx = Context::establish(Scope::User).unwrap();
    let reader = s.pcscd.readers()[0].name.clone();
    // A previous test's card may still be leaving this reader.
    assert!(wait_present(&ctx, &reader, false, Duration::from_secs(5)));
    let opts = InsertOptions {
        faults: Faults {
            garbage_at: Some(1),
            truncated_at: Some(2),
            delay: Some(Duration::from_millis(30)),
            ..Default::default()
        },
        ..Default::default()
    };
    let inserted = s
        .pcscd
        .insert(0, CpxCard::of_kind(CardKind::Cpe), opts)
        .unwrap();
    assert!(wait_present(&ctx, &reader, true, Duration::from_secs(5)));
    let card = connect(&ctx, &reader);
    let mut buf = [0u8; 300];
    let garbage = card.transmit(&VERIFY_STATUS, &mut buf).map(|r| r.to_vec());
    assert!(
        matches!(&garbage, Ok(g) if g != &[0x63, 0xC3]),
        "{garbage:?}"
    );
    let truncated = card.transmit(&VERIFY_STATUS, &mut buf).map(|r| r.to_vec());
    assert!(
        matches!(&truncated, Ok(t) if t.len() < 2) || truncated.is_err(),
        "{truncated:?}"
    );
    let t = Instant::now();
    assert_eq!(
        card.transmit(&VERIFY_STATUS, &mut buf).unwrap(),
        [0x63, 0xC3]
    );
    assert!(t.elapsed() >= Duration::from_millis(30));
    card.disconnect(Disposition::LeaveCard)
        .map_err(|(_, e)| e)
        .unwrap();
    inserted.remove();
    assert!(wait_present(&ctx, &reader, false, Duration::from_secs(5)));
}

#[test]
fn silent_card_blocks_until_it_is_pulled() {
    let s = SharedPcscd::get();
    let _g = s.turn();
    let ctx = Context::establish(Scope::User).unwrap();
    let reader = s.pcscd.readers()[1].name.clone();
    // A previous test's card may still be leaving this reader.
    assert!(wait_present(&ctx, &reader, false, Duration::from_secs(5)));
    let opts = InsertOptions {
        faults: Faults {
            silent_from: Some(1),
            ..Default::default()
        },
        ..Default::default()
    };
    let inserted = s
        .pcscd
        .insert(1, CpxCard::of_kind(CardKind::Cpe), opts)
        .unwrap();
    assert!(wait_present(&ctx, &reader, true, Duration::from_secs(5)));
    let (tx, rx) = std::sync::mpsc::channel();
    let r2 = reader.clone();
    std::thread::spawn(move || {
        let ctx = Context::establish(Scope::User).unwrap();
        let card = connect(&ctx, &r2);
        let mut buf = [0u8; 300];
        let r = card.transmit(&VERIFY_STATUS, &mut buf).map(|r| r.to_vec());
        let _ = tx.send(r);
        let _ = card.disconnect(Disposition::LeaveCard);
    });
    assert!(
        rx.recv_timeout(Duration::from_millis(1500)).is_err(),
        "a silent card answers nothing"
    );
    let t = Instant::now();
    inserted.remove();
    let r = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("pulling the card ends the wait");
    assert!(matches!(&r, Ok(v) if v.is_empty()) || r.is_err(), "{r:?}");
    eprintln!(
        "silent card: transmit failed {:?} after removal",
        t.elapsed()
    );
}
