//! The JSON API under `/api/v1` of the features not yet in their own folder, and the OpenAPI
//! document that describes the whole API.

pub mod accounts;
pub mod patrols; // C
pub mod quality; // C
pub mod siting; // C

use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch};
use axum::Router;
use utoipa::OpenApi;

use crate::web::api::ApiHeader;
use crate::web::state::AppState;

/// The `/api/v1` routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/users",
            get(accounts::users).post(accounts::create_user),
        )
        .route("/api/v1/users/{username}", patch(accounts::change_user))
        .route("/api/v1/audit", get(accounts::audit))
        .route(
            "/api/v1/session",
            get(accounts::session)
                .post(accounts::log_in)
                .delete(accounts::log_out),
        )
        .route("/api/openapi.json", get(openapi_json))
        .merge(quality::routes()) // C: water quality
        .merge(patrols::routes()) // C: patrols
        .merge(siting::routes()) // C: siting review
}

/// The OpenAPI description of the API.
#[derive(OpenApi)]
#[openapi(paths(
    accounts::users,
    accounts::create_user,
    accounts::change_user,
    accounts::audit,
    accounts::session,
    accounts::log_in,
    accounts::log_out,
))]
pub struct ApiDoc;

/// The whole OpenAPI document: W1's `ApiDoc` merged with the other modules' documents.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut document = ApiHeader::openapi();
    document.merge(ApiDoc::openapi());
    document.merge(crate::overview::openapi());
    document.merge(crate::ledger::openapi());
    document.merge(crate::register::openapi());
    // W2: the map, runs and incident endpoints.
    document.merge(crate::simulation::api::SimulationApi::openapi());
    document.merge(quality::QualityApi::openapi()); // C: water quality
    document.merge(patrols::PatrolApi::openapi()); // C: patrols
    document.merge(siting::SitingApi::openapi()); // C: siting review
    document
}

/// `GET /api/openapi.json`.
pub async fn openapi_json() -> Response {
    axum::Json(document()).into_response()
}
