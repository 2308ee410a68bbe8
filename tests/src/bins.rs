//! Finding the programs the tests run (the agent, the testkit's helpers) without building them:
//! `$ENV_VAR` if set, else next to the running program or one directory up (test binaries live
//! in target/<profile>/deps, programs in target/<profile>).

use std::io;
use std::path::PathBuf;

/// Path of program `name`, overridden by environment variable `env_var`.
pub fn find(name: &str, env_var: &str) -> io::Result<PathBuf> {
    if let Some(p) = std::env::var_os(env_var) {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe()?;
    let candidates: Vec<PathBuf> = exe
        .ancestors()
        .skip(1)
        .take(2)
        .map(|d| d.join(name))
        .collect();
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "{name} not built (looked at {candidates:?}): run `cargo build --workspace \
                 --bins` or set {env_var}"
                ),
            )
        })
}
