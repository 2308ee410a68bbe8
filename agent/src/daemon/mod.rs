//! `cpx-agent run`: the daemon. A monitor thread watches PC/SC, reader workers read and judge
//! cards on their own threads, one state holds the snapshot and the event log, and the local
//! API serves them (architecture.md §Data flow).

pub mod events;
pub mod publish;
pub mod state;
