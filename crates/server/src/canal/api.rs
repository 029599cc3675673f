//! The canal as JSON, and its part of the OpenAPI document.

use utoipa::OpenApi;

use super::demo::{demo_canal, summary, CanalPlace, CanalSummary};
use crate::web::api::ApiJson;
use crate::web::auth::Viewer;
use crate::web::error::ApiError;

/// `GET /api/v1/canal`: the demo canal — length, outlets and gates by chainage, and the
/// initial longitudinal profile (bed and water level at every computational point).
#[utoipa::path(get, path = "/api/v1/canal", tag = "canal",
    responses((status = 200, body = CanalSummary), (status = 401, body = crate::web::error::ErrorBody)))]
pub async fn canal(_user: Viewer) -> Result<ApiJson<CanalSummary>, ApiError> {
    let canal = demo_canal()?;
    Ok(ApiJson(summary(&canal)?))
}

/// The canal's API.
#[derive(OpenApi)]
#[openapi(paths(canal), components(schemas(CanalSummary, CanalPlace)))]
pub struct CanalApi;
