//! The asset register (outlets, pipelines, wells, plants, zones...) and the delivery plans of
//! outlets and plants, which operators set.

pub mod api;
pub mod assets;
pub mod pages;
pub mod plans;

use axum::routing::get;
use axum::Router;
use utoipa::OpenApi;

use crate::web::state::AppState;

/// The register's routes: the asset and plan pages and their API.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assets", get(pages::assets))
        .route("/assets/{code}", get(pages::asset))
        .route("/plans", get(pages::plans).post(pages::set_plan))
        .route("/api/v1/assets", get(api::assets))
        .route("/api/v1/assets/{code}", get(api::asset))
        .route("/api/v1/outlets", get(api::outlets))
        .route("/api/v1/plants", get(api::plants))
        .route("/api/v1/plans", get(api::plans).put(api::set_plan))
}

/// The register's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::RegisterApi::openapi()
}
