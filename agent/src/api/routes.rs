//! The plain JSON routes: status, readers, refresh, health.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::Caller;
use super::error::ApiError;
use super::ApiContext;
use crate::model::status::{ReaderView, ServiceState};
use crate::state::publish::serialise_both;

/// A pre-serialised JSON answer.
pub fn json_bytes(body: Bytes) -> Response {
    let mut response = Response::new(Body::from(body));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn json_for<T: Serialize>(value: &T, caller: Caller) -> Response {
    let (full, redacted) = serialise_both(value);
    json_bytes(Bytes::from(if caller.authorised { full } else { redacted }))
}

/// The whole snapshot: service state, readers, cards and verdicts. Holder names and
/// identifiers only with the token.
#[utoipa::path(get, path = "/v1/status", tag = "state",
    security((), ("token" = [])),
    responses((status = 200, description = "The snapshot", body = crate::model::status::StatusSnapshot),
              (status = 401, body = super::error::ErrorBody), (status = 403, body = super::error::ErrorBody)))]
pub async fn status(State(ctx): State<Arc<ApiContext>>, caller: Caller) -> Response {
    json_bytes(ctx.state.status_json(caller.authorised))
}

/// Every reader and its card.
#[utoipa::path(get, path = "/v1/readers", tag = "state",
    security((), ("token" = [])),
    responses((status = 200, description = "The readers", body = Vec<ReaderView>),
              (status = 401, body = super::error::ErrorBody), (status = 403, body = super::error::ErrorBody)))]
pub async fn readers(State(ctx): State<Arc<ApiContext>>, caller: Caller) -> Response {
    json_for(&ctx.state.snapshot().readers, caller)
}

/// One reader and its card, by the reader's id.
#[utoipa::path(get, path = "/v1/readers/{id}", tag = "state",
    security((), ("token" = [])),
    params(("id" = String, Path, description = "Reader id, as in /v1/readers")),
    responses((status = 200, description = "The reader", body = ReaderView),
              (status = 404, body = super::error::ErrorBody),
              (status = 401, body = super::error::ErrorBody), (status = 403, body = super::error::ErrorBody)))]
pub async fn reader(
    State(ctx): State<Arc<ApiContext>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let snapshot = ctx.state.snapshot();
    let reader = snapshot
        .readers
        .iter()
        .find(|r| r.id == id)
        .ok_or(ApiError::ReaderNotFound(id))?;
    Ok(json_for(reader, caller))
}

/// Answer of `POST /v1/refresh`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefreshAccepted {
    /// Reads queued, one per reader holding a card. Results arrive as events.
    pub reads_queued: usize,
}

/// Reads every present card again (full read), e.g. after a failed read.
#[utoipa::path(post, path = "/v1/refresh", tag = "actions",
    responses((status = 202, description = "Reads queued", body = RefreshAccepted),
              (status = 403, body = super::error::ErrorBody)))]
pub async fn refresh(State(ctx): State<Arc<ApiContext>>) -> Response {
    let refresh = ctx.refresh.clone();
    // Queuing touches only channels, but keep the runtime free of anything blocking.
    let reads_queued = tokio::task::spawn_blocking(move || refresh())
        .await
        .unwrap_or(0);
    (StatusCode::ACCEPTED, Json(RefreshAccepted { reads_queued })).into_response()
}

/// Answer of `GET /healthz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the agent answers.
    pub status: &'static str,
    pub service: ServiceState,
}

/// Liveness: the agent answers, and whether the PC/SC service does.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The agent is alive", body = Health)))]
pub async fn healthz(State(ctx): State<Arc<ApiContext>>) -> Json<Health> {
    Json(Health {
        status: "ok",
        service: ctx.state.snapshot_service(),
    })
}

pub async fn not_found() -> ApiError {
    ApiError::RouteNotFound
}
