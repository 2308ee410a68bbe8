//! Replays every seed and every crash ever found (`regressions/<target>/`) through the
//! harnesses, on stable, without libFuzzer: a crash fixed stays fixed, and the harnesses keep
//! compiling against the crates as they change. `cargo test --manifest-path fuzz/Cargo.toml`.

use std::path::{Path, PathBuf};

type Harness = fn(&[u8]);

const TARGETS: [(&str, Harness); 8] = [
    ("cert", cpx_fuzz::cert),
    ("pkcs15", cpx_fuzz::pkcs15),
    ("card_read", cpx_fuzz::card_read),
    ("atr", cpx_fuzz::atr),
    ("finess_csv", cpx_fuzz::finess_csv),
    ("finess_json", cpx_fuzz::finess_json),
    ("config", cpx_fuzz::config),
    ("api_request", cpx_fuzz::api_request),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A folder of `seed-dirs`: `../shared/…` is the project's shared folder, beside the main
/// tree (`../shared`) or two levels up from a work tree under `wt/`.
fn resolve(root: &Path, dir: &str) -> PathBuf {
    if let Some(rest) = dir.strip_prefix("../shared/") {
        for up in [root.join("../shared"), root.join("../../shared")] {
            if up.join("corpus").is_dir() {
                return up.join(rest);
            }
        }
    }
    root.join(dir)
}

/// The inputs of one target: its seed folders (`seed-dirs`) and its regressions.
fn inputs(target: &str) -> Vec<PathBuf> {
    let root = root();
    let mut dirs = vec![
        root.join("fuzz/seeds").join(target),
        root.join("fuzz/regressions").join(target),
    ];
    let listed = std::fs::read_to_string(root.join("fuzz/seed-dirs")).unwrap();
    for line in listed.lines().filter(|l| !l.starts_with('#')) {
        if let Some((t, dir)) = line.split_once(' ') {
            if t == target {
                dirs.push(resolve(&root, dir.trim()));
            }
        }
    }
    let mut files = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            if e.path().is_file() {
                files.push(e.path());
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_seed_and_regression_passes_every_harness_it_belongs_to() {
    for (target, harness) in TARGETS {
        let files = inputs(target);
        assert!(!files.is_empty(), "{target}: no seed");
        for f in &files {
            let data = std::fs::read(f).unwrap();
            let outcome = std::panic::catch_unwind(|| harness(&data));
            assert!(outcome.is_ok(), "{target}: {} fails", f.display());
        }
        println!("{target}: {} inputs", files.len());
    }
}

#[test]
fn the_card_read_seeds_are_whole_reads() {
    // The generated transcripts replay a full read (and the recognition after it): a seed that
    // stopped early would fuzz only the first APDUs. (The crashes kept as regressions are
    // whatever libFuzzer found, not whole reads.)
    let seeds = inputs("card_read");
    for f in seeds
        .iter()
        .filter(|f| !f.components().any(|c| c.as_os_str() == "regressions"))
    {
        let data = std::fs::read(&f).unwrap();
        let answers = cpx_fuzz::split_answers(&data[1..]);
        assert!(
            answers.len() >= 20,
            "{}: {} answers",
            f.display(),
            answers.len()
        );
        assert_eq!(cpx_fuzz::join_answers(data[0], &answers), data);
        let atr = cpx_fuzz::ATRS[usize::from(data[0])];
        let mut card = cpx_card::ScriptedTransport::answering(answers);
        let report = cpx_card::read_card(&mut card, atr, &cpx_card::TrustStore::empty());
        let report = report.unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert_eq!(report.certificates.len(), 2, "{}", f.display());
        assert!(report.holder.is_some(), "{}", f.display());
    }
}
