//! The one reading pipeline, used by the daemon's reader workers (`run`) and by `status`:
//! read a card through PC/SC (one PC/SC context per read, `cpx_card::read_reader`), turn a
//! failure into its stable code and French message (the one classifier, `classify`), and judge
//! the report with the FINESS directory opened once per judgement.

use std::ffi::{CStr, CString};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use cpx_card::{CardFamily, CardReport, ReadError, TrustStore};
use time::OffsetDateTime;

use crate::config::Config;
use crate::finess::Directory;
use crate::judge;
use crate::model::status::{
    CardView, ReadFailure, ReadFailureCode, ReaderView, ServiceState, StatusSnapshot,
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

/// The configuration in force and the trust store built from it.
struct InForce {
    trust: TrustStore,
    config: Arc<Config>,
}

/// The real thing: PC/SC and this organisation's configuration (which the running agent may
/// replace: `set_config`).
pub struct Pipeline {
    in_force: RwLock<Arc<InForce>>,
}

impl Pipeline {
    /// The built-in IGC-Santé CAs plus the configuration's extra test anchors.
    pub fn new(config: Config) -> Pipeline {
        Pipeline {
            in_force: RwLock::new(Arc::new(InForce {
                trust: config.trust_store(),
                config: Arc::new(config),
            })),
        }
    }

    fn now_in_force(&self) -> Arc<InForce> {
        // A panic elsewhere cannot leave a half-written Arc: keep going.
        self.in_force
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The configuration in force.
    pub fn config(&self) -> Arc<Config> {
        self.now_in_force().config.clone()
    }

    /// Puts a new configuration in force (reads and judgements from now on use it).
    pub fn set_config(&self, config: Config) {
        let new = Arc::new(InForce {
            trust: config.trust_store(),
            config: Arc::new(config),
        });
        *self.in_force.write().unwrap_or_else(|e| e.into_inner()) = new;
    }

    /// Judges one card at `now`, with the directory when one was imported.
    pub fn judge_one(&self, report: &CardReport, now: OffsetDateTime) -> Verdict {
        let config = self.config();
        let directory = judge::directory::open_directory(&config);
        let crls = revocation::open_cache();
        judge::judge_with(report, &config, now, directory.as_ref(), crls.as_ref())
    }

    /// Reads and judges the card in one reader now (`validate`); `atr`: as PC/SC gave it.
    pub fn read_one(
        &self,
        reader: &CStr,
        atr: Option<&[u8]>,
        now: OffsetDateTime,
    ) -> Result<CardView, ReadFailure> {
        let report = self.read_card(reader, atr, None).map_err(|e| failure(&e))?;
        let verdict = self.judge_one(&report, now);
        Ok(CardView::new(report, verdict))
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
        let config = self.config();
        let directory = judge::directory::open_directory(&config);
        let crls = revocation::open_cache();
        let readers = names
            .iter()
            .zip(&states)
            .map(|(name, state)| {
                self.look_at(name, state, &config, directory.as_ref(), crls.as_ref(), now)
            })
            .collect();
        let mut snapshot = StatusSnapshot::new(ServiceState::Running, readers);
        snapshot.finess_directory = directory
            .as_ref()
            .and_then(|d| d.info().ok())
            .map(|i| i.status());
        Ok(snapshot)
    }

    /// One reader of a snapshot: its card (read and judged) if one is present.
    fn look_at(
        &self,
        name: &CStr,
        state: &pcsc::ReaderState,
        config: &Config,
        directory: Option<&Directory>,
        crls: Option<&revocation::Cache>,
        now: OffsetDateTime,
    ) -> ReaderView {
        let display = name.to_string_lossy().into_owned();
        let mut view = ReaderView::new(&display);
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
                let verdict = judge::judge_with(&report, config, now, directory, crls);
                tracing::info!(
                    reader = %view.id,
                    family = ?report.family,
                    kind = ?report.kind,
                    status = ?verdict.status,
                    apdus = report.apdu_count,
                    "card judged"
                );
                view.card = Some(CardView::new(report, verdict));
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
        cpx_card::read_reader(&CString::from(reader), &self.now_in_force().trust, known)
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
        let config = self.config();
        let directory = judge::directory::open_directory(&config);
        let crls = revocation::open_cache();
        reports
            .iter()
            .map(|r| judge::judge_with(r, &config, now, directory.as_ref(), crls.as_ref()))
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
        StatusSnapshot::new(ServiceState::Unavailable, Vec::new())
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
