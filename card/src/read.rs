//! Reading a CPx card without PIN over any transport: EF.DIR → PKCS#15 application → ODF →
//! CDF → certificates, EF.SN.ICC serial, PIN tries left (empty VERIFY).

use crate::error::ReadError;
use crate::report::CardReport;
use crate::transport::CardTransport;
use crate::trust::TrustStore;

/// Whether a re-inserted card is the one read before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recognition {
    /// Same card: the previous report with fresh PIN state and APDU count.
    Same(Box<CardReport>),
    /// Another card: do a full read.
    Different,
}

/// Reads everything readable without PIN and interprets it.
pub fn read_card(
    t: &mut dyn CardTransport,
    atr: &[u8],
    trust: &TrustStore,
) -> Result<CardReport, ReadError> {
    let _ = (t, atr, trust);
    Err(ReadError::NotImplemented("read_card"))
}

/// The fewest APDUs that make sure this is the card of `previous`, plus its fresh PIN state.
pub fn recognise_known(
    t: &mut dyn CardTransport,
    atr: &[u8],
    previous: &CardReport,
    trust: &TrustStore,
) -> Result<Recognition, ReadError> {
    let _ = (t, atr, previous, trust);
    Err(ReadError::NotImplemented("recognise_known"))
}
