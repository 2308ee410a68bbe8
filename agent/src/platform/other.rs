//! Systems the agent does not support yet (macOS, the BSDs…, and Windows until its own file is
//! filled): paths come from `dirs` (they are right everywhere), everything else answers
//! [`Unsupported`] rather than guess. `docs/platforms.md` says what each system would need.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use super::{DesktopNote, Os, StopRequest, Unsupported};
use crate::usb::UsbReader;

pub const CURRENT: Os = if cfg!(target_os = "macos") {
    Os::MacOs
} else if cfg!(windows) {
    Os::Windows
} else {
    Os::Other
};

pub fn user_config_dir() -> Option<PathBuf> {
    dirs::config_dir()
}

/// No organisation-wide default yet on this system.
pub fn system_config_file() -> Option<PathBuf> {
    None
}

pub fn data_dir() -> Option<PathBuf> {
    dirs::data_local_dir()
}

pub fn runtime_dir() -> Option<PathBuf> {
    dirs::runtime_dir().or_else(dirs::data_local_dir)
}

/// The token's protection is not known here: refuse rather than store a secret others read.
pub fn is_private(_path: &Path) -> io::Result<Result<(), String>> {
    Err(Unsupported.into())
}

pub fn ensure_private_dir(_dir: &Path) -> io::Result<()> {
    Err(Unsupported.into())
}

pub fn create_private_file(_path: &Path) -> io::Result<File> {
    Err(Unsupported.into())
}

/// Ctrl-C, the one stop request every system delivers the same way.
pub struct StopSignals(());

impl StopSignals {
    pub fn listen() -> io::Result<StopSignals> {
        Ok(StopSignals(()))
    }

    /// The next stop request; a system that cannot deliver Ctrl-C never stops this way.
    pub async fn recv(&mut self) -> StopRequest {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
        StopRequest::Interrupt
    }
}

pub fn usb_readers() -> Result<Vec<UsbReader>, Unsupported> {
    Err(Unsupported)
}

/// No icon-theme names here: the tray shows no icon until this system's pictures exist.
pub fn native_icon(_name: &str) -> Option<tray_icon::menu::NativeIcon> {
    None
}

/// The tray icon's thread: shows each view sent until the sender is gone.
pub fn icon_thread_loop<T>(views: &std::sync::mpsc::Receiver<T>, mut show: impl FnMut(T)) {
    while let Ok(next) = views.recv() {
        show(next);
    }
}

/// Plain text tooltips.
pub const TRAY_TOOLTIP_MARKUP: bool = false;

pub async fn notify(_note: DesktopNote<'_>) -> Result<u32, String> {
    Err(Unsupported.to_string())
}

/// Nothing to leave: a terminal is not a window of the program's own.
pub fn leave_own_console() {}

pub fn has_display() -> bool {
    false
}

pub fn open_in_browser(_url: &str) -> bool {
    false
}

/// No reload request on this system (no SIGHUP): the configuration is applied by `setup` or
/// the page, or on restart.
pub struct ReloadSignal(());

impl ReloadSignal {
    pub fn listen() -> io::Result<ReloadSignal> {
        Ok(ReloadSignal(()))
    }

    /// Never comes.
    pub async fn recv(&mut self) -> bool {
        std::future::pending::<bool>().await
    }
}

/// No user id known here.
pub fn fallback_user() -> String {
    "utilisateur inconnu".to_string()
}

/// Not known on this system: a port file is never trusted (configure `[api] listen`).
pub fn is_running_agent(_pid: u32) -> bool {
    false
}

/// Whether binding `[::1]` failed because this machine has no IPv6 loopback.
pub fn no_ipv6(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::AddrNotAvailable
}

/// Not known on this system.
pub fn libccid_info_plist() -> Option<&'static str> {
    None
}
