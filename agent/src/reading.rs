//! The one reading pipeline, used by the daemon's reader workers (`run`) and by `status`:
//! read a card through PC/SC (one PC/SC context per read, `cpx_card::read_reader`), turn a
//! failure into its stable code and French message (the one classifier, `classify`), and judge
//! the report with the FINESS directory opened once per judgement.

use std::ffi::{CStr, CString};
use std::time::Duration;

use cpx_card::{CardFamily, CardReport, ReadError, TrustStore};
use time::OffsetDateTime;

use crate::config::Config;
use crate::finess::Directory;
use crate::judge;
use crate::model::status::{
    reader_id, CardView, ReadFailure, ReadFailureCode, ReaderView, ServiceState, StatusSnapshot,
};
use crate::model::verdict::Verdict;
use crate::revocation;
use crate::text;

/// What the daemon does with a card: a trait, so its machinery is tested without PC/SC.
pub trait CardSource: Send + Sync + 'static {
    /// Reads the card in `reader` (blocking). `atr`: the card's ATR when already known (a
    /// non-CPx card is then described from it, without talking to it). `known`: the card last
    /// read in this reader, for a quick recognition (its hint travels in the report).
    fn read(
        &self,
        reader: &CStr,
        atr: Option<&[u8]>,
        known: Option<&CardReport>,
    ) -> Result<CardReport, ReadFailure>;
    /// Judges a card now.
    fn judge(&self, report: &CardReport) -> Verdict;
    /// Judges cards now, one verdict per report (the pipeline opens the directory once).
    fn judge_all(&self, reports: &[&CardReport]) -> Vec<Verdict> {
        reports.iter().map(|r| self.judge(r)).collect()
    }
}

/// The real thing: PC/SC and this organisation's configuration.
pub struct Pipeline {
    trust: TrustStore,
    config: Config,
}

impl Pipeline {
    /// The built-in IGC-Santé CAs plus the configuration's extra test anchors.
    pub fn new(config: Config) -> Pipeline {
        Pipeline {
            trust: config.trust_store(),
            config,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Judges one card at `now`, with the directory when one was imported.
    pub fn judge_one(&self, report: &CardReport, now: OffsetDateTime) -> Verdict {
        let directory = judge::directory::open_directory(&self.config);
        let crls = revocation::open_cache();
        judge::judge_with(report, &self.config, now, directory.as_ref(), crls.as_ref())
    }

    /// One look at every PC/SC reader, now (`cpx-agent status`): each card present read and
    /// judged, or why it could not be.
    pub fn snapshot(&self, now: OffsetDateTime) -> Result<StatusSnapshot, ServiceUnavailable> {
        let unavailable = |e: pcsc::Error| ServiceUnavailable {
            detail: e.to_string(),
        };
        let ctx = pcsc::Context::establish(pcsc::Scope::User).map_err(unavailable)?;
        let names = match ctx.list_readers_owned() {
            Ok(names) => names,
            Err(pcsc::Error::NoReadersAvailable) => Vec::new(),
            Err(e) => return Err(unavailable(e)),
        };
        tracing::debug!(readers = names.len(), "PC/SC readers listed");
        let mut states: Vec<pcsc::ReaderState> = names
            .iter()
            .map(|n| pcsc::ReaderState::new(n.clone(), pcsc::State::UNAWARE))
            .collect();
        if !states.is_empty() {
            match ctx.get_status_change(Duration::ZERO, &mut states) {
                Ok(()) | Err(pcsc::Error::Timeout) => {}
                Err(e) if classify(e) == ReadFailureCode::ServiceUnavailable => {
                    return Err(unavailable(e))
                }
                Err(e) => tracing::warn!(error = %e, "PC/SC reader states unavailable"),
            }
        }
        // The context was only for listing: each read opens its own.
        drop(ctx);
        let directory = judge::directory::open_directory(&self.config);
        let crls = revocation::open_cache();
        let readers = names
            .iter()
            .zip(&states)
            .map(|(name, state)| self.look_at(name, state, directory.as_ref(), crls.as_ref(), now))
            .collect();
        Ok(StatusSnapshot {
            service: ServiceState::Running,
            readers,
            finess_directory: directory
                .as_ref()
                .and_then(|d| d.info().ok())
                .map(|i| i.status()),
        })
    }

    /// One reader of a snapshot: its card (read and judged) if one is present.
    fn look_at(
        &self,
        name: &CStr,
        state: &pcsc::ReaderState,
        directory: Option<&Directory>,
        crls: Option<&revocation::Cache>,
        now: OffsetDateTime,
    ) -> ReaderView {
        let display = name.to_string_lossy().into_owned();
        let mut view = ReaderView {
            id: reader_id(&display),
            name: display,
            card: None,
            read_error: None,
        };
        let event = state.event_state();
        if event.intersects(pcsc::State::EMPTY | pcsc::State::UNAVAILABLE | pcsc::State::IGNORE) {
            return view;
        }
        if event.contains(pcsc::State::MUTE) {
            view.read_error = Some(failure(&ReadError::Unresponsive));
            return view;
        }
        let atr =
            (event.contains(pcsc::State::PRESENT) && !state.atr().is_empty()).then(|| state.atr());
        match self.read_card(name, atr, None) {
            Ok(report) => {
                let verdict = judge::judge_with(&report, &self.config, now, directory, crls);
                tracing::info!(
                    reader = %view.id,
                    family = ?report.family,
                    kind = ?report.kind,
                    status = ?verdict.status,
                    apdus = report.apdu_count,
                    "card judged"
                );
                view.card = Some(CardView { report, verdict });
            }
            Err(ReadError::NoCard) => {}
            Err(e) => {
                tracing::warn!(reader = %view.id, error = %e, "card read failed");
                view.read_error = Some(failure(&e));
            }
        }
        view
    }

    fn read_card(
        &self,
        reader: &CStr,
        atr: Option<&[u8]>,
        known: Option<&CardReport>,
    ) -> Result<CardReport, ReadError> {
        // A card whose ATR is not a CPx one is described from its ATR alone: no need to talk
        // to a Vitale or bank card.
        if let Some(atr) = atr.filter(|a| cpx_card::identify(a) == CardFamily::NotCpx) {
            return Ok(cpx_card::combine(atr, Vec::new()));
        }
        // The read opens its own PC/SC context (one per read: never stale after the service
        // restarted).
        cpx_card::read_reader(&CString::from(reader), &self.trust, known)
    }
}

impl CardSource for Pipeline {
    fn read(
        &self,
        reader: &CStr,
        atr: Option<&[u8]>,
        known: Option<&CardReport>,
    ) -> Result<CardReport, ReadFailure> {
        self.read_card(reader, atr, known).map_err(|e| failure(&e))
    }

    fn judge(&self, report: &CardReport) -> Verdict {
        self.judge_one(report, OffsetDateTime::now_utc())
    }

    fn judge_all(&self, reports: &[&CardReport]) -> Vec<Verdict> {
        let now = OffsetDateTime::now_utc();
        let directory = judge::directory::open_directory(&self.config);
        let crls = revocation::open_cache();
        reports
            .iter()
            .map(|r| judge::judge_with(r, &self.config, now, directory.as_ref(), crls.as_ref()))
            .collect()
    }
}

/// The PC/SC service could not be reached.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", text::pcsc::service_unavailable(detail))]
pub struct ServiceUnavailable {
    /// The PC/SC error, English.
    pub detail: String,
}

impl ServiceUnavailable {
    /// The snapshot to show in that case.
    pub fn snapshot() -> StatusSnapshot {
        StatusSnapshot {
            service: ServiceState::Unavailable,
            readers: Vec::new(),
            finess_directory: None,
        }
    }
}

/// What a PC/SC error means for the user: the card crate's one classifier
/// (`cpx_card::classify`), asked by the monitor (service gone or not), the reads and `status`.
pub fn classify(e: pcsc::Error) -> ReadFailureCode {
    cpx_card::classify(e).code()
}

/// A read error as the faces show it: its stable code and French message.
pub fn failure(e: &ReadError) -> ReadFailure {
    ReadFailure {
        code: e.code(),
        message: text::read::read_failure(e),
    }
}
