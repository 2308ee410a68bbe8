//! cpx-card: what is on a CPx card. Identify by ATR, read without PIN the serial, the
//! certificates and the PIN tries left, interpret them as an IGC-Santé profile.
//! No tokio, no HTTP, no config: the agent's judge decides whether a card is right.

pub mod apdu;
pub mod atr;
pub mod ber;
pub mod cert;
pub mod error;
pub mod finess;
pub mod pcsc_reader;
pub mod read;
pub mod report;
pub mod scripted;
pub mod transport;
pub mod trust;

pub use atr::identify;
pub use cert::{combine, decode_pem_or_der, interpret, CertError};
pub use error::ReadError;
pub use finess::{Finess, FinessError, FinessKey};
pub use pcsc_reader::read_reader;
pub use read::{read_card, recognise_known, Recognition};
pub use report::*;
pub use scripted::ScriptedTransport;
pub use transport::{CardTransport, TransportError};
pub use trust::TrustStore;
