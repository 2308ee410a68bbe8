//! Sessions of the status page: how a browser gets to see holder names.
//!
//! The browser cannot read the per-user token file, so `cpx-agent open` (run by the user, or
//! by the tray) asks the agent, with the token, for a one-time code (`POST /v1/session/otp`)
//! and opens `http://127.0.0.1:PORT/session?code=…`. That link works once, within
//! `CODE_LIFETIME`; it sets an `HttpOnly`, `SameSite=Strict` cookie holding a random session
//! id and redirects to the page. The security layer then treats the cookie like the token,
//! but only on GET/HEAD requests from the agent's own origin (no `Origin`, or the agent's
//! own; `Sec-Fetch-Site` absent, `same-origin` or `none`): another local web page, even one
//! listed in `allowed_origins`, never gets names through the user's cookie.
//!
//! Limits: browsers do not scope cookies by port, so another program listening on another
//! loopback port of the same machine could receive the cookie if the user's browser visits
//! it; the session then only shows holder names, lasts `SESSION_LIFETIME`, and the agent's
//! restart ends it (sessions live in memory only).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use super::auth::COOKIE_PREFIX;
use super::auth::{bearer, cookie_name};
use super::error::ApiError;
use super::headers::PAGE_CSP;
use super::ApiContext;
use crate::text::api as texte;

/// How long a one-time code may wait before it is used.
pub const CODE_LIFETIME: Duration = Duration::from_secs(60);
/// How long a browser session lasts (a working day).
pub const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// Codes waiting at once; the oldest goes when more are asked for.
const MAX_CODES: usize = 16;
/// Sessions at once; the oldest goes first.
const MAX_SESSIONS: usize = 32;
/// Random bytes in a code and in a session id (printed as hex).
const SECRET_BYTES: usize = 32;

#[derive(Debug)]
struct Secret {
    value: String,
    expires: Instant,
}

#[derive(Debug, Default)]
struct Secrets {
    codes: Vec<Secret>,
    sessions: Vec<Secret>,
}

/// One-time codes and open sessions, in memory.
#[derive(Debug)]
pub struct Sessions {
    secrets: Mutex<Secrets>,
    code_lifetime: Duration,
    session_lifetime: Duration,
}

impl Default for Sessions {
    fn default() -> Sessions {
        Sessions::with_lifetimes(CODE_LIFETIME, SESSION_LIFETIME)
    }
}

/// Compares in time independent of where the strings differ.
fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn random_secret() -> Option<String> {
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::getrandom(&mut bytes).ok()?;
    Some(hex::encode(bytes))
}

fn keep_live(list: &mut Vec<Secret>, now: Instant, max: usize) {
    list.retain(|s| s.expires > now);
    if list.len() >= max {
        let extra = list.len() + 1 - max;
        list.drain(..extra);
    }
}

impl Sessions {
    pub fn with_lifetimes(code_lifetime: Duration, session_lifetime: Duration) -> Sessions {
        Sessions {
            secrets: Mutex::new(Secrets::default()),
            code_lifetime,
            session_lifetime,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Secrets> {
        // The lists stay consistent even if a holder panicked: keep going.
        self.secrets.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new one-time code, or `None` without randomness.
    pub fn issue_code(&self) -> Option<String> {
        let value = random_secret()?;
        let now = Instant::now();
        let mut secrets = self.lock();
        keep_live(&mut secrets.codes, now, MAX_CODES);
        secrets.codes.push(Secret {
            value: value.clone(),
            expires: now + self.code_lifetime,
        });
        Some(value)
    }

    /// Uses up `code`: a new session id when the code was live, `None` otherwise.
    pub fn redeem(&self, code: &str) -> Option<String> {
        let now = Instant::now();
        let mut secrets = self.lock();
        let index = secrets
            .codes
            .iter()
            .position(|c| same_secret(&c.value, code))?;
        let used = secrets.codes.remove(index);
        if used.expires <= now {
            return None;
        }
        let session = random_secret()?;
        keep_live(&mut secrets.sessions, now, MAX_SESSIONS);
        secrets.sessions.push(Secret {
            value: session.clone(),
            expires: now + self.session_lifetime,
        });
        Some(session)
    }

    /// Whether `id` is an open session.
    pub fn is_open(&self, id: &str) -> bool {
        let now = Instant::now();
        self.lock()
            .sessions
            .iter()
            .any(|s| s.expires > now && same_secret(&s.value, id))
    }
}

/// The routes of this module (merged into the API router).
pub fn routes() -> Router<Arc<ApiContext>> {
    Router::new()
        .route("/v1/session/otp", post(issue_code))
        .route("/session", get(open_session))
}

/// Answer of `POST /v1/session/otp`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OneTimeCode {
    /// Single use, valid `expires_in_seconds`.
    pub code: String,
    /// Path to open in the browser on the agent's address: `/session?code=…`.
    pub path: String,
    pub expires_in_seconds: u64,
}

/// A one-time code to open a status-page session that shows holder names (what
/// `cpx-agent open` asks for). Needs the token itself: a session cookie is not enough.
#[utoipa::path(post, path = "/v1/session/otp", tag = "actions",
    security(("token" = [])),
    responses((status = 201, description = "A one-time code", body = OneTimeCode),
              (status = 401, body = super::error::ErrorBody), (status = 403, body = super::error::ErrorBody)))]
pub async fn issue_code(State(ctx): State<Arc<ApiContext>>, headers: HeaderMap) -> Response {
    if bearer(&headers)
        .and_then(Result::ok)
        .is_none_or(|t| !ctx.token.matches(t))
    {
        return ApiError::BadToken.into_response();
    }
    match ctx.sessions.issue_code() {
        Some(code) => (
            StatusCode::CREATED,
            Json(OneTimeCode {
                path: format!("/session?code={code}"),
                code,
                expires_in_seconds: ctx.sessions.code_lifetime.as_secs(),
            }),
        )
            .into_response(),
        None => (StatusCode::INTERNAL_SERVER_ERROR, texte::NO_RANDOM).into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub struct CodeQuery {
    code: Option<String>,
}

fn refused_page() -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/ui/app.css\"></head>\
         <body><main><h1>{title}</h1><p>{text}</p><p><a href=\"/\">{back}</a></p></main>\
         </body></html>\n",
        title = texte::LINK_REFUSED_TITLE,
        text = texte::LINK_REFUSED,
        back = texte::BACK,
    );
    let mut response = (StatusCode::FORBIDDEN, html).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    response
}

/// The one-time link: a live code opens a session (cookie) and leads to the page.
pub async fn open_session(
    State(ctx): State<Arc<ApiContext>>,
    headers: HeaderMap,
    Query(query): Query<CodeQuery>,
) -> Response {
    let Some(session) = query.code.as_deref().and_then(|c| ctx.sessions.redeem(c)) else {
        return refused_page();
    };
    let cookie = format!(
        "{}={session}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}",
        cookie_name(&headers),
        ctx.sessions.session_lifetime.as_secs()
    );
    let mut response = StatusCode::SEE_OTHER.into_response();
    let out = response.headers_mut();
    out.insert(header::LOCATION, HeaderValue::from_static("/"));
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        out.insert(header::SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests;
