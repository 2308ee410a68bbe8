//! The daemon's side of the technician's bench, wired by the composition root: the journal
//! hears every reader and card the workers see (through the writer's queue), and the API's
//! journal and diagnostics routes read the journal file, the state and the machine.

use std::net::SocketAddr;
use std::sync::Arc;

use time::OffsetDateTime;

use crate::api::bench::Bench;
use crate::config::Config;
use crate::daemon::worker::ReadObserver;
use crate::diagnostics::{self, AgentInfo, Inputs};
use crate::journal::{
    self, Journal, JournalHealth, JournalListing, JournalWriter, ListFilter, Sighting,
};
use crate::model::status::{CardView, ServiceState};
use crate::state::DaemonState;
use crate::text;

/// The workers' sightings go to the journal writer (a queue: never blocks a verdict).
pub struct JournalObserver(pub Arc<JournalWriter>);

impl ReadObserver for JournalObserver {
    fn reader_seen(&self, name: &str) {
        self.0.reader_seen(name);
    }

    fn card_read(&self, reader: &str, card: &CardView, insertion: bool) {
        self.0.card_seen(Sighting {
            reader: reader.to_owned(),
            card: card.clone(),
            insertion,
            batch: None,
        });
    }
}

pub struct DaemonBench {
    pub state: Arc<DaemonState>,
    pub config: Config,
    pub listen: SocketAddr,
    pub journal: Arc<JournalHealth>,
}

impl Bench for DaemonBench {
    fn journal(&self, since: Option<String>, kinds: Vec<String>) -> Result<String, String> {
        let path = journal::path(&self.config).ok_or_else(text::bench::journal_no_path)?;
        let listing = match Journal::open_existing(&path).map_err(|e| e.to_string())? {
            None => JournalListing {
                cards: Vec::new(),
                readers: Vec::new(),
            },
            Some(j) => JournalListing {
                cards: j
                    .cards(&ListFilter {
                        since,
                        kinds,
                        limit: None,
                    })
                    .map_err(|e| e.to_string())?,
                readers: j.readers().map_err(|e| e.to_string())?,
            },
        };
        serde_json::to_string(&listing).map_err(|e| e.to_string())
    }

    fn diagnostics(&self, authorised: bool, html: bool) -> String {
        let snapshot = self.state.snapshot();
        let pcsc_error = (snapshot.service == ServiceState::Unavailable)
            .then(|| text::pcsc::service_unavailable("SCardEstablishContext"));
        let journal_error =
            (!self.journal.available()).then(|| self.journal.last_error().unwrap_or_default());
        let report = diagnostics::gather(Inputs {
            config: &self.config,
            snapshot,
            pcsc_error,
            agent: AgentInfo {
                version: env!("CARGO_PKG_VERSION").to_owned(),
                source: "agent".into(),
                running: Some(true),
                listen: self.listen.to_string(),
            },
            events: Some(self.state.recent_events(diagnostics::EVENTS)),
            journal_error,
            now: OffsetDateTime::now_utc(),
        });
        let value = diagnostics::for_caller(&report, authorised);
        if html {
            diagnostics::html::render(&value, authorised)
        } else {
            value.to_string()
        }
    }
}
