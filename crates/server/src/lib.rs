//! Danjiang's web application: server-rendered pages (Chinese and English) and the JSON API over
//! the operations store, with logins, roles, CSRF protection, an audit log, health and metrics.

pub mod accounts;
pub mod api;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod charts;
pub mod demo;
pub mod error;
pub mod health;
pub mod i18n;
pub mod metrics;
pub mod pages;
pub mod plans;
pub mod reports;
pub mod simulation; // W2: map, runs, incidents
pub mod state;

use std::net::SocketAddr;

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

pub use error::{Result, ServerError};
pub use state::AppState;

const STYLE: &str = include_str!("../static/style.css");
const SCRIPT: &str = include_str!("../static/app.js");

async fn style() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "max-age=3600"),
        ],
        STYLE,
    )
}

async fn script() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "max-age=3600"),
        ],
        SCRIPT,
    )
}

async fn fallback(uri: axum::http::Uri) -> axum::response::Response {
    if uri.path().starts_with("/api/") {
        api::not_found().await
    } else {
        pages::not_found().await
    }
}

/// The whole application: pages, API, health, metrics and static files.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::routes())
        .merge(pages::extra_routes())
        .merge(api::routes())
        .route("/health", get(health::health))
        .route("/metrics", get(metrics::serve_metrics))
        .route("/static/style.css", get(style))
        .route("/static/app.js", get(script))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .fallback(fallback)
        .layer(axum::middleware::from_fn(api::json_errors))
        .with_state(state)
}

/// Serves the application on `address` until Ctrl-C; calls `ready` with the bound address first.
pub async fn serve(
    state: AppState,
    address: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|source| ServerError::Serve {
            address: address.to_string(),
            source,
        })?;
    let bound = listener.local_addr().map_err(|source| ServerError::Serve {
        address: address.to_string(),
        source,
    })?;
    ready(bound);
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|source| ServerError::Serve {
            address: bound.to_string(),
            source,
        })
}
