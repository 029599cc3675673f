//! Delivery plans of outlets and plants (the `plans` table of the store): listing a water year's
//! plans and setting one, audited.

use danjiang_ops::Store;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{Any, Row, Transaction};
use utoipa::ToSchema;

use crate::audit;
use crate::error::{Result, ServerError};

/// One planned volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Plan {
    /// The outlet or plant's asset code.
    pub asset_code: String,
    /// The asset's name.
    pub asset_name: Option<String>,
    /// Water year, named by the year it ends in (2021 = November 2020 to October 2021).
    pub water_year: i32,
    /// Month 1-12, or 0 for the annual plan.
    pub month: u32,
    /// Planned volume, m³.
    pub volume_m3: f64,
}

/// A plan to set.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanChange {
    /// The outlet or plant's asset code.
    pub asset_code: String,
    /// Water year, named by the year it ends in (2000-2100).
    pub water_year: i32,
    /// Month 1-12, or 0 for the annual plan.
    pub month: u32,
    /// Planned volume, m³ (0 or more, finite).
    pub volume_m3: f64,
}

/// The plans of one water year, by asset then month.
pub async fn list(store: &Store, water_year: i32) -> Result<Vec<Plan>> {
    let rows = sqlx::query(
        "SELECT p.asset_code, a.name, p.water_year, p.month, p.volume_m3 FROM plans p \
         LEFT JOIN assets a ON a.code = p.asset_code WHERE p.water_year = $1 \
         ORDER BY p.asset_code, p.month",
    )
    .bind(i64::from(water_year))
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let year: i64 = row.try_get(2)?;
            let month: i64 = row.try_get(3)?;
            Ok(Plan {
                asset_code: row.try_get(0)?,
                asset_name: row.try_get(1)?,
                water_year: i32::try_from(year).unwrap_or_default(),
                month: u32::try_from(month).unwrap_or_default(),
                volume_m3: row.try_get(4)?,
            })
        })
        .collect()
}

/// The water years that have plans, newest first.
pub async fn years(store: &Store) -> Result<Vec<i32>> {
    let rows = sqlx::query("SELECT DISTINCT water_year FROM plans ORDER BY water_year DESC")
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|row| {
            let year: i64 = row.try_get(0)?;
            Ok(i32::try_from(year).unwrap_or_default())
        })
        .collect()
}

/// Sets a plan and records the change in the audit log, in one transaction; returns the plan as
/// stored.
pub async fn set(store: &Store, username: &str, change: &PlanChange) -> Result<Plan> {
    if !(2000..=2100).contains(&change.water_year) {
        return Err(ServerError::BadRequest(format!(
            "water_year {}: expected 2000 to 2100",
            change.water_year
        )));
    }
    if change.month > 12 {
        return Err(ServerError::BadRequest(format!(
            "month {}: expected 1 to 12, or 0 for the annual plan",
            change.month
        )));
    }
    if !change.volume_m3.is_finite() || change.volume_m3 < 0.0 {
        return Err(ServerError::BadRequest(format!(
            "volume_m3 {}: expected a finite volume of 0 or more",
            change.volume_m3
        )));
    }
    let mut tx: Transaction<'static, Any> = store.pool().begin().await?;
    let asset = sqlx::query("SELECT name, kind FROM assets WHERE code = $1")
        .bind(&change.asset_code)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| ServerError::NotFound(format!("asset `{}`", change.asset_code)))?;
    let kind: String = asset.try_get(1)?;
    if kind != "outlet" && kind != "plant" {
        return Err(ServerError::BadRequest(format!(
            "asset `{}` is a {kind}; plans are kept for outlets and plants",
            change.asset_code
        )));
    }
    let before = sqlx::query(
        "SELECT volume_m3 FROM plans WHERE asset_code = $1 AND water_year = $2 AND month = $3",
    )
    .bind(&change.asset_code)
    .bind(i64::from(change.water_year))
    .bind(i64::from(change.month))
    .fetch_optional(&mut *tx)
    .await?
    .map(|row| row.try_get::<f64, _>(0))
    .transpose()?;
    sqlx::query("DELETE FROM plans WHERE asset_code = $1 AND water_year = $2 AND month = $3")
        .bind(&change.asset_code)
        .bind(i64::from(change.water_year))
        .bind(i64::from(change.month))
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO plans (asset_code, water_year, month, volume_m3) VALUES ($1, $2, $3, $4)",
    )
    .bind(&change.asset_code)
    .bind(i64::from(change.water_year))
    .bind(i64::from(change.month))
    .bind(change.volume_m3)
    .execute(&mut *tx)
    .await?;
    let plan = Plan {
        asset_code: change.asset_code.clone(),
        asset_name: asset.try_get(0)?,
        water_year: change.water_year,
        month: change.month,
        volume_m3: change.volume_m3,
    };
    let id = format!(
        "{}/{}/{}",
        change.asset_code, change.water_year, change.month
    );
    let before = before.map(|volume| json!({ "volume_m3": volume }));
    let after = json!({ "volume_m3": change.volume_m3 });
    audit::record(
        &mut tx,
        username,
        if before.is_some() { "update" } else { "create" },
        "plan",
        &id,
        before.as_ref(),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(plan)
}
