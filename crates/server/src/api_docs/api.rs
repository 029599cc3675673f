//! The OpenAPI document as JSON.

use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use utoipa::openapi::OpenApi;

/// `GET /api/openapi.json`.
pub async fn openapi_json(document: Arc<OpenApi>) -> Response {
    axum::Json(&*document).into_response()
}
