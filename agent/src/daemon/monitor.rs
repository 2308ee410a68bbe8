//! The monitor: one thread blocked in `SCardGetStatusChange` on every reader plus the PnP
//! pseudo-reader (`\\?PnP?\Notification`), so nothing runs while nothing changes. Readers are
//! added and removed live; a card's event counter (high 16 bits of the event state) tells a
//! card removed and re-inserted between two wake-ups from one that stayed. When the PC/SC
//! service goes away, the state says `unavailable` and the context is re-established at most
//! once a second until the service is back (`reconnect_wait`): never a spin. On Windows the
//! smart-card service (`SCardSvr`) stops when the last reader is unplugged: the wait or the
//! listing fails with `SCARD_E_SERVICE_STOPPED` / `SCARD_E_NO_SERVICE`, which the one classifier
//! (`cpx_card::classify`) calls the service gone; the context is then re-established and the
//! monitor blocks again on `\\?PnP?\Notification` until a reader comes (Windows starts the
//! service with it). `MonitorStop::stop` ends it with `Context::cancel`.
//! (After the pcsc-rust `monitor.rs` and `cancel.rs` examples.)

use std::collections::HashMap;
use std::ffi::CString;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use pcsc::{Context, Error, ReaderState, Scope, State, PNP_NOTIFICATION};

use super::worker::Workers;
use crate::model::status::{reader_id, ReadFailureCode, ServiceState};
use crate::reading::classify;
use crate::state::DaemonState;

/// Minimum time between two attempts to reach the PC/SC service.
pub const RECONNECT_INTERVAL: Duration = Duration::from_secs(1);
/// Without PnP notifications (some PC/SC stacks), readers are re-listed this often.
const PNP_FALLBACK_POLL: Duration = Duration::from_secs(1);

/// Stops the monitor from another thread.
#[derive(Default)]
pub struct MonitorStop {
    stopping: AtomicBool,
    context: Mutex<Option<Context>>,
    sleeping: Mutex<()>,
    wake: Condvar,
}

impl MonitorStop {
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Asks the monitor to stop and interrupts its blocking call. Call again if the monitor has
    /// not ended shortly after (a cancel sent just before it blocks is not remembered).
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        if let Some(ctx) = self
            .context
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            let _ = ctx.cancel();
        }
        let _guard = self.sleeping.lock().unwrap_or_else(|p| p.into_inner());
        self.wake.notify_all();
    }

    fn set_context(&self, ctx: Option<Context>) {
        *self.context.lock().unwrap_or_else(|p| p.into_inner()) = ctx;
    }

    /// Sleeps `duration`, or less if stopped.
    fn sleep(&self, duration: Duration) {
        let guard = self.sleeping.lock().unwrap_or_else(|p| p.into_inner());
        if self.is_stopping() {
            return;
        }
        let _ = self.wake.wait_timeout(guard, duration);
    }
}

/// Why a watch ended.
enum WatchEnd {
    Stopped,
    ServiceGone(Error),
}

fn service_gone(error: Error) -> bool {
    classify(error) == ReadFailureCode::ServiceUnavailable
}

/// What the monitor remembers of a reader between wake-ups.
#[derive(Debug, Clone, Copy, Default)]
struct Track {
    card_present: bool,
    event_count: u32,
}

/// How long to wait before the next attempt to reach the PC/SC service, the last one made at
/// `last`: attempts are at least [`RECONNECT_INTERVAL`] apart, whatever fails how fast.
fn reconnect_wait(last: Option<Instant>, now: Instant) -> Option<Duration> {
    let since = now.saturating_duration_since(last?);
    (since < RECONNECT_INTERVAL).then(|| RECONNECT_INTERVAL - since)
}

/// The monitor thread's body: returns when stopped.
pub fn run(state: Arc<DaemonState>, workers: Arc<Workers>, stop: Arc<MonitorStop>) {
    let mut last_attempt: Option<Instant> = None;
    while !stop.is_stopping() {
        if let Some(wait) = reconnect_wait(last_attempt, Instant::now()) {
            stop.sleep(wait);
            continue;
        }
        last_attempt = Some(Instant::now());
        let ctx = match Context::establish(Scope::User) {
            Ok(ctx) => ctx,
            Err(error) => {
                if state.snapshot_service() == ServiceState::Running {
                    tracing::warn!("service PC/SC injoignable: {error}");
                }
                state.set_service(ServiceState::Unavailable);
                continue;
            }
        };
        stop.set_context(Some(ctx.clone()));
        if stop.is_stopping() {
            break;
        }
        if state.snapshot_service() != ServiceState::Running {
            tracing::info!("service PC/SC disponible");
        }
        state.set_service(ServiceState::Running);
        let end = watch(&ctx, &state, &workers, &stop);
        stop.set_context(None);
        match end {
            WatchEnd::Stopped => break,
            WatchEnd::ServiceGone(error) => {
                tracing::warn!("service PC/SC perdu: {error}");
                workers.stop_all();
                state.set_service(ServiceState::Unavailable);
            }
        }
    }
    stop.set_context(None);
}

fn watch(ctx: &Context, state: &DaemonState, workers: &Workers, stop: &MonitorStop) -> WatchEnd {
    let mut states = vec![ReaderState::new(PNP_NOTIFICATION(), State::UNAWARE)];
    let mut pnp = true;
    let mut tracks: HashMap<CString, Track> = HashMap::new();
    loop {
        if stop.is_stopping() {
            return WatchEnd::Stopped;
        }
        // Readers that left, per their own state or absent from the list.
        let listed = match ctx.list_readers_owned() {
            Ok(names) => names,
            Err(Error::NoReadersAvailable) => Vec::new(),
            Err(error) if service_gone(error) => return WatchEnd::ServiceGone(error),
            Err(error) => {
                // A passing error must not look like every reader unplugged: keep them.
                tracing::debug!("liste des lecteurs: {error}");
                states
                    .iter()
                    .skip(1)
                    .map(|rs| rs.name().to_owned())
                    .collect()
            }
        };
        let mut kept = Vec::with_capacity(states.len());
        for (i, rs) in states.into_iter().enumerate() {
            let gone = i > 0
                && (rs.event_state().intersects(State::UNKNOWN | State::IGNORE)
                    || !listed.iter().any(|n| n.as_c_str() == rs.name()));
            if gone {
                let name = rs.name().to_string_lossy().into_owned();
                tracing::info!("lecteur retiré: {}", reader_id(&name));
                tracks.remove(rs.name());
                workers.stop(&name);
                state.reader_removed(&name);
            } else {
                kept.push(rs);
            }
        }
        states = kept;
        for name in listed {
            if !states.iter().any(|rs| rs.name() == name.as_c_str()) {
                let text = name.to_string_lossy().into_owned();
                tracing::info!("lecteur ajouté: {text}");
                state.reader_added(&text);
                workers.start(&text);
                tracks.insert(name.clone(), Track::default());
                states.push(ReaderState::new(name, State::UNAWARE));
            }
        }
        for rs in &mut states {
            rs.sync_current_state();
        }
        let timeout = if pnp { None } else { Some(PNP_FALLBACK_POLL) };
        match ctx.get_status_change(timeout, &mut states) {
            Ok(()) => {}
            Err(Error::Cancelled) | Err(Error::Timeout) => continue,
            // A reader listed but already gone: list again, paced in case the service keeps
            // listing it.
            Err(Error::UnknownReader) => {
                stop.sleep(Duration::from_millis(100));
                continue;
            }
            Err(error) if service_gone(error) => return WatchEnd::ServiceGone(error),
            Err(error) => {
                tracing::warn!("attente d'un événement PC/SC: {error}");
                stop.sleep(Duration::from_millis(200));
                continue;
            }
        }
        if pnp && states[0].event_state().intersects(State::UNKNOWN) {
            tracing::info!("pas de notification PnP: les lecteurs sont relus chaque seconde");
            pnp = false;
            states.remove(0);
            states.insert(0, ReaderState::new(PNP_NOTIFICATION(), State::IGNORE));
        }
        for rs in states.iter().skip(1) {
            card_change(rs, &mut tracks, state, workers);
        }
    }
}

/// Applies one reader's new state: removal clears at once, insertion queues a read.
fn card_change(
    rs: &ReaderState,
    tracks: &mut HashMap<CString, Track>,
    state: &DaemonState,
    workers: &Workers,
) {
    let event = rs.event_state();
    if !event.contains(State::CHANGED) || event.intersects(State::UNKNOWN | State::IGNORE) {
        return;
    }
    let present = event.contains(State::PRESENT);
    let count = rs.event_count();
    let track = tracks.entry(rs.name().to_owned()).or_default();
    let name = rs.name().to_string_lossy().into_owned();
    // Same presence but another counter: the card left and came back between two wake-ups.
    let reinserted = present && track.card_present && count != track.event_count;
    if track.card_present && (!present || reinserted) {
        tracing::info!("lecteur {}: carte retirée", reader_id(&name));
        state.card_removed(&name);
    }
    if present && (!track.card_present || reinserted) {
        tracing::info!("lecteur {}: carte insérée", reader_id(&name));
        let generation = state.card_inserted(&name, rs.atr());
        workers.read(&name, generation, true, Some(rs.atr()));
    }
    *track = Track {
        card_present: present,
        event_count: count,
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_to_reach_the_service_are_a_second_apart() {
        let t0 = Instant::now();
        // The first attempt at once.
        assert_eq!(reconnect_wait(None, t0), None);
        // Right after a failure (service stopped, no service): the rest of the second.
        assert_eq!(reconnect_wait(Some(t0), t0), Some(RECONNECT_INTERVAL));
        assert_eq!(
            reconnect_wait(Some(t0), t0 + Duration::from_millis(300)),
            Some(Duration::from_millis(700))
        );
        assert_eq!(reconnect_wait(Some(t0), t0 + RECONNECT_INTERVAL), None);
        // A clock read before the attempt: the whole interval, never zero.
        assert_eq!(
            reconnect_wait(Some(t0 + Duration::from_millis(5)), t0),
            Some(RECONNECT_INTERVAL)
        );
    }

    #[test]
    fn windows_service_stop_with_the_last_reader_is_the_service_gone() {
        // SCARD_E_SERVICE_STOPPED (last reader unplugged), SCARD_E_NO_SERVICE (not running):
        // re-establish the context, through the one classifier.
        assert!(service_gone(Error::ServiceStopped));
        assert!(service_gone(Error::NoService));
        // No reader is not the service gone: the monitor waits on PnP.
        assert!(!service_gone(Error::NoReadersAvailable));
        assert!(!service_gone(Error::Timeout));
    }
}
