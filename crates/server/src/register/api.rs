//! The asset register and the delivery plans as JSON, and their part of the OpenAPI document.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::assets::{self, AssetSummary};
use super::plans::{self, Plan, PlanChange};
use crate::web::api::{ApiJson, ApiPath, ApiQuery};
use crate::web::auth::{Authorized, Operator, Viewer};
use crate::web::error::ApiError;
use crate::web::paging::{PageParams, Paging};
use crate::web::state::AppState;

/// One page of assets.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AssetPage {
    /// Assets matching the filter.
    pub total: i64,
    /// The page.
    pub paging: Paging,
    /// The assets, by code.
    pub items: Vec<AssetSummary>,
}

/// Filters of the asset list.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssetParams {
    /// Only assets of this kind: outlet, pipeline, well, office, station, plant, release, site
    /// or zone.
    pub kind: Option<String>,
    /// Items in the page, 1 to 1000 (default 100).
    pub limit: Option<i64>,
    /// Items skipped (default 0).
    pub offset: Option<i64>,
}

async fn page_of(
    state: &AppState,
    kind: Option<&str>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<ApiJson<AssetPage>, ApiError> {
    let paging = Paging::of(limit, offset)?;
    let (items, total) = assets::list(&state.store, kind, paging.limit, paging.offset).await?;
    Ok(ApiJson(AssetPage {
        total,
        paging,
        items,
    }))
}

/// `GET /api/v1/assets`: the asset register, a page at a time.
#[utoipa::path(get, path = "/api/v1/assets", tag = "register", params(AssetParams),
    responses((status = 200, body = AssetPage), (status = 400, body = crate::web::error::ErrorBody)))]
pub async fn assets(
    State(state): State<AppState>,
    _user: Viewer,
    ApiQuery(params): ApiQuery<AssetParams>,
) -> Result<ApiJson<AssetPage>, ApiError> {
    let kind = params.kind.as_deref().filter(|k| !k.is_empty());
    page_of(&state, kind, params.limit, params.offset).await
}

/// `GET /api/v1/assets/{code}`: every stored field of one asset.
#[utoipa::path(get, path = "/api/v1/assets/{code}", tag = "register",
    params(("code" = String, Path, description = "Asset code")),
    responses((status = 200, body = Object), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn asset(
    State(state): State<AppState>,
    _user: Viewer,
    ApiPath(code): ApiPath<String>,
) -> Result<ApiJson<serde_json::Map<String, serde_json::Value>>, ApiError> {
    Ok(ApiJson(assets::detail(&state.store, &code).await?))
}

/// `GET /api/v1/outlets`: the diversion outlets.
#[utoipa::path(get, path = "/api/v1/outlets", tag = "register", params(PageParams),
    responses((status = 200, body = AssetPage)))]
pub async fn outlets(
    State(state): State<AppState>,
    _user: Viewer,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<ApiJson<AssetPage>, ApiError> {
    page_of(&state, Some("outlet"), params.limit, params.offset).await
}

/// `GET /api/v1/plants`: the water plants (capacity, people served).
#[utoipa::path(get, path = "/api/v1/plants", tag = "register", params(PageParams),
    responses((status = 200, body = AssetPage)))]
pub async fn plants(
    State(state): State<AppState>,
    _user: Viewer,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<ApiJson<AssetPage>, ApiError> {
    page_of(&state, Some("plant"), params.limit, params.offset).await
}

/// Which plans to list.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanParams {
    /// Water year, named by the year it ends in (default: the newest with plans).
    pub water_year: Option<i32>,
}

/// The plans of a water year.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanList {
    /// The water year listed (none when no plans are stored).
    pub water_year: Option<i32>,
    /// Water years with plans, newest first.
    pub water_years: Vec<i32>,
    /// The plans, by asset then month (0 = annual).
    pub items: Vec<Plan>,
}

/// `GET /api/v1/plans`: the delivery plans of a water year.
#[utoipa::path(get, path = "/api/v1/plans", tag = "register", params(PlanParams),
    responses((status = 200, body = PlanList)))]
pub async fn plans(
    State(state): State<AppState>,
    _user: Viewer,
    ApiQuery(params): ApiQuery<PlanParams>,
) -> Result<ApiJson<PlanList>, ApiError> {
    let water_years = plans::years(&state.store).await?;
    let water_year = params.water_year.or(water_years.first().copied());
    let items = match water_year {
        Some(year) => plans::list(&state.store, year).await?,
        None => Vec::new(),
    };
    Ok(ApiJson(PlanList {
        water_year,
        water_years,
        items,
    }))
}

/// `PUT /api/v1/plans`: sets one plan (operator or admin; audited).
#[utoipa::path(put, path = "/api/v1/plans", tag = "register", request_body = PlanChange,
    responses((status = 200, body = Plan), (status = 400, body = crate::web::error::ErrorBody),
        (status = 403, body = crate::web::error::ErrorBody), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn set_plan(
    State(state): State<AppState>,
    Authorized(session): Operator,
    ApiJson(change): ApiJson<PlanChange>,
) -> Result<ApiJson<Plan>, ApiError> {
    let plan = plans::set(&state.store, &session.user.username, &change).await?;
    state.reports.clear();
    Ok(ApiJson(plan))
}

/// The register's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(assets, asset, outlets, plants, plans, set_plan))]
pub struct RegisterApi;
