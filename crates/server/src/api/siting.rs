//! API of siting review in the protection zones along the canal: the zone map in force
//! (uploaded as GeoJSON, every upload kept), the project categories of the rule set, reviews of
//! applications (the decision with every rule fired, its legal source and the distances
//! measured, stored with the rule set's version), and the saved reviews.

use axum::extract::State;
use axum::http::StatusCode;
use danjiang_ops::siting_reviews::{self, ReviewSummary, StoredReview, StoredZoneMap};
use danjiang_siting::{review, Application, Decision, Review, RuleSet, ZoneMap};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::web::api::{ApiJson, ApiPath, ApiQuery};
use crate::web::audit;
use crate::web::auth::{Authorized, Operator, Viewer};
use crate::web::dates::station_now;
use crate::web::error::{ApiError, ServerError};
use crate::web::paging::ListPage;
use crate::web::paging::Paging;
use crate::web::state::AppState;

/// The largest zone map accepted, bytes.
pub const ZONES_LIMIT: usize = 16 * 1024 * 1024;

/// The rule set reviews are made with (the embedded Henan main-canal rules).
pub fn rule_set() -> Result<RuleSet, ServerError> {
    RuleSet::henan_canal_2018().map_err(|e| ServerError::BadRequest(e.to_string()))
}

/// A zone of the map as listed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ZoneInfo {
    /// `first-class`, `second-class` or `works-protection`.
    pub kind: String,
    /// Its name.
    pub name: String,
}

/// The zone map in force as listed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ZoneMapInfo {
    /// Map id.
    pub id: i64,
    /// Name (the file it came as).
    pub name: String,
    /// When it was uploaded, local time.
    pub uploaded_at: String,
    /// Who uploaded it.
    pub uploaded_by: Option<String>,
    /// Its zones.
    pub zones: Vec<ZoneInfo>,
    /// Whether it has the canal centre line (needed for distances to the canal).
    pub has_canal: bool,
}

/// The zone map in force, read and checked, or `None` when none was uploaded.
pub async fn current_zones(
    state: &AppState,
    rules: &RuleSet,
) -> Result<Option<(StoredZoneMap, ZoneMap)>, ServerError> {
    let Some(stored) = siting_reviews::current_zone_map(&state.store).await? else {
        return Ok(None);
    };
    let map = ZoneMap::from_geojson(&stored.name, &stored.geojson, rules)
        .map_err(|e| ServerError::BadRequest(format!("the stored zone map: {e}")))?;
    Ok(Some((stored, map)))
}

/// Describes a zone map.
pub fn describe(stored: &StoredZoneMap, map: &ZoneMap) -> ZoneMapInfo {
    ZoneMapInfo {
        id: stored.id,
        name: stored.name.clone(),
        uploaded_at: stored.uploaded_at.clone(),
        uploaded_by: stored.uploaded_by.clone(),
        zones: map
            .zones
            .iter()
            .map(|z| ZoneInfo {
                kind: z.kind.as_str().to_string(),
                name: z.name.clone(),
            })
            .collect(),
        has_canal: map.canal.is_some(),
    }
}

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

/// Checks and stores a zone map, audited in the same transaction (the API and the page for
/// operators; the demo loader as `system`).
pub async fn upload_zones(
    store: &danjiang_ops::Store,
    username: &str,
    name: &str,
    text: &str,
) -> Result<ZoneMapInfo, ServerError> {
    let rules = rule_set()?;
    let map = ZoneMap::from_geojson(name, text, &rules)
        .map_err(|e| ServerError::BadRequest(e.to_string()))?;
    if map.zones.is_empty() {
        return Err(ServerError::BadRequest(format!(
            "{name}: no protection zone (polygons with properties.zone, or a canal line to \
             make them from)"
        )));
    }
    let at = station_now();
    let mut tx = store.begin_write().await?;
    let id = siting_reviews::save_zone_map_in(&mut tx, name, text, at, Some(username)).await?;
    let stored = StoredZoneMap {
        id,
        uploaded_at: at.format("%Y-%m-%dT%H:%M:%S").to_string(),
        uploaded_by: Some(username.to_string()),
        name: name.to_string(),
        geojson: String::new(),
    };
    let info = describe(&stored, &map);
    let after = serde_json::to_value(&info).ok();
    audit::record(
        &mut tx,
        username,
        "create",
        "zone_map",
        &id.to_string(),
        None,
        after.as_ref(),
    )
    .await?;
    tx.commit().await?;
    Ok(info)
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

/// A project category of the rule set.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryInfo {
    /// Identifier used in applications.
    pub id: String,
    /// Plain description.
    pub text: String,
}

/// The rule set's name, version and categories.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleSetInfo {
    /// Rule set name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Legal sources.
    pub source: String,
    /// Project categories.
    pub categories: Vec<CategoryInfo>,
}

/// The rule set described.
pub fn rule_set_info(rules: &RuleSet) -> RuleSetInfo {
    RuleSetInfo {
        name: rules.name.clone(),
        version: rules.version.clone(),
        source: rules.source.clone(),
        categories: rules
            .categories
            .iter()
            .map(|c| CategoryInfo {
                id: c.id.clone(),
                text: c.text.clone(),
            })
            .collect(),
    }
}

/// `GET /api/v1/siting/rules`: the rule set's name, version, sources and project categories.
#[utoipa::path(get, path = "/api/v1/siting/rules", tag = "siting",
    responses((status = 200, body = RuleSetInfo)))]
pub async fn rules(_user: Viewer) -> Result<ApiJson<RuleSetInfo>, ApiError> {
    Ok(ApiJson(rule_set_info(&rule_set()?)))
}

/// A review as made and saved.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SavedReview {
    /// Review id.
    pub id: i64,
    /// The zone map it was made against.
    pub zone_map: i64,
    /// The outcome: decision, rules (id, text, source, decision), zone, distances.
    #[schema(value_type = Object)]
    pub review: Review,
}

/// Reviews an application (JSON text as `danjiang siting review` reads it) against the zone map
/// in force and saves it (operator), audited in the same transaction.
pub async fn review_and_save(
    state: &AppState,
    username: &str,
    application_json: &str,
) -> Result<SavedReview, ServerError> {
    let rules = rule_set()?;
    let application = Application::from_json("application", application_json, &rules)
        .map_err(|e| ServerError::BadRequest(e.to_string()))?;
    let (stored, map) = current_zones(state, &rules).await?.ok_or_else(|| {
        ServerError::Conflict(
            "no zone map has been uploaded; upload one first (PUT /api/v1/siting/zones)".into(),
        )
    })?;
    let outcome = review(&application, &map, &rules);
    let mut tx = state.store.begin_write().await?;
    let id = siting_reviews::save_review_in(
        &mut tx,
        &outcome,
        application_json,
        station_now(),
        Some(username),
    )
    .await?;
    let after = serde_json::json!({
        "application": application.name,
        "category": application.category,
        "decision": outcome.decision,
        "zone": outcome.zone,
        "distance_to_canal_m": outcome.distance_to_canal_m,
        "rules": outcome.rules.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        "zone_map": stored.id,
    });
    audit::record(
        &mut tx,
        username,
        "create",
        "siting_review",
        &id.to_string(),
        None,
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(SavedReview {
        id,
        zone_map: stored.id,
        review: outcome,
    })
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

/// Parses a decision name.
pub fn parse_decision(text: &str) -> Result<Decision, ServerError> {
    match text.trim().to_ascii_uppercase().as_str() {
        "REJECT" => Ok(Decision::Reject),
        "CONDITIONAL" => Ok(Decision::Conditional),
        "REFER" => Ok(Decision::Refer),
        "PASS" => Ok(Decision::Pass),
        other => Err(ServerError::BadRequest(format!(
            "decision: `{other}`; expected REJECT, CONDITIONAL, REFER or PASS"
        ))),
    }
}

/// The saved reviews of a filter, newest first.
pub async fn review_list(
    state: &AppState,
    decision: Option<&str>,
    paging: Paging,
) -> Result<ListPage<ReviewSummary>, ServerError> {
    let decision = decision
        .filter(|d| !d.trim().is_empty())
        .map(parse_decision)
        .transpose()?;
    let all = siting_reviews::list_reviews(&state.store, decision).await?;
    Ok(ListPage::of(all, paging))
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

/// One saved review, or 404.
pub async fn find_review(state: &AppState, id: i64) -> Result<StoredReview, ServerError> {
    match siting_reviews::review(&state.store, id).await {
        Err(danjiang_ops::OpsError::Invalid(_)) => {
            Err(ServerError::NotFound(format!("siting review {id}")))
        }
        other => Ok(other?),
    }
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

/// The siting API routes.
pub fn routes() -> axum::Router<AppState> {
    use axum::extract::DefaultBodyLimit;
    use axum::routing::get;
    axum::Router::new()
        .route(
            "/api/v1/siting/zones",
            get(zones)
                .put(put_zones)
                .layer(DefaultBodyLimit::max(ZONES_LIMIT)),
        )
        .route("/api/v1/siting/rules", get(rules))
        .route("/api/v1/siting/reviews", get(reviews).post(create_review))
        .route("/api/v1/siting/reviews/{id}", get(review_detail))
}

/// The OpenAPI description of the siting API.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(zones, put_zones, rules, create_review, reviews, review_detail),
    components(schemas(ZoneInfo, ZoneMapInfo, CategoryInfo, RuleSetInfo, SavedReview))
)]
pub struct SitingApi;
