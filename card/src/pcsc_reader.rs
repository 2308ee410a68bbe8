//! The PC/SC backend: connect in shared mode, one short transaction per read, and always
//! disconnect with `LeaveCard`: a dropped `pcsc::Card` RESETS the card (pcsc-rust's Drop),
//! which would kill the PIN session of other software on the desk (CryptoLib, SESAM-Vitale,
//! the browser). A card reset or removed mid-read is reconnected and read again, 3 times at
//! most.
//!
//! Bounded time: `SCardTransmit` and `SCardBeginTransaction` can block (a silent card, another
//! application holding a transaction) and pcsc-lite gives them no timeout of their own; the
//! reader driver's timeouts (CCID: derived from the card's waiting times, vpcd: none) are the
//! only bound inside the call. So the read runs on its own thread with its own PC/SC context
//! (a blocked call holds its context's lock in pcsc-lite; the caller's context stays free),
//! and `read_reader` gives up after `READ_DEADLINE` with a timeout error. The blocked thread
//! ends, and disconnects with `LeaveCard`, when the driver returns (card removed, reader
//! unplugged, driver timeout).

use crate::error::ReadError;
use crate::read::{read_card, recognise_known, Recognition};
use crate::report::CardReport;
use crate::transport::{CardTransport, TransportError};
use crate::trust::TrustStore;
use pcsc::{Context, Disposition, Protocols, Scope, ShareMode};
use std::ffi::{CStr, CString};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Longest a whole read may take (a full CPS read is well under a second).
pub const READ_DEADLINE: Duration = Duration::from_secs(10);
/// Reads restarted after a reset or removal, at most.
pub const MAX_ATTEMPTS: u32 = 3;

/// Reads the card in `reader`; with `known` (the report of the card last seen in this reader),
/// first checks with a few APDUs whether it is the same card and only re-reads the PIN state.
pub fn read_reader(
    ctx: &Context,
    reader: &CStr,
    trust: &TrustStore,
    known: Option<&CardReport>,
) -> Result<CardReport, ReadError> {
    ctx.is_valid().map_err(from_pcsc)?;
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
    let ctx = Context::establish(Scope::User).map_err(from_pcsc)?;
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
            other => from_pcsc(other),
        })?;
    let mut guard = CardGuard(Some(card));
    let card = guard.card()?;
    let atr = card.status2_owned().map_err(from_pcsc)?.atr().to_vec();
    let tx = card.transaction().map_err(from_pcsc)?;
    let mut transport = PcscTransport {
        card: &tx,
        deadline,
    };
    let result = match known {
        Some(prev) => match recognise_known(&mut transport, &atr, prev, trust)? {
            Recognition::Same(report) => Ok(*report),
            Recognition::Different => read_card(&mut transport, &atr, trust),
        },
        None => read_card(&mut transport, &atr, trust),
    };
    // Ends the transaction with LeaveCard (an error here changes nothing for the result).
    let _ = tx.end(Disposition::LeaveCard);
    result
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
            Err(e) => Err(transport_error(e)),
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
            match self.card.status2_owned() {
                Err(e) => return Some(transport_error(e)),
                Ok(st) if !st.status().contains(pcsc::Status::PRESENT) => {
                    return Some(TransportError::Removed)
                }
                Ok(_) => {}
            }
            if Instant::now() >= until {
                return None;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn transport_error(e: pcsc::Error) -> TransportError {
    match e {
        pcsc::Error::ResetCard => TransportError::Reset,
        pcsc::Error::RemovedCard | pcsc::Error::NoSmartcard => TransportError::Removed,
        pcsc::Error::Timeout => TransportError::Timeout,
        other => TransportError::Other(other.to_string()),
    }
}

/// Every PC/SC error mapped to what it means for the user, in one place.
pub fn from_pcsc(e: pcsc::Error) -> ReadError {
    use pcsc::Error as E;
    match e {
        E::NoService | E::ServiceStopped | E::InvalidHandle => ReadError::NoService(e.to_string()),
        E::NoSmartcard | E::RemovedCard => ReadError::Transport(TransportError::Removed),
        E::ResetCard => ReadError::Transport(TransportError::Reset),
        E::Timeout => ReadError::Transport(TransportError::Timeout),
        E::UnknownReader | E::ReaderUnavailable | E::NoReadersAvailable => {
            ReadError::ReaderUnavailable(e.to_string())
        }
        E::SharingViolation => ReadError::Busy,
        E::UnpoweredCard | E::UnresponsiveCard | E::UnsupportedCard => ReadError::Unresponsive,
        other => ReadError::Pcsc(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> CardReport {
        crate::cert::combine(&[0x3B], Vec::new())
    }

    #[test]
    fn restarts_are_bounded() {
        let far = Instant::now() + Duration::from_secs(60);
        let mut calls = 0;
        let r = with_restarts(far, || {
            calls += 1;
            if calls < 3 {
                Err(ReadError::Transport(TransportError::Reset))
            } else {
                Ok(report())
            }
        });
        assert!(r.is_ok());
        assert_eq!(calls, 3);
        let mut calls = 0;
        let r = with_restarts(far, || {
            calls += 1;
            Err(ReadError::Transport(TransportError::Reset))
        });
        assert_eq!(r, Err(ReadError::TooManyRestarts(MAX_ATTEMPTS)));
        assert_eq!(calls, MAX_ATTEMPTS);
        // A removed card: tried again (it may be back), then the removal is reported.
        let r = with_restarts(far, || Err(ReadError::Transport(TransportError::Removed)));
        assert_eq!(r, Err(ReadError::Transport(TransportError::Removed)));
        let mut calls = 0;
        let r = with_restarts(far, || {
            calls += 1;
            if calls == 1 {
                Err(ReadError::Transport(TransportError::Removed))
            } else {
                Err(ReadError::NoCard)
            }
        });
        assert_eq!(r, Err(ReadError::Transport(TransportError::Removed)));
        // No card at all from the start.
        assert_eq!(
            with_restarts(far, || Err(ReadError::NoCard)),
            Err(ReadError::NoCard)
        );
        // Other errors are not retried; nothing is retried past the deadline.
        let mut calls = 0;
        let _ = with_restarts(far, || {
            calls += 1;
            Err(ReadError::Card("x".into()))
        });
        assert_eq!(calls, 1);
        let mut calls = 0;
        let past = Instant::now();
        let _ = with_restarts(past, || {
            calls += 1;
            Err(ReadError::Transport(TransportError::Reset))
        });
        assert_eq!(calls, 1);
    }

    #[test]
    fn pcsc_errors_map_to_user_states() {
        assert_eq!(
            from_pcsc(pcsc::Error::RemovedCard).user_message_fr(),
            "carte retirée pendant la lecture : remettez la carte dans le lecteur."
        );
        assert!(matches!(
            from_pcsc(pcsc::Error::NoService),
            ReadError::NoService(_)
        ));
        assert!(from_pcsc(pcsc::Error::NoService)
            .user_message_fr()
            .contains("systemctl start pcscd"));
        assert_eq!(
            from_pcsc(pcsc::Error::ResetCard),
            ReadError::Transport(TransportError::Reset)
        );
        assert_eq!(from_pcsc(pcsc::Error::SharingViolation), ReadError::Busy);
        assert_eq!(
            from_pcsc(pcsc::Error::UnresponsiveCard),
            ReadError::Unresponsive
        );
        assert!(matches!(
            from_pcsc(pcsc::Error::UnknownReader),
            ReadError::ReaderUnavailable(_)
        ));
        assert_eq!(
            transport_error(pcsc::Error::NoSmartcard),
            TransportError::Removed
        );
    }
}
