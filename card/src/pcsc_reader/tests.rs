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
fn transport_errors_come_from_the_one_classifier() {
    assert_eq!(
        transport_error(pcsc::Error::NoSmartcard),
        TransportError::Removed
    );
    assert_eq!(
        transport_error(pcsc::Error::ResetCard),
        TransportError::Reset
    );
    assert_eq!(
        transport_error(pcsc::Error::Timeout),
        TransportError::Timeout
    );
    assert!(matches!(
        transport_error(pcsc::Error::ProtoMismatch),
        TransportError::Other(_)
    ));
}

/// A card whose `SCardStatus` fails with the given errors first, then answers.
struct FakeStatus {
    failures: std::cell::RefCell<Vec<pcsc::Error>>,
    calls: Cell<usize>,
}

impl FakeStatus {
    fn failing(failures: &[pcsc::Error]) -> Self {
        FakeStatus {
            failures: std::cell::RefCell::new(failures.to_vec()),
            calls: Cell::new(0),
        }
    }
}

const ATR: [u8; 17] = [
    0x3B, 0xAC, 0x00, 0x40, 0x2A, 0x00, 0x12, 0x25, 0x00, 0x64, 0x80, 0x00, 0x03, 0x10, 0x00, 0x90,
    0x00,
];

impl StatusCall for FakeStatus {
    fn status_into(&self, names: &mut [u8], atr: &mut [u8]) -> Result<CardState, pcsc::Error> {
        self.calls.set(self.calls.get() + 1);
        assert!(names.len() >= NAMES_BUF && atr.len() >= pcsc::MAX_ATR_SIZE);
        let mut failures = self.failures.borrow_mut();
        if !failures.is_empty() {
            return Err(failures.remove(0));
        }
        Ok(CardState {
            present: true,
            atr: ATR.to_vec(),
        })
    }
}

#[test]
fn one_status_call_into_buffers_of_the_largest_sizes() {
    let card = FakeStatus::failing(&[]);
    let st = card_status(&card).unwrap();
    assert_eq!(st.atr, ATR);
    assert!(st.present);
    assert_eq!(card.calls.get(), 1);
}

#[test]
fn a_status_call_refused_for_its_buffer_size_once_is_made_again() {
    // Seen under Wine: SCARD_E_INSUFFICIENT_BUFFER on a sized call (platforms.md §2).
    let card = FakeStatus::failing(&[pcsc::Error::InsufficientBuffer]);
    let st = card_status(&card).unwrap();
    assert_eq!(st.atr, ATR);
    assert_eq!(card.calls.get(), 2);
    assert_eq!(crate::atr::identify(&st.atr), crate::CardFamily::Cps3);
    // Twice: given up, classified.
    let card = FakeStatus::failing(&[pcsc::Error::InsufficientBuffer; 2]);
    let e = card_status(&card).unwrap_err();
    assert_eq!(card.calls.get(), 2);
    assert_eq!(crate::classify(e).code(), crate::ReadFailureCode::PcscError);
    // Other errors are not retried.
    let card = FakeStatus::failing(&[pcsc::Error::RemovedCard]);
    assert_eq!(card_status(&card), Err(pcsc::Error::RemovedCard));
    assert_eq!(card.calls.get(), 1);
}
