//! The local HTTP API (axum): read-only faces of the daemon's state, plus `POST /v1/refresh`.
//! Security rules live in `security`; the routes in `routes`, `sse`, `metrics`, `openapi`;
//! the listening loop (header timeout, connection limit, graceful stop) in `server`.

pub mod auth;
pub mod bench;
pub mod error;
pub mod headers;
pub mod listen;
pub mod metrics;
pub mod openapi;
pub mod organisation;
pub mod page;
pub mod routes;
pub mod security;
pub mod server;
pub mod session;
pub mod sse;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use tokio::sync::{watch, Semaphore};
use tower_http::limit::RequestBodyLimitLayer;

use crate::state::DaemonState;
use crate::token::Token;
pub use security::SecurityPolicy;

/// Largest request body accepted (the API takes no uploads).
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// SSE clients with the token or the page's session (the tray, the page with names) served
/// at once; more get 503. Anonymous clients cannot take these slots.
pub const MAX_SSE_CLIENTS: usize = 32;
/// SSE clients without the token served at once (their own, smaller budget); more get 503.
pub const MAX_ANONYMOUS_SSE_CLIENTS: usize = 16;

/// Asks the daemon to read every present card again; returns how many reads were queued.
pub type RefreshFn = Arc<dyn Fn() -> usize + Send + Sync>;

/// What the handlers share.
pub struct ApiContext {
    pub state: Arc<DaemonState>,
    pub token: Token,
    pub policy: SecurityPolicy,
    pub refresh: RefreshFn,
    /// SSE slots of the token and page-session holders.
    pub sse_slots: Arc<Semaphore>,
    /// SSE slots of anonymous clients.
    pub anonymous_sse_slots: Arc<Semaphore>,
    /// Set to `true` when the agent stops: SSE streams end so connections can close.
    pub stopping: watch::Sender<bool>,
    /// One-time codes and sessions of the status page (see `session`).
    pub sessions: session::Sessions,
    /// The organisation's side (checklist, contract, eligibility): the composition root's.
    pub organisation: Option<Arc<dyn organisation::Organisation>>,
    /// The journal and the diagnostics report (`None`: those routes are unavailable).
    pub bench: Option<Arc<dyn bench::Bench>>,
}

impl ApiContext {
    pub fn new(
        state: Arc<DaemonState>,
        token: Token,
        policy: SecurityPolicy,
        refresh: RefreshFn,
    ) -> ApiContext {
        ApiContext {
            state,
            token,
            policy,
            refresh,
            sse_slots: Arc::new(Semaphore::new(MAX_SSE_CLIENTS)),
            anonymous_sse_slots: Arc::new(Semaphore::new(MAX_ANONYMOUS_SSE_CLIENTS)),
            stopping: watch::Sender::new(false),
            sessions: session::Sessions::default(),
            organisation: None,
            bench: None,
        }
    }

    /// With the organisation's side (checklist, contract, eligibility).
    pub fn with_organisation(mut self, organisation: Arc<dyn organisation::Organisation>) -> Self {
        self.organisation = Some(organisation);
        self
    }

    /// Serves the journal and the diagnostics from `bench`.
    pub fn with_bench(mut self, bench: Arc<dyn bench::Bench>) -> ApiContext {
        self.bench = Some(bench);
        self
    }
}

/// Every route, behind the security layers.
pub fn router(ctx: Arc<ApiContext>) -> Router {
    // Every handler answers from memory at once: the time limit that matters is the one on
    // reading the request headers (`server::HEADER_READ_TIMEOUT`).
    let plain = Router::new()
        .route("/v1/status", get(routes::status))
        .route("/v1/readers", get(routes::readers))
        .route("/v1/readers/{id}", get(routes::reader))
        .route("/v1/refresh", post(routes::refresh))
        .route("/v1/checklist", get(organisation::checklist))
        .route("/v1/checklist/{id}", post(organisation::tick))
        .route("/v1/config", post(organisation::setup))
        .route("/v1/config/reload", post(organisation::reload))
        .route("/v1/finess/{number}", get(organisation::finess))
        .route("/v1/eligibility", post(organisation::eligibility))
        .route("/v1/openapi.json", get(openapi::openapi_json))
        .route("/healthz", get(routes::healthz))
        .route("/metrics", get(metrics::metrics))
        .route("/v1/journal", get(bench::journal))
        .route("/v1/diagnostics", get(bench::diagnostics))
        .merge(page::routes())
        .merge(session::routes());
    let mut app = Router::new()
        .route("/v1/events", get(sse::events))
        .merge(plain)
        .fallback(routes::not_found)
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(axum::middleware::map_response(json_refusal_of_size));
    // No configured origin: no CORS answer at all (foreign origins are refused by the guard,
    // the agent's own pages are same-origin).
    if !ctx.policy.allowed_origins.is_empty() {
        app = app.layer(security::cors_layer(&ctx.policy));
    }
    app.layer(security::GuardLayer { ctx: ctx.clone() })
        .with_state(ctx)
}

/// The body limit's own 413 (plain text) becomes the API's error body, like every refusal.
async fn json_refusal_of_size(response: axum::response::Response) -> axum::response::Response {
    use axum::response::IntoResponse;
    let json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if response.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE && !json {
        return error::ApiError::BodyTooLarge.into_response();
    }
    response
}

#[cfg(test)]
pub(crate) mod tests;
