//! The errors of the web application, and how each becomes a JSON error (API) or an HTML page.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// Every way a request can fail.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The operations store failed or refused.
    #[error("store: {0}")]
    Store(#[from] danjiang_ops::OpsError),
    /// A query of the server's own tables failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// Hashing or checking a password failed (not a wrong password: that is `BadLogin`).
    #[error("password hashing: {0}")]
    PasswordHash(String),
    /// The request is malformed or asks for something that makes no sense.
    #[error("{0}")]
    BadRequest(String),
    /// The named thing does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The request needs a logged-in session and has none (or it expired).
    #[error("login required: no valid session")]
    Unauthenticated,
    /// Wrong user name or password.
    #[error("wrong user name or password")]
    BadLogin,
    /// The user's role does not allow the request.
    #[error("the role `{have}` may not do this; it needs `{need}` or above")]
    Forbidden {
        /// The user's role.
        have: &'static str,
        /// The least role the request needs.
        need: &'static str,
    },
    /// A changing request without the session's CSRF token.
    #[error("missing or wrong CSRF token (form field `csrf` or header `X-CSRF-Token`)")]
    Csrf,
    /// The change conflicts with what is stored (for example a user name already taken).
    #[error("{0}")]
    Conflict(String),
    /// A chart or map could not be drawn from the data given (a bug, not bad input).
    #[error("drawing: {0}")]
    Drawing(#[from] danjiang_drawing::DrawingError),
    /// A language table is broken (a build error, caught by tests).
    #[error("language table {file}: {reason}")]
    Texts {
        /// The table's file name.
        file: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The server could not listen or serve.
    #[error("serving on {address}: {source}")]
    Serve {
        /// The address.
        address: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// The crate's result type.
pub type Result<T, E = ServerError> = std::result::Result<T, E>;

impl ServerError {
    /// The HTTP status of the error.
    pub fn status(&self) -> StatusCode {
        match self {
            ServerError::Store(danjiang_ops::OpsError::Invalid(_)) | ServerError::BadRequest(_) => {
                StatusCode::BAD_REQUEST
            }
            ServerError::Store(danjiang_ops::OpsError::Rejected { .. }) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ServerError::NotFound(_) => StatusCode::NOT_FOUND,
            ServerError::Unauthenticated | ServerError::BadLogin => StatusCode::UNAUTHORIZED,
            ServerError::Forbidden { .. } | ServerError::Csrf => StatusCode::FORBIDDEN,
            ServerError::Conflict(_) => StatusCode::CONFLICT,
            _ if self.is_busy() => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable machine-readable code for the error.
    pub fn code(&self) -> &'static str {
        match self {
            ServerError::Store(danjiang_ops::OpsError::Invalid(_)) | ServerError::BadRequest(_) => {
                "bad_request"
            }
            ServerError::Store(danjiang_ops::OpsError::Rejected { .. }) => "rejected",
            ServerError::NotFound(_) => "not_found",
            ServerError::Unauthenticated => "unauthenticated",
            ServerError::BadLogin => "bad_login",
            ServerError::Forbidden { .. } => "forbidden",
            ServerError::Csrf => "csrf",
            ServerError::Conflict(_) => "conflict",
            _ if self.is_busy() => "busy",
            _ => "internal",
        }
    }

    /// True when the store had no connection or write turn for the request in time: the
    /// request may be sent again, and the answer is 503, not a hang.
    fn is_busy(&self) -> bool {
        matches!(
            self,
            ServerError::Store(danjiang_ops::OpsError::Busy(_))
                | ServerError::Store(danjiang_ops::OpsError::Database(sqlx::Error::PoolTimedOut))
                | ServerError::Database(sqlx::Error::PoolTimedOut)
        )
    }

    /// The message shown to the client: every server-side failure is logged with its cause;
    /// internal ones are not shown.
    pub fn public_message(&self) -> String {
        if self.is_busy() {
            tracing::warn!("answered 503: {self}");
            "the server is busy; nothing was written; send the request again in a few seconds"
                .to_string()
        } else if self.status().is_server_error() {
            tracing::error!("internal error: {self}");
            "internal error; the server log has the details".to_string()
        } else {
            self.to_string()
        }
    }
}

/// The body of every JSON error.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorBody {
    /// A stable code: bad_request, not_found, unauthenticated, bad_login, forbidden, csrf,
    /// conflict, rejected, method_not_allowed, unsupported_media_type, payload_too_large, busy,
    /// internal.
    pub code: String,
    /// What went wrong, for a person.
    pub message: String,
}

/// An error answered as JSON `{ "code", "message" }` (the API).
#[derive(Debug)]
pub struct ApiError(pub ServerError);

impl<E: Into<ServerError>> From<E> for ApiError {
    fn from(error: E) -> Self {
        ApiError(error.into())
    }
}

/// A JSON error response with the given status, code and message.
pub fn json_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(ErrorBody {
            code: code.to_string(),
            message: message.to_string(),
        }),
    )
        .into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let mut response = json_error(status, self.0.code(), &self.0.public_message());
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("2"),
            );
        }
        response
    }
}

impl From<axum::extract::rejection::JsonRejection> for ServerError {
    fn from(rejection: axum::extract::rejection::JsonRejection) -> Self {
        ServerError::BadRequest(format!("malformed JSON body: {}", rejection.body_text()))
    }
}

impl From<axum::extract::rejection::QueryRejection> for ServerError {
    fn from(rejection: axum::extract::rejection::QueryRejection) -> Self {
        ServerError::BadRequest(format!("malformed query: {}", rejection.body_text()))
    }
}

impl From<axum::extract::rejection::PathRejection> for ServerError {
    fn from(rejection: axum::extract::rejection::PathRejection) -> Self {
        ServerError::BadRequest(format!("malformed path: {}", rejection.body_text()))
    }
}
