//! API errors: one enum, a stable machine `error` code and a French `message` in a JSON body.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::text::api as texte;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// `Host` is not the agent's own loopback name and port (DNS rebinding), or an
    /// absolute-form target names another authority.
    ForeignHost,
    /// `Host` is not visible ASCII.
    MalformedHost,
    /// A header that must appear once appears twice (`host`, `origin`…).
    DuplicateHeader(&'static str),
    /// `Origin` is a web page that the configuration does not allow.
    ForeignOrigin,
    /// `Sec-Fetch-Site: cross-site` or `same-site` from a page that is not a configured origin.
    CrossSite,
    /// A request body on a route that takes none.
    BodyNotAccepted,
    /// A JSON body over `MAX_BODY_BYTES`.
    BodyTooLarge,
    /// `Authorization` was sent but does not carry the user's token.
    BadToken,
    ReaderNotFound(String),
    RouteNotFound,
    TooManyStreams,
    /// A change asked without the token or the page's session.
    NeedsToken,
    /// The route gives personal data and no token was sent.
    TokenRequired,
    /// The request is wrong: French, with what to do.
    BadRequest(String),
    /// Something on this workstation failed, or a store the route reads is unavailable:
    /// French, with what to do.
    Unavailable(String),
}

/// The JSON body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable code: `foreign_host`, `malformed_host`, `duplicate_header`, `foreign_origin`,
    /// `cross_site`, `body_not_accepted`, `body_too_large`, `bad_token`, `reader_not_found`, `not_found`,
    /// `too_many_streams`, `needs_token`, `token_required`, `bad_request`, `unavailable`.
    pub error: &'static str,
    /// French, for people.
    pub message: String,
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            ApiError::ForeignHost => (
                StatusCode::FORBIDDEN,
                "foreign_host",
                texte::FOREIGN_HOST.into(),
            ),
            ApiError::MalformedHost => (
                StatusCode::BAD_REQUEST,
                "malformed_host",
                texte::MALFORMED_HOST.into(),
            ),
            ApiError::DuplicateHeader(name) => (
                StatusCode::BAD_REQUEST,
                "duplicate_header",
                texte::duplicate_header(name),
            ),
            ApiError::ForeignOrigin => (
                StatusCode::FORBIDDEN,
                "foreign_origin",
                texte::FOREIGN_ORIGIN.into(),
            ),
            ApiError::CrossSite => (
                StatusCode::FORBIDDEN,
                "cross_site",
                texte::CROSS_SITE.into(),
            ),
            ApiError::BodyNotAccepted => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_not_accepted",
                texte::BODY_NOT_ACCEPTED.into(),
            ),
            ApiError::BodyTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                texte::BODY_TOO_LARGE.into(),
            ),
            ApiError::BadToken => (
                StatusCode::UNAUTHORIZED,
                "bad_token",
                texte::BAD_TOKEN.into(),
            ),
            ApiError::ReaderNotFound(id) => (
                StatusCode::NOT_FOUND,
                "reader_not_found",
                texte::reader_not_found(id),
            ),
            ApiError::RouteNotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                texte::ROUTE_NOT_FOUND.into(),
            ),
            ApiError::TokenRequired => (
                StatusCode::UNAUTHORIZED,
                "token_required",
                texte::TOKEN_REQUIRED.into(),
            ),
            ApiError::TooManyStreams => (
                StatusCode::SERVICE_UNAVAILABLE,
                "too_many_streams",
                texte::TOO_MANY_STREAMS.into(),
            ),
            ApiError::NeedsToken => (
                StatusCode::UNAUTHORIZED,
                "needs_token",
                texte::NEEDS_TOKEN.into(),
            ),
            ApiError::BadRequest(message) => {
                (StatusCode::BAD_REQUEST, "bad_request", message.clone())
            }
            ApiError::Unavailable(message) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                message.clone(),
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error, message) = self.parts();
        let mut response = (status, Json(ErrorBody { error, message })).into_response();
        let headers = response.headers_mut();
        match self {
            ApiError::BadToken | ApiError::TokenRequired => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            // The client may have sent a body we did not read: do not keep the connection.
            ApiError::BodyNotAccepted | ApiError::MalformedHost | ApiError::DuplicateHeader(_) => {
                headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            _ => {}
        }
        response
    }
}
