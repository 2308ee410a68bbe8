//! The private pcscd: several side by side, reader counts, kill and restart, the watchdog.
//! Readers are listed by a child process (opensc-tool), which reads PCSCLITE_CSOCK_NAME from its
//! own environment.

use cpx_testkit::card::CpxCard;
use cpx_testkit::{CardKind, InsertOptions, PrivatePcscd};
use std::process::Command;
use std::time::Duration;

fn list_readers(p: &PrivatePcscd) -> String {
    let (k, v) = p.env();
    let out = Command::new("opensc-tool")
        .arg("--list-readers")
        .env(k, v)
        .output()
        .expect("opensc-tool");
    String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr)
}

#[test]
fn two_private_pcscd_side_by_side_each_with_its_readers() {
    let a = PrivatePcscd::start(1).unwrap();
    let b = PrivatePcscd::start(8).unwrap();
    assert_ne!(a.socket_path(), b.socket_path());
    assert_eq!(a.readers().len(), 1);
    assert_eq!(a.all_readers().len(), 2);
    assert_eq!(b.readers().len(), 8);
    let ports: std::collections::HashSet<u16> = a
        .all_readers()
        .iter()
        .chain(b.all_readers())
        .map(|r| r.port)
        .collect();
    assert_eq!(ports.len(), 10, "every port distinct");
    let la = list_readers(&a);
    let lb = list_readers(&b);
    assert!(
        la.contains("2 reader") || la.matches("CPX Virtual").count() == 2,
        "{la}"
    );
    assert_eq!(lb.matches("CPX Virtual").count(), 8, "{lb}");
    for r in b.readers() {
        assert!(lb.contains(&r.name), "{} not in {lb}", r.name);
    }
}

#[test]
fn kill_and_restart_keep_socket_and_ports() {
    let mut p = PrivatePcscd::start(2).unwrap();
    let socket = p.socket_path();
    let first = p.pid().unwrap();
    let card = p
        .insert(0, CpxCard::of_kind(CardKind::Cps), InsertOptions::default())
        .unwrap();
    assert!(card.wait_powered(Duration::from_secs(5)));
    p.kill();
    assert!(p.pid().is_none());
    // The card sees its reader go away.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while card.is_connected() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!card.is_connected());
    p.restart().unwrap();
    assert_ne!(p.pid().unwrap(), first);
    assert_eq!(p.socket_path(), socket);
    assert!(list_readers(&p).contains(&p.readers()[1].name));
    let again = p
        .insert(0, CpxCard::of_kind(CardKind::Cps), InsertOptions::default())
        .unwrap();
    assert!(again.wait_powered(Duration::from_secs(5)));
    let dir = p.dir().to_path_buf();
    drop(again);
    drop(p);
    assert!(!dir.exists(), "directory removed on drop");
}

#[test]
fn nine_readers_are_refused_zero_is_a_service_without_reader() {
    assert!(PrivatePcscd::start(9).is_err());
    let p = PrivatePcscd::start(0).unwrap();
    assert!(p.readers().is_empty());
}

#[test]
fn wait_card_follows_insertion_and_removal() {
    let p = PrivatePcscd::start(1).unwrap();
    assert!(!p.wait_card(0, true, Duration::from_millis(300)).unwrap());
    let card = p
        .insert(0, CpxCard::of_kind(CardKind::Cpe), InsertOptions::default())
        .unwrap();
    assert!(p.wait_card(0, true, Duration::from_secs(5)).unwrap());
    card.remove();
    assert!(p.wait_card(0, false, Duration::from_secs(5)).unwrap());
}
