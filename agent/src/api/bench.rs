//! The technician's bench on the API: `GET /v1/journal` (the cards and readers this workstation
//! has seen: token only) and `GET /v1/diagnostics` (the support report, JSON or
//! `?format=html`; personal data only with the token). Both are read on a blocking thread from
//! the `Bench` the composition root hands in: the API itself reads no file and no PC/SC.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::auth::{bearer, Caller};
use super::error::ApiError;
use super::routes::json_bytes;
use super::ApiContext;

/// The report page's policy: no script at all, its own inline style only.
pub const REPORT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// What the bench routes read (wired by `cli::run`). Blocking: called on a blocking thread.
pub trait Bench: Send + Sync {
    /// The journal (`JournalListing` JSON), in full; `Err`: unavailable (French).
    fn journal(&self, since: Option<String>, kinds: Vec<String>) -> Result<String, String>;
    /// The diagnostics report: JSON, or the HTML page; without personal data unless
    /// `authorised`.
    fn diagnostics(&self, authorised: bool, html: bool) -> String;
}

#[derive(Debug, Deserialize)]
pub struct JournalQuery {
    /// `YYYY-MM-DD`.
    pub since: Option<String>,
    /// Journal kinds, comma-separated (`CDE/CPE`, `CPS`, `not_cpx`…).
    pub kind: Option<String>,
}

/// The journal: every card and reader seen, with holder names and card numbers. Only with the
/// token (`Authorization: Bearer`); 401 otherwise.
#[utoipa::path(get, path = "/v1/journal", tag = "bench",
    security(("token" = [])),
    params(("since" = Option<String>, Query, format = Date, description = "Cards seen since this day, YYYY-MM-DD"),
           ("kind" = Option<String>, Query, description = "Journal kinds, comma-separated (CDE/CPE, CPS, CPF, CDA/CPA, not_cpx)")),
    responses((status = 200, description = "The journal", body = crate::journal::JournalListing),
              (status = 400, body = super::error::ErrorBody),
              (status = 401, body = super::error::ErrorBody), (status = 403, body = super::error::ErrorBody),
              (status = 503, body = super::error::ErrorBody)))]
pub async fn journal(
    State(ctx): State<Arc<ApiContext>>,
    headers: axum::http::HeaderMap,
    query: Result<Query<JournalQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(bad_query)?;
    // The token itself, not the page's session: the journal is for the user's own tools.
    match bearer(&headers) {
        Some(Ok(t)) if ctx.token.matches(t) => {}
        None => return Err(ApiError::TokenRequired),
        _ => return Err(ApiError::BadToken),
    }
    let since = match query.since.as_deref() {
        None => None,
        Some(day) => Some(
            crate::journal::day_start(day)
                .ok_or_else(|| ApiError::BadRequest(crate::text::bench::bad_date(day)))?,
        ),
    };
    let kinds: Vec<String> = query
        .kind
        .map(|k| {
            k.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let Some(bench) = ctx.bench.clone() else {
        return Err(ApiError::Unavailable(crate::text::bench::journal_no_path()));
    };
    let listing = tokio::task::spawn_blocking(move || bench.journal(since, kinds))
        .await
        .map_err(|_| ApiError::Unavailable(crate::text::bench::journal_no_path()))?;
    match listing {
        Ok(json) => Ok(json_bytes(Bytes::from(json))),
        Err(message) => Err(ApiError::Unavailable(message)),
    }
}

/// A query string axum cannot read (a parameter twice…): the API's own JSON error, as
/// documented, instead of axum's plain-text rejection (found by Schemathesis).
fn bad_query(rejection: QueryRejection) -> ApiError {
    ApiError::BadRequest(crate::text::bench::bad_query(&rejection.body_text()))
}

#[derive(Debug, Deserialize)]
pub struct DiagnosticsQuery {
    /// `json` (default) or `html`.
    pub format: Option<String>,
}

/// The support report: agent, system, clock, PC/SC, readers (model, pin pad), USB readers
/// PC/SC does not show, cards and verdicts, configuration, FINESS directory, journal, last
/// events. `?format=html`: one self-contained French page. Personal data only with the token.
#[utoipa::path(get, path = "/v1/diagnostics", tag = "bench",
    security((), ("token" = [])),
    params(("format" = Option<String>, Query, pattern = "^(json|html)$", description = "json (default) or html")),
    responses((status = 200, description = "The report (JSON; `format=html`: one French page)",
               content((crate::diagnostics::Report = "application/json"), (String = "text/html"))),
              (status = 400, body = super::error::ErrorBody),
              (status = 401, body = super::error::ErrorBody), (status = 403, body = super::error::ErrorBody)))]
pub async fn diagnostics(
    State(ctx): State<Arc<ApiContext>>,
    caller: Caller,
    query: Result<Query<DiagnosticsQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(bad_query)?;
    let html = match query.format.as_deref() {
        None | Some("json") => false,
        Some("html") => true,
        Some(other) => {
            return Err(ApiError::BadRequest(crate::text::bench::bad_format(other)));
        }
    };
    let Some(bench) = ctx.bench.clone() else {
        return Err(ApiError::RouteNotFound);
    };
    let authorised = caller.authorised;
    let body = tokio::task::spawn_blocking(move || bench.diagnostics(authorised, html))
        .await
        .map_err(|_| ApiError::RouteNotFound)?;
    if !html {
        return Ok(json_bytes(Bytes::from(body)));
    }
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(REPORT_CSP),
    );
    Ok(response)
}
