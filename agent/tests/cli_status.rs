//! `cpx-agent status` without a PC/SC service: exit 3, the per-OS remedy, and the JSON
//! snapshot saying the service is unavailable. (With readers and cards, through a private
//! pcscd and the emulator: the testkit's end-to-end tests.)

mod cli_common;

use cli_common::run;
use serde_json::Value;

#[test]
fn pcsc_unavailable_exit_3_with_remedy() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &["status"]);
    assert_eq!(r.code, 3, "stdout {} stderr {}", r.stdout, r.stderr);
    assert!(r.stderr.contains("pcscd n'est pas démarré"), "{}", r.stderr);
    assert!(r.stderr.contains("systemctl start pcscd"), "{}", r.stderr);
    assert_eq!(r.stderr.trim_end().lines().count(), 1, "{:?}", r.stderr);
}

#[test]
fn pcsc_unavailable_json_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &["status", "--json"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["service"], "unavailable");
    assert_eq!(v["readers"], Value::Array(vec![]));
}

#[test]
fn usage_error_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &["status", "--no-such-flag"]);
    assert_eq!(r.code, 2);
    let r = run(dir.path(), &["inspect-cert"]);
    assert_eq!(r.code, 2);
}
