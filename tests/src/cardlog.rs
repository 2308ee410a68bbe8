//! The log of what an emulated card saw: every control message, command APDU and response, as
//! JSON lines, and a reader for tests.

use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// What a log line records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// A command APDU from the host.
    Command,
    /// The card's answer.
    Response,
    /// A vpcd control message or a connection event (see `event`).
    Control,
    /// A fault the emulator injected (see `event`).
    Fault,
}

/// One JSON line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// Milliseconds since the Unix epoch.
    pub time_ms: u64,
    pub dir: Direction,
    /// Hex bytes (APDUs) or empty.
    #[serde(default)]
    pub hex: String,
    /// `connected`, `disconnected`, `power_on`, `power_off`, `reset`, `get_atr`; for faults:
    /// `pull`, `garbage`, `truncated`, `reset`, `silent`, `delay`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
}

/// Appends JSON lines to a file (shared between the client thread and its handle).
#[derive(Debug)]
pub struct CardLogWriter {
    file: Mutex<File>,
}

impl CardLogWriter {
    pub fn create(path: &Path) -> io::Result<Self> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        Ok(CardLogWriter {
            file: Mutex::new(file),
        })
    }

    pub fn write(&self, dir: Direction, bytes: &[u8], event: Option<&str>) {
        let entry = LogEntry {
            time_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0),
            dir,
            hex: hex::encode_upper(bytes),
            event: event.map(str::to_string),
        };
        if let (Ok(mut line), Ok(mut f)) = (serde_json::to_string(&entry), self.file.lock()) {
            // One write per line: a reader never sees half a line from us.
            line.push('\n');
            let _ = f.write_all(line.as_bytes());
        }
    }
}

/// A card log read back.
#[derive(Clone, Debug, Default)]
pub struct CardLog {
    pub entries: Vec<LogEntry>,
}

impl CardLog {
    /// Reads a log, possibly while the card is still writing it (a last line without its
    /// newline is left out).
    pub fn load(path: &Path) -> io::Result<CardLog> {
        let text = std::fs::read_to_string(path)?;
        let complete = match text.rfind('\n') {
            Some(i) => &text[..=i],
            None => "",
        };
        let mut entries = Vec::new();
        for line in complete.lines() {
            if line.trim().is_empty() {
                continue;
            }
            let e: LogEntry = serde_json::from_str(line)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            entries.push(e);
        }
        Ok(CardLog { entries })
    }

    /// Command APDUs, in order, as bytes.
    pub fn commands(&self) -> Vec<Vec<u8>> {
        self.entries
            .iter()
            .filter(|e| e.dir == Direction::Command)
            .filter_map(|e| hex::decode(&e.hex).ok())
            .collect()
    }

    fn controls(&self, name: &str) -> usize {
        self.entries
            .iter()
            .filter(|e| e.dir == Direction::Control && e.event.as_deref() == Some(name))
            .count()
    }

    /// Resets the host asked for (vpcd control message 2: SCardReconnect/SCardDisconnect with
    /// reset). Faults the emulator injected are not counted.
    pub fn resets(&self) -> usize {
        self.controls("reset")
    }

    /// Power-offs the host asked for (pcscd powers an idle card down; an unpower disposition).
    pub fn power_offs(&self) -> usize {
        self.controls("power_off")
    }

    /// VERIFY commands that carried PIN data (a try used, or a PIN sent).
    pub fn verifies_with_data(&self) -> usize {
        self.commands()
            .iter()
            .filter(|c| c.len() > 5 && c[1] == 0x20)
            .count()
    }

    /// VERIFY commands without data (PIN status queries).
    pub fn verify_status_queries(&self) -> usize {
        self.commands()
            .iter()
            .filter(|c| c.len() <= 5 && c.len() >= 4 && c[1] == 0x20)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("log.jsonl");
        let w = CardLogWriter::create(&p).unwrap();
        w.write(Direction::Control, &[], Some("power_on"));
        w.write(Direction::Command, &[0, 0x20, 0, 1], None);
        w.write(Direction::Response, &[0x63, 0xC3], None);
        w.write(Direction::Command, &[0, 0x20, 0, 1, 4, 1, 2, 3, 4], None);
        w.write(Direction::Control, &[], Some("reset"));
        // A line being written (no newline yet) is left out.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&p)
            .unwrap()
            .write_all(b"{\"time_ms\":1,\"dir\":\"comm")
            .unwrap();
        let log = CardLog::load(&p).unwrap();
        assert_eq!(log.entries.len(), 5);
        assert_eq!(log.resets(), 1);
        assert_eq!(log.verifies_with_data(), 1);
        assert_eq!(log.verify_status_queries(), 1);
        assert_eq!(log.commands()[0], vec![0, 0x20, 0, 1]);
    }
}
