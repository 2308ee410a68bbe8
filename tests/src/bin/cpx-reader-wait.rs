//! cpx-reader-wait: waits until pcscd reports a card present in (or absent from) a reader.
//! Exit 0 when reached, 1 on timeout, 2 on error.
//! Usage: PCSCLITE_CSOCK_NAME=… cpx-reader-wait "READER NAME" present|absent TIMEOUT_MS

use pcsc::{Context, ReaderState, Scope, State};
use std::ffi::CString;
use std::time::{Duration, Instant};

fn main() {
    std::process::exit(match run() {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(e) => {
            eprintln!("cpx-reader-wait: {e}");
            2
        }
    });
}

fn run() -> Result<bool, String> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: cpx-reader-wait \"READER NAME\" present|absent TIMEOUT_MS";
    let reader = CString::new(args.next().ok_or(usage)?).map_err(|e| e.to_string())?;
    let want_present = match args.next().as_deref() {
        Some("present") => true,
        Some("absent") => false,
        _ => return Err(usage.into()),
    };
    let timeout: u64 = args
        .next()
        .ok_or(usage)?
        .parse()
        .map_err(|_| usage.to_string())?;
    let deadline = Instant::now() + Duration::from_millis(timeout);
    let ctx = Context::establish(Scope::User).map_err(|e| e.to_string())?;
    let mut rs = [ReaderState::new(reader, State::UNAWARE)];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match ctx.get_status_change(left, &mut rs) {
            Ok(()) => {}
            Err(pcsc::Error::Timeout) => return Ok(false),
            Err(e) => return Err(e.to_string()),
        }
        if rs[0].event_state().contains(State::PRESENT) == want_present {
            return Ok(true);
        }
        if left.is_zero() {
            return Ok(false);
        }
        rs[0].sync_current_state();
    }
}
