//! API errors: one enum, a stable machine `error` code and a French `message` in a JSON body.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// `Host` is not the agent's own loopback name and port (DNS rebinding).
    ForeignHost,
    /// `Origin` is a web page that the configuration does not allow.
    ForeignOrigin,
    /// `Authorization` was sent but does not carry the user's token.
    BadToken,
    ReaderNotFound(String),
    RouteNotFound,
    TooManyStreams,
    /// The route gives personal data and no token was sent.
    TokenRequired,
    /// A query parameter is not understood (French: which and how to write it).
    BadRequest(String),
    /// A store the route reads is unavailable (French: why, what to do).
    Unavailable(String),
}

/// The JSON body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable code: `foreign_host`, `foreign_origin`, `bad_token`, `reader_not_found`,
    /// `not_found`, `too_many_streams`, `token_required`, `bad_request`, `unavailable`.
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
                "Nom d'hôte refusé : l'agent ne répond qu'à 127.0.0.1, localhost ou [::1] sur son port."
                    .into(),
            ),
            ApiError::ForeignOrigin => (
                StatusCode::FORBIDDEN,
                "foreign_origin",
                "Origine refusée : ajoutez-la à [api] allowed_origins dans la configuration."
                    .into(),
            ),
            ApiError::BadToken => (
                StatusCode::UNAUTHORIZED,
                "bad_token",
                "Jeton invalide : utilisez celui qu'affiche `cpx-agent token`.".into(),
            ),
            ApiError::ReaderNotFound(id) => (
                StatusCode::NOT_FOUND,
                "reader_not_found",
                format!("Aucun lecteur « {id} » : voir /v1/readers."),
            ),
            ApiError::RouteNotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "Adresse inconnue : voir /v1/openapi.json.".into(),
            ),
            ApiError::TokenRequired => (
                StatusCode::UNAUTHORIZED,
                "token_required",
                "Cette adresse donne des données personnelles : envoyez le jeton de \
                 l'utilisateur (Authorization: Bearer, voir `cpx-agent token`)."
                    .into(),
            ),
            ApiError::BadRequest(message) => {
                (StatusCode::BAD_REQUEST, "bad_request", message.clone())
            }
            ApiError::Unavailable(message) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                message.clone(),
            ),
            ApiError::TooManyStreams => (
                StatusCode::SERVICE_UNAVAILABLE,
                "too_many_streams",
                "Trop de clients suivent déjà les événements ; réessayez plus tard.".into(),
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error, message) = self.parts();
        let mut response = (status, Json(ErrorBody { error, message })).into_response();
        if matches!(self, ApiError::BadToken | ApiError::TokenRequired) {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}
