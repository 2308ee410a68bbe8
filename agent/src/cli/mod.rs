//! The command line (clap): the edge of the binary. One module per subcommand, each with its
//! `Args` and a `run(&Args) -> u8` returning the exit code (`exit`, defined once); arguments
//! several subcommands take are in `common` and flattened. `run` is the composition root of
//! the daemon. To add a subcommand: its module here, a variant in `Command`, its arm in
//! `Command::run` and `Command::log_default`.
//!
//! Exit codes, the same for every subcommand: 0 all good, 1 something to look at (findings,
//! no card…), 2 usage or configuration error, 3 PC/SC unavailable, 4 port taken (`run`).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod agent_client;
pub mod assets;
pub mod checklist;
pub mod common;
pub mod doctor;
pub mod eligible;
pub mod exit;
pub mod finess;
pub mod inspect_cert;
pub mod journal;
pub mod open;
pub mod port;
pub mod roster;
pub mod run;
pub mod setup;
pub mod status;
pub mod token;
pub mod tray;
pub mod validate;

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
    Finess(finess::Args),
    /// Surveille les lecteurs et sert l'API locale / watch readers, serve the local API.
    Run(run::Args),
    /// Affiche le jeton de l'API locale / print the local API token.
    Token(token::Args),
    /// Ouvre la page d'état avec les noms des porteurs (lien à usage unique) / open the
    /// status page in a session that shows holder names.
    Open(open::Args),
    /// Affiche le port de l'agent de cet utilisateur / print this user's agent's port.
    Port(port::Args),
    /// Icône de la zone de notification (StatusNotifierItem) / tray icon over the agent's state.
    Tray(tray::Args),
    /// La démarche RPPS+ pas à pas : où en est l'organisation, cocher une étape / the RPPS+
    /// démarche, step by step.
    Checklist(checklist::Args),
    /// Écrit le contrat RPPS+ dans la configuration (questions ou options) / set the contract.
    Setup(setup::Args),
    /// Cette personne a-t-elle besoin de RPPS+ ? / does this person need RPPS+?
    Eligible(eligible::Args),
    /// Vérifie une liste de personnes à enregistrer / check a list of people to register.
    Roster(roster::Args),
    /// Man pages and shell completions from these definitions (for the package).
    #[command(name = "__generate-assets", hide = true)]
    GenerateAssets(assets::Args),
    /// Journal des cartes et lecteurs vus / the cards and readers seen.
    Journal(journal::Args),
    /// Vérifie un lot de cartes insérées une à une / check a batch of cards, one after another.
    Validate(validate::Args),
    /// Rapport de diagnostic pour le support / the support report.
    Doctor(doctor::Args),
}

impl Command {
    /// Log level when `CPX_LOG`/`RUST_LOG` are unset.
    fn log_default(&self) -> &'static str {
        match self {
            Command::Run(_) => crate::logging::DAEMON_DEFAULT,
            _ => crate::logging::CLI_DEFAULT,
        }
    }

    fn run(&self) -> u8 {
        match self {
            Command::InspectCert(args) => inspect_cert::run(args),
            Command::Status(args) => status::run(args),
            Command::Finess(args) => finess::run(args),
            Command::Run(args) => run::run(args),
            Command::Token(args) => token::run(args),
            Command::Open(args) => open::run(args),
            Command::Port(args) => port::run(args),
            Command::Tray(args) => tray::run(args),
            Command::Checklist(args) => checklist::run(args),
            Command::Setup(args) => setup::run(args),
            Command::Eligible(args) => eligible::run(args),
            Command::Roster(args) => roster::run(args),
            Command::GenerateAssets(args) => assets::run(args),
            Command::Journal(args) => journal::run(args),
            Command::Validate(args) => validate::run(args),
            Command::Doctor(args) => doctor::run(args),
        }
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    crate::logging::init(cli.command.log_default());
    ExitCode::from(cli.command.run())
}
