//! The JSON API under `/api/v1` of the features not yet in their own folder, and the OpenAPI
//! document that describes the whole API.

use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use utoipa::OpenApi;

use crate::web::api::ApiHeader;
use crate::web::state::AppState;

/// The `/api/v1` routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(openapi_json))
}

/// The whole OpenAPI document: W1's `ApiDoc` merged with the other modules' documents.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut document = ApiHeader::openapi();
    document.merge(crate::overview::openapi());
    document.merge(crate::ledger::openapi());
    document.merge(crate::register::openapi());
    document.merge(crate::accounts::openapi());
    document.merge(crate::simulation::openapi());
    document.merge(crate::quality::openapi());
    document.merge(crate::patrols::openapi());
    document.merge(crate::siting::openapi());
    document
}

/// `GET /api/openapi.json`.
pub async fn openapi_json() -> Response {
    axum::Json(document()).into_response()
}
