//! `GET /v1/events`: Server-Sent Events. A new client first gets a `snapshot` event (the whole
//! status, `id:` = the last event it includes), then every event with its `id:`. A client that
//! reconnects with `Last-Event-ID` gets the events it missed; when they are no longer in the
//! log (or it fell behind), a `gap` event tells it to re-read `/v1/status`, and a fresh
//! `snapshot` follows. Comments keep the connection alive.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::stream::{self, Stream, StreamExt};
use serde::Serialize;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::OwnedSemaphorePermit;
use utoipa::ToSchema;

use super::auth::Caller;
use super::error::ApiError;
use super::ApiContext;
use crate::state::publish::Published;
use crate::state::publish::PublishedEvent;
use crate::state::Gap;

/// Interval of keep-alive comments.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Data of the `gap` event.
#[derive(Debug, Serialize, ToSchema)]
pub struct GapNotice {
    /// Always `gap`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Oldest event id still in the log (0 when the client fell behind the live stream).
    pub oldest_kept: u64,
    /// What to re-read: `/v1/status` (a `snapshot` event follows anyway).
    pub reread: &'static str,
    /// French.
    pub message: &'static str,
}

const GAP_MESSAGE: &str =
    "Des événements ont été perdus : relisez /v1/status (un instantané complet suit).";

fn snapshot_event(snapshot: &Published, last_id: u64, authorised: bool) -> Event {
    let body = snapshot.get(authorised);
    Event::default()
        .event("snapshot")
        .id(last_id.to_string())
        .data(String::from_utf8_lossy(&body))
}

fn logged_event(event: &PublishedEvent, authorised: bool) -> Event {
    Event::default()
        .event(event.name)
        .id(event.id.to_string())
        .data(if authorised {
            &event.full
        } else {
            &event.redacted
        })
}

fn gap_event(gap: Gap) -> Event {
    let notice = GapNotice {
        kind: "gap",
        oldest_kept: gap.oldest_kept,
        reread: "/v1/status",
        message: GAP_MESSAGE,
    };
    Event::default()
        .event("gap")
        .data(serde_json::to_string(&notice).unwrap_or_default())
}

/// One client's live part: its receiver, and what ends it.
struct Live {
    ctx: Arc<ApiContext>,
    subscription: crate::state::Subscription,
    stopping: tokio::sync::watch::Receiver<bool>,
    authorised: bool,
    pending: Vec<Event>,
    _slot: OwnedSemaphorePermit,
}

async fn next_live(mut live: Live) -> Option<(Result<Event, Infallible>, Live)> {
    loop {
        if let Some(event) = live.pending.pop() {
            return Some((Ok(event), live));
        }
        let received = tokio::select! {
            _ = live.stopping.wait_for(|stop| *stop) => return None,
            received = live.subscription.receiver.recv() => received,
        };
        match received {
            Ok(event) => return Some((Ok(logged_event(&event, live.authorised)), live)),
            Err(RecvError::Lagged(_)) => {
                // Too slow for the live stream: start again from a fresh snapshot.
                live.subscription = live.ctx.state.subscribe(None);
                let snapshot = snapshot_event(
                    &live.subscription.snapshot,
                    live.subscription.last_id,
                    live.authorised,
                );
                // `pending` is popped from the end: snapshot after gap.
                live.pending = vec![snapshot, gap_event(Gap { oldest_kept: 0 })];
            }
            Err(RecvError::Closed) => return None,
        }
    }
}

/// The event stream (see the module comment). `Last-Event-ID` resumes.
#[utoipa::path(get, path = "/v1/events", tag = "state",
    security((), ("token" = [])),
    params(("Last-Event-ID" = Option<u64>, Header, description = "Resume after this event id")),
    responses((status = 200, description = "text/event-stream: `snapshot` (StatusSnapshot), then events (Event), `gap` (GapNotice)",
               content_type = "text/event-stream", body = crate::model::events::Event),
              (status = 401, description = "A token that is not the user's", body = super::error::ErrorBody),
              (status = 503, description = "Too many clients", body = super::error::ErrorBody)))]
pub async fn events(
    State(ctx): State<Arc<ApiContext>>,
    caller: Caller,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    // Token and page-session holders (the tray, the page) have slots of their own.
    let slots = if caller.authorised {
        &ctx.sse_slots
    } else {
        &ctx.anonymous_sse_slots
    };
    let slot = slots
        .clone()
        .try_acquire_owned()
        .map_err(|_| ApiError::TooManyStreams)?;
    let resume_after = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let authorised = caller.authorised;
    let subscription = ctx.state.subscribe(resume_after);
    let first: Vec<Event> = match (&subscription.replay, resume_after) {
        (Ok(missed), Some(_)) => missed.iter().map(|e| logged_event(e, authorised)).collect(),
        (Ok(_), None) => vec![snapshot_event(
            &subscription.snapshot,
            subscription.last_id,
            authorised,
        )],
        (Err(gap), _) => vec![
            gap_event(*gap),
            snapshot_event(&subscription.snapshot, subscription.last_id, authorised),
        ],
    };
    let live = Live {
        stopping: ctx.stopping.subscribe(),
        ctx: ctx.clone(),
        subscription,
        authorised,
        pending: Vec::new(),
        _slot: slot,
    };
    let stream = stream::iter(first.into_iter().map(Ok)).chain(stream::unfold(live, next_live));
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}
