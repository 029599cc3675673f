//! What the live pages and the tags API read: each tag with its latest point, age and
//! staleness, and a tag's series over a time range at a step, from rollups for long ranges.

use danjiang_ops::calendar::{format_local_time, parse_station_time, STATION_OFFSET_S};
use danjiang_ops::telemetry::{self, Quality, SeriesQuery, Tag};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::web::error::{Result, ServerError};
use crate::web::state::AppState;

/// A tag is stale when its latest point is older than this many expected intervals (one
/// expected point missed, with room for the time a point takes to arrive).
pub const STALE_INTERVALS: i64 = 2;
/// Most points one series answer may hold.
pub const MAX_SERIES_POINTS: i64 = 100_000;
/// Points a series is read at when no step is asked for.
pub const PICKED_POINTS: usize = 1_000;

/// The station clock now, s since 1970-01-01 station time (as points are stored).
pub fn station_seconds() -> i64 {
    chrono::Utc::now().timestamp() + STATION_OFFSET_S
}

/// A tag's latest point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LatestPoint {
    /// Station time (UTC+8), `YYYY-MM-DD HH:MM:SS`.
    pub time: String,
    /// The value, in the tag's unit.
    pub value: f64,
    /// `good`, `uncertain` or `bad`.
    #[schema(value_type = String, example = "good")]
    pub quality: Quality,
}

/// A tag as the live pages show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TagNow {
    /// The tag's code.
    pub code: String,
    /// What it is, in words.
    pub name: String,
    /// The quantity measured.
    pub quantity: String,
    /// The unit of its values.
    pub unit: String,
    /// The asset it is on.
    pub asset: Option<String>,
    /// How often a point is expected, s.
    pub interval_s: i64,
    /// The latest point, if any arrived.
    pub latest: Option<LatestPoint>,
    /// Seconds since the latest point (by the station clock).
    pub age_s: Option<i64>,
    /// No point for more than twice the expected interval (or none ever).
    pub stale: bool,
}

/// Every tag with its latest point, age and staleness at `now` (station s), by code.
pub async fn tags_now(state: &AppState, now: i64) -> Result<Vec<TagNow>> {
    let tags = telemetry::tags(&state.store).await?;
    let latest = telemetry::latest(&state.store).await?;
    let mut by_code: std::collections::HashMap<&str, &telemetry::Latest> =
        latest.iter().map(|l| (l.tag.as_str(), l)).collect();
    Ok(tags
        .into_iter()
        .map(|tag| {
            let point = by_code.remove(tag.code.as_str());
            tag_now(tag, point, now)
        })
        .collect())
}

fn tag_now(tag: Tag, point: Option<&telemetry::Latest>, now: i64) -> TagNow {
    let age_s = point.map(|p| (now - p.at).max(0));
    let stale = age_s.is_none_or(|age| age > STALE_INTERVALS * tag.interval_s.max(1));
    TagNow {
        latest: point.map(|p| LatestPoint {
            time: format_local_time(p.at),
            value: p.value,
            quality: p.quality,
        }),
        age_s,
        stale,
        code: tag.code,
        name: tag.name,
        quantity: tag.quantity,
        unit: tag.unit,
        asset: tag.asset,
        interval_s: tag.interval_s,
    }
}

/// Which part of a tag's series to read.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PointsParams {
    /// From (inclusive), station time `YYYY-MM-DD HH:MM[:SS]` or RFC 3339; default 24 h
    /// before `to`.
    pub from: Option<String>,
    /// To (exclusive), as `from`; default now.
    pub to: Option<String>,
    /// Step, s: 0 for the raw points, 60, 900 or 3600 for the rollups of a minute, a quarter
    /// hour or an hour (any whole number of minutes merges them); left out, the step giving at
    /// most 1,000 points (raw points when the range holds so few).
    pub step: Option<i64>,
}

/// One point of a series: a raw point (count 1) or a bucket's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SeriesValue {
    /// The point's time or its bucket's start, station time.
    pub time: String,
    /// Mean over the bucket (the value of a raw point).
    pub mean: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Points in the bucket.
    pub count: i64,
}

/// A tag's series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TagSeries {
    /// The tag's code.
    pub tag: String,
    /// The unit of the values.
    pub unit: String,
    /// From, station time.
    pub from: String,
    /// To, station time.
    pub to: String,
    /// The step read, s; 0 for raw points.
    pub step_s: i64,
    /// The points, oldest first; bad-quality points are left out.
    pub points: Vec<SeriesValue>,
}

/// A time of the query, or its default.
fn time_of(text: Option<&str>, field: &str, default: i64) -> Result<i64> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(default),
        Some(text) => parse_station_time(text).ok_or_else(|| {
            ServerError::BadRequest(format!(
                "{field}: `{text}` is not a time; expected YYYY-MM-DD HH:MM[:SS] (station time) or RFC 3339"
            ))
        }),
    }
}

/// The range of a points query: (from, to), station s.
pub fn range_of(params: &PointsParams, now: i64) -> Result<(i64, i64)> {
    let to = time_of(params.to.as_deref(), "to", now)?;
    let from = time_of(params.from.as_deref(), "from", to - 86_400)?;
    if to <= from {
        return Err(ServerError::BadRequest(
            "to must come after from".to_string(),
        ));
    }
    Ok((from, to))
}

/// The register entry of `code`, or not found.
pub async fn tag_of(state: &AppState, code: &str) -> Result<Tag> {
    telemetry::tags(&state.store)
        .await?
        .into_iter()
        .find(|t| t.code == code)
        .ok_or_else(|| ServerError::NotFound(format!("tag `{code}`")))
}

/// The series of `tag` from `from` to `to` at `step` (see [`PointsParams::step`]), at most
/// `picked` points when the step is picked; more than [`MAX_SERIES_POINTS`] is refused.
pub async fn read_series(
    state: &AppState,
    tag: &Tag,
    (from, to): (i64, i64),
    step: Option<i64>,
    picked: usize,
) -> Result<telemetry::Series> {
    if let Some(step) = step {
        let read_at = if step < 60 {
            tag.interval_s.max(1)
        } else {
            step
        };
        if step < 0 || (to - from) / read_at > MAX_SERIES_POINTS {
            return Err(ServerError::OverLimit(format!(
                "step {step} s over this range gives more than {MAX_SERIES_POINTS} points; \
                 ask for a longer step or a shorter range"
            )));
        }
    }
    let query = SeriesQuery {
        tag: tag.code.clone(),
        from,
        to,
        step,
        max_points: picked,
    };
    Ok(telemetry::series(&state.store, &query).await?)
}

/// [`read_series`] as the API answers it.
pub async fn series_of(
    state: &AppState,
    tag: &Tag,
    range: (i64, i64),
    step: Option<i64>,
    picked: usize,
) -> Result<TagSeries> {
    let series = read_series(state, tag, range, step, picked).await?;
    Ok(TagSeries {
        tag: tag.code.clone(),
        unit: tag.unit.clone(),
        from: format_local_time(range.0),
        to: format_local_time(range.1),
        step_s: series.step,
        points: series
            .points
            .iter()
            .map(|p| SeriesValue {
                time: format_local_time(p.at),
                mean: p.mean,
                min: p.min,
                max: p.max,
                count: p.count,
            })
            .collect(),
    })
}

/// A value as the pages write it: at most three decimals, no trailing zeros.
pub fn shown_value(value: f64) -> String {
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_three_decimals_without_trailing_zeros() {
        assert_eq!(shown_value(12.5), "12.5");
        assert_eq!(shown_value(100.0), "100");
        assert_eq!(shown_value(0.12345), "0.123");
        assert_eq!(shown_value(-0.0001), "0");
    }

    #[test]
    fn a_range_defaults_to_the_last_day_and_must_run_forward() {
        let params = PointsParams::default();
        assert_eq!(range_of(&params, 200_000).unwrap(), (113_600, 200_000));
        let backwards = PointsParams {
            from: Some("2026-01-02 00:00".into()),
            to: Some("2026-01-01 00:00".into()),
            step: None,
        };
        assert!(range_of(&backwards, 0).is_err());
        let unreadable = PointsParams {
            from: Some("yesterday".into()),
            ..PointsParams::default()
        };
        assert!(range_of(&unreadable, 0).is_err());
    }
}
