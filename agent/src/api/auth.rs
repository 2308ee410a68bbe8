//! Who is calling: the per-user token (`Authorization: Bearer …`) or the status page's
//! session cookie, and whether a request comes from the agent's own origin. One place for
//! these checks: the security layer, the handlers and the session routes all ask here.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};

use super::error::ApiError;
use super::ApiContext;

/// Name of the session cookie, per port (browsers do not scope cookies by port).
pub const COOKIE_PREFIX: &str = "cpx_session_";

/// The bearer token the request presents: `None` without an `Authorization` header,
/// `Some(Err(()))` when the header is not a bearer token.
pub fn bearer(headers: &HeaderMap) -> Option<Result<&str, ()>> {
    let value = headers.get(header::AUTHORIZATION)?;
    Some(
        value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(()),
    )
}

/// Whether the request's `Origin`, if any, is the agent itself (`http://<own host>`).
pub fn from_own_origin(ctx: &ApiContext, headers: &HeaderMap) -> bool {
    headers.get(header::ORIGIN).is_none_or(|o| {
        o.to_str()
            .ok()
            .and_then(|o| o.strip_prefix("http://"))
            .is_some_and(|host| ctx.policy.is_own_host(host))
    })
}

/// The port the agent answers on, from the request's (already checked) `Host`.
fn port_of(headers: &HeaderMap) -> &str {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.rsplit_once(':'))
        .map_or("0", |(_, port)| port)
}

pub fn cookie_name(headers: &HeaderMap) -> String {
    format!("{COOKIE_PREFIX}{}", port_of(headers))
}

/// The session id in the request's cookie, if any.
fn session_cookie(headers: &HeaderMap) -> Option<String> {
    let name = cookie_name(headers);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim().to_owned())
}

/// Whether a request may be authorised by the session cookie: a read (GET/HEAD) coming from
/// the agent's own pages, with a cookie naming an open session.
pub fn cookie_authorises(ctx: &ApiContext, method: &Method, headers: &HeaderMap) -> bool {
    if method != Method::GET && method != Method::HEAD {
        return false;
    }
    let own_origin = from_own_origin(ctx, headers);
    let same_site = headers
        .get("sec-fetch-site")
        .is_none_or(|v| v == "same-origin" || v == "none");
    own_origin && same_site && session_cookie(headers).is_some_and(|id| ctx.sessions.is_open(&id))
}

/// Whether a request may change something (tick a step, write or reload the configuration):
/// the user's token, or the page's session cookie on a request from the agent's own origin
/// (`Origin` present and the agent's: browsers send it on every `POST`; `Sec-Fetch-Site`
/// same-origin when sent). Returns where it came from (`api` or `page`), or the refusal.
pub fn may_change(
    ctx: &ApiContext,
    method: &Method,
    headers: &HeaderMap,
) -> Result<&'static str, ApiError> {
    if let Some(presented) = bearer(headers) {
        let presented = presented.map_err(|()| ApiError::BadToken)?;
        return if ctx.token.matches(presented) {
            Ok("api")
        } else {
            Err(ApiError::BadToken)
        };
    }
    let own_origin = headers.get(header::ORIGIN).is_some() && from_own_origin(ctx, headers);
    let same_site = headers
        .get("sec-fetch-site")
        .is_none_or(|v| v == "same-origin");
    let session = session_cookie(headers).is_some_and(|id| ctx.sessions.is_open(&id));
    if method == Method::POST && own_origin && same_site && session {
        Ok("page")
    } else {
        Err(ApiError::NeedsToken)
    }
}

/// Whether the caller proved it is the user (token). A wrong token is refused (401) rather
/// than silently redacted, so a misconfigured application notices.
#[derive(Debug, Clone, Copy)]
pub struct Caller {
    pub authorised: bool,
}

impl FromRequestParts<Arc<ApiContext>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        ctx: &Arc<ApiContext>,
    ) -> Result<Caller, ApiError> {
        let Some(presented) = bearer(&parts.headers) else {
            // The status page's session cookie counts as the token for its own reads.
            let authorised = cookie_authorises(ctx, &parts.method, &parts.headers);
            return Ok(Caller { authorised });
        };
        let presented = presented.map_err(|()| ApiError::BadToken)?;
        if ctx.token.matches(presented) {
            Ok(Caller { authorised: true })
        } else {
            Err(ApiError::BadToken)
        }
    }
}
