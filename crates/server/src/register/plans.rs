//! Delivery plans of outlets and plants (the `plans` table of the store): listing a water year's
//! plans and setting one, audited.

use danjiang_ops::Store;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{Any, Row, Transaction};
use utoipa::ToSchema;

use crate::web::audit;
use crate::web::error::{Result, ServerError};

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

/// The volume of one stored plan row inside `tx`, if there is one.
async fn stored_volume(
    tx: &mut Transaction<'static, Any>,
    asset_code: &str,
    water_year: i32,
    month: u32,
) -> Result<Option<f64>> {
    sqlx::query(
        "SELECT volume_m3 FROM plans WHERE asset_code = $1 AND water_year = $2 AND month = $3",
    )
    .bind(asset_code)
    .bind(i64::from(water_year))
    .bind(i64::from(month))
    .fetch_optional(&mut **tx)
    .await?
    .map(|row| row.try_get::<f64, _>(0))
    .transpose()
    .map_err(ServerError::from)
}

/// The monthly plans of an asset's water year inside `tx`: how many months are set, their sum.
async fn monthly_sum(
    tx: &mut Transaction<'static, Any>,
    asset_code: &str,
    water_year: i32,
) -> Result<(i64, f64)> {
    let row = sqlx::query(
        "SELECT COUNT(*), COALESCE(SUM(volume_m3), 0.0) FROM plans \
         WHERE asset_code = $1 AND water_year = $2 AND month BETWEEN 1 AND 12",
    )
    .bind(asset_code)
    .bind(i64::from(water_year))
    .fetch_one(&mut **tx)
    .await?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}

/// Writes one plan row inside `tx` and its audit entry (create or update, before and after).
async fn write_plan(
    tx: &mut Transaction<'static, Any>,
    username: &str,
    asset_code: &str,
    water_year: i32,
    month: u32,
    volume_m3: f64,
) -> Result<()> {
    let before = stored_volume(tx, asset_code, water_year, month).await?;
    sqlx::query("DELETE FROM plans WHERE asset_code = $1 AND water_year = $2 AND month = $3")
        .bind(asset_code)
        .bind(i64::from(water_year))
        .bind(i64::from(month))
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO plans (asset_code, water_year, month, volume_m3) VALUES ($1, $2, $3, $4)",
    )
    .bind(asset_code)
    .bind(i64::from(water_year))
    .bind(i64::from(month))
    .bind(volume_m3)
    .execute(&mut **tx)
    .await?;
    let id = format!("{asset_code}/{water_year}/{month}");
    let before = before.map(|volume| json!({ "volume_m3": volume }));
    let after = json!({ "volume_m3": volume_m3 });
    audit::record(
        tx,
        username,
        if before.is_some() { "update" } else { "create" },
        "plan",
        &id,
        before.as_ref(),
        Some(&after),
    )
    .await
}

/// How far an annual plan may differ from the sum of its months and still be that sum, m³
/// (volumes are entered in 10⁴ m³ with a few decimals; this absorbs their rounding only).
const ANNUAL_TOLERANCE_M3: f64 = 0.5;

/// Sets a plan and records the change in the audit log, in one transaction; returns the plan as
/// stored.
///
/// The annual plan is the sum of its monthly plans (the water year's plan is submitted as monthly
/// volumes, /work/shared/domain/STANDARDS.md §4), so the two never disagree: setting a month also
/// updates a stored annual plan to the new sum (audited as its own change), and an annual plan
/// that differs from the sum of the months already set is refused with a conflict (change the
/// months instead). Without monthly plans the annual plan is set freely.
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
    let mut tx = store.begin_write().await?;
    let asset = sqlx::query("SELECT name, kind FROM assets WHERE code = $1")
        .bind(&change.asset_code)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| ServerError::NotFound(format!("asset `{}`", change.asset_code)))?;
    let kind: String = asset.try_get(1)?;
    if kind != "outlet" && kind != "plant" {
        return Err(ServerError::BadRequest(format!(
            "asset `{}` is a {kind}; plans are kept for outlets and plants",
            change.asset_code
        )));
    }
    let (code, year) = (change.asset_code.as_str(), change.water_year);
    if change.month == 0 {
        let (months, sum) = monthly_sum(&mut tx, code, year).await?;
        if months > 0 && (change.volume_m3 - sum).abs() > ANNUAL_TOLERANCE_M3 {
            return Err(ServerError::Conflict(format!(
                "the annual plan of `{code}` in water year {year} is the sum of its {months} \
                 monthly plans, {sum:.0} m³, not {:.0} m³: change the monthly plans instead",
                change.volume_m3
            )));
        }
    }
    write_plan(
        &mut tx,
        username,
        code,
        year,
        change.month,
        change.volume_m3,
    )
    .await?;
    if change.month != 0 {
        if let Some(annual) = stored_volume(&mut tx, code, year, 0).await? {
            let (_, sum) = monthly_sum(&mut tx, code, year).await?;
            // The stored sum is rewritten only when it changed, so an edit that keeps the
            // total (or a repeated edit) leaves no empty audit entry.
            if (annual - sum).abs() > f64::EPSILON * sum.abs().max(1.0) {
                write_plan(&mut tx, username, code, year, 0, sum).await?;
            }
        }
    }
    let plan = Plan {
        asset_code: change.asset_code.clone(),
        asset_name: asset.try_get(0)?,
        water_year: change.water_year,
        month: change.month,
        volume_m3: change.volume_m3,
    };
    tx.commit().await?;
    Ok(plan)
}
