//! Siting review as JSON (the zone map, the rule set, reviews made and saved), and its part of
//! the OpenAPI document.

use axum::extract::State;
use axum::http::StatusCode;
use danjiang_ops::siting_reviews::{ReviewSummary, StoredReview};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

use super::reviews::{
    current_zones, describe, find_review, review_and_save, review_list, rule_set, rule_set_info,
    upload_zones, CategoryInfo, RuleSetInfo, SavedReview, ZoneInfo, ZoneMapInfo,
};
use crate::web::api::{ApiJson, ApiPath, ApiQuery};
use crate::web::auth::{Authorized, Operator, Viewer};
use crate::web::error::{ApiError, ServerError};
use crate::web::paging::{ListPage, Paging};
use crate::web::state::AppState;

/// `GET /api/v1/siting/zones`: the zone map in force (404 when none was uploaded).
#[utoipa::path(get, path = "/api/v1/siting/zones", tag = "siting",
    responses((status = 200, body = ZoneMapInfo), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn zones(
    State(state): State<AppState>,
    _user: Viewer,
) -> Result<ApiJson<ZoneMapInfo>, ApiError> {
    let rules = rule_set()?;
    let (stored, map) = current_zones(&state, &rules)
        .await?
        .ok_or_else(|| ServerError::NotFound("no zone map has been uploaded".into()))?;
    Ok(ApiJson(describe(&stored, &map)))
}

/// Names a zone map upload.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ZoneUploadParams {
    /// A name for the map (default `zones.geojson`).
    pub name: Option<String>,
}

/// `PUT /api/v1/siting/zones`: uploads the zone map (a GeoJSON FeatureCollection: polygons with
/// `properties.zone` first-class, second-class or works-protection, and the canal as a
/// LineString with `properties.kind` = canal) that reviews are made against from now on
/// (operator; audited). A map that does not read is refused, naming the field.
#[utoipa::path(put, path = "/api/v1/siting/zones", tag = "siting", params(ZoneUploadParams),
    request_body(content = Object, description = "GeoJSON FeatureCollection"),
    responses((status = 201, body = ZoneMapInfo), (status = 400, body = crate::web::error::ErrorBody),
        (status = 403, body = crate::web::error::ErrorBody)))]
pub async fn put_zones(
    State(state): State<AppState>,
    Authorized(session): Operator,
    ApiQuery(params): ApiQuery<ZoneUploadParams>,
    ApiJson(geojson): ApiJson<serde_json::Value>,
) -> Result<(StatusCode, ApiJson<ZoneMapInfo>), ApiError> {
    let name = params
        .name
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "zones.geojson".to_string());
    let info = upload_zones(
        &state.store,
        &session.user.username,
        &name,
        &geojson.to_string(),
    )
    .await?;
    Ok((StatusCode::CREATED, ApiJson(info)))
}

/// `GET /api/v1/siting/rules`: the rule set's name, version, sources and project categories.
#[utoipa::path(get, path = "/api/v1/siting/rules", tag = "siting",
    responses((status = 200, body = RuleSetInfo)))]
pub async fn rules(_user: Viewer) -> Result<ApiJson<RuleSetInfo>, ApiError> {
    Ok(ApiJson(rule_set_info(&rule_set()?)))
}

/// `POST /api/v1/siting/reviews`: reviews an application and saves the review (operator;
/// audited). The body is `{"name", "category", "footprint": <GeoJSON geometry>, "radius_m"?,
/// "discharges_pollutants", "stores_hazardous_goods", "crosses_canal", "serves_water_supply"}`;
/// the answer has the decision (REJECT, CONDITIONAL, REFER or PASS), every rule that fired with
/// its source, the strictest zone touched and the distances. 409 when no zone map is uploaded.
#[utoipa::path(post, path = "/api/v1/siting/reviews", tag = "siting",
    request_body(content = Object, description = "the application"),
    responses((status = 201, body = SavedReview), (status = 400, body = crate::web::error::ErrorBody),
        (status = 403, body = crate::web::error::ErrorBody), (status = 409, body = crate::web::error::ErrorBody)))]
pub async fn create_review(
    State(state): State<AppState>,
    Authorized(session): Operator,
    ApiJson(application): ApiJson<serde_json::Value>,
) -> Result<(StatusCode, ApiJson<SavedReview>), ApiError> {
    let saved = review_and_save(&state, &session.user.username, &application.to_string()).await?;
    Ok((StatusCode::CREATED, ApiJson(saved)))
}

/// The review list's filter and paging.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewParams {
    /// Only reviews with this decision: REJECT, CONDITIONAL, REFER or PASS.
    pub decision: Option<String>,
    /// Items in the page, 1 to 1000 (default 100).
    pub limit: Option<i64>,
    /// Items skipped (default 0).
    pub offset: Option<i64>,
}

/// `GET /api/v1/siting/reviews`: saved reviews, newest first.
#[utoipa::path(get, path = "/api/v1/siting/reviews", tag = "siting", params(ReviewParams),
    responses((status = 200, body = Object), (status = 400, body = crate::web::error::ErrorBody)))]
pub async fn reviews(
    State(state): State<AppState>,
    _user: Viewer,
    ApiQuery(params): ApiQuery<ReviewParams>,
) -> Result<ApiJson<ListPage<ReviewSummary>>, ApiError> {
    let paging = Paging::of(params.limit, params.offset)?;
    Ok(ApiJson(
        review_list(&state, params.decision.as_deref(), paging).await?,
    ))
}

/// `GET /api/v1/siting/reviews/{id}`: a saved review in full, as it was made.
#[utoipa::path(get, path = "/api/v1/siting/reviews/{id}", tag = "siting",
    params(("id" = i64, Path, description = "Review id")),
    responses((status = 200, body = Object), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn review_detail(
    State(state): State<AppState>,
    _user: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<StoredReview>, ApiError> {
    Ok(ApiJson(find_review(&state, id).await?))
}

/// Siting review's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(zones, put_zones, rules, create_review, reviews, review_detail),
    components(schemas(ZoneInfo, ZoneMapInfo, CategoryInfo, RuleSetInfo, SavedReview))
)]
pub struct SitingApi;
