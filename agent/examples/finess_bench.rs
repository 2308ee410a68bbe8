//! FINESS import benchmark (issue 5): generates a national-size synthetic extract pair (103,000
//! EG lines with their geolocalisation, plus their EJs, the real shape), imports it with the
//! agent's importer in a child process (time, peak memory), measures lookups, and runs the
//! plain Python baseline (`agent/bench/finess_baseline.py`) on the same files in the same run.
//!
//! ```sh
//! cargo run --release -p cpx-agent --example finess_bench [-- --egs 103000 --rounds 3 --dir D]
//! ```
//! Prints figures; asserts nothing.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use std::time::Instant;

use cpx_agent::finess::lookup::lookup;
use cpx_agent::finess::{import, Directory};
use cpx_card::{Finess, FinessKey};

const DEPARTEMENTS: &[(&str, &str)] = &[
    ("01", "AIN"),
    ("06", "ALPES-MARITIMES"),
    ("13", "BOUCHES-DU-RHONE"),
    ("14", "CALVADOS"),
    ("2A", "CORSE-DU-SUD"),
    ("31", "HAUTE-GARONNE"),
    ("33", "GIRONDE"),
    ("35", "ILLE-ET-VILAINE"),
    ("44", "LOIRE-ATLANTIQUE"),
    ("59", "NORD"),
    ("62", "PAS-DE-CALAIS"),
    ("67", "BAS-RHIN"),
    ("69", "RHONE"),
    ("75", "PARIS"),
    ("76", "SEINE-MARITIME"),
    ("93", "SEINE-SAINT-DENIS"),
];

const CATEGORIES: &[(&str, &str, &str, &str)] = &[
    (
        "355",
        "Centre Hospitalier (C.H.)",
        "1102",
        "Centres Hospitaliers",
    ),
    (
        "500",
        "Etablissement d'hébergement pour personnes âgées dépendantes",
        "4401",
        "Etablissements d'Hébergement pour Personnes Âgées",
    ),
    (
        "620",
        "Pharmacie d'Officine",
        "3301",
        "Pharmacies d'Officine",
    ),
    ("124", "Centre de Santé", "2101", "Centres de Santé"),
    (
        "223",
        "Protection Maternelle et Infantile (P.M.I.)",
        "2202",
        "Etablissements de PMI et de Planification Familiale",
    ),
];

/// Deterministic pseudo-random numbers (64-bit LCG).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// A FINESS number: département prefix, 6-digit sequence, Luhn key (none for Corsica's `2A`).
fn finess(dep: &str, seq: u64) -> String {
    let prefix = format!("{dep}{seq:06}");
    for k in 0..10 {
        let n = format!("{prefix}{k}");
        if let Ok(f) = Finess::parse(&n) {
            if matches!(f.key(), FinessKey::Valid | FinessKey::NotVerifiable) {
                return n;
            }
        }
    }
    unreachable!("one key in ten is right")
}

/// Writes the EJ and EG extracts; returns (paths, a sample of EG and EJ numbers for lookups).
fn generate(dir: &Path, egs: usize) -> std::io::Result<(Vec<PathBuf>, Vec<String>)> {
    let ej_path = dir.join("etalab-cs1100501-stock-bench.csv");
    let eg_path = dir.join("etalab-cs1100502-stock-bench.csv");
    let mut ej_out = BufWriter::new(File::create(&ej_path)?);
    let mut eg_out = BufWriter::new(File::create(&eg_path)?);
    let mut geo = Vec::with_capacity(egs);
    let mut rng = Lcg(5);
    let mut sample = Vec::new();
    let (mut eg_count, mut ej_seq) = (0usize, 0u64);
    writeln!(ej_out, "finess;etalab;0;2026-05-12")?;
    writeln!(eg_out, "finess;etalab;0;2026-05-12")?;
    while eg_count < egs {
        let (dep, libdep) = DEPARTEMENTS[rng.next(DEPARTEMENTS.len() as u64) as usize];
        ej_seq += 1;
        let ej = finess(dep, ej_seq);
        let city = format!("COMMUNE {}", rng.next(900));
        writeln!(
            ej_out,
            "structureej;{ej};ASSOCIATION FICTIVE {ej_seq};ASSOCIATION FICTIVE DE GESTION NUMÉRO {ej_seq};;{};R;DE LA RÉPUBLIQUE;;;BP {};{:03};{dep}000 {city};{dep};{libdep};0100000000;60;Association Loi 1901 non Reconnue d'Utilité Publique;;;7{:08};8810A;1990-01-01;",
            rng.next(200),
            rng.next(99),
            rng.next(999),
            ej_seq
        )?;
        // One to three sites per legal entity (about 1.5 on average).
        let sites = [1, 1, 1, 2, 2, 3][rng.next(6) as usize];
        for _ in 0..sites.min(egs - eg_count) {
            eg_count += 1;
            let eg = finess(dep, 500_000 + eg_count as u64);
            let (cat, libcat, agr, libagr) = CATEGORIES[rng.next(CATEGORIES.len() as u64) as usize];
            writeln!(
                eg_out,
                "structureet;{eg};{ej};SITE FICTIF {eg_count};ÉTABLISSEMENT FICTIF NUMÉRO {eg_count} DE {city};;;{};AV;\"DU GÉNÉRAL \"\"DE GAULLE\"\"\";;;{:03};{dep};{libdep};{dep}000 {city};0100000000;0100000001;{cat};{libcat};{agr};{libagr};3{:013};8610Z;03;ARS établissements Publics de santé dotation globale;1;Etablissement public de santé;1979-02-13;1979-02-13;2024-02-04;",
                rng.next(200),
                rng.next(999),
                eg_count
            )?;
            geo.push(eg.clone());
            if eg_count % 997 == 0 {
                sample.push(eg);
                sample.push(ej.clone());
            }
        }
    }
    for eg in geo {
        writeln!(
            eg_out,
            "geolocalisation;{eg};870215.7;6571590.2;1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93;2024-06-13;"
        )?;
    }
    ej_out.flush()?;
    eg_out.flush()?;
    Ok((vec![ej_path, eg_path], sample))
}

fn peak_rss_kib() -> i64 {
    // SAFETY: getrusage only writes the struct it is given.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage.ru_maxrss
    }
}

/// The child: import the files into `db`, print time and peak memory.
fn child_import(db: &Path, files: &[PathBuf]) {
    let start = Instant::now();
    match import::import(files, db, false) {
        Ok(s) => println!(
            "rust ej={} eg={} skipped={} seconds={:.3} peak_kib={}",
            s.ej,
            s.eg,
            s.skipped_count,
            start.elapsed().as_secs_f64(),
            peak_rss_kib()
        ),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    }
}

/// What a child process cost: wall time, CPU time (user + system), peak memory, its stdout.
struct Measured {
    wall: f64,
    cpu: f64,
    peak_kib: i64,
    ok: bool,
    stdout: String,
}

/// Runs `cmd` and reads its own resource usage with `wait4` (exact per child).
fn measure(cmd: &mut Command) -> std::io::Result<Measured> {
    use std::io::Read;
    let t = Instant::now();
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()?;
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut stdout)?;
    }
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: plain wait4 on our own child; the rusage struct is written by the kernel.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::wait4(pid, &mut status, 0, &mut usage) < 0 {
            return Err(std::io::Error::last_os_error());
        }
        usage
    };
    let secs = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    Ok(Measured {
        wall: t.elapsed().as_secs_f64(),
        cpu: secs(usage.ru_utime) + secs(usage.ru_stime),
        peak_kib: usage.ru_maxrss,
        ok: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        stdout: stdout.trim().to_string(),
    })
}

fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("child-import") {
        let files: Vec<PathBuf> = args[3..].iter().map(PathBuf::from).collect();
        child_import(Path::new(&args[2]), &files);
        return;
    }
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let egs: usize = opt("--egs").and_then(|s| s.parse().ok()).unwrap_or(103_000);
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = opt("--dir").map_or_else(|| tmp.path().to_path_buf(), PathBuf::from);
    std::fs::create_dir_all(&dir).expect("bench dir");

    let t = Instant::now();
    let (files, sample) = generate(&dir, egs).expect("generate");
    let size: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .sum();
    println!(
        "generated {egs} EG lines (+ geolocalisation) and their EJs: {:.1} MB in {:.1} s",
        size as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    // The imports, each in a child so its peak memory is its own; Rust and Python alternate
    // for `--rounds` rounds (the machine's load varies), the best round of each is compared.
    let rounds: usize = opt("--rounds").and_then(|s| s.parse().ok()).unwrap_or(3);
    let db = dir.join("finess.sqlite");
    let py_db = dir.join("python.sqlite");
    let exe = std::env::current_exe().expect("own path");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/finess_baseline.py");
    let (mut best_rust, mut best_py): (Option<Measured>, Option<Measured>) = (None, None);
    for round in 1..=rounds {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        let rust = measure(Command::new(&exe).arg("child-import").arg(&db).args(&files))
            .expect("child runs");
        if !rust.ok {
            eprintln!("import failed");
            std::process::exit(1);
        }
        println!(
            "round {round} rust:   {} | wall {:.3} s, cpu {:.3} s, peak {:.1} MB",
            rust.stdout,
            rust.wall,
            rust.cpu,
            rust.peak_kib as f64 / 1024.0
        );
        match measure(
            Command::new("python3")
                .arg(&script)
                .arg(&py_db)
                .args(&files),
        ) {
            Ok(py) if py.ok => {
                println!(
                    "round {round} python: {} | wall {:.3} s, cpu {:.3} s, peak {:.1} MB",
                    py.stdout,
                    py.wall,
                    py.cpu,
                    py.peak_kib as f64 / 1024.0
                );
                if best_py.as_ref().is_none_or(|b| py.wall < b.wall) {
                    best_py = Some(py);
                }
            }
            Ok(_) => eprintln!("python baseline failed"),
            Err(e) => eprintln!("python3 not runnable: {e}"),
        }
        if best_rust.as_ref().is_none_or(|b| rust.wall < b.wall) {
            best_rust = Some(rust);
        }
    }

    // Lookups: the `finess show` query (the entry, then its EJ or its EGs).
    let directory = Directory::open(&db).expect("open").expect("a directory");
    let numbers: Vec<Finess> = sample
        .iter()
        .filter_map(|n| Finess::parse(n).ok())
        .collect();
    let mut times = Vec::new();
    for round in 0..20 {
        for n in &numbers {
            let t = Instant::now();
            let entry = lookup(&directory, n).expect("query").expect("known number");
            let dt = t.elapsed();
            assert_eq!(entry.entity.finess, n.as_str());
            if round > 0 {
                times.push(dt.as_secs_f64() * 1e6);
            }
        }
    }
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len().max(1) as f64;
    let p99 = times
        .get(times.len() * 99 / 100)
        .copied()
        .unwrap_or_default();
    let p50 = times.get(times.len() / 2).copied().unwrap_or_default();

    println!("---");
    if let (Some(r), Some(p)) = (&best_rust, &best_py) {
        let secs = |l: &str| field(l, "seconds").and_then(|s| s.parse::<f64>().ok());
        println!(
            "import, best of {rounds}: rust wall {:.3} s (cpu {:.3} s), python wall {:.3} s \
             (cpu {:.3} s)",
            r.wall, r.cpu, p.wall, p.cpu
        );
        if let (Some(rs), Some(ps)) = (secs(&r.stdout), secs(&p.stdout)) {
            println!(
                "rust/python: import time {:.2}, wall {:.2}, cpu {:.2} (target ≤ 0.50)",
                rs / ps,
                r.wall / p.wall,
                r.cpu / p.cpu
            );
        }
    }
    if let Some(r) = &best_rust {
        println!(
            "rust peak memory: {:.1} MB (target < 60 MB)",
            r.peak_kib as f64 / 1024.0
        );
    }
    println!(
        "lookup (entry + its EJ or EGs) over {} queries: median {p50:.1} µs, mean {mean:.1} µs, \
         p99 {p99:.1} µs (target < 1 ms)",
        times.len()
    );
    // SAFETY: getloadavg writes at most 3 doubles into the array it is given.
    let mut load = [0f64; 3];
    if unsafe { libc::getloadavg(load.as_mut_ptr(), 3) } == 3 {
        println!("load average (1 min) at the end: {:.1}", load[0]);
    }
}
