//! Patrol work as the pages and the API share it: due lists, records with their photos and
//! defects, a defect's steps (audited), a day's route along a line and a month's compliance.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use danjiang_ops::patrols::{
    self, DefectState, DueState, FoundDefect, NewPatrolRecord, PhotoUpload, RecordOutcome,
    RouteStop, StationCompliance, StoredDefect, StoredRecord,
};
use danjiang_patrol::{Defect, DueTask, PatrolRecord, Transition};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;
use utoipa::{IntoParams, ToSchema};

use crate::web::audit;
use crate::web::dates::{parse_day, parse_month, station_now};
use crate::web::error::ServerError;
use crate::web::paging::{ListPage, Paging};
use crate::web::state::AppState;

/// The largest record with photos accepted, bytes.
pub const RECORD_LIMIT: usize = 24 * 1024 * 1024;

/// The day lists are judged on when none is asked: the day of the newest patrol record (the
/// data's own "today"), or today when there are none.
pub async fn default_day(state: &AppState) -> Result<NaiveDate, ServerError> {
    let newest: Option<String> = sqlx::query("SELECT MAX(recorded_at) FROM patrol_records")
        .fetch_one(state.store.pool())
        .await?
        .try_get(0)?;
    Ok(newest
        .and_then(|t| NaiveDate::parse_from_str(t.get(..10)?, "%Y-%m-%d").ok())
        .unwrap_or_else(|| station_now().date()))
}

async fn day_or_default(state: &AppState, text: Option<&str>) -> Result<NaiveDate, ServerError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => parse_day(t, "date"),
        None => default_day(state).await,
    }
}

/// The due list's filters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DueParams {
    /// The day judged, `YYYY-MM-DD` (default: the day of the newest record).
    pub date: Option<String>,
    /// Only the tasks of this station or office.
    pub station: Option<String>,
    /// Only `overdue`, `due` or `upcoming` tasks.
    pub state: Option<String>,
    /// Items in the page, 1 to 1000 (default 100).
    pub limit: Option<i64>,
    /// Items skipped (default 0).
    pub offset: Option<i64>,
}

/// A page of the due list with the day it was judged on.
#[derive(Debug, Clone, Serialize)]
pub struct DueList {
    /// The day judged.
    pub date: NaiveDate,
    /// Overdue tasks (all, not only this page).
    pub overdue: usize,
    /// Tasks due that day.
    pub due: usize,
    /// The page.
    #[serde(flatten)]
    pub page: ListPage<DueTask>,
}

/// The due list of a filter.
pub async fn due_list(
    state: &AppState,
    params: &DueParams,
    paging: Paging,
) -> Result<DueList, ServerError> {
    let date = day_or_default(state, params.date.as_deref()).await?;
    let station = params.station.as_deref().filter(|s| !s.trim().is_empty());
    let wanted = match params
        .state
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some("overdue") => Some(DueState::Overdue),
        Some("due") => Some(DueState::Due),
        Some("upcoming") => Some(DueState::Upcoming),
        Some(other) => {
            return Err(ServerError::BadRequest(format!(
                "state: `{other}`; expected overdue, due or upcoming"
            )))
        }
    };
    let tasks = patrols::due_tasks(&state.store, date, station).await?;
    let overdue = tasks
        .iter()
        .filter(|t| t.state == DueState::Overdue)
        .count();
    let due = tasks.iter().filter(|t| t.state == DueState::Due).count();
    let tasks: Vec<DueTask> = tasks
        .into_iter()
        .filter(|t| wanted.is_none_or(|w| t.state == w))
        .collect();
    Ok(DueList {
        date,
        overdue,
        due,
        page: ListPage::of(tasks, paging),
    })
}

/// A page of patrol records, newest first.
pub async fn record_list(
    state: &AppState,
    asset: Option<&str>,
    paging: Paging,
) -> Result<ListPage<StoredRecord>, ServerError> {
    // One connection and three queries for the page: a query (and a pooled connection) per
    // record for its photos made lists wait behind the writers for connections.
    let asset = asset.unwrap_or("");
    let filter = "FROM patrol_records WHERE ($1 = '' OR asset_code = $1)";
    let page = format!("{filter} ORDER BY recorded_at DESC, id DESC LIMIT $2 OFFSET $3");
    let mut tx = state.store.pool().begin().await?;
    let rows = sqlx::query(&format!(
        "SELECT id, plan_id, asset_code, inspector, recorded_at, answers, findings, longitude, \
         latitude {page}"
    ))
    .bind(asset)
    .bind(paging.limit)
    .bind(paging.offset)
    .fetch_all(&mut *tx)
    .await?;
    let photo_rows = sqlx::query(&format!(
        "SELECT record_id, photo_hash FROM patrol_record_photos \
         WHERE record_id IN (SELECT id {page}) ORDER BY record_id, file_name"
    ))
    .bind(asset)
    .bind(paging.limit)
    .bind(paging.offset)
    .fetch_all(&mut *tx)
    .await?;
    let total: i64 = sqlx::query(&format!("SELECT COUNT(*) {filter}"))
        .bind(asset)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
    tx.commit().await?;
    let mut photos: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for row in &photo_rows {
        photos
            .entry(row.try_get(0)?)
            .or_default()
            .push(row.try_get(1)?);
    }
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: i64 = row.try_get(0)?;
        items.push(stored_record(row, photos.remove(&id).unwrap_or_default())?);
    }
    Ok(ListPage {
        total,
        paging,
        items,
    })
}

/// A record of a `patrol_records` row (id, plan, asset, inspector, time, answers, findings,
/// longitude, latitude) with its photos' hashes.
fn stored_record(row: &AnyRow, photos: Vec<String>) -> Result<StoredRecord, ServerError> {
    let at: String = row.try_get(4)?;
    let answers: String = row.try_get(5)?;
    let longitude: Option<f64> = row.try_get(7)?;
    let latitude: Option<f64> = row.try_get(8)?;
    let answers = serde_json::from_str(&answers).map_err(|e| {
        danjiang_ops::OpsError::Invalid(format!("stored checklist answers are unreadable: {e}"))
    })?;
    Ok(StoredRecord {
        id: row.try_get(0)?,
        record: PatrolRecord {
            plan: row.try_get(1)?,
            asset: row.try_get(2)?,
            inspector: row.try_get(3)?,
            time: patrols::parse_local(&at, "recorded_at")?,
            answers,
            findings: row.try_get(6)?,
            position: longitude.zip(latitude),
            photos,
        },
    })
}

/// A defect found on a patrol.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDefect {
    /// `minor`, `major` or `critical`.
    pub severity: String,
    /// What is wrong.
    pub description: String,
}

/// A patrol record to store.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRecord {
    /// Plan followed.
    pub plan: String,
    /// Asset visited.
    pub asset: String,
    /// Who patrolled (default: the logged-in user's name).
    #[serde(default)]
    pub inspector: Option<String>,
    /// When, local station time `YYYY-MM-DD HH:MM[:SS]`.
    pub time: String,
    /// Checklist answers: question (as on the plan's checklist) to yes or no.
    #[serde(default)]
    pub answers: BTreeMap<String, bool>,
    /// What was found, in words.
    #[serde(default)]
    pub findings: String,
    /// Where: [longitude, latitude] in degrees.
    #[serde(default)]
    pub position: Option<(f64, f64)>,
    /// Defects found, each opened with the record.
    #[serde(default)]
    pub defects: Vec<NewDefect>,
    /// Photos taken, stored by content hash.
    #[serde(default)]
    pub photos: Vec<NewPhoto>,
}

/// A photo sent with a record as JSON.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPhoto {
    /// The file name it came as (its extension gives the media type).
    pub file_name: String,
    /// The bytes, base64 (standard alphabet, padded).
    pub content_base64: String,
}

/// The photos of a record sent as JSON, decoded; a bad one is named by its index.
pub fn decode_photos(photos: &[NewPhoto]) -> Result<Vec<PhotoUpload>, ServerError> {
    use base64::Engine;
    photos
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if p.file_name.trim().is_empty() {
                return Err(ServerError::BadRequest(format!(
                    "photos[{i}].file_name: required, found nothing"
                )));
            }
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(p.content_base64.trim())
                .map_err(|e| {
                    ServerError::BadRequest(format!("photos[{i}].content_base64: not base64: {e}"))
                })?;
            if bytes.is_empty() {
                return Err(ServerError::BadRequest(format!(
                    "photos[{i}].content_base64: an empty photo"
                )));
            }
            Ok(PhotoUpload {
                file_name: p.file_name.trim().to_string(),
                bytes,
            })
        })
        .collect()
}

/// Turns a record as sent into the store's, with its photos.
pub fn to_record(
    record: &NewRecord,
    user_name: &str,
    photos: Vec<PhotoUpload>,
) -> Result<NewPatrolRecord, ServerError> {
    let time = patrols::parse_local(&record.time, "time")?;
    let defects = record
        .defects
        .iter()
        .enumerate()
        .map(|(i, d)| {
            Ok(FoundDefect {
                severity: patrols::parse_severity(&d.severity)
                    .map_err(|e| ServerError::BadRequest(format!("defects[{i}].severity: {e}")))?,
                description: d.description.clone(),
            })
        })
        .collect::<Result<Vec<_>, ServerError>>()?;
    Ok(NewPatrolRecord {
        plan: record.plan.trim().to_string(),
        asset: record.asset.trim().to_string(),
        inspector: record
            .inspector
            .clone()
            .filter(|i| !i.trim().is_empty())
            .unwrap_or_else(|| user_name.to_string()),
        time,
        answers: record.answers.clone(),
        findings: record.findings.clone(),
        position: record.position,
        photos,
        defects,
    })
}

/// Stores a record (operator), audited in the same transaction.
pub async fn store_record(
    state: &AppState,
    username: &str,
    record: &NewPatrolRecord,
) -> Result<RecordOutcome, ServerError> {
    let checked = patrols::check_patrols(&state.store, std::slice::from_ref(record)).await?;
    let mut tx = state.store.begin_write().await?;
    let mut outcomes = patrols::record_patrols_in(&mut tx, &checked).await?;
    let outcome = outcomes
        .pop()
        .ok_or_else(|| ServerError::BadRequest("no record was stored".into()))?;
    if outcome.new {
        let after = serde_json::json!({
            "plan": record.plan,
            "asset": record.asset,
            "inspector": record.inspector,
            "time": record.time.format("%Y-%m-%dT%H:%M:%S").to_string(),
            "answers": record.answers,
            "findings": record.findings,
            "position": record.position,
            "photos": outcome.photos,
            "defects": outcome.defects,
        });
        audit::record(
            &mut tx,
            username,
            "create",
            "patrol_record",
            &outcome.id.to_string(),
            None,
            Some(&after),
        )
        .await?;
    }
    tx.commit().await?;
    state.reports.clear_overview();
    Ok(outcome)
}

/// The defects of a filter, newest first.
pub async fn defect_list(
    state: &AppState,
    wanted: Option<&str>,
    asset: Option<&str>,
    paging: Paging,
) -> Result<ListPage<StoredDefect>, ServerError> {
    let wanted = wanted
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(patrols::parse_state)
        .transpose()?;
    let asset = asset.map(str::trim).filter(|s| !s.is_empty());
    let filter = DefectFilter {
        state: wanted.map(|s| s.to_string()).unwrap_or_default(),
        asset: asset.unwrap_or_default().to_string(),
    };
    defect_page(state, &filter, paging).await
}

/// Which defects a list shows (empty: any).
struct DefectFilter {
    state: String,
    asset: String,
}

/// The defects of a filter matched by `$1` (state) and `$2` (asset).
const DEFECT_FILTER: &str =
    "FROM defects WHERE ($1 = '' OR state = $1) AND ($2 = '' OR asset_code = $2)";

/// One page of defects with their histories, in three queries on one connection: reading every
/// defect by itself (two queries each, for every defect stored) slowed each list as patrols
/// added defects, to half a second under load.
async fn defect_page(
    state: &AppState,
    filter: &DefectFilter,
    paging: Paging,
) -> Result<ListPage<StoredDefect>, ServerError> {
    let mut tx = state.store.pool().begin().await?;
    let page = format!("{DEFECT_FILTER} ORDER BY id DESC LIMIT $3 OFFSET $4");
    let rows = sqlx::query(&format!(
        "SELECT id, asset_code, record_id, severity, description, state {page}"
    ))
    .bind(&filter.state)
    .bind(&filter.asset)
    .bind(paging.limit)
    .bind(paging.offset)
    .fetch_all(&mut *tx)
    .await?;
    let steps = sqlx::query(&format!(
        "SELECT defect_id, to_state, by_whom, at, note FROM defect_transitions \
         WHERE defect_id IN (SELECT id {page}) ORDER BY defect_id, step"
    ))
    .bind(&filter.state)
    .bind(&filter.asset)
    .bind(paging.limit)
    .bind(paging.offset)
    .fetch_all(&mut *tx)
    .await?;
    let total: i64 = sqlx::query(&format!("SELECT COUNT(*) {DEFECT_FILTER}"))
        .bind(&filter.state)
        .bind(&filter.asset)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
    tx.commit().await?;
    let mut histories: BTreeMap<String, Vec<Transition>> = BTreeMap::new();
    for step in &steps {
        let to: String = step.try_get(1)?;
        let at: String = step.try_get(3)?;
        histories
            .entry(step.try_get(0)?)
            .or_default()
            .push(Transition {
                state: patrols::parse_state(&to)?,
                by: step.try_get(2)?,
                at: patrols::parse_local(&at, "defect step time")?,
                note: step.try_get(4)?,
            });
    }
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: String = row.try_get(0)?;
        let severity: String = row.try_get(3)?;
        let current: String = row.try_get(5)?;
        items.push(StoredDefect {
            defect: Defect {
                history: histories.remove(&id).unwrap_or_default(),
                id,
                asset: row.try_get(1)?,
                severity: patrols::parse_severity(&severity)?,
                description: row.try_get(4)?,
            },
            state: patrols::parse_state(&current)?,
            record_id: row.try_get(2)?,
        });
    }
    Ok(ListPage {
        total,
        paging,
        items,
    })
}

/// One defect, or 404.
pub async fn find_defect(state: &AppState, id: &str) -> Result<StoredDefect, ServerError> {
    match patrols::defect(&state.store, id).await {
        Err(danjiang_ops::OpsError::Invalid(_)) => {
            Err(ServerError::NotFound(format!("defect `{id}`")))
        }
        other => Ok(other?),
    }
}

/// A step of a defect's life.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DefectStep {
    /// The state entered: assigned, repaired, verified or closed (or assigned again when a
    /// repair fails verification).
    pub state: String,
    /// When, local station time (default: now).
    #[serde(default)]
    pub at: Option<String>,
    /// What was done, or to whom it was given.
    #[serde(default)]
    pub note: String,
}

/// Moves a defect on (operator), recording who and when, audited in the same transaction; a
/// state the life cycle does not allow next is refused with 409.
pub async fn advance(
    state: &AppState,
    username: &str,
    id: &str,
    step: &DefectStep,
) -> Result<StoredDefect, ServerError> {
    let to = patrols::parse_state(step.state.trim())?;
    let at = match step.at.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        Some(text) => patrols::parse_local(text, "at")?,
        None => station_now(),
    };
    let before = find_defect(state, id).await?;
    if !before.state.next_allowed().contains(&to) {
        let allowed: Vec<String> = before
            .state
            .next_allowed()
            .iter()
            .map(|s| s.to_string())
            .collect();
        return Err(ServerError::Conflict(format!(
            "defect {id} is {}; it may go next to {}, not to {to}",
            before.state,
            if allowed.is_empty() {
                "no other state (it is closed)".to_string()
            } else {
                allowed.join(" or ")
            }
        )));
    }
    let mut tx = state.store.begin_write().await?;
    let after = patrols::advance_defect_in(&mut tx, id, to, username, at, &step.note).await?;
    let before_json = serde_json::to_value(&before).ok();
    let after_json = serde_json::to_value(&after).ok();
    audit::record(
        &mut tx,
        username,
        "update",
        "defect",
        id,
        before_json.as_ref(),
        after_json.as_ref(),
    )
    .await?;
    tx.commit().await?;
    state.reports.clear_overview();
    Ok(after)
}

/// A day's route.
#[derive(Debug, Clone, Serialize)]
pub struct DayRoute {
    /// The line.
    pub line: String,
    /// The day.
    pub date: NaiveDate,
    /// The stops, by chainage.
    pub stops: Vec<RouteStop>,
}

/// The route of a line on a day.
pub async fn day_route(
    state: &AppState,
    line: &str,
    date: Option<&str>,
) -> Result<DayRoute, ServerError> {
    let date = day_or_default(state, date).await?;
    let stops = patrols::route(&state.store, line, date).await?;
    Ok(DayRoute {
        line: line.to_string(),
        date,
        stops,
    })
}

/// A month's compliance.
#[derive(Debug, Clone, Serialize)]
pub struct MonthCompliance {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// The day it was judged on.
    pub as_of: NaiveDate,
    /// Per station: planned, done, late, missed, pending and the on-time share.
    pub stations: Vec<StationCompliance>,
}

/// The compliance of a month.
pub async fn month_compliance(
    state: &AppState,
    month: Option<&str>,
    as_of: Option<&str>,
) -> Result<MonthCompliance, ServerError> {
    let newest = default_day(state).await?;
    let (first, last) = match month.map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => parse_month(m, "month")?,
        None => parse_month(&newest.format("%Y-%m").to_string(), "month")?,
    };
    let as_of = match as_of.map(str::trim).filter(|a| !a.is_empty()) {
        Some(a) => parse_day(a, "as_of")?,
        None => last.min(newest.max(first)),
    };
    let stations = patrols::compliance(&state.store, first, as_of).await?;
    Ok(MonthCompliance {
        month: first.format("%Y-%m").to_string(),
        as_of,
        stations,
    })
}

/// The states a defect may be moved to next.
pub fn next_states(state: DefectState) -> &'static [DefectState] {
    state.next_allowed()
}
