//! Simulations: hydraulic and incident (contamination) runs started in the background and kept
//! with their result files, the network map coloured by them, and the incident simulator.

pub mod api;
pub mod engine;
pub mod incident;
pub mod incident_pages;
pub mod network;
pub mod pages;
pub mod results;
pub mod runs;

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi;

use crate::web::error::ServerError;
use crate::web::state::AppState;

/// Why a simulation request or run failed.
#[derive(Debug, thiserror::Error)]
pub enum SimulationError {
    /// The request is malformed or names something that cannot be simulated.
    #[error("{0}")]
    BadRequest(String),
    /// The run, node or link asked for does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The run would exceed the server's run limits (refused before it is queued).
    #[error("{0}")]
    OverBudget(#[from] danjiang_simulation::OverBudget),
    /// The simulation itself failed (kept as the run's message).
    #[error("{0}")]
    Run(String),
    /// The data folder could not be used.
    #[error("data folder {path}: {source}")]
    DataFolder {
        /// The folder or file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A failure of the rest of the application (store, session).
    #[error(transparent)]
    Server(#[from] ServerError),
}

impl From<sqlx::Error> for SimulationError {
    fn from(error: sqlx::Error) -> Self {
        SimulationError::Server(ServerError::Database(error))
    }
}

impl From<danjiang_ops::OpsError> for SimulationError {
    fn from(error: danjiang_ops::OpsError) -> Self {
        SimulationError::Server(ServerError::Store(error))
    }
}

impl From<SimulationError> for ServerError {
    fn from(error: SimulationError) -> Self {
        match error {
            SimulationError::BadRequest(message) => ServerError::BadRequest(message),
            SimulationError::NotFound(message) => ServerError::NotFound(message),
            SimulationError::OverBudget(over) => ServerError::OverLimit(over.to_string()),
            SimulationError::Server(error) => error,
            // An internal failure: answered as a 500 whose details go to the log only.
            other => ServerError::Database(sqlx::Error::Protocol(other.to_string())),
        }
    }
}

const MAP_SCRIPT: &str = include_str!("../../static/map.js");

async fn map_script() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "max-age=3600"),
        ],
        MAP_SCRIPT,
    )
}

/// The simulation's routes: the map and runs pages, the incident pages, and their API.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/map.js", get(map_script))
        .route("/map", get(pages::page))
        .route("/map.svg", get(pages::map_svg))
        .route("/map/charts", get(pages::element_chart))
        .route("/runs", post(pages::start_run))
        .route(
            "/incidents",
            get(incident_pages::list).post(incident_pages::start),
        )
        .route("/incidents/{id}", get(incident_pages::page))
        .route("/api/v1/network", get(api::network))
        .route("/api/v1/network/nodes/{id}", get(api::node))
        .route("/api/v1/network/links/{id}", get(api::link))
        .route("/api/v1/runs", get(api::runs).post(api::start_run))
        .route("/api/v1/runs/{id}", get(api::run))
        .route("/api/v1/runs/{id}/values", get(api::values))
        .route(
            "/api/v1/incidents",
            get(api::incidents).post(api::start_incident),
        )
        .route("/api/v1/incidents/{id}", get(api::run))
}

/// The simulation's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::SimulationApi::openapi()
}
