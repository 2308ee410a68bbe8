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
//! Wrong codes: the 256-bit codes make guessing hopeless; as defence in depth, after
//! `MAX_FAILED_CODES` refused links within `FAILURE_WINDOW`, every link is answered 429 for
//! `LOCKOUT` (a legitimate user waits and asks for a new link).
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
/// Refused links allowed within `FAILURE_WINDOW` before the lockout.
pub const MAX_FAILED_CODES: u32 = 10;
/// The window in which refused links are counted.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);
/// How long every link is refused (429) once `MAX_FAILED_CODES` is reached.
pub const LOCKOUT: Duration = Duration::from_secs(60);

#[derive(Debug)]
struct Secret {
    value: String,
    expires: Instant,
}

#[derive(Debug, Default)]
struct Secrets {
    codes: Vec<Secret>,
    sessions: Vec<Secret>,
    failures: Failures,
}

/// Refused links, counted per window, and the lockout they may cause.
#[derive(Debug, Default)]
struct Failures {
    window_start: Option<Instant>,
    count: u32,
    locked_until: Option<Instant>,
}

/// Why a link opened no session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Unknown, spent or expired code.
    Invalid,
    /// Too many refused links lately: every link is refused for this long still.
    TooManyAttempts { retry_after: Duration },
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

    /// Uses up `code`: a new session id when the code was live. A refused code counts
    /// towards the lockout; during the lockout no code is even looked at (a live one stays
    /// usable afterwards, if still in time).
    pub fn redeem(&self, code: Option<&str>) -> Result<String, Refused> {
        let now = Instant::now();
        let mut secrets = self.lock();
        if let Some(until) = secrets.failures.locked_until {
            if until > now {
                return Err(Refused::TooManyAttempts {
                    retry_after: until - now,
                });
            }
            secrets.failures = Failures::default();
        }
        let index = code.and_then(|code| {
            secrets
                .codes
                .iter()
                .position(|c| same_secret(&c.value, code))
        });
        let live = index
            .map(|i| secrets.codes.remove(i))
            .filter(|c| c.expires > now);
        if live.is_none() {
            let failures = &mut secrets.failures;
            if failures
                .window_start
                .is_none_or(|start| now.duration_since(start) >= FAILURE_WINDOW)
            {
                failures.window_start = Some(now);
                failures.count = 0;
            }
            failures.count += 1;
            if failures.count >= MAX_FAILED_CODES {
                failures.locked_until = Some(now + LOCKOUT);
                tracing::warn!("{}", texte::TOO_MANY_ATTEMPTS_LOG);
            }
            return Err(Refused::Invalid);
        }
        let session = random_secret().ok_or(Refused::Invalid)?;
        keep_live(&mut secrets.sessions, now, MAX_SESSIONS);
        secrets.sessions.push(Secret {
            value: session.clone(),
            expires: now + self.session_lifetime,
        });
        Ok(session)
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

fn refused_page(refused: Refused) -> Response {
    let (status, title, text) = match refused {
        Refused::Invalid => (
            StatusCode::FORBIDDEN,
            texte::LINK_REFUSED_TITLE,
            texte::LINK_REFUSED.to_string(),
        ),
        Refused::TooManyAttempts { retry_after } => (
            StatusCode::TOO_MANY_REQUESTS,
            texte::TOO_MANY_ATTEMPTS_TITLE,
            texte::too_many_attempts(retry_after.as_secs().max(1)),
        ),
    };
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/ui/app.css\"></head>\
         <body><main><h1>{title}</h1><p>{text}</p><p><a href=\"/\">{back}</a></p></main>\
         </body></html>\n",
        back = texte::BACK,
    );
    let mut response = (status, html).into_response();
    if let Refused::TooManyAttempts { retry_after } = refused {
        let seconds = retry_after.as_secs().max(1).to_string();
        if let Ok(value) = HeaderValue::from_str(&seconds) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
    }
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
    let session = match ctx.sessions.redeem(query.code.as_deref()) {
        Ok(session) => session,
        Err(refused) => return refused_page(refused),
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
