//! `cpx-agent status [--json] [--config FILE]`: every PC/SC reader, its card if any, the card
//! report and the judge's verdict. JSON = `StatusSnapshot`.
//!
//! Exit: 0 when at least one CPx card is present and every CPx card present is `ready`;
//! 1 otherwise (no card, a card not ready or unreadable); 2 usage or configuration error;
//! 3 PC/SC unavailable (with the per-OS remedy on stderr).

use cpx_card::CardFamily;
use time::OffsetDateTime;

use super::common::{print_error, print_json, print_text, ConfigArg, JsonArg};
use super::exit;
use crate::model::status::StatusSnapshot;
use crate::model::verdict::Status;
use crate::platform;
use crate::reading::{Pipeline, ServiceUnavailable};
use crate::state::card_id::CardIds;
use crate::text::human;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub output: JsonArg,
    #[command(flatten)]
    pub config: ConfigArg,
}

pub fn run(args: &Args) -> u8 {
    let config = match args.config.load() {
        Ok(c) => c,
        Err(code) => return code,
    };
    match Pipeline::new(config.clone()).snapshot(OffsetDateTime::now_utc()) {
        Ok(mut snap) => {
            // Opaque ids, as in the agent's API (per run: this command).
            let ids = CardIds::new();
            for card in snap.readers.iter_mut().filter_map(|r| r.card.as_mut()) {
                card.card_id = ids.of(&card.report);
            }
            record(&config, &snap);
            if args.output.json {
                print_json(&snap);
            } else {
                // No USB diagnosis where the platform has none yet: the readers list says it all.
                let usb = if snap.readers.is_empty() {
                    platform::usb_readers().unwrap_or_default()
                } else {
                    Vec::new()
                };
                print_text(&human::snapshot(&snap, &usb));
            }
            exit_code(&snap)
        }
        Err(e) => {
            if args.output.json {
                print_json(&ServiceUnavailable::snapshot());
            }
            print_error(&e.to_string());
            exit::PCSC_UNAVAILABLE
        }
    }
}

/// Writes the cards seen to the journal (one transaction each); a journal that cannot be
/// written is said on stderr once, and changes nothing else.
fn record(config: &crate::config::Config, snap: &StatusSnapshot) {
    use crate::journal::{self, Journal, Sighting};
    let cards: Vec<_> = snap
        .readers
        .iter()
        .filter_map(|r| r.card.as_ref().map(|c| (r, c)))
        .collect();
    if cards.is_empty() {
        return;
    }
    let journal = journal::path(config)
        .ok_or_else(crate::text::bench::journal_no_path)
        .and_then(|p| Journal::open(&p).map_err(|e| e.to_string()));
    let journal = match journal {
        Ok(j) => j,
        Err(e) => return print_error(&e),
    };
    let directory = crate::judge::directory::directory_path(config);
    let at = journal::timestamp(OffsetDateTime::now_utc());
    for (reader, card) in cards {
        let sighting = Sighting {
            reader: reader.name.clone(),
            card: card.clone(),
            insertion: true,
            batch: None,
        };
        let role = journal::writer::structure_role(directory.as_deref(), &sighting);
        if let Err(e) = journal.record_card(&sighting, role, &at) {
            return print_error(&e.to_string());
        }
    }
}

/// 0 when at least one CPx card is present and all CPx cards present are ready, else 1.
pub fn exit_code(snap: &StatusSnapshot) -> u8 {
    let mut cpx_cards = 0usize;
    for reader in &snap.readers {
        if reader.read_error.is_some() {
            return exit::FINDINGS;
        }
        if let Some(card) = &reader.card {
            if card.report.family == CardFamily::NotCpx {
                continue;
            }
            cpx_cards += 1;
            if card.verdict.status != Status::Ready {
                return exit::FINDINGS;
            }
        }
    }
    if cpx_cards == 0 {
        exit::FINDINGS
    } else {
        exit::OK
    }
}

#[cfg(test)]
mod tests;
