//! The journal end to end, on `cpx-agent run` over a private pcscd: the daemon writes every
//! reader and card it sees; `GET /v1/journal` gives them with the token only; they are still
//! there after the agent restarts (`cpx-agent journal` reads the same file); a full disk makes
//! the journal unavailable (said by the diagnostics) and the agent keeps judging cards.
//! `GET /v1/diagnostics` carries the report's sections and no personal data without the token.

mod daemon_support;

use std::process::Command;
use std::time::{Duration, Instant};

use cpx_testkit::{CardKind, InsertOptions, PrivatePcscd};
use daemon_support::*;
use serde_json::Value;

/// Names and ids of the testkit's CDE and CPE holders (tests/src/pki/card_certs.rs).
const PERSONAL: [&str; 6] = [
    "DIRECTEUR-TEST",
    "PAUL",
    "GESTIONNAIRE-TEST",
    "CHARLES",
    "CDET0001",
    "CPET0002",
];

fn journal(agent: &Agent) -> Value {
    agent
        .get_auth("/v1/journal")
        .send()
        .unwrap()
        .json()
        .unwrap()
}

fn wait_journal(agent: &Agent, cards: usize) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let j = journal(agent);
        if j["cards"].as_array().is_some_and(|c| c.len() == cards) {
            return j;
        }
        assert!(
            Instant::now() < deadline,
            "journal: {j:#}\n{}",
            agent.stderr()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_daemon_keeps_a_journal_that_outlives_it_and_serves_it_with_the_token_only() {
    let pcscd = PrivatePcscd::start(2).unwrap();
    let store = tempfile::tempdir().unwrap();
    let db = store.path().join("journal.sqlite");
    let extra = format!("\n[journal]\ndb = \"{}\"\n", db.display());
    let mut agent = Agent::start_with(&pcscd, &extra, None);
    let _cards = [
        pcscd
            .insert(0, card(CardKind::Cde, Some(EJ)), InsertOptions::default())
            .unwrap(),
        pcscd
            .insert(
                1,
                card(CardKind::Cpe, Some(OTHER_FINESS)),
                InsertOptions::default(),
            )
            .unwrap(),
    ];
    let status = agent.wait_status("two cards judged", |s| judged_cards(s) == 2);
    let numbers: Vec<String> = (0..2)
        .map(|i| {
            card_at(&status, i)["card_number"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();

    // Without the token: refused, and nothing personal in the refusal.
    let refused = agent.get("/v1/journal").send().unwrap();
    assert_eq!(refused.status(), 401);
    let body = refused.text().unwrap();
    assert!(body.contains("token_required"), "{body}");
    let wrong = agent.get("/v1/journal").bearer_auth("nope").send().unwrap();
    assert_eq!(wrong.status(), 401);

    let j = wait_journal(&agent, 2);
    for c in j["cards"].as_array().unwrap() {
        for field in [
            "card_number",
            "kind",
            "structure_finess",
            "verdict",
            "codes",
            "first_seen",
            "last_seen",
            "reader",
        ] {
            assert!(!c[field].is_null(), "{field} in {c}");
        }
        assert!(numbers.contains(&c["card_number"].as_str().unwrap().to_owned()));
        assert_eq!(c["kind"], "CDE/CPE");
    }
    let cpe = j["cards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["structure_finess"] == OTHER_FINESS)
        .unwrap();
    assert_eq!(cpe["verdict"], "not_ready");
    assert!(cpe["codes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "finess_mismatch"));
    assert_eq!(
        j["readers"].as_array().unwrap().len(),
        pcscd.all_readers().len()
    );
    let kinds: Value = agent
        .get_auth("/v1/journal?kind=CPS")
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(kinds["cards"].as_array().unwrap().len(), 0);
    let bad = agent.get_auth("/v1/journal?since=hier").send().unwrap();
    assert_eq!(bad.status(), 400);

    // The report, without the token: the sections, no personal data.
    let report = agent.get("/v1/diagnostics").send().unwrap();
    assert_eq!(report.status(), 200);
    let text = report.text().unwrap();
    for p in PERSONAL
        .iter()
        .copied()
        .chain(numbers.iter().map(|n| n.as_str()))
    {
        assert!(!text.contains(p), "{p} without the token: {text}");
    }
    let r: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(r["agent"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(r["agent"]["source"], "agent");
    assert_eq!(r["pcsc"]["service"], "running");
    assert!(
        r["pcsc"]["pcscd_version"]
            .as_str()
            .is_some_and(|v| v.starts_with("1.")),
        "{}",
        r["pcsc"]
    );
    let readers = r["readers"].as_array().unwrap();
    assert_eq!(readers.len(), pcscd.all_readers().len());
    for reader in readers {
        assert!(reader["name"].as_str().unwrap().starts_with("CPX Virtual"));
        assert!(
            reader["model"].is_null(),
            "a virtual reader is not in the catalog"
        );
        // vpcd answers no feature list: unknown, never a guess.
        assert_eq!(reader["pinpad"]["pinpad"], "unknown");
    }
    assert!(r["usb_unseen"].is_array());
    assert_eq!(r["cards"].as_array().unwrap().len(), 2);
    assert_eq!(r["journal"]["available"], true);
    assert_eq!(r["journal"]["cards"], 2);
    let events = r["events"].as_array().unwrap();
    assert!(events.iter().any(|e| e["type"] == "card_read"));
    // With the token: the names.
    let full = agent
        .get_auth("/v1/diagnostics")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(full.contains("DIRECTEUR-TEST") && full.contains(&numbers[0]));

    // Restart: the journal is still there, in the API and for `cpx-agent journal`.
    let first = j["cards"][0]["first_seen"].clone();
    assert_eq!(agent.terminate().code(), Some(0));
    let agent = Agent::start_with(&pcscd, &extra, None);
    agent.wait_status("two cards judged again", |s| judged_cards(s) == 2);
    let again = journal(&agent);
    assert_eq!(again["cards"].as_array().unwrap().len(), 2, "{again:#}");
    assert!(again["cards"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["first_seen"] == first));
    let cli = Command::new(agent_binary())
        .args(["journal", "--json", "--config"])
        .arg(agent.dir.path().join("config.toml"))
        .output()
        .unwrap();
    assert_eq!(
        cli.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    let listing: Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(listing["cards"].as_array().unwrap().len(), 2);
    let csv = Command::new(agent_binary())
        .args(["journal", "--csv", "--config"])
        .arg(agent.dir.path().join("config.toml"))
        .output()
        .unwrap();
    let csv = String::from_utf8_lossy(&csv.stdout).into_owned();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.starts_with("card_number,chip_serial,kind,"), "{csv}");
}

/// A small tmpfs, mounted for the test and unmounted whatever happens.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(kib: u32) -> SmallDisk {
        let dir = tempfile::tempdir().unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
            .arg(dir.path())
            .status()
            .unwrap()
            .success();
        assert!(ok, "mount tmpfs (the tests run as root)");
        SmallDisk { dir }
    }

    /// Fills what is left with one file.
    fn fill(&self) {
        let _ = Command::new("dd")
            .args(["if=/dev/zero", "bs=4096"])
            .arg(format!("of={}", self.dir.path().join("fill").display()))
            .stderr(std::process::Stdio::null())
            .status();
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

#[test]
fn a_full_disk_makes_the_journal_unavailable_and_the_agent_keeps_judging() {
    let pcscd = PrivatePcscd::start(2).unwrap();
    let disk = SmallDisk::mount(512);
    let db = disk.dir.path().join("journal.sqlite");
    let extra = format!("\n[journal]\ndb = \"{}\"\n", db.display());
    let agent = Agent::start_with(&pcscd, &extra, None);
    let first = pcscd
        .insert(0, card(CardKind::Cde, Some(EJ)), InsertOptions::default())
        .unwrap();
    agent.wait_status("the first card judged", |s| judged_cards(s) == 1);
    wait_journal(&agent, 1);

    disk.fill();
    let _second = pcscd
        .insert(1, card(CardKind::Cpe, Some(EJ)), InsertOptions::default())
        .unwrap();
    let status = agent.wait_status("the second card judged", |s| judged_cards(s) == 2);
    assert_eq!(card_at(&status, 1)["verdict"]["status"], "ready");
    let deadline = Instant::now() + WAIT;
    let report = loop {
        let r: Value = agent.get("/v1/diagnostics").send().unwrap().json().unwrap();
        if r["journal"]["available"] == false {
            break r;
        }
        assert!(
            Instant::now() < deadline,
            "journal still said available: {}",
            r["journal"]
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let error = report["journal"]["error"].as_str().unwrap();
    assert!(error.starts_with("journal indisponible"), "{error}");
    assert!(
        agent.stderr().contains("journal indisponible"),
        "{}",
        agent.stderr()
    );
    // What was committed before is whole and readable.
    let j = journal(&agent);
    assert_eq!(j["cards"].as_array().unwrap().len(), 1, "{j:#}");
    // The agent still follows cards.
    first.remove();
    agent.wait_status("the first card gone", |s| judged_cards(s) == 1);
}
