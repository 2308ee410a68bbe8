//! End-to-end support for the daemon tests: the `cpx-agent run` binary started as a process on
//! a private pcscd, a blocking HTTP client and an SSE reader.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use cpx_testkit::card::{CpxCard, CpxCardSpec};
use cpx_testkit::pki::CardCertsBuilder;
use cpx_testkit::{CardKind, PrivatePcscd};
use serde_json::Value;

/// The demo organisation's EJ (AP-HP) and a FINESS outside its contract.
pub const EJ: &str = "750712184";
pub const OTHER_FINESS: &str = "010780054";
pub const WAIT: Duration = Duration::from_secs(15);

/// The `cpx-agent` binary: `$CPX_AGENT_BIN`, else next to this test binary
/// (`target/<profile>/cpx-agent`, built by `cargo test --workspace`).
pub fn agent_binary() -> PathBuf {
    cpx_testkit::agent::agent_binary()
        .unwrap_or_else(|e| panic!("{e}: run `cargo build -p cpx-agent` (tests/run does)"))
}

pub fn free_port() -> u16 {
    cpx_testkit::agent::free_port().unwrap()
}

/// An establishment card on `finess`, or a CPS.
pub fn card(kind: CardKind, finess: Option<&str>) -> CpxCard {
    let mut builder = CardCertsBuilder::new(kind);
    if let Some(f) = finess {
        builder = builder.finess(f);
    }
    CpxCard::new(CpxCardSpec::new(builder.build()))
}

pub struct Agent {
    pub child: Child,
    pub addr: SocketAddr,
    pub token: String,
    pub dir: tempfile::TempDir,
    http: reqwest::blocking::Client,
}

impl Agent {
    /// Starts the agent on `pcscd` with a centralised contract on `EJ` trusting the test PKI.
    pub fn start(pcscd: &PrivatePcscd) -> Agent {
        Agent::start_with(pcscd, "", None)
    }

    /// `api_extra`: more lines for `[api]`; `port`: the port to use (default: a free one).
    pub fn start_with(pcscd: &PrivatePcscd, api_extra: &str, port: Option<u16>) -> Agent {
        Agent::start_with_env(pcscd, api_extra, port, &[])
    }

    /// Same, with more environment for the agent (`CPX_LOG`…).
    pub fn start_with_env(
        pcscd: &PrivatePcscd,
        api_extra: &str,
        port: Option<u16>,
        env: &[(&str, &str)],
    ) -> Agent {
        let dir = tempfile::tempdir().unwrap();
        let port = port.unwrap_or_else(free_port);
        write_config(
            dir.path(),
            &format!("[contract]\nmode = \"centralised\"\nej = \"{EJ}\"\n"),
            port,
            api_extra,
        );
        Agent::start_in_env(pcscd, dir, port, env)
    }

    /// Starts the agent in `dir`, which holds its `config.toml` (see `write_config`) and its
    /// data (`dir/data`: FINESS directory, checklist), listening on `port`.
    pub fn start_in(pcscd: &PrivatePcscd, dir: tempfile::TempDir, port: u16) -> Agent {
        Agent::start_in_env(pcscd, dir, port, &[])
    }

    /// Same, with more environment for the agent (`CPX_LOG`…).
    pub fn start_in_env(
        pcscd: &PrivatePcscd,
        dir: tempfile::TempDir,
        port: u16,
        env: &[(&str, &str)],
    ) -> Agent {
        let config = dir.path().join("config.toml");
        let child = spawn_agent_env(pcscd, dir.path(), &config, env);
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let mut agent = Agent {
            child,
            addr,
            token: String::new(),
            dir,
            http,
        };
        agent.token =
            cpx_testkit::agent::wait_ready(&mut agent.child, addr, agent.dir.path(), WAIT)
                .unwrap_or_else(|e| panic!("{e}"));
        agent
    }

    /// The blocking HTTP client (10 s time limit).
    pub fn http(&self) -> &reqwest::blocking::Client {
        &self.http
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn stderr(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("agent.log")).unwrap_or_default()
    }

    pub fn get(&self, path: &str) -> reqwest::blocking::RequestBuilder {
        self.http.get(self.url(path))
    }

    pub fn get_auth(&self, path: &str) -> reqwest::blocking::RequestBuilder {
        self.get(path).bearer_auth(&self.token)
    }

    pub fn status(&self, authorised: bool) -> Value {
        let request = if authorised {
            self.get_auth("/v1/status")
        } else {
            self.get("/v1/status")
        };
        request.send().unwrap().json().unwrap()
    }

    /// Polls `/v1/status` (with the token) until `what` holds.
    pub fn wait_status(&self, description: &str, what: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(response) = self.get_auth("/v1/status").send() {
                if let Ok(status) = response.json::<Value>() {
                    if what(&status) {
                        return status;
                    }
                    assert!(
                        Instant::now() < deadline,
                        "timed out waiting for {description}; last status {status:#}\n{}",
                        self.stderr()
                    );
                }
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {description}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Opens `/v1/events`.
    pub fn events(&self, last_event_id: Option<u64>, authorised: bool) -> SseClient {
        SseClient::open(
            &self.url("/v1/events"),
            last_event_id,
            authorised.then_some(&self.token),
        )
    }

    /// SIGTERM, then waits for the exit (at most `WAIT`).
    pub fn terminate(&mut self) -> ExitStatus {
        signal(&self.child, libc::SIGTERM);
        self.wait_exit()
    }

    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "agent did not stop: {}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Stops the agent (SIGKILL: nothing is flushed on purpose) and hands back its directory,
    /// to start it again on the same configuration and data.
    pub fn kill_keep_dir(mut self) -> tempfile::TempDir {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap())
    }

    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes `dir/config.toml`: `contract` (TOML lines, may be empty), the test PKI trusted, the
/// API on `port`, and `api_extra` lines for `[api]`. Returns its path.
pub fn write_config(dir: &Path, contract: &str, port: u16, api_extra: &str) -> PathBuf {
    cpx_testkit::agent::write_run_config(dir, contract, port, api_extra).unwrap()
}

pub fn spawn_agent(pcscd: &PrivatePcscd, dir: &Path, config: &Path) -> Child {
    spawn_agent_env(pcscd, dir, config, &[])
}

pub fn spawn_agent_env(
    pcscd: &PrivatePcscd,
    dir: &Path,
    config: &Path,
    env: &[(&str, &str)],
) -> Child {
    cpx_testkit::agent::spawn_run(&agent_binary(), pcscd, dir, config, "info", env)
        .expect("start cpx-agent")
}

pub fn signal(child: &Child, signal: libc::c_int) {
    // SAFETY: kill(2) on our own child's pid.
    unsafe {
        libc::kill(child.id() as libc::pid_t, signal);
    }
}

/// One SSE event.
#[derive(Debug, Clone)]
pub struct SseEvent {
    pub name: String,
    pub id: Option<u64>,
    pub data: Value,
}

/// Reads an SSE stream on a thread; events arrive on a channel.
pub struct SseClient {
    events: mpsc::Receiver<SseEvent>,
}

impl SseClient {
    pub fn open(url: &str, last_event_id: Option<u64>, token: Option<&String>) -> SseClient {
        let client = reqwest::blocking::Client::builder()
            .timeout(None)
            .build()
            .unwrap();
        let mut request = client.get(url);
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().unwrap();
        assert_eq!(response.status(), 200);
        let (tx, events) = mpsc::channel();
        std::thread::spawn(move || {
            let reader = BufReader::new(response);
            let (mut name, mut id, mut data) = (String::new(), None, String::new());
            for line in reader.lines() {
                let Ok(line) = line else { return };
                if line.is_empty() {
                    if !name.is_empty() {
                        let event = SseEvent {
                            name: std::mem::take(&mut name),
                            id: id.take(),
                            data: serde_json::from_str(&data).unwrap_or(Value::Null),
                        };
                        if tx.send(event).is_err() {
                            return;
                        }
                    }
                    data.clear();
                } else if let Some(v) = line.strip_prefix("event: ") {
                    name = v.to_owned();
                } else if let Some(v) = line.strip_prefix("id: ") {
                    id = v.parse().ok();
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data.push_str(v);
                }
            }
        });
        SseClient { events }
    }

    pub fn next(&self) -> SseEvent {
        self.events
            .recv_timeout(WAIT)
            .expect("an SSE event in time")
    }

    /// Events until one named `name` (included).
    pub fn until(&self, name: &str) -> Vec<SseEvent> {
        let mut seen = Vec::new();
        loop {
            let event = self.next();
            let done = event.name == name;
            seen.push(event);
            if done {
                return seen;
            }
        }
    }

    /// Whether another event arrives within `wait`.
    pub fn quiet_for(&self, wait: Duration) -> bool {
        self.events.recv_timeout(wait).is_err()
    }
}

/// The card of the reader at `index` in a status, if any.
pub fn card_at(status: &Value, index: usize) -> &Value {
    &status["readers"][index]["card"]
}

/// Readers whose card has a verdict.
pub fn judged_cards(status: &Value) -> usize {
    status["readers"].as_array().map_or(0, |r| {
        r.iter()
            .filter(|r| r["card"]["verdict"].is_object())
            .count()
    })
}

/// The reader named `name` in a status.
pub fn reader_named<'a>(status: &'a Value, name: &str) -> &'a Value {
    status["readers"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["name"] == name))
        .unwrap_or(&Value::Null)
}

/// Finding codes of a card.
pub fn finding_codes(card: &Value) -> Vec<String> {
    card["verdict"]["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(|f| f["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

pub fn reader_count(status: &Value) -> usize {
    status["readers"].as_array().map_or(0, Vec::len)
}

/// Sends `request` (raw bytes, as written) to `addr` and reads the whole answer (the request
/// should say `Connection: close`); for the forms a client library would normalise.
pub fn raw_request(addr: SocketAddr, request: &[u8]) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    // The agent may close before reading all of a refused body: what it answered counts.
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// The status code of a raw HTTP answer (0 when there is none).
pub fn status_code(answer: &str) -> u16 {
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}
