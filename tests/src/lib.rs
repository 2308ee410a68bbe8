//! cpx-testkit: the mock-reader harness. A CPx card emulator written from domain.md (it shares
//! no code with the card crate), connected to a real pcscd through vsmartcard's vpcd driver,
//! a test PKI, faults on demand, a log of what the card saw, and a private pcscd per test.

pub mod agent;
pub mod bins;
pub mod card;
pub mod cardlog;
pub mod dbus;
pub mod http;
pub mod http_client;
pub mod pcscd;
pub mod pki;
pub mod shared_pcscd;
pub mod vpcd;

pub use cardlog::CardLog;
pub use pcscd::{PrivatePcscd, VirtualReader};
pub use shared_pcscd::{wait_present, SharedPcscd};
pub use vpcd::{insert, Faults, InsertOptions, InsertedCard};

use std::str::FromStr;

/// The kinds of CPx cards (nomenclature TRE_G02, certificate extension 1.2.250.1.71.1.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CardKind {
    Cps,
    Cpf,
    Cde,
    Cpe,
    Cpa,
}

impl CardKind {
    /// Card type code TRE_G02: 0 CPS, 1 CPF, 2 CDE/CPE, 3 CDA/CPA.
    pub fn type_code(self) -> i64 {
        match self {
            CardKind::Cps => 0,
            CardKind::Cpf => 1,
            CardKind::Cde | CardKind::Cpe => 2,
            CardKind::Cpa => 3,
        }
    }
}

impl FromStr for CardKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "cps" => Ok(CardKind::Cps),
            "cpf" => Ok(CardKind::Cpf),
            "cde" => Ok(CardKind::Cde),
            "cpe" => Ok(CardKind::Cpe),
            "cpa" => Ok(CardKind::Cpa),
            other => Err(format!("unknown card kind {other:?}")),
        }
    }
}
