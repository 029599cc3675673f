//! Siting reviews kept in the store: the application as submitted, the decision, every rule that
//! fired with its legal source (and those set aside), the distances measured, and the name and
//! version of the rule set that decided, so that a review can be shown again as it was made.

use chrono::NaiveDateTime;
use danjiang_siting::{Decision, Review};
use serde::Serialize;
use sqlx::Row;

use crate::error::Result;
use crate::samples_import::{invalid, retry_when_busy};
use crate::store::Store;

/// A stored review as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewSummary {
    /// Review id.
    pub id: i64,
    /// When it was made, local time `YYYY-MM-DDTHH:MM:SS`.
    pub reviewed_at: String,
    /// Who made it, when recorded.
    pub reviewed_by: Option<String>,
    /// Project name.
    pub application: String,
    /// Project category.
    pub category: String,
    /// `REJECT`, `CONDITIONAL`, `REFER` or `PASS`.
    pub decision: String,
    /// The strictest zone the footprint touched.
    pub zone: Option<String>,
    /// Distance to the canal centre line, m.
    pub distance_to_canal_m: Option<f64>,
    /// Rule set name.
    pub rule_set: String,
    /// Rule set version.
    pub rule_set_version: String,
}

/// A stored review in full.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredReview {
    /// The summary row.
    #[serde(flatten)]
    pub summary: ReviewSummary,
    /// The application JSON as submitted.
    pub application_json: serde_json::Value,
    /// The whole outcome as computed (rules, overridden rules, distances, zones touched).
    pub outcome: serde_json::Value,
}

fn decision_name(decision: Decision) -> &'static str {
    match decision {
        Decision::Reject => "REJECT",
        Decision::Conditional => "CONDITIONAL",
        Decision::Refer => "REFER",
        Decision::Pass => "PASS",
    }
}

/// Stores a review with the application text it was made from; returns its id.
pub async fn save_review(
    store: &Store,
    review: &Review,
    application_json: &str,
    reviewed_at: NaiveDateTime,
    reviewed_by: Option<&str>,
) -> Result<i64> {
    // Kept as JSON so it can be shown again; a text that is not JSON is refused.
    let application: serde_json::Value = serde_json::from_str(application_json)
        .map_err(|e| invalid(format!("application: not JSON: {e}")))?;
    let outcome = serde_json::to_string(review)
        .map_err(|e| invalid(format!("cannot write the review as JSON: {e}")))?;
    let application = application.to_string();
    retry_when_busy(|| async {
        let mut tx = store.begin_write().await?;
        let id = write_review(
            &mut tx,
            review,
            &application,
            &outcome,
            reviewed_at,
            reviewed_by,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    })
    .await
}

/// Stores a review as [`save_review`] does, in the caller's transaction (so that the caller can
/// record who did it in the same transaction); returns its id.
pub async fn save_review_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    review: &Review,
    application_json: &str,
    reviewed_at: NaiveDateTime,
    reviewed_by: Option<&str>,
) -> Result<i64> {
    let application: serde_json::Value = serde_json::from_str(application_json)
        .map_err(|e| invalid(format!("application: not JSON: {e}")))?;
    let outcome = serde_json::to_string(review)
        .map_err(|e| invalid(format!("cannot write the review as JSON: {e}")))?;
    write_review(
        tx,
        review,
        &application.to_string(),
        &outcome,
        reviewed_at,
        reviewed_by,
    )
    .await
}

async fn write_review(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    review: &Review,
    application: &str,
    outcome: &str,
    reviewed_at: NaiveDateTime,
    reviewed_by: Option<&str>,
) -> Result<i64> {
    let tx = &mut **tx;
    // Not a cached statement: through the Any driver a NULL number fixes the parameter's type,
    // and PostgreSQL would then read a later value there in the wrong format (error 22P03).
    let row = sqlx::query(
        "INSERT INTO siting_reviews (reviewed_at, reviewed_by, application_name, category, \
             application, decision, zone, distance_to_canal_m, rule_set_name, rule_set_version, \
             outcome) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .persistent(false)
    .bind(reviewed_at.format("%Y-%m-%dT%H:%M:%S").to_string())
    .bind(reviewed_by.map(str::to_string))
    .bind(review.application.as_str())
    .bind(review.category.as_str())
    .bind(application)
    .bind(decision_name(review.decision))
    .bind(review.zone.map(|z| z.as_str().to_string()))
    .bind(review.distance_to_canal_m)
    .bind(review.rule_set.name.as_str())
    .bind(review.rule_set.version.as_str())
    .bind(outcome)
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    for (position, rule) in review.rules.iter().chain(&review.overridden).enumerate() {
        sqlx::query(
            "INSERT INTO siting_review_rules (review_id, position, rule_id, decision, text, \
                 source, overridden_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(rule.id.as_str())
        .bind(decision_name(rule.decision))
        .bind(rule.text.as_str())
        .bind(rule.source.as_str())
        .bind(rule.overridden_by.clone())
        .execute(&mut *tx)
        .await?;
    }
    for (position, distance) in review.distances.iter().enumerate() {
        sqlx::query(
            "INSERT INTO siting_review_distances (review_id, position, zone, name, distance_m, \
                 touches) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(distance.zone.as_str())
        .bind(distance.name.as_str())
        .bind(distance.distance_m)
        .bind(i64::from(distance.touches))
        .execute(&mut *tx)
        .await?;
    }
    Ok(id)
}

const SUMMARY_COLUMNS: &str =
    "id, reviewed_at, reviewed_by, application_name, category, decision, \
     zone, distance_to_canal_m, rule_set_name, rule_set_version";

fn summary(row: &sqlx::any::AnyRow) -> Result<ReviewSummary> {
    Ok(ReviewSummary {
        id: row.try_get(0)?,
        reviewed_at: row.try_get(1)?,
        reviewed_by: row.try_get(2)?,
        application: row.try_get(3)?,
        category: row.try_get(4)?,
        decision: row.try_get(5)?,
        zone: row.try_get(6)?,
        distance_to_canal_m: row.try_get(7)?,
        rule_set: row.try_get(8)?,
        rule_set_version: row.try_get(9)?,
    })
}

/// Stored reviews, newest first; only those with `decision` when given.
pub async fn list_reviews(store: &Store, decision: Option<Decision>) -> Result<Vec<ReviewSummary>> {
    let rows = sqlx::query(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM siting_reviews WHERE ($1 = '' OR decision = $1) \
         ORDER BY reviewed_at DESC, id DESC"
    ))
    .bind(decision.map(decision_name).unwrap_or(""))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(summary).collect()
}

/// One stored review in full.
pub async fn review(store: &Store, id: i64) -> Result<StoredReview> {
    let row = sqlx::query(&format!(
        "SELECT {SUMMARY_COLUMNS}, application, outcome FROM siting_reviews WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or_else(|| invalid(format!("unknown siting review {id}")))?;
    let application: String = row.try_get(10)?;
    let outcome: String = row.try_get(11)?;
    let parse = |text: &str, what: &str| {
        serde_json::from_str(text).map_err(|e| invalid(format!("stored {what} is unreadable: {e}")))
    };
    Ok(StoredReview {
        summary: summary(&row)?,
        application_json: parse(&application, "application")?,
        outcome: parse(&outcome, "outcome")?,
    })
}

// ---------------------------------------------------------------------------------------------
// Zone maps: the protection zones (and canal line) reviews are made against in the web
// application, uploaded as GeoJSON; every upload is kept, the newest is in force.

/// A stored zone map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredZoneMap {
    /// Map id.
    pub id: i64,
    /// When it was uploaded, local time `YYYY-MM-DDTHH:MM:SS`.
    pub uploaded_at: String,
    /// Who uploaded it, when recorded.
    pub uploaded_by: Option<String>,
    /// Its name (the file name it came as, or one given).
    pub name: String,
    /// The GeoJSON FeatureCollection text.
    pub geojson: String,
}

/// Stores a zone map in the caller's transaction; returns its id. The caller checks the text
/// first (`danjiang_siting::ZoneMap::from_geojson`): nothing here reads it.
pub async fn save_zone_map_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    name: &str,
    geojson: &str,
    uploaded_at: NaiveDateTime,
    uploaded_by: Option<&str>,
) -> Result<i64> {
    if name.trim().is_empty() {
        return Err(invalid("name: required, found nothing"));
    }
    let row = sqlx::query(
        "INSERT INTO siting_zone_maps (uploaded_at, uploaded_by, name, geojson) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(uploaded_at.format("%Y-%m-%dT%H:%M:%S").to_string())
    .bind(uploaded_by.map(str::to_string))
    .bind(name.trim())
    .bind(geojson)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get(0)?)
}

/// The zone map in force (the newest upload), if any.
pub async fn current_zone_map(store: &Store) -> Result<Option<StoredZoneMap>> {
    let row = sqlx::query(
        "SELECT id, uploaded_at, uploaded_by, name, geojson FROM siting_zone_maps \
         ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(store.pool())
    .await?;
    row.map(|row| {
        Ok(StoredZoneMap {
            id: row.try_get(0)?,
            uploaded_at: row.try_get(1)?,
            uploaded_by: row.try_get(2)?,
            name: row.try_get(3)?,
            geojson: row.try_get(4)?,
        })
    })
    .transpose()
}
