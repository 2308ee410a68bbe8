//! `cpx-agent journal [--since DATE] [--kind K] [--json | --csv]`: the cards (and readers) this
//! workstation has seen, most recent first; `cpx-agent journal purge --before DATE` forgets
//! the older ones. The journal is the user's own file: its holder names are printed here (the
//! API gives them only with the token). Exit: 0; 2 usage error or journal unavailable.

use std::fmt::Write;

use super::common::{print_error, print_json, print_text, usage_error, ConfigArg, KindArg};
use super::exit;
use crate::journal::{self, CardEntry, Journal, JournalListing, ListFilter};
use crate::text::bench as msg;

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,
    /// Cartes vues depuis cette date (AAAA-MM-JJ) / cards seen since DATE.
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Seulement ces types de carte / only these kinds.
    #[arg(long, value_enum)]
    pub kind: Vec<KindArg>,
    /// Sortie JSON / JSON output.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Sortie CSV (tableur) / CSV output.
    #[arg(long)]
    pub csv: bool,
    #[command(flatten)]
    pub config: ConfigArg,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Oublie ce qui n'a pas été vu depuis DATE / forget what was last seen before DATE.
    Purge {
        /// AAAA-MM-JJ
        #[arg(long, value_name = "DATE")]
        before: String,
        #[command(flatten)]
        config: ConfigArg,
    },
}

pub fn run(args: &Args) -> u8 {
    if let Some(Action::Purge { before, config }) = &args.action {
        return purge(before, config);
    }
    let config = match args.config.load() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let since = match &args.since {
        None => None,
        Some(text) => match journal::day_start(text) {
            Some(s) => Some(s),
            None => return usage_error(&msg::bad_date(text)),
        },
    };
    let filter = ListFilter {
        since,
        kinds: args
            .kind
            .iter()
            .flat_map(|k| k.journal_kinds().iter().map(|s| (*s).to_owned()))
            .collect(),
        limit: None,
    };
    let Some(path) = journal::path(&config) else {
        return usage_error(&msg::journal_no_path());
    };
    let listing = match Journal::open_existing(&path) {
        Ok(None) => JournalListing {
            cards: Vec::new(),
            readers: Vec::new(),
        },
        Ok(Some(j)) => match (j.cards(&filter), j.readers()) {
            (Ok(cards), Ok(readers)) => JournalListing { cards, readers },
            (Err(e), _) | (_, Err(e)) => return usage_error(&e.to_string()),
        },
        Err(e) => return usage_error(&e.to_string()),
    };
    if args.json {
        print_json(&listing);
    } else if args.csv {
        match csv(&listing.cards) {
            Ok(text) => print_text(&text),
            Err(e) => return usage_error(&e),
        }
    } else {
        print_text(&human(&listing));
    }
    exit::OK
}

fn purge(before: &str, config: &ConfigArg) -> u8 {
    let config = match config.load() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let Some(limit) = journal::day_start(before) else {
        return usage_error(&msg::bad_date(before));
    };
    let Some(path) = journal::path(&config) else {
        return usage_error(&msg::journal_no_path());
    };
    match Journal::open_existing(&path) {
        Ok(None) => {
            print_text(&format!("{}\n", msg::journal_purged(0, 0, before)));
            exit::OK
        }
        Ok(Some(j)) => match j.purge(&limit) {
            Ok(p) => {
                print_text(&format!(
                    "{}\n",
                    msg::journal_purged(p.cards, p.readers, before)
                ));
                exit::OK
            }
            Err(e) => {
                print_error(&e.to_string());
                exit::USAGE
            }
        },
        Err(e) => usage_error(&e.to_string()),
    }
}

/// The CSV: one line per card, the columns of the JSON (codes space-separated).
pub fn csv(cards: &[CardEntry]) -> Result<String, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "card_number",
        "chip_serial",
        "kind",
        "family",
        "structure_finess",
        "structure_id",
        "structure_role",
        "structure_name",
        "not_after",
        "pin_tries_left",
        "trust",
        "verdict",
        "codes",
        "reader",
        "first_seen",
        "last_seen",
        "times_seen",
        "holder_surname",
        "holder_given_name",
        "holder_id",
        "batch",
        "batch_ok",
    ];
    w.write_record(header).map_err(|e| e.to_string())?;
    for c in cards {
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        let holder = c.holder.clone();
        let h = |f: fn(&journal::JournalHolder) -> &Option<String>| {
            holder
                .as_ref()
                .and_then(|h| f(h).clone())
                .unwrap_or_default()
        };
        w.write_record([
            o(&c.card_number),
            o(&c.chip_serial),
            c.kind.clone(),
            c.family.clone(),
            o(&c.structure_finess),
            o(&c.structure_id),
            o(&c.structure_role),
            o(&c.structure_name),
            o(&c.not_after),
            c.pin_tries_left.map(|n| n.to_string()).unwrap_or_default(),
            o(&c.trust),
            c.verdict.clone(),
            c.codes.join(" "),
            c.reader.clone(),
            c.first_seen.clone(),
            c.last_seen.clone(),
            c.times_seen.to_string(),
            h(|h| &h.surname),
            h(|h| &h.given_name),
            h(|h| &h.id),
            o(&c.batch),
            c.batch_ok.map(|b| b.to_string()).unwrap_or_default(),
        ])
        .map_err(|e| e.to_string())?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// One card of the journal, one line (`journal`, `doctor`).
pub fn card_line(c: &CardEntry) -> String {
    let mut line = format!("{}  {}", c.last_seen, c.kind);
    if let Some(n) = &c.card_number {
        let _ = write!(line, " n° {n}");
    }
    if let Some(f) = c.structure_finess.as_ref().or(c.structure_id.as_ref()) {
        let _ = write!(line, ", structure {f}");
        if let Some(role) = &c.structure_role {
            let _ = write!(line, " ({role})");
        }
    }
    if let Some(name) = &c.structure_name {
        let _ = write!(line, " {name}");
    }
    if let Some(na) = &c.not_after {
        let _ = write!(line, ", expire le {}", na.get(..10).unwrap_or(na));
    }
    let _ = write!(line, " — {}", c.verdict);
    if !c.codes.is_empty() {
        let _ = write!(line, " [{}]", c.codes.join(", "));
    }
    line
}

fn human(listing: &JournalListing) -> String {
    let mut out = String::new();
    if listing.cards.is_empty() {
        let _ = writeln!(out, "{}", msg::journal_empty());
    } else {
        let _ = writeln!(out, "{} ({}) :", msg::JOURNAL_CARDS, listing.cards.len());
        for c in &listing.cards {
            let _ = writeln!(out, "  {}", card_line(c));
            let mut who = format!("lecteur « {} », ", c.reader);
            who.push_str(&msg::seen(&c.first_seen, &c.last_seen, c.times_seen));
            if let Some(h) = &c.holder {
                let name: Vec<&str> = [h.given_name.as_deref(), h.surname.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect();
                if !name.is_empty() {
                    let _ = write!(who, ", porteur {}", name.join(" "));
                }
            }
            if let Some(b) = &c.batch {
                let _ = write!(who, ", lot {b}");
            }
            let _ = writeln!(out, "    {who}");
        }
    }
    if !listing.readers.is_empty() {
        let _ = writeln!(
            out,
            "\n{} ({}) :",
            msg::JOURNAL_READERS,
            listing.readers.len()
        );
        for r in &listing.readers {
            let model = r.model.as_deref().unwrap_or(msg::MODEL_UNKNOWN);
            let _ = writeln!(
                out,
                "  « {} » — {model}, vu du {} au {}",
                r.name, r.first_seen, r.last_seen
            );
        }
    }
    out
}
