//! The `cpx-agent finess …` subcommands: `import FILE...`, `show NUMBER`, `check`. Thin glue
//! over the module; exit codes like `status`: 0 all good, 1 findings (or number not found),
//! 2 usage, file or configuration errors.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde::Deserialize;

use super::check::{self, ContractStructures};
use super::import;
use super::lookup;
use super::messages as msg;
use super::store::{self, Directory};
use cpx_card::Finess;

#[derive(Debug, Clone, Subcommand)]
pub enum FinessCommand {
    /// Importe les extraits FINESS (CSV open data ou JSON FINESS+) comme nouveau répertoire local.
    Import {
        /// Fichiers importés ensemble (typiquement l'extrait EJ et l'extrait EG, ou un JSON).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Base du répertoire (défaut : $XDG_DATA_HOME/cpx-agent/finess.sqlite).
        #[arg(long)]
        db: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Montre une structure du répertoire : EJ ou EG, noms, adresse, rattachements.
    Show {
        number: String,
        #[arg(long)]
        db: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Vérifie l'EJ et les EG du contrat (configuration) contre le répertoire.
    Check {
        #[arg(long)]
        config: Option<PathBuf>,
        #[arg(long)]
        db: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

/// Runs one subcommand; returns the process exit code.
pub fn run(cmd: FinessCommand) -> i32 {
    match cmd {
        FinessCommand::Import { files, db, json } => run_import(&files, db, json),
        FinessCommand::Show { number, db, json } => run_show(&number, db, json),
        FinessCommand::Check { config, db, json } => run_check(config, db, json),
    }
}

fn db_path(db: Option<PathBuf>) -> Result<PathBuf, i32> {
    db.or_else(store::default_path).ok_or_else(|| {
        eprintln!("{}", msg::NO_DATA_DIR);
        2
    })
}

fn print_json<T: serde::Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("{e}"),
    }
}

fn run_import(files: &[PathBuf], db: Option<PathBuf>, json: bool) -> i32 {
    let db = match db_path(db) {
        Ok(p) => p,
        Err(code) => return code,
    };
    match import::import(files, &db, std::io::stderr().is_terminal()) {
        Ok(summary) => {
            if json {
                print_json(&summary);
            } else {
                print!("{}", msg::import_summary(&summary, &db));
            }
            0
        }
        Err(e) => {
            eprintln!("{e}");
            2
        }
    }
}

fn open_directory(db: &Path) -> Result<Directory, i32> {
    match Directory::open(db) {
        Ok(Some(d)) => Ok(d),
        Ok(None) => {
            eprintln!("{}", msg::NO_DIRECTORY);
            Err(2)
        }
        Err(e) => {
            eprintln!("{}", msg::database_error(&e));
            Err(2)
        }
    }
}

fn run_show(number: &str, db: Option<PathBuf>, json: bool) -> i32 {
    let finess = match Finess::parse(number) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    let dir = match db_path(db).and_then(|p| open_directory(&p)) {
        Ok(d) => d,
        Err(code) => return code,
    };
    match lookup::lookup(&dir, &finess) {
        Ok(Some(entry)) => {
            if json {
                print_json(&entry);
            } else {
                print!("{}", msg::show_entry(&entry));
            }
            0
        }
        Ok(None) => {
            let info = dir.info().ok();
            eprintln!(
                "{}",
                msg::not_in_directory(
                    finess.as_str(),
                    info.as_ref().and_then(|i| i.data_date.as_deref())
                )
            );
            1
        }
        Err(e) => {
            eprintln!("{}", msg::database_error(&e));
            2
        }
    }
}

/// The `[contract]` table of the agent's configuration, read raw: checking the numbers is the
/// check's job.
#[derive(Debug, Default, Deserialize)]
struct RawConfig {
    #[serde(default)]
    contract: RawContract,
}

#[derive(Debug, Default, Deserialize)]
struct RawContract {
    ej: Option<String>,
    #[serde(default)]
    egs: Vec<String>,
}

/// The default configuration file: `$XDG_CONFIG_HOME/cpx-agent/config.toml`.
fn default_config_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("cpx-agent").join("config.toml"))
}

fn read_contract(path: &Path) -> Result<ContractStructures, String> {
    let text = std::fs::read_to_string(path).map_err(|e| msg::config_unreadable(path, &e))?;
    let raw: RawConfig =
        toml::from_str(&text).map_err(|e| msg::config_invalid(path, &e.to_string()))?;
    Ok(ContractStructures {
        ej: raw.contract.ej,
        egs: raw.contract.egs,
        ars_contact: None,
    })
}

fn run_check(config: Option<PathBuf>, db: Option<PathBuf>, json: bool) -> i32 {
    let Some(config) = config.or_else(default_config_path) else {
        eprintln!("{}", msg::NO_CONFIG);
        return 2;
    };
    let contract = match read_contract(&config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    if contract.ej.is_none() && contract.egs.is_empty() {
        eprintln!("{}", msg::NO_CONTRACT_STRUCTURES);
        return 2;
    }
    let dir = match db_path(db).and_then(|p| open_directory(&p)) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let today = time::OffsetDateTime::now_utc().date();
    match check::check(&dir, &contract, today) {
        Ok(report) => {
            if json {
                print_json(&report);
            } else {
                print!("{}", msg::check_report(&report));
            }
            report.exit_code()
        }
        Err(e) => {
            eprintln!("{}", msg::database_error(&e));
            2
        }
    }
}
