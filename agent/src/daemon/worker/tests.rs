use super::*;
use crate::api::tests::sample_card;
use crate::model::status::{ReadFailure, ReadFailureCode, ServiceState};
use crate::model::verdict::{Status, Verdict};
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
        _atr: Option<&[u8]>,
        known: Option<&CardReport>,
    ) -> Result<CardReport, ReadFailure> {
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
            return Err(ReadFailure {
                code: ReadFailureCode::CardError,
                message: "carte illisible".into(),
            });
        }
        Ok(sample_card("DUPONT", "01"))
    }
    fn judge(&self, _: &CardReport) -> Verdict {
        Verdict {
            status: Status::Ready,
            findings: Vec::new(),
            directory_name: None,
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
        workers.read(name, generation, true, None);
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
    workers.read(&names[0], generation, true, None);
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
    workers.read("Broken 0", generation, true, None);
    wait_until(|| state.snapshot().readers[0].read_error.is_some());
    assert_eq!(
        state.snapshot().readers[0]
            .read_error
            .as_ref()
            .map(|e| e.message.as_str()),
        Some("carte illisible")
    );
    workers.read("Broken 0", generation, false, None);
    std::thread::sleep(Duration::from_millis(20));
    assert!(workers.shutdown(Duration::from_secs(2)));
    // The read in progress at shutdown was finished, not abandoned.
    assert_eq!(cards.full_reads.load(Ordering::SeqCst), 2);
}
