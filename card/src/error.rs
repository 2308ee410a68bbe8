//! Why a card could not be read: `ReadError`, its closed set of user-facing states
//! (`ReadFailureCode`, stable snake_case codes), and the one mapping of raw PC/SC errors onto
//! them (`classify`). Values only: the agent words them for people.

use crate::transport::TransportError;

/// A failed card read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The card answered something the reader cannot use (bad status word, malformed data).
    #[error("unexpected card answer: {0}")]
    Card(String),
    /// PC/SC service not running.
    #[error("PC/SC service unavailable: {0}")]
    NoService(String),
    /// No card in the reader.
    #[error("no card in the reader")]
    NoCard,
    /// The reader vanished.
    #[error("reader unavailable: {0}")]
    ReaderUnavailable(String),
    /// The card could not be read after several attempts (reset or removed each time).
    #[error("card kept being reset or removed during {0} attempts")]
    TooManyRestarts(u32),
    /// Another PC/SC error.
    #[error("PC/SC error: {0}")]
    Pcsc(String),
    /// Another application holds the card in exclusive mode.
    #[error("card held in exclusive mode by another application")]
    Busy,
    /// The card does not answer its reset (badly inserted, dead, or not a chip card).
    #[error("card does not respond")]
    Unresponsive,
}

/// What a failed read means for the user: one closed set of states, each a stable snake_case
/// code (web-eid's single enum of user-facing states, style.md).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ReadFailureCode {
    /// The PC/SC service is not running, stopped, or its connection broke.
    ServiceUnavailable,
    /// No card in the reader.
    NoCard,
    /// The card was pulled out during the read.
    CardRemoved,
    /// Another application holds the card in exclusive mode.
    CardBusy,
    /// Reset (or removed) by another application, again and again, during the read.
    CardReset,
    /// The card does not answer its reset (badly inserted, dead, not a chip card).
    CardUnresponsive,
    /// The reader went away.
    ReaderUnavailable,
    /// A silent card: no answer before the read's deadline.
    Timeout,
    /// The card answered something unusable (status word, malformed data).
    CardError,
    /// Any other PC/SC or transport error.
    PcscError,
}

impl ReadError {
    /// The user-facing state of this failure.
    pub fn code(&self) -> ReadFailureCode {
        use ReadFailureCode as C;
        match self {
            ReadError::NoService(_) => C::ServiceUnavailable,
            ReadError::NoCard => C::NoCard,
            ReadError::Transport(TransportError::Removed) => C::CardRemoved,
            ReadError::Busy => C::CardBusy,
            ReadError::TooManyRestarts(_) | ReadError::Transport(TransportError::Reset) => {
                C::CardReset
            }
            ReadError::Unresponsive => C::CardUnresponsive,
            ReadError::ReaderUnavailable(_) => C::ReaderUnavailable,
            ReadError::Transport(TransportError::Timeout) => C::Timeout,
            ReadError::Card(_) | ReadError::Transport(TransportError::Malformed(_)) => C::CardError,
            ReadError::Pcsc(_) | ReadError::Transport(TransportError::Other(_)) => C::PcscError,
        }
    }
}

/// Every PC/SC error mapped to what it means for a read, in this one place. The service is
/// gone (`ReadError::NoService`) on `NoService`, `ServiceStopped`, `InvalidHandle` (a context
/// from before a restart of the service) and `CommError` (the connection to it broke).
pub fn classify(e: pcsc::Error) -> ReadError {
    use pcsc::Error as E;
    match e {
        E::NoService | E::ServiceStopped | E::InvalidHandle | E::CommError => {
            ReadError::NoService(e.to_string())
        }
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

/// Whether this PC/SC error means the service went away (re-establish the context), as
/// `classify` decides.
pub fn is_service_gone(e: pcsc::Error) -> bool {
    classify(e).code() == ReadFailureCode::ServiceUnavailable
}

#[cfg(test)]
mod tests;
