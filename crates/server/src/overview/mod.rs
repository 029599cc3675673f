//! The overview, the first page: deliveries against plan on the last metered day, its month and
//! water year, the split by use, open water-quality alerts and overdue patrols.

pub mod api;
pub mod figures;
pub mod pages;

use axum::routing::get;
use axum::Router;
use utoipa::OpenApi;

use crate::web::state::AppState;

/// The overview's routes: the page and its JSON.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::page))
        .route("/api/v1/overview", get(api::overview))
}

/// The overview's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::OverviewApi::openapi()
}
