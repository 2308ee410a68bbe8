//! The tray's run: export the item, follow the agent, apply menu actions, stop on « Quitter »
//! or a signal.

use std::net::SocketAddr;
use std::process::Stdio;

use ksni::TrayMethods;
use tokio::sync::{mpsc, watch};

use super::follow::AgentClient;
use super::item::{Action, CpxTrayItem};
use super::model::TrayModel;
use super::view::view;
use crate::text::tray as texte;

/// Shows the item and follows the agent until « Quitter », Ctrl-C or SIGTERM. `Err`: why the
/// tray could not run (no session bus…), in French.
pub async fn serve(client: AgentClient) -> Result<(), String> {
    let agent = client.describe();
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
            return Err(texte::no_session_bus(&e.to_string()));
        }
    };
    let follower = tokio::spawn(client.clone().follow(views_tx));
    #[cfg(not(unix))] // no SIGTERM: a receiver that never yields (#17 platform/)
    let (_keep, mut terminate) = tokio::sync::mpsc::unbounded_channel::<()>();
    #[cfg(unix)]
    let mut terminate =
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(e) => return Err(e.to_string()),
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
    Ok(())
}

/// Runs `cpx-agent open` (the one-time link that shows holder names) on the agent last
/// found (without one, `open` finds it itself), else opens the page's plain address in the
/// browser (only an address the agent was found at: never a guessed port).
fn open_page(addr: Option<SocketAddr>) {
    let spawned = std::env::current_exe().and_then(|exe| {
        let mut command = tokio::process::Command::new(exe);
        command.arg("open");
        if let Some(addr) = addr {
            command.args(["--listen", &addr.to_string()]);
        }
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
    });
    let fallback = move || {
        let addr = addr.ok_or_else(|| std::io::Error::other(texte::PORT_UNKNOWN))?;
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
