//! Shared helpers of the CLI tests: run the built binary with a clean environment.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().expect("exited normally"),
            stdout: String::from_utf8(o.stdout).expect("utf-8 stdout"),
            stderr: String::from_utf8(o.stderr).expect("utf-8 stderr"),
        }
    }
}

/// The binary, with an empty XDG config dir (no user config leaks in), an empty XDG data dir
/// (no user FINESS directory either) and, unless overridden, a PC/SC socket that does not
/// exist (no machine pcscd is touched).
pub fn agent(xdg_config: &Path) -> Command {
    // `$CPX_AGENT_BIN` first, as in the end-to-end tests (a target directory shared by several
    // work trees may hold another tree's binary).
    let bin =
        std::env::var_os("CPX_AGENT_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_cpx-agent").into());
    let mut c = Command::new(bin);
    c.env("XDG_CONFIG_HOME", xdg_config)
        .env("XDG_DATA_HOME", xdg_config.join("data"))
        .env("PCSCLITE_CSOCK_NAME", xdg_config.join("no-pcscd.comm"))
        .env_remove("CPX_LOG")
        .env_remove("RUST_LOG");
    c
}

pub fn run(xdg_config: &Path, args: &[&str]) -> Run {
    agent(xdg_config)
        .args(args)
        .output()
        .expect("binary runs")
        .into()
}

pub fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../card/corpus/certs")
        .join(name)
}
