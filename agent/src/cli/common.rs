//! What several subcommands share: the arguments every one of them spells the same way
//! (`--config`, `--json`, flattened into each `Args`) and the output helpers.

use std::io::Write;
use std::path::PathBuf;

use super::exit;
use crate::config::Config;
use crate::port_file::Locator;

/// `--config FILE`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ConfigArg {
    /// Fichier de configuration (défaut : $XDG_CONFIG_HOME/cpx-agent/config.toml) /
    /// configuration file.
    #[arg(long = "config", value_name = "FILE")]
    pub path: Option<PathBuf>,
}

impl ConfigArg {
    /// Loads the configuration (`--config`, else the default file if present), or prints why
    /// not and gives the exit code.
    pub fn load(&self) -> Result<Config, u8> {
        Config::load(self.path.as_deref()).map_err(|e| usage_error(&e.to_string()))
    }
}

/// `--json`.
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct JsonArg {
    /// Sortie JSON / JSON output.
    #[arg(long)]
    pub json: bool,
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

/// How to find this user's agent: `explicit` (`--listen`, `--agent`), else `[api] listen` of
/// the configuration, else the port file of the automatic rule (`port_file`). Prints why not
/// and gives the exit code.
pub fn locate_agent(
    config: &ConfigArg,
    explicit: Option<std::net::SocketAddr>,
) -> Result<Locator, u8> {
    let configured = match explicit {
        Some(addr) => Some(addr),
        None => config.load()?.api.listen,
    };
    Locator::new(configured).map_err(|e| {
        print_error(&e.to_string());
        exit::FINDINGS
    })
}

/// A kind of card as people name it (`--kind`, `--expect-kind`): CDE and CPE (and CDA and
/// CPA) are one kind on the card (nothing public tells them apart inside code 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KindArg {
    Cde,
    Cpe,
    Cps,
    Cpf,
    Cpa,
    Cda,
    /// Not a CPx card (Vitale, bank card…).
    Autre,
}

impl KindArg {
    /// The journal's kinds this stands for (`CDE/CPE`, `not_cpx`…).
    pub fn journal_kinds(self) -> &'static [&'static str] {
        match self {
            KindArg::Cde | KindArg::Cpe => &["CDE/CPE"],
            KindArg::Cps => &["CPS"],
            KindArg::Cpf => &["CPF"],
            KindArg::Cpa | KindArg::Cda => &["CDA/CPA"],
            KindArg::Autre => &["not_cpx", "unknown"],
        }
    }

    /// Whether a card read is of this kind.
    pub fn matches(self, report: &cpx_card::CardReport) -> bool {
        let kind = if report.family == cpx_card::CardFamily::NotCpx {
            "not_cpx".to_owned()
        } else {
            crate::model::label(&report.kind)
        };
        self.journal_kinds().contains(&kind.as_str())
    }
}
