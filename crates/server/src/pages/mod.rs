//! The pages: server-rendered HTML (maud) that works without JavaScript. `routes()` registers
//! W1's pages; `extra_routes()` is where other modules (the network map, the incident simulator)
//! register theirs.

pub mod docs;
pub mod incident; // W2
pub mod map; // W2

use axum::routing::get;
use axum::Router;

use crate::web::state::AppState;

/// W1's pages.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/docs", get(docs::page))
}

/// The extension point: routes of pages other modules add (the network map, the incident
/// simulator). Each module merges its router here.
pub fn extra_routes() -> Router<AppState> {
    Router::new().merge(crate::simulation::routes()) // W2: map, runs, incidents
}
