//! The API's security rules (architecture.md §Local API), applied to every request before any
//! handler:
//! - `Host`, `Origin`, `Sec-Fetch-Site` and `Authorization` at most once each (two are
//!   ambiguous: readers disagree on which counts) → 400; a `Host` that is not visible ASCII →
//!   400;
//! - `Host` must be the agent's own loopback name and port (DNS rebinding → 403), and so must
//!   the authority of an absolute-form target (`GET http://host:port/… HTTP/1.1`);
//! - an `Origin` must be the agent itself or exactly one of `[api] allowed_origins` (else 403,
//!   and no CORS grant);
//! - a browser request that says `Sec-Fetch-Site: cross-site` or `same-site` (another port of
//!   the machine is same-site) is refused (403) unless its `Origin` is one of the configured
//!   origins: the agent's own pages send `same-origin`, a typed or opened link `none`, so a
//!   hostile page's `no-cors` requests (which carry no `Origin`) get nothing, not even an SSE
//!   slot;
//! - only the routes that take a JSON body (`takes_body`: a tick `POST /v1/checklist/{id}`,
//!   the contract `POST /v1/config`, `POST /v1/eligibility`) accept one, capped by
//!   `RequestBodyLimitLayer` as it is read; any other route refuses a body (413) whatever its
//!   framing (`Content-Length` or chunked), before any handler runs;
//! - personal data only for the bearer of the per-user token (`auth`); security headers on
//!   every answer.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use std::convert::Infallible;
use std::task::{Context, Poll};

use axum::body::HttpBody;
use axum::extract::Request;
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use futures::future::{ready, Either, FutureExt, Map, Ready};
use tower::{Layer, Service};
use tower_http::cors::{AllowOrigin, CorsLayer};

use super::error::ApiError;
use super::ApiContext;

/// Who may talk to the agent.
#[derive(Debug, Clone)]
pub struct SecurityPolicy {
    /// Accepted `Host` values, lower case (`127.0.0.1:8787`, `localhost:8787`, `[::1]:8787`).
    pub allowed_hosts: Vec<String>,
    /// Web origins granted CORS, exact match (from `[api] allowed_origins`).
    pub allowed_origins: Vec<String>,
}

impl SecurityPolicy {
    /// The policy for an agent listening on `port` of 127.0.0.1, and of [::1] when `ipv6`
    /// (the names it does not hold are refused).
    pub fn for_port(port: u16, ipv6: bool, allowed_origins: Vec<String>) -> SecurityPolicy {
        let mut allowed_hosts = vec![format!("127.0.0.1:{port}"), format!("localhost:{port}")];
        if ipv6 {
            allowed_hosts.push(format!("[::1]:{port}"));
        }
        SecurityPolicy {
            allowed_hosts,
            allowed_origins,
        }
    }

    /// The policy for an agent holding `listen`'s port on both loopback families (tests).
    pub fn for_listen(listen: SocketAddr, allowed_origins: Vec<String>) -> SecurityPolicy {
        SecurityPolicy::for_port(listen.port(), true, allowed_origins)
    }

    fn host_allowed(&self, host: &str) -> bool {
        self.allowed_hosts
            .iter()
            .any(|h| h.eq_ignore_ascii_case(host))
    }

    /// Whether `host` (`name:port`) is one of the agent's own names and port.
    pub fn is_own_host(&self, host: &str) -> bool {
        self.host_allowed(host)
    }

    fn origin_allowed(&self, origin: &str) -> bool {
        // The agent's own pages (http://<own host>) and the configured origins, exactly.
        self.allowed_origins.iter().any(|o| o == origin)
            || origin
                .strip_prefix("http://")
                .is_some_and(|host| self.host_allowed(host))
    }
}

/// CORS for the configured origins only; the methods and headers the API uses.
pub fn cors_layer(policy: &SecurityPolicy) -> CorsLayer {
    let origins: Vec<HeaderValue> = policy
        .allowed_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("last-event-id"),
        ])
        .max_age(Duration::from_secs(600))
}

/// Headers on every answer, refusals included.
const SECURITY_HEADERS: [(&str, &str); 5] = [
    ("x-content-type-options", "nosniff"),
    (
        "content-security-policy",
        "default-src 'none'; frame-ancestors 'none'",
    ),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("cache-control", "no-store"),
];

/// The outermost layer: counts the request, refuses a foreign `Host` or `Origin`, adds the
/// security headers. A plain tower service (no boxing): it sits on every request's path.
#[derive(Clone)]
pub struct GuardLayer {
    pub ctx: Arc<ApiContext>,
}

impl<S> Layer<S> for GuardLayer {
    type Service = Guard<S>;

    fn layer(&self, inner: S) -> Guard<S> {
        Guard {
            inner,
            ctx: self.ctx.clone(),
        }
    }
}

#[derive(Clone)]
pub struct Guard<S> {
    inner: S,
    ctx: Arc<ApiContext>,
}

type Answer = Result<Response, Infallible>;

impl<S> Service<Request> for Guard<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Map<Either<Ready<Answer>, S::Future>, fn(Answer) -> Answer>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let ctx = &self.ctx;
        ctx.state
            .counters
            .api_requests
            .fetch_add(1, Ordering::Relaxed);
        // Method and path only: never a header (the token) nor the query (a one-time code).
        tracing::debug!(method = %request.method(), path = request.uri().path(), "requête");
        let future = match check(&ctx.policy, &request) {
            Ok(()) => Either::Right(self.inner.call(request)),
            Err(refusal) => {
                tracing::debug!(?refusal, "requête refusée");
                Either::Left(ready(Ok(refusal.into_response())))
            }
        };
        future.map(add_security_headers as fn(Answer) -> Answer)
    }
}

/// `Sec-Fetch-Site`, sent by browsers on every request.
pub const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// Request headers allowed once at most.
const SINGLE_HEADERS: [&str; 4] = ["host", "origin", "sec-fetch-site", "authorization"];

/// Whether the route at `path` takes a request body (JSON, capped; see the module comment).
fn takes_body(path: &str) -> bool {
    match path {
        "/v1/config" | "/v1/eligibility" => true,
        _ => path
            .strip_prefix("/v1/checklist/")
            .is_some_and(|id| !id.is_empty() && !id.contains('/')),
    }
}

fn check(policy: &SecurityPolicy, request: &Request) -> Result<(), ApiError> {
    let headers = request.headers();
    for name in SINGLE_HEADERS {
        let mut values = headers.get_all(name).iter();
        if values.next().is_some() && values.next().is_some() {
            return Err(ApiError::DuplicateHeader(name));
        }
    }
    let host = match headers.get(header::HOST) {
        Some(value) => Some(value.to_str().map_err(|_| ApiError::MalformedHost)?),
        None => None,
    };
    // Absolute-form target (`GET http://host:port/path`): its authority must be ours too.
    let authority = request.uri().authority().map(|a| a.as_str());
    if let Some(authority) = authority {
        if request.uri().scheme_str() != Some("http") || !policy.host_allowed(authority) {
            return Err(ApiError::ForeignHost);
        }
    }
    if !host.or(authority).is_some_and(|h| policy.host_allowed(h)) {
        return Err(ApiError::ForeignHost);
    }
    let origin = match headers.get(header::ORIGIN) {
        Some(value) => match value.to_str() {
            Ok(origin) if policy.origin_allowed(origin) => Some(origin),
            _ => return Err(ApiError::ForeignOrigin),
        },
        None => None,
    };
    if let Some(site) = headers.get(&SEC_FETCH_SITE) {
        let own = site == "same-origin" || site == "none";
        let configured = origin.is_some_and(|o| policy.allowed_origins.iter().any(|a| a == o));
        if !own && !configured {
            return Err(ApiError::CrossSite);
        }
    }
    let body = request.body();
    let empty = body.is_end_stream() || body.size_hint().exact() == Some(0);
    if !(empty || takes_body(request.uri().path())) {
        return Err(ApiError::BodyNotAccepted);
    }
    Ok(())
}

fn add_security_headers(answer: Answer) -> Answer {
    let Ok(mut response) = answer;
    let out = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        // A handler may set a stricter-than-nothing policy of its own (the status page).
        if name == "content-security-policy" && out.contains_key(name) {
            continue;
        }
        out.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    Ok(response)
}
