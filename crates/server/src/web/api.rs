//! What every JSON API call shares: extractors that answer malformed requests with JSON errors,
//! the middleware that makes every `/api/` error JSON, and the OpenAPI document's header.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::OpenApi;

use crate::web::error::{json_error, shorten_quotes, ApiError, ErrorBody};
use crate::web::paging::Paging;

/// A JSON body; malformed JSON, a wrong content type or wrong fields give a 400/415 JSON error.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// A query string; malformed values give a 400 JSON error.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// Path parameters; malformed values give a 400 JSON error.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

fn code_of_status(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNAUTHORIZED => "unauthenticated",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::TOO_MANY_REQUESTS => "throttled",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    }
}

/// Middleware: under `/api/`, any error answered without a JSON body (axum's own 404, 405, body
/// limit and the like) becomes a JSON error with the same status.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    if !api || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 16 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let message = if text.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("request refused")
            .to_string()
    } else {
        shorten_quotes(&text)
    };
    let mut fresh = json_error(status, code_of_status(status), &message);
    for (name, value) in parts.headers.iter() {
        if name != CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            fresh.headers_mut().insert(name.clone(), value.clone());
        }
    }
    fresh
}

/// The answer to an `/api/` path that matches no route.
pub async fn not_found() -> Response {
    json_error(StatusCode::NOT_FOUND, "not_found", "no such API endpoint")
}

/// The OpenAPI document's header: its title, how to log in, and the error body and paging every
/// feature's operations refer to; each feature merges its own operations into it.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Danjiang operations API",
        description = "The data of every Danjiang page as JSON. Log in with POST /api/v1/session \
            (JSON user name and password); the answer sets the session cookie `dj_session` and \
            gives the `csrf_token` that every changing call (POST, PUT, PATCH, DELETE) must send \
            in the header `X-CSRF-Token`. Roles: viewer reads, operator also sets plans, admin \
            also manages users and reads the audit log. Errors are JSON `{code, message}`."
    ),
    components(schemas(ErrorBody, Paging))
)]
pub struct ApiHeader;
