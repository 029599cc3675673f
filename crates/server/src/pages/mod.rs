//! The pages not yet in a feature folder: the browsable API documentation.

pub mod docs;

use axum::routing::get;
use axum::Router;

use crate::web::state::AppState;

/// The API documentation page.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/docs", get(docs::page))
}
