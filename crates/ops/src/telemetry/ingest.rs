//! Batches of points: read from JSON or CSV (tall `tag,time,value[,quality][,unit]` or wide
//! `time,TAG1,TAG2,...`), checked whole against the register, and stored in one transaction with
//! their rollups and the tags' latest points.
//!
//! The JSON form is `{"points": [{"tag": "OUT15.FLOW", "time": "2026-12-07 13:00:00",
//! "value": 12.3, "quality": "good", "unit": "m3/s"}, ...]}` (or the bare array). `time` is local
//! station time `YYYY-MM-DD HH:MM[:SS]`, an RFC 3339 time with its offset, or a number of seconds
//! since 1970 UTC; `quality` (default `good`) and `unit` (checked against the tag's) may be left out.

use std::collections::{HashMap, HashSet};

use sqlx::{Any, AnyConnection, Row};

use super::register::{tags, Tag};
use super::{quantity, Quality, ROLLUP_STEPS};
use crate::calendar::{parse_station_time, TimeBounds};
use crate::csv_rows::CsvFile;
use crate::error::{OpsError, Result, RowError};
use crate::store::{Backend, Store};

/// Most points one batch may hold.
pub const MAX_POINTS_PER_BATCH: usize = 1_000_000;
/// Rows per INSERT statement of points: four values each, 32,000 parameters, under SQLite's
/// 32,766 and PostgreSQL's 65,535 (rollups go half as many a statement, at seven values).
const ROWS_PER_STATEMENT: usize = 8_000;

/// How a batch is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchFormat {
    /// JSON, see the module documentation.
    Json,
    /// CSV, tall or wide by its first column.
    Csv,
}

impl BatchFormat {
    /// The format of a file by its extension or a request by its content type.
    pub fn of(name_or_type: &str) -> Option<BatchFormat> {
        let text = name_or_type.to_ascii_lowercase();
        if text.ends_with(".json") || text.contains("json") {
            Some(BatchFormat::Json)
        } else if text.ends_with(".csv") || text.contains("csv") {
            Some(BatchFormat::Csv)
        } else {
            None
        }
    }
}

/// One point as read, with where it came from for messages.
#[derive(Debug, Clone)]
struct RawPoint {
    line: u64,
    /// The field prefix: `points[3].` in JSON, empty in CSV (whose fields are columns).
    at: String,
    tag: String,
    time: Option<i64>,
    value: f64,
    quality: Quality,
    unit: Option<String>,
}

/// A point as stored: the tag's number, local time s, value and quality.
pub type StoredPoint = (i64, i64, f64, Quality);

/// A batch checked against the register, ready to store.
#[derive(Debug, Clone, Default)]
pub struct CheckedPoints {
    /// (tag number, time s local, value, quality), each (tag, time) once.
    pub points: Vec<StoredPoint>,
    /// Points of the batch given twice with the same value.
    pub repeated: usize,
}

/// What storing a batch did.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct IngestSummary {
    /// Points in the batch.
    pub received: usize,
    /// Points stored now.
    pub stored: usize,
    /// Points already stored (or repeated in the batch), ignored.
    pub duplicates: usize,
    /// Alarms the batch raised (for the caller to notify), in the order raised per tag.
    pub alarms: Vec<super::alarms::Alarm>,
}

/// Reads, checks and stores a batch; nothing is stored when any point is wrong.
pub async fn ingest(
    store: &Store,
    source: &str,
    format: BatchFormat,
    bytes: &[u8],
) -> Result<IngestSummary> {
    let checked = check_points(store, source, format, bytes).await?;
    let mut tx = store.begin_write().await?;
    let summary = store_points_in(store.backend(), &mut tx, &checked).await?;
    tx.commit().await?;
    Ok(summary)
}

/// Reads and checks a batch against the register (before any write transaction opens).
pub async fn check_points(
    store: &Store,
    source: &str,
    format: BatchFormat,
    bytes: &[u8],
) -> Result<CheckedPoints> {
    check_points_within(store, source, format, bytes, MAX_POINTS_PER_BATCH).await
}

/// As [`check_points`], for batches of at most `max_points` points (and never more than
/// [`MAX_POINTS_PER_BATCH`]): a larger one is [`OpsError::TooLarge`].
pub async fn check_points_within(
    store: &Store,
    source: &str,
    format: BatchFormat,
    bytes: &[u8],
    max_points: usize,
) -> Result<CheckedPoints> {
    let rejected = |errors: Vec<RowError>| OpsError::Rejected {
        path: source.into(),
        errors,
    };
    let (raw, mut errors) = match format {
        BatchFormat::Json => read_json(bytes),
        BatchFormat::Csv => read_csv(bytes),
    }
    .map_err(rejected)?;
    let max_points = max_points.min(MAX_POINTS_PER_BATCH);
    if raw.len() > max_points {
        return Err(OpsError::TooLarge(format!(
            "{source}: {} points in one batch; at most {max_points}: send it in parts",
            raw.len()
        )));
    }
    let register: HashMap<String, Tag> = tags(store)
        .await?
        .into_iter()
        .map(|t| (t.code.clone(), t))
        .collect();
    let checked = check(&raw, &register, &TimeBounds::now(), &mut errors);
    if errors.is_empty() {
        Ok(checked)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(rejected(errors))
    }
}

/// Checks each point against its tag; repeated points with one value are kept once.
fn check(
    raw: &[RawPoint],
    register: &HashMap<String, Tag>,
    bounds: &TimeBounds,
    errors: &mut Vec<RowError>,
) -> CheckedPoints {
    let mut checked = CheckedPoints::default();
    let mut seen: HashMap<(&str, i64), (u64, f64)> = HashMap::new();
    for point in raw {
        let fail = |field: &str, reason: String| RowError {
            line: point.line,
            field: Some(format!("{}{field}", point.at)),
            reason,
        };
        let Some(tag) = register.get(&point.tag) else {
            errors.push(fail(
                "tag",
                format!("unknown tag `{}`; register it first", excerpt(&point.tag)),
            ));
            continue;
        };
        let Some(time) = point.time else { continue };
        if let Some(refusal) = bounds.refusal(time) {
            errors.push(fail("time", refusal));
            continue;
        }
        if let Some(unit) = &point.unit {
            if unit != &tag.unit {
                errors.push(fail(
                    "unit",
                    format!(
                        "`{}` is not the unit of {} ({}); convert the value",
                        excerpt(unit),
                        tag.code,
                        tag.unit
                    ),
                ));
                continue;
            }
        }
        if let Some(kind) = quantity(&tag.quantity) {
            let (low, high) = kind.range;
            if point.value < low || point.value > high {
                errors.push(fail(
                    "value",
                    format!(
                        "{} is outside the plausible {low}..{high} {} of {}",
                        point.value, tag.unit, kind.name
                    ),
                ));
                continue;
            }
        }
        match seen.get(&(point.tag.as_str(), time)) {
            Some(&(_, value)) if value == point.value => checked.repeated += 1,
            Some(&(line, value)) => errors.push(fail(
                "value",
                format!(
                    "{} at this time was given as {value} on line {line}",
                    point.tag
                ),
            )),
            None => {
                seen.insert((point.tag.as_str(), time), (point.line, point.value));
                checked
                    .points
                    .push((tag.id, time, point.value, point.quality));
            }
        }
    }
    checked
}

/// At most the first 40 characters of what was given, for messages.
fn excerpt(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

type Read = std::result::Result<(Vec<RawPoint>, Vec<RowError>), Vec<RowError>>;

fn read_json(bytes: &[u8]) -> Read {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let document: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        vec![RowError {
            line: e.line() as u64,
            field: None,
            reason: format!("not JSON: {e}"),
        }]
    })?;
    let (items, key) = match &document {
        serde_json::Value::Array(items) => (items, None),
        other => match other.get("points").and_then(|p| p.as_array()) {
            Some(items) => (items, Some("points")),
            None => {
                return Err(vec![RowError {
                    line: 1,
                    field: Some("points".into()),
                    reason: "expected {\"points\": [...]} or an array of points".into(),
                }])
            }
        },
    };
    let lines = std::str::from_utf8(bytes)
        .map(|text| crate::json_lines::element_lines(text, key))
        .unwrap_or_default();
    let mut points = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let line = lines.get(i).copied().unwrap_or(0);
        let at = format!("{}[{i}].", key.unwrap_or("points"));
        match json_point(item, line, &at) {
            Ok(point) => points.push(point),
            Err(mut bad) => errors.append(&mut bad),
        }
    }
    Ok((points, errors))
}

fn json_point(
    item: &serde_json::Value,
    line: u64,
    at: &str,
) -> std::result::Result<RawPoint, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut fail = |field: &str, reason: String| {
        errors.push(RowError {
            line,
            field: Some(format!("{at}{field}")),
            reason,
        })
    };
    let tag = item
        .get("tag")
        .and_then(|t| t.as_str())
        .unwrap_or("")
        .trim()
        .to_string();
    if tag.is_empty() {
        fail("tag", "required: the tag's code".into());
    }
    let time = match item.get("time") {
        Some(serde_json::Value::String(text)) => parse_station_time(text),
        Some(serde_json::Value::Number(n)) => n.as_f64().and_then(epoch_to_station),
        _ => None,
    };
    if time.is_none() {
        fail(
            "time",
            format!(
                "{}: expected YYYY-MM-DD HH:MM[:SS] (station time), RFC 3339 or seconds since 1970",
                item.get("time")
                    .map_or("nothing".to_string(), |t| excerpt(&t.to_string()))
            ),
        );
    }
    let value = match item.get("value") {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(text)) => text.trim().parse::<f64>().ok(),
        _ => None,
    };
    let value = match value {
        Some(v) if v.is_finite() => v,
        _ => {
            fail(
                "value",
                format!(
                    "{}: expected a finite number",
                    item.get("value")
                        .map_or("nothing".to_string(), |v| excerpt(&v.to_string()))
                ),
            );
            f64::NAN
        }
    };
    let quality = match item.get("quality") {
        None | Some(serde_json::Value::Null) => Some(Quality::Good),
        Some(serde_json::Value::String(text)) => Quality::parse(text),
        Some(serde_json::Value::Number(n)) => n
            .as_i64()
            .filter(|c| (0..=2).contains(c))
            .map(Quality::of_code),
        _ => None,
    };
    if quality.is_none() {
        fail("quality", "expected good, uncertain or bad".into());
    }
    let unit = item
        .get("unit")
        .and_then(|u| u.as_str())
        .map(|u| u.trim().to_string());
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(RawPoint {
        line,
        at: at.to_string(),
        tag,
        time,
        value,
        quality: quality.unwrap_or(Quality::Good),
        unit,
    })
}

/// Seconds (or milliseconds, when the number is that large) since 1970 UTC, as station time.
fn epoch_to_station(number: f64) -> Option<i64> {
    let seconds = if number.abs() > 1e11 {
        number / 1000.0
    } else {
        number
    };
    seconds
        .is_finite()
        .then(|| seconds.round() as i64 + crate::calendar::STATION_OFFSET_S)
}

fn read_csv(bytes: &[u8]) -> Read {
    let first = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(bytes)
        .split(|b| *b == b',' || *b == b'\n')
        .next()
        .map(|f| String::from_utf8_lossy(f).trim().to_ascii_lowercase())
        .unwrap_or_default();
    if first == "time" {
        read_wide_csv(bytes)
    } else {
        read_tall_csv(bytes)
    }
}

fn read_tall_csv(bytes: &[u8]) -> Read {
    let columns = ["tag", "time", "value", "quality", "unit"];
    let mut file = CsvFile::read(bytes, &columns[..3], &columns)?;
    let mut errors = std::mem::take(&mut file.errors);
    let mut points = Vec::with_capacity(file.records.len());
    for (line, record) in &file.records {
        let mut f = crate::csv_rows::Fields::new(&file, *line, record);
        let tag = f.required_text("tag");
        let time = station_time(&mut f, "time");
        let value = finite(&mut f, "value");
        let quality = Quality::parse(f.text("quality"));
        if quality.is_none() {
            f.fail("quality", "expected good, uncertain or bad");
        }
        let unit = f.optional_text("unit");
        if f.errors.is_empty() {
            if let (Some(value), Some(quality)) = (value, quality) {
                points.push(RawPoint {
                    line: *line,
                    at: String::new(),
                    tag,
                    time,
                    value,
                    quality,
                    unit,
                });
            }
        }
        errors.append(&mut f.errors);
    }
    Ok((points, errors))
}

/// `time,TAG1,TAG2,...`: one row a time, one column a tag; an empty cell is no point.
fn read_wide_csv(bytes: &[u8]) -> Read {
    let mut file = CsvFile::read_checked(bytes, tag_column_errors)?;
    let mut errors = std::mem::take(&mut file.errors);
    let mut points = Vec::new();
    for (line, record) in &file.records {
        let mut f = crate::csv_rows::Fields::new(&file, *line, record);
        let time = station_time(&mut f, "time");
        errors.append(&mut f.errors);
        if time.is_none() {
            continue;
        }
        for (tag, cell) in file.header[1..].iter().zip(record.iter().skip(1)) {
            if cell.is_empty() {
                continue;
            }
            match cell.parse::<f64>() {
                Ok(value) if value.is_finite() => points.push(RawPoint {
                    line: *line,
                    at: String::new(),
                    tag: tag.clone(),
                    time,
                    value,
                    quality: Quality::Good,
                    unit: None,
                }),
                _ => errors.push(RowError {
                    line: *line,
                    field: Some(tag.clone()),
                    reason: format!("`{}` is not a finite number", excerpt(cell)),
                }),
            }
        }
    }
    Ok((points, errors))
}

/// A wide file's header: `time`, then each tag's column named once.
fn tag_column_errors(header: &[String]) -> Vec<RowError> {
    let mut once = HashSet::new();
    header[1..]
        .iter()
        .filter(|column| column.is_empty() || !once.insert(column.as_str()))
        .map(|column| RowError {
            line: 1,
            field: Some(column.clone()),
            reason: "a tag column must be named, once".into(),
        })
        .collect()
}

fn station_time(f: &mut crate::csv_rows::Fields, name: &str) -> Option<i64> {
    let text = f.text(name);
    let time = parse_station_time(text);
    if time.is_none() {
        let shown = excerpt(text);
        f.fail(name, format!("`{shown}` is not a date-time; expected YYYY-MM-DD HH:MM[:SS] (station time) or RFC 3339"));
    }
    time
}

fn finite(f: &mut crate::csv_rows::Fields, name: &str) -> Option<f64> {
    if f.text(name).is_empty() {
        f.fail(name, "required number, found nothing");
        return None;
    }
    f.number(name, true)
}

/// Stores checked points in `tx`: new points, their rollups, the alarms they raise or clear
/// and the tags' latest points.
pub async fn store_points_in(
    backend: Backend,
    tx: &mut sqlx::Transaction<'static, Any>,
    checked: &CheckedPoints,
) -> Result<IngestSummary> {
    // Every write goes in key order, so two batches writing at once (PostgreSQL) take their
    // row locks in one order and wait for each other instead of deadlocking.
    let mut points = checked.points.clone();
    points.sort_unstable_by_key(|(tag, at, _, _)| (*tag, *at));
    let mut stored: Vec<StoredPoint> = Vec::with_capacity(points.len());
    for chunk in points.chunks(ROWS_PER_STATEMENT) {
        insert_points(backend, tx, chunk, &mut stored).await?;
    }
    update_rollups(backend, tx, &stored).await?;
    let alarms = super::alarms::evaluate_in(backend, tx, &stored).await?;
    update_latest(backend, tx, &stored).await?;
    Ok(IngestSummary {
        received: checked.points.len() + checked.repeated,
        stored: stored.len(),
        duplicates: checked.points.len() + checked.repeated - stored.len(),
        alarms,
    })
}

/// Inserts points, skipping those stored before, and collects the ones inserted.
async fn insert_points(
    backend: Backend,
    connection: &mut AnyConnection,
    chunk: &[StoredPoint],
    stored: &mut Vec<StoredPoint>,
) -> Result<()> {
    let sql = format!(
        "INSERT INTO points (tag_id, at, value, quality) VALUES {} \
         ON CONFLICT (tag_id, at) DO NOTHING RETURNING tag_id, at, value, quality",
        crate::import::placeholders(backend, chunk.len(), 4)
    );
    let mut query = sqlx::query(&sql);
    for (tag, at, value, quality) in chunk {
        query = query.bind(*tag).bind(*at).bind(*value).bind(quality.code());
    }
    for row in query.fetch_all(&mut *connection).await? {
        stored.push((
            row.try_get(0)?,
            row.try_get(1)?,
            row.try_get(2)?,
            Quality::of_code(row.try_get(3)?),
        ));
    }
    Ok(())
}

/// Count, total, smallest and largest of the points of one bucket.
#[derive(Debug, Clone, Copy)]
struct Rollup {
    count: i64,
    total: f64,
    minimum: f64,
    maximum: f64,
}

async fn update_rollups(
    backend: Backend,
    connection: &mut AnyConnection,
    stored: &[StoredPoint],
) -> Result<()> {
    let mut buckets: HashMap<(i64, i64, i64), Rollup> = HashMap::new();
    for (tag, at, value, quality) in stored {
        if *quality == Quality::Bad {
            continue;
        }
        for step in ROLLUP_STEPS {
            let bucket = at - at.rem_euclid(step);
            buckets
                .entry((*tag, step, bucket))
                .and_modify(|r| {
                    r.count += 1;
                    r.total += value;
                    r.minimum = r.minimum.min(*value);
                    r.maximum = r.maximum.max(*value);
                })
                .or_insert(Rollup {
                    count: 1,
                    total: *value,
                    minimum: *value,
                    maximum: *value,
                });
        }
    }
    let (smaller, larger) = match backend {
        Backend::Sqlite => ("MIN", "MAX"),
        Backend::Postgres => ("LEAST", "GREATEST"),
    };
    let mut rows: Vec<_> = buckets.into_iter().collect();
    rows.sort_unstable_by_key(|(key, _)| *key);
    for chunk in rows.chunks(ROWS_PER_STATEMENT / 2) {
        let sql = format!(
            "INSERT INTO point_rollups (tag_id, step_s, bucket, count, total, minimum, maximum) \
             VALUES {} ON CONFLICT (tag_id, step_s, bucket) DO UPDATE SET \
             count = point_rollups.count + excluded.count, \
             total = point_rollups.total + excluded.total, \
             minimum = {smaller}(point_rollups.minimum, excluded.minimum), \
             maximum = {larger}(point_rollups.maximum, excluded.maximum)",
            crate::import::placeholders(backend, chunk.len(), 7)
        );
        let mut query = sqlx::query(&sql);
        for ((tag, step, bucket), r) in chunk {
            query = query
                .bind(*tag)
                .bind(*step)
                .bind(*bucket)
                .bind(r.count)
                .bind(r.total)
                .bind(r.minimum)
                .bind(r.maximum);
        }
        query.execute(&mut *connection).await?;
    }
    Ok(())
}

async fn update_latest(
    backend: Backend,
    connection: &mut AnyConnection,
    stored: &[StoredPoint],
) -> Result<()> {
    let mut newest: HashMap<i64, (i64, f64, Quality)> = HashMap::new();
    for (tag, at, value, quality) in stored {
        let entry = newest.entry(*tag).or_insert((*at, *value, *quality));
        if *at > entry.0 {
            *entry = (*at, *value, *quality);
        }
    }
    let mut rows: Vec<_> = newest.into_iter().collect();
    rows.sort_unstable_by_key(|(tag, _)| *tag);
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO tag_latest (tag_id, at, value, quality) VALUES {} \
             ON CONFLICT (tag_id) DO UPDATE SET at = excluded.at, value = excluded.value, \
             quality = excluded.quality WHERE excluded.at > tag_latest.at",
            crate::import::placeholders(backend, chunk.len(), 4)
        );
        let mut query = sqlx::query(&sql);
        for (tag, (at, value, quality)) in chunk {
            query = query.bind(*tag).bind(*at).bind(*value).bind(quality.code());
        }
        query.execute(&mut *connection).await?;
    }
    Ok(())
}
