//! crl_memory: the agent's memory with a national-size CRL (issue 11). Prints figures, asserts
//! nothing.
//!
//!     cargo build --release -p cpx-agent && cargo run --release -p cpx-testkit --example crl_memory
//!
//! A CRL of 500,000 entries (the card's serial among them) signed by the test PKI is served
//! by a local HTTP server; the real `cpx-agent run` on a private pcscd reads an emulated card
//! naming it, fetches it in the background, verifies it and keeps its serials on disk; the
//! verdict turns `card_revoked`. The agent's resident memory (VmRSS, sampled every 10 ms, and
//! its peak VmHWM) is printed next to the same agent reading the same card without a CRL
//! (the baseline), with the CRL's size, the time to the revoked verdict and the cache's size
//! on disk.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use cpx_testkit::card::{CpxCard, CpxCardSpec};
use cpx_testkit::http::{Reply, TestServer};
use cpx_testkit::pki::crl::{CrlIssuer, CrlSpec};
use cpx_testkit::pki::{CardCertsBuilder, TestPki};
use cpx_testkit::{CardKind, InsertOptions, PrivatePcscd};
use serde_json::Value;

#[derive(Parser, Debug)]
#[command(
    name = "crl_memory",
    about = "cpx-agent memory with a national-size CRL"
)]
struct Args {
    /// The agent binary (default: `cpx-agent` next to this program).
    #[arg(long)]
    agent: Option<PathBuf>,
    /// Entries of the CRL.
    #[arg(long, default_value_t = 500_000)]
    entries: usize,
}

const EJ: &str = "750712184";
const CRL_PATH: &str = "/CRL/ACI-ST-PP-TEST.crl";

fn kb(pid: u32, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

struct Run {
    before_kb: u64,
    max_sampled_kb: u64,
    after_kb: u64,
    hwm_kb: u64,
    verdict_after: Duration,
    cache_bytes: u64,
}

fn start_agent(bin: &Path, pcscd: &PrivatePcscd, dir: &Path, port: u16) -> Result<Child> {
    let ca = dir.join("test-ca.pem");
    std::fs::write(&ca, TestPki::get().ca_bundle_pem())?;
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[contract]\nmode = \"centralised\"\nej = \"{EJ}\"\n[checks]\naccept_test_cards = true\n\
             extra_trust_anchors = [\"{}\"]\n[api]\nlisten = \"127.0.0.1:{port}\"\n",
            ca.display()
        ),
    )?;
    let (key, socket) = pcscd.env();
    let log = std::fs::File::create(dir.join("agent.log"))?;
    Ok(Command::new(bin)
        .args(["run", "--config"])
        .arg(&config)
        .env(key, socket)
        .env("CPX_AGENT_TOKEN_FILE", dir.join("token"))
        .env("XDG_CONFIG_HOME", dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("CPX_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()?)
}

fn status(port: u16) -> Option<Value> {
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .ok()?;
    client
        .get(format!("http://127.0.0.1:{port}/v1/status"))
        .send()
        .ok()?
        .json()
        .ok()
}

fn codes(s: &Value) -> Vec<String> {
    s["readers"][0]["card"]["verdict"]["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(|f| f["code"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// One agent, one card (with `crl_url` or not), until `done` holds on its status.
fn run(bin: &Path, crl_url: Option<&str>, done: impl Fn(&Value) -> bool) -> Result<Run> {
    let pcscd = PrivatePcscd::start(1)?;
    let dir = tempfile::tempdir()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut child = start_agent(bin, &pcscd, dir.path(), port)?;
    let pid = child.id();
    let deadline = Instant::now() + Duration::from_secs(20);
    while status(port).is_none_or(|s| s["readers"].as_array().is_none_or(Vec::is_empty)) {
        if Instant::now() > deadline {
            bail!(
                "agent not up: {}",
                std::fs::read_to_string(dir.path().join("agent.log"))?
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));
    let before_kb = kb(pid, "VmRSS:");
    let mut builder = CardCertsBuilder::new(CardKind::Cpe).finess(EJ);
    if let Some(url) = crl_url {
        builder = builder.crl_url(url);
    }
    let certs = builder.build();
    let inserted = Instant::now();
    let _card = pcscd.insert(
        0,
        CpxCard::new(CpxCardSpec::new(certs)),
        InsertOptions::default(),
    )?;
    let mut max_sampled_kb = before_kb;
    let mut last_poll = Instant::now() - Duration::from_secs(1);
    let deadline = Instant::now() + Duration::from_secs(600);
    let verdict_after = loop {
        max_sampled_kb = max_sampled_kb.max(kb(pid, "VmRSS:"));
        if last_poll.elapsed() > Duration::from_millis(100) {
            last_poll = Instant::now();
            if status(port).is_some_and(|s| done(&s)) {
                break inserted.elapsed();
            }
        }
        if Instant::now() > deadline {
            bail!(
                "no verdict: {}",
                std::fs::read_to_string(dir.path().join("agent.log"))?
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    std::thread::sleep(Duration::from_secs(2));
    let after_kb = kb(pid, "VmRSS:");
    max_sampled_kb = max_sampled_kb.max(after_kb);
    let hwm_kb = kb(pid, "VmHWM:");
    let cache = dir.path().join("data/cpx-agent");
    let cache_bytes = std::fs::read_dir(&cache)
        .map(|d| {
            d.flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with("revocation"))
                .filter_map(|e| e.metadata().ok().map(|m| m.len()))
                .sum()
        })
        .unwrap_or(0);
    let _ = child.kill();
    let _ = child.wait();
    Ok(Run {
        before_kb,
        max_sampled_kb,
        after_kb,
        hwm_kb,
        verdict_after,
        cache_bytes,
    })
}

fn main() -> Result<()> {
    let args = Args::parse();
    let bin = match &args.agent {
        Some(b) => b.clone(),
        None => cpx_testkit::bins::find("cpx-agent", "CPX_AGENT_BIN")
            .context("cpx-agent: cargo build --release -p cpx-agent")?,
    };
    println!("agent: {}", bin.display());

    // The card's serial is made from its validity (now): build the card's certificates once
    // to learn it, then the CRL naming it among `entries - 1` others.
    let server = TestServer::http();
    let url = server.url(CRL_PATH);
    let probe = CardCertsBuilder::new(CardKind::Cpe)
        .finess(EJ)
        .crl_url(&url)
        .build();
    let started = Instant::now();
    let crl = CrlSpec::new(CrlIssuer::StandardPersonnes)
        .with_others(args.entries.saturating_sub(1))
        .revoke(&probe.auth_serial)
        .der();
    println!(
        "CRL: {} entries, {:.1} MB DER, made in {:.1} s",
        args.entries,
        crl.len() as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    server.set(CRL_PATH, Reply::file(crl, "application/pkix-crl"));

    let baseline = run(&bin, None, |s| !s["readers"][0]["card"].is_null())?;
    // The same second as the probe gives the same serial; otherwise the card is simply not
    // in the CRL: wait for either verdict with a CRL (revoked, or no longer unknown).
    let with = run(&bin, Some(&url), |s| {
        let c = codes(s);
        c.contains(&"card_revoked".to_string())
            || (!s["readers"][0]["card"].is_null()
                && !c.contains(&"revocation_unknown".to_string()))
    })?;
    println!();
    println!(
        "| | baseline (no CRL) | with the {}-entry CRL |",
        args.entries
    );
    println!("|---|---|---|");
    println!(
        "| RSS before the card | {:.1} MB | {:.1} MB |",
        mb(baseline.before_kb),
        mb(with.before_kb)
    );
    println!(
        "| RSS, highest sample (every 10 ms) | {:.1} MB | {:.1} MB |",
        mb(baseline.max_sampled_kb),
        mb(with.max_sampled_kb)
    );
    println!(
        "| peak RSS (VmHWM) | {:.1} MB | {:.1} MB |",
        mb(baseline.hwm_kb),
        mb(with.hwm_kb)
    );
    println!(
        "| RSS 2 s after | {:.1} MB | {:.1} MB |",
        mb(baseline.after_kb),
        mb(with.after_kb)
    );
    println!(
        "| insertion → final verdict | {:.2} s | {:.2} s (fetch, verify, store 500k serials) |",
        baseline.verdict_after.as_secs_f64(),
        with.verdict_after.as_secs_f64()
    );
    println!(
        "| CRL cache on disk | — | {:.1} MB |",
        with.cache_bytes as f64 / 1e6
    );
    println!("target: RSS < 20 MB with the national-size CRL");
    Ok(())
}
