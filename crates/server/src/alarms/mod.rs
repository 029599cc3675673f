//! Alarms of telemetry tags: the alarm list (API and page) with its filters, acknowledging with
//! a note, shelving and unshelving, each tag's limits, who is mailed (the on-duty list), and the periodic stale sweep that
//! `serve` starts. The alarms themselves are raised in `ops` as points are stored.

pub mod api;
pub mod pages;
pub mod sweep;
pub mod work;

use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi;

use crate::web::state::AppState;

/// The alarms' routes: the page with its forms and the API.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/alarms", get(pages::list))
        .route("/alarms/{id}/acknowledge", post(pages::acknowledge))
        .route("/alarms/{id}/shelve", post(pages::shelve))
        .route("/alarms/{id}/unshelve", post(pages::unshelve))
        .route("/api/v1/alarms", get(api::list))
        .route("/api/v1/alarms/{id}", get(api::one))
        .route("/api/v1/alarms/{id}/acknowledge", post(api::acknowledge))
        .route("/api/v1/alarms/{id}/shelve", post(api::shelve))
        .route("/api/v1/alarms/{id}/unshelve", post(api::unshelve))
        .route(
            "/api/v1/tags/{code}/limits",
            get(api::limits).put(api::set_limits),
        )
        .route("/api/v1/alarm-recipients", get(api::recipients))
        .route(
            "/api/v1/alarm-recipients/{username}",
            axum::routing::put(api::set_recipient),
        )
}

/// The alarms' part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::AlarmsApi::openapi()
}
