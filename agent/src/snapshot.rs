//! One look at every PC/SC reader, now: list the readers, read each card present (without
//! PIN), judge it, and return the `StatusSnapshot` every face shows. Used by
//! `cpx-agent status`; the daemon keeps its own live state (reader ids: `daemon::state::reader_id`).

use std::ffi::{CStr, CString};
use std::time::Duration;

use cpx_card::{combine, identify, read_reader, CardFamily, ReadError, TrustStore};
use time::OffsetDateTime;

use crate::config::Config;
use crate::daemon::state::reader_id;
use crate::finess::judge_rules::{annotate, open_directory};
use crate::finess::Directory;
use crate::judge::judge_with_directory;
use crate::messages::snapshot as msg;
use crate::status::{CardView, ReaderView, ServiceState, StatusSnapshot};

/// The PC/SC service could not be reached.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", msg::service_unavailable(detail))]
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
        }
    }
}

/// Reads every reader once and judges every card.
pub fn take(
    config: &Config,
    trust: &TrustStore,
    now: OffsetDateTime,
) -> Result<StatusSnapshot, ServiceUnavailable> {
    let unavailable = |e: pcsc::Error| ServiceUnavailable {
        detail: e.to_string(),
    };
    let ctx = pcsc::Context::establish(pcsc::Scope::User).map_err(unavailable)?;
    let names = ctx.list_readers_owned().map_err(unavailable)?;
    tracing::debug!(readers = names.len(), "PC/SC readers listed");
    let mut states: Vec<pcsc::ReaderState> = names
        .iter()
        .map(|n| pcsc::ReaderState::new(n.clone(), pcsc::State::UNAWARE))
        .collect();
    if !states.is_empty() {
        match ctx.get_status_change(Duration::ZERO, &mut states) {
            Ok(()) | Err(pcsc::Error::Timeout) => {}
            Err(e) if cpx_card::is_service_gone(e) => return Err(unavailable(e)),
            Err(e) => tracing::warn!(error = %e, "PC/SC reader states unavailable"),
        }
    }
    // The local FINESS directory, when one was imported: precise contract findings.
    let directory = open_directory(config);
    let readers = names
        .iter()
        .zip(&states)
        .map(|(name, state)| read_one(name, state, config, trust, directory.as_ref(), now))
        .collect();
    Ok(StatusSnapshot {
        service: ServiceState::Running,
        readers,
    })
}

/// One reader: its card (read and judged) if one is present, or why it could not be read.
pub fn read_one(
    name: &CStr,
    state: &pcsc::ReaderState,
    config: &Config,
    trust: &TrustStore,
    directory: Option<&Directory>,
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
        view.read_error = Some(msg::card_mute());
        return view;
    }
    let atr = state.atr();
    // A card whose ATR is not a CPx one is described from its ATR alone: no need to talk to a
    // Vitale or bank card.
    let report = if event.contains(pcsc::State::PRESENT)
        && !atr.is_empty()
        && identify(atr) == CardFamily::NotCpx
    {
        Ok(combine(atr, Vec::new()))
    } else {
        read_reader(&CString::from(name), trust, None)
    };
    match report {
        Ok(mut report) => {
            if let Some(dir) = directory {
                annotate(&mut report, dir);
            }
            let verdict = judge_with_directory(&report, config, now, directory);
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
            view.read_error = Some(crate::text::read::read_failure(&e));
        }
    }
    view
}
