//! The support report (`cpx-agent doctor`, `GET /v1/diagnostics`): one document that says why
//! "ma carte ne marche pas". The agent and the machine (version, system, clock), the PC/SC
//! service and middleware, every reader with its catalog model and what the reader itself says
//! of its pin pad, the USB readers PC/SC does not show (with the fix), every card's report and
//! verdict, the configuration in short, the FINESS directory, the journal's last entries and the
//! agent's last 50 events. Built here, used by both: `doctor` reads the cards itself (the one
//! reading pipeline), the daemon gives its state.
//!
//! Personal data only with the token: [`for_caller`] serialises the report and, for everyone
//! else, removes it with the API's redaction (`state::publish::redact`) plus the identifiers
//! of this report's own fields (chip serials, certificate serials and fingerprints, the home
//! folder in paths).

pub mod html;
pub mod pinpad;
pub mod system;

use std::ffi::CString;

use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::config::Config;
use crate::journal::{self, CardEntry, Journal, ListFilter};
use crate::model::status::{CardView, ReadFailure, ServiceState, StatusSnapshot};
use crate::readers::ReaderModel;
use crate::state::publish::redact;
use crate::usb::{UsbReader, UsbReaderKind};
use pinpad::PinPadProbe;
use system::{ClockInfo, Software, SystemInfo};

/// Journal entries the report shows.
pub const JOURNAL_ENTRIES: usize = 10;
/// Events the report shows.
pub const EVENTS: usize = 50;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgentInfo {
    pub version: String,
    /// Who made the report: `doctor` (the command) or `agent` (the running agent).
    pub source: String,
    /// `doctor`: whether an agent answers on the configured address (`null`: not asked).
    pub running: Option<bool>,
    pub listen: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PcscInfo {
    /// `running` or `unavailable`.
    pub service: ServiceState,
    /// Why it is unavailable, and the remedy (French).
    pub error: Option<String>,
    pub pcscd_version: Option<String>,
    pub pcscd: Software,
    pub libccid_version: Option<String>,
    pub libccid: Software,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Middleware {
    /// The ANS CryptoLib CPS (PKCS#11 `cps3_pkcs11_lux`).
    pub cryptolib: Software,
    /// Where it was looked for.
    pub cryptolib_paths: Vec<String>,
    pub opensc: Software,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReaderReport {
    pub id: String,
    pub name: String,
    /// The catalog's model; `null`: unknown (never guessed).
    pub model: Option<ReaderModel>,
    /// What the reader says of its pin pad (`unknown` when it does not say).
    pub pinpad: PinPadProbe,
    pub card: Option<CardView>,
    pub read_error: Option<ReadFailure>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CardReportEntry {
    /// The reader it is in.
    pub reader: String,
    #[serde(flatten)]
    pub card: CardView,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UsbUnseen {
    #[serde(flatten)]
    pub device: UsbReader,
    /// Its model in the reader catalog, if known.
    pub model: Option<ReaderModel>,
    /// What to do (French).
    pub fix: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConfigSummary {
    /// The configuration file (`null`: none, defaults).
    pub source: Option<String>,
    /// `centralised` / `decentralised`; `null`: no contract.
    pub contract_mode: Option<String>,
    pub ej: Option<String>,
    pub egs: Vec<String>,
    pub expiry_warning_days: u32,
    pub accept_test_cards: bool,
    pub extra_trust_anchors: usize,
    pub journal_keep_days: u32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FinessSummary {
    pub path: Option<String>,
    pub present: bool,
    /// Date of the data, `YYYY-MM-DD`.
    pub data_date: Option<String>,
    pub imported_at: Option<String>,
    pub ej_count: u64,
    pub eg_count: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JournalSummary {
    pub path: Option<String>,
    pub available: bool,
    /// Why not (French).
    pub error: Option<String>,
    pub cards: u64,
    pub last_seen: Option<String>,
    /// The last cards seen (personal fields only with the token).
    pub recent: Vec<CardEntry>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Report {
    pub generated_at: String,
    pub agent: AgentInfo,
    pub system: SystemInfo,
    pub clock: ClockInfo,
    pub pcsc: PcscInfo,
    pub middleware: Middleware,
    pub readers: Vec<ReaderReport>,
    pub usb_unseen: Vec<UsbUnseen>,
    pub cards: Vec<CardReportEntry>,
    pub config: ConfigSummary,
    pub finess: FinessSummary,
    pub journal: JournalSummary,
    /// The running agent's last events (`null` from `doctor` without an agent).
    #[schema(value_type = Option<Vec<Object>>)]
    pub events: Option<Vec<Value>>,
}

/// What the caller knows that the report cannot find by itself.
pub struct Inputs<'a> {
    pub config: &'a Config,
    /// The readers and cards (the daemon's state, or `doctor`'s own reading).
    pub snapshot: StatusSnapshot,
    /// Why PC/SC is unavailable (French), when it is.
    pub pcsc_error: Option<String>,
    pub agent: AgentInfo,
    /// The daemon's events, full JSON, oldest first.
    pub events: Option<Vec<Value>>,
    /// Why the daemon's journal writer cannot write, when it cannot.
    pub journal_error: Option<String>,
    pub now: OffsetDateTime,
}

/// Gathers the report (blocking: PC/SC, files, version commands).
pub fn gather(inputs: Inputs<'_>) -> Report {
    let Inputs {
        config,
        snapshot,
        pcsc_error,
        agent,
        events,
        journal_error,
        now,
    } = inputs;
    let pcscd = system::pcscd();
    let libccid = system::libccid();
    let readers = reader_reports(&snapshot);
    let cards = snapshot
        .readers
        .iter()
        .filter_map(|r| {
            r.card.as_ref().map(|c| CardReportEntry {
                reader: r.name.clone(),
                card: c.clone(),
            })
        })
        .collect();
    Report {
        generated_at: journal::timestamp(now),
        agent,
        system: system::system(),
        clock: system::clock(now),
        pcsc: PcscInfo {
            service: snapshot.service,
            error: pcsc_error,
            pcscd_version: pcscd.version.clone(),
            pcscd,
            libccid_version: libccid.version.clone(),
            libccid,
        },
        middleware: Middleware {
            cryptolib: system::cryptolib(),
            cryptolib_paths: system::cryptolib_paths()
                .iter()
                .map(|p| (*p).to_owned())
                .collect(),
            opensc: system::opensc(),
        },
        usb_unseen: usb_unseen(&snapshot),
        readers,
        cards,
        config: config_summary(config),
        finess: finess_summary(config),
        journal: journal_summary(config, journal_error),
        events: events.map(|mut e| {
            let skip = e.len().saturating_sub(EVENTS);
            e.drain(..skip);
            e
        }),
    }
}

fn reader_reports(snapshot: &StatusSnapshot) -> Vec<ReaderReport> {
    let ctx = (snapshot.service == ServiceState::Running && !snapshot.readers.is_empty())
        .then(|| pcsc::Context::establish(pcsc::Scope::User).ok())
        .flatten();
    snapshot
        .readers
        .iter()
        .map(|r| {
            let present = r.card.is_some() || r.read_error.is_some();
            let pinpad = match (&ctx, CString::new(r.name.as_bytes())) {
                (Some(ctx), Ok(name)) => pinpad::probe(ctx, &name, present),
                _ => PinPadProbe {
                    pinpad: pinpad::PinPad::Unknown,
                    features: Vec::new(),
                    detail: Some("PC/SC unavailable".into()),
                },
            };
            ReaderReport {
                id: r.id.clone(),
                name: r.name.clone(),
                model: r.model.clone(),
                pinpad,
                card: r.card.clone(),
                read_error: r.read_error.clone(),
            }
        })
        .collect()
}

/// USB devices that look like readers but that PC/SC does not show: libccid does not know
/// them (pcscd ignores them), or PC/SC shows no reader at all.
fn usb_unseen(snapshot: &StatusSnapshot) -> Vec<UsbUnseen> {
    crate::platform::usb_readers()
        .unwrap_or_default()
        .into_iter()
        .filter(|d| d.kind != UsbReaderKind::CcidSupported || snapshot.readers.is_empty())
        .map(|device| {
            let model = parse_usb_id(&device.id).and_then(|(v, p)| crate::readers::by_usb_id(v, p));
            UsbUnseen {
                fix: crate::text::labels::usb_device_not_seen(&device),
                device,
                model,
            }
        })
        .collect()
}

fn parse_usb_id(id: &str) -> Option<(u16, u16)> {
    let (v, p) = id.split_once(':')?;
    Some((
        u16::from_str_radix(v, 16).ok()?,
        u16::from_str_radix(p, 16).ok()?,
    ))
}

fn config_summary(config: &Config) -> ConfigSummary {
    let contract = config.contract.as_ref();
    ConfigSummary {
        source: config.source.as_ref().map(|p| p.display().to_string()),
        contract_mode: contract.map(|c| c.mode.as_str().to_owned()),
        ej: contract.map(|c| c.ej.as_str().to_owned()),
        egs: contract
            .map(|c| c.egs.iter().map(|e| e.as_str().to_owned()).collect())
            .unwrap_or_default(),
        expiry_warning_days: config.checks.expiry_warning_days,
        accept_test_cards: config.checks.accept_test_cards,
        extra_trust_anchors: config.checks.extra_trust_anchors.len(),
        journal_keep_days: config.journal.keep_days,
    }
}

fn finess_summary(config: &Config) -> FinessSummary {
    let path = crate::judge::directory::directory_path(config);
    let info = crate::judge::directory::open_directory(config).and_then(|d| d.info().ok());
    FinessSummary {
        path: path.map(|p| p.display().to_string()),
        present: info.is_some(),
        data_date: info.as_ref().and_then(|i| i.data_date.clone()),
        imported_at: info.as_ref().map(|i| i.imported_at.clone()),
        ej_count: info.as_ref().map_or(0, |i| i.ej_count),
        eg_count: info.as_ref().map_or(0, |i| i.eg_count),
    }
}

fn journal_summary(config: &Config, writer_error: Option<String>) -> JournalSummary {
    let path = journal::path(config);
    let mut summary = JournalSummary {
        path: path.as_ref().map(|p| p.display().to_string()),
        available: true,
        error: None,
        cards: 0,
        last_seen: None,
        recent: Vec::new(),
    };
    if let Some(error) = writer_error {
        summary.available = false;
        summary.error = Some(error);
    }
    let Some(path) = path else {
        summary.available = false;
        summary.error = Some(crate::text::bench::journal_no_path());
        return summary;
    };
    let read = Journal::open_existing(&path).and_then(|j| match j {
        None => Ok((0, None, Vec::new())),
        Some(j) => {
            let (n, last) = j.summary()?;
            let recent = j.cards(&ListFilter {
                limit: Some(JOURNAL_ENTRIES),
                ..ListFilter::default()
            })?;
            Ok((n, last, recent))
        }
    });
    match read {
        Ok((n, last, recent)) => {
            summary.cards = n;
            summary.last_seen = last;
            summary.recent = recent;
        }
        Err(e) => {
            summary.available = false;
            summary.error = Some(e.to_string());
        }
    }
    summary
}

/// Identifiers of this report's own fields, removed with the API's redaction for callers
/// without the token: chip serials, certificate serials and fingerprints.
const REPORT_IDENTIFIERS: [&str; 4] = ["chip_serial", "serial", "serial_number", "sha256"];

fn strip_identifiers(value: &mut Value, home: Option<&str>) {
    match value {
        Value::Object(map) => {
            for field in REPORT_IDENTIFIERS {
                map.remove(field);
            }
            map.values_mut().for_each(|v| strip_identifiers(v, home));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| strip_identifiers(v, home)),
        Value::String(s) => {
            if let Some(home) = home.filter(|h| h.len() > 1 && s.contains(*h)) {
                *s = s.replace(home, "~");
            }
        }
        _ => {}
    }
}

/// The report's JSON for a caller: whole with the token, without personal data otherwise.
pub fn for_caller(report: &Report, authorised: bool) -> Value {
    let mut value = serde_json::to_value(report).unwrap_or(Value::Null);
    if !authorised {
        redact(&mut value);
        let home = crate::platform::home_dir().map(|h| h.display().to_string());
        strip_identifiers(&mut value, home.as_deref());
    }
    value
}

#[cfg(test)]
mod tests;
