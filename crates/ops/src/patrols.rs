//! Patrols and maintenance in the store: the plan set in force (danjiang-patrol's defaults or
//! an edited set), patrol records with photos kept by content hash in the `photos` table,
//! defects whose life cycle is checked here and again by the schema, and the due lists, routes
//! and monthly compliance computed from what is stored.
//!
//! Assets come from the register: a well counts as `<well_type>_well` (a `valve_well`) and also
//! as a `well`; the responsible station is the asset's `looked_after_by` (a station or office is
//! responsible for itself); a well's line is the pipeline it is `fed_from`, its chainage the
//! distance along that pipeline's geometry to the point nearest the well.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use danjiang_patrol::{
    due_list, monthly_compliance, photo_hash, route_for_day, Asset, Compliance, Defect, DueTask,
    Frequency, Plan, Season, Transition, Visit,
};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::error::{OpsError, Result};
use crate::samples_import::{invalid, retry_when_busy};
use crate::store::Store;

pub use danjiang_patrol::{
    Compliance as PatrolCompliance, DefectState, DueState, PatrolError, PatrolRecord, PlanSet,
    Severity,
};

/// Mean radius of the Earth, m, for chainage along short lines (an equirectangular projection
/// about each segment's latitude is within millimetres over a few hundred metres).
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// The plan set in force and the day patrols under it began (the first visit of every task on
/// an asset is due then).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredPlans {
    /// The plans and seasons.
    pub plans: PlanSet,
    /// First day of patrols under this set.
    pub effective_from: NaiveDate,
}

fn json_text<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| invalid(format!("cannot write JSON: {e}")))
}

fn json_value<T: for<'de> Deserialize<'de>>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| invalid(format!("stored {what} is unreadable: {e}")))
}

fn parse_day(text: &str, field: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.get(..10).unwrap_or(text), "%Y-%m-%d")
        .map_err(|_| invalid(format!("{field}: `{text}` is not a date YYYY-MM-DD")))
}

/// Parses a local date-time `YYYY-MM-DD HH:MM[:SS]` (or with `T`).
pub fn parse_local(text: &str, field: &str) -> Result<NaiveDateTime> {
    danjiang_assessment::samples::parse_time(text).ok_or_else(|| {
        invalid(format!(
            "{field}: `{text}` is not a date-time; expected YYYY-MM-DD HH:MM[:SS]"
        ))
    })
}

fn stored_time(time: NaiveDateTime) -> String {
    time.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Replaces the stored plan set with `plans` in one transaction; `effective_from` is the day
/// patrols under it begin.
pub async fn save_plans(store: &Store, plans: &PlanSet, effective_from: NaiveDate) -> Result<()> {
    // The same checks as reading the set from JSON: every season a plan names exists.
    let checked = PlanSet::from_json(&json_text(plans)?).map_err(|e| invalid(e.to_string()))?;
    let mut ids = std::collections::HashSet::new();
    for plan in &checked.plans {
        if !ids.insert(plan.id.as_str()) {
            return Err(invalid(format!("plans: plan id `{}` given twice", plan.id)));
        }
    }
    retry_when_busy(|| async {
        let mut tx = store.begin_write().await?;
        for table in ["patrol_plans", "patrol_seasons", "patrol_plan_sets"] {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut **tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO patrol_plan_sets (id, version, source, effective_from) VALUES (1, $1, $2, $3)",
        )
        .bind(checked.version.as_str())
        .bind(checked.source.as_str())
        .bind(effective_from.format("%Y-%m-%d").to_string())
        .execute(&mut **tx)
        .await?;
        for season in &checked.seasons {
            sqlx::query(
                "INSERT INTO patrol_seasons (name, from_day, to_day, source) VALUES ($1, $2, $3, $4)",
            )
            .bind(season.name.as_str())
            .bind(String::from(season.from))
            .bind(String::from(season.to))
            .bind(season.source.as_str())
            .execute(&mut **tx)
            .await?;
        }
        for (position, plan) in checked.plans.iter().enumerate() {
            sqlx::query(
                "INSERT INTO patrol_plans (id, position, asset_kind, asset_code, task, frequency, \
                 season_frequency, checklist) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(plan.id.as_str())
            .bind(position as i64)
            .bind(plan.asset_kind.as_str())
            .bind(plan.asset.clone())
            .bind(plan.task.as_str())
            .bind(json_text(&plan.frequency)?)
            .bind(json_text(&plan.season_frequency)?)
            .bind(json_text(&plan.checklist)?)
            .execute(&mut **tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Stores danjiang-patrol's default plans (STANDARDS.md §4), in force from `effective_from`.
pub async fn save_default_plans(store: &Store, effective_from: NaiveDate) -> Result<PlanSet> {
    let plans = PlanSet::defaults().map_err(|e| invalid(e.to_string()))?;
    save_plans(store, &plans, effective_from).await?;
    Ok(plans)
}

/// The stored plan set; an error says how to store one when there is none.
pub async fn plans(store: &Store) -> Result<StoredPlans> {
    let header = sqlx::query("SELECT version, source, effective_from FROM patrol_plan_sets")
        .fetch_optional(store.pool())
        .await?
        .ok_or_else(|| {
            invalid(
                "no patrol plans are stored; store the defaults with \
                 `danjiang patrol plans --defaults --from YYYY-MM-DD` or a set with \
                 `danjiang patrol plans FILE.json --from YYYY-MM-DD`",
            )
        })?;
    let effective: String = header.try_get(2)?;
    let mut seasons = Vec::new();
    for row in
        sqlx::query("SELECT name, from_day, to_day, source FROM patrol_seasons ORDER BY name")
            .fetch_all(store.pool())
            .await?
    {
        let from: String = row.try_get(1)?;
        let to: String = row.try_get(2)?;
        seasons.push(Season {
            name: row.try_get(0)?,
            from: from
                .try_into()
                .map_err(|e: danjiang_patrol::PatrolError| invalid(e.to_string()))?,
            to: to
                .try_into()
                .map_err(|e: danjiang_patrol::PatrolError| invalid(e.to_string()))?,
            source: row.try_get(3)?,
        });
    }
    let mut plans = Vec::new();
    for row in sqlx::query(
        "SELECT id, asset_kind, asset_code, task, frequency, season_frequency, checklist \
         FROM patrol_plans ORDER BY position",
    )
    .fetch_all(store.pool())
    .await?
    {
        let frequency: String = row.try_get(4)?;
        let season_frequency: String = row.try_get(5)?;
        let checklist: String = row.try_get(6)?;
        plans.push(Plan {
            id: row.try_get(0)?,
            asset_kind: row.try_get(1)?,
            asset: row.try_get(2)?,
            task: row.try_get(3)?,
            frequency: json_value::<Frequency>(&frequency, "plan frequency")?,
            season_frequency: json_value::<BTreeMap<String, Frequency>>(
                &season_frequency,
                "plan season frequency",
            )?,
            checklist: json_value::<Vec<String>>(&checklist, "plan checklist")?,
        });
    }
    Ok(StoredPlans {
        plans: PlanSet {
            version: header.try_get(0)?,
            source: header.try_get(1)?,
            seasons,
            plans,
        },
        effective_from: parse_day(&effective, "effective_from")?,
    })
}

/// A register asset as the patrol plans see it.
#[derive(Debug, Clone)]
struct RegisterAsset {
    code: String,
    kind: String,
    well_type: Option<String>,
    looked_after_by: Option<String>,
    fed_from: Option<String>,
    geometry: Option<String>,
}

async fn register(store: &Store) -> Result<Vec<RegisterAsset>> {
    let rows = sqlx::query(
        "SELECT code, kind, well_type, looked_after_by, fed_from, geometry FROM assets ORDER BY code",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(RegisterAsset {
                code: row.try_get(0)?,
                kind: row.try_get(1)?,
                well_type: row.try_get(2)?,
                looked_after_by: row.try_get(3)?,
                fed_from: row.try_get(4)?,
                geometry: row.try_get(5)?,
            })
        })
        .collect()
}

/// The kinds an asset counts as for the plans: its own first.
fn kinds_of(asset: &RegisterAsset) -> (String, Vec<String>) {
    match (asset.kind.as_str(), &asset.well_type) {
        ("well", Some(well_type)) => (format!("{well_type}_well"), vec!["well".to_string()]),
        (kind, _) => (kind.to_string(), Vec::new()),
    }
}

fn covers(plan: &Plan, asset: &Asset) -> bool {
    match &plan.asset {
        Some(only) => only == &asset.id,
        None => asset.kind == plan.asset_kind || asset.also_kinds.contains(&plan.asset_kind),
    }
}

/// Coordinates of a GeoJSON Point or LineString, lon/lat degrees.
fn coordinates(geometry: &str) -> Vec<(f64, f64)> {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(geometry) else {
        return Vec::new();
    };
    let pair = |v: &serde_json::Value| Some((v.get(0)?.as_f64()?, v.get(1)?.as_f64()?));
    match value.get("type").and_then(|t| t.as_str()) {
        Some("Point") => value
            .get("coordinates")
            .and_then(pair)
            .into_iter()
            .collect(),
        Some("LineString") => value
            .get("coordinates")
            .and_then(|c| c.as_array())
            .map(|points| points.iter().filter_map(pair).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Distance along `line` (lon/lat) to the point of it nearest `point`, km.
fn chainage_km(line: &[(f64, f64)], point: (f64, f64)) -> Option<f64> {
    let mut best: Option<(f64, f64)> = None; // (distance off the line m, chainage m)
    let mut along = 0.0;
    for segment in line.windows(2) {
        let (a, b) = (segment[0], segment[1]);
        // Metres east and north of `a`, about the segment's mean latitude.
        let latitude = ((a.1 + b.1) / 2.0).to_radians();
        let project = |p: (f64, f64)| {
            (
                (p.0 - a.0).to_radians() * latitude.cos() * EARTH_RADIUS_M,
                (p.1 - a.1).to_radians() * EARTH_RADIUS_M,
            )
        };
        let (bx, by) = project(b);
        let (px, py) = project(point);
        let length = (bx * bx + by * by).sqrt();
        let t = if length > 0.0 {
            ((px * bx + py * by) / (length * length)).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let off = ((px - t * bx).powi(2) + (py - t * by).powi(2)).sqrt();
        if best.is_none_or(|(d, _)| off < d) {
            best = Some((off, along + t * length));
        }
        along += length;
    }
    best.map(|(_, m)| m / 1000.0)
}

/// The register's assets as patrol assets, in service from `effective_from`; only those some
/// plan covers.
pub(crate) async fn patrol_assets(store: &Store, stored: &StoredPlans) -> Result<Vec<Asset>> {
    let register = register(store).await?;
    let lines: HashMap<&str, Vec<(f64, f64)>> = register
        .iter()
        .filter(|a| a.kind == "pipeline")
        .filter_map(|a| Some((a.code.as_str(), coordinates(a.geometry.as_deref()?))))
        .collect();
    let mut out = Vec::new();
    for asset in &register {
        let (kind, also_kinds) = kinds_of(asset);
        let station = match asset.kind.as_str() {
            "station" | "office" => asset.code.clone(),
            _ => asset
                .looked_after_by
                .clone()
                .unwrap_or_else(|| "unassigned".to_string()),
        };
        let line = match asset.kind.as_str() {
            "pipeline" => Some((asset.code.clone(), 0.0)),
            _ => asset.fed_from.as_ref().and_then(|line_code| {
                let line = lines.get(line_code.as_str())?;
                let point = *coordinates(asset.geometry.as_deref()?).first()?;
                Some((line_code.clone(), chainage_km(line, point)?))
            }),
        };
        let candidate = Asset {
            id: asset.code.clone(),
            kind,
            also_kinds,
            station,
            line,
            in_service: stored.effective_from,
        };
        if stored.plans.plans.iter().any(|p| covers(p, &candidate)) {
            out.push(candidate);
        }
    }
    Ok(out)
}

async fn visits(store: &Store) -> Result<Vec<Visit>> {
    let rows = sqlx::query("SELECT plan_id, asset_code, recorded_at FROM patrol_records")
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|row| {
            let at: String = row.try_get(2)?;
            Ok(Visit {
                plan: row.try_get(0)?,
                asset: row.try_get(1)?,
                date: parse_day(&at, "recorded_at")?,
            })
        })
        .collect()
}

/// Every plan-and-asset task with its due day as of `date`, overdue first; only the tasks of
/// `station` when given.
pub async fn due_tasks(
    store: &Store,
    date: NaiveDate,
    station: Option<&str>,
) -> Result<Vec<DueTask>> {
    let stored = plans(store).await?;
    let mut assets = patrol_assets(store, &stored).await?;
    if let Some(station) = station {
        assets.retain(|a| a.station == station);
    }
    let visits = visits(store).await?;
    Ok(due_list(&stored.plans, &assets, &visits, date))
}

/// One stop of a day's route.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouteStop {
    /// Chainage along the line, km.
    pub chainage_km: f64,
    /// The task due or overdue there.
    #[serde(flatten)]
    pub task: DueTask,
}

/// The tasks due or overdue on `date` along `line`, ordered by chainage.
pub async fn route(store: &Store, line: &str, date: NaiveDate) -> Result<Vec<RouteStop>> {
    let stored = plans(store).await?;
    let assets = patrol_assets(store, &stored).await?;
    if !assets
        .iter()
        .any(|a| matches!(&a.line, Some((l, _)) if l == line))
    {
        return Err(invalid(format!(
            "line `{line}` has no assets any plan covers (is it a pipeline code of the register?)"
        )));
    }
    let visits = visits(store).await?;
    Ok(route_for_day(&stored.plans, &assets, &visits, line, date)
        .into_iter()
        .map(|(chainage_km, task)| RouteStop { chainage_km, task })
        .collect())
}

/// A month's compliance per station with its on-time share.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StationCompliance {
    /// Planned, done, late, missed and pending visits.
    #[serde(flatten)]
    pub compliance: Compliance,
    /// Share of planned visits done on time, percent.
    pub on_time_percent: f64,
}

/// Compliance per station for the month holding `month`, judged as of `as_of`.
pub async fn compliance(
    store: &Store,
    month: NaiveDate,
    as_of: NaiveDate,
) -> Result<Vec<StationCompliance>> {
    let stored = plans(store).await?;
    let assets = patrol_assets(store, &stored).await?;
    let visits = visits(store).await?;
    Ok(
        monthly_compliance(&stored.plans, &assets, &visits, month, as_of)
            .into_iter()
            .map(|compliance| StationCompliance {
                on_time_percent: compliance.on_time_percent(),
                compliance,
            })
            .collect(),
    )
}

/// A photo handed in with a record.
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoUpload {
    /// The file name it came as.
    pub file_name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A defect found on a patrol, opened with the record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoundDefect {
    /// How serious.
    pub severity: Severity,
    /// What is wrong.
    pub description: String,
}

/// A patrol record to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPatrolRecord {
    /// Plan followed.
    pub plan: String,
    /// Asset visited.
    pub asset: String,
    /// Who did it.
    pub inspector: String,
    /// When, local time.
    pub time: NaiveDateTime,
    /// Checklist answers: question to yes (true) or no.
    pub answers: BTreeMap<String, bool>,
    /// What was found, in words.
    pub findings: String,
    /// Where (longitude, latitude degrees).
    pub position: Option<(f64, f64)>,
    /// Photos taken.
    pub photos: Vec<PhotoUpload>,
    /// Defects found, each opened with the record.
    pub defects: Vec<FoundDefect>,
}

/// What storing a record did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordOutcome {
    /// The record's id.
    pub id: i64,
    /// False when the same record (plan, asset, time, inspector) was stored before: nothing
    /// was written the second time.
    pub new: bool,
    /// Content hashes of its photos.
    pub photos: Vec<String>,
    /// Defects opened with it.
    pub defects: Vec<String>,
}

fn media_type(file_name: &str) -> &'static str {
    let lower = file_name.to_ascii_lowercase();
    match lower.rsplit('.').next() {
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        Some("heic") => "image/heic",
        _ => "application/octet-stream",
    }
}

/// Checks a record against the plans and the register; every fault names its field.
fn check_record(
    stored: &StoredPlans,
    assets: &HashMap<&str, &Asset>,
    record: &NewPatrolRecord,
) -> Vec<String> {
    let mut faults = Vec::new();
    if record.inspector.trim().is_empty() {
        faults.push("inspector: required, found nothing".to_string());
    }
    let asset = assets.get(record.asset.as_str());
    match stored.plans.plan(&record.plan) {
        None => faults.push(format!(
            "plan: unknown plan `{}`; stored plans: {}",
            record.plan,
            stored
                .plans
                .plans
                .iter()
                .map(|p| p.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Some(plan) => {
            match asset {
                None => faults.push(format!(
                    "asset: `{}` is not an asset of the register that a plan covers",
                    record.asset
                )),
                Some(asset) if !covers(plan, asset) => faults.push(format!(
                    "asset: plan `{}` covers {} assets, and `{}` is a {}",
                    plan.id, plan.asset_kind, asset.id, asset.kind
                )),
                Some(_) => {}
            }
            for question in record.answers.keys() {
                if !plan.checklist.contains(question) {
                    faults.push(format!(
                        "answers: `{question}` is not on the checklist of plan `{}` ({})",
                        plan.id,
                        plan.checklist.join("; ")
                    ));
                }
            }
        }
    }
    if let Some((lon, lat)) = record.position {
        if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
            faults.push(format!(
                "position: [{lon}, {lat}] is not a longitude and latitude in degrees"
            ));
        }
    }
    for (i, defect) in record.defects.iter().enumerate() {
        if defect.description.trim().is_empty() {
            faults.push(format!("defects[{i}].description: required, found nothing"));
        }
    }
    faults
}

/// Stores one patrol record; see [`record_patrols`].
pub async fn record_patrol(store: &Store, record: &NewPatrolRecord) -> Result<RecordOutcome> {
    let mut outcomes = record_patrols(store, std::slice::from_ref(record)).await?;
    outcomes
        .pop()
        .ok_or_else(|| invalid("no record was stored"))
}

/// Stores patrol records with their photos and the defects they found. Every record is checked
/// first (plan, asset covered by the plan, checklist questions, position); any fault rejects
/// them all, each fault named by record and field; then all are written in one transaction.
/// A record stored before (same plan, asset, time and inspector) writes nothing again.
pub async fn record_patrols(
    store: &Store,
    records: &[NewPatrolRecord],
) -> Result<Vec<RecordOutcome>> {
    let checked = check_patrols(store, records).await?;
    retry_when_busy(|| async {
        let mut tx = store.begin_write().await?;
        let outcomes = record_patrols_in(&mut tx, &checked).await?;
        tx.commit().await?;
        Ok(outcomes)
    })
    .await
}

/// Patrol records that passed [`check_patrols`]: the only kind [`record_patrols_in`] writes.
#[derive(Debug, Clone, Copy)]
pub struct CheckedRecords<'a>(&'a [NewPatrolRecord]);

/// Checks patrol records against the stored plans and register (plan, asset covered by the
/// plan, checklist questions, position), before any write transaction is opened: the check
/// reads through the pool, and a write must never wait for a second connection while it holds
/// one. Any fault rejects them all, each fault named by record and field.
pub async fn check_patrols<'a>(
    store: &Store,
    records: &'a [NewPatrolRecord],
) -> Result<CheckedRecords<'a>> {
    let stored = plans(store).await?;
    let assets = patrol_assets(store, &stored).await?;
    let by_code: HashMap<&str, &Asset> = assets.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut faults = Vec::new();
    for (i, record) in records.iter().enumerate() {
        for fault in check_record(&stored, &by_code, record) {
            faults.push(format!(
                "record {i} ({} on {}), {fault}",
                record.plan, record.asset
            ));
        }
    }
    if !faults.is_empty() {
        return Err(invalid(format!(
            "patrol records rejected, nothing written:\n  {}",
            faults.join("\n  ")
        )));
    }
    Ok(CheckedRecords(records))
}

/// Stores checked patrol records as [`record_patrols`] does, in the caller's transaction (so
/// that the caller can record who did it in the same transaction).
pub async fn record_patrols_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    records: &CheckedRecords<'_>,
) -> Result<Vec<RecordOutcome>> {
    let mut outcomes = Vec::with_capacity(records.0.len());
    for record in records.0 {
        outcomes.push(write_record(tx, record).await?);
    }
    Ok(outcomes)
}

async fn write_record(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    record: &NewPatrolRecord,
) -> Result<RecordOutcome> {
    let at = stored_time(record.time);
    let hashes: Vec<String> = record.photos.iter().map(|p| photo_hash(&p.bytes)).collect();
    let existing = sqlx::query(
        "SELECT id FROM patrol_records WHERE plan_id = $1 AND asset_code = $2 \
         AND recorded_at = $3 AND inspector = $4",
    )
    .bind(record.plan.as_str())
    .bind(record.asset.as_str())
    .bind(at.as_str())
    .bind(record.inspector.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(row) = existing {
        return Ok(RecordOutcome {
            id: row.try_get(0)?,
            new: false,
            photos: hashes,
            defects: Vec::new(),
        });
    }
    // Not a cached statement: through the Any driver a NULL number fixes the parameter's type,
    // and PostgreSQL would then read a later value there in the wrong format (error 22P03).
    let row = sqlx::query(
        "INSERT INTO patrol_records (plan_id, asset_code, inspector, recorded_at, answers, \
         findings, longitude, latitude) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .persistent(false)
    .bind(record.plan.as_str())
    .bind(record.asset.as_str())
    .bind(record.inspector.as_str())
    .bind(at.as_str())
    .bind(json_text(&record.answers)?)
    .bind(record.findings.as_str())
    .bind(record.position.map(|p| p.0))
    .bind(record.position.map(|p| p.1))
    .fetch_one(&mut **tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    for (photo, hash) in record.photos.iter().zip(&hashes) {
        sqlx::query(
            "INSERT INTO photos (hash, media_type, size_bytes, content) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (hash) DO NOTHING",
        )
        .bind(hash.as_str())
        .bind(media_type(&photo.file_name))
        .bind(photo.bytes.len() as i64)
        .bind(photo.bytes.clone())
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO patrol_record_photos (record_id, photo_hash, file_name) VALUES ($1, $2, $3) \
             ON CONFLICT (record_id, photo_hash) DO NOTHING",
        )
        .bind(id)
        .bind(hash.as_str())
        .bind(photo.file_name.as_str())
        .execute(&mut **tx)
        .await?;
    }
    let mut defects = Vec::new();
    for found in &record.defects {
        let defect = Defect::report(
            next_defect_id(tx, record.time).await?,
            record.asset.clone(),
            found.severity,
            found.description.clone(),
            record.inspector.clone(),
            record.time,
        );
        insert_defect(tx, &defect, Some(id)).await?;
        defects.push(defect.id);
    }
    Ok(RecordOutcome {
        id,
        new: true,
        photos: hashes,
        defects,
    })
}

/// A stored patrol record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredRecord {
    /// Record id.
    pub id: i64,
    /// The visit as recorded.
    #[serde(flatten)]
    pub record: PatrolRecord,
}

/// The records of one asset, or all, newest first, at most `limit`.
pub async fn records(store: &Store, asset: Option<&str>, limit: i64) -> Result<Vec<StoredRecord>> {
    let rows = sqlx::query(
        "SELECT id, plan_id, asset_code, inspector, recorded_at, answers, findings, longitude, latitude \
         FROM patrol_records WHERE ($1 = '' OR asset_code = $1) \
         ORDER BY recorded_at DESC, id DESC LIMIT $2",
    )
    .bind(asset.unwrap_or(""))
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::new();
    for row in &rows {
        let id: i64 = row.try_get(0)?;
        let at: String = row.try_get(4)?;
        let answers: String = row.try_get(5)?;
        let longitude: Option<f64> = row.try_get(7)?;
        let latitude: Option<f64> = row.try_get(8)?;
        let photos = sqlx::query(
            "SELECT photo_hash FROM patrol_record_photos WHERE record_id = $1 ORDER BY file_name",
        )
        .bind(id)
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<std::result::Result<Vec<_>, _>>()?;
        out.push(StoredRecord {
            id,
            record: PatrolRecord {
                plan: row.try_get(1)?,
                asset: row.try_get(2)?,
                inspector: row.try_get(3)?,
                time: parse_local(&at, "recorded_at")?,
                answers: json_value(&answers, "checklist answers")?,
                findings: row.try_get(6)?,
                position: longitude.zip(latitude),
                photos,
            },
        });
    }
    Ok(out)
}

/// A stored photo.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Photo {
    /// SHA-256 of the bytes, hex.
    pub hash: String,
    /// Media type guessed from the file name it came as.
    pub media_type: String,
    /// The bytes.
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

/// The photo stored under `hash`, if any.
pub async fn photo(store: &Store, hash: &str) -> Result<Option<Photo>> {
    let row = sqlx::query("SELECT hash, media_type, content FROM photos WHERE hash = $1")
        .bind(hash)
        .fetch_optional(store.pool())
        .await?;
    row.map(|row| {
        Ok(Photo {
            hash: row.try_get(0)?,
            media_type: row.try_get(1)?,
            bytes: row.try_get(2)?,
        })
    })
    .transpose()
}

// ---------------------------------------------------------------------------------------------
// Defects

fn state_name(state: DefectState) -> String {
    state.to_string()
}

/// Parses a defect state: open, assigned, repaired, verified or closed.
pub fn parse_state(text: &str) -> Result<DefectState> {
    Ok(match text {
        "open" => DefectState::Open,
        "assigned" => DefectState::Assigned,
        "repaired" => DefectState::Repaired,
        "verified" => DefectState::Verified,
        "closed" => DefectState::Closed,
        other => {
            return Err(invalid(format!(
            "unknown defect state `{other}`; expected open, assigned, repaired, verified or closed"
        )))
        }
    })
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Minor => "minor",
        Severity::Major => "major",
        Severity::Critical => "critical",
    }
}

/// Parses a severity: minor, major or critical.
pub fn parse_severity(text: &str) -> Result<Severity> {
    match text.trim().to_ascii_lowercase().as_str() {
        "minor" => Ok(Severity::Minor),
        "major" => Ok(Severity::Major),
        "critical" => Ok(Severity::Critical),
        other => Err(invalid(format!(
            "unknown severity `{other}`; expected minor, major or critical"
        ))),
    }
}

/// A stored defect with its history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredDefect {
    /// The defect and every step of its life.
    #[serde(flatten)]
    pub defect: Defect,
    /// Its current state.
    pub state: DefectState,
    /// The patrol record it was found on, if any.
    pub record_id: Option<i64>,
}

/// The next defect id of the year of `at` (`D-YYYY-NNNN`, four digits at least). The number is
/// taken from `defect_numbers` inside the caller's write transaction: PostgreSQL holds the year's
/// row locked until the transaction ends, so two writers at once get two numbers. A year not yet
/// counted starts after the highest number stored for it.
async fn next_defect_id(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    at: NaiveDateTime,
) -> Result<String> {
    let year = i64::from(at.year());
    let prefix = format!("D-{year}-");
    // The number starts after the prefix; a literal, as PostgreSQL's SUBSTR takes no bigint.
    let row = sqlx::query(&format!(
        "INSERT INTO defect_numbers (year, last_number) \
         SELECT $1, COALESCE(MAX(CAST(SUBSTR(id, {}) AS INTEGER)), 0) + 1 FROM defects \
         WHERE id LIKE $2 \
         ON CONFLICT (year) DO UPDATE SET last_number = defect_numbers.last_number + 1 \
         RETURNING last_number",
        prefix.len() + 1
    ))
    .bind(year)
    .bind(format!("{prefix}%"))
    .fetch_one(&mut **tx)
    .await?;
    let number: i64 = row.try_get(0)?;
    Ok(format!("{prefix}{number:04}"))
}

async fn insert_defect(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    defect: &Defect,
    record_id: Option<i64>,
) -> Result<()> {
    let opened = defect
        .history
        .first()
        .ok_or_else(|| invalid("a defect needs its opening step"))?;
    // Not a cached statement: through the Any driver a NULL number fixes the parameter's type,
    // and PostgreSQL would then read a later value there in the wrong format (error 22P03).
    sqlx::query(
        "INSERT INTO defects (id, asset_code, record_id, severity, description, state, step) \
         VALUES ($1, $2, $3, $4, $5, 'open', 0)",
    )
    .persistent(false)
    .bind(defect.id.as_str())
    .bind(defect.asset.as_str())
    .bind(record_id)
    .bind(severity_name(defect.severity))
    .bind(defect.description.as_str())
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO defect_transitions (defect_id, step, previous_step, from_state, to_state, \
         by_whom, at, note) VALUES ($1, 0, NULL, NULL, 'open', $2, $3, $4)",
    )
    .bind(defect.id.as_str())
    .bind(opened.by.as_str())
    .bind(stored_time(opened.at))
    .bind(opened.note.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Opens a defect on an asset of the register; returns its id (`D-YYYY-NNNN`).
pub async fn open_defect(
    store: &Store,
    asset: &str,
    severity: Severity,
    description: &str,
    by: &str,
    at: NaiveDateTime,
) -> Result<String> {
    if description.trim().is_empty() {
        return Err(invalid("description: required, found nothing"));
    }
    if by.trim().is_empty() {
        return Err(invalid("by: who reported the defect must be recorded"));
    }
    let known = sqlx::query("SELECT code FROM assets WHERE code = $1")
        .bind(asset)
        .fetch_optional(store.pool())
        .await?;
    if known.is_none() {
        return Err(invalid(format!("asset: unknown asset `{asset}`")));
    }
    retry_when_busy(|| async {
        let mut tx = store.begin_write().await?;
        let defect = Defect::report(
            next_defect_id(&mut tx, at).await?,
            asset,
            severity,
            description,
            by,
            at,
        );
        insert_defect(&mut tx, &defect, None).await?;
        tx.commit().await?;
        Ok(defect.id)
    })
    .await
}

async fn load_defect(connection: &mut sqlx::AnyConnection, id: &str) -> Result<StoredDefect> {
    let row = sqlx::query(
        "SELECT id, asset_code, record_id, severity, description, state FROM defects WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *connection)
    .await?
    .ok_or_else(|| invalid(format!("unknown defect `{id}`")))?;
    let severity: String = row.try_get(3)?;
    let state: String = row.try_get(5)?;
    let mut history = Vec::new();
    for step in sqlx::query(
        "SELECT to_state, by_whom, at, note FROM defect_transitions WHERE defect_id = $1 ORDER BY step",
    )
    .bind(id)
    .fetch_all(&mut *connection)
    .await?
    {
        let to: String = step.try_get(0)?;
        let at: String = step.try_get(2)?;
        history.push(Transition {
            state: parse_state(&to)?,
            by: step.try_get(1)?,
            at: parse_local(&at, "defect step time")?,
            note: step.try_get(3)?,
        });
    }
    Ok(StoredDefect {
        defect: Defect {
            id: row.try_get(0)?,
            asset: row.try_get(1)?,
            severity: parse_severity(&severity)?,
            description: row.try_get(4)?,
            history,
        },
        state: parse_state(&state)?,
        record_id: row.try_get(2)?,
    })
}

/// One defect with its history.
pub async fn defect(store: &Store, id: &str) -> Result<StoredDefect> {
    let mut connection = store.pool().acquire().await?;
    load_defect(&mut connection, id).await
}

/// Defects, newest first; only those in `state` or on `asset` when given.
pub async fn defects(
    store: &Store,
    state: Option<DefectState>,
    asset: Option<&str>,
) -> Result<Vec<StoredDefect>> {
    let ids = sqlx::query(
        "SELECT id FROM defects WHERE ($1 = '' OR state = $1) AND ($2 = '' OR asset_code = $2) \
         ORDER BY id DESC",
    )
    .bind(state.map(state_name).unwrap_or_default())
    .bind(asset.unwrap_or(""))
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::new();
    for row in &ids {
        let id: String = row.try_get(0)?;
        out.push(defect(store, &id).await?);
    }
    Ok(out)
}

/// Moves a defect to its next state (assigned, repaired, verified, closed; or back to assigned
/// when a repair fails verification), recording who and when, in one transaction. A skipped
/// state, a step back in time or a step after closing is refused here, and the schema refuses
/// it again should anything else write the tables.
pub async fn advance_defect(
    store: &Store,
    id: &str,
    to: DefectState,
    by: &str,
    at: NaiveDateTime,
    note: &str,
) -> Result<StoredDefect> {
    retry_when_busy(|| async {
        let mut tx = store.begin_write().await?;
        let stored = advance_defect_in(&mut tx, id, to, by, at, note).await?;
        tx.commit().await?;
        Ok(stored)
    })
    .await
}

/// Moves a defect to its next state as [`advance_defect`] does, in the caller's transaction
/// (so that the caller can record who did it in the same transaction).
pub async fn advance_defect_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &str,
    to: DefectState,
    by: &str,
    at: NaiveDateTime,
    note: &str,
) -> Result<StoredDefect> {
    let tx = &mut **tx;
    let mut stored = load_defect(tx, id).await?;
    let from = stored.state;
    let step = stored.defect.history.len() as i64;
    stored
        .defect
        .advance(Transition {
            state: to,
            by: by.to_string(),
            at,
            note: note.to_string(),
        })
        .map_err(|e| invalid(e.to_string()))?;
    sqlx::query(
        "INSERT INTO defect_transitions (defect_id, step, previous_step, from_state, to_state, \
             by_whom, at, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(step)
    .bind(step - 1)
    .bind(state_name(from))
    .bind(state_name(to))
    .bind(by)
    .bind(stored_time(at))
    .bind(note)
    .execute(&mut *tx)
    .await?;
    let updated = sqlx::query(
        "UPDATE defects SET state = $1, step = $2 WHERE id = $3 AND step = $4 AND state = $5",
    )
    .bind(state_name(to))
    .bind(step)
    .bind(id)
    .bind(step - 1)
    .bind(state_name(from))
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        return Err(invalid(format!(
            "defect {id} changed while this step was being recorded; try again"
        )));
    }
    stored.state = to;
    Ok(stored)
}

/// The assets of the register a plan covers (what a record under it may be about), by code;
/// an unknown plan is an error naming the stored plans.
pub async fn plan_assets(store: &Store, plan_id: &str) -> Result<Vec<Asset>> {
    let stored = plans(store).await?;
    let plan = stored.plans.plan(plan_id).ok_or_else(|| {
        invalid(format!(
            "plan: unknown plan `{plan_id}`; stored plans: {}",
            stored
                .plans
                .plans
                .iter()
                .map(|p| p.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    let mut assets: Vec<Asset> = patrol_assets(store, &stored)
        .await?
        .into_iter()
        .filter(|a| covers(plan, a))
        .collect();
    assets.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(assets)
}

/// The lines (pipeline codes) along which plans cover assets, for day routes.
pub async fn route_lines(store: &Store) -> Result<Vec<String>> {
    let stored = plans(store).await?;
    let mut lines: Vec<String> = patrol_assets(store, &stored)
        .await?
        .into_iter()
        .filter_map(|a| a.line.map(|(line, _)| line))
        .collect();
    lines.sort();
    lines.dedup();
    Ok(lines)
}

/// How many patrol records there are, of one asset or all.
pub async fn record_count(store: &Store, asset: Option<&str>) -> Result<i64> {
    Ok(
        sqlx::query("SELECT COUNT(*) FROM patrol_records WHERE ($1 = '' OR asset_code = $1)")
            .bind(asset.unwrap_or(""))
            .fetch_one(store.pool())
            .await?
            .try_get(0)?,
    )
}

/// Reads patrol records from a JSON file: one record or an array of them, each
/// `{"plan", "asset", "inspector", "time", "answers": {question: bool}, "findings",
/// "position": [lon, lat], "photos": [file paths relative to the JSON file],
/// "defects": [{"severity", "description"}]}`.
pub fn read_records_file(path: &Path) -> Result<Vec<NewPatrolRecord>> {
    let text = std::fs::read_to_string(path).map_err(|source| OpsError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let folder = path.parent().unwrap_or_else(|| Path::new("."));
    let shown = path.display();
    let root: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        invalid(format!(
            "{shown}: line {}, column {}: {e}",
            e.line(),
            e.column()
        ))
    })?;
    let items = match root {
        serde_json::Value::Array(items) => items,
        other => vec![other],
    };
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct RecordFile {
        plan: String,
        asset: String,
        inspector: String,
        time: String,
        #[serde(default)]
        answers: BTreeMap<String, bool>,
        #[serde(default)]
        findings: String,
        #[serde(default)]
        position: Option<(f64, f64)>,
        #[serde(default)]
        photos: Vec<String>,
        #[serde(default)]
        defects: Vec<FoundDefect>,
    }
    let mut out = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let record: RecordFile = serde_json::from_value(item)
            .map_err(|e| invalid(format!("{shown}: record {i}: {e}")))?;
        let time = parse_local(&record.time, &format!("{shown}: record {i}, field `time`"))?;
        let mut photos = Vec::new();
        for name in &record.photos {
            let file = folder.join(name);
            let bytes = std::fs::read(&file).map_err(|e| {
                invalid(format!(
                    "{shown}: record {i}, field `photos`: cannot read {}: {e}",
                    file.display()
                ))
            })?;
            photos.push(PhotoUpload {
                file_name: name.clone(),
                bytes,
            });
        }
        out.push(NewPatrolRecord {
            plan: record.plan,
            asset: record.asset,
            inspector: record.inspector,
            time,
            answers: record.answers,
            findings: record.findings,
            position: record.position,
            photos,
            defects: record.defects,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chainage_follows_the_line() {
        // Two segments due east along the equator, 0.01° each (about 1.11 km).
        let line = [(0.0, 0.0), (0.01, 0.0), (0.02, 0.0)];
        let per_degree_km = EARTH_RADIUS_M * std::f64::consts::PI / 180.0 / 1000.0;
        let at = chainage_km(&line, (0.015, 0.0001)).unwrap();
        assert!((at - 0.015 * per_degree_km).abs() < 1e-6);
        assert_eq!(chainage_km(&line, (-1.0, 0.0)), Some(0.0));
        assert!(chainage_km(&[(0.0, 0.0)], (0.0, 0.0)).is_none());
    }

    #[test]
    fn wells_count_as_their_type_and_as_wells() {
        let asset = RegisterAsset {
            code: "W1".into(),
            kind: "well".into(),
            well_type: Some("valve".into()),
            looked_after_by: None,
            fed_from: None,
            geometry: None,
        };
        assert_eq!(kinds_of(&asset), ("valve_well".into(), vec!["well".into()]));
    }
}
