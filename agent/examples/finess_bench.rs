//! FINESS import benchmark (issues 5 and 13): generates national-size synthetic extracts of the
//! real shape (103,000 EG lines, with and without their geolocalisation lines, and their EJs),
//! imports them with the agent's importer in a child process (time, peak memory) and with the
//! plain Python baseline (`agent/bench/finess_baseline.py`) on the same files, in alternating
//! rounds, in two scenarios printed side by side: the EG file alone, and EG + EJ +
//! geolocalisation. Then measures lookups.
//!
//! ```sh
//! cargo run --release -p cpx-agent --example finess_bench [-- --egs 103000 --rounds 3 --dir D --only eg|all]
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

/// The files of the benchmark.
struct Files {
    /// The EJ extract.
    ej: PathBuf,
    /// The EG extract: `structureet` lines, then their `geolocalisation` lines.
    eg: PathBuf,
    /// The same `structureet` lines alone.
    eg_only: PathBuf,
}

/// Writes the EJ and EG extracts; returns them and a sample of EG and EJ numbers for lookups.
fn generate(dir: &Path, egs: usize) -> std::io::Result<(Files, Vec<String>)> {
    let ej_path = dir.join("etalab-cs1100501-stock-bench.csv");
    let eg_path = dir.join("etalab-cs1100502-stock-bench.csv");
    let eg_only_path = dir.join("etalab-cs1100502-stock-bench-eg-only.csv");
    let mut ej_out = BufWriter::new(File::create(&ej_path)?);
    let mut eg_out = BufWriter::new(File::create(&eg_path)?);
    let mut eg_only = BufWriter::new(File::create(&eg_only_path)?);
    let mut geo = Vec::with_capacity(egs);
    let mut rng = Lcg(5);
    let mut sample = Vec::new();
    let (mut eg_count, mut ej_seq) = (0usize, 0u64);
    writeln!(ej_out, "finess;etalab;0;2026-05-12")?;
    writeln!(eg_out, "finess;etalab;0;2026-05-12")?;
    writeln!(eg_only, "finess;etalab;0;2026-05-12")?;
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
            let line = format!(
                "structureet;{eg};{ej};SITE FICTIF {eg_count};ÉTABLISSEMENT FICTIF NUMÉRO {eg_count} DE {city};;;{};AV;\"DU GÉNÉRAL \"\"DE GAULLE\"\"\";;;{:03};{dep};{libdep};{dep}000 {city};0100000000;0100000001;{cat};{libcat};{agr};{libagr};3{:013};8610Z;03;ARS établissements Publics de santé dotation globale;1;Etablissement public de santé;1979-02-13;1979-02-13;2024-02-04;",
                rng.next(200),
                rng.next(999),
                eg_count
            );
            writeln!(eg_out, "{line}")?;
            writeln!(eg_only, "{line}")?;
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
    eg_only.flush()?;
    Ok((
        Files {
            ej: ej_path,
            eg: eg_path,
            eg_only: eg_only_path,
        },
        sample,
    ))
}

/// This process's own peak memory: `VmHWM` (Linux; reset by `execve`), not `ru_maxrss`, which
/// keeps the parent's resident size at the fork (the bench's, not the import's).
fn peak_rss_kib() -> i64 {
    let hwm = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        });
    if let Some(kib) = hwm {
        return kib;
    }
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
        // The child's own figure (`peak_kib=` on its line: VmHWM) when it gives one.
        peak_kib: stdout
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix("peak_kib=")?.parse().ok())
            .unwrap_or(usage.ru_maxrss),
        ok: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        stdout: stdout.trim().to_string(),
    })
}

/// One scenario's best round of each side.
struct Scenario {
    name: &'static str,
    files: Vec<PathBuf>,
    lines: u64,
    bytes: u64,
    rust_wall: f64,
    rust_cpu: f64,
    rust_peak_kib: i64,
    py_wall: f64,
    py_cpu: f64,
    py_peak_kib: i64,
}

fn line_count(path: &Path) -> u64 {
    std::fs::read(path)
        .map(|b| b.iter().filter(|c| **c == b'\n').count() as u64)
        .unwrap_or(0)
}

/// Imports `files` with the agent (a child process) and with the Python baseline, alternating
/// for `rounds` rounds (the machine's load varies); keeps the best wall and CPU time of each.
fn run_scenario(name: &'static str, files: Vec<PathBuf>, dir: &Path, rounds: usize) -> Scenario {
    let db = dir.join("finess.sqlite");
    let py_db = dir.join("python.sqlite");
    let exe = std::env::current_exe().expect("own path");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/finess_baseline.py");
    let bytes = files
        .iter()
        .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .sum();
    let lines = files.iter().map(|f| line_count(f)).sum();
    let mut out = Scenario {
        name,
        files: files.clone(),
        lines,
        bytes,
        rust_wall: f64::INFINITY,
        rust_cpu: f64::INFINITY,
        rust_peak_kib: 0,
        py_wall: f64::INFINITY,
        py_cpu: f64::INFINITY,
        py_peak_kib: 0,
    };
    for round in 1..=rounds {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        let rust = measure(Command::new(&exe).arg("child-import").arg(&db).args(&files))
            .expect("child runs");
        if !rust.ok {
            eprintln!("import failed");
            std::process::exit(1);
        }
        println!(
            "{name}, round {round}, rust:   {} | wall {:.3} s, cpu {:.3} s, peak {:.1} MB",
            rust.stdout,
            rust.wall,
            rust.cpu,
            rust.peak_kib as f64 / 1024.0
        );
        out.rust_wall = out.rust_wall.min(rust.wall);
        out.rust_cpu = out.rust_cpu.min(rust.cpu);
        out.rust_peak_kib = out.rust_peak_kib.max(rust.peak_kib);
        match measure(
            Command::new("python3")
                .arg(&script)
                .arg(&py_db)
                .args(&files),
        ) {
            Ok(py) if py.ok => {
                println!(
                    "{name}, round {round}, python: {} | wall {:.3} s, cpu {:.3} s, peak {:.1} MB",
                    py.stdout,
                    py.wall,
                    py.cpu,
                    py.peak_kib as f64 / 1024.0
                );
                out.py_wall = out.py_wall.min(py.wall);
                out.py_cpu = out.py_cpu.min(py.cpu);
                out.py_peak_kib = out.py_peak_kib.max(py.peak_kib);
            }
            Ok(_) => eprintln!("python baseline failed"),
            Err(e) => eprintln!("python3 not runnable: {e}"),
        }
    }
    out
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
    println!(
        "generated {egs} EG lines (alone, and with their geolocalisation) and their EJs in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // Each import in a child so that its peak memory is its own; the best round of each side.
    let rounds: usize = opt("--rounds").and_then(|s| s.parse().ok()).unwrap_or(3);
    let only = opt("--only");
    let mut scenarios = Vec::new();
    if only.as_deref().is_none_or(|o| o == "eg") {
        scenarios.push(run_scenario(
            "EG only",
            vec![files.eg_only.clone()],
            &dir,
            rounds,
        ));
    }
    if only.as_deref().is_none_or(|o| o == "all") {
        scenarios.push(run_scenario(
            "EG + EJ + geolocalisation",
            vec![files.ej.clone(), files.eg.clone()],
            &dir,
            rounds,
        ));
    }

    // Lookups: the `finess show` query (the entry, then its EJ or its EGs), on the last
    // directory imported.
    let db = dir.join("finess.sqlite");
    let directory = Directory::open(&db).expect("open").expect("a directory");
    let numbers: Vec<Finess> = sample
        .iter()
        .filter_map(|n| Finess::parse(n).ok())
        .filter(|n| directory.get(n.as_str()).ok().flatten().is_some())
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
    let p99 = times
        .get(times.len() * 99 / 100)
        .copied()
        .unwrap_or_default();
    let p50 = times.get(times.len() / 2).copied().unwrap_or_default();

    println!("---");
    println!("best of {rounds} rounds per side (wall and CPU time each the best of its rounds):");
    let cell = |f: &dyn Fn(&Scenario) -> String| -> String {
        scenarios
            .iter()
            .map(|s| format!("{:<34}", f(s)))
            .collect::<Vec<_>>()
            .join("")
    };
    println!("{:<22}{}", "", cell(&|s| s.name.to_string()));
    println!(
        "{:<22}{}",
        "files",
        cell(&|s| format!(
            "{} file(s), {} lines, {:.1} MB",
            s.files.len(),
            s.lines,
            s.bytes as f64 / 1e6
        ))
    );
    println!(
        "{:<22}{}",
        "rust wall / cpu",
        cell(&|s| format!("{:.3} s / {:.3} s", s.rust_wall, s.rust_cpu))
    );
    println!(
        "{:<22}{}",
        "python wall / cpu",
        cell(&|s| format!("{:.3} s / {:.3} s", s.py_wall, s.py_cpu))
    );
    println!(
        "{:<22}{}",
        "ratio wall / cpu",
        cell(&|s| format!(
            "{:.2} / {:.2} (target ≤ 0.40)",
            s.rust_wall / s.py_wall,
            s.rust_cpu / s.py_cpu
        ))
    );
    println!(
        "{:<22}{}",
        "peak memory rust / py",
        cell(&|s| format!(
            "{:.1} MB / {:.1} MB",
            s.rust_peak_kib as f64 / 1024.0,
            s.py_peak_kib as f64 / 1024.0
        ))
    );
    println!("(rust peak memory target < 60 MB)");
    println!(
        "lookup (entry + its EJ or EGs) over {} queries: median {p50:.1} µs, p99 {p99:.1} µs \
         (target < 1 ms)",
        times.len()
    );
    // SAFETY: getloadavg writes at most 3 doubles into the array it is given.
    let mut load = [0f64; 3];
    if unsafe { libc::getloadavg(load.as_mut_ptr(), 3) } == 3 {
        println!("load average (1 min) at the end: {:.1}", load[0]);
    }
}
