//! The asset register as the pages and API show it: pages of assets by kind, one asset in full.

use danjiang_ops::Store;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sqlx::{Column, Row};
use utoipa::ToSchema;

use crate::web::error::{Result, ServerError};

/// The kinds of asset in the register.
pub const KINDS: [&str; 9] = [
    "outlet", "pipeline", "well", "office", "station", "plant", "release", "site", "zone",
];

/// An asset in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AssetSummary {
    /// Asset code.
    pub code: String,
    /// Kind: outlet, pipeline, well, office, station, plant, release, site or zone.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Chinese name.
    pub name_zh: Option<String>,
    /// County or district code.
    pub county_code: Option<String>,
    /// Plant capacity, m³/day.
    pub capacity_m3_per_day: Option<f64>,
    /// People served (plants).
    pub people_served: Option<i64>,
}

/// Checks a kind filter.
pub fn check_kind(kind: &str) -> Result<()> {
    if KINDS.contains(&kind) {
        Ok(())
    } else {
        Err(ServerError::BadRequest(format!(
            "kind `{kind}`: expected one of {}",
            KINDS.join(", ")
        )))
    }
}

/// One page of assets (of one kind, if given), by code, and how many match.
pub async fn list(
    store: &Store,
    kind: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AssetSummary>, i64)> {
    if let Some(kind) = kind {
        check_kind(kind)?;
    }
    let filter = if kind.is_some() {
        "WHERE kind = $3"
    } else {
        ""
    };
    let sql = format!(
        "SELECT code, kind, name, name_zh, county_code, capacity_m3_per_day, people_served \
         FROM assets {filter} ORDER BY code LIMIT $1 OFFSET $2"
    );
    let mut query = sqlx::query(&sql).bind(limit).bind(offset);
    if let Some(kind) = kind {
        query = query.bind(kind.to_string());
    }
    let rows = query.fetch_all(store.pool()).await?;
    let count_sql = if kind.is_some() {
        "SELECT COUNT(*) FROM assets WHERE kind = $1"
    } else {
        "SELECT COUNT(*) FROM assets"
    };
    let mut count = sqlx::query(count_sql);
    if let Some(kind) = kind {
        count = count.bind(kind.to_string());
    }
    let total: i64 = count.fetch_one(store.pool()).await?.try_get(0)?;
    let items = rows
        .iter()
        .map(|row| {
            Ok(AssetSummary {
                code: row.try_get(0)?,
                kind: row.try_get(1)?,
                name: row.try_get(2)?,
                name_zh: row.try_get(3)?,
                county_code: row.try_get(4)?,
                capacity_m3_per_day: row.try_get(5)?,
                people_served: row.try_get(6)?,
            })
        })
        .collect::<Result<_>>()?;
    Ok((items, total))
}

/// Every stored field of one asset (geometry as parsed GeoJSON), as a JSON object.
pub async fn detail(store: &Store, code: &str) -> Result<Map<String, Value>> {
    let row = sqlx::query(
        "SELECT code, kind, name, name_zh, county_code, epanet_id, looked_after_by, fed_from, \
         length_m, diameter_mm, material, design_flow_m3s, well_type, capacity_m3_per_day, \
         places_served, people_served, area_km2, zone_class, geometry FROM assets WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(store.pool())
    .await?
    .ok_or_else(|| ServerError::NotFound(format!("asset `{code}`")))?;
    let mut object = Map::new();
    for (i, column) in row.columns().iter().enumerate() {
        let name = column.name();
        let value = match name {
            "length_m" | "diameter_mm" | "design_flow_m3s" | "capacity_m3_per_day" | "area_km2" => {
                row.try_get::<Option<f64>, _>(i)?
                    .map_or(Value::Null, Value::from)
            }
            "people_served" => row
                .try_get::<Option<i64>, _>(i)?
                .map_or(Value::Null, Value::from),
            "geometry" => row
                .try_get::<Option<String>, _>(i)?
                .and_then(|text| serde_json::from_str(&text).ok())
                .unwrap_or(Value::Null),
            _ => row
                .try_get::<Option<String>, _>(i)?
                .map_or(Value::Null, Value::from),
        };
        object.insert(name.to_string(), value);
    }
    Ok(object)
}
