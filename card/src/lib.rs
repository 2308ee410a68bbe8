//! cpx-card: what is on a CPx card. Identify by ATR, read without PIN the serial, the
//! certificates and the PIN tries left, interpret them as an IGC-Santé profile.
//! No tokio, no HTTP, no config: the agent's judge decides whether a card is right.

pub mod finess;
pub mod report;

pub use finess::{Finess, FinessError, FinessKey};
pub use report::*;
