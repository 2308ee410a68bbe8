//! `cpx-agent run`: wires the monitor, the reader workers, the state and the API together,
//! and stops them all cleanly on SIGTERM/SIGINT: the API stops accepting, the monitor's
//! blocking call is cancelled, reads in progress finish (their card is left as it was, never
//! reset), then the process exits.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[cfg(unix)]
use tokio::signal::unix::{signal, SignalKind};

use super::cards::{CardSource, PcscCards};
use super::monitor::{self, MonitorStop};
use super::state::DaemonState;
use super::worker::Workers;
use crate::api::{self, ApiContext, SecurityPolicy};
use crate::config::Config;
use crate::status::ServiceState;
use crate::token::{Token, TokenError};

/// Exit code when the listening port is taken.
pub const EXIT_PORT_TAKEN: u8 = 4;
/// Exit code for any other failure to start.
pub const EXIT_START_FAILED: u8 = 1;
/// Time given to reads in progress to end when stopping.
const READ_GRACE: Duration = Duration::from_secs(5);
/// How often cards are judged again (an expiry date may be crossed while a card sits there).
const REJUDGE_EVERY: Duration = Duration::from_secs(600);

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("le port {0} est déjà utilisé (un autre cpx-agent tourne-t-il ?) : arrêtez l'autre programme ou choisissez une autre adresse avec --listen ou [api] listen / port already in use")]
    PortTaken(SocketAddr),
    #[error("api.listen : {0} n'est pas une adresse de bouclage ; l'agent n'écoute que sur 127.0.0.1 ou [::1] / loopback only")]
    NotLoopback(SocketAddr),
    #[error("impossible d'écouter sur {addr} : {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("démarrage impossible : {0}")]
    Start(std::io::Error),
}

impl RunError {
    pub fn exit_code(&self) -> u8 {
        match self {
            RunError::PortTaken(_) => EXIT_PORT_TAKEN,
            _ => EXIT_START_FAILED,
        }
    }
}

/// Runs the agent until SIGTERM/SIGINT, with the real card layer.
pub fn run(config: Config, listen: Option<SocketAddr>) -> Result<(), RunError> {
    let listen = listen.unwrap_or(config.api.listen);
    let origins = config.api.allowed_origins.clone();
    let cards: Arc<dyn CardSource> = Arc::new(PcscCards::new(config));
    run_with(cards, listen, origins)
}

/// Runs the agent with any card source (tests, benchmarks).
pub fn run_with(
    cards: Arc<dyn CardSource>,
    listen: SocketAddr,
    allowed_origins: Vec<String>,
) -> Result<(), RunError> {
    if !listen.ip().is_loopback() {
        return Err(RunError::NotLoopback(listen));
    }
    let token = Token::load_or_create(&Token::default_path()?)?;
    // Bind first: a taken port is reported before anything starts.
    let listener = std::net::TcpListener::bind(listen).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AddrInUse {
            RunError::PortTaken(listen)
        } else {
            RunError::Listen {
                addr: listen,
                source,
            }
        }
    })?;
    listener.set_nonblocking(true).map_err(RunError::Start)?;
    let listen = listener.local_addr().map_err(RunError::Start)?;

    let state = Arc::new(DaemonState::new(ServiceState::Unavailable));
    let workers = Arc::new(Workers::new(state.clone(), cards.clone()));
    let stop = Arc::new(MonitorStop::default());
    let monitor = {
        let (state, workers, stop) = (state.clone(), workers.clone(), stop.clone());
        std::thread::Builder::new()
            .name("cpx-monitor".into())
            .spawn(move || monitor::run(state, workers, stop))
            .map_err(RunError::Start)?
    };

    let refresh_workers = workers.clone();
    let ctx = Arc::new(ApiContext::new(
        state.clone(),
        token,
        SecurityPolicy::for_listen(listen, allowed_origins),
        Arc::new(move || refresh_workers.refresh()),
    ));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(4)
        .thread_name("cpx-api")
        .enable_all()
        .build()
        .map_err(RunError::Start)?;
    let served = runtime.block_on(async {
        let listener = tokio::net::TcpListener::from_std(listener).map_err(RunError::Start)?;
        #[cfg(unix)]
        let mut term = signal(SignalKind::terminate()).map_err(RunError::Start)?;
        #[cfg(unix)]
        let mut int = signal(SignalKind::interrupt()).map_err(RunError::Start)?;
        tracing::info!("API à l'écoute sur http://{listen}");
        println!("cpx-agent : API sur http://{listen} (Ctrl-C pour arrêter)");
        let rejudge_state = state.clone();
        let rejudge_cards = cards.clone();
        let rejudge = tokio::spawn(async move {
            let mut every = tokio::time::interval(REJUDGE_EVERY);
            every.tick().await;
            loop {
                every.tick().await;
                let (state, cards) = (rejudge_state.clone(), rejudge_cards.clone());
                let _ =
                    tokio::task::spawn_blocking(move || state.rejudge(|r| cards.judge(r))).await;
            }
        });
        let stopping = ctx.stopping.clone();
        let stop_signal = async move {
            #[cfg(unix)]
            tokio::select! {
                _ = term.recv() => tracing::info!("SIGTERM reçu : arrêt"),
                _ = int.recv() => tracing::info!("SIGINT reçu : arrêt"),
            }
            #[cfg(not(unix))]
            if tokio::signal::ctrl_c().await.is_ok() {
                tracing::info!("Ctrl-C reçu : arrêt");
            }
            let _ = stopping.send(true);
        };
        api::server::serve(listener, api::router(ctx.clone()), stop_signal).await;
        rejudge.abort();
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
    tracing::info!("arrêté");
    served
}
