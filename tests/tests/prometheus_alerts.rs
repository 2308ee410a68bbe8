//! The fleet on an existing engine: the shipped alerting rules
//! (`installer/prometheus/cpx-agent.rules.yml`) pass their `promtool test rules` unit tests,
//! and a real Prometheus server (Debian's `prometheus`, started here on loopback with a
//! scrape and evaluation interval of 1 s) scraping a running agent with emulated cards raises
//! the expected alerts, read from its HTTP API (`/api/v1/alerts`).

mod daemon_support;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cpx_testkit::card::{CpxCard, CpxCardSpec};
use cpx_testkit::pki::{CardCertsBuilder, CertValidity};
use cpx_testkit::{CardKind, InsertOptions, PrivatePcscd};
use daemon_support::*;
use serde_json::Value;

fn rules_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../installer/prometheus")
}

fn tool(name: &str) -> PathBuf {
    for dir in ["/usr/bin", "/usr/local/bin"] {
        let p = PathBuf::from(dir).join(name);
        if p.is_file() {
            return p;
        }
    }
    panic!("{name} missing: tests/run installs Debian's prometheus package");
}

#[test]
fn the_rules_pass_their_promtool_unit_tests() {
    let out = Command::new(tool("promtool"))
        .args(["test", "rules", "cpx-agent.rules.test.yml"])
        .current_dir(rules_dir())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

struct Prometheus {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Prometheus {
    fn start(agent: std::net::SocketAddr) -> Prometheus {
        let dir = tempfile::tempdir().unwrap();
        let rules = rules_dir()
            .join("cpx-agent.rules.yml")
            .canonicalize()
            .unwrap();
        let config = dir.path().join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n\
                 rule_files:\n  - {}\n\
                 scrape_configs:\n  - job_name: cpx-agent\n    static_configs:\n      - targets: ['{agent}']\n",
                rules.display()
            ),
        )
        .unwrap();
        let port = free_port();
        let log = std::fs::File::create(dir.path().join("prometheus.log")).unwrap();
        let child = Command::new(tool("prometheus"))
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        Prometheus {
            child,
            port,
            _dir: dir,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self._dir.path().join("prometheus.log")).unwrap_or_default()
    }

    fn alerts(&self) -> Vec<Value> {
        let url = format!("http://127.0.0.1:{}/api/v1/alerts", self.port);
        reqwest::blocking::get(url)
            .ok()
            .and_then(|r| r.json::<Value>().ok())
            .and_then(|v| v["data"]["alerts"].as_array().cloned())
            .unwrap_or_default()
    }
}

#[test]
fn a_real_prometheus_scraping_an_agent_raises_the_alerts() {
    let started = Instant::now();
    let pcscd = PrivatePcscd::start(2).unwrap();
    let agent = Agent::start(&pcscd);
    let expiring = CpxCard::new(CpxCardSpec::new(
        CardCertsBuilder::new(CardKind::Cde)
            .finess(EJ)
            .validity(CertValidity::ExpiresInDays(10))
            .build(),
    ));
    let _cards = [
        pcscd.insert(0, expiring, InsertOptions::default()).unwrap(),
        pcscd
            .insert(
                1,
                card(CardKind::Cpe, Some(OTHER_FINESS)),
                InsertOptions::default(),
            )
            .unwrap(),
    ];
    agent.wait_status("two cards judged", |s| judged_cards(s) == 2);
    let prometheus = Prometheus::start(agent.addr);
    let deadline = Instant::now() + Duration::from_secs(30);
    let (expiry, not_ready) = loop {
        let alerts = prometheus.alerts();
        let find = |name: &str| {
            alerts
                .iter()
                .find(|a| a["labels"]["alertname"] == name)
                .cloned()
        };
        if let (Some(e), Some(n)) = (find("CpxCardExpiresSoon"), find("CpxCardNotReady")) {
            break (e, n);
        }
        assert!(
            Instant::now() < deadline,
            "alerts: {alerts:#?}\n{}",
            prometheus.log()
        );
        std::thread::sleep(Duration::from_millis(250));
    };
    // The expiry alert has no delay: firing at the first evaluation after a scrape.
    assert_eq!(expiry["state"], "firing", "{expiry:#}");
    assert_eq!(expiry["labels"]["kind"], "CDE/CPE");
    assert_eq!(expiry["labels"]["reader"], agent_reader_id(&pcscd, 0));
    assert_eq!(expiry["labels"]["job"], "cpx-agent");
    let summary = expiry["annotations"]["summary"].as_str().unwrap();
    assert!(
        summary.contains("expire dans 9d") || summary.contains("expire dans 10d"),
        "{summary}"
    );
    // The verdict alert waits one minute before firing: active, pending.
    assert_eq!(not_ready["state"], "pending", "{not_ready:#}");
    assert_eq!(not_ready["labels"]["kind"], "CDE/CPE");
    // Nothing else: PC/SC runs, readers are there, the agent answers.
    let others: Vec<Value> = prometheus
        .alerts()
        .into_iter()
        .filter(|a| {
            !matches!(
                a["labels"]["alertname"].as_str(),
                Some("CpxCardExpiresSoon" | "CpxCardNotReady")
            )
        })
        .collect();
    assert!(others.is_empty(), "{others:#?}");
    println!(
        "prometheus end to end: alerts active {:.1} s after the test started",
        started.elapsed().as_secs_f64()
    );
}

/// The agent's id of the virtual reader `i`.
fn agent_reader_id(pcscd: &PrivatePcscd, i: usize) -> String {
    cpx_testkit::agent::reader_id(&pcscd.readers()[i].name)
}
