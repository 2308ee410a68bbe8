//! The organisation's side of the running agent, wired here in the composition root: the
//! RPPS+ checklist (its store, evaluated with the live state), the contract (setup, reload)
//! and the eligibility helper, behind the API's `Organisation` port. It also follows the
//! state's events (`follow`): each card read or reader seen is recorded in the checklist's
//! store and the checklist evaluated again, on a blocking thread, never on a verdict's path;
//! a changed summary becomes a `checklist_changed` event.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use time::OffsetDateTime;

use crate::api::organisation::{Organisation, PortError, ReloadAnswer};
use crate::checklist::evaluate::day;
use crate::checklist::store::Store;
use crate::checklist::{evaluate_now, seen, tick};
use crate::config::Config;
use crate::model::checklist::{Checklist, TickRequest};
use crate::model::setup::{
    EligibilityAnswer, EligibilityRequest, FinessLookup, SetupAnswer, SetupRequest,
};
use crate::reading::{CardSource, Pipeline};
use crate::state::DaemonState;
use crate::text::{checklist as texte_checklist, run as texte, setup as texte_setup};

pub struct OrganisationService {
    state: Arc<DaemonState>,
    pipeline: Arc<Pipeline>,
    /// `--config`, when given (else the default file, if any).
    explicit_config: Option<PathBuf>,
    /// Opened at first use; `None` again after a failure, to retry.
    store: Mutex<Option<Store>>,
    /// One evaluation at a time (a tick and a card may arrive together).
    evaluating: Mutex<()>,
}

impl OrganisationService {
    pub fn new(
        state: Arc<DaemonState>,
        pipeline: Arc<Pipeline>,
        explicit_config: Option<PathBuf>,
    ) -> OrganisationService {
        OrganisationService {
            state,
            pipeline,
            explicit_config,
            store: Mutex::new(None),
            evaluating: Mutex::new(()),
        }
    }

    /// Runs `work` on the store, opening it if needed.
    fn with_store<T>(
        &self,
        work: impl FnOnce(&mut Store) -> Result<T, PortError>,
    ) -> Result<T, PortError> {
        let mut guard = self.store.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            *guard =
                Some(Store::open_default().map_err(|e| PortError::Unavailable(e.to_string()))?);
        }
        let Some(store) = guard.as_mut() else {
            return Err(PortError::Unavailable(texte_checklist::NO_DATA_DIR.into()));
        };
        let result = work(store);
        if matches!(result, Err(PortError::Unavailable(_))) {
            *guard = None;
        }
        result
    }

    /// Records what the live state shows (establishment cards, a reader), then evaluates the
    /// checklist and publishes its summary. Blocking.
    pub fn record_and_evaluate(&self) -> Result<Checklist, PortError> {
        let _one = self.evaluating.lock().unwrap_or_else(|e| e.into_inner());
        let snapshot = self.state.snapshot();
        let now = OffsetDateTime::now_utc();
        let today = day(now);
        let config = self.pipeline.config();
        let checklist = self.with_store(|store| {
            let unavailable =
                |e: crate::checklist::store::StoreError| PortError::Unavailable(e.to_string());
            if !snapshot.readers.is_empty() {
                store.record_reader(&today).map_err(unavailable)?;
            }
            for card in snapshot.readers.iter().filter_map(|r| r.card.as_ref()) {
                if let Some(fact) = seen::fact(card, &today) {
                    store.record_card(&fact).map_err(unavailable)?;
                }
            }
            evaluate_now(&config, store, Some(&snapshot), now).map_err(unavailable)
        })?;
        self.state.checklist_changed(checklist.summary.clone());
        Ok(checklist)
    }

    /// Judges the cards present again with the configuration in force.
    fn rejudge(&self) {
        super::rejudge(&self.state, self.pipeline.as_ref() as &dyn CardSource);
    }

    fn load_config(&self) -> Result<Config, PortError> {
        Config::load(self.explicit_config.as_deref()).map_err(|e| PortError::Refused(e.to_string()))
    }
}

impl Organisation for OrganisationService {
    fn checklist(&self) -> Result<Checklist, PortError> {
        self.record_and_evaluate()
    }

    fn tick(&self, id: &str, request: &TickRequest, origin: &str) -> Result<Checklist, PortError> {
        let config = self.pipeline.config();
        let entry = tick::entry(
            id,
            request,
            config.contract.as_ref(),
            &tick::os_user(),
            origin,
            OffsetDateTime::now_utc(),
        )
        .map_err(|e| PortError::Refused(e.to_string()))?;
        self.with_store(|store| {
            store
                .record(&entry)
                .map_err(|e| PortError::Unavailable(e.to_string()))
        })?;
        tracing::info!(step = %entry.step, action = %entry.action, "démarche RPPS+ : étape {}", entry.action);
        self.record_and_evaluate()
    }

    fn reload(&self) -> Result<ReloadAnswer, PortError> {
        let config = self.load_config()?;
        let old = self.pipeline.config();
        let restart_needed = old.api != config.api;
        let path = config.source.as_ref().map(|p| p.display().to_string());
        let mode = config.contract_mode().map(|m| m.as_str().to_string());
        let contract = crate::setup::describe(config.contract.as_ref());
        self.pipeline.set_config(config);
        self.rejudge();
        self.state.config_reloaded(mode);
        tracing::info!("configuration relue : {contract}");
        // The checklist follows the new contract; a store problem does not undo the reload.
        if let Err(PortError::Unavailable(e) | PortError::Refused(e)) = self.record_and_evaluate() {
            tracing::warn!("démarche RPPS+ : {e}");
        }
        Ok(ReloadAnswer {
            path,
            message: texte::reloaded(&contract, restart_needed),
        })
    }

    fn setup(&self, request: &SetupRequest) -> Result<SetupAnswer, PortError> {
        let current = self.pipeline.config();
        let directory = crate::setup::open_directory(&current);
        let lookups = crate::setup::lookup_request(directory.as_ref(), request);
        drop(directory);
        let path = crate::setup::target_path(self.explicit_config.as_deref(), &current)
            .map_err(|e| PortError::Refused(e.to_string()))?;
        let written =
            crate::setup::write(&path, request).map_err(|e| PortError::Refused(e.to_string()))?;
        let shown = path.display().to_string();
        let reload = self.reload()?;
        Ok(SetupAnswer {
            path: shown.clone(),
            lookups,
            message: format!(
                "{} {}",
                texte_setup::written(&shown, &crate::setup::describe(written.contract.as_ref())),
                reload.message
            ),
        })
    }

    fn finess(&self, number: &str) -> FinessLookup {
        let config = self.pipeline.config();
        let directory = crate::setup::open_directory(&config);
        let ej = config.contract.as_ref().map(|c| c.ej.to_string());
        // Looked up as an EG of the contract's EJ when it is not that EJ.
        let role = if ej.as_deref() == Some(number.trim()) || ej.is_none() {
            crate::setup::Role::Ej
        } else {
            crate::setup::Role::Eg
        };
        crate::setup::lookup(directory.as_ref(), number, role, ej.as_deref())
    }

    fn eligibility(&self, request: &EligibilityRequest) -> Result<EligibilityAnswer, PortError> {
        crate::eligibility::assess(request).map_err(|e| PortError::Refused(e.to_string()))
    }
}

/// Follows the state's events: after a card or reader event (several at once count as one),
/// records and evaluates again. Ends when the state's channel closes.
pub async fn follow(service: Arc<OrganisationService>) {
    let mut events = service.state.subscribe(None).receiver;
    let evaluate = |service: Arc<OrganisationService>| async move {
        let _ = tokio::task::spawn_blocking(move || {
            if let Err(PortError::Unavailable(e) | PortError::Refused(e)) =
                service.record_and_evaluate()
            {
                tracing::warn!("démarche RPPS+ : {e}");
            }
        })
        .await;
    };
    evaluate(service.clone()).await;
    loop {
        match events.recv().await {
            Ok(event) if matters(event.name) => {}
            Ok(_) => continue,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        }
        // Take what came meanwhile: one evaluation for a burst.
        while events.try_recv().is_ok() {}
        evaluate(service.clone()).await;
    }
}

/// Events after which the checklist may change.
fn matters(name: &str) -> bool {
    matches!(
        name,
        "card_read" | "verdict_changed" | "card_removed" | "reader_added" | "service_restored"
    )
}
