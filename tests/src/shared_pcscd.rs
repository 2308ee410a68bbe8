//! One private pcscd for a whole test binary, for tests that talk PC/SC in-process:
//! libpcsclite reads `PCSCLITE_CSOCK_NAME` once per process, so every test of the binary uses
//! the same daemon and takes turns on its readers (`turn`).

use std::ffi::CString;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use crate::pcscd::PrivatePcscd;

/// The binary's pcscd and the lock tests take turns with.
pub struct SharedPcscd {
    pub pcscd: PrivatePcscd,
    lock: Mutex<()>,
}

impl SharedPcscd {
    /// Starts it (two virtual readers) on first use and points libpcsclite at it.
    pub fn get() -> &'static SharedPcscd {
        static S: OnceLock<SharedPcscd> = OnceLock::new();
        S.get_or_init(|| {
            let pcscd = PrivatePcscd::start(2).expect("private pcscd");
            std::env::set_var("PCSCLITE_CSOCK_NAME", pcscd.socket_path());
            SharedPcscd {
                pcscd,
                lock: Mutex::new(()),
            }
        })
    }

    /// This test's turn on the readers (a test that failed before still hands it on).
    pub fn turn(&self) -> MutexGuard<'_, ()> {
        self.lock.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Waits until pcscd sees a card in `reader` (or none, with `present = false`); `false` when
/// `timeout` passed first. pcscd polls presence about every 400 ms.
pub fn wait_present(ctx: &pcsc::Context, reader: &str, present: bool, timeout: Duration) -> bool {
    let Ok(name) = CString::new(reader) else {
        return false;
    };
    let deadline = Instant::now() + timeout;
    loop {
        let mut rs = [pcsc::ReaderState::new(name.clone(), pcsc::State::UNAWARE)];
        ctx.get_status_change(Duration::from_millis(100), &mut rs)
            .ok();
        if rs[0].event_state().contains(pcsc::State::PRESENT) == present {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
