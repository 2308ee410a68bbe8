//! The PC/SC backend: connect shared, one short transaction per read, always disconnect with
//! LeaveCard (a dropped `pcsc::Card` resets the card and kills other software's PIN session).

use crate::error::ReadError;
use crate::report::CardReport;
use crate::trust::TrustStore;
use std::ffi::CStr;

/// Reads the card in `reader` (a quick recognition when `known` is the card read before).
pub fn read_reader(
    ctx: &pcsc::Context,
    reader: &CStr,
    trust: &TrustStore,
    known: Option<&CardReport>,
) -> Result<CardReport, ReadError> {
    let _ = (ctx, reader, trust, known);
    Err(ReadError::NotImplemented("read_reader"))
}
