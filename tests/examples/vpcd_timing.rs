//! Prints the figures of the harness (a benchmark program, no assertions):
//! - the APDU round trip through pcscd + vpcd + the emulator (median, p90 of N SELECT/READ),
//! - the time for pcscd to report an insertion (insert() → SCardGetStatusChange sees PRESENT),
//! - the time for pcscd to report a removal.
//!
//! Run: cargo run -p cpx-testkit --example vpcd_timing [N]   (root: mount namespace)

use cpx_testkit::card::CpxCard;
use cpx_testkit::{CardKind, InsertOptions, PrivatePcscd};
use pcsc::{Context, Disposition, Protocols, ReaderState, Scope, ShareMode, State};
use std::ffi::CString;
use std::time::{Duration, Instant};

fn wait_state(ctx: &Context, reader: &CString, present: bool) -> Duration {
    let start = Instant::now();
    let mut rs = [ReaderState::new(reader.clone(), State::UNAWARE)];
    loop {
        ctx.get_status_change(Duration::from_secs(5), &mut rs)
            .expect("status change");
        if rs[0].event_state().contains(State::PRESENT) == present {
            return start.elapsed();
        }
        rs[0].sync_current_state();
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    let pcscd = PrivatePcscd::start(1).expect("private pcscd");
    std::env::set_var("PCSCLITE_CSOCK_NAME", pcscd.socket_path());
    let ctx = Context::establish(Scope::User).expect("context");
    let reader = CString::new(pcscd.readers()[0].name.clone()).unwrap();

    let mut insertions = Vec::new();
    let mut removals = Vec::new();
    for _ in 0..5 {
        let t0 = Instant::now();
        let card = pcscd
            .insert(0, CpxCard::of_kind(CardKind::Cpe), InsertOptions::default())
            .expect("insert");
        wait_state(&ctx, &reader, true);
        insertions.push(t0.elapsed());
        let t1 = Instant::now();
        card.remove();
        wait_state(&ctx, &reader, false);
        removals.push(t1.elapsed());
    }

    let _card = pcscd
        .insert(0, CpxCard::of_kind(CardKind::Cpe), InsertOptions::default())
        .expect("insert");
    wait_state(&ctx, &reader, true);
    let card = ctx
        .connect(&reader, ShareMode::Shared, Protocols::ANY)
        .expect("connect");
    let select = [
        0x00, 0xA4, 0x09, 0x0C, 0x06, 0x3F, 0x00, 0x00, 0x01, 0xE0, 0x01,
    ];
    let read = [0x00, 0xB0, 0x00, 0x00, 0xE7];
    let mut buf = [0u8; 300];
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let apdu: &[u8] = if i % 2 == 0 { &select } else { &read };
        let t = Instant::now();
        card.transmit(apdu, &mut buf).expect("transmit");
        times.push(t.elapsed());
    }
    let _ = card.disconnect(Disposition::LeaveCard);
    times.sort();
    insertions.sort();
    removals.sort();
    println!(
        "APDU round trip (pcscd+vpcd+emulator, {n} APDUs): median {:?}, p90 {:?}, max {:?}",
        percentile(&times, 0.5),
        percentile(&times, 0.9),
        times[times.len() - 1]
    );
    println!(
        "insertion reported by pcscd after: median {:?} (min {:?}, max {:?}, 5 runs)",
        percentile(&insertions, 0.5),
        insertions[0],
        insertions[insertions.len() - 1]
    );
    println!(
        "removal reported by pcscd after: median {:?} (min {:?}, max {:?}, 5 runs)",
        percentile(&removals, 0.5),
        removals[0],
        removals[removals.len() - 1]
    );
}
