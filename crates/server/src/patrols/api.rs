//! Patrols as JSON (plans, due lists, records and photos, defects and their steps, routes,
//! compliance), and their part of the OpenAPI document.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use danjiang_ops::patrols::{self, RecordOutcome, StoredDefect, StoredPlans, StoredRecord};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

use super::work::{
    advance, day_route, decode_photos, defect_list, due_list, find_defect, month_compliance,
    record_list, store_record, to_record, DayRoute, DefectStep, DueList, DueParams,
    MonthCompliance, NewDefect, NewPhoto, NewRecord,
};
use crate::web::api::{ApiJson, ApiPath, ApiQuery};
use crate::web::auth::{Authorized, Operator, Viewer};
use crate::web::error::{ApiError, ServerError};
use crate::web::paging::{ListPage, Paging};
use crate::web::state::AppState;

/// `GET /api/v1/patrols/plans`: the plan set in force (frequencies, seasons, checklists).
#[utoipa::path(get, path = "/api/v1/patrols/plans", tag = "patrols",
    responses((status = 200, body = Object)))]
pub async fn plans(
    State(state): State<AppState>,
    _user: Viewer,
) -> Result<ApiJson<StoredPlans>, ApiError> {
    Ok(ApiJson(patrols::plans(&state.store).await?))
}

/// `GET /api/v1/patrols/due`: every plan-and-asset task with its due day, overdue first.
#[utoipa::path(get, path = "/api/v1/patrols/due", tag = "patrols", params(DueParams),
    responses((status = 200, body = Object), (status = 400, body = crate::web::error::ErrorBody)))]
pub async fn due(
    State(state): State<AppState>,
    _user: Viewer,
    ApiQuery(params): ApiQuery<DueParams>,
) -> Result<ApiJson<DueList>, ApiError> {
    let paging = Paging::of(params.limit, params.offset)?;
    Ok(ApiJson(due_list(&state, &params, paging).await?))
}

/// The record list's filters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordParams {
    /// Only the records of this asset.
    pub asset: Option<String>,
    /// Items in the page, 1 to 1000 (default 100).
    pub limit: Option<i64>,
    /// Items skipped (default 0).
    pub offset: Option<i64>,
}

/// `GET /api/v1/patrols/records`: patrol records, newest first.
#[utoipa::path(get, path = "/api/v1/patrols/records", tag = "patrols", params(RecordParams),
    responses((status = 200, body = Object), (status = 400, body = crate::web::error::ErrorBody)))]
pub async fn records(
    State(state): State<AppState>,
    _user: Viewer,
    ApiQuery(params): ApiQuery<RecordParams>,
) -> Result<ApiJson<ListPage<StoredRecord>>, ApiError> {
    let paging = Paging::of(params.limit, params.offset)?;
    let asset = params.asset.as_deref().filter(|a| !a.trim().is_empty());
    Ok(ApiJson(record_list(&state, asset, paging).await?))
}

/// `POST /api/v1/patrols/records`: stores a patrol record with the defects it found (operator;
/// audited), its photos as base64 in `photos`. The record is checked against the plans first:
/// the plan, an asset it covers, the questions of its checklist, the position. The same record
/// sent again writes nothing.
#[utoipa::path(post, path = "/api/v1/patrols/records", tag = "patrols", request_body = NewRecord,
    responses((status = 201, body = Object), (status = 200, body = Object, description = "stored before"),
        (status = 400, body = crate::web::error::ErrorBody), (status = 403, body = crate::web::error::ErrorBody)))]
pub async fn create_record(
    State(state): State<AppState>,
    Authorized(session): Operator,
    ApiJson(record): ApiJson<NewRecord>,
) -> Result<(StatusCode, ApiJson<RecordOutcome>), ApiError> {
    let photos = decode_photos(&record.photos)?;
    let record = to_record(&record, &session.user.username, photos)?;
    let outcome = store_record(&state, &session.user.username, &record).await?;
    let status = if outcome.new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, ApiJson(outcome)))
}

/// `GET /api/v1/patrols/photos/{hash}`: a photo of a record, by its content hash.
#[utoipa::path(get, path = "/api/v1/patrols/photos/{hash}", tag = "patrols",
    params(("hash" = String, Path, description = "SHA-256 of the photo, hex")),
    responses((status = 200, description = "the image"), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn photo(
    State(state): State<AppState>,
    _user: Viewer,
    ApiPath(hash): ApiPath<String>,
) -> Result<Response, ApiError> {
    let photo = patrols::photo(&state.store, &hash)
        .await?
        .ok_or_else(|| ServerError::NotFound(format!("photo {hash}")))?;
    Ok((
        [
            (CONTENT_TYPE, photo.media_type),
            (CACHE_CONTROL, "max-age=86400".to_string()),
        ],
        photo.bytes,
    )
        .into_response())
}

/// The defect list's filters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DefectParams {
    /// Only defects in this state: open, assigned, repaired, verified or closed.
    pub state: Option<String>,
    /// Only defects on this asset.
    pub asset: Option<String>,
    /// Items in the page, 1 to 1000 (default 100).
    pub limit: Option<i64>,
    /// Items skipped (default 0).
    pub offset: Option<i64>,
}

/// `GET /api/v1/patrols/defects`: defects with their history, newest first.
#[utoipa::path(get, path = "/api/v1/patrols/defects", tag = "patrols", params(DefectParams),
    responses((status = 200, body = Object), (status = 400, body = crate::web::error::ErrorBody)))]
pub async fn defects(
    State(state): State<AppState>,
    _user: Viewer,
    ApiQuery(params): ApiQuery<DefectParams>,
) -> Result<ApiJson<ListPage<StoredDefect>>, ApiError> {
    let paging = Paging::of(params.limit, params.offset)?;
    Ok(ApiJson(
        defect_list(
            &state,
            params.state.as_deref(),
            params.asset.as_deref(),
            paging,
        )
        .await?,
    ))
}

/// `GET /api/v1/patrols/defects/{id}`: one defect with every step of its life.
#[utoipa::path(get, path = "/api/v1/patrols/defects/{id}", tag = "patrols",
    params(("id" = String, Path, description = "Defect id, D-YYYY-NNNN")),
    responses((status = 200, body = Object), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn defect(
    State(state): State<AppState>,
    _user: Viewer,
    ApiPath(id): ApiPath<String>,
) -> Result<ApiJson<StoredDefect>, ApiError> {
    Ok(ApiJson(find_defect(&state, &id).await?))
}

/// `POST /api/v1/patrols/defects/{id}/steps`: moves a defect to its next state (operator;
/// audited), recording the user and the time; a skipped state is refused (409).
#[utoipa::path(post, path = "/api/v1/patrols/defects/{id}/steps", tag = "patrols",
    params(("id" = String, Path, description = "Defect id")), request_body = DefectStep,
    responses((status = 200, body = Object), (status = 400, body = crate::web::error::ErrorBody),
        (status = 403, body = crate::web::error::ErrorBody), (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody)))]
pub async fn step_defect(
    State(state): State<AppState>,
    Authorized(session): Operator,
    ApiPath(id): ApiPath<String>,
    ApiJson(step): ApiJson<DefectStep>,
) -> Result<ApiJson<StoredDefect>, ApiError> {
    Ok(ApiJson(
        advance(&state, &session.user.username, &id, &step).await?,
    ))
}

/// Which route.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RouteParams {
    /// The line (a pipeline code of the register).
    pub line: Option<String>,
    /// The day, `YYYY-MM-DD` (default: the day of the newest record).
    pub date: Option<String>,
}

/// `GET /api/v1/patrols/route`: the tasks due or overdue on a day along a line, by chainage.
#[utoipa::path(get, path = "/api/v1/patrols/route", tag = "patrols", params(RouteParams),
    responses((status = 200, body = Object), (status = 400, body = crate::web::error::ErrorBody)))]
pub async fn route(
    State(state): State<AppState>,
    _user: Viewer,
    ApiQuery(params): ApiQuery<RouteParams>,
) -> Result<ApiJson<DayRoute>, ApiError> {
    let line = params
        .line
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .ok_or_else(|| ServerError::BadRequest("line: required, found nothing".into()))?;
    Ok(ApiJson(
        day_route(&state, line, params.date.as_deref()).await?,
    ))
}

/// `GET /api/v1/patrols/lines`: the lines with patrolled assets (for routes).
#[utoipa::path(get, path = "/api/v1/patrols/lines", tag = "patrols",
    responses((status = 200, body = [String])))]
pub async fn lines(
    State(state): State<AppState>,
    _user: Viewer,
) -> Result<ApiJson<Vec<String>>, ApiError> {
    Ok(ApiJson(patrols::route_lines(&state.store).await?))
}

/// Which month's compliance.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComplianceParams {
    /// The month, `YYYY-MM` (default: the month of the newest record).
    pub month: Option<String>,
    /// The day it is judged on, `YYYY-MM-DD` (default: the month's last day, or the newest
    /// record's day when that is earlier).
    pub as_of: Option<String>,
}

/// `GET /api/v1/patrols/compliance`: a month's planned, done, late and missed visits per station.
#[utoipa::path(get, path = "/api/v1/patrols/compliance", tag = "patrols", params(ComplianceParams),
    responses((status = 200, body = Object), (status = 400, body = crate::web::error::ErrorBody)))]
pub async fn compliance(
    State(state): State<AppState>,
    _user: Viewer,
    ApiQuery(params): ApiQuery<ComplianceParams>,
) -> Result<ApiJson<MonthCompliance>, ApiError> {
    Ok(ApiJson(
        month_compliance(&state, params.month.as_deref(), params.as_of.as_deref()).await?,
    ))
}

/// The patrols' part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(
        plans,
        due,
        records,
        create_record,
        photo,
        defects,
        defect,
        step_defect,
        route,
        lines,
        compliance
    ),
    components(schemas(NewRecord, NewDefect, NewPhoto, DefectStep))
)]
pub struct PatrolApi;
