//! Live telemetry: batches of points posted by machines with an ingestion token, every tag's
//! latest point (age, quality, staleness) and a tag's series as JSON, and the live pages.

pub mod api;
pub mod ingest;
pub mod pages;
pub mod readings;

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi;

use crate::web::state::AppState;

const LIVE_SCRIPT: &str = include_str!("../../static/live.js");

/// `GET /static/live.js`: the live page's refresh.
async fn live_script() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "max-age=3600"),
        ],
        LIVE_SCRIPT,
    )
}

/// Live telemetry's routes: the pages, their script and the API.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/live.js", get(live_script))
        .route("/live", get(pages::live))
        .route("/live/tags/{code}", get(pages::tag_page))
        .route("/api/v1/telemetry/points", post(api::post_points))
        .route("/api/v1/tags", get(api::tags))
        .route("/api/v1/tags/{code}/points", get(api::points))
}

/// Live telemetry's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::LiveApi::openapi()
}
