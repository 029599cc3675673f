//! The network map page: the network coloured by a quantity of a run (pan, zoom, a panel for the
//! element clicked), and the runs with their progress and, for operators, a button to start one.

use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use danjiang_drawing::chart::{line_chart, LineChart, Series, XAxis};
use danjiang_drawing::colour::Palette;
use danjiang_drawing::map::{MapWords, MarkTarget, MarkedSet, MarkerShape};
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

use super::api::{element_series, period_values, start_hydraulic_run, NewRun};
use super::incident::{read_frames, IncidentSummary};
use super::network::{self, Colouring, MapText};
use super::results::Quantity;
use super::runs::{self, RunKind, RunRecord};
use super::SimulationError;
use crate::web::auth::FormAs;
use crate::web::i18n::Language;
use crate::web::layout::{csrf_field, frame};
use crate::web::page::{Ctx, PageError, PageOf, ViewerPage};
use crate::web::state::AppState;

/// What the map shows.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MapParams {
    /// A run whose results colour the map (empty: none).
    #[serde(default, deserialize_with = "empty_as_none")]
    pub run: Option<i64>,
    /// The quantity (default pressure; quality for incidents).
    pub quantity: Option<String>,
    /// The reporting period (incident: frame).
    #[serde(default, deserialize_with = "empty_as_none")]
    pub period: Option<usize>,
}

/// A number of a form field, where an empty field means none (the "no run" choice).
fn empty_as_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let text: Option<String> = Option::deserialize(deserializer)?;
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

/// A time of a run as `hours:minutes`.
pub fn clock(seconds: i64) -> String {
    let minutes = seconds.max(0) / 60;
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

/// The map's words in the page's language.
pub fn map_text(ctx: &Ctx) -> MapText {
    MapText {
        words: MapWords {
            reservoir: ctx.t("map.reservoir").to_string(),
            tank: ctx.t("map.tank").to_string(),
            pump: ctx.t("map.pump").to_string(),
            valve: ctx.t("map.valve").to_string(),
            no_value: ctx.t("map.no_value").to_string(),
        },
        outlets: ctx.t("map.outlets").to_string(),
        wells: ctx.t("map.wells").to_string(),
        plants: ctx.t("map.plants").to_string(),
        chinese: ctx.language == Language::Chinese,
    }
}

/// The map of a run (or of the network alone) at one period, as an SVG string, and the
/// period's time and the count of periods.
pub async fn draw_map(
    state: &AppState,
    ctx: &Ctx,
    params: &MapParams,
) -> Result<(String, Option<(usize, usize, i64)>), SimulationError> {
    let registered = network::registered_elements(&state.store).await?;
    let text = map_text(ctx);
    let record = match params.run {
        Some(id) => Some(runs::get(&state.store, id).await?),
        None => None,
    };
    let network = match &record {
        Some(run) => network::network_of(run)?,
        None => network::demo_network()?,
    };
    let title = ctx.t("map.title").to_string();
    let Some(run) = record.filter(|r| r.is_done()) else {
        let svg = network::draw(&network, &registered, &text, &title, None, Vec::new())?;
        return Ok((svg, None));
    };
    let incident = run.kind == RunKind::Incident.name();
    let quantity = match params.quantity.as_deref().filter(|q| !q.is_empty()) {
        Some(name) => Quantity::parse(name)?,
        None if incident => Quantity::Quality,
        None => Quantity::Pressure,
    };
    let period = params.period.unwrap_or(0);
    let mut extra = Vec::new();
    let (colouring, time, periods) = if incident {
        let run_for_frames = run.clone();
        let frames = tokio::task::spawn_blocking(move || {
            run_for_frames.output_path().and_then(|p| read_frames(&p))
        })
        .await
        .map_err(|e| SimulationError::Run(e.to_string()))??;
        let summary: Option<IncidentSummary> = run
            .summary
            .clone()
            .and_then(|s| serde_json::from_value(s).ok());
        let threshold = summary.as_ref().map_or(0.0, |s| s.threshold);
        let values = frames.node_concentration.get(period).ok_or_else(|| {
            SimulationError::BadRequest(format!(
                "period {period}: the run has frames 0 to {}",
                frames.times.len().saturating_sub(1)
            ))
        })?;
        // Below the threshold is "not reached"; classes span the whole run's peaks so the
        // colours mean the same in every frame.
        let peaks: Vec<f64> = frames
            .node_peak
            .iter()
            .map(|&p| f64::from(p))
            .filter(|&p| p > threshold)
            .collect();
        let scale =
            danjiang_drawing::colour::ColourScale::fitted(&peaks, 6, Palette::YellowRed, "mg/L");
        let colouring = Colouring {
            name: ctx.t("map.concentration").to_string(),
            values: values
                .iter()
                .map(|&c| {
                    if f64::from(c) > threshold {
                        f64::from(c)
                    } else {
                        f64::NAN
                    }
                })
                .collect(),
            unit: "mg/L".into(),
            palette: Palette::YellowRed,
            breaks: Some(scale.breaks),
            of_nodes: true,
        };
        if let Some(injected) = run
            .parameters
            .get("node")
            .and_then(|n| n.as_str())
            .and_then(|n| network.node_idx(n))
        {
            extra.push(MarkedSet {
                name: ctx.t("incident.injection_point").to_string(),
                class: "injection".into(),
                shape: MarkerShape::Ring,
                colour: "#d55e00".into(),
                size: 14.0,
                targets: vec![MarkTarget::Node(injected)],
                labels: vec![],
            });
        }
        if let Some(summary) = &summary {
            let targets: Vec<MarkTarget> = summary
                .valves
                .iter()
                .filter_map(|v| {
                    Some(MarkTarget::LinkEnd(
                        network.link_idx(&v.link)?,
                        network.node_idx(&v.node)?,
                    ))
                })
                .collect();
            if !targets.is_empty() {
                extra.push(MarkedSet {
                    name: ctx.t("incident.isolating_valves").to_string(),
                    class: "isolating".into(),
                    shape: MarkerShape::Cross,
                    colour: "#cc0000".into(),
                    size: 9.0,
                    targets,
                    labels: summary.valves.iter().map(|v| v.id.clone()).collect(),
                });
            }
        }
        let time = frames.times[period] as i64;
        (colouring, time, frames.times.len())
    } else {
        let network_for_values = network.clone();
        let run_for_values = run.clone();
        let values = tokio::task::spawn_blocking(move || {
            period_values(&network_for_values, &run_for_values, quantity, period)
        })
        .await
        .map_err(|e| SimulationError::Run(e.to_string()))??;
        let magnitude = quantity == Quantity::Flow;
        let colouring = Colouring {
            name: ctx.t(&format!("quantity.{}", quantity.name())).to_string(),
            values: values
                .values
                .iter()
                .map(|v| if magnitude { v.abs() } else { *v })
                .collect(),
            unit: values.unit.clone(),
            palette: if quantity == Quantity::Quality {
                Palette::YellowRed
            } else {
                Palette::Viridis
            },
            breaks: None,
            of_nodes: quantity.of_nodes(),
        };
        (colouring, values.time_s, values.periods)
    };
    let title = format!("{title} · {} {}", ctx.t("map.at"), clock(time));
    let svg = network::draw(&network, &registered, &text, &title, Some(colouring), extra)?;
    Ok((svg, Some((period, periods, time))))
}

/// `GET /map.svg`: the map alone (the time slider swaps it in).
pub async fn map_svg(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
    Query(params): Query<MapParams>,
) -> Result<Response, PageError> {
    let (svg, _) = draw_map(&state, &ctx, &params).await?;
    Ok((
        [
            (CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
        ],
        svg,
    )
        .into_response())
}

/// The map with its controls: zoom buttons, the slider over periods, the element panel.
pub fn map_block(
    ctx: &Ctx,
    svg: &str,
    run: Option<i64>,
    quantity: Option<&str>,
    timing: Option<(usize, usize, i64)>,
) -> Markup {
    html! {
        div.map-block data-run=[run] data-quantity=[quantity] {
            div.map-toolbar {
                button type="button" data-map-action="zoom-in" title=(ctx.t("map.zoom_in")) { "+" }
                button type="button" data-map-action="zoom-out" title=(ctx.t("map.zoom_out")) { "−" }
                button type="button" data-map-action="reset" { (ctx.t("map.reset")) }
                @if let Some((period, periods, time)) = timing {
                    label.map-slider {
                        (ctx.t("map.time")) " "
                        input type="range" name="period" form="map-form" min="0" max=(periods.saturating_sub(1))
                            value=(period) data-map-slider;
                        output data-map-time { (clock(time)) }
                    }
                }
                span.map-hint { (ctx.t("map.hint")) }
            }
            div.map-layout {
                div.map-frame data-map-frame { (PreEscaped(svg)) }
                aside.element-panel data-element-panel aria-live="polite" {
                    p.muted { (ctx.t("map.click_hint")) }
                }
            }
        }
    }
}

/// A progress bar of a run that polls while the run goes on.
pub fn progress_bar(ctx: &Ctx, run: &RunRecord) -> Markup {
    html! {
        span.run-progress data-run-progress=(run.id) data-status=(run.status) {
            progress max="1" value=(format!("{:.3}", run.progress)) {}
            " "
            span data-progress-text {
                (ctx.t(&format!("run.status_{}", run.status)))
                @if run.is_active() { " " (format!("{:.0} %", run.progress * 100.0)) }
            }
        }
    }
}

/// `GET /map`.
pub async fn page(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
    Query(params): Query<MapParams>,
) -> Result<Markup, PageError> {
    let (all_runs, _) = runs::list(&state.store, None, 50, 0).await?;
    let (svg, timing) = draw_map(&state, &ctx, &params).await?;
    let selected = params
        .run
        .and_then(|id| all_runs.iter().find(|r| r.id == id));
    let incident = selected.is_some_and(|r| r.kind == RunKind::Incident.name());
    let quantity = params
        .quantity
        .clone()
        .filter(|q| !q.is_empty())
        .unwrap_or_else(|| {
            if incident {
                "quality".into()
            } else {
                "pressure".into()
            }
        });
    let operator = ctx.session.user.role.rank() >= 1;
    let body = html! {
        form #map-form.filters method="get" action="/map" {
            label {
                (ctx.t("map.run")) " "
                select name="run" {
                    option value="" { (ctx.t("map.no_run")) }
                    @for run in all_runs.iter().filter(|r| r.is_done()) {
                        option value=(run.id) selected[params.run == Some(run.id)] {
                            "#" (run.id) " · " (ctx.t(&format!("run.kind_{}", run.kind))) " · "
                            (run.network) " · " (run.created_at)
                        }
                    }
                }
            }
            label {
                (ctx.t("map.quantity")) " "
                select name="quantity" {
                    @for q in Quantity::ALL {
                        @if !incident || q == Quantity::Quality {
                            option value=(q.name()) selected[quantity == q.name()] {
                                (ctx.t(&format!("quantity.{}", q.name())))
                            }
                        }
                    }
                }
            }
            @if timing.is_none() {
                input type="hidden" name="period" value="0";
            }
            button type="submit" { (ctx.t("map.show")) }
        }
        (map_block(&ctx, &svg, params.run.filter(|_| timing.is_some()), Some(&quantity), timing))
        section.runs {
            h2 { (ctx.t("run.title")) }
            @if operator {
                form.inline method="post" action="/runs" {
                    (csrf_field(&ctx))
                    button type="submit" data-start-run { (ctx.t("run.start_demo")) }
                }
            }
            @if all_runs.is_empty() {
                p.muted { (ctx.t("run.none")) }
            } @else {
                table.runs-table {
                    thead { tr {
                        th { "#" } th { (ctx.t("run.kind")) } th { (ctx.t("run.network")) }
                        th { (ctx.t("run.status")) } th { (ctx.t("run.by")) } th { (ctx.t("run.at")) } th {}
                    } }
                    tbody {
                        @for run in &all_runs {
                            tr {
                                td { (run.id) }
                                td { (ctx.t(&format!("run.kind_{}", run.kind))) }
                                td { (run.network) }
                                td { (progress_bar(&ctx, run)) @if let Some(m) = &run.message { " " span.error { (m) } } }
                                td { (run.created_by) }
                                td { (run.created_at) }
                                td {
                                    @if run.is_done() {
                                        @if run.kind == RunKind::Incident.name() {
                                            a href={ "/incidents/" (run.id) } { (ctx.t("run.open")) }
                                        } @else {
                                            a href={ "/map?run=" (run.id) } { (ctx.t("run.show_on_map")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        script src="/static/map.js" defer {}
    };
    Ok(frame(&ctx, ctx.t("map.title"), body))
}

/// The form that starts a run (no fields but the CSRF token).
#[derive(Debug, Deserialize)]
pub struct StartRunForm {}

/// `POST /runs`: starts a run of the demo network (operators), then shows the map page.
pub async fn start_run(
    State(state): State<AppState>,
    FormAs(session, StartRunForm {}): FormAs<1, StartRunForm>,
) -> Result<Response, PageError> {
    let record = start_hydraulic_run(&state, &session.user.username, NewRun::default()).await?;
    Ok(Redirect::to(&format!("/map?started={}", record.id)).into_response())
}

/// Which element's chart.
#[derive(Debug, Clone, Deserialize)]
pub struct ChartParams {
    /// `node` or `link`.
    pub kind: String,
    /// Element ID.
    pub id: String,
    /// The run.
    pub run: i64,
}

/// `GET /map/chart.svg`: the time series of an element in a run, one chart per quantity
/// stacked in one SVG column (for the element panel).
pub async fn element_chart(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
    Query(params): Query<ChartParams>,
) -> Result<Response, PageError> {
    let record = runs::get(&state.store, params.run).await?;
    let network = network::network_of(&record)?;
    let of_nodes = match params.kind.as_str() {
        "node" => true,
        "link" => false,
        other => {
            return Err(SimulationError::BadRequest(format!(
                "kind `{other}`: expected node or link"
            ))
            .into())
        }
    };
    let index = if of_nodes {
        network.node_idx(&params.id).map(|i| i.index())
    } else {
        network.link_idx(&params.id).map(|i| i.index())
    }
    .ok_or_else(|| SimulationError::NotFound(format!("{} `{}`", params.kind, params.id)))?;
    let series = tokio::task::spawn_blocking(move || element_series(&record, of_nodes, index))
        .await
        .map_err(|e| SimulationError::Run(e.to_string()))??;
    let mut out = String::new();
    for (k, s) in series.iter().enumerate() {
        let name = ctx.t(&format!("quantity.{}", s.quantity)).to_string();
        let mut chart = LineChart::new(
            format!("element-chart-{k}"),
            format!("{} {name}", params.id),
        );
        chart.width = 320.0;
        chart.height = 170.0;
        chart.x_axis = XAxis::SimulationTime;
        chart.y_label = format!("{name} ({})", s.unit);
        chart.unit = s.unit.clone();
        chart.series = vec![Series::new(name, s.points.clone())];
        out.push_str(&line_chart(&chart).map_err(|e| SimulationError::Run(e.to_string()))?);
    }
    Ok((
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
        ],
        out,
    )
        .into_response())
}
