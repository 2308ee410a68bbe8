//! `cpx-agent validate [--expect-kind K] [--expect-finess N] [--count N] [--json]`: the
//! technician's batch. Cards are inserted one after the other (in any reader); each is read and
//! judged at once through the one reading pipeline (shared mode, never a reset: an agent may be
//! running on the desk, it keeps its own view) and gets one line: ✓/✗, kind, card number,
//! structure, expiry, verdict, the first reason; `--json`: one object per card. A card taken
//! out and put back is counted once (by its card number). The batch ends after `--count`
//! cards or on Ctrl-C with a summary; each result goes to the journal with the batch id.
//!
//! Watching: one PC/SC context blocked in `SCardGetStatusChange` on every reader plus the PnP
//! pseudo-reader (as the daemon's monitor), woken every 250 ms to see Ctrl-C; a card's event
//! counter tells a card pulled and re-inserted between two wake-ups.
//!
//! A card is good (✓) when its verdict is not `not_ready` and it is what was expected.
//! Exit: 0 when at least one card was checked and every one was good; 1 otherwise; 2 usage or
//! configuration error; 3 PC/SC unavailable.

use std::collections::{HashMap, HashSet};
use std::ffi::CString;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use cpx_card::{CardFamily, StructureIdType};
use pcsc::{Context, Error, ReaderState, Scope, State, PNP_NOTIFICATION};
use serde::Serialize;
use time::OffsetDateTime;

use super::common::{print_error, usage_error, ConfigArg, JsonArg, KindArg};
use super::exit;
use crate::config::Config;
use crate::journal::{self, Journal, Sighting};
use crate::model::status::{CardView, ReadFailureCode};
use crate::model::verdict::{Severity, Status};
use crate::reading::{classify, Pipeline};
use crate::text::bench as msg;

/// How often the wait for a card is interrupted to see Ctrl-C.
const WAKE_EVERY: Duration = Duration::from_millis(250);

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Type de carte attendu / expected card kind.
    #[arg(long, value_enum, value_name = "KIND")]
    pub expect_kind: Option<KindArg>,
    /// FINESS de structure attendu / expected structure FINESS.
    #[arg(long, value_name = "FINESS")]
    pub expect_finess: Option<String>,
    /// S'arrête après N cartes / stop after N cards.
    #[arg(long, value_name = "N")]
    pub count: Option<usize>,
    #[command(flatten)]
    pub output: JsonArg,
    #[command(flatten)]
    pub config: ConfigArg,
}

/// One card of the batch (`--json`: one object per line).
#[derive(Debug, Clone, Serialize)]
pub struct CardResult {
    pub ok: bool,
    pub card_number: Option<String>,
    pub kind: String,
    pub family: String,
    pub structure_finess: Option<String>,
    pub structure_name: Option<String>,
    pub not_after: Option<String>,
    pub verdict: Status,
    pub codes: Vec<String>,
    /// The first reason (French), when there is one.
    pub reason: Option<String>,
    pub reader: String,
    pub batch: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_kind_ok: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_finess_ok: Option<bool>,
}

pub fn run(args: &Args) -> u8 {
    let config = match args.config.load() {
        Ok(c) => c,
        Err(code) => return code,
    };
    if let Some(f) = &args.expect_finess {
        if cpx_card::Finess::parse(f).is_err() {
            return usage_error(&msg::expect_finess_invalid(f));
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        if let Err(e) = signal_hook::flag::register(signal, stop.clone()) {
            print_error(&e.to_string());
            return exit::START_FAILED;
        }
    }
    let mut batch = Batch::new(args, config);
    let ctx = match Context::establish(Scope::User) {
        Ok(ctx) => ctx,
        Err(e) => {
            print_error(&crate::text::pcsc::service_unavailable(&e.to_string()));
            return exit::PCSC_UNAVAILABLE;
        }
    };
    say(&msg::validate_start(&batch.id, args.count));
    let ended = watch(&ctx, &mut batch, &stop);
    batch.summary();
    match ended {
        Err(e) => {
            print_error(&crate::text::pcsc::service_unavailable(&e.to_string()));
            exit::PCSC_UNAVAILABLE
        }
        Ok(()) if !batch.results.is_empty() && batch.results.iter().all(|r| r.ok) => exit::OK,
        Ok(()) => exit::FINDINGS,
    }
}

/// Prompts and notices: on stderr, so `--json` keeps stdout to the cards.
fn say(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

#[derive(Debug, Clone, Copy, Default)]
struct Track {
    present: bool,
    count: u32,
}

fn watch(ctx: &Context, batch: &mut Batch, stop: &AtomicBool) -> Result<(), Error> {
    let mut states = vec![ReaderState::new(PNP_NOTIFICATION(), State::UNAWARE)];
    let mut tracks: HashMap<CString, Track> = HashMap::new();
    while !stop.load(Ordering::SeqCst) && !batch.complete() {
        let listed = match ctx.list_readers_owned() {
            Ok(names) => names,
            Err(Error::NoReadersAvailable) => Vec::new(),
            Err(e) if classify(e) == ReadFailureCode::ServiceUnavailable => return Err(e),
            Err(_) => states.iter().skip(1).map(|s| s.name().to_owned()).collect(),
        };
        states.retain(|s| {
            s.name() == PNP_NOTIFICATION() || listed.iter().any(|n| n.as_c_str() == s.name())
        });
        tracks.retain(|name, _| listed.contains(name));
        for name in listed {
            if !states.iter().any(|s| s.name() == name.as_c_str()) {
                states.push(ReaderState::new(name, State::UNAWARE));
            }
        }
        for s in &mut states {
            s.sync_current_state();
        }
        match ctx.get_status_change(Some(WAKE_EVERY), &mut states) {
            Ok(()) => {}
            Err(Error::Timeout) | Err(Error::Cancelled) | Err(Error::UnknownReader) => continue,
            Err(e) if classify(e) == ReadFailureCode::ServiceUnavailable => return Err(e),
            Err(_) => {
                std::thread::sleep(WAKE_EVERY);
                continue;
            }
        }
        for s in states.iter().skip(1) {
            let event = s.event_state();
            if !event.contains(State::CHANGED) || event.intersects(State::UNKNOWN | State::IGNORE) {
                continue;
            }
            let present = event.contains(State::PRESENT) && !event.contains(State::MUTE);
            let track = tracks.entry(s.name().to_owned()).or_default();
            let inserted = present && (!track.present || s.event_count() != track.count);
            *track = Track {
                present,
                count: s.event_count(),
            };
            if inserted && !batch.complete() {
                let atr = (!s.atr().is_empty()).then(|| s.atr());
                batch.check(s.name(), atr);
            }
        }
    }
    Ok(())
}

struct Batch {
    id: String,
    expect_kind: Option<KindArg>,
    expect_finess: Option<String>,
    count: Option<usize>,
    json: bool,
    colour: bool,
    pipeline: Pipeline,
    config: Config,
    journal: Option<Journal>,
    journal_warned: bool,
    seen: HashSet<String>,
    results: Vec<CardResult>,
}

/// `20261203-142501-1a2b`: when the batch started, and the process.
fn batch_id(now: OffsetDateTime) -> String {
    format!(
        "{:04}{:02}{:02}-{:02}{:02}{:02}-{:04x}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        std::process::id() & 0xFFFF
    )
}

impl Batch {
    fn new(args: &Args, config: Config) -> Batch {
        Batch {
            id: batch_id(OffsetDateTime::now_utc()),
            expect_kind: args.expect_kind,
            expect_finess: args.expect_finess.clone(),
            count: args.count,
            json: args.output.json,
            colour: !args.output.json && std::io::stdout().is_terminal(),
            pipeline: Pipeline::new(config.clone()),
            config,
            journal: None,
            journal_warned: false,
            seen: HashSet::new(),
            results: Vec::new(),
        }
    }

    fn complete(&self) -> bool {
        self.count.is_some_and(|n| self.results.len() >= n)
    }

    fn check(&mut self, reader: &std::ffi::CStr, atr: Option<&[u8]>) {
        let name = reader.to_string_lossy().into_owned();
        let view = match self
            .pipeline
            .read_one(reader, atr, OffsetDateTime::now_utc())
        {
            Ok(view) => view,
            Err(f) if f.code == ReadFailureCode::NoCard => return,
            Err(f) => {
                say(&msg::validate_unreadable(&name, &f.message));
                return;
            }
        };
        let key = journal::entry::card_key(&view.report);
        if !self.seen.insert(key) {
            say(&msg::validate_already(view.report.card_number.as_deref()));
            return;
        }
        let result = self.judge(&name, &view);
        self.print(&result);
        self.record(&name, view, result.ok);
        self.results.push(result);
    }

    fn judge(&self, reader: &str, view: &CardView) -> CardResult {
        let (r, v) = (&view.report, &view.verdict);
        let finess = r
            .structure
            .as_ref()
            .filter(|s| s.id_type == StructureIdType::Finess)
            .map(|s| s.number.clone());
        let expected_kind_ok = self.expect_kind.map(|k| k.matches(r));
        let expected_finess_ok = self
            .expect_finess
            .as_ref()
            .map(|f| finess.as_deref() == Some(f.as_str()));
        let reason = if expected_kind_ok == Some(false) {
            Some(msg::unexpected_kind(&self.kind_of(view)))
        } else if expected_finess_ok == Some(false) {
            Some(msg::unexpected_finess(
                finess.as_deref(),
                self.expect_finess.as_deref().unwrap_or_default(),
            ))
        } else {
            // Findings come most severe first; an info is no reason.
            v.findings
                .iter()
                .find(|f| f.severity >= Severity::Warning)
                .map(|f| f.message.clone())
        };
        CardResult {
            ok: v.status != Status::NotReady
                && expected_kind_ok != Some(false)
                && expected_finess_ok != Some(false),
            card_number: r.card_number.clone(),
            kind: self.kind_of(view),
            family: crate::model::label(&r.family),
            structure_finess: finess,
            structure_name: v
                .directory_name
                .clone()
                .or_else(|| r.structure.as_ref().and_then(|s| s.name.clone())),
            not_after: r.not_after.map(crate::text::findings::date),
            verdict: v.status,
            codes: v.findings.iter().map(|f| f.code.clone()).collect(),
            reason,
            reader: reader.to_owned(),
            batch: self.id.clone(),
            expected_kind_ok,
            expected_finess_ok,
        }
    }

    fn kind_of(&self, view: &CardView) -> String {
        if view.report.family == CardFamily::NotCpx {
            msg::NOT_CPX.to_owned()
        } else {
            crate::text::findings::kind_label(view.report.kind).to_owned()
        }
    }

    fn print(&self, result: &CardResult) {
        let mut out = std::io::stdout().lock();
        if self.json {
            if let Ok(line) = serde_json::to_string(result) {
                let _ = writeln!(out, "{line}");
            }
        } else {
            let _ = writeln!(
                out,
                "{}",
                msg::validate_line(result_fields(result), self.colour)
            );
        }
        let _ = out.flush();
    }

    fn record(&mut self, reader: &str, card: CardView, ok: bool) {
        if self.journal.is_none() {
            let opened = journal::path(&self.config)
                .ok_or_else(msg::journal_no_path)
                .and_then(|p| Journal::open(&p).map_err(|e| e.to_string()));
            match opened {
                Ok(j) => self.journal = Some(j),
                Err(e) => return self.journal_failed(&e),
            }
        }
        let sighting = Sighting {
            reader: reader.to_owned(),
            card,
            insertion: true,
            batch: Some((self.id.clone(), ok)),
        };
        let directory = crate::judge::directory::directory_path(&self.config);
        let role = journal::writer::structure_role(directory.as_deref(), &sighting);
        let at = journal::timestamp(OffsetDateTime::now_utc());
        if let Some(j) = &self.journal {
            if let Err(e) = j.record_card(&sighting, role, &at) {
                self.journal = None;
                self.journal_failed(&e.to_string());
            }
        }
    }

    fn journal_failed(&mut self, error: &str) {
        if !self.journal_warned {
            self.journal_warned = true;
            say(error);
        }
    }

    fn summary(&self) {
        let ok = self.results.iter().filter(|r| r.ok).count();
        let mut text = String::new();
        let _ = writeln!(
            text,
            "\n{}",
            msg::validate_summary(&self.id, self.results.len(), ok)
        );
        for r in self.results.iter().filter(|r| !r.ok) {
            let _ = writeln!(text, "  {}", msg::validate_line(result_fields(r), false));
        }
        if self.json {
            let _ = std::io::stderr().write_all(text.as_bytes());
        } else {
            let _ = std::io::stdout().write_all(text.as_bytes());
        }
    }
}

fn result_fields(r: &CardResult) -> msg::ValidateLine<'_> {
    msg::ValidateLine {
        ok: r.ok,
        kind: &r.kind,
        card_number: r.card_number.as_deref(),
        structure_finess: r.structure_finess.as_deref(),
        structure_name: r.structure_name.as_deref(),
        not_after: r.not_after.as_deref(),
        verdict: r.verdict,
        reason: r.reason.as_deref(),
    }
}
