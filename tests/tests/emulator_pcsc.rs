//! The emulator through a real private pcscd, read with the pcsc crate.
//! One pcscd for this whole test binary: libpcsclite reads PCSCLITE_CSOCK_NAME once per process.

use cpx_testkit::card::{CpxCard, PlainIsoCard};
use cpx_testkit::{CardKind, InsertOptions, PrivatePcscd};
use pcsc::{Context, Disposition, Protocols, Scope, ShareMode};
use std::ffi::CString;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

struct Shared {
    pcscd: PrivatePcscd,
    /// Serialises tests that use a reader.
    lock: Mutex<()>,
}

fn shared() -> &'static Shared {
    static S: OnceLock<Shared> = OnceLock::new();
    S.get_or_init(|| {
        let pcscd = PrivatePcscd::start(2).expect("private pcscd");
        std::env::set_var("PCSCLITE_CSOCK_NAME", pcscd.socket_path());
        Shared {
            pcscd,
            lock: Mutex::new(()),
        }
    })
}

fn wait_present(ctx: &Context, reader: &str, present: bool, timeout: Duration) -> bool {
    let name = CString::new(reader).unwrap();
    let deadline = Instant::now() + timeout;
    loop {
        let mut rs = [pcsc::ReaderState::new(name.clone(), pcsc::State::UNAWARE)];
        ctx.get_status_change(Duration::from_millis(100), &mut rs)
            .ok();
        let is = rs[0].event_state().contains(pcsc::State::PRESENT);
        if is == present {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn transmit(card: &pcsc::Card, apdu: &[u8]) -> Vec<u8> {
    let mut buf = [0u8; 300];
    card.transmit(apdu, &mut buf).expect("transmit").to_vec()
}

#[test]
fn pcscd_sees_the_card_and_it_answers() {
    let s = shared();
    let _g = s.lock.lock().unwrap_or_else(|e| e.into_inner());
    let ctx = Context::establish(Scope::User).unwrap();
    let mut names = ctx.list_readers_owned().unwrap();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    let reader = s.pcscd.readers()[0].name.clone();
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
    let s = shared();
    let _g = s.lock.lock().unwrap_or_else(|e| e.into_inner());
    let ctx = Context::establish(Scope::User).unwrap();
    let reader = s.pcscd.readers()[1].name.clone();
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
