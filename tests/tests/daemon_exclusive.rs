//! End to end: a card held exclusively by another application cannot be read (the agent reads
//! in shared mode only); the failed read says why, and the card is read as soon as the other
//! application lets it go, without a re-insertion.
//! This test binary talks PC/SC itself: one private pcscd for the whole binary (libpcsclite
//! reads its socket path once per process).

mod daemon_support;

use std::ffi::CString;
use std::time::Duration;

use cpx_testkit::{CardKind, InsertOptions, PrivatePcscd};
use daemon_support::*;

#[test]
fn a_card_held_exclusively_is_read_once_released() {
    let pcscd = PrivatePcscd::start(1).unwrap();
    std::env::set_var(cpx_testkit::pcscd::SOCKET_ENV, pcscd.socket_path());
    let reader = pcscd.readers()[0].name.clone();
    let _card = pcscd
        .insert(0, card(CardKind::Cde, Some(EJ)), InsertOptions::default())
        .unwrap();
    assert!(pcscd.wait_card(0, true, WAIT).unwrap());
    let ctx = pcsc::Context::establish(pcsc::Scope::User).unwrap();
    let name = CString::new(reader.clone()).unwrap();
    let held = ctx
        .connect(&name, pcsc::ShareMode::Exclusive, pcsc::Protocols::ANY)
        .unwrap();

    let agent = Agent::start(&pcscd);
    let status = agent.wait_status("a read error", |s| {
        reader_named(s, &reader)["read_error"].is_object()
    });
    let error = &reader_named(&status, &reader)["read_error"];
    assert_eq!(error["code"], "card_busy", "{error}");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("exclusif")),
        "{error}"
    );
    assert!(reader_named(&status, &reader)["card"].is_null());
    std::thread::sleep(Duration::from_millis(200));

    held.disconnect(pcsc::Disposition::LeaveCard)
        .map_err(|(_, e)| e)
        .unwrap();
    let status = agent.wait_status("the card read after release", |s| {
        reader_named(s, &reader)["card"]["verdict"].is_object()
    });
    assert!(reader_named(&status, &reader)["read_error"].is_null());
}
