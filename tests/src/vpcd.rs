//! vpcd client: plugs an emulated card into a vsmartcard `vpcd` reader of a pcscd.
//!
//! vpcd listens on a TCP port per reader slot; the card side connects as a client
//! (insertion = connect, removal = disconnect). Frames are a 2-byte big-endian length and the
//! data; 1-byte frames are control messages (0 power off, 1 power on, 2 reset, 4 get ATR: the
//! only one answered); longer frames are APDUs answered by an R-APDU frame. TCP_QUICKACK
//! before every read, TCP_NODELAY, and one write per frame keep an APDU round trip well under a
//! millisecond instead of ~44 ms (delayed ACK + Nagle).

use crate::card::SmartCard;
use crate::cardlog::{CardLogWriter, Direction};
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Faults on demand. APDU indexes count command APDUs from 1, over the card's whole insertion.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Delay before each answer (APDUs and ATR).
    pub delay: Option<Duration>,
    /// Close the connection when APDU k arrives, without answering (card pulled out).
    pub pull_at: Option<usize>,
    /// Close the connection right after answering APDU k.
    pub pull_after: Option<usize>,
    /// Answer APDU k with garbage (bytes that are no valid answer to it).
    pub garbage_at: Option<usize>,
    /// Answer APDU k with a truncated answer (a single byte: no status word).
    pub truncated_at: Option<usize>,
    /// After answering APDU k, "another application" resets the card through pcscd
    /// (`cpx-card-reset`: SCardDisconnect with SCARD_RESET_CARD, which pcscd carries out as soon
    /// as no transaction holds the card). The card gets a real reset (vpcd control 2, logged as
    /// the fault `reset_by_other_application`) and loses its volatile state; every other PC/SC
    /// handle then gets SCARD_W_RESET_CARD. Needs `InsertOptions::pcsc_reader` (set by
    /// `PrivatePcscd::insert`); without it the card only drops its state at APDU k.
    pub reset_at: Option<usize>,
    /// At APDU k the card loses its volatile state (a power glitch pcscd does not see): APDU k
    /// and the next ones meet a fresh card (MF selected, PIN not verified).
    pub state_lost_at: Option<usize>,
    /// At APDU k the card drops the connection without answering and reconnects at once: pcscd
    /// (polling every ~400 ms) does not see a removal; the host gets an empty or failed answer.
    pub bounce_at: Option<usize>,
    /// Never answer APDUs from index k on (k = 1: a card that never answers).
    pub silent_from: Option<usize>,
}

/// Options of an insertion.
#[derive(Clone, Debug, Default)]
pub struct InsertOptions {
    pub faults: Faults,
    /// Write the card log (JSON lines) to this file.
    pub log: Option<PathBuf>,
    /// How long to keep trying to connect to the vpcd port (default 5 s).
    pub connect_timeout: Option<Duration>,
    /// The pcscd and reader this card sits in (for faults that need another PC/SC client).
    pub pcsc_reader: Option<PcscReader>,
}

/// A reader as PC/SC clients name it.
#[derive(Clone, Debug)]
pub struct PcscReader {
    /// pcscd socket (`PCSCLITE_CSOCK_NAME`).
    pub socket: PathBuf,
    /// Reader name.
    pub name: String,
}

/// Name of the helper program that resets a card as another application would.
pub const RESET_HELPER: &str = "cpx-card-reset";

/// Finds `cpx-card-reset` (`$CPX_CARD_RESET` or next to the running program).
pub fn reset_helper_path() -> Option<PathBuf> {
    crate::bins::find(RESET_HELPER, "CPX_CARD_RESET").ok()
}

/// Starts "another application" that resets the card in `reader` (does not wait for it).
fn reset_through_pcscd(reader: &PcscReader) -> io::Result<()> {
    let helper = reset_helper_path().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            "cpx-card-reset not found (cargo build -p cpx-testkit --bins)",
        )
    })?;
    let mut child = std::process::Command::new(helper)
        .arg(&reader.name)
        .env(crate::pcscd::SOCKET_ENV, &reader.socket)
        .stdin(std::process::Stdio::null())
        .spawn()?;
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}

/// vpcd control messages.
mod control {
    pub const POWER_OFF: u8 = 0;
    pub const POWER_ON: u8 = 1;
    pub const RESET: u8 = 2;
    pub const GET_ATR: u8 = 4;
}

#[derive(Default)]
struct Shared {
    stop: AtomicBool,
    apdus: AtomicUsize,
    injected_resets: AtomicUsize,
    stream: Mutex<Option<TcpStream>>,
    powered: Mutex<u32>,
    powered_cv: Condvar,
}

/// A card in a virtual reader. `remove()` (or dropping it) pulls the card out.
pub struct InsertedCard {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    port: u16,
}

impl InsertedCard {
    /// Waits until pcscd has powered the card (power on + ATR read) since insertion.
    pub fn wait_powered(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut n = self
            .shared
            .powered
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        while *n == 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            n = self
                .shared
                .powered_cv
                .wait_timeout(n, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        true
    }

    /// Number of command APDUs the card has received.
    pub fn apdu_count(&self) -> usize {
        self.shared.apdus.load(Ordering::SeqCst)
    }

    /// Whether the card is still connected to the reader.
    pub fn is_connected(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Waits until the card's connection has closed (pulled by a fault, or the reader went
    /// away); false on timeout.
    pub fn wait_disconnected(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.is_connected() {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        true
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Pulls the card out (closes the connection) and waits for the client thread.
    pub fn remove(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Ok(guard) = self.shared.stream.lock() {
            if let Some(s) = guard.as_ref() {
                let _ = s.shutdown(Shutdown::Both);
            }
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for InsertedCard {
    fn drop(&mut self) {
        self.stop_now();
    }
}

fn connect(port: u16, timeout: Duration) -> io::Result<TcpStream> {
    let deadline = Instant::now() + timeout;
    loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => {
                s.set_nodelay(true)?;
                return Ok(s);
            }
            Err(e) if Instant::now() >= deadline => return Err(e),
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

fn quickack(s: &TcpStream) {
    let one: libc::c_int = 1;
    // SAFETY: setsockopt on a valid socket fd with a pointer to a c_int of the right size.
    unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_QUICKACK,
            &one as *const libc::c_int as *const libc::c_void,
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
}

fn read_frame(s: &mut TcpStream) -> io::Result<Vec<u8>> {
    quickack(s);
    let mut len = [0u8; 2];
    s.read_exact(&mut len)?;
    let mut buf = vec![0u8; usize::from(u16::from_be_bytes(len))];
    quickack(s);
    s.read_exact(&mut buf)?;
    Ok(buf)
}

fn write_frame(s: &mut TcpStream, data: &[u8]) -> io::Result<()> {
    let mut frame = Vec::with_capacity(data.len() + 2);
    frame.extend_from_slice(&(data.len() as u16).to_be_bytes());
    frame.extend_from_slice(data);
    s.write_all(&frame)
}

/// Inserts `card` into the vpcd reader listening on 127.0.0.1:`port`.
pub fn insert<C: SmartCard + 'static>(
    port: u16,
    card: C,
    opts: InsertOptions,
) -> io::Result<InsertedCard> {
    let log = match &opts.log {
        Some(p) => Some(Arc::new(CardLogWriter::create(p)?)),
        None => None,
    };
    let timeout = opts.connect_timeout.unwrap_or(Duration::from_secs(5));
    let stream = connect(port, timeout)?;
    let shared = Arc::new(Shared::default());
    *shared.stream.lock().unwrap_or_else(|e| e.into_inner()) = Some(stream.try_clone()?);
    if let Some(l) = &log {
        l.write(Direction::Control, &[], Some("connected"));
    }
    let thread_shared = shared.clone();
    let thread = std::thread::Builder::new()
        .name(format!("vpcd-card-{port}"))
        .spawn(move || {
            let ctx = RunContext {
                port,
                faults: opts.faults,
                reader: opts.pcsc_reader,
                timeout,
            };
            run(&ctx, stream, card, log, thread_shared);
        })?;
    Ok(InsertedCard {
        shared,
        thread: Some(thread),
        port,
    })
}

/// Writes one log line (no-op without a log).
type LogFn<'a> = dyn Fn(Direction, &[u8], Option<&str>) + 'a;

enum Outcome {
    /// The host or the test closed the connection.
    Closed,
    /// The emulator wants a new connection (injected reset).
    Reconnect,
}

struct RunContext {
    port: u16,
    faults: Faults,
    reader: Option<PcscReader>,
    timeout: Duration,
}

fn run<C: SmartCard>(
    rc: &RunContext,
    mut stream: TcpStream,
    mut card: C,
    log: Option<Arc<CardLogWriter>>,
    shared: Arc<Shared>,
) {
    let log_it = |dir, bytes: &[u8], event: Option<&str>| {
        if let Some(l) = &log {
            l.write(dir, bytes, event);
        }
    };
    loop {
        let outcome = serve(rc, &mut stream, &mut card, &log_it, &shared);
        let _ = stream.shutdown(Shutdown::Both);
        log_it(Direction::Control, &[], Some("disconnected"));
        match outcome {
            Outcome::Closed => return,
            Outcome::Reconnect => {
                card.power_off();
                if shared.stop.load(Ordering::SeqCst) {
                    return;
                }
                match connect(rc.port, rc.timeout) {
                    Ok(s) => {
                        if let (Ok(mut g), Ok(c)) = (shared.stream.lock(), s.try_clone()) {
                            *g = Some(c);
                        }
                        log_it(Direction::Control, &[], Some("connected"));
                        stream = s;
                    }
                    Err(_) => return,
                }
            }
        }
    }
}

fn serve<C: SmartCard>(
    rc: &RunContext,
    stream: &mut TcpStream,
    card: &mut C,
    log_it: &LogFn<'_>,
    shared: &Shared,
) -> Outcome {
    let faults = &rc.faults;
    let mut powered = false;
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            return Outcome::Closed;
        }
        let Ok(frame) = read_frame(stream) else {
            return Outcome::Closed;
        };
        if frame.len() == 1 {
            match frame[0] {
                control::POWER_OFF => {
                    log_it(Direction::Control, &[], Some("power_off"));
                    card.power_off();
                    powered = false;
                }
                control::POWER_ON => {
                    log_it(Direction::Control, &[], Some("power_on"));
                    card.reset();
                    powered = true;
                }
                control::RESET => {
                    if shared.injected_resets.load(Ordering::SeqCst) > 0 {
                        shared.injected_resets.fetch_sub(1, Ordering::SeqCst);
                        log_it(Direction::Fault, &[], Some("reset_by_other_application"));
                    } else {
                        log_it(Direction::Control, &[], Some("reset"));
                    }
                    card.reset();
                    powered = true;
                }
                control::GET_ATR => {
                    log_it(Direction::Control, &[], Some("get_atr"));
                    if let Some(d) = faults.delay {
                        std::thread::sleep(d);
                    }
                    let atr = card.atr();
                    if write_frame(stream, &atr).is_err() {
                        return Outcome::Closed;
                    }
                    if powered {
                        let mut n = shared.powered.lock().unwrap_or_else(|e| e.into_inner());
                        *n += 1;
                        shared.powered_cv.notify_all();
                    }
                }
                other => log_it(Direction::Control, &[other], Some("unknown")),
            }
            continue;
        }
        let k = shared.apdus.fetch_add(1, Ordering::SeqCst) + 1;
        log_it(Direction::Command, &frame, None);
        if faults.pull_at == Some(k) {
            log_it(Direction::Fault, &[], Some("pull"));
            shared.stop.store(true, Ordering::SeqCst);
            return Outcome::Closed;
        }
        if faults.bounce_at == Some(k) {
            log_it(Direction::Fault, &[], Some("bounce"));
            return Outcome::Reconnect;
        }
        if faults.silent_from.is_some_and(|s| k >= s) {
            log_it(Direction::Fault, &[], Some("silent"));
            continue;
        }
        if faults.state_lost_at == Some(k) {
            log_it(Direction::Fault, &[], Some("state_lost"));
            card.reset();
        }
        let mut answer = card.transmit(&frame);
        if faults.garbage_at == Some(k) {
            log_it(Direction::Fault, &[], Some("garbage"));
            answer = vec![0x13, 0x37, 0xDE, 0xAD, 0xBE, 0xEF, 0x42];
        }
        if faults.truncated_at == Some(k) {
            log_it(Direction::Fault, &[], Some("truncated"));
            answer.truncate(1);
        }
        if let Some(d) = faults.delay {
            std::thread::sleep(d);
        }
        log_it(Direction::Response, &answer, None);
        if write_frame(stream, &answer).is_err() {
            return Outcome::Closed;
        }
        if faults.reset_at == Some(k) {
            match &rc.reader {
                Some(reader) => {
                    log_it(Direction::Fault, &[], Some("reset_requested"));
                    shared.injected_resets.fetch_add(1, Ordering::SeqCst);
                    if reset_through_pcscd(reader).is_err() {
                        shared.injected_resets.fetch_sub(1, Ordering::SeqCst);
                        log_it(Direction::Fault, &[], Some("reset_helper_missing"));
                        card.reset();
                    }
                }
                None => {
                    log_it(Direction::Fault, &[], Some("reset_state_only"));
                    card.reset();
                }
            }
        }
        if faults.pull_after == Some(k) {
            log_it(Direction::Fault, &[], Some("pull"));
            shared.stop.store(true, Ordering::SeqCst);
            return Outcome::Closed;
        }
    }
}
