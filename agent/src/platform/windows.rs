//! Windows (tested under Wine 10 against pcscd, `tests/windows/run`): configuration in
//! `%APPDATA%\cpx-agent\`, data and runtime files in `%LOCALAPPDATA%\cpx-agent\`, the
//! organisation-wide default `%ProgramData%\cpx-agent\config.toml` (written by the MSI), stop
//! requests from Ctrl-C, console close, log-off and shutdown, the token file with an owner-only
//! ACL (`windows/acl.rs`), USB readers through SetupAPI (`windows/setupapi.rs`, judged by
//! `usb::pnp`), the tray icon's message loop.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

mod acl;
mod setupapi;

pub use super::other::{native_icon, notify};
use super::{Os, StopRequest, Unsupported};
use crate::usb::UsbReader;

pub const CURRENT: Os = Os::Windows;

/// `%APPDATA%` (roaming: the user's own configuration follows them).
pub fn user_config_dir() -> Option<PathBuf> {
    dirs::config_dir()
}

/// `%ProgramData%\cpx-agent\config.toml`: the organisation's contract, read when the user has
/// no configuration of their own (the MSI's CONTRACT_MODE, EJ, EGS properties write it).
pub fn system_config_file() -> Option<PathBuf> {
    let program_data = std::env::var_os("ProgramData")?;
    Some(
        PathBuf::from(program_data)
            .join("cpx-agent")
            .join("config.toml"),
    )
}

/// `%LOCALAPPDATA%` (per machine and user: the FINESS directory, the journal…).
pub fn data_dir() -> Option<PathBuf> {
    dirs::data_local_dir()
}

/// `%LOCALAPPDATA%` too: Windows has no per-session runtime directory.
pub fn runtime_dir() -> Option<PathBuf> {
    dirs::data_local_dir()
}

/// The token and port files: a protected DACL granting the user running the agent full access
/// and nobody else anything (`windows/acl.rs`); `Err(who)` when anyone else (but `SYSTEM` and
/// the Administrators) is let in, as the profile's inherited ACL may.
pub fn is_private(path: &Path) -> io::Result<Result<(), String>> {
    acl::is_private(path)
}

/// Creates `dir` with a protected owner-only DACL, inherited by what is created in it.
pub fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    acl::ensure_private_dir(dir)
}

/// Creates a new file (never over one) with a protected owner-only DACL.
pub fn create_private_file(path: &Path) -> io::Result<File> {
    acl::create_private_file(path)
}

/// Ctrl-C and Ctrl-Break, the console closed, the user logging off, the machine shutting down.
pub struct StopSignals {
    c: tokio::signal::windows::CtrlC,
    brk: tokio::signal::windows::CtrlBreak,
    close: tokio::signal::windows::CtrlClose,
    logoff: tokio::signal::windows::CtrlLogoff,
    shutdown: tokio::signal::windows::CtrlShutdown,
}

impl StopSignals {
    pub fn listen() -> io::Result<StopSignals> {
        use tokio::signal::windows as w;
        Ok(StopSignals {
            c: w::ctrl_c()?,
            brk: w::ctrl_break()?,
            close: w::ctrl_close()?,
            logoff: w::ctrl_logoff()?,
            shutdown: w::ctrl_shutdown()?,
        })
    }

    /// The next stop request.
    pub async fn recv(&mut self) -> StopRequest {
        tokio::select! {
            _ = self.c.recv() => StopRequest::Interrupt,
            _ = self.brk.recv() => StopRequest::Interrupt,
            _ = self.close.recv() => StopRequest::Terminate,
            _ = self.logoff.recv() => StopRequest::Terminate,
            _ = self.shutdown.recv() => StopRequest::Terminate,
        }
    }
}

/// USB devices that are, or may be, smart-card readers: SetupAPI's present USB nodes
/// (`windows/setupapi.rs`), judged by `usb::pnp` (whether a working reader driver is there).
pub fn usb_readers() -> Result<Vec<UsbReader>, Unsupported> {
    Ok(crate::usb::pnp::classify(&setupapi::present_usb_devices()))
}

/// The tray icon's thread: `tray-icon`'s Windows backend is a hidden window of this thread,
/// whose messages (clicks, the menu's commands, the taskbar restarting) must be dispatched
/// here. Waits for a message or 100 ms (`MsgWaitForMultipleObjects`), dispatches what came,
/// then shows the views sent meanwhile; returns when the sender is gone (or on `WM_QUIT`).
pub fn icon_thread_loop<T>(views: &std::sync::mpsc::Receiver<T>, mut show: impl FnMut(T)) {
    use std::sync::mpsc::TryRecvError;
    use windows_sys::Win32::UI::WindowsAndMessaging::{
        DispatchMessageW, MsgWaitForMultipleObjects, PeekMessageW, TranslateMessage, MSG,
        PM_REMOVE, QS_ALLINPUT, WM_QUIT,
    };
    loop {
        loop {
            match views.try_recv() {
                Ok(next) => show(next),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return,
            }
        }
        // SAFETY: no handles to wait on, only this thread's message queue (or the timeout).
        unsafe { MsgWaitForMultipleObjects(0, std::ptr::null(), 0, 100, QS_ALLINPUT) };
        // SAFETY: MSG is plain data; PeekMessageW fills it for this thread's windows.
        let mut msg: MSG = unsafe { std::mem::zeroed() };
        // SAFETY: `msg` is a valid MSG for PeekMessageW to fill and the others to read.
        while unsafe { PeekMessageW(&mut msg, std::ptr::null_mut(), 0, 0, PM_REMOVE) } != 0 {
            if msg.message == WM_QUIT {
                return;
            }
            unsafe {
                TranslateMessage(&msg);
                DispatchMessageW(&msg);
            }
        }
    }
}

/// Plain text tooltips (`NOTIFYICONDATA.szTip`: no markup, 127 characters).
pub const TRAY_TOOLTIP_MARKUP: bool = false;

/// A console program started from the `Run` key or Explorer gets a console window of its own:
/// the tray leaves it (`FreeConsole`), so no window stays open beside the icon. A console it
/// shares with a shell (`cpx-agent tray` typed in `cmd`) is kept, for the messages.
pub fn leave_own_console() {
    #[link(name = "kernel32")]
    extern "system" {
        fn GetConsoleProcessList(list: *mut u32, count: u32) -> u32;
        fn FreeConsole() -> i32;
    }
    let mut list = [0u32; 4];
    // SAFETY: `list` holds `list.len()` process ids for the call to fill.
    let attached = unsafe { GetConsoleProcessList(list.as_mut_ptr(), list.len() as u32) };
    if attached == 1 {
        // SAFETY: no preconditions; stderr writes fail quietly afterwards.
        unsafe { FreeConsole() };
    }
}

/// A Windows session always has a desktop to open a browser on.
pub fn has_display() -> bool {
    true
}

/// `cmd /c start "" URL`: the user's default browser.
pub fn open_in_browser(url: &str) -> bool {
    std::process::Command::new("cmd")
        .args(["/C", "start", "", url])
        .spawn()
        .is_ok()
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

/// No numeric user id to fall back on: the account's name comes from `%USERNAME%`.
pub fn fallback_user() -> String {
    "utilisateur inconnu".to_string()
}

/// Whether `pid` is a running `cpx-agent.exe`, asked to `tasklist` (no extra API binding).
pub fn is_running_agent(pid: u32) -> bool {
    let filter = format!("PID eq {pid}");
    std::process::Command::new("tasklist")
        .args(["/FI", &filter, "/NH", "/FO", "CSV"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .is_ok_and(|out| {
            String::from_utf8_lossy(&out.stdout)
                .to_ascii_lowercase()
                .contains("\"cpx-agent.exe\"")
        })
}

/// Whether binding `[::1]` failed because this machine has no IPv6 loopback
/// (`WSAEAFNOSUPPORT`, `WSAEADDRNOTAVAIL`).
pub fn no_ipv6(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::AddrNotAvailable
        || matches!(error.raw_os_error(), Some(10047) | Some(10049))
}

/// Windows has no libccid: its own CCID driver serves the readers.
pub fn libccid_info_plist() -> Option<&'static str> {
    None
}
