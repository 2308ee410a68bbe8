//! `cpx-agent checklist`: where the organisation's RPPS+ démarche stands, step by step, and
//! ticking the steps the agent cannot see. Through the running agent when there is one (it
//! has the live state, and its faces show a tick at once), else from the store directly.
//!
//! ```text
//! cpx-agent checklist [--json]                       exit 0: every counted step done; 1: not yet
//! cpx-agent checklist tick ID [--eg N] [--note …] [--date AAAA-MM-JJ] [--not-applicable]
//! cpx-agent checklist untick ID [--eg N] [--note …]
//! cpx-agent checklist history [--json]
//! cpx-agent checklist export FILE | import FILE
//! ```

use std::path::PathBuf;

use time::OffsetDateTime;

use super::agent_client::{call, error_message, Reply};
use super::common::{print_error, print_json, print_text, usage_error, ConfigArg};
use super::exit;
use crate::checklist::store::Store;
use crate::checklist::{evaluate_now, export, tick, timestamp};
use crate::config::Config;
use crate::model::checklist::{Checklist, Source, StepState, TickRequest};
use crate::text::checklist as texte;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,
    /// Fichier de configuration (défaut : $XDG_CONFIG_HOME/cpx-agent/config.toml) /
    /// configuration file.
    #[arg(long = "config", value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// Sortie JSON / JSON output.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Coche une étape / tick a step.
    Tick(TickArgs),
    /// Décoche une étape / untick a step.
    Untick(TickArgs),
    /// Qui a coché quoi, quand / who ticked what, when.
    History,
    /// Exporte la démarche (JSON) / export the démarche.
    Export { file: PathBuf },
    /// Importe (fusionne) une démarche exportée / merge an exported démarche.
    Import { file: PathBuf },
}

#[derive(Debug, clap::Args)]
pub struct TickArgs {
    /// L'étape (finess_data, contract_sent, cde_received…) / the step id.
    pub id: String,
    /// L'EG (contrat décentralisé) / the EG (decentralised contract).
    #[arg(long, value_name = "FINESS")]
    pub eg: Option<String>,
    /// Une note (ce qui a été envoyé, où est la copie…) / a note.
    #[arg(long)]
    pub note: Option<String>,
    /// Le jour où c'était fait (défaut : aujourd'hui) / the day it was done.
    #[arg(long, value_name = "AAAA-MM-JJ")]
    pub date: Option<String>,
    /// Marque l'étape « sans objet » (étape facultative) / mark the step not applicable.
    #[arg(long)]
    pub not_applicable: bool,
}

pub fn run(args: &Args) -> u8 {
    let config = match (ConfigArg {
        path: args.config.clone(),
    })
    .load()
    {
        Ok(c) => c,
        Err(code) => return code,
    };
    match &args.action {
        None => show(&config, args.json),
        Some(Action::Tick(t)) => set(&config, t, true),
        Some(Action::Untick(t)) => set(&config, t, false),
        Some(Action::History) => history(args.json),
        Some(Action::Export { file }) => export_to(file),
        Some(Action::Import { file }) => import_from(&config, file),
    }
}

fn open_store() -> Result<Store, u8> {
    Store::open_default().map_err(|e| {
        print_error(&e.to_string());
        exit::FINDINGS
    })
}

/// The checklist from the running agent, or evaluated here.
fn current(config: &Config) -> Result<Checklist, u8> {
    if let Reply::Answer(200, body) = call(config.api.listen, "GET", "/v1/checklist", None) {
        if let Ok(checklist) = serde_json::from_str(&body) {
            return Ok(checklist);
        }
    }
    let store = open_store()?;
    evaluate_now(config, &store, None, OffsetDateTime::now_utc()).map_err(|e| {
        print_error(&e.to_string());
        exit::FINDINGS
    })
}

fn show(config: &Config, json: bool) -> u8 {
    let checklist = match current(config) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if json {
        print_json(&checklist);
    } else {
        print_text(&render(&checklist));
    }
    if checklist.summary.done == checklist.summary.total {
        exit::OK
    } else {
        exit::FINDINGS
    }
}

/// The checklist as text.
pub fn render(c: &Checklist) -> String {
    let mut out = String::new();
    let progress = texte::progress(c.summary.done, c.summary.total);
    out.push_str(&texte::heading(&progress));
    out.push('\n');
    match &c.summary.next {
        Some(next) => out.push_str(&texte::next_step(&next.title)),
        None => out.push_str(texte::ALL_DONE),
    }
    out.push_str("\n\n");
    for step in &c.steps {
        let mut line = format!("{} {}", texte::state_mark(step.state), step.title);
        let provenance = match step.source {
            Some(Source::Agent) if step.state == StepState::Done => {
                Some(texte::by_agent(step.at.as_deref()))
            }
            Some(Source::Person) => Some(texte::by_person(step.at.as_deref(), step.by.as_deref())),
            _ => None,
        };
        match provenance {
            Some(p) => line.push_str(&format!(" — {} ({p})", texte::state_label(step.state))),
            None => line.push_str(&format!(" — {}", texte::state_label(step.state))),
        }
        out.push_str(&line);
        out.push('\n');
        for text in [&step.detail, &step.note, &step.hint].into_iter().flatten() {
            out.push_str(&format!("    {text}\n"));
        }
        for f in &step.findings {
            out.push_str(&format!("    - {}\n", f.message));
            if !f.remedy.is_empty() {
                out.push_str(&format!("      {}{}\n", texte::REMEDY, f.remedy));
            }
        }
        if matches!(
            step.state,
            StepState::Todo | StepState::Attention | StepState::Optional
        ) {
            out.push_str(&format!("    {}{}\n", texte::REMEDY, step.what_to_do));
        }
    }
    out
}

fn set(config: &Config, args: &TickArgs, done: bool) -> u8 {
    let request = TickRequest {
        done,
        note: args.note.clone(),
        date: args.date.clone(),
        eg: args.eg.clone(),
        not_applicable: args.not_applicable,
    };
    let now = OffsetDateTime::now_utc();
    // Checked here first: a wrong request is refused the same way with or without an agent.
    let entry = match tick::entry(
        &args.id,
        &request,
        config.contract.as_ref(),
        &tick::os_user(),
        "cli",
        now,
    ) {
        Ok(e) => e,
        Err(e) => return usage_error(&e.to_string()),
    };
    let title = texte::title(
        crate::model::checklist::StepId::parse(&entry.step)
            .unwrap_or(crate::model::checklist::StepId::Roles),
        entry.eg.as_deref(),
    );
    let said = if done {
        texte::ticked(&title)
    } else {
        texte::unticked(&title)
    };
    let path = format!("/v1/checklist/{}", entry.step);
    let body = serde_json::to_value(&request).unwrap_or_default();
    let after = match call(config.api.listen, "POST", &path, Some(&body)) {
        Reply::Answer(200, _) => texte::APPLIED.to_string(),
        Reply::Answer(status @ 400, body) => {
            return usage_error(&error_message(status, &body));
        }
        reply => {
            let mut store = match open_store() {
                Ok(s) => s,
                Err(code) => return code,
            };
            if let Err(e) = store.record(&entry) {
                print_error(&e.to_string());
                return exit::FINDINGS;
            }
            match reply {
                Reply::NotRunning => texte::AGENT_NOT_RUNNING.to_string(),
                Reply::Answer(status, body) => texte::agent_not_told(&error_message(status, &body)),
                Reply::Failed(detail) => texte::agent_not_told(&detail),
            }
        }
    };
    print_text(&format!("{said} {after}\n"));
    exit::OK
}

fn history(json: bool) -> u8 {
    let store = match open_store() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let history = match store.history() {
        Ok(h) => h,
        Err(e) => {
            print_error(&e.to_string());
            return exit::FINDINGS;
        }
    };
    if json {
        print_json(&history);
        return exit::OK;
    }
    let mut out = String::new();
    for e in &history {
        let eg =
            e.eg.as_deref()
                .map(|g| format!(" (EG {g})"))
                .unwrap_or_default();
        let note = e
            .note
            .as_deref()
            .map(|n| format!(" — {n}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "{} {} {}{eg} par {} [{}] jour {}{note}\n",
            e.at,
            e.action,
            e.step,
            e.by,
            e.origin,
            e.date.as_deref().unwrap_or("?")
        ));
    }
    print_text(&out);
    exit::OK
}

fn export_to(file: &std::path::Path) -> u8 {
    let store = match open_store() {
        Ok(s) => s,
        Err(code) => return code,
    };
    match export::export(&store, file, &timestamp(OffsetDateTime::now_utc())) {
        Ok((ticks, history)) => {
            print_text(&format!(
                "{}\n",
                texte::exported(&file.display().to_string(), ticks, history)
            ));
            exit::OK
        }
        Err(e) => {
            print_error(&e);
            exit::FINDINGS
        }
    }
}

fn import_from(config: &Config, file: &std::path::Path) -> u8 {
    let mut store = match open_store() {
        Ok(s) => s,
        Err(code) => return code,
    };
    match export::import(&mut store, file) {
        Ok((added, ticks)) => {
            let after = match call(config.api.listen, "POST", "/v1/config/reload", None) {
                Reply::Answer(200, _) => texte::APPLIED.to_string(),
                Reply::NotRunning => texte::AGENT_NOT_RUNNING.to_string(),
                Reply::Answer(status, body) => texte::agent_not_told(&error_message(status, &body)),
                Reply::Failed(detail) => texte::agent_not_told(&detail),
            };
            print_text(&format!(
                "{} {after}\n",
                texte::imported(&file.display().to_string(), added, ticks)
            ));
            exit::OK
        }
        Err(e) => usage_error(&e),
    }
}
