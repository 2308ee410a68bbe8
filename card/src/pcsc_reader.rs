//! The PC/SC backend: connect in shared mode, one short transaction per read, and always
//! disconnect with `LeaveCard`: a dropped `pcsc::Card` RESETS the card (pcsc-rust's Drop),
//! which would kill the PIN session of other software on the desk (CryptoLib, SESAM-Vitale,
//! the browser). A card reset or removed mid-read is reconnected and read again, 3 times at
//! most.
//!
//! Bounded time: `SCardTransmit` and `SCardBeginTransaction` can block (a silent card, another
//! application holding a transaction) and pcsc-lite gives them no timeout of their own; the
//! reader driver's timeouts (CCID: derived from the card's waiting times, vpcd: none) are the
//! only bound inside the call. So the read runs on its own thread with its own PC/SC context,
//! the only context of the read (a blocked call holds its context's lock in pcsc-lite; the
//! caller's contexts stay free), and `read_reader` gives up after `READ_DEADLINE` with a
//! timeout error. The blocked thread ends, and disconnects with `LeaveCard`, when the driver
//! returns (card removed, reader unplugged, driver timeout).
//!
//! One `SCardStatus` call into buffers of the largest sizes, never the size query then sized
//! call of `status2_owned()`: under Wine the second call failed with
//! `SCARD_E_INSUFFICIENT_BUFFER` right after a successful size query (platforms.md §2).

use crate::error::{classify, is_service_gone, ReadError};
use crate::read::{read_card, recognise_known, Recognition};
use crate::report::CardReport;
use crate::transport::{CardTransport, TransportError};
use crate::trust::TrustStore;
use pcsc::{Context, Disposition, Protocols, Scope, ShareMode};
use std::cell::Cell;
use std::ffi::{CStr, CString};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Longest a whole read may take (a full CPS read is well under a second).
pub const READ_DEADLINE: Duration = Duration::from_secs(10);
/// Reads restarted after a reset or removal, at most.
pub const MAX_ATTEMPTS: u32 = 3;

/// Reads the card in `reader` with a PC/SC context of its own; with `known` (the report of the
/// card last seen in this reader), first checks with a few APDUs whether it is the same card
/// and only re-reads the PIN state.
pub fn read_reader(
    reader: &CStr,
    trust: &TrustStore,
    known: Option<&CardReport>,
) -> Result<CardReport, ReadError> {
    let (tx, rx) = mpsc::channel();
    let reader_name = reader.to_owned();
    let trust = trust.clone();
    let known = known.cloned();
    let spawned = std::thread::Builder::new()
        .name("cpx-card-read".into())
        .spawn(move || {
            let deadline = Instant::now() + READ_DEADLINE;
            let result = read_with_own_context(&reader_name, &trust, known.as_ref(), deadline);
            let _ = tx.send(result);
        });
    if let Err(e) = spawned {
        return Err(ReadError::Pcsc(format!(
            "cannot start the read thread: {e}"
        )));
    }
    match rx.recv_timeout(READ_DEADLINE + Duration::from_millis(500)) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => Err(ReadError::Transport(TransportError::Timeout)),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err(ReadError::Pcsc("the read thread stopped".into()))
        }
    }
}

fn read_with_own_context(
    reader: &CString,
    trust: &TrustStore,
    known: Option<&CardReport>,
    deadline: Instant,
) -> Result<CardReport, ReadError> {
    let ctx = Context::establish(Scope::User).map_err(classify)?;
    with_restarts(deadline, || read_once(&ctx, reader, trust, known, deadline))
}

/// Runs `read` again when the card was reset or removed under it (a removed card fails at the
/// next connect), `MAX_ATTEMPTS` times at most and not past the deadline.
fn with_restarts(
    deadline: Instant,
    mut read: impl FnMut() -> Result<CardReport, ReadError>,
) -> Result<CardReport, ReadError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match read() {
            // Gone for good after a removal mid-read: say it was removed during the read.
            Err(ReadError::NoCard) if attempt > 1 => {
                return Err(ReadError::Transport(TransportError::Removed))
            }
            Err(ReadError::Transport(TransportError::Reset | TransportError::Removed))
                if attempt < MAX_ATTEMPTS && Instant::now() < deadline =>
            {
                continue
            }
            Err(ReadError::Transport(TransportError::Reset)) => {
                return Err(ReadError::TooManyRestarts(attempt))
            }
            other => return other,
        }
    }
}

/// One connection, one transaction, one read; the guard disconnects with `LeaveCard`.
fn read_once(
    ctx: &Context,
    reader: &CStr,
    trust: &TrustStore,
    known: Option<&CardReport>,
    deadline: Instant,
) -> Result<CardReport, ReadError> {
    let card = ctx
        .connect(reader, ShareMode::Shared, Protocols::T0 | Protocols::T1)
        .map_err(|e| match e {
            pcsc::Error::NoSmartcard | pcsc::Error::RemovedCard => ReadError::NoCard,
            other => classify(other),
        })?;
    let mut guard = CardGuard(Some(card));
    let card = guard.card()?;
    let atr = card_status(card).map_err(classify)?.atr;
    let tx = card.transaction().map_err(classify)?;
    let mut transport = PcscTransport {
        card: &tx,
        deadline,
        last_error: Cell::new(None),
    };
    let result = match known {
        Some(prev) => match recognise_known(&mut transport, &atr, prev) {
            Ok(Recognition::Same(report)) => Ok(*report),
            Ok(Recognition::Different) => read_card(&mut transport, &atr, trust),
            Err(e) => Err(e),
        },
        None => read_card(&mut transport, &atr, trust),
    };
    // The service went away mid-read: say so, not "communication error".
    let result = match (result, transport.last_error.get()) {
        (Err(ReadError::Transport(TransportError::Other(_))), Some(e)) if is_service_gone(e) => {
            Err(classify(e))
        }
        (result, _) => result,
    };
    // Ends the transaction with LeaveCard (an error here changes nothing for the result).
    let _ = tx.end(Disposition::LeaveCard);
    result
}

/// What a read needs of `SCardStatus`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CardState {
    present: bool,
    atr: Vec<u8>,
}

/// Reader names buffer of the first `SCardStatus` call: a reader's names are far shorter
/// (pcsc-lite: 128 bytes at most per name).
const NAMES_BUF: usize = 1024;
/// Buffers of the one retry after `SCARD_E_INSUFFICIENT_BUFFER`.
const NAMES_BUF_RETRY: usize = 64 * 1024;
const ATR_BUF_RETRY: usize = 256;

/// The seam over `SCardStatus` (`pcsc::Card::status2`), so a test can make it fail.
trait StatusCall {
    /// One `SCardStatus` into these buffers.
    fn status_into(&self, names: &mut [u8], atr: &mut [u8]) -> Result<CardState, pcsc::Error>;
}

impl StatusCall for pcsc::Card {
    fn status_into(&self, names: &mut [u8], atr: &mut [u8]) -> Result<CardState, pcsc::Error> {
        let st = self.status2(names, atr)?;
        Ok(CardState {
            present: st.status().contains(pcsc::Status::PRESENT),
            atr: st.atr().to_vec(),
        })
    }
}

/// The card's state and ATR in one `SCardStatus` into buffers of the largest sizes; if that
/// still says `InsufficientBuffer`, once more with far larger buffers.
fn card_status(card: &impl StatusCall) -> Result<CardState, pcsc::Error> {
    let mut names = vec![0u8; NAMES_BUF];
    let mut atr = [0u8; pcsc::MAX_ATR_SIZE];
    match card.status_into(&mut names, &mut atr) {
        Err(pcsc::Error::InsufficientBuffer) => {
            let mut names = vec![0u8; NAMES_BUF_RETRY];
            let mut atr = [0u8; ATR_BUF_RETRY];
            card.status_into(&mut names, &mut atr)
        }
        other => other,
    }
}

/// Owns a connected card and disconnects it with `LeaveCard` on every path, panics included.
struct CardGuard(Option<pcsc::Card>);

impl CardGuard {
    fn card(&mut self) -> Result<&mut pcsc::Card, ReadError> {
        self.0
            .as_mut()
            .ok_or_else(|| ReadError::Pcsc("card handle already released".into()))
    }
}

impl Drop for CardGuard {
    fn drop(&mut self) {
        if let Some(card) = self.0.take() {
            if let Err((card, _)) = card.disconnect(Disposition::LeaveCard) {
                // Never let a Card drop (its Drop resets the card): leak the handle instead;
                // pcscd frees it when the context goes away.
                std::mem::forget(card);
            }
        }
    }
}

/// The card inside a transaction, as a `CardTransport`.
struct PcscTransport<'a> {
    card: &'a pcsc::Card,
    deadline: Instant,
    /// The last PC/SC error of a transmit (the trait's error only carries its text).
    last_error: Cell<Option<pcsc::Error>>,
}

impl CardTransport for PcscTransport<'_> {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        if Instant::now() > self.deadline {
            return Err(TransportError::Timeout);
        }
        let mut buf = [0u8; pcsc::MAX_BUFFER_SIZE];
        match self.card.transmit(apdu, &mut buf) {
            Ok(answer) if answer.len() >= 2 => Ok(answer.to_vec()),
            Ok(answer) => {
                let n = answer.len();
                Err(self
                    .why_no_answer()
                    .unwrap_or(TransportError::Malformed(format!(
                        "answer of {n} byte(s), no status word"
                    ))))
            }
            Err(e) => Err(self.transport_error(e)),
        }
    }
}

/// How long to watch for a removal after an empty answer (pcscd polls presence every ~400 ms).
const REMOVAL_WATCH: Duration = Duration::from_millis(1000);

impl PcscTransport<'_> {
    /// After an answer without status word: was the card pulled out or reset? Some readers
    /// (vpcd among them) answer empty when the card goes away mid-command.
    fn why_no_answer(&self) -> Option<TransportError> {
        let until = Instant::now() + REMOVAL_WATCH;
        loop {
            match card_status(self.card) {
                Err(e) => return Some(self.transport_error(e)),
                Ok(st) if !st.present => return Some(TransportError::Removed),
                Ok(_) => {}
            }
            if Instant::now() >= until {
                return None;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A PC/SC error as the transport sees it, through `classify`.
    fn transport_error(&self, e: pcsc::Error) -> TransportError {
        self.last_error.set(Some(e));
        transport_error(e)
    }
}

/// `classify`'s transport states (removed, reset, timeout); anything else by its text.
fn transport_error(e: pcsc::Error) -> TransportError {
    match classify(e) {
        ReadError::Transport(t) => t,
        _ => TransportError::Other(e.to_string()),
    }
}

#[cfg(test)]
mod tests;
