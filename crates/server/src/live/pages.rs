//! The live pages: every tag's current value with its age, quality and a sparkline of the last
//! 24 h, kept fresh by `live.js` polling `GET /api/v1/tags`; and a tag's page with its chart over
//! a range from the last hour to all of its history, read from rollups.

use axum::extract::{Path, Query, State};
use danjiang_drawing::chart::Series;
use danjiang_ops::telemetry::{self, Quality, ROLLUP_STEPS};
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

use super::readings::{
    read_series, shown_value, station_seconds, tag_of, tags_now, TagNow, STALE_INTERVALS,
};
use crate::web::charts::{sparkline, timeline, TimeWords};
use crate::web::error::ServerError;
use crate::web::layout::frame;
use crate::web::page::{Ctx, PageError, PageOf, ViewerPage};
use crate::web::state::AppState;

/// Seconds between two refreshes of the live page.
pub const REFRESH_SECONDS: u32 = 5;
/// Points a tag page's chart is drawn with at most.
const CHART_POINTS: usize = 720;

const LIVE_STYLE: &str = "\
table.live td.value { font-weight: 600; }\
table.live tr.stale td { color: var(--muted); }\
.quality, .stale-flag { display: inline-block; padding: 0 .35rem; border-radius: 3px; font-size: .85em; }\
.q-good { background: #dcfce7; } .q-uncertain { background: #fef08a; } .q-bad { background: #fecaca; }\
.stale-flag { background: #e5e7eb; }\
svg.sparkline { color: var(--accent); vertical-align: middle; }\
nav.ranges { display: flex; gap: .4rem; flex-wrap: wrap; margin: .6rem 0; }\
nav.ranges a { padding: .2rem .6rem; border: 1px solid var(--line); border-radius: 4px; text-decoration: none; background: #fff; }\
nav.ranges a.here { background: var(--accent); color: #fff; border-color: var(--accent); }\
dl.tag { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }\
dl.tag dt { color: var(--muted); } dl.tag dd { margin: 0; }\
";

fn style() -> Markup {
    html! { style { (PreEscaped(LIVE_STYLE)) } }
}

/// An age or a step in the page's words: seconds, minutes, hours or days.
pub fn duration_words(ctx: &Ctx, seconds: i64) -> String {
    let (count, key) = match seconds {
        s if s < 120 => (s, "live.unit_s"),
        s if s < 7_200 => (s / 60, "live.unit_min"),
        s if s < 172_800 => (s / 3_600, "live.unit_h"),
        s => (s / 86_400, "live.unit_d"),
    };
    format!("{count} {}", ctx.t(key))
}

fn quality_key(quality: Quality) -> &'static str {
    match quality {
        Quality::Good => "live.quality_good",
        Quality::Uncertain => "live.quality_uncertain",
        Quality::Bad => "live.quality_bad",
    }
}

fn quality_class(quality: Quality) -> &'static str {
    match quality {
        Quality::Good => "quality q-good",
        Quality::Uncertain => "quality q-uncertain",
        Quality::Bad => "quality q-bad",
    }
}

/// A path segment with everything but unreserved characters percent-encoded.
fn segment(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The link to a tag's page.
pub fn tag_path(code: &str) -> String {
    format!("/live/tags/{}", segment(code))
}

/// `GET /live`: every tag's current value, age, quality and last 24 h.
pub async fn live(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
) -> Result<Markup, PageError> {
    let now = station_seconds();
    let tags = tags_now(&state, now).await?;
    let day = telemetry::rollups_of_every_tag(&state.store, ROLLUP_STEPS[1], now - 86_400, now + 1)
        .await?;
    let stale_note = ctx
        .t("live.stale_note")
        .replace("{intervals}", &STALE_INTERVALS.to_string());
    let body = html! {
        (style())
        p.note { (ctx.t("live.intro")) " " (stale_note) }
        @if tags.is_empty() {
            p.notice { (ctx.t("live.no_tags")) }
        } @else {
            table.live #live-tags data-refresh="/api/v1/tags" data-seconds=(REFRESH_SECONDS)
                data-good=(ctx.t("live.quality_good")) data-uncertain=(ctx.t("live.quality_uncertain"))
                data-bad=(ctx.t("live.quality_bad")) data-stale=(ctx.t("live.stale"))
                data-unit-s=(ctx.t("live.unit_s")) data-unit-min=(ctx.t("live.unit_min"))
                data-unit-h=(ctx.t("live.unit_h")) data-unit-d=(ctx.t("live.unit_d")) {
                thead { tr {
                    th { (ctx.t("live.tag")) } th { (ctx.t("live.name")) }
                    th.num { (ctx.t("live.value")) } th { (ctx.t("live.unit")) }
                    th { (ctx.t("live.time")) } th.num { (ctx.t("live.age")) }
                    th { (ctx.t("live.quality")) } th { (ctx.t("live.last_day")) }
                } }
                tbody {
                    @for tag in &tags {
                        (tag_row(&ctx, tag, day.get(&tag.code).map(Vec::as_slice).unwrap_or(&[])))
                    }
                }
            }
            p.note #live-status { (ctx.t("live.refresh").replace("{seconds}", &REFRESH_SECONDS.to_string())) }
        }
        script src="/static/live.js" defer {}
    };
    Ok(frame(&ctx, ctx.t("live.title"), body))
}

fn tag_row(ctx: &Ctx, tag: &TagNow, day: &[telemetry::SeriesPoint]) -> Markup {
    let values: Vec<(f64, f64)> = day.iter().map(|p| (p.at as f64, p.mean)).collect();
    let label = format!("{} · {}", tag.code, ctx.t("live.last_day"));
    html! {
        tr data-tag=(tag.code) class=[tag.stale.then_some("stale")] {
            td { a href=(tag_path(&tag.code)) { (tag.code) } }
            td { (tag.name) }
            td.num.value { @if let Some(p) = &tag.latest { (shown_value(p.value)) } @else { "–" } }
            td { (tag.unit) }
            td.time { @if let Some(p) = &tag.latest { (p.time) } @else { "–" } }
            td.num.age { @if let Some(age) = tag.age_s { (duration_words(ctx, age)) } @else { "–" } }
            td {
                span class=(tag.latest.as_ref().map_or("quality", |p| quality_class(p.quality))) {
                    @if let Some(p) = &tag.latest { (ctx.t(quality_key(p.quality))) }
                }
                " "
                span.stale-flag hidden[!tag.stale] { (ctx.t("live.stale")) }
            }
            td { (sparkline(&label, &values)) }
        }
    }
}

/// The ranges of a tag page: its query value, text key and length, s (0 for all).
pub const RANGES: [(&str, &str, i64); 7] = [
    ("1h", "live.range_1h", 3_600),
    ("6h", "live.range_6h", 21_600),
    ("24h", "live.range_24h", 86_400),
    ("7d", "live.range_7d", 604_800),
    ("30d", "live.range_30d", 2_592_000),
    ("1y", "live.range_1y", 31_536_000),
    ("all", "live.range_all", 0),
];

/// A tag page's query.
#[derive(Debug, Deserialize)]
pub struct RangeQuery {
    /// One of [`RANGES`]' values; 24 h by default.
    pub range: Option<String>,
}

/// The range asked for: its value and (from, to) station s.
async fn range_asked(
    state: &AppState,
    code: &str,
    asked: Option<&str>,
    now: i64,
) -> Result<(&'static str, (i64, i64)), ServerError> {
    let asked = asked.filter(|a| !a.is_empty()).unwrap_or("24h");
    let Some(&(name, _, length)) = RANGES.iter().find(|(name, _, _)| *name == asked) else {
        let names: Vec<&str> = RANGES.iter().map(|r| r.0).collect();
        return Err(ServerError::BadRequest(format!(
            "range `{asked}`: expected one of {}",
            names.join(", ")
        )));
    };
    if length > 0 {
        return Ok((name, (now - length, now)));
    }
    let hour = ROLLUP_STEPS[2];
    let whole = match telemetry::extent(&state.store, code).await? {
        Some((first, last)) => (first, (last + hour).max(now)),
        None => (now - 86_400, now),
    };
    Ok((name, whole))
}

/// `GET /live/tags/{code}`: a tag's register entry, latest point and chart over a range.
pub async fn tag_page(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
    Path(code): Path<String>,
    Query(query): Query<RangeQuery>,
) -> Result<Markup, PageError> {
    let tag = tag_of(&state, &code).await?;
    let now = station_seconds();
    let (range, span) = range_asked(&state, &tag.code, query.range.as_deref(), now).await?;
    let series = read_series(&state, &tag, span, None, CHART_POINTS).await?;
    let current = tags_now(&state, now)
        .await?
        .into_iter()
        .find(|t| t.code == tag.code);
    let chart = tag_chart(&ctx, &tag, &series)?;
    let step = if series.step == 0 {
        ctx.t("live.raw").to_string()
    } else {
        duration_words(&ctx, series.step)
    };
    let body = html! {
        (style())
        p { a href="/live" { "← " (ctx.t("live.back")) } }
        dl.tag {
            dt { (ctx.t("live.tag")) } dd { (tag.code) }
            dt { (ctx.t("live.quantity")) } dd { (tag.quantity) " (" (tag.unit) ")" }
            @if let Some(asset) = &tag.asset { dt { (ctx.t("live.asset")) } dd { (asset) } }
            @if let Some(kind) = &tag.element_kind {
                dt { (ctx.t("live.element")) } dd { (kind) " " (tag.element_id.clone().unwrap_or_default()) }
            }
            dt { (ctx.t("live.interval")) } dd { (duration_words(&ctx, tag.interval_s)) }
            @if let Some(now) = &current { (current_point(&ctx, now)) }
        }
        nav.ranges aria-label=(ctx.t("live.range")) {
            @for (name, key, _) in RANGES {
                a href={ (tag_path(&tag.code)) "?range=" (name) } class=[(name == range).then_some("here")] { (ctx.t(key)) }
            }
        }
        div.chart-box {
            (chart)
            p.note { (ctx.t("live.step")) ": " (step) " · " (series.points.len()) " " (ctx.t("live.points")) }
        }
    };
    Ok(frame(&ctx, &format!("{} · {}", tag.name, tag.code), body))
}

fn current_point(ctx: &Ctx, now: &TagNow) -> Markup {
    html! {
        dt { (ctx.t("live.value")) }
        dd {
            @if let Some(p) = &now.latest {
                strong { (shown_value(p.value)) " " (now.unit) } " · " (p.time) " · "
                span class=(quality_class(p.quality)) { (ctx.t(quality_key(p.quality))) }
                @if let Some(age) = now.age_s { " · " (ctx.t("live.age")) " " (duration_words(ctx, age)) }
                @if now.stale { " " span.stale-flag { (ctx.t("live.stale")) } }
            } @else {
                (ctx.t("live.no_points"))
            }
        }
    }
}

fn tag_chart(
    ctx: &Ctx,
    tag: &telemetry::Tag,
    series: &telemetry::Series,
) -> Result<Markup, ServerError> {
    let line = |key: &str, pick: fn(&telemetry::SeriesPoint) -> f64| {
        Series::new(
            ctx.t(key),
            series
                .points
                .iter()
                .map(|p| (p.at as f64, pick(p)))
                .collect(),
        )
    };
    let mut lines = vec![line("live.mean", |p| p.mean)];
    if series.step > 0 {
        lines.push(line("live.min", |p| p.min));
        lines.push(line("live.max", |p| p.max));
    }
    let title = format!("{} ({})", tag.name, tag.code);
    let y_label = format!("{} ({})", tag.quantity, tag.unit);
    let words = TimeWords {
        title: &title,
        y_label: &y_label,
        unit: &tag.unit,
        empty: ctx.t("live.no_points"),
    };
    timeline("tag-chart", words, lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_codes_are_encoded_in_their_path() {
        assert_eq!(tag_path("OUT16.FLOW"), "/live/tags/OUT16.FLOW");
        assert_eq!(tag_path("a b/<c>"), "/live/tags/a%20b%2F%3Cc%3E");
        assert_eq!(tag_path("水位"), "/live/tags/%E6%B0%B4%E4%BD%8D");
    }
}
