//! The supply ledger: volumes by outlet, plant, county or use and by period against plan, as a
//! page with a chart, JSON pages and CSV.

pub mod api;
pub mod pages;
pub mod report;

use axum::routing::get;
use axum::Router;
use utoipa::OpenApi;

use crate::web::state::AppState;

/// The ledger's routes: the page, its CSV download, and the API.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ledger", get(pages::page))
        .route("/ledger.csv", get(pages::csv))
        .route("/api/v1/ledger", get(api::ledger))
        .route("/api/v1/ledger.csv", get(api::ledger_csv))
}

/// The ledger's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::LedgerApi::openapi()
}
