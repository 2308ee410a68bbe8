//! Running the agent binary against a private pcscd, for end-to-end tests.
//!
//! The binary is found, not built: `$CPX_AGENT_BIN`, else `target/<profile>/cpx-agent` next to
//! the running test binary (target/<profile>/deps/…). `cargo test --workspace` and `tests/run`
//! build it (cpx-agent has integration tests, so cargo builds its binary); running cargo from
//! inside a test would wait on cargo's own build lock.

use crate::pcscd::PrivatePcscd;
use crate::pki::TestPki;
use serde_json::Value;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Name of the agent binary.
pub const AGENT_BIN: &str = "cpx-agent";

/// Path of the agent binary (see the module documentation).
pub fn agent_binary() -> io::Result<PathBuf> {
    crate::bins::find(AGENT_BIN, "CPX_AGENT_BIN")
}

/// The contract written into a test configuration.
#[derive(Clone, Debug)]
pub struct ContractConfig {
    /// "centralised" or "decentralised".
    pub mode: &'static str,
    pub ej: String,
    pub egs: Vec<String>,
}

/// A configuration file for the agent in a temporary directory, trusting the test PKI.
pub struct AgentConfig {
    dir: tempfile::TempDir,
}

impl AgentConfig {
    /// Writes `config.toml` (and the test CA bundle it names). `contract: None` = no contract.
    pub fn write(contract: Option<&ContractConfig>) -> io::Result<AgentConfig> {
        let dir = tempfile::Builder::new()
            .prefix("cpx-agent-cfg-")
            .tempdir()?;
        std::fs::write(
            dir.path().join("test-ca.pem"),
            TestPki::get().ca_bundle_pem(),
        )?;
        let mut toml = String::new();
        if let Some(c) = contract {
            let egs: Vec<String> = c.egs.iter().map(|e| format!("\"{e}\"")).collect();
            toml.push_str(&format!(
                "[contract]\nmode = \"{}\"\nej = \"{}\"\negs = [{}]\n\n",
                c.mode,
                c.ej,
                egs.join(", ")
            ));
        }
        toml.push_str(
            "[checks]\naccept_test_cards = true\nextra_trust_anchors = [\"test-ca.pem\"]\n",
        );
        std::fs::write(dir.path().join("config.toml"), toml)?;
        Ok(AgentConfig { dir })
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("config.toml")
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// A free port on 127.0.0.1 (free when asked: another process may take it before the agent).
pub fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Writes `dir/config.toml` for `cpx-agent run`: `contract` (TOML lines, may be empty), the
/// test PKI trusted (`dir/test-ca.pem`, cards of the test PKI accepted), the API on
/// `127.0.0.1:port`, and `api_extra` lines for `[api]`. Returns its path.
pub fn write_run_config(
    dir: &Path,
    contract: &str,
    port: u16,
    api_extra: &str,
) -> io::Result<PathBuf> {
    let ca = dir.join("test-ca.pem");
    std::fs::write(&ca, TestPki::get().ca_bundle_pem())?;
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "{contract}\n[checks]\naccept_test_cards = true\nextra_trust_anchors = [\"{}\"]\n\
             [api]\nlisten = \"127.0.0.1:{port}\"\n{api_extra}\n",
            ca.display()
        ),
    )?;
    Ok(config)
}

/// Starts `BIN run --config CONFIG` on `pcscd` with everything of its own in `dir`, never the
/// user's: the token file `dir/token`, the runtime directory `dir/run` (its port file), the
/// configuration home `dir`, the data `dir/data` (FINESS directory, journal, démarche), its
/// log (stderr) in `dir/agent.log`; `CPX_LOG=log_level`, then `env`.
pub fn spawn_run(
    bin: &Path,
    pcscd: &PrivatePcscd,
    dir: &Path,
    config: &Path,
    log_level: &str,
    env: &[(&str, &str)],
) -> io::Result<Child> {
    let log = std::fs::File::create(dir.join("agent.log"))?;
    let (key, socket) = pcscd.env();
    let runtime = dir.join("run");
    std::fs::create_dir_all(&runtime)?;
    Command::new(bin)
        .args(["run", "--config"])
        .arg(config)
        .env(key, socket)
        .env("CPX_AGENT_TOKEN_FILE", dir.join("token"))
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("CPX_LOG", log_level)
        .env("XDG_CONFIG_HOME", dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
}

/// Whether `GET /healthz` at `addr` answers 200.
fn healthy(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    let mut answer = Vec::new();
    stream.write_all(request.as_bytes()).is_ok()
        && stream.read_to_end(&mut answer).is_ok()
        && answer.starts_with(b"HTTP/1.1 200")
}

/// Waits until the agent started by `spawn_run` in `dir` answers `/healthz` at `addr`, then
/// returns its token (`dir/token`). An error (with its log) if it exits or `timeout` passes.
pub fn wait_ready(
    child: &mut Child,
    addr: SocketAddr,
    dir: &Path,
    timeout: Duration,
) -> io::Result<String> {
    let log = || std::fs::read_to_string(dir.join("agent.log")).unwrap_or_default();
    let deadline = Instant::now() + timeout;
    while !healthy(addr) {
        if let Some(status) = child.try_wait()? {
            return Err(io::Error::other(format!(
                "the agent exited {status}: {}",
                log()
            )));
        }
        if Instant::now() > deadline {
            return Err(io::Error::other(format!(
                "the agent did not start: {}",
                log()
            )));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(std::fs::read_to_string(dir.join("token"))?
        .trim()
        .to_owned())
}

/// One `cpx-agent status --json` run.
#[derive(Debug)]
pub struct StatusRun {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// The parsed JSON (Null when stdout was not JSON).
    pub json: Value,
    pub elapsed: Duration,
}

impl StatusRun {
    /// The `card` object of the reader with this name (Null when absent).
    pub fn card(&self, reader: &str) -> &Value {
        self.json["readers"]
            .as_array()
            .and_then(|rs| rs.iter().find(|r| r["name"] == reader))
            .map(|r| &r["card"])
            .unwrap_or(&Value::Null)
    }

    /// Finding codes of the card in this reader.
    pub fn codes(&self, reader: &str) -> Vec<String> {
        self.card(reader)["verdict"]["findings"]
            .as_array()
            .map(|f| {
                f.iter()
                    .filter_map(|x| x["code"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Verdict status of the card in this reader.
    pub fn status(&self, reader: &str) -> Option<String> {
        self.card(reader)["verdict"]["status"]
            .as_str()
            .map(str::to_string)
    }
}

/// Runs `cpx-agent status --json --config CONFIG` against `pcscd`; kills it after `timeout`.
pub fn status(
    pcscd: &PrivatePcscd,
    config: &AgentConfig,
    timeout: Duration,
) -> io::Result<StatusRun> {
    let start = Instant::now();
    let (k, v) = pcscd.env();
    let mut child = Command::new(agent_binary()?)
        .args(["status", "--json", "--config"])
        .arg(config.path())
        .env(k, v)
        // The journal and any FINESS directory: the test's own, never the user's.
        .env("XDG_DATA_HOME", config.dir().join("data"))
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(o) = stdout.as_mut() {
            let _ = io::Read::read_to_string(o, &mut s);
        }
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(e) = stderr.as_mut() {
            let _ = io::Read::read_to_string(e, &mut s);
        }
        s
    });
    let code = loop {
        if let Some(st) = child.try_wait()? {
            break st.code();
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = start.elapsed();
    let stdout = out_t.join().unwrap_or_default();
    let stderr = err_t.join().unwrap_or_default();
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    Ok(StatusRun {
        code,
        stdout,
        stderr,
        json,
        elapsed,
    })
}

/// The agent's reader id for a PC/SC reader name (its documented rule: lower case, runs of
/// other characters → `-`), written once for the tests and the benchmark; `daemon_cards`
/// checks it against the ids the running agent gives.
pub fn reader_id(name: &str) -> String {
    let mut id = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_end_matches('-').to_owned()
}
