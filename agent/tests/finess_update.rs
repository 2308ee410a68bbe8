//! `cpx-agent finess update` through the binary, against a real local HTTPS server (its own
//! test CA, trusted through `[network] ca_files`) playing the data.gouv.fr dataset API and its
//! static files: a new FINESS+ JSON (gzipped, size and checksum published), the same again
//! (304: nothing imported), the legacy CSV extracts when the JSON dataset is gone, and files
//! that must leave the previous directory whole: truncated, garbage, a wrong checksum, a
//! partial directory, a slow server (still imported), the process killed mid-download.

mod cli_common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use cli_common::{agent, Run};
use cpx_agent::finess::Directory;
use cpx_testkit::http::{Reply, TestServer, TestTls};
use serde_json::{json, Value};

const API: &str = "/api/1/";
const DAILY: &str =
    "/resources/finess-structures-1/20261203-030012/finess-structures-journalier-20261203.json.gz";

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/finess")
        .join(name)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn sha1(bytes: &[u8]) -> String {
    hex::encode(ring::digest::digest(
        &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
        bytes,
    ))
}

/// A dataset description as data.gouv.fr writes it (the fields the agent reads, and others).
fn dataset(server: &TestServer, files: &[(&str, &[u8])]) -> Value {
    let resources: Vec<Value> = files
        .iter()
        .map(|(path, body)| {
            let name = path.rsplit('/').next().unwrap();
            json!({
                "id": "cd493959-fb03-41e5-9347-0edd14dfbc22",
                "title": name,
                "description": "Extraction quotidienne",
                "filetype": "file",
                "type": "main",
                "format": if name.ends_with(".gz") { "gz" } else { "csv" },
                "url": server.url(path),
                "latest": server.url(path),
                "mime": "application/gzip",
                "filesize": body.len(),
                "checksum": {"type": "sha1", "value": sha1(body)},
                "created_at": "2026-05-06T10:00:00.000000+00:00",
                "last_modified": "2026-12-03T03:00:12.000000+00:00",
                "extras": {},
                "schema": {}
            })
        })
        .collect();
    json!({
        "id": "6810a0b5c4e7e4b3d4c1f2a1",
        "slug": "finess-structures-1",
        "title": "FINESS - Structures",
        "resources": resources,
        "page": "https://www.data.gouv.fr/datasets/finess-structures-1"
    })
}

struct Home {
    dir: tempfile::TempDir,
    tls: TestTls,
}

impl Home {
    fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
            tls: TestTls::new(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn db(&self) -> PathBuf {
        self.path().join("data/cpx-agent/finess.sqlite")
    }

    /// A configuration trusting the servers' CA (or not), offline or not.
    fn config(&self, trust_ca: bool, offline: bool) -> PathBuf {
        let ca = self.path().join("https-ca.pem");
        self.tls.write_ca(&ca).unwrap();
        let mut text = format!("[network]\noffline = {offline}\n");
        if trust_ca {
            text.push_str(&format!("ca_files = [\"{}\"]\n", ca.display()));
        }
        let path = self.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    fn command(&self, source: &str, trust_ca: bool, offline: bool) -> std::process::Command {
        let config = self.config(trust_ca, offline);
        let mut c = agent(&self.path().join("xdg"));
        c.env("XDG_DATA_HOME", self.path().join("data"))
            .args(["finess", "update", "--json", "--source", source, "--config"])
            .arg(config);
        c
    }

    fn update(&self, source: &str) -> Run {
        self.command(source, true, false).output().unwrap().into()
    }

    /// Every entry and what the directory is (to compare before/after).
    fn directory(&self) -> Option<(String, usize)> {
        let d = Directory::open(&self.db()).unwrap()?;
        Some((d.info().unwrap().imported_at, d.all().unwrap().len()))
    }
}

fn json_of(r: &Run) -> Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr))
}

fn leftovers(folder: &Path) -> Vec<String> {
    std::fs::read_dir(folder)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(".finess-update-"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn new_then_unchanged_then_refused_files_leave_the_directory_whole() {
    let home = Home::new();
    let server = TestServer::https(&home.tls);
    let plain = std::fs::read(data("synthetic-structures.json")).unwrap();
    let gz = gzip(&plain);
    server.set(DAILY, Reply::file(gz.clone(), "application/gzip"));
    server.set(
        "/api/1/datasets/finess-structures-1/",
        Reply::json(&dataset(&server, &[(DAILY, &gz)])),
    );
    let api = server.url(API);

    // New: downloaded, checked, imported.
    let r = home.update(&api);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let summary = json_of(&r);
    assert_eq!(summary["outcome"], "updated");
    assert_eq!(summary["import"]["ej"], 3);
    assert_eq!(summary["import"]["eg"], 3);
    assert_eq!(summary["import"]["data_date"], "2026-11-20");
    assert_eq!(
        summary["files"][0]["name"],
        "finess-structures-journalier-20261203.json.gz"
    );
    let first = home.directory().expect("a directory");
    assert_eq!(first.1, 6);
    assert!(leftovers(&home.path().join("data/cpx-agent")).is_empty());

    // Unchanged: a conditional request, 304, nothing imported.
    let r = home.update(&api);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(json_of(&r)["outcome"], "unchanged");
    let asked = server.requests_for(DAILY);
    assert_eq!(asked.len(), 2);
    assert!(asked[1].header("if-none-match").is_some(), "{:?}", asked[1]);
    assert_eq!(home.directory().unwrap(), first, "not imported again");

    // Each of these must be refused and leave the directory exactly as it was.
    let garbage = b"<!DOCTYPE html><html><body>Maintenance</body></html>".repeat(50);
    let mut small = serde_json::from_slice::<Value>(&plain).unwrap();
    small["pmej"] = json!([small["pmej"][1].clone()]);
    small["pmej"][0]["ege"] = json!([]);
    let small = gzip(small.to_string().as_bytes());
    let mut cut = gz.clone();
    cut.truncate(gz.len() / 2);
    let cases: Vec<(&str, Reply, Value, &str)> = vec![
        (
            "truncated (fewer bytes than announced)",
            Reply::Truncated {
                body: std::sync::Arc::new(gz[..gz.len() / 2].to_vec()),
                declared: gz.len() as u64,
            },
            dataset(&server, &[(DAILY, &gz)]),
            "impossible",
        ),
        (
            "truncated (a shorter file than published)",
            Reply::file(cut.clone(), "application/gzip"),
            dataset(&server, &[(DAILY, &gz)]),
            "incomplet",
        ),
        (
            "garbage",
            Reply::file(garbage.clone(), "text/html"),
            dataset(&server, &[(DAILY, &garbage)]),
            "refusé",
        ),
        (
            "wrong checksum",
            Reply::file(gzip(b"{\"pmej\": []}"), "application/gzip"),
            {
                let mut d = dataset(&server, &[(DAILY, &gz)]);
                d["resources"][0]["filesize"] = Value::Null;
                d
            },
            "empreinte",
        ),
        (
            "a directory half the size (partial file)",
            Reply::file(small.clone(), "application/gzip"),
            dataset(&server, &[(DAILY, &small)]),
            "moins de la moitié",
        ),
        (
            "gone",
            Reply::Status(404),
            dataset(&server, &[(DAILY, &gz)]),
            "404",
        ),
    ];
    for (what, reply, description, why) in cases {
        server.set(DAILY, reply);
        server.set(
            "/api/1/datasets/finess-structures-1/",
            Reply::json(&description),
        );
        let r = home.update(&api);
        assert_eq!(r.code, 1, "{what}: {}\n{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(why), "{what}: {}", r.stderr);
        assert!(r.stderr.contains("conservé"), "{what}: {}", r.stderr);
        assert_eq!(
            home.directory().unwrap(),
            first,
            "{what}: directory changed"
        );
        assert!(
            leftovers(&home.path().join("data/cpx-agent")).is_empty(),
            "{what}: temporary files left"
        );
    }

    // A slow server: the update waits for it and imports (a newer file).
    let mut newer = serde_json::from_slice::<Value>(&plain).unwrap();
    newer["generatedAt"] = json!("2026-12-03T03:00:00.000000000Z");
    let newer = gzip(newer.to_string().as_bytes());
    server.set(
        DAILY,
        Reply::Slow {
            body: std::sync::Arc::new(newer.clone()),
            chunk: 256,
            pause: Duration::from_millis(20),
        },
    );
    server.set(
        "/api/1/datasets/finess-structures-1/",
        Reply::json(&dataset(&server, &[(DAILY, &newer)])),
    );
    let r = home.update(&api);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(json_of(&r)["import"]["data_date"], "2026-12-03");
}

#[test]
fn legacy_csv_extracts_when_the_json_dataset_is_not_there() {
    let home = Home::new();
    let server = TestServer::https(&home.tls);
    let ej = std::fs::read(data("synthetic-ej-utf8.csv")).unwrap();
    let eg = std::fs::read(data("synthetic-eg-utf8-bom.csv")).unwrap();
    let ej_path = "/resources/finess-extraction-des-entites-juridiques/etalab-cs1100501-stock-20260504-0336.csv";
    let eg_path = "/resources/finess-extraction-du-fichier-des-etablissements/etalab-cs1100507-stock-20260504-0336.csv";
    let old_eg = "/resources/finess-extraction-du-fichier-des-etablissements/etalab-cs1100507-stock-20250101-0336.csv";
    server.set(ej_path, Reply::file(ej.clone(), "text/csv"));
    server.set(eg_path, Reply::file(eg.clone(), "text/csv"));
    server.set("/api/1/datasets/finess-structures-1/", Reply::Status(404));
    server.set(
        "/api/1/datasets/finess-extraction-des-entites-juridiques/",
        Reply::json(&dataset(&server, &[(ej_path, &ej)])),
    );
    server.set(
        "/api/1/datasets/finess-extraction-du-fichier-des-etablissements/",
        Reply::json(&dataset(&server, &[(old_eg, b"old"), (eg_path, &eg)])),
    );
    let r = home.update(&server.url(API));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s = json_of(&r);
    assert_eq!(s["outcome"], "updated");
    assert_eq!(
        (s["import"]["ej"].as_u64(), s["import"]["eg"].as_u64()),
        (Some(7), Some(4))
    );
    assert!(
        server.requests_for(old_eg).is_empty(),
        "the latest extract only"
    );
    // Both unchanged: nothing imported; only the EG changed: both files imported again.
    let before = home.directory().unwrap();
    let r = home.update(&server.url(API));
    assert_eq!(json_of(&r)["outcome"], "unchanged", "{}", r.stderr);
    assert_eq!(home.directory().unwrap(), before);
    let mut eg2 = eg.clone();
    eg2.extend_from_slice(b"\n");
    server.set(eg_path, Reply::file(eg2.clone(), "text/csv"));
    server.set(
        "/api/1/datasets/finess-extraction-du-fichier-des-etablissements/",
        Reply::json(&dataset(&server, &[(eg_path, &eg2)])),
    );
    let r = home.update(&server.url(API));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s = json_of(&r);
    assert_eq!(s["outcome"], "updated");
    assert_eq!(s["import"]["ej"], 7);
    assert_eq!(
        server.requests_for(ej_path).len(),
        4,
        "304, then again in full"
    );
}

#[test]
fn a_file_address_offline_and_an_unknown_certificate() {
    let home = Home::new();
    let server = TestServer::https(&home.tls);
    let gz = gzip(&std::fs::read(data("synthetic-structures.json")).unwrap());
    server.set(
        "/mirror/structures.json.gz",
        Reply::file(gz, "application/gzip"),
    );
    let url = server.url("/mirror/structures.json.gz");
    // The HTTPS server's CA not trusted: refused, nothing written.
    let r: Run = home.command(&url, false, false).output().unwrap().into();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(home.directory().is_none());
    assert!(
        server.requests().is_empty(),
        "TLS refused before any request"
    );
    // Offline: refused at once (usage), nothing asked.
    let r: Run = home.command(&url, true, true).output().unwrap().into();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("offline"), "{}", r.stderr);
    assert!(server.requests().is_empty());
    // One extract's address: downloaded and imported (gzip read as it streams).
    let r = home.update(&url);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(home.directory().unwrap().1, 6);
}

#[test]
fn an_update_killed_mid_download_leaves_the_directory_whole() {
    let home = Home::new();
    let server = TestServer::https(&home.tls);
    let gz = gzip(&std::fs::read(data("synthetic-structures.json")).unwrap());
    server.set("/a.json.gz", Reply::file(gz.clone(), "application/gzip"));
    assert_eq!(home.update(&server.url("/a.json.gz")).code, 0);
    let before = home.directory().unwrap();
    let mut big = gz.clone();
    big.extend(std::iter::repeat_n(0u8, 4 * 1024 * 1024));
    server.set(
        "/b.json.gz",
        Reply::Slow {
            body: std::sync::Arc::new(big),
            chunk: 4096,
            pause: Duration::from_millis(10),
        },
    );
    let mut child = home
        .command(&server.url("/b.json.gz"), true, false)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.requests_for("/b.json.gz").is_empty() {
        assert!(Instant::now() < deadline, "no request");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(home.directory().unwrap(), before);
    // The next update clears what the killed one left, and works.
    let r = home.update(&server.url("/a.json.gz"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(leftovers(&home.path().join("data/cpx-agent")).is_empty());
}

#[test]
fn finess_import_reads_a_gzipped_extract() {
    let home = Home::new();
    let gz = gzip(&std::fs::read(data("synthetic-structures.json")).unwrap());
    let file = home
        .path()
        .join("finess-structures-journalier-20261203.json.gz");
    std::fs::write(&file, gz).unwrap();
    let r: Run = agent(&home.path().join("xdg"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .args(["finess", "import", "--json"])
        .arg(&file)
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s = json_of(&r);
    assert_eq!((s["ej"].as_u64(), s["eg"].as_u64()), (Some(3), Some(3)));
    // A gzipped file that is not an extract is refused before anything is written.
    let bad = home.path().join("bad.json.gz");
    std::fs::write(&bad, gzip(b"{\"records\": []}")).unwrap();
    let r: Run = agent(&home.path().join("xdg"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .args(["finess", "import"])
        .arg(&bad)
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 2, "{}", r.stderr);
    let mut corrupt = std::fs::read(&file).unwrap();
    corrupt.truncate(corrupt.len() / 2);
    let cut = home.path().join("cut.json.gz");
    std::fs::write(&cut, corrupt).unwrap();
    let before = home.directory().unwrap();
    let r: Run = agent(&home.path().join("xdg"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .args(["finess", "import"])
        .arg(&cut)
        .output()
        .unwrap()
        .into();
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert_eq!(home.directory().unwrap(), before);
}
