//! Logging setup (tracing), once per process, to stderr.
//!
//! Levels: `info` is concise and never carries personal data (holder names, RPPS or other
//! national identifiers, card numbers): those go at `debug` at most. The filter comes from
//! `CPX_LOG` (e.g. `CPX_LOG=debug`, `CPX_LOG=cpx_agent=debug,cpx_card=trace`), else
//! `RUST_LOG`, else the caller's default.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber: `default` applies when neither `CPX_LOG` nor `RUST_LOG`
/// is set (`"warn"` for one-shot commands, `"info"` for the daemon). Calling it twice is
/// harmless (the second call does nothing).
pub fn init(default: &str) {
    let filter = ["CPX_LOG", "RUST_LOG"]
        .iter()
        .find_map(|var| {
            std::env::var(var)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .and_then(|v| EnvFilter::try_new(v).ok())
        })
        .unwrap_or_else(|| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

/// Default level for one-shot commands (`status`, `inspect-cert`): quiet unless asked.
pub const CLI_DEFAULT: &str = "warn";
/// Default level for the long-running agent.
pub const DAEMON_DEFAULT: &str = "info";
