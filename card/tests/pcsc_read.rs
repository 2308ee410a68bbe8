//! `read_reader` through a real private pcscd and the testkit's emulated cards: APDU count,
//! quick recognition, a reset by another application, a pulled card, a silent card, garbage.
//! One pcscd for this test binary (libpcsclite reads PCSCLITE_CSOCK_NAME once per process);
//! tests take turns on it.

use cpx_card::{
    read_reader, CardFamily, CardKind, PinState, ReadError, ReadFailureCode, TransportError, Trust,
    TrustStore,
};
use cpx_testkit::card::{CpxCard, PlainIsoCard};
use cpx_testkit::pki::TestPki;
use cpx_testkit::{wait_present, CardLog, Faults, InsertOptions, InsertedCard, SharedPcscd};
use pcsc::{Context, Scope};
use std::ffi::CString;
use std::sync::MutexGuard;
use std::time::{Duration, Instant};

struct Bench {
    _turn: MutexGuard<'static, ()>,
    ctx: Context,
    reader: CString,
    log: tempfile::TempPath,
    trust: TrustStore,
}

fn bench() -> Bench {
    let s = SharedPcscd::get();
    let turn = s.turn();
    let mut trust = TrustStore::builtin();
    trust
        .add_test_anchor_pem(TestPki::get().ca_bundle_pem().as_bytes())
        .unwrap();
    Bench {
        _turn: turn,
        ctx: Context::establish(Scope::User).unwrap(),
        reader: CString::new(s.pcscd.readers()[0].name.clone()).unwrap(),
        log: tempfile::NamedTempFile::new().unwrap().into_temp_path(),
        trust,
    }
}

impl Bench {
    fn insert(&self, card: CpxCard, faults: Faults) -> InsertedCard {
        let opts = InsertOptions {
            faults,
            log: Some(self.log.to_path_buf()),
            ..Default::default()
        };
        let inserted = SharedPcscd::get().pcscd.insert(0, card, opts).unwrap();
        assert!(inserted.wait_powered(Duration::from_secs(5)));
        self.wait_present(true);
        inserted
    }

    fn wait_present(&self, present: bool) {
        let reader = self.reader.to_string_lossy();
        assert!(
            wait_present(&self.ctx, &reader, present, Duration::from_secs(5)),
            "card presence never became {present}"
        );
    }

    fn remove(&self, card: InsertedCard) {
        card.remove();
        self.wait_present(false);
    }

    /// Whether the card log has an entry with this event (faults included).
    fn log_has_event(&self, event: &str) -> bool {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .any(|v| v["event"] == event)
    }

    fn card_log(&self) -> CardLog {
        CardLog::load(&self.log).unwrap()
    }
}

impl Drop for Bench {
    /// Leaves the reader empty for the next test, even after a failure.
    fn drop(&mut self) {
        let reader = self.reader.to_string_lossy();
        wait_present(&self.ctx, &reader, false, Duration::from_secs(5));
    }
}

#[test]
fn reads_an_emulated_cpe_in_fewer_than_23_apdus_then_recognises_it_in_4() {
    let b = bench();
    let card = b.insert(
        CpxCard::of_kind(cpx_testkit::CardKind::Cpe),
        Faults::default(),
    );
    let start = Instant::now();
    let r = read_reader(&b.reader, &b.trust, None).unwrap();
    let took = start.elapsed();
    assert_eq!(r.family, CardFamily::Cps3);
    assert_eq!(r.kind, CardKind::CdeCpe);
    assert_eq!(r.certificates.len(), 2);
    assert_eq!(r.trust, Some(Trust::Test));
    assert!(r.disagreements.is_empty(), "{:?}", r.disagreements);
    assert_eq!(r.pin_state, Some(PinState::TriesLeft));
    assert_eq!(r.pin_tries_left, Some(3));
    assert!(r.serial.is_some());
    assert!(r.apdu_count < 23, "{} APDUs", r.apdu_count);
    assert_eq!(r.apdu_count as usize, card.apdu_count());
    println!("full read: {} APDUs in {took:?}", r.apdu_count);

    let before = card.apdu_count();
    let again = read_reader(&b.reader, &b.trust, Some(&r)).unwrap();
    assert_eq!(again.apdu_count, 4);
    assert_eq!(card.apdu_count() - before, 4);
    assert_eq!(again.certificates, r.certificates);
    assert!(again.apdu_count * 4 <= r.apdu_count);

    let log = b.card_log();
    assert_eq!(log.resets(), 0);
    assert_eq!(log.verifies_with_data(), 0);
    assert_eq!(log.verify_status_queries(), 2);
    b.remove(card);
}

#[test]
fn reset_requested_by_another_application_waits_for_the_end_of_the_read() {
    let b = bench();
    let faults = Faults {
        reset_at: Some(12),
        ..Default::default()
    };
    let card = b.insert(CpxCard::of_kind(cpx_testkit::CardKind::Cps), faults);
    // The read holds a transaction: pcscd carries out the other application's reset after it.
    let r = read_reader(&b.reader, &b.trust, None).unwrap();
    assert_eq!(r.kind, CardKind::Cps);
    assert_eq!(r.certificates.len(), 2);
    assert_eq!(card.apdu_count(), r.apdu_count as usize);
    // The card was reset since: the next read (a quick one) still works.
    let deadline = Instant::now() + Duration::from_secs(3);
    while !b.log_has_event("reset_by_other_application") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(b.log_has_event("reset_by_other_application"));
    // None of the resets came from us.
    assert_eq!(b.card_log().resets(), 0);
    let again = read_reader(&b.reader, &b.trust, Some(&r)).unwrap();
    assert_eq!(again.apdu_count, 4);
    assert_eq!(b.card_log().verifies_with_data(), 0);
    b.remove(card);
}

#[test]
fn card_pulled_mid_read_gives_card_removed() {
    let b = bench();
    let faults = Faults {
        pull_at: Some(9),
        ..Default::default()
    };
    let card = b.insert(CpxCard::of_kind(cpx_testkit::CardKind::Cpe), faults);
    let e = read_reader(&b.reader, &b.trust, None).unwrap_err();
    assert_eq!(e.code(), ReadFailureCode::CardRemoved, "{e:?}");
    drop(card);
    b.wait_present(false);
}

#[test]
fn silent_card_gives_up_within_the_deadline() {
    let b = bench();
    let faults = Faults {
        silent_from: Some(5),
        ..Default::default()
    };
    let card = b.insert(CpxCard::of_kind(cpx_testkit::CardKind::Cpe), faults);
    let start = Instant::now();
    let e = read_reader(&b.reader, &b.trust, None).unwrap_err();
    let took = start.elapsed();
    assert!(
        matches!(e, ReadError::Transport(TransportError::Timeout)),
        "{e:?}"
    );
    assert!(
        took <= cpx_card::pcsc_reader::READ_DEADLINE + Duration::from_secs(2),
        "{took:?}"
    );
    println!("silent card: {e:?} after {took:?}");
    b.remove(card);
}

#[test]
fn garbage_answer_is_an_error() {
    let b = bench();
    let faults = Faults {
        garbage_at: Some(7),
        ..Default::default()
    };
    let card = b.insert(CpxCard::of_kind(cpx_testkit::CardKind::Cpe), faults);
    let r = read_reader(&b.reader, &b.trust, None);
    assert!(r.is_err(), "{r:?}");
    b.remove(card);
}

#[test]
fn no_card_and_not_a_cpx_card() {
    let b = bench();
    let e = read_reader(&b.reader, &b.trust, None).unwrap_err();
    assert_eq!(e, ReadError::NoCard);
    let opts = InsertOptions {
        log: Some(b.log.to_path_buf()),
        ..Default::default()
    };
    let card = SharedPcscd::get()
        .pcscd
        .insert(0, PlainIsoCard, opts)
        .unwrap();
    assert!(card.wait_powered(Duration::from_secs(5)));
    b.wait_present(true);
    let r = read_reader(&b.reader, &b.trust, None).unwrap();
    assert_eq!(r.family, CardFamily::NotCpx);
    assert_eq!(r.apdu_count, 0);
    assert_eq!(card.apdu_count(), 0);
    card.remove();
    b.wait_present(false);
}
