//! The command line (clap). One module per subcommand under `cli/`, each with its `Args` and a
//! `run(&Args) -> u8` returning the exit code. To add a subcommand: a variant in `Command`,
//! its arm in `run` and in `Command::log_default`, its module.
//!
//! Exit codes, the same for every subcommand (see `exit`): 0 all good, 1 something to look
//! at (findings, no card…), 2 usage or configuration error, 3 PC/SC unavailable.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Config;

pub mod human;
pub mod inspect_cert;
pub mod open;
pub mod run;
pub mod status;
pub mod token;

/// Exit codes shared by every subcommand.
pub mod exit {
    /// Everything is fine.
    pub const OK: u8 = 0;
    /// Something needs attention (a card not ready, no card, findings).
    pub const FINDINGS: u8 = 1;
    /// Usage or configuration error, unreadable or invalid input.
    pub const USAGE: u8 = 2;
    /// The PC/SC service is unavailable.
    pub const PCSC_UNAVAILABLE: u8 = 3;
    /// `run`: the API's port is taken.
    pub const PORT_TAKEN: u8 = crate::daemon::run::EXIT_PORT_TAKEN;
}

#[derive(Debug, Parser)]
#[command(
    name = "cpx-agent",
    version,
    about = "Cartes CPx (CPS, CPE, CDE…) : quelle carte, pour qui, prête pour RPPS+ ? / \
             French healthcare smart cards: which card, whose, ready for RPPS+?"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Décrit un certificat IGC-Santé (PEM ou DER) / describe a certificate file.
    InspectCert(inspect_cert::Args),
    /// Lit chaque lecteur et juge chaque carte / read every reader, judge every card.
    Status(status::Args),
    /// Répertoire FINESS local : import, show, check / the local FINESS directory.
    Finess(crate::finess::cli::Args),
    /// Surveille les lecteurs et sert l'API locale / watch readers, serve the local API.
    Run(run::Args),
    /// Affiche le jeton de l'API locale / print the local API token.
    Token(token::Args),
    /// Ouvre la page d'état avec les noms des porteurs (lien à usage unique) / open the
    /// status page in a session that shows holder names.
    Open(open::Args),
    /// Icône de la zone de notification (StatusNotifierItem) / tray icon over the agent's state.
    Tray(crate::tray::cli::Args),
}

impl Command {
    /// Log level when `CPX_LOG`/`RUST_LOG` are unset.
    fn log_default(&self) -> &'static str {
        match self {
            Command::InspectCert(_)
            | Command::Status(_)
            | Command::Finess(_)
            | Command::Token(_)
            | Command::Open(_) => crate::logging::CLI_DEFAULT,
            Command::Tray(_) => crate::logging::CLI_DEFAULT,
            Command::Run(_) => crate::logging::DAEMON_DEFAULT,
        }
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    crate::logging::init(cli.command.log_default());
    let code = match &cli.command {
        Command::InspectCert(args) => inspect_cert::run(args),
        Command::Status(args) => status::run(args),
        Command::Finess(args) => crate::finess::cli::run(args),
        Command::Run(args) => run::run(args),
        Command::Token(args) => token::run(args),
        Command::Open(args) => open::run(args),
        Command::Tray(args) => crate::tray::cli::run(args),
    };
    ExitCode::from(code)
}

/// Prints a one-line error on stderr.
pub fn print_error(message: &str) {
    let line = message.replace('\n', " ");
    let _ = writeln!(std::io::stderr(), "cpx-agent : {line}");
}

/// Prints a one-line error on stderr and returns `exit::USAGE`.
pub fn usage_error(message: &str) -> u8 {
    print_error(message);
    exit::USAGE
}

/// Loads the configuration (`--config`, else the default file if present), or prints why
/// not and gives the exit code.
pub fn load_config(explicit: Option<&Path>) -> Result<Config, u8> {
    Config::load(explicit).map_err(|e| usage_error(&e.to_string()))
}

/// Writes `value` as pretty JSON on stdout (a closed pipe is not an error worth reporting).
pub fn print_json<T: serde::Serialize>(value: &T) {
    let mut out = std::io::stdout().lock();
    if serde_json::to_writer_pretty(&mut out, value).is_ok() {
        let _ = writeln!(out);
    }
}

/// Writes text on stdout.
pub fn print_text(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
