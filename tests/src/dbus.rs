//! A private D-Bus session bus for tests of the desktop side (tray, notifications): its own
//! `dbus-daemon` on a socket in a temporary directory, killed on drop, nothing left in /tmp.
//! Needs `dbus-daemon` (package dbus) and `gdbus` (libglib2.0-bin): tests/run installs them.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A private session bus; killed on drop.
pub struct SessionBus {
    daemon: Child,
    /// `DBUS_SESSION_BUS_ADDRESS` for the programs under test.
    pub address: String,
    /// Holds the bus socket: removed with it.
    _dir: tempfile::TempDir,
}

impl SessionBus {
    /// Starts the bus. Panics (it is for tests) when dbus-daemon is missing or says nothing.
    pub fn start() -> SessionBus {
        SessionBus::start_with_env(&[])
    }

    /// Starts the bus with these variables set for it and the services it activates (a
    /// desktop's `xfconfd` reads `XDG_CONFIG_HOME`, a panel needs `DISPLAY`).
    pub fn start_with_env(env: &[(&str, &std::ffi::OsStr)]) -> SessionBus {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let listen = format!("--address=unix:path={}", dir.path().join("bus").display());
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1", &listen])
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (package dbus) is needed: tests/run installs it");
        let mut line = String::new();
        if let Some(out) = daemon.stdout.take() {
            let _ = BufReader::new(out).read_line(&mut line);
        }
        let address = line.trim().to_string();
        assert!(
            address.starts_with("unix:"),
            "dbus-daemon address: {address:?}"
        );
        SessionBus {
            daemon,
            address,
            _dir: dir,
        }
    }

    /// `gdbus call` on the bus; stdout, or `None` when the call fails (not yet exported).
    pub fn call(&self, args: &[&str]) -> Option<String> {
        gdbus_call(&self.address, args)
    }
}

impl Drop for SessionBus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// `gdbus call --address ADDRESS ARGS…`; stdout, or `None` when the call fails.
pub fn gdbus_call(address: &str, args: &[&str]) -> Option<String> {
    let out = Command::new("gdbus")
        .args(["call", "--address", address])
        .args(args)
        .output()
        .expect("gdbus (package libglib2.0-bin) is needed: tests/run installs it");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}
