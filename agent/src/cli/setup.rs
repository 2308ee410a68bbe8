//! `cpx-agent setup`: the RPPS+ contract set without editing TOML. In a terminal it asks
//! (mode, EJ, EGs), looking each number up in the FINESS directory as it goes; with flags it
//! asks nothing. The file is validated as at start, written atomically keeping comments, and
//! the running agent applies it at once (`POST /v1/config/reload`).
//!
//! ```text
//! cpx-agent setup [--config FILE] [--mode centralised|decentralised --ej N [--eg N]…] [--yes]
//! ```
//! Exit: 0 written; 1 written but the running agent could not apply it; 2 refused (nothing
//! written).

use std::io::{BufRead, IsTerminal, Write};

use super::agent_client::{call, error_message, Reply};
use super::common::{print_error, print_text, usage_error, ConfigArg};
use super::exit;
use crate::config::Config;
use crate::model::setup::{FinessLookup, SetupRequest};
use crate::setup::{describe, lookup, lookup_request, open_directory, target_path, write, Role};
use crate::text::setup as texte;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub config: ConfigArg,
    /// centralised (recommandé par l'ANS) ou decentralised.
    #[arg(long)]
    pub mode: Option<String>,
    /// FINESS de l'entité juridique / the legal entity's FINESS.
    #[arg(long, value_name = "FINESS")]
    pub ej: Option<String>,
    /// FINESS d'un EG concerné (répéter) / a site's FINESS (repeat).
    #[arg(long = "eg", value_name = "FINESS")]
    pub egs: Vec<String>,
    /// Écrit sans demander de confirmation / write without asking.
    #[arg(long)]
    pub yes: bool,
}

pub fn run(args: &Args) -> u8 {
    // A broken file can still be repaired by setup: start from no configuration then.
    let config = match args.config.path.as_deref() {
        Some(path) if path.exists() => Config::load_file(path).unwrap_or_default(),
        Some(_) => Config::default(),
        None => Config::load(None).unwrap_or_default(),
    };
    let path = match target_path(args.config.path.as_deref(), &config) {
        Ok(p) => p,
        Err(e) => return usage_error(&e.to_string()),
    };
    let directory = open_directory(&config);
    let request = if let (Some(mode), Some(ej)) = (&args.mode, &args.ej) {
        let request = SetupRequest {
            mode: mode.clone(),
            ej: ej.clone(),
            egs: args.egs.clone(),
        };
        let mut out = String::new();
        for l in lookup_request(directory.as_ref(), &request) {
            out.push_str(&show_lookup(&l));
        }
        print_text(&out);
        request
    } else {
        if !std::io::stdin().is_terminal() {
            return usage_error(texte::NOT_A_TERMINAL);
        }
        match ask(directory.as_ref(), args) {
            Some(r) => r,
            None => {
                print_text(&format!("{}\n", texte::CANCELLED));
                return exit::USAGE;
            }
        }
    };
    let config = match write(&path, &request) {
        Ok(c) => c,
        Err(e) => return usage_error(&e.to_string()),
    };
    print_text(&format!(
        "{}\n",
        texte::written(
            &path.display().to_string(),
            &describe(config.contract.as_ref())
        )
    ));
    match call(config.api.listen, "POST", "/v1/config/reload", None) {
        Reply::Answer(200, _) => {
            print_text(&format!("{}\n", texte::APPLIED));
            exit::OK
        }
        Reply::NotRunning => {
            print_text(&format!("{}\n", texte::AGENT_NOT_RUNNING));
            exit::OK
        }
        Reply::Answer(status, body) => {
            print_error(&texte::agent_refused(&error_message(status, &body)));
            exit::FINDINGS
        }
        Reply::Failed(detail) => {
            print_error(&texte::agent_refused(&detail));
            exit::FINDINGS
        }
    }
}

fn show_lookup(l: &FinessLookup) -> String {
    let mut out = format!("{}\n", l.finess);
    if l.found {
        out.push_str(&texte::found(l.kind.as_deref(), l.name.as_deref()));
        out.push('\n');
        if let Some(ej) = &l.ej {
            out.push_str(&texte::eg_of(ej, l.ej_name.as_deref()));
            out.push('\n');
        }
    }
    for n in &l.notes {
        out.push_str(&texte::note(n));
        out.push('\n');
    }
    out
}

fn prompt(lines: &mut impl Iterator<Item = String>, question: &str) -> Option<String> {
    print!("{question}");
    let _ = std::io::stdout().flush();
    lines.next().map(|l| l.trim().to_string())
}

/// The terminal dialogue; `None` when the person gives up (end of input, or "non").
fn ask(directory: Option<&crate::finess::Directory>, args: &Args) -> Option<SetupRequest> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines().map_while(Result::ok);
    let mode = match &args.mode {
        Some(m) => m.clone(),
        None => loop {
            let answer = prompt(&mut lines, texte::ASK_MODE)?.to_lowercase();
            match answer.chars().next() {
                Some('c') => break "centralised".to_string(),
                Some('d') => break "decentralised".to_string(),
                _ => println!("{}", texte::BAD_MODE),
            }
        },
    };
    let ej = match &args.ej {
        Some(ej) => ej.clone(),
        None => loop {
            let answer = prompt(&mut lines, texte::ASK_EJ)?;
            let l = lookup(directory, &answer, Role::Ej, None);
            print!("{}", show_lookup(&l));
            if l.valid {
                break answer;
            }
        },
    };
    let mut egs = args.egs.clone();
    if egs.is_empty() {
        loop {
            let answer = prompt(&mut lines, texte::ASK_EG)?;
            if answer.is_empty() {
                break;
            }
            let l = lookup(directory, &answer, Role::Eg, Some(&ej));
            print!("{}", show_lookup(&l));
            if l.valid {
                egs.push(answer);
            }
        }
    }
    let request = SetupRequest { mode, ej, egs };
    if !args.yes {
        let answer = prompt(&mut lines, texte::ASK_CONFIRM)?.to_lowercase();
        if !answer.starts_with('o') && !answer.starts_with('y') {
            return None;
        }
    }
    Some(request)
}
