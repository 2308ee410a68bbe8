//! cpx-agent: watches readers, judges CPx cards for this organisation's RPPS+ contract, and
//! shows the verdict (CLI, local API, status page, tray).

pub mod api;
pub mod cli;
pub mod config;
pub mod daemon;
pub mod finess;
pub mod judge;
pub mod logging;
pub mod messages;
pub mod snapshot;
pub mod status;
pub mod text;
pub mod token;
pub mod tray;
pub mod usb;
pub mod verdict;
