//! Support for the technician's bench tests: the agent's subcommands run as child processes
//! against a private pcscd, with the test's own data folder (journal, FINESS directory).
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use cpx_testkit::agent::{agent_binary, AgentConfig, ContractConfig};
use cpx_testkit::PrivatePcscd;

pub const EJ: &str = "750712184";
pub const OTHER_FINESS: &str = "010780054";

/// A configuration with a centralised contract on `EJ`, trusting the test PKI.
pub fn config() -> AgentConfig {
    AgentConfig::write(Some(&ContractConfig {
        mode: "centralised",
        ej: EJ.into(),
        egs: Vec::new(),
    }))
    .unwrap()
}

/// `cpx-agent ARGS --config CONFIG` on `pcscd` (if any), the data folder in the config's.
pub fn command(pcscd: Option<&PrivatePcscd>, config: &AgentConfig, args: &[&str]) -> Command {
    let mut c = Command::new(agent_binary().unwrap());
    c.args(args)
        .arg("--config")
        .arg(config.path())
        .env("XDG_DATA_HOME", config.dir().join("data"))
        .env("HOME", config.dir())
        .env_remove("RUST_LOG")
        .env_remove("CPX_LOG")
        .stdin(Stdio::null());
    match pcscd {
        Some(p) => {
            let (k, v) = p.env();
            c.env(k, v);
        }
        // No PC/SC service at this socket.
        None => {
            c.env("PCSCLITE_CSOCK_NAME", config.dir().join("no-pcscd.comm"));
        }
    }
    c
}

/// Runs to the end (at most 60 s).
pub fn run(pcscd: Option<&PrivatePcscd>, config: &AgentConfig, args: &[&str]) -> Output {
    let child = command(pcscd, config, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_output(child, Duration::from_secs(60))
}

pub fn wait_output(mut child: Child, limit: Duration) -> Output {
    let deadline = std::time::Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// The lines a child writes on a pipe, as they come.
pub fn lines(pipe: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

/// The next line within `wait`, or a panic saying what was awaited.
pub fn next_line(rx: &mpsc::Receiver<String>, wait: Duration, what: &str) -> String {
    rx.recv_timeout(wait)
        .unwrap_or_else(|_| panic!("no line in time: {what}"))
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn journal_path(config: &AgentConfig) -> PathBuf {
    config
        .dir()
        .join("data")
        .join("cpx-agent")
        .join("journal.sqlite")
}

pub fn exists(path: &Path) -> bool {
    path.exists()
}
