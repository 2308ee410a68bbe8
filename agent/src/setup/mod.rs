//! Setting the contract without editing TOML (issue 10 §4): `cpx-agent setup` (a terminal
//! dialogue, or flags) and the page's form (`POST /v1/config`). Each number is looked up live
//! in the FINESS directory (name, EJ or EG, the EG's EJ, closed or not); the new file is
//! validated exactly as the configuration is at start (`Config::from_toml_str` on the new
//! text), written atomically, keeping the user's comments (`edit`). The running agent applies
//! it without a restart (`POST /v1/config/reload`, see `crate::cli::run`).

pub mod edit;

use std::path::{Path, PathBuf};

use cpx_card::{Finess, FinessKey};

use crate::config::{Config, ConfigError, Contract};
use crate::finess::entity::EntityKind;
use crate::finess::Directory;
use crate::model::setup::{FinessLookup, SetupRequest};
use crate::text::setup as texte;

/// What a number is for in the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Ej,
    Eg,
}

/// Why the new configuration is not written.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The new configuration is refused, exactly as at start (naming the key and the fix).
    #[error(transparent)]
    Invalid(#[from] ConfigError),
    #[error("{}", texte::unreadable(&path.display().to_string(), detail))]
    Unreadable { path: PathBuf, detail: String },
    #[error("{}", texte::cannot_write(&path.display().to_string(), detail))]
    CannotWrite { path: PathBuf, detail: String },
    #[error("{}", texte::NO_CONFIG_DIR)]
    NoConfigDir,
}

/// The directory the configuration points to, if one was imported.
pub fn open_directory(config: &Config) -> Option<Directory> {
    let path = config
        .finess
        .db
        .clone()
        .or_else(crate::finess::store::default_path)?;
    Directory::open(&path).ok().flatten()
}

/// What the directory says of `number` for `role` (`contract_ej`: the EJ the EGs should hang
/// from).
pub fn lookup(
    directory: Option<&Directory>,
    number: &str,
    role: Role,
    contract_ej: Option<&str>,
) -> FinessLookup {
    let number = number.trim();
    let mut out = FinessLookup {
        finess: number.to_string(),
        directory: directory.is_some(),
        ..FinessLookup::default()
    };
    let finess = match Finess::parse(number) {
        Ok(f) => f,
        Err(e) => {
            out.notes.push(texte::malformed(number, &e.to_string()));
            return out;
        }
    };
    match finess.key() {
        FinessKey::Invalid => {
            out.notes.push(texte::key_invalid(number));
            return out;
        }
        FinessKey::NotVerifiable => out.notes.push(texte::key_not_verifiable(number)),
        FinessKey::Valid => {}
    }
    out.valid = true;
    let Some(dir) = directory else {
        out.notes.push(texte::NO_DIRECTORY.to_string());
        return out;
    };
    let entity = match dir.get(finess.as_str()) {
        Ok(Some(e)) => e,
        Ok(None) => {
            let date = dir.info().ok().and_then(|i| i.data_date);
            out.notes.push(texte::not_found(number, date.as_deref()));
            return out;
        }
        Err(e) => {
            out.notes.push(texte::directory_error(&e.to_string()));
            return out;
        }
    };
    out.found = true;
    out.kind = entity.kind.map(|k| k.code().to_string());
    out.name = entity.name.clone().or_else(|| entity.long_name.clone());
    out.closed = entity.is_closed();
    if out.closed {
        out.notes
            .push(texte::closed(number, entity.closed.as_deref()));
    }
    if entity.kind == Some(EntityKind::Eg) {
        out.ej = entity.ej.clone();
        out.ej_name = entity
            .ej
            .as_deref()
            .and_then(|ej| dir.get(ej).ok().flatten())
            .and_then(|e| e.name.or(e.long_name));
    }
    match (role, entity.kind) {
        (Role::Ej, Some(EntityKind::Eg)) => out
            .notes
            .push(texte::is_eg_expected_ej(number, entity.ej.as_deref())),
        (Role::Eg, Some(EntityKind::Ej)) => out.notes.push(texte::is_ej_expected_eg(number)),
        (Role::Eg, Some(EntityKind::Eg)) => {
            if let Some(ej) = contract_ej.filter(|ej| entity.ej.as_deref() != Some(*ej)) {
                out.notes
                    .push(texte::eg_of_other_ej(number, entity.ej.as_deref(), ej));
            }
        }
        _ => {}
    }
    out
}

/// Every number of a request, looked up.
pub fn lookup_request(directory: Option<&Directory>, request: &SetupRequest) -> Vec<FinessLookup> {
    let ej = request.ej.trim();
    std::iter::once(lookup(directory, ej, Role::Ej, None))
        .chain(
            request
                .egs
                .iter()
                .map(|eg| lookup(directory, eg, Role::Eg, Some(ej))),
        )
        .collect()
}

/// The file `setup` writes: `--config`, else the file the configuration came from, else the
/// default path.
pub fn target_path(explicit: Option<&Path>, config: &Config) -> Result<PathBuf, SetupError> {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| config.source.clone())
        .or_else(Config::default_path)
        .ok_or(SetupError::NoConfigDir)
}

/// Writes the contract of `request` into the file at `path` (created if absent), validated
/// as at start, atomically, comments kept. Returns the new configuration.
pub fn write(path: &Path, request: &SetupRequest) -> Result<Config, SetupError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            return Err(SetupError::Unreadable {
                path: path.to_path_buf(),
                detail: e.to_string(),
            })
        }
    };
    let egs: Vec<String> = request.egs.iter().map(|e| e.trim().to_string()).collect();
    let new =
        edit::set_contract(&text, request.mode.trim(), request.ej.trim(), &egs).map_err(|e| {
            SetupError::Invalid(ConfigError::Syntax {
                path: Some(path.to_path_buf()),
                line: None,
                table: None,
                detail: e.to_string(),
            })
        })?;
    let config = Config::from_toml_str(&new, Some(path))?;
    crate::atomic_file::write(path, new.as_bytes()).map_err(|e| SetupError::CannotWrite {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    Ok(config)
}

/// A one-line French description of a contract, for messages.
pub fn describe(contract: Option<&Contract>) -> String {
    match contract {
        None => texte::NO_CONTRACT.to_string(),
        Some(c) => texte::contract(
            c.mode.as_str(),
            c.ej.as_str(),
            &c.egs.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        ),
    }
}
