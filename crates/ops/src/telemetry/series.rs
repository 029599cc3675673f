//! Reading telemetry: each tag's latest point, a series over any time range read from the raw
//! points when they are few and from the rollups otherwise (a year's chart never reads a year of
//! raw points), and retention of raw points.

use std::collections::HashMap;

use sqlx::Row;

use super::{Quality, ROLLUP_STEPS};
use crate::error::{OpsError, Result};
use crate::store::Store;

/// A tag's latest point.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Latest {
    /// The tag.
    pub tag: String,
    /// Local station time, s.
    pub at: i64,
    /// The value, in the tag's unit.
    pub value: f64,
    /// Its quality.
    pub quality: Quality,
}

/// Every tag's latest point, by tag code.
pub async fn latest(store: &Store) -> Result<Vec<Latest>> {
    let rows = sqlx::query(
        "SELECT tags.code, tag_latest.at, tag_latest.value, tag_latest.quality FROM tag_latest \
         JOIN tags ON tags.id = tag_latest.tag_id ORDER BY tags.code",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Latest {
                tag: row.try_get(0)?,
                at: row.try_get(1)?,
                value: row.try_get(2)?,
                quality: Quality::of_code(row.try_get(3)?),
            })
        })
        .collect()
}

/// What series to read.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesQuery {
    /// The tag.
    pub tag: String,
    /// From this local time, s (inclusive).
    pub from: i64,
    /// To this local time, s (exclusive).
    pub to: i64,
    /// The step wanted, s; `None` picks one giving at most `max_points`.
    pub step: Option<i64>,
    /// Most points returned when the step is picked.
    pub max_points: usize,
}

/// One point of a series: a raw point (count 1) or a bucket's figures.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SeriesPoint {
    /// Start of the bucket (or the point's time), local s.
    pub at: i64,
    /// Mean over the bucket.
    pub mean: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Points in the bucket.
    pub count: i64,
}

/// A series and the step it was read at (0 for raw points).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Series {
    /// The tag.
    pub tag: String,
    /// The step, s; 0 when these are the raw points.
    pub step: i64,
    /// The points, oldest first.
    pub points: Vec<SeriesPoint>,
}

/// Reads a series. Raw points when the range holds at most `max_points` of them at the tag's
/// interval (or a step below a minute is asked for); otherwise buckets from the finest rollup that
/// gives few enough, merged in the database into coarser buckets where even hours are too many.
pub async fn series(store: &Store, query: &SeriesQuery) -> Result<Series> {
    if query.to <= query.from {
        return Err(OpsError::Invalid(format!(
            "the series ends ({}) before it starts ({}); give `to` after `from`",
            query.to, query.from
        )));
    }
    let (id, interval): (i64, i64) = sqlx::query("SELECT id, interval_s FROM tags WHERE code = $1")
        .bind(query.tag.as_str())
        .fetch_optional(store.pool())
        .await?
        .map(|row| Ok::<_, sqlx::Error>((row.try_get(0)?, row.try_get(1)?)))
        .transpose()?
        .ok_or_else(|| OpsError::NotFound(format!("tag `{}`", query.tag)))?;
    let span = query.to - query.from;
    let max_points = query.max_points.max(1) as i64;
    let step = match query.step {
        Some(step) if step < ROLLUP_STEPS[0] => 0,
        Some(step) => step,
        None if span / interval.max(1) <= max_points => 0,
        None => picked_step(span, max_points),
    };
    let points = if step == 0 {
        raw_points(store, id, query).await?
    } else {
        bucketed(store, id, query, step).await?
    };
    Ok(Series {
        tag: query.tag.clone(),
        step: if step == 0 { 0 } else { bucket_step(step) },
        points,
    })
}

/// Steps a picked series is read at, s: from a minute to a week.
const NICE_STEPS: [i64; 12] = [
    60, 300, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800,
];

/// The step a wanted step is read at: a whole number of minutes, at least one.
fn bucket_step(wanted: i64) -> i64 {
    let minute = ROLLUP_STEPS[0];
    ((wanted + minute - 1) / minute).max(1) * minute
}

/// The step picked for at most `max_points` over `span`: the first nice step that gives few
/// enough, then whole weeks.
fn picked_step(span: i64, max_points: i64) -> i64 {
    let wanted = (span + max_points - 1) / max_points;
    NICE_STEPS
        .iter()
        .copied()
        .find(|&step| step >= wanted)
        .unwrap_or_else(|| (wanted + 604_799) / 604_800 * 604_800)
}

async fn raw_points(store: &Store, id: i64, query: &SeriesQuery) -> Result<Vec<SeriesPoint>> {
    let rows = sqlx::query(
        "SELECT at, value FROM points WHERE tag_id = $1 AND at >= $2 AND at < $3 AND quality < 2 \
         ORDER BY at",
    )
    .bind(id)
    .bind(query.from)
    .bind(query.to)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let value: f64 = row.try_get(1)?;
            Ok(SeriesPoint {
                at: row.try_get(0)?,
                mean: value,
                min: value,
                max: value,
                count: 1,
            })
        })
        .collect()
}

async fn bucketed(
    store: &Store,
    id: i64,
    query: &SeriesQuery,
    wanted: i64,
) -> Result<Vec<SeriesPoint>> {
    let step = bucket_step(wanted);
    let source = ROLLUP_STEPS
        .iter()
        .rev()
        .find(|&&s| step % s == 0)
        .copied()
        .unwrap_or(ROLLUP_STEPS[0]);
    // Buckets of `source` merged into buckets of `step` (the same when they are equal).
    let rows = sqlx::query(
        "SELECT bucket - ((bucket % $1) + $1) % $1 AS start, CAST(SUM(count) AS BIGINT), SUM(total), MIN(minimum), \
         MAX(maximum) FROM point_rollups WHERE tag_id = $2 AND step_s = $3 AND bucket >= $4 \
         AND bucket < $5 GROUP BY start ORDER BY start",
    )
    .bind(step)
    .bind(id)
    .bind(source)
    .bind(query.from - query.from.rem_euclid(step))
    .bind(query.to)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let count: i64 = row.try_get(1)?;
            let total: f64 = row.try_get(2)?;
            Ok(SeriesPoint {
                at: row.try_get(0)?,
                mean: total / count.max(1) as f64,
                min: row.try_get(3)?,
                max: row.try_get(4)?,
                count,
            })
        })
        .collect()
}

/// Every tag's buckets of one rollup step (`ROLLUP_STEPS`) from `from` (inclusive) to `to`
/// (exclusive), oldest first, by tag code: one query for a page of sparklines.
pub async fn rollups_of_every_tag(
    store: &Store,
    step: i64,
    from: i64,
    to: i64,
) -> Result<HashMap<String, Vec<SeriesPoint>>> {
    if !ROLLUP_STEPS.contains(&step) {
        return Err(OpsError::Invalid(format!(
            "step {step} s: expected one of the rollup steps {ROLLUP_STEPS:?}"
        )));
    }
    let rows = sqlx::query(
        "SELECT tags.code, bucket, count, total, minimum, maximum FROM point_rollups \
         JOIN tags ON tags.id = point_rollups.tag_id \
         WHERE step_s = $1 AND bucket >= $2 AND bucket < $3 ORDER BY tags.code, bucket",
    )
    .bind(step)
    .bind(from - from.rem_euclid(step))
    .bind(to)
    .fetch_all(store.pool())
    .await?;
    let mut series: HashMap<String, Vec<SeriesPoint>> = HashMap::new();
    for row in &rows {
        let count: i64 = row.try_get(2)?;
        let total: f64 = row.try_get(3)?;
        series
            .entry(row.try_get(0)?)
            .or_default()
            .push(SeriesPoint {
                at: row.try_get(1)?,
                mean: total / count.max(1) as f64,
                min: row.try_get(4)?,
                max: row.try_get(5)?,
                count,
            });
    }
    Ok(series)
}

/// The start of the first and of the last hour holding a rolled-up point of `tag`, or `None`
/// when it has none (read from the hourly rollups, so cheap for any history).
pub async fn extent(store: &Store, tag: &str) -> Result<Option<(i64, i64)>> {
    let row = sqlx::query(
        "SELECT MIN(bucket), MAX(bucket) FROM point_rollups WHERE step_s = $1 \
         AND tag_id = (SELECT id FROM tags WHERE code = $2)",
    )
    .bind(ROLLUP_STEPS[2])
    .bind(tag)
    .fetch_one(store.pool())
    .await?;
    let first: Option<i64> = row.try_get(0)?;
    let last: Option<i64> = row.try_get(1)?;
    Ok(first.zip(last))
}

/// Deletes raw points older than their tag's retention, counted back from `now` (local s);
/// rollups and latest points stay. Returns the points deleted.
pub async fn prune(store: &Store, now: i64) -> Result<u64> {
    let mut tx = store.begin_write().await?;
    let done = sqlx::query(
        "DELETE FROM points WHERE at < $1 - (SELECT retention_days FROM tags \
         WHERE tags.id = points.tag_id) * 86400",
    )
    .bind(now)
    .execute(&mut **tx)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected())
}
