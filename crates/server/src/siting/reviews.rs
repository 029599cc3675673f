//! Siting review as the pages and the API share it: the rule set, the zone map in force (every
//! upload kept, audited), and reviews of applications made against it and saved (audited).

use danjiang_ops::siting_reviews::{self, ReviewSummary, StoredReview, StoredZoneMap};
use danjiang_siting::{review, Application, Decision, Review, RuleSet, ZoneMap};
use serde::Serialize;
use utoipa::ToSchema;

use crate::web::audit;
use crate::web::dates::station_now;
use crate::web::error::ServerError;
use crate::web::paging::{ListPage, Paging};
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

/// One saved review, or 404.
pub async fn find_review(state: &AppState, id: i64) -> Result<StoredReview, ServerError> {
    match siting_reviews::review(&state.store, id).await {
        Err(danjiang_ops::OpsError::Invalid(_)) => {
            Err(ServerError::NotFound(format!("siting review {id}")))
        }
        other => Ok(other?),
    }
}
