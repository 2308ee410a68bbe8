//! The organisation's routes: the RPPS+ checklist (`GET /v1/checklist`,
//! `POST /v1/checklist/{id}`), the contract (`POST /v1/config`, `POST /v1/config/reload`),
//! the FINESS lookup of the setup form (`GET /v1/finess/{number}`) and the eligibility helper
//! (`POST /v1/eligibility`). The work is the composition root's (`crate::cli::run`), behind
//! the [`Organisation`] port: this face only checks who asks and turns answers into HTTP.
//!
//! Who may change something (tick, write the configuration, reload it): the bearer of the
//! user's token, or the status page's session (its cookie, sent by a `POST` from the agent's
//! own origin: `Origin` present and the agent's, `Sec-Fetch-Site` same-origin when sent).
//! Reads: anyone the security layer lets in; who ticked and their notes only with the token
//! or the session.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::{may_change, Caller};
use super::error::ApiError;
use super::ApiContext;
use crate::model::checklist::{redact_person, Checklist, TickRequest};
use crate::model::setup::{
    EligibilityAnswer, EligibilityRequest, FinessLookup, SetupAnswer, SetupRequest,
};

/// Why the organisation's side refused or failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortError {
    /// The request is wrong (400): French, with what to do.
    Refused(String),
    /// Something on this workstation failed (503): French, with what to do.
    Unavailable(String),
}

/// What the routes ask of the running agent (blocking calls: the handlers run them off the
/// async workers).
pub trait Organisation: Send + Sync + 'static {
    /// The checklist now (live state included).
    fn checklist(&self) -> Result<Checklist, PortError>;
    /// Ticks or unticks a step (`origin`: `api` or `page`); the checklist after.
    fn tick(&self, id: &str, request: &TickRequest, origin: &str) -> Result<Checklist, PortError>;
    /// Reads the configuration file again and applies it.
    fn reload(&self) -> Result<ReloadAnswer, PortError>;
    /// Writes a new contract into the configuration file, then applies it.
    fn setup(&self, request: &SetupRequest) -> Result<SetupAnswer, PortError>;
    /// What the FINESS directory says of a number.
    fn finess(&self, number: &str) -> FinessLookup;
    /// Who needs RPPS+.
    fn eligibility(&self, request: &EligibilityRequest) -> Result<EligibilityAnswer, PortError>;
}

/// Answer of `POST /v1/config/reload`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
pub struct ReloadAnswer {
    /// The file read.
    pub path: Option<String>,
    /// French: what is in force now.
    pub message: String,
}

fn port(ctx: &ApiContext) -> Result<Arc<dyn Organisation>, ApiError> {
    ctx.organisation
        .clone()
        .ok_or_else(|| ApiError::Unavailable(crate::text::api::NO_ORGANISATION.into()))
}

impl From<PortError> for ApiError {
    fn from(e: PortError) -> ApiError {
        match e {
            PortError::Refused(m) => ApiError::BadRequest(m),
            PortError::Unavailable(m) => ApiError::Unavailable(m),
        }
    }
}

/// Runs a blocking port call off the async workers.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, PortError> + Send + 'static,
) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result.map_err(ApiError::from),
        Err(_) => Err(ApiError::Unavailable(crate::text::api::INTERNAL.into())),
    }
}

fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    let body: &[u8] = if body.is_empty() { b"{}" } else { body };
    serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(crate::text::api::bad_json(&e.to_string())))
}

fn shown(mut checklist: Checklist, authorised: bool) -> Response {
    if !authorised {
        redact_person(&mut checklist);
    }
    Json(checklist).into_response()
}

/// The RPPS+ checklist: every step, its state, who set it and when. Who ticked and their
/// notes only with the token (or the page's session).
#[utoipa::path(get, path = "/v1/checklist", tag = "checklist",
    security((), ("token" = [])),
    responses((status = 200, description = "The checklist", body = Checklist),
              (status = 401, description = "A token that is not the user's", body = super::error::ErrorBody),
              (status = 503, description = "The démarche's store cannot be opened", body = super::error::ErrorBody)))]
pub async fn checklist(
    State(ctx): State<Arc<ApiContext>>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let org = port(&ctx)?;
    let checklist = blocking(move || org.checklist()).await?;
    Ok(shown(checklist, caller.authorised))
}

/// Ticks (`done: true`) or unticks a step. Token, or the page's session from the agent's own
/// origin.
#[utoipa::path(post, path = "/v1/checklist/{id}", tag = "checklist",
    security(("token" = [])),
    params(("id" = String, Path, description = "Step id: finess_data, contract_sent, cde_received…")),
    request_body = TickRequest,
    responses((status = 200, description = "The checklist after", body = Checklist),
              (status = 400, body = super::error::ErrorBody),
              (status = 401, body = super::error::ErrorBody), (status = 403, body = super::error::ErrorBody)))]
pub async fn tick(
    State(ctx): State<Arc<ApiContext>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let origin = may_change(&ctx, &Method::POST, &headers)?;
    let request: TickRequest = parse(&body)?;
    let org = port(&ctx)?;
    let checklist = blocking(move || org.tick(&id, &request, origin)).await?;
    Ok(shown(checklist, true))
}

/// Reads the configuration file again and applies it (cards judged again, `config_reloaded`
/// and `checklist_changed` events). What `cpx-agent setup` and SIGHUP do.
#[utoipa::path(post, path = "/v1/config/reload", tag = "actions",
    security(("token" = [])),
    responses((status = 200, description = "Applied", body = ReloadAnswer),
              (status = 400, description = "The file is refused (the agent keeps the configuration in force)", body = super::error::ErrorBody),
              (status = 401, body = super::error::ErrorBody), (status = 403, body = super::error::ErrorBody)))]
pub async fn reload(
    State(ctx): State<Arc<ApiContext>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    may_change(&ctx, &Method::POST, &headers)?;
    let org = port(&ctx)?;
    let answer = blocking(move || org.reload()).await?;
    Ok(Json(answer).into_response())
}

/// Writes the RPPS+ contract into the configuration file (comments kept, validated as at
/// start), then applies it. The page's contract form.
#[utoipa::path(post, path = "/v1/config", tag = "actions",
    security(("token" = [])),
    request_body = SetupRequest,
    responses((status = 200, description = "Written and applied", body = SetupAnswer),
              (status = 400, description = "Refused: nothing written", body = super::error::ErrorBody),
              (status = 401, body = super::error::ErrorBody), (status = 403, body = super::error::ErrorBody)))]
pub async fn setup(
    State(ctx): State<Arc<ApiContext>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    may_change(&ctx, &Method::POST, &headers)?;
    let request: SetupRequest = parse(&body)?;
    let org = port(&ctx)?;
    let answer = blocking(move || org.setup(&request)).await?;
    Ok(Json(answer).into_response())
}

/// What the local FINESS directory says of a number (public data): the setup form's live
/// lookup.
#[utoipa::path(get, path = "/v1/finess/{number}", tag = "checklist",
    params(("number" = String, Path, description = "A FINESS number")),
    responses((status = 200, description = "What the directory says", body = FinessLookup)))]
pub async fn finess(
    State(ctx): State<Arc<ApiContext>>,
    Path(number): Path<String>,
) -> Result<Response, ApiError> {
    let org = port(&ctx)?;
    let lookup = blocking(move || Ok(org.finess(&number))).await?;
    Ok(Json(lookup).into_response())
}

/// Who needs RPPS+: one person's answers assessed (nothing is stored).
#[utoipa::path(post, path = "/v1/eligibility", tag = "checklist",
    request_body = EligibilityRequest,
    responses((status = 200, description = "The answer", body = EligibilityAnswer),
              (status = 400, body = super::error::ErrorBody)))]
pub async fn eligibility(
    State(ctx): State<Arc<ApiContext>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: EligibilityRequest = parse(&body)?;
    let org = port(&ctx)?;
    let answer = blocking(move || org.eligibility(&request)).await?;
    Ok((StatusCode::OK, Json(answer)).into_response())
}
