//! The programs for people and scripts: `cpx-emulator` (prints `inserted`, exits 0 on
//! SIGTERM/SIGINT, `--export-ca`, `--pull-after-apdus`, `--log`) and `cpx-pcscd` (behind
//! `tests/pcscd-private`: prints the socket and the readers, stops cleanly on SIGTERM).

use cpx_testkit::{CardLog, PrivatePcscd};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const EMULATOR: &str = env!("CARGO_BIN_EXE_cpx-emulator");
const PCSCD: &str = env!("CARGO_BIN_EXE_cpx-pcscd");

fn term(child: &Child, signal: libc::c_int) {
    // SAFETY: kill(2) on our own child's pid.
    unsafe {
        libc::kill(child.id() as libc::pid_t, signal);
    }
}

fn wait_exit(child: &mut Child, timeout: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Ok(Some(s)) = child.try_wait() {
            return Some(s);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

fn read_line(r: &mut impl BufRead) -> String {
    let mut s = String::new();
    r.read_line(&mut s).unwrap();
    s.trim().to_string()
}

#[test]
fn export_ca_writes_the_test_pki_roots_and_intermediates() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ca.pem");
    let st = Command::new(EMULATOR)
        .arg("--export-ca")
        .arg(&p)
        .status()
        .unwrap();
    assert!(st.success());
    let pem = std::fs::read_to_string(&p).unwrap();
    assert_eq!(pem.matches("BEGIN CERTIFICATE").count(), 4);
    let again = dir.path().join("ca2.pem");
    Command::new(EMULATOR)
        .arg("--export-ca")
        .arg(&again)
        .status()
        .unwrap();
    assert_eq!(
        pem,
        std::fs::read_to_string(&again).unwrap(),
        "same PKI every run"
    );
    let out = Command::new("openssl")
        .args(["crl2pkcs7", "-nocrl", "-certfile"])
        .arg(&p)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap()
        .wait_with_output()
        .unwrap();
    assert!(out.status.success());
}

#[test]
fn emulator_prints_inserted_and_exits_0_on_sigterm_and_sigint() {
    let pcscd = PrivatePcscd::start(2).unwrap();
    for (i, signal) in [libc::SIGTERM, libc::SIGINT].into_iter().enumerate() {
        let mut child = Command::new(EMULATOR)
            .args([
                "--vpcd",
                &format!("127.0.0.1:{}", pcscd.port(i)),
                "--card",
                "cps",
            ])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        assert_eq!(read_line(&mut out), "inserted");
        term(&child, signal);
        let st = wait_exit(&mut child, Duration::from_secs(5)).expect("exits on signal");
        assert_eq!(st.code(), Some(0));
    }
}

#[test]
fn emulator_pull_after_apdus_and_log() {
    let pcscd = PrivatePcscd::start(1).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("card.jsonl");
    let mut child = Command::new(EMULATOR)
        .args([
            "--vpcd",
            &format!("127.0.0.1:{}", pcscd.port(0)),
            "--card",
            "cpe",
        ])
        .args(["--pull-after-apdus", "3", "--log"])
        .arg(&log)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    assert_eq!(read_line(&mut out), "inserted");
    // OpenSC sends more than 3 APDUs: the card is pulled during its read.
    let (k, v) = pcscd.env();
    let _ = Command::new("opensc-tool")
        .args(["--serial"])
        .env(k, v)
        .output();
    assert_eq!(read_line(&mut out), "removed");
    let st = wait_exit(&mut child, Duration::from_secs(5)).expect("exits after the pull");
    assert_eq!(st.code(), Some(0));
    let log = CardLog::load(&log).unwrap();
    assert_eq!(log.commands().len(), 3, "{:?}", log.entries);
}

#[test]
fn emulator_refuses_a_vpcd_address_off_loopback() {
    let out = Command::new(EMULATOR)
        .args(["--vpcd", "192.0.2.1:35963"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("127.0.0.1"));
}

#[test]
fn private_pcscd_program_prints_its_socket_and_stops_cleanly() {
    let mut child = Command::new(PCSCD)
        .arg("3")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let socket_line = read_line(&mut out);
    let socket = socket_line
        .strip_prefix("PCSCLITE_CSOCK_NAME=")
        .expect("first line names the socket")
        .to_string();
    let readers: Vec<String> = (0..3).map(|_| read_line(&mut out)).collect();
    assert!(readers
        .iter()
        .all(|r| r.starts_with("reader CPX Virtual") && r.contains(" port ")));
    assert_eq!(read_line(&mut out), "ready");
    assert!(std::path::Path::new(&socket).exists());
    let listed = Command::new("opensc-tool")
        .arg("--list-readers")
        .env("PCSCLITE_CSOCK_NAME", &socket)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&listed.stdout).contains("CPX Virtual 2 00 00"));
    term(&child, libc::SIGTERM);
    let st = wait_exit(&mut child, Duration::from_secs(10)).expect("stops on SIGTERM");
    assert_eq!(st.code(), Some(0));
    assert!(
        !std::path::Path::new(&socket).exists(),
        "socket directory removed"
    );
}
