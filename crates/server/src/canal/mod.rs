//! The open main canal of the demo (examples/xuchang/canal.inp): its outlets, gates and
//! steady longitudinal profile as JSON, for the web app's canal views.

pub mod api;
pub mod demo;
pub mod pages;
pub mod spill;

use axum::routing::get;
use axum::Router;
use utoipa::OpenApi;

use crate::web::state::AppState;

/// The canal's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/canal", get(pages::profile))
        .route("/canal/spill", get(spill::spill))
        .route("/api/v1/canal", get(api::canal))
}

/// The canal's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::CanalApi::openapi()
}
