//! The daemon's journal writer: a background thread behind a bounded queue, so a verdict never
//! waits on the disk. The reader workers hand it what they saw (`try_send`: a full queue drops
//! the sighting rather than block). A write that fails (full disk, broken or locked file) makes
//! the journal "unavailable" (logged once, shown by the diagnostics); the writer then tries to
//! open the file again at most every `REOPEN_EVERY`, and the agent keeps judging cards all along.
//! Old entries are purged at start and once a day (`[journal] keep_days`).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use super::entry::Sighting;
use super::store::{Journal, JournalError};
use crate::finess::Directory;

/// Sightings waiting to be written; beyond, new ones are dropped (and counted).
pub const QUEUE: usize = 256;
/// How often a journal that failed is tried again.
const REOPEN_EVERY: Duration = Duration::from_secs(10);
/// How often old entries are purged.
const PURGE_EVERY: Duration = Duration::from_secs(24 * 3600);

/// Whether the journal works, for the diagnostics.
#[derive(Debug, Default)]
pub struct JournalHealth {
    unavailable: AtomicBool,
    dropped: AtomicU64,
    written: AtomicU64,
    last_error: Mutex<Option<String>>,
}

impl JournalHealth {
    pub fn available(&self) -> bool {
        !self.unavailable.load(Ordering::SeqCst)
    }

    /// The last error (French), while unavailable.
    pub fn last_error(&self) -> Option<String> {
        self.last_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Sightings not written because the queue was full or the journal unavailable.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    fn failed(&self, error: &JournalError) {
        let message = error.to_string();
        if !self.unavailable.swap(true, Ordering::SeqCst) {
            tracing::warn!("{message}");
        }
        *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(message);
    }

    fn succeeded(&self) {
        if self.unavailable.swap(false, Ordering::SeqCst) {
            tracing::info!("{}", crate::text::bench::journal_back());
        }
        *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = None;
        self.written.fetch_add(1, Ordering::Relaxed);
    }
}

enum Message {
    Reader(String, OffsetDateTime),
    Card(Box<Sighting>, OffsetDateTime),
    Flush(SyncSender<()>),
}

/// The handle the daemon writes through.
pub struct JournalWriter {
    queue: SyncSender<Message>,
    health: Arc<JournalHealth>,
}

/// Where the writer writes, and what it needs around it.
#[derive(Debug, Clone)]
pub struct WriterConfig {
    /// The journal file (`None`: no data dir; the journal is unavailable).
    pub path: Option<PathBuf>,
    /// The FINESS directory, for the structures' EJ/EG role.
    pub directory: Option<PathBuf>,
    pub keep_days: u32,
}

impl JournalWriter {
    /// Starts the writer thread.
    pub fn start(config: WriterConfig) -> JournalWriter {
        let (queue, inbox) = mpsc::sync_channel(QUEUE);
        let health = Arc::new(JournalHealth::default());
        let thread_health = health.clone();
        let spawned = std::thread::Builder::new()
            .name("cpx-journal".into())
            .spawn(move || write_loop(config, inbox, thread_health));
        if let Err(e) = spawned {
            health.failed(&JournalError::Io {
                path: PathBuf::new(),
                source: e,
            });
        }
        JournalWriter { queue, health }
    }

    pub fn health(&self) -> Arc<JournalHealth> {
        self.health.clone()
    }

    /// A reader was seen now.
    pub fn reader_seen(&self, name: &str) {
        self.send(Message::Reader(name.to_owned(), OffsetDateTime::now_utc()));
    }

    /// A card was read and judged now.
    pub fn card_seen(&self, sighting: Sighting) {
        self.send(Message::Card(Box::new(sighting), OffsetDateTime::now_utc()));
    }

    fn send(&self, message: Message) {
        match self.queue.try_send(message) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                self.health.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Waits (at most `wait`) until what was queued before is written (tests, shutdown).
    pub fn flush(&self, wait: Duration) -> bool {
        let (done, finished) = mpsc::sync_channel(1);
        if self.queue.send(Message::Flush(done)).is_err() {
            return false;
        }
        finished.recv_timeout(wait).is_ok()
    }
}

fn purge_before(keep_days: u32) -> String {
    super::timestamp(OffsetDateTime::now_utc() - time::Duration::days(i64::from(keep_days)))
}

fn write_loop(config: WriterConfig, inbox: Receiver<Message>, health: Arc<JournalHealth>) {
    let mut journal: Option<Journal> = None;
    let mut last_open: Option<Instant> = None;
    let mut last_purge: Option<Instant> = None;
    loop {
        let message = match inbox.recv_timeout(PURGE_EVERY) {
            Ok(m) => Some(m),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if let Some(Message::Flush(done)) = &message {
            let _ = done.send(());
            continue;
        }
        if journal.is_none() && last_open.is_none_or(|t| t.elapsed() >= REOPEN_EVERY) {
            last_open = Some(Instant::now());
            match &config.path {
                None => health.failed(&JournalError::NoPath),
                Some(path) => match Journal::open(path) {
                    Ok(j) => journal = Some(j),
                    Err(e) => health.failed(&e),
                },
            }
        }
        let Some(open) = &journal else {
            if message.is_some() {
                health.dropped.fetch_add(1, Ordering::Relaxed);
            }
            continue;
        };
        if last_purge.is_none_or(|t| t.elapsed() >= PURGE_EVERY) {
            last_purge = Some(Instant::now());
            match open.purge(&purge_before(config.keep_days)) {
                Ok(p) if p.cards + p.readers > 0 => {
                    tracing::info!(
                        "journal : {} carte(s) et {} lecteur(s) de plus de {} jours oubliés",
                        p.cards,
                        p.readers,
                        config.keep_days
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("{e}"),
            }
        }
        let written = match message {
            None | Some(Message::Flush(_)) => continue,
            Some(Message::Reader(name, at)) => open.record_reader(&name, &super::timestamp(at)),
            Some(Message::Card(sighting, at)) => {
                let role = structure_role(config.directory.as_deref(), &sighting);
                open.record_card(&sighting, role, &super::timestamp(at))
            }
        };
        match written {
            Ok(()) => health.succeeded(),
            Err(e) => {
                health.failed(&e);
                health.dropped.fetch_add(1, Ordering::Relaxed);
                // Open it again later: the file may have been replaced or the disk freed.
                journal = None;
            }
        }
    }
}

/// `EJ` or `EG` for the card's structure FINESS, from the local directory when it knows it.
pub fn structure_role(directory: Option<&std::path::Path>, sighting: &Sighting) -> Option<String> {
    let structure = sighting.card.report.structure.as_ref()?;
    if structure.id_type != cpx_card::StructureIdType::Finess {
        return None;
    }
    let dir = Directory::open(directory?).ok()??;
    let entity = dir.get(&structure.number).ok()??;
    entity.kind.map(|k| k.code().to_owned())
}
