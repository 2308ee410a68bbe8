//! cpx-card: what is on a CPx card. Identify by ATR, read without PIN the serial, the
//! certificates and the PIN tries left, interpret them as an IGC-Santé profile.
//! No tokio, no HTTP, no config: the agent's judge decides whether a card is right. Values
//! only, no words for people: the agent words them (in French).

pub mod apdu;
pub mod atr;
pub mod ber;
pub mod cert;
mod english;
pub mod error;
pub mod finess;
#[cfg(any(test, feature = "scripted"))]
pub mod fixtures;
pub mod pcsc_reader;
pub mod pkcs15;
pub mod read;
pub mod report;
#[cfg(any(test, feature = "scripted"))]
pub mod scripted;
pub mod transport;
pub mod trust;
pub mod x509;

pub use atr::{atr_hex, identify};
pub use cert::{combine, interpret, interpret_at};
pub use error::{classify, is_service_gone, ReadError, ReadFailureCode};
pub use finess::{Finess, FinessError, FinessKey};
pub use pcsc_reader::read_reader;
pub use read::{read_card, recognise_known, Recognition};
pub use report::*;
#[cfg(any(test, feature = "scripted"))]
pub use scripted::ScriptedTransport;
pub use transport::{CardTransport, TransportError};
pub use trust::TrustStore;
pub use x509::{decode_pem_or_der, CertError};
