//! The API's documentation: the OpenAPI document as JSON and drawn as a page. The document is
//! handed in (lib.rs assembles it from every feature), so this folder imports no feature.

pub mod api;
pub mod pages;

use std::sync::Arc;

use axum::routing::get;
use axum::Router;
use utoipa::openapi::OpenApi;

use crate::web::page::ViewerPage;
use crate::web::state::AppState;

/// The documentation's routes, serving `document`.
pub fn routes(document: OpenApi) -> Router<AppState> {
    let document = Arc::new(document);
    let for_json = document.clone();
    Router::new()
        .route(
            "/api/openapi.json",
            get(move || api::openapi_json(for_json.clone())),
        )
        .route(
            "/api/docs",
            get(move |page: ViewerPage| pages::page(page, document.clone())),
        )
}
