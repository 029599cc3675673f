//! Danjiang's web application: server-rendered pages (Chinese and English) and the JSON API over
//! the operations store, one folder per feature over the shared bottom layer in `web/`.

pub mod web;

pub mod accounts;
pub mod alarms;
pub mod api_docs;
pub mod canal;
pub mod ledger;
pub mod live;
pub mod overview;
pub mod patrols;
pub mod quality;
pub mod register;
pub mod simulation;
pub mod siting;

pub mod demo;

use std::net::SocketAddr;

use axum::Router;
use utoipa::OpenApi;

pub use web::error::{Result, ServerError};
pub use web::state::AppState;

/// A feature: its routes (pages and API) and its part of the OpenAPI document.
struct Feature {
    routes: fn() -> Router<AppState>,
    openapi: fn() -> utoipa::openapi::OpenApi,
}

/// Every feature, once (the navigation's order is `web::layout::NAV`'s).
#[rustfmt::skip]
const FEATURES: [Feature; 11] = [
    Feature { routes: overview::routes, openapi: overview::openapi },
    Feature { routes: ledger::routes, openapi: ledger::openapi },
    Feature { routes: register::routes, openapi: register::openapi },
    Feature { routes: accounts::routes, openapi: accounts::openapi },
    Feature { routes: simulation::routes, openapi: simulation::openapi },
    Feature { routes: quality::routes, openapi: quality::openapi },
    Feature { routes: patrols::routes, openapi: patrols::openapi },
    Feature { routes: siting::routes, openapi: siting::openapi },
    Feature { routes: alarms::routes, openapi: alarms::openapi },
    Feature { routes: live::routes, openapi: live::openapi },
    Feature { routes: canal::routes, openapi: canal::openapi },
];

/// The whole OpenAPI document: its header merged with every feature's part.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut document = web::api::ApiHeader::openapi();
    for feature in &FEATURES {
        document.merge((feature.openapi)());
    }
    document
}

/// The whole application: every feature, the API documentation, health, metrics and static files.
pub fn router(state: AppState) -> Router {
    let features = FEATURES
        .iter()
        .fold(Router::new(), |app, feature| app.merge((feature.routes)()));
    features
        .merge(api_docs::routes(openapi()))
        .merge(web::routes())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            web::metrics::track,
        ))
        .fallback(web::fallback)
        .layer(axum::middleware::from_fn(web::api::json_errors))
        .layer(axum::middleware::from_fn(
            web::headers::close_after_refused_body,
        ))
        .layer(axum::middleware::map_response(
            web::headers::security_headers,
        ))
        .with_state(state)
}

/// What the server does before it takes requests: runs a stopped server left unfinished are
/// marked failed (their work ended with it).
pub async fn prepare(state: &AppState) -> Result<()> {
    let interrupted = simulation::runs::fail_interrupted(&state.store).await?;
    if !interrupted.is_empty() {
        tracing::warn!(
            "runs {interrupted:?} were unfinished when the server stopped: marked failed"
        );
    }
    Ok(())
}

/// Serves the application on `address` until Ctrl-C, after [`prepare`]; calls `ready` with the
/// bound address first, then starts the stale-alarm sweep.
pub async fn serve(
    state: AppState,
    address: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> Result<()> {
    prepare(&state).await?;
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
    alarms::sweep::start(state.clone(), alarms::sweep::SWEEP_EVERY);
    // The peer's address is kept for login throttling (`web::auth::ClientAddress`).
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|source| ServerError::Serve {
            address: bound.to_string(),
            source,
        })
}
