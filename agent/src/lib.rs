//! cpx-agent: watches readers, judges CPx cards for this organisation's RPPS+ contract, and
//! shows the verdict (CLI, local API, status page, tray).

pub mod status;
pub mod verdict;
