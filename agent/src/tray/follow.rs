//! The tray's link to the running agent: follows `GET /v1/events` (SSE), re-reads
//! `/v1/status` on a `gap`, reconnects with backoff when the agent is down (a new stream
//! starts with a whole `snapshot`, so a reconnection re-reads the state), and carries the
//! menu's actions (`POST /v1/refresh`). It never talks to PC/SC. Every change of the model is
//! sent as a new `TrayView` on a watch channel. The agent's address is found again before
//! each connection (`Locator`): with the automatic port rule, an agent that restarts on
//! another port is followed there, and the token is only sent to the port the user's own
//! agent wrote in the port file.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, AUTHORIZATION};
use tokio::sync::{mpsc, watch};

use super::model::{Next, TrayModel};
use super::sse::{SseMessage, SseParser};
use super::view::{view, TrayView};
use crate::model::events::{Event, EventKind};
use crate::model::status::StatusSnapshot;
use crate::port_file::{Locator, NotFound};
use crate::text::tray as texte;
use crate::token::Token;

/// First wait before reconnecting; doubled at each failure up to `BACKOFF_MAX`.
pub const BACKOFF_MIN: Duration = Duration::from_millis(250);
pub const BACKOFF_MAX: Duration = Duration::from_secs(10);
/// The agent sends a keep-alive every 15 s: three missed ones mean the link is dead.
pub const SILENCE_LIMIT: Duration = Duration::from_secs(45);
/// Least time between two immediate reconnections (see `follow`).
const QUICK_RETRY_EVERY: Duration = Duration::from_secs(5);
/// Connecting to a local agent and getting its headers.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// What the notifications follow: each whole snapshot, each event with the state after it.
#[derive(Debug, Clone)]
pub enum Feed {
    Snapshot(StatusSnapshot),
    Event(EventKind, StatusSnapshot),
}

/// An HTTP client of the user's agent, at a configured loopback address or where the port
/// file says.
#[derive(Clone)]
pub struct AgentClient {
    locator: Locator,
    /// The address last found (shared by the clones: the menu's actions use it too).
    found: Arc<Mutex<Option<SocketAddr>>>,
    http: reqwest::Client,
    token: Option<Token>,
}

/// Why a stream ended.
#[derive(Debug)]
enum StreamEnd {
    /// The token was refused: go on without it at once.
    TokenRefused,
    /// The link is down (or never came up): `detail`, French or system text.
    Down { detail: String, was_up: bool },
}

impl AgentClient {
    /// `token`: the user's token, to get holder names (menu only); `None` for redacted data.
    pub fn new(locator: Locator, token: Option<Token>) -> Result<AgentClient, String> {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .no_proxy()
            .build()
            .map_err(|e| e.to_string())?;
        let found = match &locator {
            Locator::Fixed(addr) => Some(*addr),
            Locator::PortFile(_) => None,
        };
        Ok(AgentClient {
            locator,
            found: Arc::new(Mutex::new(found)),
            http,
            token,
        })
    }

    /// The address last found, if any.
    pub fn addr(&self) -> Option<SocketAddr> {
        *self.found.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The agent's address for people: `http://127.0.0.1:8787`, or that its port is unknown.
    pub fn describe(&self) -> String {
        match self.addr() {
            Some(addr) => format!("http://{addr}"),
            None => texte::PORT_UNKNOWN.to_string(),
        }
    }

    /// Finds the agent now (the port file may have changed).
    fn locate(&self) -> Result<SocketAddr, String> {
        let addr = self.locator.resolve().map_err(|e| match e {
            // The tooltip says what to do already: just why.
            NotFound::NotRunning(_) => texte::NO_PORT_FILE.to_string(),
            other => other.to_string(),
        })?;
        *self.found.lock().unwrap_or_else(|e| e.into_inner()) = Some(addr);
        Ok(addr)
    }

    fn request(
        &self,
        method: reqwest::Method,
        path: &str,
    ) -> Result<reqwest::RequestBuilder, String> {
        let addr = self.locate()?;
        let builder = self.http.request(method, format!("http://{addr}{path}"));
        Ok(match &self.token {
            Some(token) => builder.header(AUTHORIZATION, format!("Bearer {}", token.as_str())),
            None => builder,
        })
    }

    /// `GET /v1/status`.
    pub async fn status(&self) -> Result<StatusSnapshot, String> {
        let response = self
            .request(reqwest::Method::GET, "/v1/status")?
            .timeout(CONNECT_TIMEOUT)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(texte::http_status(response.status().as_u16()));
        }
        response
            .json::<StatusSnapshot>()
            .await
            .map_err(|e| e.to_string())
    }

    /// `GET /v1/diagnostics?format=html` without the token: the report for support, with no
    /// personal data in it.
    pub async fn diagnostics_html(&self) -> Result<String, String> {
        let addr = self.locate()?;
        let response = self
            .http
            .get(format!("http://{addr}/v1/diagnostics?format=html"))
            .timeout(std::time::Duration::from_secs(30))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(texte::http_status(response.status().as_u16()));
        }
        response.text().await.map_err(|e| e.to_string())
    }

    /// `POST /v1/refresh`: the agent reads every card again.
    pub async fn refresh(&self) -> Result<(), String> {
        let response = self
            .request(reqwest::Method::POST, "/v1/refresh")?
            .timeout(CONNECT_TIMEOUT)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(texte::http_status(response.status().as_u16()))
        }
    }

    /// Follows the agent for ever, publishing each new view on `views`. Returns when nobody
    /// watches `views` any more.
    pub async fn follow(
        mut self,
        views: watch::Sender<TrayView>,
        feed: mpsc::UnboundedSender<Feed>,
    ) {
        let mut model = TrayModel::new();
        let mut backoff = BACKOFF_MIN;
        let mut last_quick_retry: Option<Instant> = None;
        while !views.is_closed() {
            let end = self.stream(&mut model, &views, &feed).await;
            let agent = self.describe();
            match end {
                StreamEnd::TokenRefused => {
                    tracing::warn!("{}", texte::TOKEN_REFUSED);
                    self.token = None;
                    continue;
                }
                // A stream that was up ended (agent restarted, stream recycled): reconnect at
                // once before showing the agent as down, so a restart does not flash; at most
                // once per `QUICK_RETRY_EVERY`, so a stream that keeps ending cannot spin.
                StreamEnd::Down { was_up: true, .. }
                    if last_quick_retry.is_none_or(|t| t.elapsed() >= QUICK_RETRY_EVERY) =>
                {
                    last_quick_retry = Some(Instant::now());
                    backoff = BACKOFF_MIN;
                    continue;
                }
                StreamEnd::Down { detail, was_up } => {
                    if was_up {
                        backoff = BACKOFF_MIN;
                    }
                    tracing::debug!("agent injoignable : {detail}");
                    model.agent_down(detail);
                    publish(&views, &model, &agent);
                }
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(BACKOFF_MAX);
        }
    }

    /// One connection to `/v1/events`, until it ends.
    async fn stream(
        &self,
        model: &mut TrayModel,
        views: &watch::Sender<TrayView>,
        feed: &mpsc::UnboundedSender<Feed>,
    ) -> StreamEnd {
        let down = |detail: String, was_up: bool| StreamEnd::Down { detail, was_up };
        let sent = match self.request(reqwest::Method::GET, "/v1/events") {
            Ok(request) => request.header(ACCEPT, "text/event-stream").send(),
            Err(detail) => return down(detail, false),
        };
        let agent = &self.describe();
        let mut response = match tokio::time::timeout(CONNECT_TIMEOUT, sent).await {
            Ok(Ok(response)) => response,
            Ok(Err(e)) => return down(e.to_string(), false),
            Err(_) => return down(texte::STREAM_SILENT.to_string(), false),
        };
        let status = response.status();
        if status == reqwest::StatusCode::UNAUTHORIZED && self.token.is_some() {
            return StreamEnd::TokenRefused;
        }
        if !status.is_success() {
            return down(texte::http_status(status.as_u16()), false);
        }
        let mut parser = SseParser::new();
        let mut was_up = false;
        loop {
            let chunk = match tokio::time::timeout(SILENCE_LIMIT, response.chunk()).await {
                Ok(Ok(Some(chunk))) => chunk,
                Ok(Ok(None)) => return down(texte::STREAM_CLOSED.to_string(), was_up),
                Ok(Err(e)) => return down(e.to_string(), was_up),
                Err(_) => return down(texte::STREAM_SILENT.to_string(), was_up),
            };
            let messages = match parser.feed(&chunk) {
                Ok(messages) => messages,
                Err(e) => return down(e.to_string(), was_up),
            };
            for message in messages {
                match model.on_message(&message) {
                    Next::Changed => {
                        was_up = true;
                        publish(views, model, agent);
                        send_feed(feed, model, &message);
                    }
                    Next::Unchanged => {}
                    Next::Reread => match self.status().await {
                        Ok(snapshot) => {
                            let _ = feed.send(Feed::Snapshot(snapshot.clone()));
                            model.replace(snapshot);
                            publish(views, model, agent);
                        }
                        Err(detail) => return down(detail, was_up),
                    },
                }
            }
        }
    }
}

/// The message just applied, for the notifications (nobody listening is fine).
fn send_feed(feed: &mpsc::UnboundedSender<Feed>, model: &TrayModel, message: &SseMessage) {
    let Some(snapshot) = &model.snapshot else {
        return;
    };
    let item = if message.event == "snapshot" {
        Feed::Snapshot(snapshot.clone())
    } else {
        match serde_json::from_str::<Event>(&message.data) {
            Ok(event) => Feed::Event(event.kind, snapshot.clone()),
            Err(_) => return,
        }
    };
    let _ = feed.send(item);
}

fn publish(views: &watch::Sender<TrayView>, model: &TrayModel, agent: &str) {
    let next = view(model, agent);
    views.send_if_modified(|current| {
        if *current == next {
            false
        } else {
            *current = next;
            true
        }
    });
}
