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
    let agent = format!("http://{}", client.addr());
    let (views_tx, mut views) = watch::channel(view(&TrayModel::new(), &agent));
    let (actions_tx, mut actions) = mpsc::unbounded_channel();
    let item = CpxTrayItem {
        view: views.borrow_and_update().clone(),
        actions: actions_tx,
        export_note: None,
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
                Some(Action::ExportReport) => {
                    let note = match client.diagnostics_html().await {
                        Ok(page) => match save_report(&page, &report_folder()) {
                            Ok(path) => texte::report_saved(&path),
                            Err(e) => texte::report_failed(&e),
                        },
                        Err(e) => texte::report_failed(&e),
                    };
                    tracing::info!("{note}");
                    handle.update(move |item| item.export_note = Some(note)).await;
                }
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

/// The user's folder for the report: Documents, else the home folder, else the current one.
fn report_folder() -> std::path::PathBuf {
    dirs::document_dir()
        .filter(|d| d.is_dir())
        .or_else(dirs::home_dir)
        .unwrap_or_else(|| ".".into())
}

/// Saves the report page in `folder` as `diagnostic-cpx-agent-YYYYMMDD-HHMMSS.html`.
pub fn save_report(page: &str, folder: &std::path::Path) -> Result<std::path::PathBuf, String> {
    let now = time::OffsetDateTime::now_utc();
    let name = format!(
        "diagnostic-cpx-agent-{:04}{:02}{:02}-{:02}{:02}{:02}.html",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let path = folder.join(name);
    std::fs::write(&path, page).map_err(|e| format!("{} : {e}", path.display()))?;
    Ok(path)
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
