//! `cpx-agent finess import|show|check` through the binary: outputs, exit codes, the data dir
//! (`XDG_DATA_HOME`), and an import killed mid-way leaving the previous directory whole.

mod cli_common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use cli_common::{agent, Run};
use cpx_agent::finess::Directory;

fn data(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/finess")
        .join(name)
        .display()
        .to_string()
}

/// The binary with private XDG config and data dirs under `home`.
fn run(home: &Path, args: &[&str]) -> Run {
    agent(&home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .args(args)
        .output()
        .expect("binary runs")
        .into()
}

fn default_db(home: &Path) -> PathBuf {
    home.join("data/cpx-agent/finess.sqlite")
}

#[test]
fn import_show_check_in_the_data_dir() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let r = run(
        h,
        &[
            "finess",
            "import",
            &data("synthetic-ej-windows1252.csv"),
            &data("synthetic-eg-utf8-bom.csv"),
            &data("synthetic-bad-lines.csv"),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("8 EJ, 6 EG"), "{}", r.stdout);
    assert!(r.stdout.contains("ligne 3"), "{}", r.stdout);
    assert!(default_db(h).exists(), "stored under XDG_DATA_HOME");

    let r = run(h, &["finess", "show", "760000018"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("EJ (entité juridique)"), "{}", r.stdout);
    assert!(r.stdout.contains("760000026"), "its EGs: {}", r.stdout);
    assert!(r.stdout.contains("2026-05-12"), "{}", r.stdout);

    let r = run(h, &["finess", "show", "760 000 026", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["kind"], "EG");
    assert_eq!(v["ej_entry"]["finess"], "760000018");
    assert_eq!(v["ej_entry"]["in_directory"], true);
    assert_eq!(v["directory"]["data_date"], "2026-05-12");

    let r = run(h, &["finess", "show", "010000024"]);
    assert_eq!(r.code, 1, "not in this directory");
    assert!(r.stderr.contains("absent"), "{}", r.stderr);
    let r = run(h, &["finess", "show", "12"]);
    assert_eq!(r.code, 2);

    let cfg = h.join("contract.toml");
    std::fs::write(
        &cfg,
        "[contract]\nmode = \"centralised\"\nej = \"760000018\"\negs = [\"760000026\", \"140000027\"]\n",
    )
    .unwrap();
    let cfg = cfg.to_str().unwrap();
    let r = run(h, &["finess", "check", "--config", cfg, "--json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"eg_not_in_contract_ej"), "{codes:?}");
    let r = run(h, &["finess", "check", "--config", cfg]);
    assert!(
        r.stdout.contains("ARS-NORMANDIE-FINESS@ars.sante.fr"),
        "{}",
        r.stdout
    );

    // No contract: nothing to check, a usage error.
    let empty = h.join("empty.toml");
    std::fs::write(&empty, "").unwrap();
    let r = run(h, &["finess", "check", "--config", empty.to_str().unwrap()]);
    assert_eq!(r.code, 2);
}

#[test]
fn errors_are_exit_2_and_write_nothing() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let r = run(h, &["finess", "import", &data("not-an-extract.csv")]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("pas un extrait FINESS"), "{}", r.stderr);
    assert!(!default_db(h).exists());
    let r = run(h, &["finess", "show", "760000018"]);
    assert_eq!(r.code, 2, "no directory yet");
    assert!(r.stderr.contains("finess import"), "{}", r.stderr);
    let db = h.join("other.sqlite");
    let r = run(
        h,
        &[
            "finess",
            "import",
            "--db",
            db.to_str().unwrap(),
            &data("synthetic-structures.json"),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(db.exists() && !default_db(h).exists(), "--db is honoured");
}

/// A national-size-ish synthetic EG extract: `n` `structureet` lines of the real shape.
fn big_extract(path: &Path, n: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(out, "finess;etalab;{n};2026-05-12").unwrap();
    for i in 0..n {
        let eg = format!("{:09}", 100_000_000 + i);
        let ej = format!("{:09}", 900_000_000 + i / 3);
        writeln!(
            out,
            "structureet;{eg};{ej};SITE FICTIF {i};CENTRE FICTIF NUMERO {i} DE LA COMMUNE;;;{};R;DE LA RÉPUBLIQUE;;;123;01;AIN;01000 BOURG EN BRESSE;0474000000;;355;Centre Hospitalier (C.H.);1102;Centres Hospitaliers;26010004500012;8610Z;03;ARS établissements Publics de santé dotation globale;1;Etablissement public de santé;1979-02-13;1979-02-13;2020-02-04;",
            i % 300
        )
        .unwrap();
    }
}

#[test]
fn an_import_killed_midway_leaves_the_previous_directory_whole() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let r = run(
        h,
        &[
            "finess",
            "import",
            &data("synthetic-ej-utf8.csv"),
            &data("synthetic-eg-utf8-bom.csv"),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let db = default_db(h);
    let before = Directory::open(&db).unwrap().unwrap();
    let (before_all, before_info) = (before.all().unwrap(), before.info().unwrap());
    drop(before);

    let big = h.join("etalab-big.csv");
    big_extract(&big, 400_000);
    let mut child = agent(&h.join("config"))
        .env("XDG_DATA_HOME", h.join("data"))
        .args(["finess", "import", big.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The import is under way once the new directory's file beside the old one exists (its
    // pages stay in the build's cache for a while): kill it a little later, still running.
    let folder = db.parent().unwrap().to_path_buf();
    let building = || -> Option<(std::path::PathBuf, u64)> {
        std::fs::read_dir(&folder).ok()?.flatten().find_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let size = e.metadata().ok()?.len();
            name.starts_with(".finess.sqlite.new-")
                .then_some((e.path(), size))
        })
    };
    let started = Instant::now();
    loop {
        if building().is_some() {
            std::thread::sleep(Duration::from_millis(500));
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import ended before it could be killed (make the file bigger)"
        );
        assert!(started.elapsed() < Duration::from_secs(120), "no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "the import ended before it could be killed (make the file bigger)"
    );
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    // The previous directory: readable and complete.
    let after = Directory::open(&db).unwrap().expect("still a directory");
    assert_eq!(after.all().unwrap(), before_all);
    assert_eq!(after.info().unwrap(), before_info);
    drop(after);
    let r = run(h, &["finess", "show", "760000026"]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // The half-built file stays until it is old (an import in progress writes to its file all
    // the time); the next import after that removes it, and works.
    let (leftover, _) = building().expect("the killed import's file");
    let an_hour_and_more = std::time::SystemTime::now() - Duration::from_secs(7200);
    std::fs::File::options()
        .write(true)
        .open(&leftover)
        .unwrap()
        .set_modified(an_hour_and_more)
        .unwrap();
    let r = run(h, &["finess", "import", &data("synthetic-structures.json")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("3 EJ, 3 EG"), "{}", r.stdout);
    assert!(
        !leftover.exists(),
        "the stale half-built directory is removed"
    );
    assert!(building().is_none());
}
