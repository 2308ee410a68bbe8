//! `cpx-agent roster check FILE.csv [--json | --csv]`: the list of people an organisation
//! collects before registering them, each assessed (who needs RPPS+). Bad lines are listed
//! with their number and why. Nothing is stored: the output goes where the user sends it.
//! Exit: 0 every line read; 1 some lines could not be read; 2 the file cannot be checked.

use std::path::PathBuf;

use super::common::{print_json, print_text, usage_error};
use super::exit;
use crate::eligibility::roster::{check, decode, RosterReport};
use crate::text::eligibility as texte;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Vérifie une liste (CSV : nom, profession, donnees_sante, mss, rpps) / check a list.
    Check {
        file: PathBuf,
        /// Sortie JSON.
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Sortie CSV (la liste et la réponse pour chacun).
        #[arg(long)]
        csv: bool,
    },
}

pub fn run(args: &Args) -> u8 {
    let Action::Check { file, json, csv } = &args.action;
    let shown = file.display().to_string();
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => return usage_error(&texte::roster_unreadable(&shown, &e.to_string())),
    };
    let report = match check(&decode(&bytes)) {
        Ok(r) => r,
        Err(e) => return usage_error(&e.to_string()),
    };
    if *json {
        print_json(&report);
    } else if *csv {
        print_text(&as_csv(&report));
    } else {
        print_text(&as_text(&report));
    }
    if report.bad_lines.is_empty() {
        exit::OK
    } else {
        exit::FINDINGS
    }
}

fn as_text(r: &RosterReport) -> String {
    let mut out = String::new();
    for p in &r.people {
        out.push_str(&texte::person_line(
            p.line,
            &p.name,
            &p.profession,
            texte::verdict(p.answer.verdict),
        ));
        out.push('\n');
        for reason in &p.answer.reasons {
            out.push_str(&format!("    {reason}\n"));
        }
    }
    for b in &r.bad_lines {
        out.push_str(&texte::bad_line(b.line, &b.reason));
        out.push('\n');
    }
    out.push_str(&texte::roster_summary(
        r.eligible,
        r.not_eligible,
        r.to_check,
        r.bad_lines.len(),
    ));
    out.push('\n');
    out
}

fn as_csv(r: &RosterReport) -> String {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let _ = writer.write_record([
        "ligne",
        "nom",
        "profession",
        "eligible",
        "verdict",
        "raisons",
    ]);
    for p in &r.people {
        let _ = writer.write_record([
            p.line.to_string(),
            p.name.clone(),
            p.profession.clone(),
            if p.answer.eligible { "oui" } else { "non" }.to_string(),
            texte::verdict(p.answer.verdict).to_string(),
            p.answer.reasons.join(" "),
        ]);
    }
    for b in &r.bad_lines {
        let _ = writer.write_record([
            b.line.to_string(),
            String::new(),
            String::new(),
            String::new(),
            "illisible".to_string(),
            b.reason.clone(),
        ]);
    }
    writer
        .into_inner()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}
