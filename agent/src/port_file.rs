//! Where the user's own agent listens, for the user's own clients (the tray, `cpx-agent open`,
//! `cpx-agent port`, local applications). Several users on one machine (terminal servers,
//! shared desks) each run an agent: without `[api] listen`, each takes the first free port
//! from 8787 upward and writes it, with its pid, to `$XDG_RUNTIME_DIR/cpx-agent/port` (a
//! directory only the user can read; without a runtime directory, the user's state directory,
//! as for the token). The file holds two lines, `port=8787` and `pid=12345`; the agent removes
//! it when it stops. A client reads it only when no address is configured, and trusts it only
//! while that pid is a running `cpx-agent`: the token is never sent to a guessed port (another
//! user could hold it).

use std::fs;
use std::io::{self, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

/// The first port the automatic rule tries.
pub const FIRST_PORT: u16 = 8787;
/// Ports tried by the automatic rule: `FIRST_PORT` and the next ones (100 users per machine).
pub const PORTS_TRIED: u16 = 100;

/// The port file's path for this user: in the platform's runtime directory
/// (`$XDG_RUNTIME_DIR/cpx-agent/port`, else `~/.local/state/cpx-agent/port` on Linux;
/// `%LOCALAPPDATA%\cpx-agent\port` on Windows), else `~/.cpx-agent/port`.
pub fn path() -> Option<PathBuf> {
    if let Some(dir) = crate::platform::runtime_dir() {
        return Some(dir.join("cpx-agent").join("port"));
    }
    crate::platform::home_dir().map(|home| home.join(".cpx-agent").join("port"))
}

/// What the port file says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRecord {
    pub port: u16,
    pub pid: u32,
}

impl PortRecord {
    /// The address the agent holds on every machine (IPv4 loopback).
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    fn to_text(self) -> String {
        format!("port={}\npid={}\n", self.port, self.pid)
    }

    fn parse(text: &str) -> Option<PortRecord> {
        let mut port = None;
        let mut pid = None;
        for line in text.lines() {
            match line.trim().split_once('=') {
                Some(("port", v)) => port = v.trim().parse::<u16>().ok().filter(|p| *p != 0),
                Some(("pid", v)) => pid = v.trim().parse::<u32>().ok().filter(|p| *p != 0),
                _ => {}
            }
        }
        Some(PortRecord {
            port: port?,
            pid: pid?,
        })
    }
}

/// Writes the record (0600, directory 0700), replacing the file in one rename.
pub fn write(path: &Path, record: PortRecord) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        crate::platform::ensure_private_dir(dir)?;
    }
    let temporary = path.with_extension(format!("tmp{}", record.pid));
    let _ = fs::remove_file(&temporary);
    let mut file = crate::platform::create_private_file(&temporary)?;
    file.write_all(record.to_text().as_bytes())?;
    file.sync_all()?;
    fs::rename(&temporary, path)
}

/// The record in the file, whoever wrote it and whether it still runs.
pub fn read(path: &Path) -> Option<PortRecord> {
    PortRecord::parse(&fs::read_to_string(path).ok()?)
}

/// The record, when its agent still runs.
pub fn read_live(path: &Path) -> Option<PortRecord> {
    read(path).filter(|record| is_running_agent(record.pid))
}

/// Removes the file if it is still this process's record (another agent may have replaced it).
pub fn remove_if_ours(path: &Path, pid: u32) {
    if read(path).is_some_and(|record| record.pid == pid) {
        let _ = fs::remove_file(path);
    }
}

/// Whether `pid` is a running `cpx-agent` (a stale file whose pid was reused by another
/// program is not trusted): asked to the system (`platform::is_running_agent`).
fn is_running_agent(pid: u32) -> bool {
    crate::platform::is_running_agent(pid)
}

/// How a client finds the agent: a configured address, or the port file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Locator {
    /// `--listen`, `--agent` or `[api] listen`.
    Fixed(SocketAddr),
    /// The automatic rule: read the port file (again at each connection).
    PortFile(PathBuf),
}

/// Why the agent cannot be found (the text says what to do).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotFound {
    #[error("{}", crate::text::port::no_port_file_dir())]
    NoDirectory,
    #[error("{}", crate::text::port::not_running(.0))]
    NotRunning(PathBuf),
}

impl Locator {
    /// The configured address, else the port file of this user. A configured address is
    /// reached on 127.0.0.1, its port: the one family the agent always holds (a machine
    /// without IPv6 has no [::1]).
    pub fn new(configured: Option<SocketAddr>) -> Result<Locator, NotFound> {
        match configured {
            Some(addr) => Ok(Locator::Fixed(SocketAddr::from((
                Ipv4Addr::LOCALHOST,
                addr.port(),
            )))),
            None => path().map(Locator::PortFile).ok_or(NotFound::NoDirectory),
        }
    }

    /// Where the agent is now.
    pub fn resolve(&self) -> Result<SocketAddr, NotFound> {
        match self {
            Locator::Fixed(addr) => Ok(*addr),
            Locator::PortFile(path) => read_live(path)
                .map(|record| record.addr())
                .ok_or_else(|| NotFound::NotRunning(path.clone())),
        }
    }
}

#[cfg(test)]
mod tests;
