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

use super::cards::CardSource;

/// While another application holds a card exclusively, its read is tried again this often.
pub const BUSY_RETRY: Duration = Duration::from_secs(1);
use super::state::{reader_id, DaemonState};
use crate::status::CardView;

/// A read to do: the card of insertion `generation`.
#[derive(Debug, Clone, Copy)]
struct Job {
    generation: u64,
    /// `true`: may use the quick recognition of the last card seen in this reader.
    quick: bool,
}

struct Worker {
    jobs: Sender<Job>,
    thread: JoinHandle<()>,
}

/// The set of reader workers.
pub struct Workers {
    state: Arc<DaemonState>,
    cards: Arc<dyn CardSource>,
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
            running: Mutex::new(HashMap::new()),
            finishing: Mutex::new(Vec::new()),
        }
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
        let reader = name.to_owned();
        let spawned = std::thread::Builder::new()
            .name(format!("cpx-reader-{}", reader_id(name)))
            .spawn(move || work(reader, queue, state, cards));
        match spawned {
            Ok(thread) => {
                running.insert(name.to_owned(), Worker { jobs, thread });
            }
            Err(error) => tracing::error!("lecteur {}: thread: {error}", reader_id(name)),
        }
    }

    /// Queues the read of the card of insertion `generation`.
    pub fn read(&self, name: &str, generation: u64, quick: bool) {
        if let Some(worker) = lock(&self.running).get(name) {
            let _ = worker.jobs.send(Job { generation, quick });
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

/// The JSON name of a kind or status (`CDE/CPE`, `not_ready`), for logs.
fn label<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "?".into(),
    }
}

fn work(reader: String, queue: Receiver<Job>, state: Arc<DaemonState>, cards: Arc<dyn CardSource>) {
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
        match cards.read(&c_name, known) {
            Ok(report) => {
                let verdict = cards.judge(&report);
                tracing::info!(
                    "lecteur {id}: carte lue ({}, {}), {} APDU en {} ms",
                    label(&report.kind),
                    label(&verdict.status),
                    report.apdu_count,
                    started.elapsed().as_millis()
                );
                last_seen = Some(report.clone());
                state.card_read(&reader, job.generation, CardView { report, verdict });
            }
            Err(failure) => {
                if state.read_failed(&reader, job.generation, failure.message.clone()) {
                    tracing::warn!("lecteur {id}: lecture impossible: {}", failure.message);
                }
                if failure.card_busy {
                    busy = Some(job);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::tests::sample_card;
    use crate::status::ServiceState;
    use crate::verdict::{Status, Verdict};
    use std::ffi::CStr;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Reads take `delay`; records whether a `known` card was offered.
    struct FakeCards {
        delay: Duration,
        quick_reads: AtomicUsize,
        full_reads: AtomicUsize,
        in_progress: AtomicUsize,
        most_at_once: AtomicUsize,
    }

    impl FakeCards {
        fn new(delay: Duration) -> Arc<FakeCards> {
            Arc::new(FakeCards {
                delay,
                quick_reads: AtomicUsize::new(0),
                full_reads: AtomicUsize::new(0),
                in_progress: AtomicUsize::new(0),
                most_at_once: AtomicUsize::new(0),
            })
        }
    }

    impl CardSource for FakeCards {
        fn read(
            &self,
            reader: &CStr,
            known: Option<&CardReport>,
        ) -> Result<CardReport, super::super::cards::ReadFailure> {
            let now = self.in_progress.fetch_add(1, Ordering::SeqCst) + 1;
            self.most_at_once.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(self.delay);
            self.in_progress.fetch_sub(1, Ordering::SeqCst);
            if known.is_some() {
                self.quick_reads.fetch_add(1, Ordering::SeqCst);
            } else {
                self.full_reads.fetch_add(1, Ordering::SeqCst);
            }
            if reader.to_bytes().starts_with(b"Broken") {
                return Err(String::from("carte illisible").into());
            }
            Ok(sample_card("DUPONT", "01"))
        }
        fn judge(&self, _: &CardReport) -> Verdict {
            Verdict {
                status: Status::Ready,
                findings: Vec::new(),
            }
        }
    }

    fn wait_until(what: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !what() {
            assert!(Instant::now() < deadline, "timed out");
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    #[test]
    fn readers_are_read_in_parallel_and_known_cards_quickly() {
        let state = Arc::new(DaemonState::new(ServiceState::Running));
        let cards = FakeCards::new(Duration::from_millis(200));
        let workers = Workers::new(state.clone(), cards.clone());
        let names: Vec<String> = (0..4).map(|i| format!("Reader {i}")).collect();
        for name in &names {
            state.reader_added(name);
            workers.start(name);
            let generation = state.card_inserted(name, &[0x3B]);
            workers.read(name, generation, true);
        }
        let all_read = || state.snapshot().readers.iter().all(|r| r.card.is_some());
        wait_until(all_read);
        assert!(
            cards.most_at_once.load(Ordering::SeqCst) > 1,
            "reads ran one after the other"
        );
        assert_eq!(cards.full_reads.load(Ordering::SeqCst), 4);

        // Same card again in reader 0: offered as known.
        state.card_removed(&names[0]);
        let generation = state.card_inserted(&names[0], &[0x3B]);
        workers.read(&names[0], generation, true);
        wait_until(|| cards.quick_reads.load(Ordering::SeqCst) == 1);
        // Refresh: a full read of every present card.
        wait_until(all_read);
        assert_eq!(workers.refresh(), 4);
        wait_until(|| cards.full_reads.load(Ordering::SeqCst) == 8);
        assert!(workers.shutdown(Duration::from_secs(2)));
    }

    #[test]
    fn a_failed_read_says_why_and_shutdown_waits_for_reads_in_progress() {
        let state = Arc::new(DaemonState::new(ServiceState::Running));
        let cards = FakeCards::new(Duration::from_millis(100));
        let workers = Workers::new(state.clone(), cards.clone());
        state.reader_added("Broken 0");
        workers.start("Broken 0");
        let generation = state.card_inserted("Broken 0", &[0x3B]);
        workers.read("Broken 0", generation, true);
        wait_until(|| state.snapshot().readers[0].read_error.is_some());
        assert_eq!(
            state.snapshot().readers[0].read_error.as_deref(),
            Some("carte illisible")
        );
        workers.read("Broken 0", generation, false);
        std::thread::sleep(Duration::from_millis(20));
        assert!(workers.shutdown(Duration::from_secs(2)));
        // The read in progress at shutdown was finished, not abandoned.
        assert_eq!(cards.full_reads.load(Ordering::SeqCst), 2);
    }
}
