//! The per-user API token: callers that send `Authorization: Bearer TOKEN` see personal data
//! (holder names, identifiers); everyone else gets them redacted. Random, created on first use,
//! kept in a file only the user can read (0600 on Linux, an owner-only ACL on Windows: `platform`) in the user's runtime directory
//! (`$XDG_RUNTIME_DIR/cpx-agent/token`). Without a runtime directory (no login session, e.g.
//! a service account), it falls back to the user's state directory
//! (`~/.local/state/cpx-agent/token`), then to `~/.cpx-agent/token`.
//! `cpx-agent token` prints it.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use crate::platform;

/// Bytes of randomness in a token (printed as hex).
const TOKEN_BYTES: usize = 32;
/// Overrides the token file's location (tests, several agents for one user).
pub const TOKEN_FILE_ENV: &str = "CPX_AGENT_TOKEN_FILE";

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("aucun dossier pour le jeton (ni $XDG_RUNTIME_DIR ni dossier personnel) / no directory for the token")]
    NoDirectory,
    #[error("jeton {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("jeton {path}: lisible par d'autres utilisateurs ({access}), il est remplacé / readable by others")]
    TooOpen { path: PathBuf, access: String },
    #[error("aléa indisponible / no randomness: {0}")]
    Random(String),
}

/// The secret shared by the agent and the user's local applications.
#[derive(Clone)]
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(…)")
    }
}

impl Token {
    /// A token with a known secret (tests, benchmarks).
    pub fn from_secret(secret: impl Into<String>) -> Token {
        Token(secret.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Compares in time independent of where the strings differ.
    pub fn matches(&self, presented: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), presented.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    fn random() -> Result<Token, TokenError> {
        let mut bytes = [0u8; TOKEN_BYTES];
        getrandom::getrandom(&mut bytes).map_err(|e| TokenError::Random(e.to_string()))?;
        Ok(Token(hex::encode(bytes)))
    }

    /// Where the token lives for this user (see the module comment).
    pub fn default_path() -> Result<PathBuf, TokenError> {
        if let Some(path) = std::env::var_os(TOKEN_FILE_ENV) {
            return Ok(PathBuf::from(path));
        }
        let dir = platform::runtime_dir()
            .or_else(|| crate::platform::home_dir().map(|h| h.join(".cpx-agent")))
            .ok_or(TokenError::NoDirectory)?;
        let dir = if dir.ends_with(".cpx-agent") {
            dir
        } else {
            dir.join("cpx-agent")
        };
        Ok(dir.join("token"))
    }

    /// Reads the token at `path`, creating it (0600, directory 0700) when missing or when its
    /// permissions let others read it.
    pub fn load_or_create(path: &Path) -> Result<Token, TokenError> {
        let io_err = |source| TokenError::Io {
            path: path.to_owned(),
            source,
        };
        match platform::is_private(path) {
            Ok(Err(access)) => {
                tracing::warn!(
                    "{}",
                    TokenError::TooOpen {
                        path: path.to_owned(),
                        access
                    }
                );
                fs::remove_file(path).map_err(io_err)?;
            }
            Ok(Ok(())) => {
                let mut text = String::new();
                fs::File::open(path)
                    .and_then(|mut f| f.read_to_string(&mut text))
                    .map_err(io_err)?;
                let text = text.trim();
                if text.len() == TOKEN_BYTES * 2 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Ok(Token(text.to_owned()));
                }
                fs::remove_file(path).map_err(io_err)?;
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(e)),
        }
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(io_err)?;
            // Best effort on the directory (it may be shared, `CPX_AGENT_TOKEN_FILE`): the
            // file's own protection is what matters.
            let _ = platform::ensure_private_dir(dir);
        }
        let token = Token::random()?;
        let mut file = platform::create_private_file(path).map_err(io_err)?;
        file.write_all(format!("{}\n", token.0).as_bytes())
            .map_err(io_err)?;
        Ok(token)
    }
}

#[cfg(test)]
mod tests;
