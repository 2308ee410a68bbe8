//! Windows: not implemented yet (the Windows work fills this file: `%APPDATA%`,
//! `%ProgramData%\cpx-agent\config.toml`, an owner-only ACL for the token, Ctrl-C / console
//! close / log-off, SetupAPI for USB readers, `start` for the browser). Until then it answers
//! like any system the agent does not support, rather than guess.

pub use super::other::*;
