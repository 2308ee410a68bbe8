//! `cpx-agent tray [--agent http://127.0.0.1:8787] [--config FILE] [--no-token]`: the tray
//! icon, a StatusNotifierItem on the session bus (KDE, GNOME with the AppIndicator extension,
//! Ayatana hosts). A client of the running agent (see `follow`); with the user's token it may
//! name holders in its menu, never in its tooltip. Exit: 0 on "Quitter" or a signal; 1 no
//! session bus; 2 usage or configuration error.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::Stdio;

use ksni::TrayMethods;
use tokio::sync::{mpsc, watch};

use super::follow::AgentClient;
use super::item::{Action, CpxTrayItem};
use super::model::TrayModel;
use super::texte;
use super::view::view;
use crate::cli::{exit, load_config, print_error, usage_error};
use crate::token::Token;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Adresse de l'agent (défaut : [api] listen de la configuration, http://127.0.0.1:8787).
    #[arg(long, value_name = "URL")]
    pub agent: Option<String>,
    /// Fichier de configuration (pour [api] listen).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ne lit pas le jeton : aucun nom de porteur, même dans le menu / no token, no names.
    #[arg(long)]
    pub no_token: bool,
}

/// `http://127.0.0.1:8787`, `127.0.0.1:8787`, `http://localhost:8787/` → the socket address;
/// loopback only (the token must never leave the machine).
pub fn parse_agent_address(value: &str) -> Result<SocketAddr, String> {
    let bad = || texte::bad_agent_address(value);
    let rest = value.trim();
    let rest = rest.strip_prefix("http://").unwrap_or(rest);
    let rest = rest.trim_end_matches('/');
    let addr = match rest.strip_prefix("localhost:") {
        Some(port) => SocketAddr::new(
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            port.parse().map_err(|_| bad())?,
        ),
        None => rest.parse::<SocketAddr>().map_err(|_| bad())?,
    };
    if addr.ip().is_loopback() {
        Ok(addr)
    } else {
        Err(bad())
    }
}

pub fn run(args: &Args) -> u8 {
    let addr = match &args.agent {
        Some(value) => match parse_agent_address(value) {
            Ok(addr) => addr,
            Err(message) => return usage_error(&message),
        },
        None => match load_config(args.config.as_deref()) {
            Ok(config) => config.api.listen,
            Err(code) => return code,
        },
    };
    let token = if args.no_token {
        None
    } else {
        // Same user as the agent: its token file; without it the tray still works, redacted.
        match Token::default_path().and_then(|p| Token::load_or_create(&p)) {
            Ok(token) => Some(token),
            Err(e) => {
                tracing::warn!("{e}");
                None
            }
        }
    };
    let client = match AgentClient::new(addr, token) {
        Ok(client) => client,
        Err(e) => return usage_error(&e),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            print_error(&e.to_string());
            return exit::FINDINGS;
        }
    };
    runtime.block_on(serve(client))
}

async fn serve(client: AgentClient) -> u8 {
    let agent = format!("http://{}", client.addr());
    let (views_tx, mut views) = watch::channel(view(&TrayModel::new(), &agent));
    let (actions_tx, mut actions) = mpsc::unbounded_channel();
    let item = CpxTrayItem {
        view: views.borrow_and_update().clone(),
        actions: actions_tx,
    };
    // Exported even when no StatusNotifierWatcher runs yet: it registers when one appears.
    let handle = match item.assume_sni_available(true).spawn().await {
        Ok(handle) => handle,
        Err(e) => {
            print_error(&texte::no_session_bus(&e.to_string()));
            return exit::FINDINGS;
        }
    };
    let follower = tokio::spawn(client.clone().follow(views_tx));
    #[cfg(not(unix))] // no SIGTERM: a receiver that never yields (#17 platform/)
    let (_keep, mut terminate) = tokio::sync::mpsc::unbounded_channel::<()>();
    #[cfg(unix)]
    let mut terminate =
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(e) => {
                print_error(&e.to_string());
                return exit::FINDINGS;
            }
        };
    loop {
        tokio::select! {
            changed = views.changed() => {
                if changed.is_err() {
                    break;
                }
                let next = views.borrow_and_update().clone();
                handle.update(move |item| item.view = next).await;
            }
            action = actions.recv() => match action {
                Some(Action::Refresh) => {
                    let client = client.clone();
                    tokio::spawn(async move {
                        if let Err(e) = client.refresh().await {
                            tracing::warn!("{}", texte::refresh_failed(&e));
                        }
                    });
                }
                Some(Action::OpenPage) => open_page(client.addr()),
                Some(Action::Quit) | None => break,
            },
            _ = tokio::signal::ctrl_c() => break,
            _ = terminate.recv() => break,
        }
    }
    follower.abort();
    handle.shutdown().await;
    exit::OK
}

/// Runs `cpx-agent open` (the one-time link that shows holder names), else opens the page's
/// plain address in the browser.
fn open_page(addr: SocketAddr) {
    let spawned = std::env::current_exe().and_then(|exe| {
        tokio::process::Command::new(exe)
            .args(["open", "--listen", &addr.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
    });
    let fallback = move || {
        tokio::process::Command::new("xdg-open")
            .arg(format!("http://{addr}/"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
    };
    match spawned {
        Ok(child) => {
            tokio::spawn(async move {
                match child.wait_with_output().await {
                    Ok(out) if out.status.success() => {}
                    Ok(out) => {
                        let why = String::from_utf8_lossy(&out.stderr).trim().to_string();
                        tracing::warn!("{}", texte::open_failed(&why));
                        if let Ok(mut child) = fallback() {
                            let _ = child.wait().await;
                        }
                    }
                    Err(e) => tracing::warn!("{}", texte::open_failed(&e.to_string())),
                }
            });
        }
        Err(e) => {
            tracing::warn!("{}", texte::open_failed(&e.to_string()));
            if let Ok(mut child) = fallback() {
                tokio::spawn(async move {
                    let _ = child.wait().await;
                });
            }
        }
    }
}

#[cfg(test)]
mod tests;
