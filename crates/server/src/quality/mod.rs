//! Water quality: monitoring sites, the sample register with hand entry and CSV import, a site's
//! classes by GB 3838-2002, the alerts and the trend of an item at a site.

pub mod api;
pub mod pages;
pub mod samples;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi;

use crate::web::state::AppState;

/// Water quality's routes: the pages and the API.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/quality", get(pages::register))
        .route("/quality/samples", post(pages::enter))
        .route(
            "/quality/import",
            post(pages::import).layer(DefaultBodyLimit::max(samples::IMPORT_LIMIT)),
        )
        .route("/quality/classes", get(pages::classes))
        .route("/quality/alerts", get(pages::alerts))
        .route("/quality/trend", get(pages::trend))
        .route("/api/v1/quality/sites", get(api::sites))
        .route("/api/v1/quality/items", get(api::items))
        .route(
            "/api/v1/quality/samples",
            get(api::sample_register).post(api::create_sample),
        )
        .route(
            "/api/v1/quality/samples/import",
            post(api::import_samples).layer(DefaultBodyLimit::max(samples::IMPORT_LIMIT)),
        )
        .route("/api/v1/quality/sites/{code}/classes", get(api::classes))
        .route("/api/v1/quality/alerts", get(api::alerts))
        .route("/api/v1/quality/trend", get(api::trend))
}

/// Water quality's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::QualityApi::openapi()
}
