//! The bottom layer every feature builds on, importing no feature: state, errors, sessions and
//! roles, pages' frame, the API's extractors, paging, dates, audit, alarm notifications, metrics and static files.

pub mod api;
pub mod audit;
pub mod auth;
pub mod charts;
pub mod dates;
pub mod error;
pub mod headers;
pub mod health;
pub mod i18n;
pub mod layout;
pub mod metrics;
pub mod notify;
pub mod page;
pub mod paging;
pub mod rate;
pub mod reports;
pub mod session;
pub mod state;
pub mod static_files;

use axum::routing::get;
use axum::Router;

use crate::web::state::AppState;

/// The routes that belong to no feature: health, metrics, static files and the language switch.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health::health))
        .route("/metrics", get(metrics::serve_metrics))
        .route("/static/style.css", get(static_files::style))
        .route("/static/app.js", get(static_files::script))
        .route("/lang/{code}", get(i18n::switch_language))
}

/// The answer to a path that matches no route: a JSON error under `/api/`, else an HTML page.
pub async fn fallback(uri: axum::http::Uri) -> axum::response::Response {
    if uri.path().starts_with("/api/") {
        api::not_found().await
    } else {
        page::not_found().await
    }
}
