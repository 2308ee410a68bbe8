//! The one state: the snapshot every face shows and the bounded, numbered log of events.
//! The monitor and reader workers write it (from their threads); the API only reads it.
//! Each change is serialised once (full and redacted) so `GET /v1/status` is a copy of bytes.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::body::Bytes;
use cpx_card::CardReport;
use time::OffsetDateTime;
use tokio::sync::broadcast;

use super::events::{Event, EventKind, PublishedEvent};
use super::publish::{serialise_both, Published};
use crate::status::{CardView, ReaderView, ServiceState, StatusSnapshot};
use crate::verdict::Verdict;

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
}

/// Stable id of a reader for `/v1/readers/{id}`: its name in lower case, runs of anything but
/// letters and digits turned into one `-` (`Virtual PCD 00 00` → `virtual-pcd-00-00`).
pub fn reader_id(name: &str) -> String {
    let mut id = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
    }
    while id.ends_with('-') {
        id.pop();
    }
    id
}

impl Default for DaemonState {
    fn default() -> Self {
        Self::new(ServiceState::Unavailable)
    }
}

impl DaemonState {
    pub fn new(service: ServiceState) -> DaemonState {
        let snapshot = StatusSnapshot {
            service,
            readers: Vec::new(),
        };
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

    /// The card last read in a reader, if it is still there.
    pub fn card_in(&self, reader_name: &str) -> Option<CardReport> {
        let inner = self.read();
        inner
            .snapshot
            .readers
            .iter()
            .find(|r| r.name == reader_name)
            .and_then(|r| r.card.as_ref())
            .map(|c| c.report.clone())
    }

    // ---- writing (monitor, workers) ---------------------------------------------------------

    /// Records that the PC/SC service is (un)available. Losing it forgets every reader.
    pub fn set_service(&self, service: ServiceState) {
        let mut inner = self.write();
        if inner.snapshot.service == service {
            return;
        }
        inner.snapshot.service = service;
        match service {
            ServiceState::Unavailable => {
                self.append(&mut inner, EventKind::ServiceLost);
                let readers = std::mem::take(&mut inner.snapshot.readers);
                inner.slots.clear();
                for reader in readers {
                    self.append(&mut inner, EventKind::ReaderRemoved { reader: reader.id });
                }
            }
            ServiceState::Running => self.append(&mut inner, EventKind::ServiceRestored),
        }
        self.republish(&mut inner);
    }

    pub fn reader_added(&self, name: &str) {
        let mut inner = self.write();
        if inner.snapshot.readers.iter().any(|r| r.name == name) {
            return;
        }
        let view = ReaderView {
            id: reader_id(name),
            name: name.to_owned(),
            card: None,
            read_error: None,
        };
        let event = EventKind::ReaderAdded {
            reader: view.id.clone(),
            name: name.to_owned(),
        };
        let at = inner
            .snapshot
            .readers
            .partition_point(|r| r.name.as_str() < name);
        inner.snapshot.readers.insert(at, view);
        inner.slots.insert(name.to_owned(), Slot::default());
        self.append(&mut inner, event);
        self.republish(&mut inner);
    }

    pub fn reader_removed(&self, name: &str) {
        let mut inner = self.write();
        let Some(at) = inner.snapshot.readers.iter().position(|r| r.name == name) else {
            return;
        };
        let reader = inner.snapshot.readers.remove(at);
        inner.slots.remove(name);
        self.append(&mut inner, EventKind::ReaderRemoved { reader: reader.id });
        self.republish(&mut inner);
    }

    /// A card was inserted: returns the insertion's generation, to hand back with its read.
    pub fn card_inserted(&self, name: &str, atr: &[u8]) -> u64 {
        let mut inner = self.write();
        let generation = inner.next_generation;
        inner.next_generation += 1;
        let Some(reader) = inner.snapshot.readers.iter_mut().find(|r| r.name == name) else {
            return generation;
        };
        reader.card = None;
        reader.read_error = None;
        let event = EventKind::CardInserted {
            reader: reader.id.clone(),
            atr: hex_atr(atr),
        };
        inner.slots.insert(
            name.to_owned(),
            Slot {
                generation,
                card_present: true,
            },
        );
        self.append(&mut inner, event);
        self.republish(&mut inner);
        generation
    }

    /// The read of insertion `generation` finished. Dropped (returns false) when that card has
    /// left the reader meanwhile.
    pub fn card_read(&self, name: &str, generation: u64, card: CardView) -> bool {
        let mut inner = self.write();
        if !Self::is_current(&inner, name, generation) {
            return false;
        }
        let Some(reader) = inner.snapshot.readers.iter_mut().find(|r| r.name == name) else {
            return false;
        };
        let previous = reader
            .card
            .as_ref()
            .filter(|old| old.report.serial == card.report.serial)
            .map(|old| old.verdict.status);
        reader.card = Some(card.clone());
        reader.read_error = None;
        let id = reader.id.clone();
        let to = card.verdict.status;
        self.append(
            &mut inner,
            EventKind::CardRead {
                reader: id.clone(),
                card: Box::new(card),
            },
        );
        if let Some(from) = previous.filter(|from| *from != to) {
            self.append(
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

    /// The read of insertion `generation` failed; `error` says why, in French. Returns false
    /// when dropped (card gone) or when it only repeats the failure already recorded.
    pub fn read_failed(&self, name: &str, generation: u64, error: String) -> bool {
        let mut inner = self.write();
        if !Self::is_current(&inner, name, generation) {
            return false;
        }
        let Some(reader) = inner.snapshot.readers.iter_mut().find(|r| r.name == name) else {
            return false;
        };
        if reader.read_error.as_deref() == Some(error.as_str()) {
            return false;
        }
        self.counters.read_errors.fetch_add(1, Ordering::Relaxed);
        reader.card = None;
        reader.read_error = Some(error.clone());
        let event = EventKind::ReadFailed {
            reader: reader.id.clone(),
            error,
        };
        self.append(&mut inner, event);
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
        let Some(reader) = inner.snapshot.readers.iter_mut().find(|r| r.name == name) else {
            return;
        };
        reader.card = None;
        reader.read_error = None;
        let event = EventKind::CardRemoved {
            reader: reader.id.clone(),
        };
        self.append(&mut inner, event);
        self.republish(&mut inner);
    }

    /// Judges every card again (a date may have crossed a horizon); `verdict_changed` for each
    /// whose status moved.
    pub fn rejudge(&self, judge: impl Fn(&CardReport) -> Verdict) {
        let mut inner = self.write();
        let mut changes = Vec::new();
        for reader in &mut inner.snapshot.readers {
            if let Some(card) = &mut reader.card {
                let verdict = judge(&card.report);
                if verdict != card.verdict {
                    let from = card.verdict.status;
                    let to = verdict.status;
                    card.verdict = verdict;
                    if from != to {
                        changes.push(EventKind::VerdictChanged {
                            reader: reader.id.clone(),
                            from,
                            to,
                        });
                    }
                }
            }
        }
        for change in changes {
            self.append(&mut inner, change);
        }
        self.republish(&mut inner);
    }

    fn is_current(inner: &Inner, name: &str, generation: u64) -> bool {
        inner
            .slots
            .get(name)
            .is_some_and(|slot| slot.card_present && slot.generation == generation)
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

/// ATR as the card layer writes it: upper-case hex, spaced.
pub fn hex_atr(atr: &[u8]) -> String {
    atr.iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests;
