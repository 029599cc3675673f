//! `GET /health`: whether the server can reach its store.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use danjiang_ops::Backend;
use serde_json::{json, Value};

use crate::web::state::AppState;

/// `GET /health`: 200 `{"status":"ok",...}` when the store answers, 503 otherwise.
pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let backend = match state.store.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    match sqlx::query("SELECT 1").execute(state.store.pool()).await {
        Ok(_) => (
            StatusCode::OK,
            Json(json!({ "status": "ok", "store": "ok", "backend": backend,
                         "version": env!("CARGO_PKG_VERSION") })),
        ),
        Err(error) => {
            tracing::error!("health check: {error}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(
                    json!({ "status": "unavailable", "store": "unreachable", "backend": backend }),
                ),
            )
        }
    }
}
