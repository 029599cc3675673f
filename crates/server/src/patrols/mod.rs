//! Patrols and maintenance: due and overdue tasks, patrol records with checklists, findings,
//! photos and defects, each defect's life cycle, routes along a line and monthly compliance.

pub mod api;
pub mod pages;
pub mod work;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi;

use crate::web::state::AppState;

/// The patrols' routes: the pages and the API.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/patrols", get(pages::due))
        .route("/patrols/record", get(pages::record_form))
        .route(
            "/patrols/records",
            post(pages::record_submit).layer(DefaultBodyLimit::max(work::RECORD_LIMIT)),
        )
        .route("/patrols/defects", get(pages::defects))
        .route(
            "/patrols/defects/{id}",
            get(pages::defect).post(pages::step),
        )
        .route("/patrols/route", get(pages::route))
        .route("/patrols/compliance", get(pages::compliance))
        .route("/api/v1/patrols/plans", get(api::plans))
        .route("/api/v1/patrols/due", get(api::due))
        .route(
            "/api/v1/patrols/records",
            // A record's photos come as base64 in the JSON: the form's limit, not the default.
            post(api::create_record)
                .layer(DefaultBodyLimit::max(work::RECORD_LIMIT))
                .get(api::records),
        )
        .route("/api/v1/patrols/photos/{hash}", get(api::photo))
        .route("/api/v1/patrols/defects", get(api::defects))
        .route("/api/v1/patrols/defects/{id}", get(api::defect))
        .route("/api/v1/patrols/defects/{id}/steps", post(api::step_defect))
        .route("/api/v1/patrols/route", get(api::route))
        .route("/api/v1/patrols/lines", get(api::lines))
        .route("/api/v1/patrols/compliance", get(api::compliance))
}

/// The patrols' part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::PatrolApi::openapi()
}
