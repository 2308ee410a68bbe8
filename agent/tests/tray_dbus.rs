//! `cpx-agent tray` end to end, headless: a private D-Bus session bus (dbus-daemon), a mock
//! agent (axum, serving `/v1/status` and `/v1/events` from a scripted sequence), the real tray
//! binary; the item's D-Bus properties (IconName, Status, ToolTip) are read with gdbus and
//! must follow the scripted verdicts, the agent going away and coming back, and the menu's
//! "Relire les cartes" and "Quitter". No StatusNotifierWatcher runs: the item must still be
//! exported on the bus; a minimal watcher (zbus) started later must receive its registration.

use cpx_testkit::dbus::SessionBus;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, Sse};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::stream::{self, Stream, StreamExt};
use serde_json::{json, Value};
use tokio::sync::{broadcast, watch};

const WAIT: Duration = Duration::from_secs(20);

// ---- the mock agent ---------------------------------------------------------------------

struct Script {
    snapshot: Mutex<Value>,
    events: broadcast::Sender<(String, String)>,
    refreshes: AtomicUsize,
    /// Reports asked with the token (the tray must not).
    reports_with_token: AtomicUsize,
    /// One-time codes asked (`POST /v1/session/otp`, token required).
    codes: AtomicUsize,
    /// The user's token; a request presenting another one is refused (401), as the agent does.
    token: Option<String>,
    /// true: every open event stream ends (the agent goes away).
    stopping: watch::Sender<bool>,
}

/// Whether the caller presented the token (holder names), or a 401 for a wrong one.
fn authorised(script: &Script, headers: &HeaderMap) -> Result<bool, StatusCode> {
    let Some(value) = headers.get("authorization") else {
        return Ok(false);
    };
    let presented = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer "));
    match (presented, &script.token) {
        (Some(p), Some(t)) if p == t => Ok(true),
        _ => Err(StatusCode::UNAUTHORIZED),
    }
}

/// The snapshot as this caller may see it: without holders unless authorised.
fn snapshot_for(script: &Script, authorised: bool) -> Value {
    let mut snapshot = script.snapshot.lock().unwrap().clone();
    if !authorised {
        for reader in snapshot["readers"].as_array_mut().unwrap() {
            if reader["card"].is_object() {
                reader["card"]["holder"] = Value::Null;
            }
        }
    }
    snapshot
}

async fn status(
    State(script): State<Arc<Script>>,
    headers: HeaderMap,
) -> Result<Json<Value>, StatusCode> {
    let authorised = authorised(&script, &headers)?;
    Ok(Json(snapshot_for(&script, authorised)))
}

async fn one_time_code(
    State(script): State<Arc<Script>>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<Value>), StatusCode> {
    if !authorised(&script, &headers)? {
        return Err(StatusCode::UNAUTHORIZED);
    }
    script.codes.fetch_add(1, Ordering::SeqCst);
    Ok((
        StatusCode::CREATED,
        Json(json!({ "code": "c0de", "path": "/session?code=c0de", "expires_in_seconds": 60 })),
    ))
}

/// The report for support: the tray must ask for it without the token (no personal data).
async fn diagnostics(
    State(script): State<Arc<Script>>,
    headers: HeaderMap,
) -> (StatusCode, String) {
    if headers.get("authorization").is_some() {
        script.reports_with_token.fetch_add(1, Ordering::SeqCst);
    }
    (
        StatusCode::OK,
        "<!DOCTYPE html><html lang=\"fr\"><title>Diagnostic</title><p>rapport</p></html>".into(),
    )
}

async fn refresh(State(script): State<Arc<Script>>) -> Json<Value> {
    script.refreshes.fetch_add(1, Ordering::SeqCst);
    Json(json!({ "reads_queued": 1 }))
}

async fn events(
    State(script): State<Arc<Script>>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, StatusCode> {
    let authorised = authorised(&script, &headers)?;
    let first = Event::default()
        .event("snapshot")
        .id("1")
        .data(snapshot_for(&script, authorised).to_string());
    let receiver = script.events.subscribe();
    let stopping = script.stopping.subscribe();
    let live = stream::unfold(
        (receiver, stopping),
        |(mut receiver, mut stopping)| async move {
            let got = tokio::select! {
                _ = stopping.wait_for(|s| *s) => None,
                got = receiver.recv() => got.ok(),
            };
            let (name, data) = got?;
            Some((
                Ok(Event::default().event(name).data(data)),
                (receiver, stopping),
            ))
        },
    );
    Ok(Sse::new(stream::iter([Ok(first)]).chain(live)))
}

struct MockAgent {
    runtime: tokio::runtime::Runtime,
    script: Arc<Script>,
    addr: SocketAddr,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl MockAgent {
    fn start(snapshot: Value) -> MockAgent {
        MockAgent::with_token(snapshot, None)
    }

    fn with_token(snapshot: Value, token: Option<String>) -> MockAgent {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let script = Arc::new(Script {
            snapshot: Mutex::new(snapshot),
            events: broadcast::channel(64).0,
            refreshes: AtomicUsize::new(0),
            reports_with_token: AtomicUsize::new(0),
            codes: AtomicUsize::new(0),
            token,
            stopping: watch::channel(false).0,
        });
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let mut agent = MockAgent {
            runtime,
            script,
            addr,
            server: None,
        };
        agent.serve(listener);
        agent
    }

    fn serve(&mut self, listener: tokio::net::TcpListener) {
        let app = Router::new()
            .route("/v1/status", get(status))
            .route("/v1/events", get(events))
            .route("/v1/refresh", post(refresh))
            .route("/v1/diagnostics", get(diagnostics))
            .route("/v1/session/otp", post(one_time_code))
            .with_state(self.script.clone());
        self.server = Some(self.runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        }));
    }

    /// Sends one event on every open stream.
    fn send(&self, name: &str, body: Value) {
        let mut data = json!({ "id": 2, "at": "2026-11-29T10:00:00Z", "type": name });
        if let (Value::Object(d), Value::Object(b)) = (&mut data, body) {
            d.extend(b);
        }
        // Tray not connected yet is a test bug: the caller waits for it first.
        self.script
            .events
            .send((name.to_string(), data.to_string()))
            .unwrap();
    }

    fn set_snapshot(&self, snapshot: Value) {
        *self.script.snapshot.lock().unwrap() = snapshot;
    }

    /// The agent goes away: streams end, the port refuses connections.
    fn stop(&mut self) {
        self.script.stopping.send_replace(true);
        if let Some(server) = self.server.take() {
            server.abort();
            let _ = self.runtime.block_on(server);
        }
    }

    /// The agent comes back on the same port.
    fn restart(&mut self) {
        self.script.stopping.send_replace(false);
        let listener = self
            .runtime
            .block_on(tokio::net::TcpListener::bind(self.addr))
            .unwrap();
        self.serve(listener);
    }
}

fn card(kind: &str, status: &str, structure: Option<&str>) -> Value {
    json!({
        "atr": "3B 8F 80 01", "family": "cps3", "serial": "0102", "kind": kind,
        "holder": { "id": "899700041983", "id_type": "RPPS", "surname": "Martin",
                    "given_name": "Jeanne", "title": null, "profession_code": null },
        "structure": structure.map(|n| json!({
            "id": format!("1{n}"), "id_type": "FINESS", "number": n, "name": null,
            "departement": null
        })),
        "card_number": null, "not_before": "2024-01-01T00:00:00Z",
        "not_after": "2029-01-01T00:00:00Z", "pin_tries_left": 3, "pin_state": "tries_left",
        "trust": "test", "certificates": [], "disagreements": [], "apdu_count": 22,
        "verdict": { "status": status, "findings": [] }
    })
}

fn one_reader(card: Option<Value>) -> Value {
    json!({ "service": "running",
            "readers": [{ "id": "lecteur-a", "name": "A", "card": card }] })
}

// ---- the bus and the tray ---------------------------------------------------------------

struct Tray<'a> {
    bus: &'a SessionBus,
    child: Child,
    name: String,
}

impl<'a> Tray<'a> {
    fn start(bus: &'a SessionBus, agent: SocketAddr, dir: &std::path::Path) -> Tray<'a> {
        Tray::start_with(bus, agent, dir, &["--no-token"])
    }

    fn start_with(
        bus: &'a SessionBus,
        agent: SocketAddr,
        dir: &std::path::Path,
        extra: &[&str],
    ) -> Tray<'a> {
        let child = Command::new(env!("CARGO_BIN_EXE_cpx-agent"))
            .args(["tray", "--agent", &format!("http://{agent}")])
            .args(extra)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .env("XDG_CONFIG_HOME", dir)
            .env("CPX_AGENT_TOKEN_FILE", dir.join("token"))
            // « Exporter le diagnostic » saves in the user's folder: the test's.
            .env("HOME", dir)
            .env_remove("XDG_DOCUMENTS_DIR")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let name = format!("org.kde.StatusNotifierItem-{}-1", child.id());
        Tray { bus, child, name }
    }

    fn property(&self, name: &str) -> Option<String> {
        self.bus.call(&[
            "--dest",
            &self.name,
            "--object-path",
            "/StatusNotifierItem",
            "--method",
            "org.freedesktop.DBus.Properties.Get",
            "org.kde.StatusNotifierItem",
            name,
        ])
    }

    /// Waits until IconName is `icon`, Status is `status` and ToolTip contains every `words`.
    fn wait_for(&self, icon: &str, status: &str, words: &[&str]) {
        let deadline = Instant::now() + WAIT;
        let mut seen = (None, None, None);
        while Instant::now() < deadline {
            seen = (
                self.property("IconName"),
                self.property("Status"),
                self.property("ToolTip"),
            );
            if let (Some(i), Some(s), Some(t)) = &seen {
                if i.contains(&format!("'{icon}'"))
                    && s.contains(&format!("'{status}'"))
                    && words.iter().all(|w| t.contains(w))
                {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("tray never showed {icon}/{status}/{words:?}; last seen {seen:?}");
    }

    /// The menu's layout (com.canonical.dbusmenu), as gdbus prints it.
    fn menu(&self) -> String {
        self.try_menu().expect("menu layout")
    }

    /// The menu's layout, or `None` when the item does not answer.
    fn try_menu(&self) -> Option<String> {
        self.bus.call(&[
            "--dest",
            &self.name,
            "--object-path",
            "/MenuBar",
            "--method",
            "com.canonical.dbusmenu.GetLayout",
            "--",
            "0",
            "-1",
            "[]",
        ])
    }

    /// Clicks the menu item labelled `label`. The menu is laid out again when what it shows
    /// changes (names, the export note), which renumbers its items: an id read just before is
    /// then refused, so the click is tried again on a fresh layout, as a person would. A click
    /// that ends the tray (« Quitter ») may lose its reply with the tray: when the menu is gone
    /// on a retry, the caller's own checks say what happened.
    fn click(&self, label: &str) {
        let mut last_error = String::new();
        for attempt in 0..5 {
            let layout = if attempt == 0 {
                self.menu()
            } else {
                match self.try_menu() {
                    Some(layout) => layout,
                    None => return,
                }
            };
            let at = layout
                .find(&format!("'label': <'{label}'>"))
                .or_else(|| layout.find(&format!("'label': <\"{label}\">")))
                .unwrap_or_else(|| panic!("{label} not in {layout}"));
            // The item's id is the number after the last `<(` before its label.
            let start = layout[..at].rfind("<(").expect("item start") + 2;
            let id: String = layout[start..]
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            match self.bus.call(&[
                "--dest",
                &self.name,
                "--object-path",
                "/MenuBar",
                "--method",
                "com.canonical.dbusmenu.Event",
                "--",
                &id,
                "clicked",
                "<''>",
                "0",
            ]) {
                Some(_) => return,
                None => last_error = format!("item {id} refused"),
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("menu event {label}: {last_error}");
    }
}

impl Drop for Tray<'_> {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_tray_icon_follows_the_agents_verdicts_on_dbus() {
    let dir = tempfile::tempdir().unwrap();
    let bus = SessionBus::start();
    let mut agent = MockAgent::start(one_reader(Some(card(
        "CDE/CPE",
        "ready",
        Some("750712184"),
    ))));
    let mut tray = Tray::start(&bus, agent.addr, dir.path());

    // Exported without any StatusNotifierWatcher, showing the first snapshot.
    tray.wait_for(
        "security-high",
        "Active",
        &["Cartes CPx", "Lecteur A : CDE/CPE 750712184 — prête"],
    );

    // Scripted events: a verdict that falls, the card leaving, a new card being read.
    agent.send(
        "card_read",
        json!({ "reader": "lecteur-a", "card": card("CDE/CPE", "not_ready", Some("750712184")) }),
    );
    tray.wait_for("dialog-error", "Active", &["— pas prête"]);
    agent.send("card_removed", json!({ "reader": "lecteur-a" }));
    tray.wait_for("media-flash", "Active", &["Lecteur A : pas de carte"]);
    agent.send(
        "card_inserted",
        json!({ "reader": "lecteur-a", "atr": "3B" }),
    );
    tray.wait_for("view-refresh", "Active", &["lecture en cours"]);

    // A gap: the tray re-reads /v1/status.
    agent.set_snapshot(one_reader(Some(card("CPS", "warning", None))));
    agent.send("gap", json!({ "oldest_kept": 0, "reread": "/v1/status" }));
    tray.wait_for(
        "dialog-warning",
        "Active",
        &["Lecteur A : CPS — à surveiller"],
    );

    // PC/SC goes away, then the agent itself.
    agent.send("service_lost", json!({}));
    tray.wait_for("network-error", "Active", &["PC/SC"]);
    agent.stop();
    tray.wait_for("network-offline", "Active", &["Agent injoignable"]);

    // The agent comes back: the tray reconnects by itself and shows the new snapshot.
    agent.set_snapshot(one_reader(Some(card("CPS", "unknown", None))));
    agent.restart();
    tray.wait_for(
        "dialog-question",
        "Active",
        &["Lecteur A : CPS — indéterminée"],
    );

    // The menu: "Relire les cartes" posts /v1/refresh, "Quitter" ends the tray cleanly.
    assert_eq!(agent.script.refreshes.load(Ordering::SeqCst), 0);
    tray.click("Relire les cartes");
    let deadline = Instant::now() + WAIT;
    while agent.script.refreshes.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(agent.script.refreshes.load(Ordering::SeqCst), 1);
    // « Exporter le diagnostic » saves the agent's report (asked without the token) in the
    // user's folder and says where in the menu.
    tray.click("Exporter le diagnostic");
    let deadline = Instant::now() + WAIT;
    let saved = loop {
        let found = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("diagnostic-cpx-agent-") && n.ends_with(".html"))
            });
        if let Some(path) = found {
            break path;
        }
        assert!(
            Instant::now() < deadline,
            "no report saved in {}",
            dir.path().display()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let deadline = Instant::now() + WAIT;
    while !tray.menu().contains("Diagnostic enregistré") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let menu = tray.menu();
    let name = saved.file_name().unwrap().to_str().unwrap().to_owned();
    assert!(menu.contains(&name), "{menu}");
    assert!(std::fs::read_to_string(&saved)
        .unwrap()
        .contains("lang=\"fr\""));
    assert_eq!(agent.script.reports_with_token.load(Ordering::SeqCst), 0);
    tray.click("Quitter");
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = tray.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the tray did not quit");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    assert!(tray.property("IconName").is_none(), "item still on the bus");
}

#[test]
fn without_a_session_bus_the_tray_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cpx-agent"))
        .args(["tray", "--no-token", "--agent", "http://127.0.0.1:9"])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", dir.path().join("none").display()),
        )
        .env("XDG_CONFIG_HOME", dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bus D-Bus de session"), "{stderr}");
}

#[test]
fn a_remote_agent_address_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_cpx-agent"))
        .args(["tray", "--agent", "http://10.0.0.1:8787"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("adresse d'agent invalide"));
}

/// The token file of the tests' user, created by `cpx-agent token`.
fn user_token(dir: &std::path::Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_cpx-agent"))
        .arg("token")
        .env("CPX_AGENT_TOKEN_FILE", dir.join("token"))
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !done() {
        assert!(Instant::now() < deadline, "never: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn with_the_users_token_holders_are_named_in_the_menu_only() {
    let dir = tempfile::tempdir().unwrap();
    let token = user_token(dir.path());
    let bus = SessionBus::start();
    let agent = MockAgent::with_token(one_reader(Some(card("CPS", "ready", None))), Some(token));
    let tray = Tray::start_with(&bus, agent.addr, dir.path(), &[]);
    tray.wait_for("security-high", "Active", &["Lecteur A : CPS — prête"]);
    let menu = tray.menu();
    assert!(menu.contains("Lecteur A : Jeanne Martin"), "{menu}");
    let tooltip = tray.property("ToolTip").unwrap();
    for personal in ["Jeanne", "Martin", "899700041983"] {
        assert!(!tooltip.contains(personal), "{personal} in {tooltip}");
    }
    // "Ouvrir la page d'état" runs `cpx-agent open`: a one-time code asked with the token.
    tray.click("Ouvrir la page d'état");
    wait_until("one-time code asked", || {
        agent.script.codes.load(Ordering::SeqCst) == 1
    });
}

#[test]
fn a_refused_token_leaves_the_tray_working_without_names() {
    let dir = tempfile::tempdir().unwrap();
    user_token(dir.path());
    let bus = SessionBus::start();
    let agent = MockAgent::with_token(
        one_reader(Some(card("CDE/CPE", "warning", Some("750712184")))),
        Some("another-users-token".to_string()),
    );
    let tray = Tray::start_with(&bus, agent.addr, dir.path(), &[]);
    tray.wait_for(
        "dialog-warning",
        "Active",
        &["Lecteur A : CDE/CPE 750712184 — à surveiller"],
    );
    let menu = tray.menu();
    assert!(!menu.contains("Jeanne"), "{menu}");
    assert!(menu.contains("Relire les cartes"), "{menu}");
}

/// A minimal org.kde.StatusNotifierWatcher: records the items that register.
struct Watcher {
    registered: Arc<Mutex<Vec<String>>>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    fn register_status_notifier_item(&self, service: &str) {
        self.registered.lock().unwrap().push(service.to_string());
    }

    fn register_status_notifier_host(&self, _service: &str) {}

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.registered.lock().unwrap().clone()
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }
}

#[test]
fn a_watcher_that_appears_later_gets_the_item_registered() {
    let dir = tempfile::tempdir().unwrap();
    let bus = SessionBus::start();
    let agent = MockAgent::start(one_reader(None));
    let tray = Tray::start(&bus, agent.addr, dir.path());
    // Exported while no watcher exists.
    tray.wait_for("media-flash", "Active", &["Lecteur A : pas de carte"]);

    let registered = Arc::new(Mutex::new(Vec::new()));
    let watcher = Watcher {
        registered: registered.clone(),
    };
    let _connection = agent.runtime.block_on(async {
        zbus::connection::Builder::address(bus.address.as_str())
            .unwrap()
            .name("org.kde.StatusNotifierWatcher")
            .unwrap()
            .serve_at("/StatusNotifierWatcher", watcher)
            .unwrap()
            .build()
            .await
            .unwrap()
    });
    wait_until("the item registers with the watcher", || {
        registered.lock().unwrap().contains(&tray.name)
    });
}

// ---- notifications ------------------------------------------------------------------------

/// One `Notify` call as the server received it.
#[derive(Debug, Clone)]
struct Notified {
    app: String,
    replaces: u32,
    icon: String,
    summary: String,
    body: String,
    urgency: Option<u8>,
    id: u32,
}

/// A minimal org.freedesktop.Notifications server: records every call, answers ids.
struct NotificationServer {
    calls: Arc<Mutex<Vec<Notified>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl NotificationServer {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: &str,
        replaces_id: u32,
        app_icon: &str,
        summary: &str,
        body: &str,
        _actions: Vec<String>,
        hints: std::collections::HashMap<String, zbus::zvariant::OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut calls = self.calls.lock().unwrap();
        let id = if replaces_id != 0 {
            replaces_id
        } else {
            calls.len() as u32 + 1
        };
        calls.push(Notified {
            app: app_name.to_string(),
            replaces: replaces_id,
            icon: app_icon.to_string(),
            summary: summary.to_string(),
            body: body.to_string(),
            urgency: hints.get("urgency").and_then(|v| u8::try_from(v).ok()),
            id,
        });
        id
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".to_string()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        ("test".into(), "cpx".into(), "1".into(), "1.2".into())
    }

    fn close_notification(&self, _id: u32) {}
}

fn notification_server(
    bus: &SessionBus,
    agent: &MockAgent,
) -> (zbus::Connection, Arc<Mutex<Vec<Notified>>>) {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let server = NotificationServer {
        calls: calls.clone(),
    };
    let connection = agent.runtime.block_on(async {
        zbus::connection::Builder::address(bus.address.as_str())
            .unwrap()
            .name("org.freedesktop.Notifications")
            .unwrap()
            .serve_at("/org/freedesktop/Notifications", server)
            .unwrap()
            .build()
            .await
            .unwrap()
    });
    (connection, calls)
}

#[test]
fn the_tray_notifies_cards_and_pcsc_without_names() {
    let dir = tempfile::tempdir().unwrap();
    let bus = SessionBus::start();
    let agent = MockAgent::start(one_reader(None));
    let (_server, calls) = notification_server(&bus, &agent);
    let tray = Tray::start(&bus, agent.addr, dir.path());
    tray.wait_for("media-flash", "Active", &["Lecteur A : pas de carte"]);

    agent.send(
        "card_read",
        json!({ "reader": "lecteur-a", "card": card("CDE/CPE", "ready", Some("750712184")) }),
    );
    wait_until("the card's notification", || {
        calls.lock().unwrap().len() == 1
    });
    let read = calls.lock().unwrap()[0].clone();
    assert_eq!(read.app, "cpx-agent");
    assert_eq!(
        read.summary,
        "Lecteur A : CDE/CPE 750712184 — prête pour RPPS+"
    );
    assert_eq!(read.urgency, Some(1));
    assert_eq!(read.replaces, 0);

    agent.send("service_lost", json!({}));
    wait_until("PC/SC lost", || calls.lock().unwrap().len() == 2);
    let lost = calls.lock().unwrap()[1].clone();
    assert_eq!(lost.summary, "Service carte à puce (PC/SC) indisponible");
    assert!(lost.body.contains("systemctl start pcscd"), "{lost:?}");
    assert_eq!(lost.urgency, Some(2));
    assert_eq!(lost.icon, "network-error");

    agent.send("service_restored", json!({}));
    wait_until("PC/SC back", || calls.lock().unwrap().len() == 3);
    let back = calls.lock().unwrap()[2].clone();
    assert_eq!(back.summary, "Service carte à puce (PC/SC) rétabli");
    assert_eq!(
        back.replaces, lost.id,
        "« rétabli » replaces « indisponible »"
    );

    let all = format!("{:?}", calls.lock().unwrap());
    for personal in ["Jeanne", "Martin", "899700041983"] {
        assert!(!all.contains(personal), "{personal} in {all}");
    }
}

#[test]
fn notifications_follow_the_configuration() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("cpx-agent")).unwrap();
    std::fs::write(
        dir.path().join("cpx-agent/config.toml"),
        "[notifications]\ncard_read = false\n",
    )
    .unwrap();
    let bus = SessionBus::start();
    let agent = MockAgent::start(one_reader(None));
    let (_server, calls) = notification_server(&bus, &agent);
    let tray = Tray::start(&bus, agent.addr, dir.path());
    tray.wait_for("media-flash", "Active", &["Lecteur A : pas de carte"]);

    // A ready card is not said; PC/SC lost still is, after it (so the card had its chance).
    agent.send(
        "card_read",
        json!({ "reader": "lecteur-a", "card": card("CDE/CPE", "ready", Some("750712184")) }),
    );
    tray.wait_for("security-high", "Active", &["prête"]);
    std::thread::sleep(Duration::from_secs(2));
    agent.send("service_lost", json!({}));
    wait_until("PC/SC lost", || !calls.lock().unwrap().is_empty());
    std::thread::sleep(Duration::from_millis(500));
    let calls = calls.lock().unwrap();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(
        calls[0].summary,
        "Service carte à puce (PC/SC) indisponible"
    );
}
