//! Siting review in the protection zones along the canal: the zone map in force, applications
//! reviewed against the rule set (decision, rules fired, sources, distances) and saved.

pub mod api;
pub mod pages;
pub mod reviews;
pub mod site_plan;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi;

use crate::web::state::AppState;

/// Siting review's routes: the pages and the API.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/siting", get(pages::list))
        .route("/siting/new", get(pages::new_form))
        .route("/siting/reviews", post(pages::submit))
        .route("/siting/reviews/{id}", get(pages::detail))
        .route(
            "/siting/zones",
            get(pages::zones_page)
                .post(pages::zones_upload)
                .layer(DefaultBodyLimit::max(reviews::ZONES_LIMIT)),
        )
        .route(
            "/api/v1/siting/zones",
            get(api::zones)
                .put(api::put_zones)
                .layer(DefaultBodyLimit::max(reviews::ZONES_LIMIT)),
        )
        .route("/api/v1/siting/rules", get(api::rules))
        .route(
            "/api/v1/siting/reviews",
            get(api::reviews).post(api::create_review),
        )
        .route("/api/v1/siting/reviews/{id}", get(api::review_detail))
}

/// Siting review's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::SitingApi::openapi()
}
