//! Exit codes, the same for every subcommand, defined once.

/// Everything is fine.
pub const OK: u8 = 0;
/// Something needs attention (a card not ready, no card, findings), or the program could not
/// start for another reason (`run`, `tray`).
pub const FINDINGS: u8 = 1;
/// Usage or configuration error, unreadable or invalid input.
pub const USAGE: u8 = 2;
/// The PC/SC service is unavailable.
pub const PCSC_UNAVAILABLE: u8 = 3;
/// `run`: the API's port is taken.
pub const PORT_TAKEN: u8 = 4;
/// `run`: any other failure to start.
pub const START_FAILED: u8 = 1;
