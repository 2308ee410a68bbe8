//! The journal: the organisation's memory of the readers and cards seen on this workstation
//! (what a technician validated, when, with what verdict). A store beside `finess/`: one SQLite
//! file in the data dir (`$XDG_DATA_HOME/cpx-agent/journal.sqlite`, WAL, one transaction per
//! write), written by the daemon (through `writer`, a background thread: never on the path of a
//! verdict), by `status` and by `validate`; read by `cpx-agent journal`, `GET /v1/journal`
//! (token only) and the diagnostics. A crash or a full disk never loses what was committed and
//! never stops the agent from judging cards: the journal then says it is unavailable.
//!
//! - [`entry`]: what one card or reader seen looks like (the JSON of `/v1/journal`).
//! - [`store`]: the SQLite file: record, list, purge.
//! - [`writer`]: the daemon's background writer (bounded queue, health).

pub mod entry;
pub mod store;
pub mod writer;

pub use entry::{CardEntry, JournalHolder, JournalListing, ReaderEntry, Sighting};
pub use store::{Journal, JournalError, ListFilter};
pub use writer::{JournalHealth, JournalWriter};

use std::path::PathBuf;

use crate::config::Config;

/// Where the journal lives: `[journal] db`, else `$XDG_DATA_HOME/cpx-agent/journal.sqlite`.
pub fn path(config: &Config) -> Option<PathBuf> {
    config
        .journal
        .db
        .clone()
        .or_else(|| crate::platform::data_dir().map(|d| d.join("cpx-agent").join("journal.sqlite")))
}

/// Now, to the second, as the journal writes times (`2026-11-29T10:00:00Z`: sorts as text).
pub fn timestamp(at: time::OffsetDateTime) -> String {
    let at = at
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(at);
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A `YYYY-MM-DD` date as the start of that day in journal time (`--since`, `--before`).
pub fn day_start(date: &str) -> Option<String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = time::Date::parse(date.trim(), &format).ok()?;
    Some(timestamp(day.midnight().assume_utc()))
}

#[cfg(test)]
mod tests;
