//! The listening loop: HTTP/1.1 on the agent's loopback sockets (127.0.0.1 and [::1], see
//! `listen`), with a time limit on reading request headers, a cap on open connections that
//! idle clients cannot use to starve others, and a graceful stop (SSE streams end,
//! connections finish their answer, then close; anything left after a grace period is
//! dropped).
//!
//! Connection policy: a connection is *busy* while a request is being answered (an SSE stream
//! stays busy as long as it is open) and *idle* otherwise (before its first request, between
//! keep-alive requests, while it trickles its headers). At `MAX_CONNECTIONS`, a new connection
//! closes the idle connection that has been idle longest; with nothing idle to close, the new
//! connection is closed at once rather than left waiting. Above `PRESSURE_AT`, connections
//! idle for `PRESSURE_IDLE` are closed as new ones arrive (a shorter idle timeout under
//! pressure). So a flood of idle connections never delays a request that arrives after it.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::response::Response;
use axum::routing::future::RouteFuture;
use axum::Router;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{AbortHandle, JoinSet};
use tower::Service;

/// Time a client has to send its request headers.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections served at once (see the module comment for what happens beyond).
pub const MAX_CONNECTIONS: usize = 512;
/// Above this many connections, idle ones are closed after `PRESSURE_IDLE`.
pub const PRESSURE_AT: usize = MAX_CONNECTIONS * 3 / 4;
/// Idle time after which a connection is closed when the agent is under pressure.
pub const PRESSURE_IDLE: Duration = Duration::from_secs(2);
/// Time given to open connections to finish once the agent stops.
pub const STOP_GRACE: Duration = Duration::from_secs(2);

/// One connection's activity, shared between its task and the table.
#[derive(Debug, Default)]
struct Activity {
    /// Requests being answered (their response body not yet finished).
    busy: AtomicU32,
    /// When it last became idle, in milliseconds since the table's start.
    idle_since_ms: AtomicU64,
}

struct Entry {
    activity: Arc<Activity>,
    abort: Option<AbortHandle>,
}

/// The open connections, to choose which to close when there are too many.
struct Table {
    start: Instant,
    entries: Mutex<HashMap<u64, Entry>>,
}

impl Table {
    fn new() -> Table {
        Table {
            start: Instant::now(),
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Entry>> {
        // The map stays consistent whatever a holder did: keep serving.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes room for one more connection. Returns false when every connection is busy.
    fn make_room(&self) -> bool {
        let now = self.now_ms();
        let mut entries = self.lock();
        if entries.len() >= PRESSURE_AT {
            let limit = u64::try_from(PRESSURE_IDLE.as_millis()).unwrap_or(u64::MAX);
            entries.retain(|_, entry| {
                let stale = entry.activity.busy.load(Ordering::Acquire) == 0
                    && now.saturating_sub(entry.activity.idle_since_ms.load(Ordering::Acquire))
                        >= limit;
                if stale {
                    close(entry);
                }
                !stale
            });
        }
        if entries.len() < MAX_CONNECTIONS {
            return true;
        }
        let oldest_idle = entries
            .iter()
            .filter(|(_, e)| e.activity.busy.load(Ordering::Acquire) == 0)
            .min_by_key(|(_, e)| e.activity.idle_since_ms.load(Ordering::Acquire))
            .map(|(id, _)| *id);
        match oldest_idle.and_then(|id| entries.remove(&id)) {
            Some(entry) => {
                close(&entry);
                true
            }
            None => false,
        }
    }
}

fn close(entry: &Entry) {
    if let Some(abort) = &entry.abort {
        abort.abort();
    }
}

/// Removes its connection from the table when the connection's task ends (or is aborted).
struct Registered {
    table: Arc<Table>,
    id: u64,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.table.lock().remove(&self.id);
    }
}

/// Marks its connection busy while it lives: from the request's arrival to the end of its
/// response body.
struct BusyGuard {
    activity: Arc<Activity>,
    table: Arc<Table>,
}

impl BusyGuard {
    fn new(activity: Arc<Activity>, table: Arc<Table>) -> BusyGuard {
        activity.busy.fetch_add(1, Ordering::AcqRel);
        BusyGuard { activity, table }
    }
}

impl Drop for BusyGuard {
    fn drop(&mut self) {
        self.activity
            .idle_since_ms
            .store(self.table.now_ms(), Ordering::Release);
        self.activity.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The router, seen by hyper, with each request's activity tracked.
#[derive(Clone)]
struct Tracked {
    router: Router,
    activity: Arc<Activity>,
    table: Arc<Table>,
}

impl hyper::service::Service<Request<Incoming>> for Tracked {
    type Response = Response<TrackedBody>;
    type Error = Infallible;
    type Future = TrackedFuture;

    fn call(&self, request: Request<Incoming>) -> TrackedFuture {
        let guard = BusyGuard::new(self.activity.clone(), self.table.clone());
        // An axum Router is always ready: no `poll_ready` needed.
        let mut router = self.router.clone();
        TrackedFuture {
            inner: router.call(request),
            guard: Some(guard),
        }
    }
}

pin_project_lite::pin_project! {
    struct TrackedFuture {
        #[pin]
        inner: RouteFuture<Infallible>,
        guard: Option<BusyGuard>,
    }
}

impl Future for TrackedFuture {
    type Output = Result<Response<TrackedBody>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Poll::Ready(Ok(response)) = this.inner.poll(cx) else {
            return Poll::Pending;
        };
        let guard = this.guard.take();
        Poll::Ready(Ok(response.map(|body| TrackedBody {
            body,
            _guard: guard,
        })))
    }
}

/// A response body that keeps its connection busy until it ends.
struct TrackedBody {
    body: Body,
    _guard: Option<BusyGuard>,
}

impl HttpBody for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// The next connection on any of `listeners`.
async fn accept_any(listeners: &[TcpListener]) -> std::io::Result<TcpStream> {
    poll_fn(|cx| {
        for listener in listeners {
            if let Poll::Ready(accepted) = listener.poll_accept(cx) {
                return Poll::Ready(accepted.map(|(stream, _)| stream));
            }
        }
        Poll::Pending
    })
    .await
}

/// Serves `router` on `listeners` until `stop` resolves.
pub async fn serve(listeners: Vec<TcpListener>, router: Router, stop: impl Future<Output = ()>) {
    let table = Arc::new(Table::new());
    let (stopping_tx, stopping_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut next_id: u64 = 0;
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            _ = &mut stop => break,
            accepted = accept_any(&listeners) => accepted,
            // Reap finished connection tasks as we go.
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        let stream = match accepted {
            Ok(stream) => stream,
            Err(error) => {
                // Out of file descriptors and the like: wait a little instead of spinning.
                tracing::warn!("accept: {error}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        if !table.make_room() {
            tracing::debug!("connexion refusée : toutes les connexions sont occupées");
            continue;
        }
        let _ = stream.set_nodelay(true);
        next_id += 1;
        let id = next_id;
        let activity = Arc::new(Activity {
            busy: AtomicU32::new(0),
            idle_since_ms: AtomicU64::new(table.now_ms()),
        });
        let service = Tracked {
            router: router.clone(),
            activity: activity.clone(),
            table: table.clone(),
        };
        let registered = Registered {
            table: table.clone(),
            id,
        };
        let mut stopping = stopping_rx.clone();
        // The table's lock is held from the spawn to the entry's insertion, so the task's own
        // removal (when it ends) always comes after.
        let mut entries = table.lock();
        let abort = connections.spawn(async move {
            let _registered = registered;
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service);
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => return,
                _ = stopping.wait_for(|s| *s) => connection.as_mut().graceful_shutdown(),
            }
            let _ = connection.await;
        });
        entries.insert(
            id,
            Entry {
                activity,
                abort: Some(abort),
            },
        );
        drop(entries);
    }
    drop(listeners);
    let _ = stopping_tx.send(true);
    let drained = tokio::time::timeout(STOP_GRACE, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        connections.abort_all();
    }
}

#[cfg(test)]
mod tests;
