//! A write killed in the middle leaves the journal readable and whole: a child process (this
//! test binary, in its `writer` role) records cards as fast as it can, one transaction each,
//! printing how many are committed; it is killed (SIGKILL) mid-stream; the journal then opens,
//! passes SQLite's integrity check, and holds at least every card the child said was committed.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cpx_agent::journal::{Journal, ListFilter, Sighting};
use cpx_agent::model::status::CardView;
use cpx_agent::model::verdict::{Status, Verdict};
use cpx_card::fixtures::ReportBuilder;

const ROLE: &str = "CPX_JOURNAL_CRASH_WRITER";

fn card(n: u64) -> CardView {
    CardView::new(
        ReportBuilder::bare()
            .card_number(&format!("{n:010}"))
            .build(),
        Verdict {
            status: Status::Ready,
            findings: Vec::new(),
            directory_name: None,
        },
    )
}

/// The child's part: write until killed.
#[test]
fn writer() {
    let Some(path) = std::env::var_os(ROLE) else {
        return;
    };
    let journal = Journal::open(std::path::Path::new(&path)).unwrap();
    for n in 0.. {
        let sighting = Sighting {
            reader: "Virtual PCD 00 00".into(),
            card: card(n),
            insertion: true,
            batch: Some(("crash".into(), true)),
        };
        journal
            .record_card(&sighting, None, "2026-12-01T10:00:00Z")
            .unwrap();
        println!("committed {}", n + 1);
    }
}

#[test]
fn a_killed_write_leaves_the_journal_readable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "writer", "--nocapture", "--test-threads", "1"])
        .env(ROLE, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut committed = 0u64;
    let deadline = Instant::now() + Duration::from_secs(30);
    // Let it write a good number, then kill it without warning.
    while committed < 200 {
        let line = lines.next().expect("the writer stopped").unwrap();
        if let Some(n) = line.strip_prefix("committed ") {
            committed = n.parse().unwrap();
        }
        assert!(Instant::now() < deadline, "the writer is too slow");
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // Whatever the pipe still held was committed too.
    for line in lines.map_while(Result::ok) {
        if let Some(n) = line.strip_prefix("committed ") {
            committed = n.parse().unwrap();
        }
    }
    let journal = Journal::open_existing(&path).unwrap().expect("the journal");
    assert_eq!(journal.integrity().unwrap(), "ok");
    let cards = journal.cards(&ListFilter::default()).unwrap();
    assert!(
        cards.len() as u64 >= committed,
        "{} cards, {committed} said committed",
        cards.len()
    );
    // And it takes new writes.
    let sighting = Sighting {
        reader: "Virtual PCD 00 00".into(),
        card: card(999_999),
        insertion: true,
        batch: None,
    };
    journal
        .record_card(&sighting, None, "2026-12-01T11:00:00Z")
        .unwrap();
    println!(
        "killed after {committed} committed writes; {} cards read back",
        cards.len()
    );
}
