//! Reads the card in every PC/SC reader and prints its report as JSON, with the time taken:
//! `cargo run -p cpx-card --example read_readers [--twice]` (`--twice` then re-reads with the
//! first report as the known card, to measure the quick recognition; `--anchor FILE` adds a
//! PEM of test CAs, like the config's `extra_trust_anchors`).
use std::time::Instant;

fn main() {
    let twice = std::env::args().any(|a| a == "--twice");
    let ctx = match pcsc::Context::establish(pcsc::Scope::User) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{}", cpx_card::classify(e));
            std::process::exit(3);
        }
    };
    let readers: Vec<std::ffi::CString> = match ctx.list_readers_owned() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{}", cpx_card::classify(e));
            std::process::exit(3);
        }
    };
    let mut trust = cpx_card::TrustStore::builtin();
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--anchor") {
        let pem = std::fs::read(args.get(i + 1).map(String::as_str).unwrap_or_default());
        if let Err(e) = pem
            .map_err(|e| e.to_string())
            .and_then(|p| trust.add_test_anchor_pem(&p).map_err(|e| e.to_string()))
        {
            eprintln!("--anchor: {e}");
            std::process::exit(2);
        }
    }
    for reader in readers {
        let start = Instant::now();
        let first = cpx_card::read_reader(&reader, &trust, None);
        let took = start.elapsed();
        match &first {
            Ok(r) => println!(
                "{:?}: {} APDUs in {:.1} ms\n{}",
                reader,
                r.apdu_count,
                took.as_secs_f64() * 1000.0,
                serde_json::to_string_pretty(r).unwrap_or_default()
            ),
            Err(e) => println!("{reader:?}: {e} ({:?})", e.code()),
        }
        if let (true, Ok(r)) = (twice, &first) {
            let start = Instant::now();
            match cpx_card::read_reader(&reader, &trust, Some(r)) {
                Ok(again) => println!(
                    "{:?} again: {} APDUs in {:.1} ms, same report apart from the count: {}",
                    reader,
                    again.apdu_count,
                    start.elapsed().as_secs_f64() * 1000.0,
                    cpx_card::CardReport {
                        apdu_count: r.apdu_count,
                        ..again.clone()
                    } == *r
                ),
                Err(e) => println!("{reader:?} again: {e}"),
            }
        }
    }
}
