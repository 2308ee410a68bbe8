//! bench: the daemon's figures (issue 4 item 8), measured in one run on private pcscds with
//! emulated cards, against the real `cpx-agent run` process. Prints figures, asserts nothing.
//!
//!     cargo build --release -p cpx-agent && cargo run --release -p cpx-testkit --bin bench
//!
//! 1. insertion → verdict, in `/v1/status` and on SSE (median, p95), and the part that is
//!    pcscd's own detection delay (seen by an independent PC/SC client in this process);
//! 2. APDUs per first read and per re-insertion of a known card;
//! 3. `GET /v1/status` throughput and p99 at 1, 16 and 128 concurrent clients, next to a bare
//!    axum handler serving the same bytes in this process;
//! 4. idle cost over 60 s with two readers and two cards: CPU seconds, wake-ups, memory;
//! 5. eight readers with cards inserted at once: time until all eight verdicts are in.

use std::ffi::CString;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use cpx_testkit::agent::{self, reader_id};
use cpx_testkit::card::{CpxCard, CpxCardSpec};
use cpx_testkit::pki::CardCertsBuilder;
use cpx_testkit::{CardKind, InsertOptions, InsertedCard, PrivatePcscd};
use serde_json::Value;

#[derive(Parser, Debug)]
#[command(
    name = "bench",
    about = "cpx-agent daemon figures (prints, asserts nothing)"
)]
struct Args {
    /// The agent binary (default: `cpx-agent` next to this program).
    #[arg(long)]
    agent: Option<PathBuf>,
    /// Insertions per latency series.
    #[arg(long, default_value_t = 50)]
    insertions: usize,
    /// Seconds of the idle measurement.
    #[arg(long, default_value_t = 60)]
    idle_seconds: u64,
    /// Seconds of load per round, concurrency level and server.
    #[arg(long, default_value_t = 2.0)]
    load_seconds: f64,
    /// Rounds per concurrency level, agent and bare server alternating; the best round of
    /// each is reported (the machine may be shared: the best is the least disturbed).
    #[arg(long, default_value_t = 3)]
    load_rounds: usize,
    /// Rounds of the eight-readers measurement.
    #[arg(long, default_value_t = 5)]
    rounds: usize,
    /// Only the throughput figures.
    #[arg(long)]
    only_load: bool,
    /// (internal) Serve this file's bytes as a bare axum `/v1/status`; print the address.
    #[arg(long, hide = true)]
    bare_body: Option<PathBuf>,
}

const EJ: &str = "750712184";
const OTHER_FINESS: &str = "010780054";
const WAIT: Duration = Duration::from_secs(10);

fn main() -> Result<()> {
    let args = Args::parse();
    if let Some(body) = &args.bare_body {
        return serve_bare(body);
    }
    let agent_bin = match &args.agent {
        Some(p) => p.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("program dir")?
            .join("cpx-agent"),
    };
    if !agent_bin.exists() {
        bail!(
            "{} introuvable : `cargo build --release -p cpx-agent` d'abord / build the agent first",
            agent_bin.display()
        );
    }
    println!("# cpx-agent daemon benchmark");
    println!("agent: {}", agent_bin.display());
    println!(
        "machine: {} CPU(s), {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|c| c
                .lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_owned()))
            .unwrap_or_default()
    );

    // Two readers: latency, APDUs, throughput, idle. This process's own PC/SC client (the
    // detection watcher) talks to this pcscd only (libpcsclite reads the socket once).
    let pcscd = PrivatePcscd::start(2)?;
    std::env::set_var(cpx_testkit::pcscd::SOCKET_ENV, pcscd.socket_path());
    let agent = Agent::start(&agent_bin, &pcscd)?;
    let readers: Vec<String> = pcscd.readers().iter().map(|r| r.name.clone()).collect();
    agent.wait_readers(readers.len())?;
    let sse = Sse::open(agent.addr)?;

    if args.only_load {
        let _held = [
            pcscd.insert(0, card(CardKind::Cde, Some(EJ)), InsertOptions::default())?,
            pcscd.insert(1, card(CardKind::Cps, None), InsertOptions::default())?,
        ];
        agent.wait_judged(2)?;
        return throughput(&agent, &args);
    }
    println!(
        "\n## 1. Insertion → verdict ({} insertions per series)",
        args.insertions
    );
    let cde = || card(CardKind::Cde, Some(EJ));
    let cpe = || card(CardKind::Cpe, Some(OTHER_FINESS));
    let new_cards = insertion_series(&pcscd, &agent, &sse, 0, &readers[0], args.insertions, |i| {
        if i % 2 == 0 {
            cde()
        } else {
            cpe()
        }
    })?;
    new_cards.print("card not the last one seen in its reader (full read)");
    // One card, cloned: the very same certificates at every insertion.
    let same_card = cde();
    let known = insertion_series(
        &pcscd,
        &agent,
        &sse,
        1,
        &readers[1],
        args.insertions,
        |_| same_card.clone(),
    )?;
    known.print("the same card re-inserted (known card)");

    println!("\n## 2. APDUs per read");
    println!(
        "first read: {} APDUs (agent's count), {} (card's count)",
        known.apdus_first.0, known.apdus_first.1
    );
    let (agent_known, card_known) = known.apdus_known;
    println!(
        "known card re-inserted: {agent_known} APDUs (agent's count), {card_known} (card's count): {:.0} % of a first read",
        100.0 * card_known as f64 / known.apdus_first.1.max(1) as f64
    );

    // Two cards in, for the throughput and idle figures.
    let _held = [
        pcscd.insert(0, cde(), InsertOptions::default())?,
        pcscd.insert(1, card(CardKind::Cps, None), InsertOptions::default())?,
    ];
    agent.wait_judged(2)?;
    drop(sse);

    throughput(&agent, &args)?;

    println!(
        "\n## 4. Idle cost ({} s, two readers, two cards, no change, no client)",
        args.idle_seconds
    );
    std::thread::sleep(Duration::from_secs(1));
    let before = ProcStats::of(agent.pid())?;
    std::thread::sleep(Duration::from_secs(args.idle_seconds));
    let after = ProcStats::of(agent.pid())?;
    let cpu = after.cpu_seconds - before.cpu_seconds;
    let per_minute = 60.0 / args.idle_seconds as f64;
    // Summed over the threads alive at each sample: a thread that ended between them takes
    // its count along, so the difference may be negative (then read as 0).
    let switches = after.switches.saturating_sub(before.switches);
    println!(
        "CPU: {cpu:.3} s ({:.3} s per minute); wake-ups (context switches, all threads): {} ({:.1} per minute); threads: {}",
        cpu * per_minute,
        switches,
        switches as f64 * per_minute,
        after.threads
    );
    println!(
        "memory: resident {:.1} MB, peak resident {:.1} MB",
        after.rss_kb as f64 / 1024.0,
        after.hwm_kb as f64 / 1024.0
    );
    drop(_held);
    drop(agent);
    drop(pcscd);

    println!(
        "\n## 5. Eight readers, cards inserted at once ({} rounds)",
        args.rounds
    );
    let pcscd8 = PrivatePcscd::start(8)?;
    let agent8 = Agent::start(&agent_bin, &pcscd8)?;
    agent8.wait_readers(8)?;
    let sse8 = Sse::open(agent8.addr)?;
    let eight: Vec<CpxCard> = (0..8)
        .map(|i| if i % 2 == 0 { cde() } else { cpe() })
        .collect();
    for round in 1..=args.rounds {
        let started = Instant::now();
        let mut cards = Vec::new();
        for (i, c) in eight.iter().enumerate() {
            cards.push(pcscd8.insert(i, c.clone(), InsertOptions::default())?);
        }
        let mut read = 0;
        let mut last = started;
        let mut first_seen = None;
        while read < 8 {
            let event = sse8.next()?;
            if event.name == "card_inserted" && first_seen.is_none() {
                first_seen = Some(event.at);
            }
            if event.name == "card_read" || event.name == "read_failed" {
                read += 1;
                last = event.at;
            }
        }
        println!(
            "round {round}: all eight verdicts {} after the first insertion, {} after the agent saw the first card{}",
            millis(last - started),
            millis(last - first_seen.unwrap_or(started)),
            if round == 1 { " (first reads)" } else { " (known cards)" }
        );
        for c in cards {
            c.remove();
        }
        let mut removed = 0;
        while removed < 8 {
            if sse8.next()?.name == "card_removed" {
                removed += 1;
            }
        }
    }
    Ok(())
}

fn throughput(agent: &Agent, args: &Args) -> Result<()> {
    println!(
        "\n## 3. GET /v1/status throughput (keep-alive clients; best of {} rounds of {} s per level)",
        args.load_rounds, args.load_seconds
    );
    let body = agent.get("/v1/status")?;
    println!(
        "status JSON: {} bytes (two readers, two cards, without token)",
        body.len()
    );
    let bare = BareAxum::start(&body)?;
    let load = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    println!("| clients | agent req/s | agent p99 | bare axum req/s | bare p99 | ratio |");
    println!("|---|---|---|---|---|---|");
    for clients in [1usize, 16, 128] {
        let seconds = Duration::from_secs_f64(args.load_seconds);
        let mut a = Load::NONE;
        let mut b = Load::NONE;
        for _ in 0..args.load_rounds.max(1) {
            a = a.best(load.block_on(hammer(agent.addr, clients, seconds)));
            b = b.best(load.block_on(hammer(bare.addr, clients, seconds)));
        }
        println!(
            "| {clients} | {:.0} | {} | {:.0} | {} | {:.0} % |",
            a.per_second,
            micros(a.p99),
            b.per_second,
            micros(b.p99),
            100.0 * a.per_second / b.per_second.max(1.0)
        );
    }
    Ok(())
}

fn card(kind: CardKind, finess: Option<&str>) -> CpxCard {
    let mut builder = CardCertsBuilder::new(kind);
    if let Some(f) = finess {
        builder = builder.finess(f);
    }
    CpxCard::new(CpxCardSpec::new(builder.build()))
}

fn micros(d: Duration) -> String {
    format!("{} µs", d.as_micros())
}

fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

// ---- the agent process ---------------------------------------------------------------------

struct Agent {
    child: Child,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Agent {
    fn start(bin: &Path, pcscd: &PrivatePcscd) -> Result<Agent> {
        let dir = tempfile::tempdir()?;
        let port = agent::free_port()?;
        let contract = format!("[contract]\nmode = \"centralised\"\nej = \"{EJ}\"\n");
        let config = agent::write_run_config(dir.path(), &contract, port, "")?;
        let mut child = agent::spawn_run(bin, pcscd, dir.path(), &config, "warn", &[])
            .with_context(|| format!("starting {}", bin.display()))?;
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
        agent::wait_ready(&mut child, addr, dir.path(), WAIT)?;
        Ok(Agent {
            child,
            addr,
            _dir: dir,
        })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn get(&self, path: &str) -> Result<String> {
        let mut client = HttpClient::connect(self.addr)?;
        let body = client.get(path)?;
        Ok(String::from_utf8_lossy(&body).into_owned())
    }

    fn status(&self) -> Result<Value> {
        Ok(serde_json::from_str(&self.get("/v1/status")?)?)
    }

    fn wait_until(&self, what: impl Fn(&Value) -> bool) -> Result<Value> {
        let deadline = Instant::now() + WAIT;
        loop {
            let status = self.status()?;
            if what(&status) {
                return Ok(status);
            }
            if Instant::now() > deadline {
                bail!("timed out; status {status}");
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn wait_readers(&self, n: usize) -> Result<()> {
        self.wait_until(|s| s["readers"].as_array().is_some_and(|r| r.len() >= n))
            .map(drop)
    }

    fn wait_judged(&self, n: usize) -> Result<()> {
        self.wait_until(|s| {
            s["readers"].as_array().is_some_and(|r| {
                r.iter()
                    .filter(|r| r["card"]["verdict"].is_object())
                    .count()
                    >= n
            })
        })
        .map(drop)
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        // SAFETY: kill(2) on our own child.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 keep-alive client (blocking).
struct HttpClient {
    stream: BufReader<TcpStream>,
    request_host: String,
}

impl HttpClient {
    fn connect(addr: SocketAddr) -> Result<HttpClient> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(WAIT))?;
        Ok(HttpClient {
            stream: BufReader::new(stream),
            request_host: addr.to_string(),
        })
    }

    fn get(&mut self, path: &str) -> Result<Vec<u8>> {
        write!(
            self.stream.get_mut(),
            "GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n",
            self.request_host
        )?;
        let mut length = 0usize;
        let mut line = String::new();
        loop {
            line.clear();
            if self.stream.read_line(&mut line)? == 0 {
                bail!("connection closed");
            }
            let trimmed = line.trim_end();
            if trimmed.is_empty() {
                break;
            }
            if let Some((name, value)) = trimmed.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse()?;
                }
            }
        }
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body)?;
        Ok(body)
    }
}

// ---- SSE -------------------------------------------------------------------------------------

struct SseEvent {
    name: String,
    data: Value,
    at: Instant,
}

struct Sse {
    events: mpsc::Receiver<SseEvent>,
    stream: TcpStream,
}

impl Sse {
    fn open(addr: SocketAddr) -> Result<Sse> {
        let mut stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        write!(stream, "GET /v1/events HTTP/1.1\r\nHost: {addr}\r\n\r\n")?;
        let reader = BufReader::new(stream.try_clone()?);
        let (tx, events) = mpsc::channel();
        std::thread::spawn(move || {
            let mut name = String::new();
            for line in reader.lines() {
                let Ok(line) = line else { return };
                // Chunked framing: size lines are hex digits only and never `event:`/`data:`.
                if let Some(v) = line.strip_prefix("event: ") {
                    name = v.to_owned();
                } else if let Some(data) = line.strip_prefix("data: ") {
                    let event = SseEvent {
                        name: std::mem::take(&mut name),
                        data: serde_json::from_str(data).unwrap_or(Value::Null),
                        at: Instant::now(),
                    };
                    if tx.send(event).is_err() {
                        return;
                    }
                }
            }
        });
        Ok(Sse { events, stream })
    }

    fn next(&self) -> Result<SseEvent> {
        self.events
            .recv_timeout(WAIT)
            .context("no SSE event in time")
    }

    fn until(&self, name: &str, reader: &str) -> Result<SseEvent> {
        loop {
            let event = self.next()?;
            if event.name == name && event.data["reader"] == reader {
                return Ok(event);
            }
        }
    }
}

impl Drop for Sse {
    fn drop(&mut self) {
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
    }
}

// ---- 1. insertion → verdict --------------------------------------------------------------------

/// Sends the instants a reader gains and loses its card, seen by this process's own PC/SC
/// client: pcscd's detection, without the agent.
fn watch_reader(name: &str) -> Result<mpsc::Receiver<(bool, Instant)>> {
    let ctx = pcsc::Context::establish(pcsc::Scope::User)?;
    let reader = CString::new(name)?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut states = [pcsc::ReaderState::new(reader, pcsc::State::UNAWARE)];
        let mut present = None;
        loop {
            states[0].sync_current_state();
            if ctx.get_status_change(None, &mut states).is_err() {
                return;
            }
            let now = states[0].event_state().contains(pcsc::State::PRESENT);
            if present != Some(now) {
                if present.is_some() && tx.send((now, Instant::now())).is_err() {
                    return;
                }
                present = Some(now);
            }
        }
    });
    Ok(rx)
}

struct Series {
    detection: Vec<Duration>,
    sse: Vec<Duration>,
    status: Vec<Duration>,
    /// (agent's count, card's count) of the first insertion.
    apdus_first: (u64, usize),
    /// Same, median-free: the last insertion.
    apdus_known: (u64, usize),
}

impl Series {
    fn print(&self, what: &str) {
        let stats = |v: &[Duration]| {
            let mut sorted = v.to_vec();
            sorted.sort();
            (percentile(&sorted, 50.0), percentile(&sorted, 95.0))
        };
        let beyond = |total: &[Duration]| -> Vec<Duration> {
            total
                .iter()
                .zip(&self.detection)
                .map(|(t, d)| t.saturating_sub(*d))
                .collect()
        };
        println!("### {what}");
        println!("| measure | median | p95 |");
        println!("|---|---|---|");
        for (label, values) in [
            (
                "pcscd detection (insert → PC/SC sees the card)",
                self.detection.clone(),
            ),
            ("insert → `card_read` on SSE", self.sse.clone()),
            ("insert → verdict in /v1/status", self.status.clone()),
            ("beyond detection, SSE", beyond(&self.sse)),
            ("beyond detection, /v1/status", beyond(&self.status)),
        ] {
            let (median, p95) = stats(&values);
            println!("| {label} | {} | {} |", millis(median), millis(p95));
        }
    }
}

fn insertion_series(
    pcscd: &PrivatePcscd,
    agent: &Agent,
    sse: &Sse,
    index: usize,
    reader: &str,
    count: usize,
    make: impl Fn(usize) -> CpxCard,
) -> Result<Series> {
    let watcher = watch_reader(reader)?;
    let id = reader_id(reader);
    let mut series = Series {
        detection: Vec::new(),
        sse: Vec::new(),
        status: Vec::new(),
        apdus_first: (0, 0),
        apdus_known: (0, 0),
    };
    for i in 0..count {
        let poller = StatusPoller::start(agent.addr, reader.to_owned());
        let started = Instant::now();
        let inserted: InsertedCard = pcscd.insert(index, make(i), InsertOptions::default())?;
        let detected = loop {
            let (present, at) = watcher.recv_timeout(WAIT).context("pcscd detection")?;
            if present {
                break at;
            }
        };
        let read = sse.until("card_read", &id)?;
        let in_status = poller.finish()?;
        series.detection.push(detected - started);
        series.sse.push(read.at - started);
        series.status.push(in_status - started);
        let agent_count = read.data["card"]["apdu_count"].as_u64().unwrap_or(0);
        let card_count = inserted.apdu_count();
        if i == 0 {
            series.apdus_first = (agent_count, card_count);
        }
        series.apdus_known = (agent_count, card_count);
        inserted.remove();
        sse.until("card_removed", &id)?;
        while let Ok((present, _)) = watcher.recv_timeout(Duration::from_millis(500)) {
            if !present {
                break;
            }
        }
    }
    Ok(series)
}

/// Polls `/v1/status` (keep-alive) until the reader has a judged card.
struct StatusPoller {
    done: mpsc::Receiver<Result<Instant>>,
}

impl StatusPoller {
    fn start(addr: SocketAddr, reader: String) -> StatusPoller {
        let (tx, done) = mpsc::channel();
        std::thread::spawn(move || {
            let result = (|| {
                let mut client = HttpClient::connect(addr)?;
                let deadline = Instant::now() + WAIT;
                loop {
                    let body = client.get("/v1/status")?;
                    let status: Value = serde_json::from_slice(&body)?;
                    let judged = status["readers"].as_array().is_some_and(|r| {
                        r.iter().any(|r| {
                            r["name"] == reader.as_str() && r["card"]["verdict"].is_object()
                        })
                    });
                    if judged {
                        return Ok(Instant::now());
                    }
                    if Instant::now() > deadline {
                        bail!("no verdict in /v1/status");
                    }
                    std::thread::sleep(Duration::from_micros(500));
                }
            })();
            let _ = tx.send(result);
        });
        StatusPoller { done }
    }

    fn finish(self) -> Result<Instant> {
        self.done.recv_timeout(WAIT + WAIT)?
    }
}

// ---- 3. throughput -------------------------------------------------------------------------

/// A bare axum server returning fixed JSON: this program again (`--bare-body`), a process of
/// its own with a two-worker runtime like the agent's, so both are measured alike.
struct BareAxum {
    addr: SocketAddr,
    child: Child,
    _body: tempfile::NamedTempFile,
}

impl BareAxum {
    fn start(body: &str) -> Result<BareAxum> {
        let mut file = tempfile::NamedTempFile::new()?;
        file.write_all(body.as_bytes())?;
        let mut child = Command::new(std::env::current_exe()?)
            .arg("--bare-body")
            .arg(file.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().context("stdout")?).read_line(&mut line)?;
        Ok(BareAxum {
            addr: line.trim().parse().context("bare server address")?,
            child,
            _body: file,
        })
    }
}

impl Drop for BareAxum {
    fn drop(&mut self) {
        // Closing its stdin stops it.
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// `--bare-body FILE`: serves FILE at `/v1/status` until stdin closes.
fn serve_bare(path: &Path) -> Result<()> {
    let body = axum::body::Bytes::from(std::fs::read(path)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        println!("{}", listener.local_addr()?);
        std::io::stdout().flush()?;
        let app = axum::Router::new().route(
            "/v1/status",
            axum::routing::get(move || {
                let body = body.clone();
                async move { ([("content-type", "application/json")], body) }
            }),
        );
        let stdin_closed = tokio::task::spawn_blocking(|| {
            let _ = std::io::stdin().read_to_end(&mut Vec::new());
        });
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stdin_closed.await;
            })
            .await?;
        Ok(())
    })
}

struct Load {
    per_second: f64,
    p99: Duration,
}

impl Load {
    const NONE: Load = Load {
        per_second: 0.0,
        p99: Duration::ZERO,
    };

    /// The round with the higher throughput.
    fn best(self, other: Load) -> Load {
        if other.per_second > self.per_second {
            other
        } else {
            self
        }
    }
}

/// `clients` keep-alive connections each sending `GET /v1/status` back to back for `duration`
/// (after a short warm-up).
async fn hammer(addr: SocketAddr, clients: usize, duration: Duration) -> Load {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
    let request = Arc::new(format!("GET /v1/status HTTP/1.1\r\nHost: {addr}\r\n\r\n"));
    let warmup = Duration::from_millis(300);
    let start = Instant::now();
    let measure_from = start + warmup;
    let end = measure_from + duration;
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let Ok(stream) = tokio::net::TcpStream::connect(addr).await else {
                return latencies;
            };
            let _ = stream.set_nodelay(true);
            let mut stream = tokio::io::BufReader::new(stream);
            let mut line = String::new();
            loop {
                let sent = Instant::now();
                if sent >= end {
                    break;
                }
                if stream
                    .get_mut()
                    .write_all(request.as_bytes())
                    .await
                    .is_err()
                {
                    break;
                }
                let mut length = 0usize;
                loop {
                    line.clear();
                    match stream.read_line(&mut line).await {
                        Ok(0) | Err(_) => return latencies,
                        Ok(_) => {}
                    }
                    let trimmed = line.trim_end();
                    if trimmed.is_empty() {
                        break;
                    }
                    if let Some((name, value)) = trimmed.split_once(':') {
                        if name.eq_ignore_ascii_case("content-length") {
                            length = value.trim().parse().unwrap_or(0);
                        }
                    }
                }
                let mut body = vec![0; length];
                if stream.read_exact(&mut body).await.is_err() {
                    break;
                }
                if sent >= measure_from {
                    latencies.push(sent.elapsed());
                }
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        if let Ok(latencies) = task.await {
            all.extend(latencies);
        }
    }
    all.sort();
    Load {
        per_second: all.len() as f64 / duration.as_secs_f64(),
        p99: percentile(&all, 99.0),
    }
}

// ---- 4. idle -------------------------------------------------------------------------------------

struct ProcStats {
    cpu_seconds: f64,
    switches: u64,
    threads: usize,
    rss_kb: u64,
    hwm_kb: u64,
}

impl ProcStats {
    fn of(pid: u32) -> Result<ProcStats> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
        // Fields after the `(comm)`: state is field 3; utime 14, stime 15.
        let after = stat.rsplit_once(')').context("stat")?.1;
        let fields: Vec<&str> = after.split_whitespace().collect();
        let ticks = |i: usize| {
            fields
                .get(i - 3)
                .and_then(|f| f.parse::<u64>().ok())
                .unwrap_or(0)
        };
        // SAFETY: sysconf has no preconditions.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
        let cpu_seconds = (ticks(14) + ticks(15)) as f64 / hz;
        let mut switches = 0;
        let mut threads = 0;
        for task in std::fs::read_dir(format!("/proc/{pid}/task"))? {
            let status = std::fs::read_to_string(task?.path().join("status"))?;
            threads += 1;
            for line in status.lines() {
                if line.starts_with("voluntary_ctxt_switches")
                    || line.starts_with("nonvoluntary_ctxt_switches")
                {
                    switches += line
                        .split_whitespace()
                        .nth(1)
                        .and_then(|v| v.parse::<u64>().ok())
                        .unwrap_or(0);
                }
            }
        }
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        let kb = |key: &str| {
            status
                .lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        Ok(ProcStats {
            cpu_seconds,
            switches,
            threads,
            rss_kb: kb("VmRSS:"),
            hwm_kb: kb("VmHWM:"),
        })
    }
}
