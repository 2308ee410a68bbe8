//! The daemon's moving parts: a monitor thread watches PC/SC and reader workers read and judge
//! cards on their own threads (through `crate::reading`), writing the one state
//! (`crate::state`). Wired together, with the API, by `crate::cli::run`.

pub mod monitor;
pub mod worker;
