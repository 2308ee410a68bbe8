//! The transport seam: one connected card, inside a short transaction. The reading logic sees
//! only this trait; the PC/SC backend and the scripted mock implement it.

/// Sends one APDU and returns the card's answer, status word (SW1 SW2) included.
pub trait CardTransport {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError>;
}

impl<T: CardTransport + ?Sized> CardTransport for &mut T {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(apdu)
    }
}

impl<T: CardTransport + ?Sized> CardTransport for Box<T> {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(apdu)
    }
}

/// Why an APDU could not be exchanged (as opposed to an error status word from the card).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The card was removed.
    #[error("card removed")]
    Removed,
    /// The card was reset by someone else: the read must start again.
    #[error("card reset by another application")]
    Reset,
    /// The card did not answer in time.
    #[error("card did not answer in time")]
    Timeout,
    /// The answer was shorter than a status word.
    #[error("malformed card answer: {0}")]
    Malformed(String),
    /// Anything else from the backend.
    #[error("transport error: {0}")]
    Other(String),
}
