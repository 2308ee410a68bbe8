//! Reader workers: one thread per reader, so cards are read in parallel and a slow card never
//! holds up the monitor or the async runtime. A worker reads the card of one insertion, judges
//! it and writes the result to the state; a read that ends after its card left is dropped by
//! the state. The worker remembers the last card read in its reader: re-inserting that card
//! is recognised with a few APDUs (`cpx_card::read_reader`'s `known`).

use std::collections::HashMap;
use std::ffi::CString;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cpx_card::CardReport;

use crate::model::status::{reader_id, CardView};
use crate::reading::CardSource;
use crate::state::DaemonState;

/// While another application holds a card exclusively, its read is tried again this often.
pub const BUSY_RETRY: Duration = Duration::from_secs(1);

/// A read to do: the card of insertion `generation`.
#[derive(Debug, Clone)]
struct Job {
    generation: u64,
    /// `true`: may use the quick recognition of the last card seen in this reader.
    quick: bool,
    /// The card's ATR, when the monitor saw it.
    atr: Option<Vec<u8>>,
}

/// Who else hears of each reader and card seen (the journal, wired by `cli::run`). Called on a
/// worker's thread once the state has the result: it must not block (queue and return).
pub trait ReadObserver: Send + Sync {
    fn reader_seen(&self, name: &str);
    /// `insertion`: a card just put in (`false`: the same card read again on request).
    fn card_read(&self, reader: &str, card: &CardView, insertion: bool);
}

struct Worker {
    jobs: Sender<Job>,
    thread: JoinHandle<()>,
}

/// The set of reader workers.
pub struct Workers {
    state: Arc<DaemonState>,
    cards: Arc<dyn CardSource>,
    observer: Option<Arc<dyn ReadObserver>>,
    running: Mutex<HashMap<String, Worker>>,
    /// Threads of removed readers, still finishing a read.
    finishing: Mutex<Vec<JoinHandle<()>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Workers {
    pub fn new(state: Arc<DaemonState>, cards: Arc<dyn CardSource>) -> Workers {
        Workers {
            state,
            cards,
            observer: None,
            running: Mutex::new(HashMap::new()),
            finishing: Mutex::new(Vec::new()),
        }
    }

    /// Tells `observer` of every reader started and card read.
    pub fn observed_by(mut self, observer: Arc<dyn ReadObserver>) -> Workers {
        self.observer = Some(observer);
        self
    }

    /// Starts the worker of a new reader.
    pub fn start(&self, name: &str) {
        let mut running = lock(&self.running);
        if running.contains_key(name) {
            return;
        }
        let (jobs, queue) = mpsc::channel();
        let state = self.state.clone();
        let cards = self.cards.clone();
        let observer = self.observer.clone();
        if let Some(o) = &observer {
            o.reader_seen(name);
        }
        let reader = name.to_owned();
        let spawned = std::thread::Builder::new()
            .name(format!("cpx-reader-{}", reader_id(name)))
            .spawn(move || work(reader, queue, state, cards, observer));
        match spawned {
            Ok(thread) => {
                running.insert(name.to_owned(), Worker { jobs, thread });
            }
            Err(error) => tracing::error!("lecteur {}: thread: {error}", reader_id(name)),
        }
    }

    /// Queues the read of the card of insertion `generation` (ATR `atr`, when known).
    pub fn read(&self, name: &str, generation: u64, quick: bool, atr: Option<&[u8]>) {
        if let Some(worker) = lock(&self.running).get(name) {
            let _ = worker.jobs.send(Job {
                generation,
                quick,
                atr: atr.map(<[u8]>::to_vec),
            });
        }
    }

    /// Reads every present card again, fully. Returns how many reads were queued.
    pub fn refresh(&self) -> usize {
        let running = lock(&self.running);
        self.state
            .cards_present()
            .into_iter()
            .filter(|(name, generation)| {
                running.get(name).is_some_and(|w| {
                    w.jobs
                        .send(Job {
                            generation: *generation,
                            quick: false,
                            atr: None,
                        })
                        .is_ok()
                })
            })
            .count()
    }

    /// The reader is gone: its worker ends after the read in progress, if any.
    pub fn stop(&self, name: &str) {
        if let Some(worker) = lock(&self.running).remove(name) {
            drop(worker.jobs);
            lock(&self.finishing).push(worker.thread);
        }
    }

    pub fn stop_all(&self) {
        let names: Vec<String> = lock(&self.running).keys().cloned().collect();
        for name in names {
            self.stop(&name);
        }
    }

    /// Stops every worker and waits (up to `grace`) for reads in progress to end, so no card
    /// is left in the middle of a transaction. Returns `false` if some did not end in time.
    pub fn shutdown(&self, grace: Duration) -> bool {
        self.stop_all();
        let deadline = Instant::now() + grace;
        let mut threads = std::mem::take(&mut *lock(&self.finishing));
        while Instant::now() < deadline {
            threads.retain(|t| !t.is_finished());
            if threads.is_empty() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        threads.retain(|t| !t.is_finished());
        threads.is_empty()
    }
}

fn work(
    reader: String,
    queue: Receiver<Job>,
    state: Arc<DaemonState>,
    cards: Arc<dyn CardSource>,
    observer: Option<Arc<dyn ReadObserver>>,
) {
    let id = reader_id(&reader);
    let Ok(c_name) = CString::new(reader.as_bytes()) else {
        return;
    };
    let mut last_seen: Option<CardReport> = None;
    let mut busy: Option<Job> = None;
    loop {
        let mut job = match busy.take() {
            None => match queue.recv() {
                Ok(job) => job,
                Err(_) => return,
            },
            Some(pending) => match queue.recv_timeout(BUSY_RETRY) {
                Ok(job) => job,
                // Still the same card, still unread: try again.
                Err(RecvTimeoutError::Timeout)
                    if state.failed_read(&reader) == Some(pending.generation) =>
                {
                    pending
                }
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return,
            },
        };
        // Only the latest insertion matters.
        while let Ok(newer) = queue.try_recv() {
            job = newer;
        }
        let started = Instant::now();
        let known = if job.quick { last_seen.as_ref() } else { None };
        match cards.read(&c_name, job.atr.as_deref(), known) {
            Ok(report) => {
                let verdict = cards.judge(&report);
                tracing::info!(
                    "lecteur {id}: carte lue ({}, {}), {} APDU en {} ms",
                    crate::model::label(&report.kind),
                    crate::model::label(&verdict.status),
                    report.apdu_count,
                    started.elapsed().as_millis()
                );
                last_seen = Some(report.clone());
                let view = CardView::new(report, verdict);
                let seen = observer.as_ref().map(|o| (o, view.clone()));
                if state.card_read(&reader, job.generation, view) {
                    if let Some((o, view)) = seen {
                        o.card_read(&reader, &view, job.quick);
                    }
                }
            }
            Err(failure) => {
                let retry = crate::model::status::retry_alone(failure.code);
                let message = failure.message.clone();
                if state.read_failed(&reader, job.generation, failure) {
                    tracing::warn!("lecteur {id}: lecture impossible: {message}");
                }
                if retry {
                    busy = Some(job);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
