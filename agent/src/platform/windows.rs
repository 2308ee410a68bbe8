//! Windows, as far as it is done (issue 17 §1 completes this file: an owner-only ACL check of
//! the token, console close and log-off as stop requests, `%ProgramData%\cpx-agent\config.toml`,
//! SetupAPI for USB readers, `start` for the browser, tray pictures, toasts). Until then:
//! - the token is written in `%LOCALAPPDATA%\cpx-agent\`, whose inherited profile ACL keeps
//!   other users out; no ACL is checked (the Windows build and its Wine stage need `run`);
//! - everything else answers like a system the agent does not support yet (`other.rs`).

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

pub use super::other::{
    data_dir, has_display, native_icon, notify, open_in_browser, system_config_file,
    usb_readers, user_config_dir, StopSignals, CURRENT,
};

/// `%LOCALAPPDATA%`: per user, never roaming.
pub fn runtime_dir() -> Option<PathBuf> {
    dirs::data_local_dir()
}

/// Not checked yet (issue 17: the owner-only ACL): the profile's inherited ACL protects it.
pub fn is_private(path: &Path) -> io::Result<Result<(), u32>> {
    fs::metadata(path).map(|_| Ok(()))
}

pub fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)
}

/// A new file (never over an existing one), with the ACL it inherits from the user's profile.
pub fn create_private_file(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}
