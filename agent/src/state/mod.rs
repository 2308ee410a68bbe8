//! The one state: the snapshot every face shows and the bounded, numbered log of events.
//! The daemon (monitor and reader workers) writes it, from its threads; the faces (API, SSE,
//! metrics) only read it. Every change is an event applied with the one reducer
//! (`crate::model::reduce`) and logged; each change is serialised once (full and redacted) so
//! `GET /v1/status` is a copy of bytes.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::body::Bytes;
use cpx_card::CardReport;
use time::OffsetDateTime;
use tokio::sync::broadcast;

use crate::model::checklist::ChecklistSummary;
use crate::model::events::{Event, EventKind};
use crate::model::reduce;
use crate::model::status::{
    reader_id, CardView, DirectoryStatus, ReadFailure, ServiceState, StatusSnapshot,
};
use crate::model::verdict::Verdict;
use card_id::CardIds;
use publish::{serialise_both, Published, PublishedEvent};

pub mod card_id;
pub mod publish;

/// Events kept for `Last-Event-ID` resumption.
pub const EVENT_LOG_CAPACITY: usize = 1024;
/// Events buffered per SSE client before it is told it fell behind.
const BROADCAST_CAPACITY: usize = 256;

/// Counters for `/metrics`.
#[derive(Debug, Default)]
pub struct Counters {
    pub read_errors: AtomicU64,
    pub api_requests: AtomicU64,
}

/// What a new SSE client gets, taken atomically: the state as of `last_id`, and every later event.
pub struct Subscription {
    pub snapshot: Published,
    pub last_id: u64,
    /// Events after the client's `Last-Event-ID`, or `Err(Gap)` when they left the log.
    pub replay: Result<Vec<Arc<PublishedEvent>>, Gap>,
    pub receiver: broadcast::Receiver<Arc<PublishedEvent>>,
}

/// The events a client asked to resume from are no longer in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    pub oldest_kept: u64,
}

/// Per reader: which insertion the current card is, so a read that ends after its card left
/// (or was replaced) is dropped.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    generation: u64,
    card_present: bool,
}

struct Inner {
    snapshot: StatusSnapshot,
    published: Published,
    log: VecDeque<Arc<PublishedEvent>>,
    last_id: u64,
    slots: HashMap<String, Slot>,
    next_generation: u64,
}

pub struct DaemonState {
    inner: RwLock<Inner>,
    events: broadcast::Sender<Arc<PublishedEvent>>,
    pub counters: Counters,
    /// Opaque per-run ids of the cards (`card_id`).
    card_ids: CardIds,
}

impl Default for DaemonState {
    fn default() -> Self {
        Self::new(ServiceState::Unavailable)
    }
}

impl DaemonState {
    pub fn new(service: ServiceState) -> DaemonState {
        let snapshot = StatusSnapshot::new(service, Vec::new());
        let (events, _) = broadcast::channel(BROADCAST_CAPACITY);
        DaemonState {
            inner: RwLock::new(Inner {
                published: Published::of(&snapshot),
                snapshot,
                log: VecDeque::with_capacity(EVENT_LOG_CAPACITY),
                last_id: 0,
                slots: HashMap::new(),
                next_generation: 1,
            }),
            events,
            counters: Counters::default(),
            card_ids: CardIds::new(),
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, Inner> {
        // A panic elsewhere while holding the lock leaves data that is still consistent enough
        // to show: never take the API down for it.
        self.inner
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner> {
        self.inner
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    // ---- reading (API) ----------------------------------------------------------------------

    /// `GET /v1/status`, pre-serialised.
    pub fn status_json(&self, authorised: bool) -> Bytes {
        self.read().published.get(authorised)
    }

    /// A copy of the snapshot (for `/v1/readers`, `/metrics`).
    pub fn snapshot(&self) -> StatusSnapshot {
        self.read().snapshot.clone()
    }

    pub fn snapshot_service(&self) -> ServiceState {
        self.read().snapshot.service
    }

    pub fn last_event_id(&self) -> u64 {
        self.read().last_id
    }

    /// Subscribes to events. With `resume_after` (the client's `Last-Event-ID`), also returns the
    /// logged events after it, or a `Gap` when some of them were dropped from the log.
    pub fn subscribe(&self, resume_after: Option<u64>) -> Subscription {
        let inner = self.read();
        // Subscribing under the lock: no event can fall between the snapshot and the receiver.
        let receiver = self.events.subscribe();
        let replay = match resume_after {
            None => Ok(Vec::new()),
            Some(after) => {
                let oldest_kept = inner.log.front().map_or(inner.last_id + 1, |e| e.id);
                if after > inner.last_id || after + 1 < oldest_kept {
                    Err(Gap { oldest_kept })
                } else {
                    Ok(inner.log.iter().filter(|e| e.id > after).cloned().collect())
                }
            }
        };
        Subscription {
            snapshot: inner.published.clone(),
            last_id: inner.last_id,
            replay,
            receiver,
        }
    }

    /// The last `n` events of the log, full JSON, oldest first (the diagnostics report).
    pub fn recent_events(&self, n: usize) -> Vec<serde_json::Value> {
        let inner = self.read();
        let skip = inner.log.len().saturating_sub(n);
        inner
            .log
            .iter()
            .skip(skip)
            .filter_map(|e| serde_json::from_str(&e.full).ok())
            .collect()
    }

    /// Readers holding a card, with the insertion each card is (for `POST /v1/refresh`).
    pub fn cards_present(&self) -> Vec<(String, u64)> {
        let inner = self.read();
        let mut present: Vec<_> = inner
            .slots
            .iter()
            .filter(|(_, slot)| slot.card_present)
            .map(|(name, slot)| (name.clone(), slot.generation))
            .collect();
        present.sort();
        present
    }

    /// The insertion whose read failed in this reader, if its card is still there.
    pub fn failed_read(&self, reader_name: &str) -> Option<u64> {
        let inner = self.read();
        let failed = inner
            .snapshot
            .readers
            .iter()
            .any(|r| r.name == reader_name && r.read_error.is_some());
        let slot = inner.slots.get(reader_name)?;
        (failed && slot.card_present).then_some(slot.generation)
    }

    // ---- writing (monitor, workers) ---------------------------------------------------------

    /// Records that the PC/SC service is (un)available. Losing it forgets every reader.
    pub fn set_service(&self, service: ServiceState) {
        let mut inner = self.write();
        if inner.snapshot.service == service {
            return;
        }
        match service {
            ServiceState::Unavailable => {
                let readers: Vec<String> = inner
                    .snapshot
                    .readers
                    .iter()
                    .map(|r| r.id.clone())
                    .collect();
                inner.slots.clear();
                self.emit(&mut inner, EventKind::ServiceLost);
                for reader in readers {
                    self.emit(&mut inner, EventKind::ReaderRemoved { reader });
                }
            }
            ServiceState::Running => self.emit(&mut inner, EventKind::ServiceRestored),
        }
        self.republish(&mut inner);
    }

    pub fn reader_added(&self, name: &str) {
        let mut inner = self.write();
        if inner.slots.contains_key(name) {
            return;
        }
        inner.slots.insert(name.to_owned(), Slot::default());
        let event = EventKind::ReaderAdded {
            reader: reader_id(name),
            name: name.to_owned(),
        };
        self.emit(&mut inner, event);
        self.republish(&mut inner);
    }

    pub fn reader_removed(&self, name: &str) {
        let mut inner = self.write();
        if inner.slots.remove(name).is_none() {
            return;
        }
        self.emit(
            &mut inner,
            EventKind::ReaderRemoved {
                reader: reader_id(name),
            },
        );
        self.republish(&mut inner);
    }

    /// A card was inserted: returns the insertion's generation, to hand back with its read.
    pub fn card_inserted(&self, name: &str, atr: &[u8]) -> u64 {
        let mut inner = self.write();
        let generation = inner.next_generation;
        inner.next_generation += 1;
        let Some(slot) = inner.slots.get_mut(name) else {
            return generation;
        };
        *slot = Slot {
            generation,
            card_present: true,
        };
        let event = EventKind::CardInserted {
            reader: reader_id(name),
            atr: cpx_card::atr::atr_hex(atr),
        };
        self.emit(&mut inner, event);
        self.republish(&mut inner);
        generation
    }

    /// The read of insertion `generation` finished. Dropped (returns false) when that card has
    /// left the reader meanwhile.
    pub fn card_read(&self, name: &str, generation: u64, mut card: CardView) -> bool {
        card.card_id = self.card_ids.of(&card.report);
        let mut inner = self.write();
        if !Self::is_current(&inner, name, generation) {
            return false;
        }
        let id = reader_id(name);
        let previous = Self::card_of(&inner, &id)
            .filter(|old| old.report.serial == card.report.serial)
            .map(|old| old.verdict.status);
        let to = card.verdict.status;
        self.emit(
            &mut inner,
            EventKind::CardRead {
                reader: id.clone(),
                card: Box::new(card),
            },
        );
        if let Some(from) = previous.filter(|from| *from != to) {
            self.emit(
                &mut inner,
                EventKind::VerdictChanged {
                    reader: id,
                    from,
                    to,
                },
            );
        }
        self.republish(&mut inner);
        true
    }

    /// The read of insertion `generation` failed. Returns false when dropped (card gone) or
    /// when it only repeats the failure already recorded.
    pub fn read_failed(&self, name: &str, generation: u64, error: ReadFailure) -> bool {
        let mut inner = self.write();
        if !Self::is_current(&inner, name, generation) {
            return false;
        }
        let id = reader_id(name);
        let Some(reader) = inner.snapshot.readers.iter().find(|r| r.id == id) else {
            return false;
        };
        if reader.read_error.as_ref() == Some(&error) {
            return false;
        }
        self.counters.read_errors.fetch_add(1, Ordering::Relaxed);
        self.emit(&mut inner, EventKind::ReadFailed { reader: id, error });
        self.republish(&mut inner);
        true
    }

    pub fn card_removed(&self, name: &str) {
        let mut inner = self.write();
        let Some(slot) = inner.slots.get_mut(name) else {
            return;
        };
        if !slot.card_present {
            return;
        }
        slot.card_present = false;
        self.emit(
            &mut inner,
            EventKind::CardRemoved {
                reader: reader_id(name),
            },
        );
        self.republish(&mut inner);
    }

    /// What the local FINESS directory is now (at start, after an import or an update):
    /// `directory_updated` when it changed.
    pub fn set_directory(&self, directory: Option<DirectoryStatus>) {
        let mut inner = self.write();
        if inner.snapshot.finess_directory == directory {
            return;
        }
        self.emit(&mut inner, EventKind::DirectoryUpdated { directory });
        self.republish(&mut inner);
    }

    /// Whether a card is being read (inserted, neither read nor failed yet): the daemon's own
    /// heavy work (a FINESS update) waits for none.
    pub fn reading_in_progress(&self) -> bool {
        let inner = self.read();
        inner.snapshot.readers.iter().any(|r| {
            r.card.is_none()
                && r.read_error.is_none()
                && inner.slots.get(&r.name).is_some_and(|s| s.card_present)
        })
    }

    /// The cards present and read, with their insertion: what a re-judgement looks at. Taken
    /// under the read lock; the judging itself (which may open the FINESS directory) happens
    /// outside any lock, and `rejudged` applies its results.
    pub fn cards_read(&self) -> Vec<(String, u64, CardReport)> {
        let inner = self.read();
        inner
            .snapshot
            .readers
            .iter()
            .filter_map(|r| {
                let card = r.card.as_ref()?;
                let slot = inner.slots.get(&r.name)?;
                slot.card_present
                    .then(|| (r.name.clone(), slot.generation, card.report.clone()))
            })
            .collect()
    }

    /// New verdicts on cards still present (a date crossed a horizon, the directory or the
    /// configuration changed); `verdict_changed` for each whose status moved.
    pub fn rejudged(&self, verdicts: Vec<(String, u64, Verdict)>) {
        let mut inner = self.write();
        let mut changed = false;
        for (name, generation, verdict) in verdicts {
            if !Self::is_current(&inner, &name, generation) {
                continue;
            }
            let id = reader_id(&name);
            let Some(card) = inner
                .snapshot
                .readers
                .iter_mut()
                .find(|r| r.id == id)
                .and_then(|r| r.card.as_mut())
            else {
                continue;
            };
            if card.verdict == verdict {
                continue;
            }
            let (from, to) = (card.verdict.status, verdict.status);
            // The findings change without an event of their own (their status may stay).
            card.verdict = verdict;
            changed = true;
            if from != to {
                self.emit(
                    &mut inner,
                    EventKind::VerdictChanged {
                        reader: id,
                        from,
                        to,
                    },
                );
            }
        }
        if changed {
            self.republish(&mut inner);
        }
    }

    /// The démarche's summary, as the checklist was last evaluated: `checklist_changed` when it
    /// differs from the one in the snapshot. Returns whether it did.
    pub fn checklist_changed(&self, summary: ChecklistSummary) -> bool {
        let mut inner = self.write();
        if inner.snapshot.checklist.as_ref() == Some(&summary) {
            return false;
        }
        self.emit(
            &mut inner,
            EventKind::ChecklistChanged { checklist: summary },
        );
        self.republish(&mut inner);
        true
    }

    /// The configuration was read again and applied (`mode`: the contract's, if any).
    pub fn config_reloaded(&self, mode: Option<String>) {
        let mut inner = self.write();
        self.emit(&mut inner, EventKind::ConfigReloaded { mode });
    }

    fn card_of<'a>(inner: &'a Inner, id: &str) -> Option<&'a CardView> {
        inner
            .snapshot
            .readers
            .iter()
            .find(|r| r.id == id)
            .and_then(|r| r.card.as_ref())
    }

    fn is_current(inner: &Inner, name: &str, generation: u64) -> bool {
        inner
            .slots
            .get(name)
            .is_some_and(|slot| slot.card_present && slot.generation == generation)
    }

    /// Applies the event to the snapshot (the one reducer) and logs it.
    fn emit(&self, inner: &mut Inner, kind: EventKind) {
        // The daemon's own events always fit its snapshot; a mismatch changes nothing.
        let _ = reduce::apply(&mut inner.snapshot, &kind);
        self.append(inner, kind);
    }

    fn append(&self, inner: &mut Inner, kind: EventKind) {
        inner.last_id += 1;
        let name = kind.name();
        let event = Event {
            id: inner.last_id,
            at: OffsetDateTime::now_utc(),
            kind,
        };
        let (full, redacted) = serialise_both(&event);
        let published = Arc::new(PublishedEvent {
            id: event.id,
            name,
            full,
            redacted,
        });
        if inner.log.len() == EVENT_LOG_CAPACITY {
            inner.log.pop_front();
        }
        inner.log.push_back(published.clone());
        // No subscriber is not an error.
        let _ = self.events.send(published);
    }

    fn republish(&self, inner: &mut Inner) {
        inner.published = Published::of(&inner.snapshot);
    }
}

#[cfg(test)]
mod tests;
