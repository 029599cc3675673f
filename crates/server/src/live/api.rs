//! Telemetry as JSON: batches of points posted with an ingestion token, the tags with their
//! latest points, and a tag's series; and their part of the OpenAPI document.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use super::ingest::{self, IngestError, IngestOutcome, Refusal, RefusedRow};
use super::readings::{
    range_of, series_of, station_seconds, tag_of, tags_now, LatestPoint, PointsParams, TagNow,
    TagSeries, PICKED_POINTS,
};
use crate::web::api::{ApiJson, ApiPath, ApiQuery};
use crate::web::auth::Viewer;
use crate::web::error::{json_error, ApiError, ServerError};
use crate::web::state::AppState;

/// The JSON form of a batch: `{"points": [...]}` (a bare array of points is read too).
#[derive(ToSchema)]
#[allow(dead_code)] // documents the body; ops reads it
pub struct PointsBatch {
    /// The points, each stored once per tag and time.
    points: Vec<PointIn>,
}

/// One point of a JSON batch.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the body; ops reads it
pub struct PointIn {
    /// The tag's code, as registered.
    #[schema(example = "OUT16.FLOW")]
    tag: String,
    /// Station time `YYYY-MM-DD HH:MM[:SS]` (UTC+8), RFC 3339 with its offset, or a number
    /// of seconds (or milliseconds) since 1970 UTC.
    #[schema(example = "2026-12-07 13:00:00")]
    time: String,
    /// A finite number in the tag's unit, within the quantity's plausible range.
    #[schema(example = 12.3)]
    value: f64,
    /// `good` (the default), `uncertain` or `bad` (or 0, 1, 2).
    #[schema(example = "good")]
    quality: Option<String>,
    /// The value's unit; when given it must be the tag's.
    #[schema(example = "m3/s")]
    unit: Option<String>,
}

/// `POST /api/v1/telemetry/points`: stores a batch of points, all or nothing.
#[utoipa::path(post, path = "/api/v1/telemetry/points", tag = "telemetry",
    security(("ingest_token" = [])),
    request_body(description = "JSON `{\"points\": [{tag, time, value, quality?, unit?}]}`, or CSV \
        (`text/csv`) either tall — header `tag,time,value[,quality][,unit]`, a point a line — or \
        wide — header `time,TAG1,TAG2,...`, a time a line, an empty cell no point. Points already \
        stored (same tag and time) are ignored; late points are accepted.",
        content((PointsBatch = "application/json"), (String = "text/csv"))),
    responses(
        (status = 200, description = "stored", body = IngestOutcome),
        (status = 400, body = crate::web::error::ErrorBody),
        (status = 401, description = "no, a malformed, an unknown or a revoked token \
            (`WWW-Authenticate: Bearer`)", body = crate::web::error::ErrorBody),
        (status = 413, description = "over the server's bytes or points per batch",
            body = crate::web::error::ErrorBody),
        (status = 415, body = crate::web::error::ErrorBody),
        (status = 422, description = "a point is wrong (unknown tag, unreadable or out-of-bounds \
            time, NaN, a value outside its quantity's plausible range, another unit): nothing \
            written; each fault names its line and field", body = Refusal),
        (status = 429, description = "over the source's batches a minute; `Retry-After` says \
            when to send again", body = crate::web::error::ErrorBody)))]
pub async fn post_points(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let source = ingest::source_of(&state, &headers).await?;
    ingest::admit(&state, &source)?;
    let format = match ingest::format_of(&headers) {
        Ok(format) => format,
        Err(message) => {
            return Ok(json_error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                &message,
            ))
        }
    };
    let limit = state.ingest_limits.max_bytes;
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        ServerError::TooLarge(format!("body: over {limit} bytes; send the batch in parts"))
    })?;
    match ingest::store_batch(&state, &source, format, &bytes).await {
        Ok(outcome) => Ok(ApiJson(outcome).into_response()),
        Err(IngestError::Rows(refusal)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, axum::Json(refusal)).into_response())
        }
        Err(IngestError::Other(error)) => Err(error.into()),
    }
}

/// `GET /api/v1/tags`: every tag with its latest point, the point's age and whether the tag
/// is stale (no point for more than twice its expected interval).
#[utoipa::path(get, path = "/api/v1/tags", tag = "telemetry",
    responses((status = 200, body = [TagNow]), (status = 401, body = crate::web::error::ErrorBody)))]
pub async fn tags(
    State(state): State<AppState>,
    _user: Viewer,
) -> Result<ApiJson<Vec<TagNow>>, ApiError> {
    Ok(ApiJson(tags_now(&state, station_seconds()).await?))
}

/// `GET /api/v1/tags/{code}/points`: a tag's series from the rollups (1 min, 15 min, 1 h, or
/// whole minutes merged from them) or its raw points.
#[utoipa::path(get, path = "/api/v1/tags/{code}/points", tag = "telemetry",
    params(("code" = String, Path, description = "the tag's code"), PointsParams),
    responses((status = 200, body = TagSeries), (status = 400, body = crate::web::error::ErrorBody),
        (status = 404, body = crate::web::error::ErrorBody),
        (status = 422, description = "more than 100,000 points asked for",
            body = crate::web::error::ErrorBody)))]
pub async fn points(
    State(state): State<AppState>,
    _user: Viewer,
    ApiPath(code): ApiPath<String>,
    ApiQuery(params): ApiQuery<PointsParams>,
) -> Result<ApiJson<TagSeries>, ApiError> {
    let tag = tag_of(&state, &code).await?;
    let range = range_of(&params, station_seconds())?;
    Ok(ApiJson(
        series_of(&state, &tag, range, params.step, PICKED_POINTS).await?,
    ))
}

/// Adds the ingestion token's security scheme.
struct IngestTokenScheme;

impl Modify for IngestTokenScheme {
    fn modify(&self, document: &mut utoipa::openapi::OpenApi) {
        let components = document.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "ingest_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An ingestion token of a source, made by `danjiang telemetry token \
                         create SOURCE` (shown once; revoked by `token revoke ID`)",
                    ))
                    .build(),
            ),
        );
    }
}

/// Telemetry's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(post_points, tags, points),
    components(schemas(PointsBatch, PointIn, IngestOutcome, Refusal, RefusedRow, TagNow,
        LatestPoint, TagSeries, super::readings::SeriesValue)),
    modifiers(&IngestTokenScheme)
)]
pub struct LiveApi;
