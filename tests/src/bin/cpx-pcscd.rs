//! cpx-pcscd: starts a private pcscd with N virtual readers (default 2), prints how to use it,
//! and stops it cleanly on SIGTERM/SIGINT. `tests/pcscd-private` runs it.

use anyhow::{Context, Result};
use cpx_testkit::PrivatePcscd;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn main() -> Result<()> {
    let n: usize = match std::env::args().nth(1) {
        Some(a) if a == "-h" || a == "--help" => {
            println!("usage: cpx-pcscd [N_READERS (1-8, default 2)]");
            return Ok(());
        }
        Some(a) => a
            .parse()
            .context("N_READERS: un nombre de 1 à 8 / a number from 1 to 8")?,
        None => 2,
    };
    let stop = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGTERM, stop.clone())?;
    signal_hook::flag::register(signal_hook::consts::SIGINT, stop.clone())?;
    let mut pcscd = PrivatePcscd::start(n).context("démarrage de pcscd / starting pcscd")?;
    let mut out = std::io::stdout();
    writeln!(out, "PCSCLITE_CSOCK_NAME={}", pcscd.socket_path().display())?;
    for r in pcscd.readers() {
        writeln!(out, "reader {} port {}", r.name, r.port)?;
    }
    writeln!(out, "ready")?;
    out.flush()?;
    while !stop.load(Ordering::SeqCst) {
        if pcscd.pid().is_none() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    pcscd.stop();
    Ok(())
}
