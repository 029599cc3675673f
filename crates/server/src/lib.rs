//! Danjiang's web application: server-rendered pages (Chinese and English) and the JSON API over
//! the operations store, with logins, roles, CSRF protection, an audit log, health and metrics.

pub mod accounts;
pub mod api;
pub mod demo;
pub mod ledger;
pub mod overview;
pub mod pages;
pub mod patrols;
pub mod quality;
pub mod register;
pub mod simulation;
pub mod siting;
pub mod web;

use std::net::SocketAddr;

use axum::Router;

pub use web::error::{Result, ServerError};
pub use web::state::AppState;

/// The whole application: pages, API, health, metrics and static files.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(overview::routes())
        .merge(ledger::routes())
        .merge(register::routes())
        .merge(accounts::routes())
        .merge(quality::routes())
        .merge(patrols::routes())
        .merge(siting::routes())
        .merge(simulation::routes())
        .merge(pages::routes())
        .merge(api::routes())
        .merge(web::routes())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            web::metrics::track,
        ))
        .fallback(web::fallback)
        .layer(axum::middleware::from_fn(web::api::json_errors))
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
