//! The incident pages: where a contaminant enters, how much and how long; the run's progress; then
//! its arrival and peak at each plant, a time slider over the map, and the valves that isolate it.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use danjiang_drawing::chart::{line_chart, LineChart, Series, XAxis};
use danjiang_network::NodeKind;
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

use super::api::start_incident_run;
use super::incident::{read_frames, IncidentParameters, IncidentSummary, InjectionKind};
use super::network;
use super::pages::{clock, draw_map, map_block, progress_bar, MapParams};
use super::runs::{self, RunKind};
use super::SimulationError;
use crate::web::auth::FormAs;
use crate::web::error::ServerError;
use crate::web::layout::{csrf_field, frame};
use crate::web::page::{PageError, PageOf, ViewerPage};
use crate::web::state::AppState;

/// The incident form: times in hours, as operators think of them.
#[derive(Debug, Clone, Deserialize)]
pub struct IncidentForm {
    /// Injection node.
    pub node: String,
    /// `mass` or `concentration`.
    pub kind: String,
    /// mg/min or mg/L.
    pub strength: String,
    /// Start, hours from the start of the day simulated.
    pub start_h: String,
    /// Duration, hours.
    pub duration_h: String,
    /// Threshold, mg/L.
    #[serde(default)]
    pub threshold: String,
}

fn number(field: &str, text: &str) -> Result<f64, ServerError> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| ServerError::BadRequest(format!("{field} `{text}`: expected a number")))
}

fn seconds(field: &str, text: &str) -> Result<u64, ServerError> {
    let hours = number(field, text)?;
    if !(0.0..=8760.0).contains(&hours) {
        return Err(ServerError::BadRequest(format!(
            "{field} {hours}: expected 0 to 8760 hours"
        )));
    }
    Ok((hours * 3600.0).round() as u64)
}

impl IncidentForm {
    fn parameters(&self) -> Result<IncidentParameters, ServerError> {
        let kind = match self.kind.as_str() {
            "mass" => InjectionKind::Mass,
            "concentration" => InjectionKind::Concentration,
            other => {
                return Err(ServerError::BadRequest(format!(
                    "kind `{other}`: expected mass or concentration"
                )))
            }
        };
        Ok(IncidentParameters {
            node: self.node.trim().to_string(),
            kind,
            strength: number("strength", &self.strength)?,
            start_s: seconds("start_h", &self.start_h)?,
            duration_s: seconds("duration_h", &self.duration_h)?,
            threshold: if self.threshold.trim().is_empty() {
                0.001
            } else {
                number("threshold", &self.threshold)?
            },
        })
    }
}

/// `GET /incidents`: the form and the incidents run so far.
pub async fn list(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
) -> Result<Markup, PageError> {
    let network = network::demo_network()?;
    let registered = network::registered_elements(&state.store).await?;
    let (incidents, _) = runs::list(&state.store, Some(RunKind::Incident), 50, 0).await?;
    let operator = ctx.session.user.role.rank() >= 1;
    let chinese = ctx.language == crate::web::i18n::Language::Chinese;
    let body = html! {
        @if operator {
            form.incident-form method="post" action="/incidents" {
                (csrf_field(&ctx))
                label {
                    (ctx.t("incident.node")) " "
                    select name="node" required {
                        @for node in network.nodes.iter().filter(|n| !matches!(n.kind, NodeKind::Reservoir(_))) {
                            option value=(node.id) {
                                (node.id)
                                @if let Some(r) = registered.get(&node.id).filter(|r| r.kind != "well") {
                                    " · " (if chinese { r.name_zh.clone().unwrap_or_else(|| r.name.clone()) } else { r.name.clone() })
                                }
                            }
                        }
                    }
                }
                label {
                    (ctx.t("incident.kind")) " "
                    select name="kind" {
                        option value="mass" { (ctx.t("incident.kind_mass")) }
                        option value="concentration" { (ctx.t("incident.kind_concentration")) }
                    }
                }
                label { (ctx.t("incident.strength")) " " input type="number" name="strength" value="1000" min="0" step="any" required; }
                label { (ctx.t("incident.start_h")) " " input type="number" name="start_h" value="1" min="0" step="any" required; }
                label { (ctx.t("incident.duration_h")) " " input type="number" name="duration_h" value="2" min="0" step="any" required; }
                label { (ctx.t("incident.threshold")) " " input type="number" name="threshold" value="0.001" min="0" step="any"; }
                button type="submit" { (ctx.t("incident.start")) }
            }
        } @else {
            p.muted { (ctx.t("incident.viewer_note")) }
        }
        h2 { (ctx.t("incident.list")) }
        @if incidents.is_empty() {
            p.muted { (ctx.t("incident.none")) }
        } @else {
            table.runs-table {
                thead { tr {
                    th { "#" } th { (ctx.t("incident.node")) } th { (ctx.t("run.status")) }
                    th { (ctx.t("run.by")) } th { (ctx.t("run.at")) } th {}
                } }
                tbody {
                    @for run in &incidents {
                        tr {
                            td { (run.id) }
                            td { (run.parameters.get("node").and_then(|n| n.as_str()).unwrap_or("")) }
                            td { (progress_bar(&ctx, run)) }
                            td { (run.created_by) }
                            td { (run.created_at) }
                            td { a href={ "/incidents/" (run.id) } { (ctx.t("run.open")) } }
                        }
                    }
                }
            }
        }
        script src="/static/map.js" defer {}
    };
    Ok(frame(&ctx, ctx.t("incident.title"), body))
}

/// `POST /incidents`: starts an incident run (operators), then shows it.
pub async fn start(
    State(state): State<AppState>,
    FormAs(session, form): FormAs<1, IncidentForm>,
) -> Result<Response, PageError> {
    let parameters = form.parameters()?;
    let record = start_incident_run(&state, &session.user.username, parameters).await?;
    Ok(Redirect::to(&format!("/incidents/{}", record.id)).into_response())
}

/// The slider's position on an incident page.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IncidentView {
    /// Frame shown on the map.
    pub period: Option<usize>,
}

/// `GET /incidents/{id}`.
pub async fn page(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
    Path(id): Path<i64>,
    Query(view): Query<IncidentView>,
) -> Result<Markup, PageError> {
    let run = runs::get(&state.store, id).await?;
    if run.kind != RunKind::Incident.name() {
        return Err(SimulationError::NotFound(format!("incident {id}")).into());
    }
    let title = format!("{} #{id}", ctx.t("incident.title"));
    let parameters: Option<IncidentParameters> =
        serde_json::from_value(run.parameters.clone()).ok();
    let summary: Option<IncidentSummary> = run
        .summary
        .clone()
        .and_then(|s| serde_json::from_value(s).ok());
    let chinese = ctx.language == crate::web::i18n::Language::Chinese;
    let header = html! {
        @if let Some(p) = &parameters {
            p.incident-parameters {
                (ctx.t("incident.node")) ": " strong { (p.node) } " · "
                (ctx.t(match p.kind { InjectionKind::Mass => "incident.kind_mass", InjectionKind::Concentration => "incident.kind_concentration" }))
                " " (p.strength) " · " (ctx.t("incident.start_h")) " " (clock(p.start_s as i64))
                " · " (ctx.t("incident.duration_h")) " " (clock(p.duration_s as i64))
                " · " (ctx.t("incident.threshold")) " " (p.threshold) " mg/L"
            }
        }
        p { (progress_bar(&ctx, &run)) @if let Some(m) = &run.message { " " span.error { (m) } } }
    };
    let Some(summary) = summary.filter(|_| run.is_done()) else {
        let body = html! {
            (header)
            @if run.is_active() { p.muted { (ctx.t("incident.running")) " " a href={ "/incidents/" (id) } { (ctx.t("run.refresh")) } } }
            script src="/static/map.js" defer {}
        };
        return Ok(frame(&ctx, &title, body));
    };
    let period = view
        .period
        .unwrap_or(summary.frame_times.len().saturating_sub(1) / 2);
    let params = MapParams {
        run: Some(id),
        quantity: Some("quality".into()),
        period: Some(period.min(summary.frame_times.len().saturating_sub(1))),
    };
    let (svg, timing) = draw_map(&state, &ctx, &params).await?;
    // The concentration at every plant over the run.
    let run_for_frames = run.clone();
    let frames = tokio::task::spawn_blocking(move || {
        run_for_frames.output_path().and_then(|p| read_frames(&p))
    })
    .await
    .map_err(|e| SimulationError::Run(e.to_string()))??;
    let network = network::network_of(&run)?;
    let mut chart = LineChart::new("plant-concentration", ctx.t("incident.chart_title"));
    chart.width = 900.0;
    chart.height = 320.0;
    chart.x_axis = XAxis::SimulationTime;
    chart.y_label = format!("{} (mg/L)", ctx.t("map.concentration"));
    chart.unit = "mg/L".into();
    chart.y_from_zero = true;
    chart.thresholds = vec![(summary.threshold, ctx.t("incident.threshold").to_string())];
    chart.marker = timing.map(|(_, _, t)| (t as f64, clock(t)));
    for plant in &summary.plants {
        let Some(index) = network.node_idx(&plant.node) else {
            continue;
        };
        let name = if chinese {
            plant.name_zh.clone().unwrap_or_else(|| plant.name.clone())
        } else {
            plant.name.clone()
        };
        let points = frames
            .times
            .iter()
            .zip(&frames.node_concentration)
            .filter_map(|(t, v)| v.get(index.index()).map(|&c| (*t as f64, f64::from(c))))
            .collect();
        chart.series.push(Series::new(name, points));
    }
    let chart_svg = line_chart(&chart).map_err(|e| SimulationError::Run(e.to_string()))?;
    let body = html! {
        (header)
        p.incident-figures {
            (ctx.t("incident.nodes_reached")) ": " strong { (summary.nodes_reached) } " · "
            (ctx.t("incident.segments_reached")) ": " strong { (summary.segments_reached) } " · "
            (ctx.t("incident.valves_to_close")) ": " strong { (summary.valves.len()) }
        }
        h2 { (ctx.t("incident.plants")) }
        table.plants-table {
            thead { tr {
                th { (ctx.t("incident.plant")) } th { (ctx.t("incident.node")) }
                th { (ctx.t("incident.arrival")) } th { (ctx.t("incident.peak")) " (mg/L)" } th { (ctx.t("incident.peak_time")) }
            } }
            tbody {
                @for plant in &summary.plants {
                    tr class=[plant.arrival_s.map(|_| "reached")] {
                        td { (if chinese { plant.name_zh.clone().unwrap_or_else(|| plant.name.clone()) } else { plant.name.clone() }) }
                        td { (plant.node) }
                        td {
                            @match plant.arrival_s {
                                Some(t) => { (clock(t as i64)) }
                                None => { (ctx.t("incident.not_reached")) }
                            }
                        }
                        td.number { (format!("{:.4}", plant.peak)) }
                        td { @if let Some(t) = plant.peak_time_s.filter(|_| plant.peak > 0.0) { (clock(t as i64)) } }
                    }
                }
            }
        }
        div.chart { (PreEscaped(chart_svg)) }
        h2 { (ctx.t("incident.map")) }
        form #map-form method="get" action={ "/incidents/" (id) } {
            noscript { button type="submit" { (ctx.t("map.show")) } }
        }
        (map_block(&ctx, &svg, Some(id), Some("quality"), timing))
        h2 { (ctx.t("incident.isolating_valves")) }
        @if summary.valves.is_empty() {
            p.muted { (ctx.t("incident.no_valves")) }
        } @else {
            p.muted { (ctx.t("incident.valves_note")) }
            table.valves-table {
                thead { tr { th { (ctx.t("incident.valve")) } th { (ctx.t("incident.link")) } th { (ctx.t("incident.at_node")) } } }
                tbody {
                    @for valve in &summary.valves {
                        tr { td { (valve.id) } td { (valve.link) } td { (valve.node) } }
                    }
                }
            }
        }
        script src="/static/map.js" defer {}
    };
    Ok(frame(&ctx, &title, body))
}
