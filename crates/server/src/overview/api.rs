//! The overview as JSON, and its part of the OpenAPI document.

use axum::extract::State;
use utoipa::OpenApi;

use super::figures::{self, Overview};
use crate::web::api::ApiJson;
use crate::web::auth::Viewer;
use crate::web::error::ApiError;
use crate::web::state::AppState;

/// `GET /api/v1/overview`: deliveries on the last metered day, its month and water year against
/// plan, each month of the year, and the split by use since records began.
#[utoipa::path(get, path = "/api/v1/overview", tag = "reports",
    responses((status = 200, body = Overview), (status = 401, body = crate::web::error::ErrorBody)))]
pub async fn overview(
    State(state): State<AppState>,
    _user: Viewer,
) -> Result<ApiJson<Overview>, ApiError> {
    let overview = figures::overview(&state.reports, &state.store).await?;
    Ok(ApiJson((*overview).clone()))
}

/// The overview's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(overview))]
pub struct OverviewApi;
