//! Everything that differs by operating system, behind one module: where the configuration,
//! data and runtime files live (`dirs`, plus the organisation-wide default configuration), the
//! token file's protection, the stop requests, which PC/SC remedy applies, USB reader
//! diagnostics, opening the status page in a browser and how the agent's service is started.
//! Nothing outside this module is `cfg`'d by OS.
//!
//! Linux is implemented and tested (`linux.rs`). Windows (`windows.rs`, filled by the Windows
//! work) and other systems (`other.rs`) answer [`Unsupported`] — « pas encore pris en charge
//! sur ce système » — rather than guess. The words people read are in `crate::text`; this
//! module only says which OS it is and does the OS's part.

use std::path::PathBuf;

// The Windows ACL rule, portable so that it is tested everywhere (used by windows.rs).
#[cfg_attr(not(windows), allow(dead_code))]
pub(crate) mod acl;

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as os;

#[cfg(not(any(target_os = "linux", windows)))]
mod other;
#[cfg(not(any(target_os = "linux", windows)))]
use other as os;

#[cfg(windows)]
#[allow(dead_code)] // what windows.rs does itself is unused here
mod other;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as os;

pub use os::{
    create_private_file, data_dir, ensure_private_dir, has_display, icon_thread_loop, is_private,
    is_running_agent, leave_own_console, libccid_info_plist, native_icon, no_ipv6, notify,
    open_in_browser, runtime_dir, system_config_file, usb_readers, user_config_dir, ReloadSignal,
    StopSignals, CURRENT, TRAY_TOOLTIP_MARKUP,
};

/// The systems the agent knows of. The texts (`crate::text`) choose their wording by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    Windows,
    MacOs,
    Other,
}

/// What the platform module answers for something it does not do on this system yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::text::platform::UNSUPPORTED)]
pub struct Unsupported;

impl From<Unsupported> for std::io::Error {
    fn from(e: Unsupported) -> Self {
        std::io::Error::new(std::io::ErrorKind::Unsupported, e.to_string())
    }
}

/// Which stop request ended the program (for the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopRequest {
    /// SIGTERM (systemd, `kill`), or the OS's equivalent (log-off, console closed).
    Terminate,
    /// SIGINT (Ctrl-C).
    Interrupt,
}

/// How pressing a desktop notification is (freedesktop urgency; ordered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    Low,
    Normal,
    Critical,
}

/// A desktop notification, as the platform shows it.
#[derive(Debug, Clone, Copy)]
pub struct DesktopNote<'a> {
    pub summary: &'a str,
    pub body: &'a str,
    /// A freedesktop icon name.
    pub icon: &'a str,
    pub urgency: Urgency,
    /// The id of an earlier notification this one replaces.
    pub replaces: Option<u32>,
}

/// The user's configuration file: `$XDG_CONFIG_HOME/cpx-agent/config.toml` on Linux.
pub fn user_config_file() -> Option<PathBuf> {
    user_config_dir().map(|d| d.join("cpx-agent").join("config.toml"))
}

/// The OS user running this process (who ticked a step): `$USER`, `$LOGNAME` or `%USERNAME%`,
/// else what the system can say (`uid 1000` on Linux).
pub fn os_user() -> String {
    for var in ["USER", "LOGNAME", "USERNAME"] {
        if let Some(name) = std::env::var_os(var).and_then(|v| v.into_string().ok()) {
            if !name.trim().is_empty() {
                return name.trim().to_string();
            }
        }
    }
    os::fallback_user()
}

/// The user's documents folder (`$XDG_DOCUMENTS_DIR`, `%USERPROFILE%\Documents`).
pub fn document_dir() -> Option<PathBuf> {
    dirs::document_dir()
}

/// The user's home folder.
pub fn home_dir() -> Option<PathBuf> {
    dirs::home_dir()
}
