//! Water quality as JSON (sites, items, samples, classes, alerts, trend), and its part of the
//! OpenAPI document.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use danjiang_assessment::{Period, SiteAssessment};
use danjiang_ops::samples::{self, MonitoringSite, StoredSample};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

use super::samples::{
    alert_list, enter_sample, import_csv, item_infos, non_empty, parse_period, sample_list,
    sample_query, site_classes, trend_report, year_range, ImportOutcome, ItemInfo, NewSample,
    SampleParams, TrendReport,
};
use crate::web::api::{ApiJson, ApiPath, ApiQuery};
use crate::web::auth::{Authorized, Operator, Viewer};
use crate::web::error::{json_error, ApiError, ServerError};
use crate::web::paging::{ListPage, PageParams, Paging};
use crate::web::state::AppState;

/// `GET /api/v1/quality/sites`: the monitoring sites with their water body and target class.
#[utoipa::path(get, path = "/api/v1/quality/sites", tag = "quality", params(PageParams),
    responses((status = 200, body = Object), (status = 400, body = crate::web::error::ErrorBody)))]
pub async fn sites(
    State(state): State<AppState>,
    _user: Viewer,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<ApiJson<ListPage<MonitoringSite>>, ApiError> {
    let paging = Paging::of(params.limit, params.offset)?;
    let all = samples::sites(&state.store).await?;
    Ok(ApiJson(ListPage::of(all, paging)))
}

/// `GET /api/v1/quality/items`: the items of GB 3838-2002 Tables 1 and 2 with their units.
#[utoipa::path(get, path = "/api/v1/quality/items", tag = "quality",
    responses((status = 200, body = [ItemInfo])))]
pub async fn items(_user: Viewer) -> Result<ApiJson<Vec<ItemInfo>>, ApiError> {
    Ok(ApiJson(item_infos()?))
}

/// `GET /api/v1/quality/samples`: the sample register, by site, newest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/quality/samples", tag = "quality", params(SampleParams),
    responses((status = 200, body = Object), (status = 400, body = crate::web::error::ErrorBody),
        (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn sample_register(
    State(state): State<AppState>,
    _user: Viewer,
    ApiQuery(params): ApiQuery<SampleParams>,
) -> Result<ApiJson<ListPage<StoredSample>>, ApiError> {
    let paging = Paging::of(params.limit, params.offset)?;
    Ok(ApiJson(sample_list(&state, &params, paging).await?))
}

/// `POST /api/v1/quality/samples`: enters one lab result (operator; audited). The value and
/// unit are checked and converted as a CSV row is; a sample at the same site, time and item is
/// replaced.
#[utoipa::path(post, path = "/api/v1/quality/samples", tag = "quality", request_body = NewSample,
    responses((status = 201, body = ImportOutcome), (status = 400, body = crate::web::error::ErrorBody),
        (status = 403, body = crate::web::error::ErrorBody)))]
pub async fn create_sample(
    State(state): State<AppState>,
    Authorized(session): Operator,
    ApiJson(sample): ApiJson<NewSample>,
) -> Result<(StatusCode, ApiJson<ImportOutcome>), ApiError> {
    let outcome = enter_sample(&state, &session.user.username, &sample).await?;
    Ok((StatusCode::CREATED, ApiJson(outcome)))
}

/// `POST /api/v1/quality/samples/import`: imports a CSV body (`Content-Type: text/csv`) with
/// columns `site,time,item,value,unit[,method,detection_limit]` (operator; audited). A file
/// with any bad row is refused with every bad row named, and nothing is written.
#[utoipa::path(post, path = "/api/v1/quality/samples/import", tag = "quality",
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportOutcome), (status = 403, body = crate::web::error::ErrorBody),
        (status = 415, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn import_samples(
    State(state): State<AppState>,
    Authorized(session): Operator,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with("text/csv") && !content_type.starts_with("text/plain") {
        return Ok(json_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            &format!("expected Content-Type text/csv, found `{content_type}`"),
        ));
    }
    if body.is_empty() {
        return Err(ServerError::BadRequest("body: expected CSV, found nothing".into()).into());
    }
    let outcome = import_csv(
        &state,
        &session.user.username,
        "(uploaded) samples.csv",
        &body,
    )
    .await?;
    Ok(ApiJson(outcome).into_response())
}

/// Which classes to compute.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClassParams {
    /// `sample` (each sampling), `month` (default) or `year`.
    pub period: Option<String>,
    /// One year, `YYYY` (a shorthand for from/to).
    pub year: Option<i32>,
    /// First day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// Items in the page, 1 to 1000 (default 100).
    pub limit: Option<i64>,
    /// Items skipped (default 0).
    pub offset: Option<i64>,
}

/// `GET /api/v1/quality/sites/{code}/classes`: the site's class per sampling, month or year with
/// each item's class, the limiting items, the exceedance multiples over Class III and over the
/// target, and whether the target is met.
#[utoipa::path(get, path = "/api/v1/quality/sites/{code}/classes", tag = "quality",
    params(("code" = String, Path, description = "Monitoring site code"), ClassParams),
    responses((status = 200, body = Object), (status = 400, body = crate::web::error::ErrorBody),
        (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn classes(
    State(state): State<AppState>,
    _user: Viewer,
    ApiPath(code): ApiPath<String>,
    ApiQuery(params): ApiQuery<ClassParams>,
) -> Result<ApiJson<ListPage<SiteAssessment>>, ApiError> {
    let paging = Paging::of(params.limit, params.offset)?;
    let period = parse_period(params.period.as_deref(), Period::Month)?;
    let range = year_range(params.year, non_empty(&params.from), non_empty(&params.to))?;
    let all = site_classes(&state, &code, period, &range).await?;
    Ok(ApiJson(ListPage::of(all, paging)))
}

/// The alerts' filters and paging.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertParams {
    /// Monitoring site code.
    pub site: Option<String>,
    /// First day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// Items in the page, 1 to 1000 (default 100).
    pub limit: Option<i64>,
    /// Items skipped (default 0).
    pub offset: Option<i64>,
}

/// `GET /api/v1/quality/alerts`: results worse than their site's target class, newest first,
/// with the exceedance multiple over the target-class limit.
#[utoipa::path(get, path = "/api/v1/quality/alerts", tag = "quality", params(AlertParams),
    responses((status = 200, body = Object), (status = 400, body = crate::web::error::ErrorBody)))]
pub async fn alerts(
    State(state): State<AppState>,
    _user: Viewer,
    ApiQuery(params): ApiQuery<AlertParams>,
) -> Result<ApiJson<ListPage<samples::Alert>>, ApiError> {
    let paging = Paging::of(params.limit, params.offset)?;
    let all = alert_list(
        &state,
        non_empty(&params.site),
        non_empty(&params.from),
        non_empty(&params.to),
    )
    .await?;
    Ok(ApiJson(ListPage::of(all, paging)))
}

/// Which trend.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrendParams {
    /// Monitoring site code.
    pub site: Option<String>,
    /// Item code.
    pub item: Option<String>,
    /// `sample`, `month` (default) or `year`.
    pub period: Option<String>,
    /// First day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`.
    pub to: Option<String>,
}

/// `GET /api/v1/quality/trend`: the Mann-Kendall test with Sen's slope (and Spearman's rho) of
/// one item at one site over samplings, monthly or yearly means, with the series.
#[utoipa::path(get, path = "/api/v1/quality/trend", tag = "quality", params(TrendParams),
    responses((status = 200, body = TrendReport), (status = 400, body = crate::web::error::ErrorBody),
        (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn trend(
    State(state): State<AppState>,
    _user: Viewer,
    ApiQuery(params): ApiQuery<TrendParams>,
) -> Result<ApiJson<TrendReport>, ApiError> {
    let site = non_empty(&params.site)
        .ok_or_else(|| ServerError::BadRequest("site: required, found nothing".into()))?;
    let item = non_empty(&params.item)
        .ok_or_else(|| ServerError::BadRequest("item: required, found nothing".into()))?;
    let period = parse_period(params.period.as_deref(), Period::Month)?;
    let range = sample_query(None, None, non_empty(&params.from), non_empty(&params.to))?;
    Ok(ApiJson(
        trend_report(&state, site, item, period, &range).await?,
    ))
}

/// Water quality's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(
        sites,
        items,
        sample_register,
        create_sample,
        import_samples,
        classes,
        alerts,
        trend
    ),
    components(schemas(ItemInfo, NewSample, ImportOutcome, TrendReport))
)]
pub struct QualityApi;
