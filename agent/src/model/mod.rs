//! The wire types, at the bottom of the house: the status snapshot, reader and card views,
//! verdicts, events, the contract, the RPPS+ checklist, and the one reducer of events into a snapshot. Every other
//! room (daemon, state, api, tray, cli) speaks these; this module imports none of them.
//! The same JSON everywhere (`/v1`, `--json`, SSE): keep it stable.

pub mod checklist;
pub mod contract;
pub mod events;
pub mod reduce;
pub mod setup;
pub mod status;
pub mod verdict;

/// The JSON name of a unit variant (`CDE/CPE`, `not_ready`), for logs and metric labels.
pub fn label<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "?".into(),
    }
}
