//! cpx-agent: watches readers, judges CPx cards for this organisation's RPPS+ contract, and
//! shows the verdict (CLI, local API, status page, tray). The rooms and what each may touch:
//! `docs/architecture.md`.

pub mod api;
pub mod atomic_file;
pub mod checklist;
pub mod cli;
pub mod config;
pub mod daemon;
pub mod diagnostics;
pub mod eligibility;
pub mod finess;
pub mod journal;
pub mod judge;
pub mod logging;
pub mod model;
pub mod net;
pub mod platform;
pub mod port_file;
pub mod readers;
pub mod reading;
pub mod revocation;
pub mod setup;
pub mod state;
pub mod text;
pub mod token;
pub mod tray;
pub mod usb;
