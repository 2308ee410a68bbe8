//! `cpx-agent run [--config FILE] [--listen ADDR]`: the composition root of the daemon. Wires
//! the reading pipeline, the monitor, the reader workers, the state and the API together, and
//! stops them all cleanly on SIGTERM/SIGINT: the API stops accepting, the monitor's blocking
//! call is cancelled, reads in progress finish (their card is left as it was, never reset),
//! then the process exits. Exit: 0 after a clean stop; 2 configuration error (naming the key);
//! 4 the listening port is taken (on either loopback family: never a half-listen) or no port
//! is free; 1 any other failure to start.
//!
//! The port: `--listen`, else `[api] listen`, else the first port from 8787 free on both
//! 127.0.0.1 and [::1] (`api::listen`); it is written with the pid to the user's port file
//! (`port_file`) for the tray, `cpx-agent open` and local applications, and removed at stop.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::common::{print_error, ConfigArg};
use super::exit;
use crate::api::listen::ListenError;
use crate::api::organisation::{Organisation, PortError};
use crate::api::{self, ApiContext, SecurityPolicy};
use crate::config::Config;
use crate::daemon::monitor::{self, MonitorStop};
use crate::daemon::worker::Workers;
use crate::judge::directory::directory_path;
use crate::model::status::ServiceState;
use crate::net::NetError;
use crate::platform::{self, StopRequest};
use crate::port_file::{self, PortRecord};
use crate::reading::{CardSource, Pipeline};
use crate::revocation::{self, fetch::Fetcher};
use crate::state::DaemonState;
use crate::text::run as texte;
use crate::token::{Token, TokenError};
use organisation::OrganisationService;

mod organisation;

mod bench;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub config: ConfigArg,
    /// Adresse d'écoute de l'API, bouclage uniquement (défaut : [api] listen, sinon le premier
    /// port libre à partir de 8787) ; le port est tenu sur 127.0.0.1 et [::1].
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
}

pub fn run(args: &Args) -> u8 {
    let config = match args.config.load() {
        Ok(c) => c,
        Err(code) => return code,
    };
    match serve(config, args.listen, args.config.path.clone()) {
        Ok(()) => exit::OK,
        Err(error) => {
            print_error(&error.to_string());
            error.exit_code()
        }
    }
}

/// Time given to reads in progress to end when stopping.
const READ_GRACE: Duration = Duration::from_secs(5);
/// How often cards are judged again (an expiry date may be crossed while a card sits there).
const REJUDGE_EVERY: Duration = Duration::from_secs(600);
/// How often the CRLs of the cards present are looked at (fetched only when due: at most once
/// per CRL per nextUpdate); a card read is looked at at once.
const CRL_CHECK_EVERY: Duration = Duration::from_secs(60);
/// How often the daemon looks whether an automatic FINESS update is due (`[finess]
/// auto_update`); one is due a day after the last attempt.
const FINESS_CHECK_EVERY: Duration = Duration::from_secs(3600);
const FINESS_UPDATE_EVERY: Duration = Duration::from_secs(24 * 3600);
/// While a card is being read, the update waits this long and looks again.
const FINESS_READ_PAUSE: Duration = Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{}", texte::port_taken(.0))]
    PortTaken(SocketAddr),
    #[error("{}", texte::no_free_port(*first, *last))]
    NoFreePort { first: u16, last: u16 },
    #[error("{}", texte::not_loopback(.0))]
    NotLoopback(SocketAddr),
    #[error("{}", texte::cannot_listen(addr, source))]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("{}", texte::cannot_start(.0))]
    Start(std::io::Error),
}

impl RunError {
    pub fn exit_code(&self) -> u8 {
        match self {
            RunError::PortTaken(_) | RunError::NoFreePort { .. } => exit::PORT_TAKEN,
            RunError::NotLoopback(_) => exit::USAGE,
            _ => exit::START_FAILED,
        }
    }
}

/// Runs the agent until SIGTERM/SIGINT: the composition root of the daemon.
fn serve(
    config: Config,
    listen: Option<SocketAddr>,
    explicit_config: Option<PathBuf>,
) -> Result<(), RunError> {
    let configured = listen.or(config.api.listen);
    let allowed_origins = config.api.allowed_origins.clone();
    let bench_config = config.clone();
    let crl_fetcher = crl_fetcher(&config);
    let directory = directory_path(&config);
    let auto_update = (config.finess.auto_update && !config.network.offline)
        .then(|| (config.source.clone(), directory.clone()));
    let pipeline = Arc::new(Pipeline::new(config));
    let cards: Arc<dyn CardSource> = pipeline.clone();
    if let Some(addr) = configured.filter(|a| !a.ip().is_loopback()) {
        return Err(RunError::NotLoopback(addr));
    }
    let token = Token::load_or_create(&Token::default_path()?)?;
    // Bind first: a taken port is reported before anything starts.
    let listening = api::listen::listen(configured).map_err(|error| match error {
        ListenError::Taken(addr) => RunError::PortTaken(addr),
        ListenError::NoFreePort { first, last } => RunError::NoFreePort { first, last },
        ListenError::NotLoopback(addr) => RunError::NotLoopback(addr),
        ListenError::Other { addr, source } => RunError::Listen { addr, source },
    })?;
    for listener in &listening.listeners {
        listener.set_nonblocking(true).map_err(RunError::Start)?;
    }
    let listen = SocketAddr::from((Ipv4Addr::LOCALHOST, listening.port));
    let _port_file = publish_port(listening.port);

    let state = Arc::new(DaemonState::new(ServiceState::Unavailable));
    state.set_directory(directory.as_deref().and_then(directory_status));
    // The journal: written from a queue by its own thread, never on the path of a verdict.
    let journal = Arc::new(crate::journal::JournalWriter::start(
        crate::journal::writer::WriterConfig {
            path: crate::journal::path(&bench_config),
            directory: crate::judge::directory::directory_path(&bench_config),
            keep_days: bench_config.journal.keep_days,
        },
    ));
    let journal_health = journal.health();
    let workers = Arc::new(
        Workers::new(state.clone(), cards.clone())
            .observed_by(Arc::new(bench::JournalObserver(journal.clone()))),
    );
    let stop = Arc::new(MonitorStop::default());
    let monitor = {
        let (state, workers, stop) = (state.clone(), workers.clone(), stop.clone());
        std::thread::Builder::new()
            .name("cpx-monitor".into())
            .spawn(move || monitor::run(state, workers, stop))
            .map_err(RunError::Start)?
    };

    let organisation = Arc::new(OrganisationService::new(
        state.clone(),
        pipeline.clone(),
        explicit_config,
    ));
    let refresh_workers = workers.clone();
    let ctx = Arc::new(
        ApiContext::new(
            state.clone(),
            token,
            SecurityPolicy::for_port(listening.port, listening.ipv6, allowed_origins),
            Arc::new(move || refresh_workers.refresh()),
        )
        .with_organisation(organisation.clone())
        .with_bench(Arc::new(bench::DaemonBench {
            state: state.clone(),
            config: bench_config,
            listen,
            journal: journal_health,
        })),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(4)
        .thread_name("cpx-api")
        .enable_all()
        .build()
        .map_err(RunError::Start)?;
    let served = runtime.block_on(async {
        let listeners = listening
            .listeners
            .into_iter()
            .map(tokio::net::TcpListener::from_std)
            .collect::<Result<Vec<_>, _>>()
            .map_err(RunError::Start)?;
        // Caught before anything is announced: no stop request is missed.
        let mut signals = platform::StopSignals::listen().map_err(RunError::Start)?;
        if listening.ipv6 {
            tracing::info!(
                "API à l'écoute sur http://{listen} et http://[::1]:{}",
                listening.port
            );
        } else {
            tracing::info!("API à l'écoute sur http://{listen} (pas d'IPv6 sur cette machine)");
        }
        println!("cpx-agent : API sur http://{listen} (Ctrl-C pour arrêter)");
        let rejudge_state = state.clone();
        let rejudge_cards = cards.clone();
        let rejudge_org = organisation.clone();
        let rejudge_directory = directory.clone();
        let rejudge = tokio::spawn(async move {
            let mut every = tokio::time::interval(REJUDGE_EVERY);
            every.tick().await;
            loop {
                every.tick().await;
                let (state, cards) = (rejudge_state.clone(), rejudge_cards.clone());
                let org = rejudge_org.clone();
                let path = rejudge_directory.clone();
                let _ = tokio::task::spawn_blocking(move || {
                    // The directory may have been imported by hand meanwhile.
                    state.set_directory(path.as_deref().and_then(directory_status));
                    rejudge(&state, cards.as_ref());
                    // A day passed, the FINESS directory was imported again: the checklist too.
                    let _ = org.record_and_evaluate();
                })
                .await;
            }
        });
        let follow = tokio::spawn(organisation::follow(organisation.clone()));
        // SIGHUP: read the configuration again (Unix; elsewhere `POST /v1/config/reload`).
        let mut hangup = crate::platform::ReloadSignal::listen().map_err(RunError::Start)?;
        let reload_org = organisation.clone();
        let reloader = tokio::spawn(async move {
            while hangup.recv().await {
                let org = reload_org.clone();
                let done = tokio::task::spawn_blocking(move || org.reload()).await;
                match done {
                    Ok(Ok(answer)) => tracing::info!("SIGHUP : {}", answer.message),
                    Ok(Err(PortError::Refused(e) | PortError::Unavailable(e))) => {
                        tracing::warn!(
                            "SIGHUP : configuration refusée, l'ancienne reste en vigueur : {e}"
                        )
                    }
                    Err(_) => {}
                }
            }
        });
        let finess = auto_update.map(|(config_file, db)| {
            tokio::spawn(auto_update_finess(
                config_file,
                db,
                state.clone(),
                cards.clone(),
            ))
        });
        let crls = crl_fetcher
            .map(|fetcher| tokio::spawn(watch_crls(fetcher, state.clone(), cards.clone())));
        let stopping = ctx.stopping.clone();
        let stop_signal = async move {
            match signals.recv().await {
                StopRequest::Terminate => tracing::info!("SIGTERM reçu : arrêt"),
                StopRequest::Interrupt => tracing::info!("SIGINT reçu : arrêt"),
            }
            let _ = stopping.send(true);
        };
        api::server::serve(listeners, api::router(ctx.clone()), stop_signal).await;
        rejudge.abort();
        follow.abort();
        reloader.abort();
        if let Some(crls) = crls {
            crls.abort();
        }
        if let Some(finess) = finess {
            finess.abort();
        }
        Ok::<(), RunError>(())
    });
    runtime.shutdown_timeout(Duration::from_secs(1));

    // Stop the monitor: cancel its blocking call until it has ended.
    let deadline = Instant::now() + Duration::from_secs(3);
    while !monitor.is_finished() && Instant::now() < deadline {
        stop.stop();
        std::thread::sleep(Duration::from_millis(20));
    }
    if monitor.is_finished() {
        let _ = monitor.join();
    } else {
        tracing::warn!("le moniteur PC/SC ne s'est pas arrêté à temps");
    }
    if !workers.shutdown(READ_GRACE) {
        tracing::warn!("une lecture de carte ne s'est pas terminée à temps");
    }
    // What the workers saw last is written before the process ends.
    journal.flush(Duration::from_secs(2));
    tracing::info!("arrêté");
    served
}

/// The port file while the agent runs: removed when dropped (if still this agent's).
struct PublishedPort(Option<PathBuf>);

impl Drop for PublishedPort {
    fn drop(&mut self) {
        if let Some(path) = &self.0 {
            port_file::remove_if_ours(path, std::process::id());
        }
    }
}

/// Writes the port file for the user's clients; where it cannot be written, says what that
/// means and goes on (a configured port is still found through the configuration).
fn publish_port(port: u16) -> PublishedPort {
    let Some(path) = port_file::path() else {
        tracing::warn!("{}", crate::text::port::no_port_file_dir());
        return PublishedPort(None);
    };
    let record = PortRecord {
        port,
        pid: std::process::id(),
    };
    match port_file::write(&path, record) {
        Ok(()) => PublishedPort(Some(path)),
        Err(e) => {
            tracing::warn!(
                "{}",
                crate::text::port::port_file_not_written(&path, &e.to_string())
            );
            PublishedPort(None)
        }
    }
}

/// The CRL fetcher, unless the configuration says offline (or no client can be made: then
/// revocation stays unknown, said in the verdicts).
fn crl_fetcher(config: &Config) -> Option<Fetcher> {
    let path = revocation::cache_path()?;
    match crate::net::client(&config.network) {
        Ok(client) => Some(Fetcher::new(client, path, config.trust_store())),
        Err(NetError::Offline) => {
            tracing::info!("hors ligne : aucune liste de révocation ne sera téléchargée");
            None
        }
        Err(e) => {
            tracing::warn!("listes de révocation : {e}");
            None
        }
    }
}

/// Fetches the CRLs of the cards present when one is read and once a minute (each only when
/// due), and judges the cards again after each attempt: a CRL that arrives turns into a
/// `verdict_changed` without re-insertion. Never on the path of a verdict.
async fn watch_crls(fetcher: Fetcher, state: Arc<DaemonState>, cards: Arc<dyn CardSource>) {
    let mut events = state.subscribe(None).receiver;
    let mut every = tokio::time::interval(CRL_CHECK_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Ok(e) if e.name != "card_read" => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                // A card read, or events missed (one of them may have been).
                _ => {}
            },
            _ = every.tick() => {}
        }
        let present = state.cards_read();
        let urls = revocation::wanted(present.iter().map(|(_, _, report)| report));
        if urls.is_empty() {
            continue;
        }
        if fetcher.refresh(&urls).await.is_empty() {
            continue;
        }
        let (state, cards) = (state.clone(), cards.clone());
        let _ = tokio::task::spawn_blocking(move || rejudge(&state, cards.as_ref())).await;
    }
}

/// What the FINESS directory at `path` is, when there is one.
fn directory_status(path: &std::path::Path) -> Option<crate::model::status::DirectoryStatus> {
    match crate::finess::Directory::open(path) {
        Ok(Some(d)) => d.info().ok().map(|i| i.status()),
        Ok(None) => None,
        Err(e) => {
            tracing::warn!("répertoire FINESS {} illisible : {e}", path.display());
            None
        }
    }
}

/// `[finess] auto_update`: at most once a day, never while a card is being read, the daemon
/// runs `cpx-agent finess update` (the same command, in a process of its own: its memory and
/// its time are not the daemon's); a new directory is shown (`directory_updated`) and the
/// cards are judged again with it.
async fn auto_update_finess(
    config_file: Option<std::path::PathBuf>,
    db: Option<std::path::PathBuf>,
    state: Arc<DaemonState>,
    cards: Arc<dyn CardSource>,
) {
    let Some(db) = db else {
        tracing::warn!("mise à jour FINESS automatique impossible : pas de dossier de données");
        return;
    };
    let stamp = db.with_file_name("finess-update.last");
    let mut every = tokio::time::interval(FINESS_CHECK_EVERY);
    loop {
        every.tick().await;
        let last = std::fs::metadata(&stamp)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok());
        if last.is_some_and(|age| age < FINESS_UPDATE_EVERY) {
            continue;
        }
        while state.reading_in_progress() {
            tokio::time::sleep(FINESS_READ_PAUSE).await;
        }
        if let Some(parent) = stamp.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        if let Err(e) = std::fs::write(&stamp, b"") {
            tracing::warn!("mise à jour FINESS : {} : {e}", stamp.display());
        }
        tracing::info!("mise à jour FINESS automatique");
        let Ok(exe) = std::env::current_exe() else {
            continue;
        };
        let mut command = tokio::process::Command::new(exe);
        command
            .args(["finess", "update", "--json", "--db"])
            .arg(&db);
        if let Some(file) = &config_file {
            command.arg("--config").arg(file);
        }
        command
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        match command.output().await {
            Ok(out) if out.status.success() => {
                let summary: serde_json::Value =
                    serde_json::from_slice(&out.stdout).unwrap_or_default();
                if summary["outcome"] == "updated" {
                    tracing::info!(
                        ej = %summary["import"]["ej"],
                        eg = %summary["import"]["eg"],
                        "répertoire FINESS mis à jour"
                    );
                    let (state, cards, db) = (state.clone(), cards.clone(), db.clone());
                    let _ = tokio::task::spawn_blocking(move || {
                        state.set_directory(directory_status(&db));
                        rejudge(&state, cards.as_ref());
                    })
                    .await;
                } else {
                    tracing::info!("répertoire FINESS déjà à jour");
                }
            }
            Ok(out) => {
                let why = String::from_utf8_lossy(&out.stderr);
                tracing::warn!("mise à jour FINESS échouée : {}", why.trim());
            }
            Err(e) => tracing::warn!("mise à jour FINESS impossible à lancer : {e}"),
        }
    }
}

/// Judges every card present again, outside the state's lock (the judge may open the FINESS
/// directory), then hands the verdicts to the state.
fn rejudge(state: &DaemonState, cards: &dyn CardSource) {
    let present = state.cards_read();
    let reports: Vec<&cpx_card::CardReport> = present.iter().map(|(_, _, r)| r).collect();
    let verdicts = cards.judge_all(&reports);
    let judged = present
        .iter()
        .zip(verdicts)
        .map(|((name, generation, _), verdict)| (name.clone(), *generation, verdict))
        .collect();
    state.rejudged(judged);
}
