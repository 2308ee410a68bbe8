//! `cpx-agent finess import|update|show|check`: thin glue over the module. Exit codes like
//! every subcommand (`crate::cli::exit`): 0 all good, 1 findings (or number not in the
//! directory; for `update`: the update failed or was refused, the previous directory is
//! kept), 2 usage, file or configuration errors (`update` offline by configuration).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::common::{print_error, print_json, print_text, usage_error, ConfigArg, JsonArg};
use super::exit;
use crate::config::Config;
use crate::finess::check::{self, ContractStructures};
use crate::finess::import;
use crate::finess::lookup;
use crate::finess::store::Directory;
use crate::finess::update;
use crate::judge::directory::directory_path;
use crate::text::finess as msg;
use crate::text::finess_report;
use cpx_card::Finess;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: FinessCommand,
}

/// Options every `finess` subcommand takes.
#[derive(Debug, Clone, clap::Args)]
pub struct Common {
    /// Base du répertoire (défaut : [finess] db de la configuration, sinon
    /// $XDG_DATA_HOME/cpx-agent/finess.sqlite) / directory database.
    #[arg(long, value_name = "FICHIER")]
    pub db: Option<PathBuf>,
    #[command(flatten)]
    pub config: ConfigArg,
    #[command(flatten)]
    pub output: JsonArg,
}

#[derive(Debug, Clone, Subcommand)]
pub enum FinessCommand {
    /// Importe les extraits FINESS (CSV open data, JSON FINESS+) comme nouveau répertoire local
    /// / import FINESS extracts as the new local directory.
    Import {
        /// Fichiers importés ensemble (l'extrait EJ et l'extrait EG, ou un JSON FINESS+).
        #[arg(required = true, value_name = "FICHIER")]
        files: Vec<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Met à jour le répertoire depuis data.gouv.fr (HTTPS ; rien si rien n'a changé) / update
    /// the directory from data.gouv.fr.
    Update {
        /// API data.gouv.fr (défaut : [finess] source, https://www.data.gouv.fr/api/1/) ou
        /// adresse d'un extrait (.json, .json.gz, .csv).
        #[arg(long, value_name = "URL")]
        source: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Montre une structure : EJ ou EG, noms, adresse, rattachements / show one structure.
    Show {
        #[arg(value_name = "FINESS")]
        number: String,
        #[command(flatten)]
        common: Common,
    },
    /// Vérifie l'EJ et les EG du contrat contre le répertoire / check the contract's FINESS.
    Check {
        #[command(flatten)]
        common: Common,
    },
}

/// Runs one `finess` subcommand; returns the exit code.
pub fn run(args: &Args) -> u8 {
    match &args.command {
        FinessCommand::Import { files, common } => run_import(files, common),
        FinessCommand::Update { source, common } => run_update(source.as_deref(), common),
        FinessCommand::Show { number, common } => run_show(number, common),
        FinessCommand::Check { common } => run_check(common),
    }
}

/// `--db`, else the configuration's, else the default path.
fn db_path(common: &Common, config: &Config) -> Result<PathBuf, u8> {
    common
        .db
        .clone()
        .or_else(|| directory_path(config))
        .ok_or_else(|| usage_error(msg::NO_DATA_DIR))
}

fn run_import(files: &[PathBuf], common: &Common) -> u8 {
    let config = match common.config.load() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let db = match db_path(common, &config) {
        Ok(p) => p,
        Err(code) => return code,
    };
    match import::import(files, &db, std::io::stderr().is_terminal()) {
        Ok(summary) => {
            if common.output.json {
                print_json(&summary);
            } else {
                print_text(&finess_report::import_summary(&summary, &db));
            }
            exit::OK
        }
        Err(e) => usage_error(&e.to_string()),
    }
}

fn run_update(source: Option<&str>, common: &Common) -> u8 {
    let config = match common.config.load() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let db = match db_path(common, &config) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let client = match crate::net::client(&config.network) {
        Ok(c) => c,
        Err(e) => return usage_error(&e.to_string()),
    };
    let source = source.unwrap_or(&config.finess.source).to_string();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            print_error(&crate::text::net::client_failed(&e.to_string()));
            return exit::FINDINGS;
        }
    };
    let options = update::UpdateOptions {
        source: &source,
        db: &db,
        show_progress: update::terminal() && !common.output.json,
    };
    match runtime.block_on(update::update(&client, &options)) {
        Ok(summary) => {
            if common.output.json {
                print_json(&summary);
            } else {
                print_text(&finess_report::update_summary(&summary, &db));
            }
            exit::OK
        }
        Err(e) => {
            print_error(&e.to_string());
            exit::FINDINGS
        }
    }
}

fn open_directory(db: &Path) -> Result<Directory, u8> {
    match Directory::open(db) {
        Ok(Some(d)) => Ok(d),
        Ok(None) => Err(usage_error(msg::NO_DIRECTORY)),
        Err(e) => Err(usage_error(&msg::database_error(&e))),
    }
}

fn run_show(number: &str, common: &Common) -> u8 {
    let finess = match Finess::parse(number) {
        Ok(f) => f,
        Err(e) => return usage_error(&e.to_string()),
    };
    let config = match common.config.load() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let dir = match db_path(common, &config).and_then(|p| open_directory(&p)) {
        Ok(d) => d,
        Err(code) => return code,
    };
    match lookup::lookup(&dir, &finess) {
        Ok(Some(entry)) => {
            if common.output.json {
                print_json(&entry);
            } else {
                print_text(&finess_report::show_entry(&entry));
            }
            exit::OK
        }
        Ok(None) => {
            let date = dir.info().ok().and_then(|i| i.data_date);
            print_error(&msg::not_in_directory(finess.as_str(), date.as_deref()));
            exit::FINDINGS
        }
        Err(e) => usage_error(&msg::database_error(&e)),
    }
}

fn run_check(common: &Common) -> u8 {
    let config = match common.config.load() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let Some(contract) = &config.contract else {
        return usage_error(msg::NO_CONTRACT_STRUCTURES);
    };
    let structures = ContractStructures {
        ej: Some(contract.ej.to_string()),
        egs: contract.egs.iter().map(Finess::to_string).collect(),
        ars_contact: config.finess.ars_contact.clone(),
    };
    let dir = match db_path(common, &config).and_then(|p| open_directory(&p)) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let today = time::OffsetDateTime::now_utc().date();
    match check::check(&dir, &structures, today) {
        Ok(report) => {
            if common.output.json {
                print_json(&report);
            } else {
                print_text(&finess_report::check_report(&report));
            }
            if report.needs_attention() {
                exit::FINDINGS
            } else {
                exit::OK
            }
        }
        Err(e) => usage_error(&msg::database_error(&e)),
    }
}
