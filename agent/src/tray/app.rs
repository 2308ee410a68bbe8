//! The tray's run: export the item, follow the agent, apply menu actions, stop on « Quitter »
//! or a signal.

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Instant;

use tokio::sync::{mpsc, watch};

use super::follow::{AgentClient, Feed};
use super::item::{Action, TrayItem};
use super::model::TrayModel;
use super::notifier::Sender;
use super::notify::Notifier;
use super::view::view;
use crate::config::NotificationsConfig;
use crate::text::tray as texte;

/// Shows the item and follows the agent until « Quitter », Ctrl-C or SIGTERM. `Err`: why the
/// tray could not run (no session bus…), in French.
pub async fn serve(client: AgentClient, notifications: NotificationsConfig) -> Result<(), String> {
    let agent = client.describe();
    let (views_tx, mut views) = watch::channel(view(&TrayModel::new(), &agent));
    let (actions_tx, mut actions) = mpsc::unbounded_channel();
    // Exported even when no StatusNotifierWatcher runs yet: it registers when one appears.
    let item = TrayItem::spawn(views.borrow_and_update().clone(), actions_tx)
        .map_err(|e| texte::no_session_bus(&e))?;
    let (feed_tx, feed) = mpsc::unbounded_channel();
    let follower = tokio::spawn(client.clone().follow(views_tx, feed_tx));
    let notifications = tokio::spawn(notify(feed, Notifier::new(notifications)));
    let mut signals = crate::platform::StopSignals::listen().map_err(|e| e.to_string())?;
    let mut export_note: Option<String> = None;
    loop {
        tokio::select! {
            changed = views.changed() => {
                if changed.is_err() {
                    break;
                }
                let mut next = views.borrow_and_update().clone();
                next.export_note = export_note.clone();
                item.show(next);
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
                    export_note = Some(note);
                    let mut next = views.borrow().clone();
                    next.export_note = export_note.clone();
                    item.show(next);
                }
                Some(Action::Quit) | None => break,
            },
            _ = signals.recv() => break,
        }
    }
    follower.abort();
    notifications.abort();
    drop(item);
    Ok(())
}

/// Follows the agent's feed and sends the notifications `notifier` decides, when it decides.
async fn notify(mut feed: mpsc::UnboundedReceiver<Feed>, mut notifier: Notifier) {
    let mut sender = Sender::new();
    loop {
        let deadline = notifier.next_deadline(Instant::now());
        let wait = async {
            match deadline {
                Some(at) => tokio::time::sleep_until(at.into()).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            item = feed.recv() => {
                let today = time::OffsetDateTime::now_utc().date();
                match item {
                    Some(Feed::Snapshot(snapshot)) => notifier.on_snapshot(&snapshot, today),
                    Some(Feed::Event(kind, snapshot)) => {
                        notifier.on_event(&kind, &snapshot, Instant::now(), today)
                    }
                    None => return,
                }
            }
            _ = wait => {}
        }
        for note in notifier.due(Instant::now()) {
            sender.send(&note).await;
        }
    }
}

/// The user's folder for the report: Documents, else the home folder, else the current one.
fn report_folder() -> std::path::PathBuf {
    crate::platform::document_dir()
        .filter(|d| d.is_dir())
        .or_else(crate::platform::home_dir)
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
    let fallback = move || match addr {
        Some(addr) => {
            crate::platform::open_in_browser(&format!("http://{addr}/"));
        }
        None => tracing::warn!("{}", texte::open_failed(texte::PORT_UNKNOWN)),
    };
    match spawned {
        Ok(child) => {
            tokio::spawn(async move {
                match child.wait_with_output().await {
                    Ok(out) if out.status.success() => {}
                    Ok(out) => {
                        let why = String::from_utf8_lossy(&out.stderr).trim().to_string();
                        tracing::warn!("{}", texte::open_failed(&why));
                        fallback();
                    }
                    Err(e) => tracing::warn!("{}", texte::open_failed(&e.to_string())),
                }
            });
        }
        Err(e) => {
            tracing::warn!("{}", texte::open_failed(&e.to_string()));
            fallback();
        }
    }
}
