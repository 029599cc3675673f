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
    /// The request is well formed but asks for more than the server's limits allow.
    #[error("{0}")]
    OverLimit(String),
    /// The body is larger than the route accepts.
    #[error("{0}")]
    TooLarge(String),
    /// Too many failed logins for the account or from the address; try again after the wait.
    #[error("too many failed logins {which}; try again in {retry_after_seconds} s or ask an admin to lift the lockout")]
    Throttled {
        /// `for this account` or `from this address`.
        which: &'static str,
        /// Seconds until the lockout ends.
        retry_after_seconds: i64,
    },
    /// A client sends faster than its limit allows; it may send again after the wait.
    #[error("{what}: more than {per_minute} a minute; send the next in {retry_after_seconds} s")]
    TooFast {
        /// What is limited (`batches of source \`scada-1\``).
        what: String,
        /// The limit.
        per_minute: u32,
        /// Seconds until the next may be sent.
        retry_after_seconds: i64,
    },
    /// The named thing does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The request needs a logged-in session and has none (or it expired).
    #[error("login required: no valid session")]
    Unauthenticated,
    /// A call made with a bearer token (not a session) whose token is missing, malformed,
    /// unknown or revoked; answered with `WWW-Authenticate: Bearer`.
    #[error("{0}")]
    BadToken(String),
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
            ServerError::NotFound(_) | ServerError::Store(danjiang_ops::OpsError::NotFound(_)) => {
                StatusCode::NOT_FOUND
            }
            ServerError::TooLarge(_) | ServerError::Store(danjiang_ops::OpsError::TooLarge(_)) => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            ServerError::OverLimit(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ServerError::Throttled { .. } | ServerError::TooFast { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            ServerError::Unauthenticated | ServerError::BadLogin | ServerError::BadToken(_) => {
                StatusCode::UNAUTHORIZED
            }
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
            ServerError::NotFound(_) | ServerError::Store(danjiang_ops::OpsError::NotFound(_)) => {
                "not_found"
            }
            ServerError::TooLarge(_) | ServerError::Store(danjiang_ops::OpsError::TooLarge(_)) => {
                "payload_too_large"
            }
            ServerError::OverLimit(_) => "over_limit",
            ServerError::Throttled { .. } | ServerError::TooFast { .. } => "throttled",
            ServerError::Unauthenticated | ServerError::BadToken(_) => "unauthenticated",
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
            shorten_quotes(&self.to_string())
        }
    }

    /// Seconds the client should wait before sending again, for a `Retry-After` header.
    pub fn retry_after(&self) -> Option<i64> {
        match self {
            ServerError::Throttled {
                retry_after_seconds,
                ..
            }
            | ServerError::TooFast {
                retry_after_seconds,
                ..
            } => Some((*retry_after_seconds).max(1)),
            _ if self.is_busy() => Some(2),
            _ => None,
        }
    }
}

/// The challenge of a call refused for its bearer token.
pub const BEARER_CHALLENGE: &str = "Bearer realm=\"danjiang\", error=\"invalid_token\"";

/// Characters of a field quoted in an error message; the rest is cut and marked `…`.
pub const EXCERPT_CHARS: usize = 80;
/// Characters of a whole error message; a longer one (a message quoting what it should not)
/// is cut, so that no request can make the answer as large as its body.
pub const MESSAGE_CHARS: usize = 4000;

/// The first [`EXCERPT_CHARS`] characters of `text`, with `…` when some were cut.
pub fn excerpt(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

/// `message` with every `quoted` part cut to an [`excerpt`], and the whole cut to
/// [`MESSAGE_CHARS`]: messages of the store and the parsers quote the field they refuse.
pub fn shorten_quotes(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(MESSAGE_CHARS + 4));
    for (n, part) in message.split('`').enumerate() {
        if n > 0 {
            out.push('`');
        }
        // Odd parts are between backquotes.
        if n % 2 == 1 {
            out.push_str(&excerpt(part));
        } else {
            out.push_str(part);
        }
        if out.len() > 4 * MESSAGE_CHARS {
            break;
        }
    }
    match out.char_indices().nth(MESSAGE_CHARS) {
        Some((end, _)) => format!("{}…", &out[..end]),
        None => out,
    }
}

/// The body of every JSON error.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorBody {
    /// A stable code: bad_request, not_found, unauthenticated, bad_login, forbidden, csrf,
    /// conflict, rejected, over_limit, method_not_allowed, unsupported_media_type, payload_too_large,
    /// throttled, busy, internal.
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
        if let Some(seconds) = self.0.retry_after() {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(seconds),
            );
        }
        if let ServerError::BadToken(_) = self.0 {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static(BEARER_CHALLENGE),
            );
        }
        response
    }
}

impl From<axum::extract::rejection::JsonRejection> for ServerError {
    fn from(rejection: axum::extract::rejection::JsonRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ServerError::TooLarge(format!("JSON body: {}", rejection.body_text()));
        }
        ServerError::BadRequest(format!("malformed JSON body: {}", rejection.body_text()))
    }
}

/// A multipart upload that could not be read, as `what: reason`: 413 when it is over the
/// route's limit (as JSON and form bodies are), else 400.
pub fn upload_error(what: &str, error: &axum::extract::multipart::MultipartError) -> ServerError {
    let message = format!("{what}: {}", error.body_text());
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ServerError::TooLarge(message)
    } else {
        ServerError::BadRequest(message)
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
