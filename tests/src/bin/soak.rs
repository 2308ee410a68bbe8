//! soak: a long run of the real agent (`cpx-agent run`) through a private pcscd (issue 13).
//! Emulated cards go in and out of every reader at random — normal reads, known cards, cards
//! pulled in the middle of a read, resets by another application, garbage, truncated and
//! bounced answers, cards losing their state, silent cards, non-CPx cards — while SSE clients
//! follow the events (one steady, others disconnecting and resuming with `Last-Event-ID`) and
//! other clients load `GET /v1/status`. It checks and prints:
//!
//! - every insertion ends in exactly one `card_read` or `read_failed` (at most one when the
//!   card was pulled during its read);
//! - no event lost or duplicated: the steady client's ids are contiguous, and every resuming
//!   client saw exactly the same events, in order, across its reconnections;
//! - the final state (`/v1/status`) equals the emulators' truth (which card in which reader);
//! - the agent's resident memory and open file descriptors at start, end and maximum (flat);
//! - no reset by the agent and no VERIFY with data in any card's log;
//! - no holder name in an answer or event without the token; the agent stops cleanly.
//!
//! ```sh
//! cargo build --release -p cpx-agent -p cpx-testkit --bins
//! cargo run --release -p cpx-testkit --bin soak -- --cycles 10000 --readers 8
//! ```
//!
//! Exit status: 0 every invariant held, 1 one failed (listed), 2 the run could not start.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use cpx_testkit::agent::{self, reader_id};
use cpx_testkit::card::{CpxCard, CpxCardSpec, Generation, PlainIsoCard, SmartCard};
use cpx_testkit::http_client::{Http, SseStream};
use cpx_testkit::pki::{CardCerts, CardCertsBuilder};
use cpx_testkit::{CardKind, CardLog, Faults, InsertOptions, InsertedCard, PrivatePcscd};
use serde_json::Value;

#[derive(Parser, Debug)]
#[command(
    name = "soak",
    about = "cpx-agent soak run: random card traffic, invariants checked"
)]
struct Args {
    /// Card insertions in all (spread over the readers).
    #[arg(long, default_value_t = 1000)]
    cycles: usize,
    /// Virtual readers (1 to 8).
    #[arg(long, default_value_t = 8)]
    readers: usize,
    /// Seed of the random choices (same seed, same choices per reader).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// SSE clients that disconnect and resume with `Last-Event-ID` (besides the steady one).
    #[arg(long, default_value_t = 2)]
    resumers: usize,
    /// Clients reading `GET /v1/status` in a loop.
    #[arg(long, default_value_t = 2)]
    status_clients: usize,
    /// Pause of each status client between two requests, in milliseconds.
    #[arg(long, default_value_t = 2)]
    status_pause_ms: u64,
    /// The agent binary (default: `cpx-agent` next to this program, or `$CPX_AGENT_BIN`).
    #[arg(long)]
    agent: Option<PathBuf>,
}

const EJ: &str = "750712184";
/// Longest wait for something the agent must do.
const WAIT: Duration = Duration::from_secs(20);
/// A silent card is given up by the agent after ~10.5 s.
const WAIT_SILENT: Duration = Duration::from_secs(40);

/// Deterministic pseudo-random numbers (xorshift64*).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// In `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below((hi - lo + 1) as u64) as usize
    }
}

/// What one cycle does with its card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Action {
    /// A card read right, then taken out.
    Normal,
    /// The card last read in this reader, again (quick recognition).
    Known,
    /// A non-CPx card.
    NotCpx,
    /// Pulled out when APDU k arrives.
    Pull,
    /// Reset by another application after APDU k.
    Reset,
    /// Garbage answer to APDU k.
    Garbage,
    /// One-byte answer to APDU k.
    Truncated,
    /// The card drops and comes back at APDU k, unseen by pcscd.
    Bounce,
    /// The card loses its state at APDU k.
    StateLost,
    /// The card stops answering from APDU k.
    Silent,
}

impl Action {
    /// Weights out of 100.
    const TABLE: [(Action, u64); 10] = [
        (Action::Normal, 40),
        (Action::Known, 15),
        (Action::NotCpx, 3),
        (Action::Pull, 12),
        (Action::Reset, 8),
        (Action::Garbage, 6),
        (Action::Truncated, 4),
        (Action::Bounce, 5),
        (Action::StateLost, 5),
        (Action::Silent, 2),
    ];

    fn pick(rng: &mut Rng) -> Action {
        let mut x = rng.below(100);
        for (action, weight) in Self::TABLE {
            if x < weight {
                return action;
            }
            x -= weight;
        }
        Action::Normal
    }

    /// A pulled card may leave before its read ends: no outcome is then fine.
    fn may_end_unread(self) -> bool {
        self == Action::Pull
    }
}

/// The steady SSE client's view, shared with the drivers.
#[derive(Default)]
struct Board {
    inner: Mutex<BoardInner>,
    changed: Condvar,
}

#[derive(Default)]
struct BoardInner {
    last_id: u64,
    per_reader: HashMap<String, ReaderCounts>,
    /// Every numbered event seen by the steady client: (id, name, reader, outcome detail).
    events: Vec<Logged>,
    /// Problems seen by the steady client.
    problems: Vec<String>,
}

#[derive(Default, Clone, Copy, Debug)]
struct ReaderCounts {
    inserted: u64,
    outcomes: u64,
    removed: u64,
    /// Outcomes of the insertion in progress (`None`: no card).
    current: Option<u64>,
}

#[derive(Clone, Debug)]
struct Logged {
    id: u64,
    name: String,
    reader: String,
    /// `card_read`: the card kind; `read_failed`: the error code.
    detail: String,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Board {
    fn counts(&self, reader: &str) -> ReaderCounts {
        lock(&self.inner)
            .per_reader
            .get(reader)
            .copied()
            .unwrap_or_default()
    }

    fn last_id(&self) -> u64 {
        lock(&self.inner).last_id
    }

    /// Waits until `what` holds of the reader's counts; false on timeout.
    fn wait(&self, reader: &str, timeout: Duration, what: impl Fn(&ReaderCounts) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        let mut inner = lock(&self.inner);
        loop {
            let c = inner.per_reader.get(reader).copied().unwrap_or_default();
            if what(&c) {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            inner = self
                .changed
                .wait_timeout(inner, left.min(Duration::from_millis(200)))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    fn record(&self, id: u64, name: &str, data: &Value) {
        let reader = data["reader"].as_str().unwrap_or_default().to_owned();
        let mut inner = lock(&self.inner);
        if inner.last_id != 0 && id != inner.last_id + 1 {
            let msg = format!("steady client: event {id} after {}", inner.last_id);
            inner.problems.push(msg);
        }
        inner.last_id = id;
        let counts = inner.per_reader.entry(reader.clone()).or_default();
        let detail = match name {
            "card_inserted" => {
                counts.inserted += 1;
                counts.current = Some(0);
                String::new()
            }
            "card_read" | "read_failed" => {
                counts.outcomes += 1;
                if let Some(n) = counts.current.as_mut() {
                    *n += 1;
                }
                if name == "card_read" {
                    data["card"]["kind"].as_str().unwrap_or("?").to_owned()
                } else {
                    data["error"]["code"].as_str().unwrap_or("?").to_owned()
                }
            }
            "card_removed" => {
                counts.removed += 1;
                counts.current = None;
                String::new()
            }
            _ => String::new(),
        };
        inner.events.push(Logged {
            id,
            name: name.to_owned(),
            reader,
            detail,
        });
        drop(inner);
        self.changed.notify_all();
    }
}

/// What a driver did in one cycle.
#[derive(Debug, Clone)]
struct Cycle {
    reader: String,
    action: Action,
    /// Events after `first_event` (exclusive) up to `last_event` belong to this cycle.
    first_event: u64,
    last_event: u64,
    problems: Vec<String>,
    host_resets: usize,
    verifies_with_data: usize,
    apdus: usize,
}

/// The agent process.
struct Agent {
    child: Child,
    addr: SocketAddr,
    token: String,
    dir: tempfile::TempDir,
}

impl Agent {
    fn start(bin: &Path, pcscd: &PrivatePcscd) -> Result<Agent> {
        let dir = tempfile::Builder::new().prefix("cpx-soak-").tempdir()?;
        let port = agent::free_port()?;
        let contract = format!("[contract]\nmode = \"centralised\"\nej = \"{EJ}\"\n");
        let config = agent::write_run_config(dir.path(), &contract, port, "")?;
        let mut child = agent::spawn_run(bin, pcscd, dir.path(), &config, "warn", &[])
            .with_context(|| format!("starting {}", bin.display()))?;
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
        let token = agent::wait_ready(&mut child, addr, dir.path(), WAIT)?;
        Ok(Agent {
            child,
            addr,
            token,
            dir,
        })
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("agent.log")).unwrap_or_default()
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn status(&self) -> Result<Value> {
        let mut http = Http::connect(self.addr, WAIT)?;
        let bearer = format!("Bearer {}", self.token);
        let answer = http.get("/v1/status", &[("Authorization", &bearer)])?;
        Ok(serde_json::from_slice(&answer.body)?)
    }

    /// SIGTERM, then the exit status (killed after 15 s).
    fn stop(&mut self) -> Result<Option<i32>> {
        // SAFETY: kill(2) on our own child.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status.code());
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                return Ok(None);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

// ---- SSE clients ---------------------------------------------------------------------------

/// Names and identifiers of the test cards' holders, never to be seen without the token.
fn has_holder_name(card: &Value) -> bool {
    card["holder"]["surname"].is_string() || card["holder"]["given_name"].is_string()
}

/// The steady client: one connection for the whole run, with the token.
fn steady_client(addr: SocketAddr, token: &str, board: &Board, stop: &AtomicBool) {
    let bearer = format!("Bearer {token}");
    let mut sse = match SseStream::open(
        addr,
        "/v1/events",
        &[("Authorization", &bearer)],
        Duration::from_millis(500),
    ) {
        Ok(s) if s.status == 200 => s,
        Ok(s) => {
            lock(&board.inner)
                .problems
                .push(format!("steady client: status {}", s.status));
            return;
        }
        Err(e) => {
            lock(&board.inner)
                .problems
                .push(format!("steady client: {e}"));
            return;
        }
    };
    while !stop.load(Ordering::SeqCst) {
        match sse.next_event() {
            Ok(Some(event)) => {
                let Some(id) = event.id else { continue };
                if event.name == "snapshot" {
                    lock(&board.inner).last_id = id;
                    continue;
                }
                if event.name == "gap" {
                    lock(&board.inner)
                        .problems
                        .push("steady client: gap".into());
                    continue;
                }
                let data: Value = serde_json::from_str(&event.data).unwrap_or(Value::Null);
                board.record(id, &event.name, &data);
            }
            Ok(None) => {
                if !stop.load(Ordering::SeqCst) {
                    lock(&board.inner)
                        .problems
                        .push("steady client: stream ended".into());
                }
                return;
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => {
                if !stop.load(Ordering::SeqCst) {
                    lock(&board.inner)
                        .problems
                        .push(format!("steady client: {e}"));
                }
                return;
            }
        }
    }
}

/// What a resuming client saw.
#[derive(Default, Debug)]
struct Resumed {
    /// Numbered events, in order, across every connection: (id, name).
    events: Vec<(u64, String)>,
    connections: usize,
    gaps: usize,
    /// Events carrying a holder's name on an unauthorised stream.
    names_leaked: usize,
    problems: Vec<String>,
}

/// A client that drops its connection every few events (or after a pause) and resumes with
/// `Last-Event-ID`, sometimes after waiting a little (events pile up in the log meanwhile).
fn resuming_client(
    addr: SocketAddr,
    token: Option<&str>,
    seed: u64,
    stop: &AtomicBool,
    finish_at: &AtomicU64,
) -> Resumed {
    let mut rng = Rng::new(seed);
    let mut out = Resumed::default();
    let mut last: Option<u64> = None;
    let bearer = token.map(|t| format!("Bearer {t}"));
    'outer: loop {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let mut headers: Vec<(&str, String)> = Vec::new();
        if let Some(b) = &bearer {
            headers.push(("Authorization", b.clone()));
        }
        if let Some(id) = last {
            headers.push(("Last-Event-ID", id.to_string()));
        }
        let refs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let mut sse = match SseStream::open(addr, "/v1/events", &refs, Duration::from_millis(300)) {
            Ok(s) if s.status == 200 => s,
            Ok(s) => {
                out.problems.push(format!("status {}", s.status));
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
            Err(e) => {
                out.problems.push(format!("connect: {e}"));
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        out.connections += 1;
        let quota = rng.range(1, 40);
        let mut got = 0;
        let opened = Instant::now();
        let max_life = Duration::from_millis(rng.range(200, 5000) as u64);
        loop {
            let target = finish_at.load(Ordering::SeqCst);
            if target != 0 && last.is_some_and(|l| l >= target) {
                break 'outer;
            }
            if stop.load(Ordering::SeqCst) {
                break 'outer;
            }
            if got >= quota || opened.elapsed() > max_life {
                break;
            }
            match sse.next_event() {
                Ok(Some(event)) => match (event.name.as_str(), event.id) {
                    ("snapshot", Some(id)) => {
                        if last.is_none() {
                            last = Some(id);
                        } else {
                            out.problems
                                .push(format!("snapshot after resuming from {last:?}"));
                        }
                    }
                    ("gap", _) => out.gaps += 1,
                    (name, Some(id)) => {
                        if token.is_none() {
                            let data: Value =
                                serde_json::from_str(&event.data).unwrap_or(Value::Null);
                            if has_holder_name(&data["card"]) {
                                out.names_leaked += 1;
                            }
                        }
                        out.events.push((id, name.to_owned()));
                        last = Some(id);
                        got += 1;
                    }
                    _ => {}
                },
                Ok(None) => break,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => break,
            }
        }
        sse.close();
        // Sometimes wait before resuming: the events missed meanwhile come from the log.
        if rng.below(3) == 0 {
            std::thread::sleep(Duration::from_millis(rng.range(10, 300) as u64));
        }
    }
    out
}

// ---- status load -----------------------------------------------------------------------------

#[derive(Default, Debug)]
struct Load {
    requests: u64,
    errors: u64,
    names_leaked: u64,
    latencies_us: Vec<u32>,
}

fn status_client(
    addr: SocketAddr,
    token: Option<&str>,
    pause: Duration,
    stop: &AtomicBool,
) -> Load {
    let mut load = Load::default();
    let bearer = token.map(|t| format!("Bearer {t}"));
    let mut http: Option<Http> = None;
    while !stop.load(Ordering::SeqCst) {
        let client = match http.as_mut() {
            Some(h) => h,
            None => match Http::connect(addr, WAIT) {
                Ok(h) => http.insert(h),
                Err(_) => {
                    load.errors += 1;
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                }
            },
        };
        let headers: Vec<(&str, &str)> = bearer
            .as_deref()
            .map(|b| vec![("Authorization", b)])
            .unwrap_or_default();
        let t = Instant::now();
        match client.get("/v1/status", &headers) {
            Ok(answer) if answer.status == 200 => {
                load.latencies_us
                    .push(t.elapsed().as_micros().min(u32::MAX as u128) as u32);
                load.requests += 1;
                if token.is_none() && load.requests % 16 == 0 {
                    let v: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
                    let leaked = v["readers"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|r| has_holder_name(&r["card"]));
                    if leaked {
                        load.names_leaked += 1;
                    }
                }
            }
            Ok(_) => load.errors += 1,
            Err(_) => {
                load.errors += 1;
                http = None;
            }
        }
        if !pause.is_zero() {
            std::thread::sleep(pause);
        }
    }
    load
}

// ---- resources -------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
struct Sample {
    /// Cycles done when the sample was taken.
    cycles: usize,
    rss_kib: u64,
    fds: usize,
    threads: u64,
}

fn sample(pid: u32, cycles: usize) -> Option<Sample> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
    };
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count();
    Some(Sample {
        cycles,
        rss_kib: field("VmRSS:")?,
        fds,
        threads: field("Threads:")?,
    })
}

// ---- cards ------------------------------------------------------------------------------------

/// The cards of the run: every kind, a few of each (distinct card numbers and holders).
fn card_pool() -> Vec<CardCerts> {
    let mut pool = Vec::new();
    let kinds = [
        CardKind::Cps,
        CardKind::Cpf,
        CardKind::Cde,
        CardKind::Cpe,
        CardKind::Cpa,
    ];
    for (i, kind) in kinds.into_iter().enumerate() {
        for j in 0..3 {
            let number = format!("{:010}", 4_200_000_000u64 + (i * 10 + j) as u64);
            let mut builder = CardCertsBuilder::new(kind).card_number(&number);
            if matches!(kind, CardKind::Cde | CardKind::Cpe) && j == 1 {
                builder = builder.finess(EJ);
            }
            pool.push(builder.build());
        }
    }
    pool
}

/// What a card in a reader should show in `/v1/status`.
#[derive(Debug, Clone)]
struct Truth {
    kind: &'static str,
    holder_id: String,
    card_number: String,
}

fn kind_json(kind: CardKind) -> &'static str {
    match kind {
        CardKind::Cps => "CPS",
        CardKind::Cpf => "CPF",
        CardKind::Cde | CardKind::Cpe => "CDE/CPE",
        CardKind::Cpa => "CDA/CPA",
    }
}

fn spec_of(certs: &CardCerts, rng: &mut Rng) -> CpxCardSpec {
    let mut spec = CpxCardSpec::new(certs.clone());
    spec.generation = match rng.below(3) {
        0 => Generation::Cps3,
        1 => Generation::Cps4,
        _ => Generation::Cps4T0,
    };
    spec
}

// ---- one reader's driver --------------------------------------------------------------------

struct Shared<'a> {
    pcscd: &'a PrivatePcscd,
    board: &'a Board,
    pool: &'a [CardCerts],
    next_cycle: &'a AtomicUsize,
    done: &'a AtomicUsize,
    cycles: usize,
    logs: &'a Path,
}

fn drive(shared: &Shared<'_>, index: usize, seed: u64) -> Vec<Cycle> {
    let reader_name = shared.pcscd.readers()[index].name.clone();
    let reader = reader_id(&reader_name);
    let mut rng = Rng::new(seed.wrapping_add(1000 * index as u64 + 17));
    let mut out = Vec::new();
    let mut last: Option<CpxCardSpec> = None;
    loop {
        let n = shared.next_cycle.fetch_add(1, Ordering::SeqCst);
        if n >= shared.cycles {
            break;
        }
        let mut action = Action::pick(&mut rng);
        if action == Action::Known && last.is_none() {
            action = Action::Normal;
        }
        let k = rng.range(1, 22);
        let mut faults = Faults::default();
        match action {
            Action::Pull => faults.pull_at = Some(k),
            Action::Reset => faults.reset_at = Some(k),
            Action::Garbage => faults.garbage_at = Some(k),
            Action::Truncated => faults.truncated_at = Some(k),
            Action::Bounce => faults.bounce_at = Some(k),
            Action::StateLost => faults.state_lost_at = Some(k),
            Action::Silent => faults.silent_from = Some(k),
            _ => {}
        }
        let log = shared.logs.join(format!("card-{index}-{n}.jsonl"));
        let options = InsertOptions {
            faults,
            log: Some(log.clone()),
            ..InsertOptions::default()
        };
        let card: Box<dyn SmartCard> = match action {
            Action::NotCpx => Box::new(PlainIsoCard),
            Action::Known => Box::new(CpxCard::new(
                last.clone()
                    .unwrap_or_else(|| spec_of(&shared.pool[0], &mut rng)),
            )),
            _ => {
                let certs = &shared.pool[rng.below(shared.pool.len() as u64) as usize];
                let spec = spec_of(certs, &mut rng);
                last = Some(spec.clone());
                Box::new(CpxCard::new(spec))
            }
        };
        let cycle = one_cycle(shared, index, &reader, action, card, options, &log);
        shared.done.fetch_add(1, Ordering::SeqCst);
        out.push(cycle);
    }
    out
}

fn one_cycle(
    shared: &Shared<'_>,
    index: usize,
    reader: &str,
    action: Action,
    card: Box<dyn SmartCard>,
    options: InsertOptions,
    log: &Path,
) -> Cycle {
    let board = shared.board;
    let mut cycle = Cycle {
        reader: reader.to_owned(),
        action,
        first_event: board.last_id(),
        last_event: 0,
        problems: Vec::new(),
        host_resets: 0,
        verifies_with_data: 0,
        apdus: 0,
    };
    let before = board.counts(reader);
    let inserted = match shared.pcscd.insert(index, card, options) {
        Ok(c) => c,
        Err(e) => {
            cycle.problems.push(format!("insertion failed: {e}"));
            cycle.last_event = board.last_id();
            return cycle;
        }
    };
    if !board.wait(reader, WAIT, |c| c.inserted > before.inserted) {
        cycle
            .problems
            .push(format!("{action:?}: no card_inserted within {WAIT:?}"));
    }
    let outcome_wait = if action == Action::Silent {
        WAIT_SILENT
    } else {
        WAIT
    };
    if action.may_end_unread() {
        board.wait(reader, outcome_wait, |c| {
            c.removed > before.removed || c.outcomes > before.outcomes
        });
    } else {
        // Settled: the insertion in progress has its outcome. A reset by another application
        // lands after the read's transaction: give it time to show, then settle again.
        let settled =
            |c: &ReaderCounts| c.inserted > before.inserted && c.current.is_some_and(|n| n >= 1);
        if !board.wait(reader, outcome_wait, settled) {
            cycle.problems.push(format!(
                "{action:?}: no card_read or read_failed within {outcome_wait:?}"
            ));
        }
        if action == Action::Reset {
            std::thread::sleep(Duration::from_millis(600));
            board.wait(reader, outcome_wait, settled);
        }
    }
    cycle.apdus = inserted.apdu_count();
    remove(inserted);
    if !board.wait(reader, WAIT, |c| {
        c.removed > before.removed && c.current.is_none()
    }) {
        cycle
            .problems
            .push(format!("{action:?}: no card_removed within {WAIT:?}"));
    }
    cycle.last_event = board.last_id();
    match CardLog::load(log) {
        Ok(l) => {
            cycle.host_resets = l.resets();
            cycle.verifies_with_data = l.verifies_with_data();
        }
        Err(e) => cycle.problems.push(format!("card log: {e}")),
    }
    let _ = std::fs::remove_file(log);
    cycle
}

fn remove(card: InsertedCard) {
    card.remove();
}

// ---- checks ------------------------------------------------------------------------------------

/// One insertion as the steady client saw it.
#[derive(Debug)]
struct Insertion {
    reader: String,
    inserted_id: u64,
    outcomes: Vec<String>,
    removed: bool,
}

fn insertions(events: &[Logged]) -> (Vec<Insertion>, Vec<String>) {
    let mut open: HashMap<String, Insertion> = HashMap::new();
    let mut done = Vec::new();
    let mut problems = Vec::new();
    for e in events {
        match e.name.as_str() {
            "card_inserted" => {
                if let Some(previous) = open.remove(&e.reader) {
                    problems.push(format!(
                        "event {}: card_inserted in {} while the card of event {} is there",
                        e.id, e.reader, previous.inserted_id
                    ));
                    done.push(previous);
                }
                open.insert(
                    e.reader.clone(),
                    Insertion {
                        reader: e.reader.clone(),
                        inserted_id: e.id,
                        outcomes: Vec::new(),
                        removed: false,
                    },
                );
            }
            "card_read" | "read_failed" => match open.get_mut(&e.reader) {
                Some(i) => i.outcomes.push(format!("{}:{}", e.name, e.detail)),
                None => problems.push(format!(
                    "event {}: {} in {} with no card in it",
                    e.id, e.name, e.reader
                )),
            },
            "card_removed" => match open.remove(&e.reader) {
                Some(mut i) => {
                    i.removed = true;
                    done.push(i);
                }
                None => problems.push(format!(
                    "event {}: card_removed in {} with no card in it",
                    e.id, e.reader
                )),
            },
            _ => {}
        }
    }
    done.extend(open.into_values());
    done.sort_by_key(|i| i.inserted_id);
    (done, problems)
}

fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn mib(kib: u64) -> String {
    format!("{:.1} MB", kib as f64 / 1024.0)
}

fn main() {
    match run(Args::parse()) {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("soak: {e:#}");
            std::process::exit(2);
        }
    }
}

fn run(args: Args) -> Result<bool> {
    if !(1..=8).contains(&args.readers) {
        bail!("--readers must be 1 to 8");
    }
    let bin = match &args.agent {
        Some(p) => p.clone(),
        None => cpx_testkit::agent::agent_binary()?,
    };
    // The reset fault runs this helper: make sure it is there before starting.
    cpx_testkit::bins::find("cpx-card-reset", "CPX_CARD_RESET")?;
    let started = Instant::now();
    println!(
        "soak: {} cycles over {} readers, seed {}, agent {}",
        args.cycles,
        args.readers,
        args.seed,
        bin.display()
    );
    let pool = card_pool();
    let pcscd = PrivatePcscd::start(args.readers).context("private pcscd")?;
    let mut agent = Agent::start(&bin, &pcscd)?;
    let all_readers: Vec<String> = pcscd
        .all_readers()
        .iter()
        .map(|r| reader_id(&r.name))
        .collect();
    // Every reader known to the agent before the traffic starts.
    let deadline = Instant::now() + WAIT;
    loop {
        let status = agent.status()?;
        let n = status["readers"].as_array().map_or(0, Vec::len);
        if n >= all_readers.len() {
            break;
        }
        if Instant::now() > deadline {
            bail!("the agent sees {n} readers of {}", all_readers.len());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let logs = tempfile::Builder::new()
        .prefix("cpx-soak-logs-")
        .tempdir()?;
    let board = Board::default();
    let stop_clients = AtomicBool::new(false);
    let stop_sampler = AtomicBool::new(false);
    let finish_at = AtomicU64::new(0);
    let next_cycle = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let samples: Mutex<Vec<Sample>> = Mutex::new(Vec::new());
    let pid = agent.pid();
    let token = agent.token.clone();
    let addr = agent.addr;

    let mut final_truth: BTreeMap<String, Option<Truth>> =
        all_readers.iter().map(|r| (r.clone(), None)).collect();
    let mut final_cards: Vec<InsertedCard> = Vec::new();

    let shared = Shared {
        pcscd: &pcscd,
        board: &board,
        pool: &pool,
        next_cycle: &next_cycle,
        done: &done,
        cycles: args.cycles,
        logs: logs.path(),
    };
    let (cycles, resumed, loads) = std::thread::scope(|scope| -> Result<_> {
        scope.spawn(|| steady_client(addr, &token, &board, &stop_clients));
        // Wait for the steady client's snapshot before anything moves.
        let deadline = Instant::now() + WAIT;
        while board.last_id() == 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let resumers: Vec<_> = (0..args.resumers)
            .map(|i| {
                let token = (i % 2 == 0).then_some(token.as_str());
                let (stop, finish) = (&stop_clients, &finish_at);
                let seed = args.seed.wrapping_add(7 + i as u64);
                scope.spawn(move || resuming_client(addr, token, seed, stop, finish))
            })
            .collect();
        let loaders: Vec<_> = (0..args.status_clients)
            .map(|i| {
                let token = (i % 2 == 0).then_some(token.as_str());
                let pause = Duration::from_millis(args.status_pause_ms);
                let stop = &stop_clients;
                scope.spawn(move || status_client(addr, token, pause, stop))
            })
            .collect();
        {
            let (samples, stop, done) = (&samples, &stop_sampler, &done);
            scope.spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    if let Some(s) = sample(pid, done.load(Ordering::SeqCst)) {
                        lock(samples).push(s);
                    }
                    std::thread::sleep(Duration::from_millis(500));
                }
            });
        }
        let progress = {
            let (done, stop) = (&done, &stop_sampler);
            let total = args.cycles;
            scope.spawn(move || {
                let t = Instant::now();
                let mut last_print = Instant::now();
                while !stop.load(Ordering::SeqCst) && done.load(Ordering::SeqCst) < total {
                    std::thread::sleep(Duration::from_millis(200));
                    if last_print.elapsed() >= Duration::from_secs(30) {
                        last_print = Instant::now();
                        let d = done.load(Ordering::SeqCst);
                        eprintln!(
                            "soak: {d}/{total} cycles, {:.0} s, {:.1} cycles/s",
                            t.elapsed().as_secs_f64(),
                            d as f64 / t.elapsed().as_secs_f64()
                        );
                    }
                }
            })
        };
        let drivers: Vec<_> = (0..args.readers)
            .map(|i| {
                let shared = &shared;
                let seed = args.seed;
                scope.spawn(move || drive(shared, i, seed))
            })
            .collect();
        let mut cycles = Vec::new();
        for d in drivers {
            cycles.extend(d.join().unwrap_or_default());
        }
        let _ = progress.join();
        // The final state: a card in every other reader, left there.
        let mut rng = Rng::new(args.seed ^ 0xF1);
        for i in (0..args.readers).step_by(2) {
            let certs = &pool[rng.below(pool.len() as u64) as usize];
            let reader = reader_id(&pcscd.readers()[i].name);
            let before = board.counts(&reader);
            let spec = spec_of(certs, &mut rng);
            final_cards.push(pcscd.insert(i, CpxCard::new(spec), InsertOptions::default())?);
            if !board.wait(&reader, WAIT, |c| {
                c.inserted > before.inserted && c.current.is_some_and(|n| n >= 1)
            }) {
                lock(&board.inner)
                    .problems
                    .push(format!("final card in {reader}: not read"));
            }
            final_truth.insert(
                reader,
                Some(Truth {
                    kind: kind_json(certs.kind),
                    holder_id: certs.id_nat.clone(),
                    card_number: certs.card_number.clone(),
                }),
            );
        }
        // Let the resuming clients catch up with the last event, then stop the clients.
        finish_at.store(board.last_id(), Ordering::SeqCst);
        let mut resumed = Vec::new();
        for r in resumers {
            resumed.push(r.join().unwrap_or_default());
        }
        stop_clients.store(true, Ordering::SeqCst);
        let mut loads = Vec::new();
        for l in loaders {
            loads.push(l.join().unwrap_or_default());
        }
        stop_sampler.store(true, Ordering::SeqCst);
        Ok((cycles, resumed, loads))
    })?;
    let elapsed = started.elapsed();

    // ---- checks and figures ----
    let mut failures: Vec<String> = Vec::new();
    let status = agent.status()?;
    let end_sample = sample(pid, done.load(Ordering::SeqCst));
    let inner = lock(&board.inner);
    failures.extend(inner.problems.iter().cloned());
    let events = inner.events.clone();
    let steady_last = inner.last_id;
    drop(inner);

    // 1. Every insertion ends in exactly one outcome (at most one when pulled mid-read).
    let (insertions, event_problems) = insertions(&events);
    failures.extend(event_problems);
    let mut per_action: BTreeMap<Action, BTreeMap<String, usize>> = BTreeMap::new();
    let mut cycle_problems = 0;
    for c in &cycles {
        for p in &c.problems {
            cycle_problems += 1;
            if cycle_problems <= 20 {
                failures.push(format!("{} ({:?}): {p}", c.reader, c.action));
            }
        }
        let mine: Vec<&Insertion> = insertions
            .iter()
            .filter(|i| {
                i.reader == c.reader
                    && i.inserted_id > c.first_event
                    && i.inserted_id <= c.last_event
            })
            .collect();
        if mine.is_empty() {
            failures.push(format!(
                "{} ({:?}): no insertion seen (events {}..{})",
                c.reader, c.action, c.first_event, c.last_event
            ));
        }
        for i in mine {
            let ok = match i.outcomes.len() {
                1 => true,
                0 => c.action.may_end_unread(),
                _ => false,
            };
            if !ok || !i.removed {
                failures.push(format!(
                    "{} ({:?}): insertion of event {} ended with {:?}{}",
                    c.reader,
                    c.action,
                    i.inserted_id,
                    i.outcomes,
                    if i.removed { "" } else { " (never removed)" }
                ));
            }
            let key = match i.outcomes.first() {
                None => "no outcome (pulled)".to_owned(),
                Some(o) => o.clone(),
            };
            *per_action
                .entry(c.action)
                .or_default()
                .entry(key)
                .or_default() += 1;
        }
    }
    if cycle_problems > 20 {
        failures.push(format!("… {} more cycle problems", cycle_problems - 20));
    }
    let outcomes_total: usize = insertions.iter().map(|i| i.outcomes.len()).sum();

    // 2. No event lost or duplicated for a resuming client.
    let steady_ids: Vec<(u64, &str)> = events.iter().map(|e| (e.id, e.name.as_str())).collect();
    for (n, r) in resumed.iter().enumerate() {
        for p in r.problems.iter().take(5) {
            failures.push(format!("resuming client {n}: {p}"));
        }
        if r.gaps > 0 {
            failures.push(format!("resuming client {n}: {} gap(s)", r.gaps));
        }
        if r.names_leaked > 0 {
            failures.push(format!(
                "resuming client {n}: {} event(s) with a holder name without the token",
                r.names_leaked
            ));
        }
        let Some(&(first, _)) = r.events.first() else {
            failures.push(format!("resuming client {n}: no event"));
            continue;
        };
        let from = steady_ids.iter().position(|(id, _)| *id == first);
        let expected: Vec<(u64, &str)> = from.map_or(Vec::new(), |p| steady_ids[p..].to_vec());
        let got: Vec<(u64, &str)> = r.events.iter().map(|(i, n)| (*i, n.as_str())).collect();
        if got != expected {
            let diverge = got
                .iter()
                .zip(expected.iter())
                .position(|(a, b)| a != b)
                .unwrap_or(got.len().min(expected.len()));
            failures.push(format!(
                "resuming client {n}: {} events, the steady client {} from id {first}; first \
                 difference at #{diverge}: {:?} vs {:?}",
                got.len(),
                expected.len(),
                got.get(diverge),
                expected.get(diverge)
            ));
        }
    }

    // 3. The final state equals the emulators' truth.
    if status["service"] != "running" {
        failures.push(format!("final state: service {}", status["service"]));
    }
    let readers = status["readers"].as_array().cloned().unwrap_or_default();
    let ids: Vec<String> = readers
        .iter()
        .filter_map(|r| r["id"].as_str().map(str::to_owned))
        .collect();
    let mut expected_ids: Vec<String> = final_truth.keys().cloned().collect();
    let mut sorted_ids = ids.clone();
    sorted_ids.sort();
    expected_ids.sort();
    if sorted_ids != expected_ids {
        failures.push(format!(
            "final state: readers {ids:?}, the pcscd has {expected_ids:?}"
        ));
    }
    for r in &readers {
        let id = r["id"].as_str().unwrap_or_default();
        let truth = final_truth.get(id).cloned().flatten();
        let card = &r["card"];
        match truth {
            None if !card.is_null() || !r["read_error"].is_null() => {
                failures.push(format!("final state: {id} shows a card, it is empty: {r}"))
            }
            Some(t) => {
                let right = card["kind"] == t.kind
                    && card["holder"]["id"] == t.holder_id.as_str()
                    && card["card_number"]
                        .as_str()
                        .is_some_and(|n| n.ends_with(&t.card_number))
                    && r["read_error"].is_null()
                    && card["verdict"].is_object();
                if !right {
                    failures.push(format!(
                        "final state: {id} should hold {} {} ({}), shows {}",
                        t.kind, t.holder_id, t.card_number, r
                    ));
                }
            }
            None => {}
        }
    }

    // 4. Resident memory and file descriptors, flat.
    let samples = lock(&samples).clone();
    let warm = samples
        .iter()
        .find(|s| s.cycles >= (args.cycles / 10).max(args.readers))
        .or(samples.first())
        .copied();
    let max_rss = samples.iter().map(|s| s.rss_kib).max().unwrap_or(0);
    let max_fds = samples.iter().map(|s| s.fds).max().unwrap_or(0);
    let max_threads = samples.iter().map(|s| s.threads).max().unwrap_or(0);
    let first = samples.first().copied();
    if let (Some(w), Some(e)) = (warm, end_sample) {
        // Flat: what a leak of one buffer per read would break (10,000 reads × 1 KB = 10 MB).
        if e.rss_kib > w.rss_kib + w.rss_kib / 2 + 4096 {
            failures.push(format!(
                "memory grows: {} after warm-up, {} at the end",
                mib(w.rss_kib),
                mib(e.rss_kib)
            ));
        }
        if e.fds > w.fds + 4 {
            failures.push(format!(
                "file descriptors grow: {} after warm-up, {} at the end",
                w.fds, e.fds
            ));
        }
    }

    // 5. Card logs.
    let host_resets: usize = cycles.iter().map(|c| c.host_resets).sum();
    let verifies: usize = cycles.iter().map(|c| c.verifies_with_data).sum();
    if host_resets > 0 {
        failures.push(format!(
            "{host_resets} reset(s) by the agent in the card logs"
        ));
    }
    if verifies > 0 {
        failures.push(format!("{verifies} VERIFY with data in the card logs"));
    }

    // 6. Status load.
    let requests: u64 = loads.iter().map(|l| l.requests).sum();
    let errors: u64 = loads.iter().map(|l| l.errors).sum();
    let leaked: u64 = loads.iter().map(|l| l.names_leaked).sum();
    let mut latencies: Vec<u32> = loads.iter().flat_map(|l| l.latencies_us.clone()).collect();
    latencies.sort_unstable();
    if errors > 0 {
        failures.push(format!("/v1/status: {errors} failed request(s)"));
    }
    if leaked > 0 {
        failures.push(format!(
            "/v1/status: {leaked} answer(s) with a holder name without the token"
        ));
    }

    // 7. A clean stop.
    drop(final_cards);
    let exit = agent.stop()?;
    if exit != Some(0) {
        failures.push(format!("the agent stopped with {exit:?} on SIGTERM"));
    }

    // ---- report ----
    let apdus: usize = cycles.iter().map(|c| c.apdus).sum();
    println!(
        "\n{} cycles in {:.0} s ({:.1} cycles/s), {} readers, {} APDUs answered by the cards",
        cycles.len(),
        elapsed.as_secs_f64(),
        cycles.len() as f64 / elapsed.as_secs_f64(),
        args.readers,
        apdus
    );
    println!(
        "insertions seen: {} (outcomes {outcomes_total}); events: {} (last id {steady_last})",
        insertions.len(),
        events.len()
    );
    println!("outcomes per action:");
    for (action, outcomes) in &per_action {
        let n: usize = outcomes.values().sum();
        let parts: Vec<String> = outcomes.iter().map(|(k, v)| format!("{k} {v}")).collect();
        println!(
            "  {:<10} {n:>6}: {}",
            format!("{action:?}"),
            parts.join(", ")
        );
    }
    for (n, r) in resumed.iter().enumerate() {
        println!(
            "resuming client {n} ({}): {} connections, {} events, {} gaps",
            if n % 2 == 0 { "token" } else { "no token" },
            r.connections,
            r.events.len(),
            r.gaps
        );
    }
    println!(
        "/v1/status load: {requests} requests, {errors} errors, p50 {} µs, p99 {} µs",
        percentile(&latencies, 50.0),
        percentile(&latencies, 99.0)
    );
    if let (Some(f), Some(w), Some(e)) = (first, warm, end_sample) {
        println!(
            "agent RSS: start {}, after warm-up ({} cycles) {}, end {}, max {}",
            mib(f.rss_kib),
            w.cycles,
            mib(w.rss_kib),
            mib(e.rss_kib),
            mib(max_rss)
        );
        println!(
            "agent fds: start {}, after warm-up {}, end {}, max {}; threads max {max_threads}",
            f.fds, w.fds, e.fds, max_fds
        );
        // The curve, to tell a plateau from a slow climb: RSS at each tenth of the run.
        let total = cycles.len().max(1);
        let tenths: Vec<String> = (1..=10)
            .filter_map(|k| {
                let at = total * k / 10;
                samples
                    .iter()
                    .rev()
                    .find(|s| s.cycles <= at)
                    .map(|s| format!("{} {}", s.cycles, mib(s.rss_kib)))
            })
            .collect();
        println!(
            "agent RSS by tenth of the run (cycles RSS): {}",
            tenths.join(", ")
        );
    }
    println!("card logs: {host_resets} resets by the agent, {verifies} VERIFY with data");
    println!("agent stop on SIGTERM: exit {exit:?}");
    if failures.is_empty() {
        println!("soak: every invariant held");
        Ok(true)
    } else {
        println!("soak: {} invariant failure(s):", failures.len());
        for f in &failures {
            println!("  - {f}");
        }
        let log = agent.log();
        let tail: Vec<&str> = log.lines().rev().take(20).collect();
        println!("agent log (last lines):");
        for l in tail.into_iter().rev() {
            println!("  {l}");
        }
        Ok(false)
    }
}
