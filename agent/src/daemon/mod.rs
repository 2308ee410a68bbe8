//! `cpx-agent run`: the daemon. A monitor thread watches PC/SC, reader workers read and judge
//! cards on their own threads, one state holds the snapshot and the event log, and the local
//! API serves them (architecture.md §Data flow).

pub mod cards;
pub mod events;
pub mod monitor;
pub mod publish;
pub mod run;
pub mod state;
pub mod worker;
