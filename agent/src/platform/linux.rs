//! Linux: XDG directories (`dirs`), Unix mode bits for the token, SIGTERM/SIGINT, sysfs for
//! USB readers, `xdg-open` for the browser, systemd for the services.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tokio::signal::unix::{signal, Signal, SignalKind};

use super::{DesktopNote, Os, StopRequest, Unsupported, Urgency};
use crate::usb::{self, LibccidList, UsbReader};

pub const CURRENT: Os = Os::Linux;

/// The organisation-wide default configuration, installed by the package as a conffile.
pub const SYSTEM_CONFIG_FILE: &str = "/etc/cpx-agent/config.toml";
/// Where Debian's libccid lists the readers it drives (ifdVendorID/ifdProductID arrays).
pub const LIBCCID_INFO_PLIST: &str = "/usr/lib/pcsc/drivers/ifd-ccid.bundle/Contents/Info.plist";
/// sysfs directory of USB devices.
pub const SYSFS_USB_DEVICES: &str = "/sys/bus/usb/devices";

/// `$XDG_CONFIG_HOME` (`~/.config`).
pub fn user_config_dir() -> Option<PathBuf> {
    dirs::config_dir()
}

/// `/etc/cpx-agent/config.toml`, read when the user has no configuration of their own.
pub fn system_config_file() -> Option<PathBuf> {
    Some(PathBuf::from(SYSTEM_CONFIG_FILE))
}

/// `$XDG_DATA_HOME` (`~/.local/share`).
pub fn data_dir() -> Option<PathBuf> {
    dirs::data_dir()
}

/// Where per-session secrets live: `$XDG_RUNTIME_DIR`, else `$XDG_STATE_HOME`
/// (`~/.local/state`, a service account without a login session).
pub fn runtime_dir() -> Option<PathBuf> {
    dirs::runtime_dir().or_else(dirs::state_dir)
}

/// Whether a file or directory is out of other users' reach: no group or other permission.
/// `Ok(Err(what))` says which mode bits it has when it is not (`droits 640`).
pub fn is_private(path: &Path) -> io::Result<Result<(), String>> {
    let mode = fs::metadata(path)?.permissions().mode() & 0o777;
    Ok(if mode & 0o077 == 0 {
        Ok(())
    } else {
        Err(crate::text::platform::mode_bits(mode))
    })
}

/// Creates `dir` (and its parents) and makes it the user's only (0700).
pub fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
}

/// Creates a new file only its owner may read or write (0600); fails when it exists.
pub fn create_private_file(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

/// SIGTERM and SIGINT, caught from the moment `StopSignals::listen` returns (inside a tokio
/// runtime): from then on they stop the program cleanly instead of killing it.
pub struct StopSignals {
    term: Signal,
    int: Signal,
}

impl StopSignals {
    pub fn listen() -> io::Result<StopSignals> {
        Ok(StopSignals {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    /// The next stop request.
    pub async fn recv(&mut self) -> StopRequest {
        tokio::select! {
            _ = self.term.recv() => StopRequest::Terminate,
            _ = self.int.recv() => StopRequest::Interrupt,
        }
    }
}

/// SIGHUP: read the configuration again, caught from the moment `listen` returns.
pub struct ReloadSignal(Signal);

impl ReloadSignal {
    pub fn listen() -> io::Result<ReloadSignal> {
        Ok(ReloadSignal(signal(SignalKind::hangup())?))
    }

    /// The next reload request; `false` when no more can come.
    pub async fn recv(&mut self) -> bool {
        self.0.recv().await.is_some()
    }
}

/// The numeric user id, when no user name is in the environment.
pub fn fallback_user() -> String {
    // SAFETY: getuid has no preconditions and cannot fail.
    let uid = unsafe { libc::getuid() };
    format!("uid {uid}")
}

/// USB devices that are, or may be, smart-card readers (sysfs and libccid's list).
pub fn usb_readers() -> Result<Vec<UsbReader>, Unsupported> {
    Ok(usb::scan(
        Path::new(SYSFS_USB_DEVICES),
        &LibccidList::load(Path::new(LIBCCID_INFO_PLIST)),
    ))
}

/// A tray or menu icon by its freedesktop icon-theme name (`security-high`…).
pub fn native_icon(name: &str) -> Option<tray_icon::menu::NativeIcon> {
    Some(tray_icon::menu::NativeIcon::from_name(name))
}

/// The tray icon's thread: shows each view sent until the sender is gone. The `ksni` backend
/// runs on its own threads, so this one only waits for views.
pub fn icon_thread_loop<T>(views: &std::sync::mpsc::Receiver<T>, mut show: impl FnMut(T)) {
    while let Ok(next) = views.recv() {
        show(next);
    }
}

/// Whether the tray's tooltip is markup (SNI: a subset of HTML, `&` escaped).
pub const TRAY_TOOLTIP_MARKUP: bool = true;

/// Shows a desktop notification (org.freedesktop.Notifications on the session bus, from the
/// user's own session); its id, for a later one to replace it.
pub async fn notify(note: DesktopNote<'_>) -> Result<u32, String> {
    let mut n = notify_rust::Notification::new();
    n.appname("cpx-agent")
        .summary(note.summary)
        .body(note.body)
        .icon(note.icon)
        .hint(notify_rust::Hint::Category("device".to_string()))
        .urgency(match note.urgency {
            Urgency::Low => notify_rust::Urgency::Low,
            Urgency::Normal => notify_rust::Urgency::Normal,
            Urgency::Critical => notify_rust::Urgency::Critical,
        });
    if let Some(id) = note.replaces {
        n.id(id);
    }
    n.show_async()
        .await
        .map(|handle| handle.id())
        .map_err(|e| e.to_string())
}

/// Nothing to leave: a terminal is not a window of the program's own.
pub fn leave_own_console() {}

/// Whether a graphical session is there to open a browser in.
pub fn has_display() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()))
}

/// Opens `url` in the user's browser (`xdg-open`) without waiting for it; `false` when it
/// could not be started.
pub fn open_in_browser(url: &str) -> bool {
    Command::new("xdg-open")
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .is_ok()
}

#[cfg(test)]
mod tests;

/// Whether `pid` is a running `cpx-agent`: it exists (kill 0) and `/proc/PID/comm` names it.
pub fn is_running_agent(pid: u32) -> bool {
    let Ok(pid_t) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: kill(2) with signal 0 only checks that the process exists.
    let exists = unsafe { libc::kill(pid_t, 0) } == 0
        || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
    exists
        && fs::read_to_string(format!("/proc/{pid}/comm"))
            .is_ok_and(|name| name.trim() == "cpx-agent")
}

/// Whether binding `[::1]` failed because this machine has no IPv6 loopback (nobody can bind
/// it either).
pub fn no_ipv6(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::AddrNotAvailable
        || error.raw_os_error() == Some(libc::EAFNOSUPPORT)
}

/// Where libccid lists the readers it supports (`Info.plist`).
pub fn libccid_info_plist() -> Option<&'static str> {
    Some(LIBCCID_INFO_PLIST)
}
