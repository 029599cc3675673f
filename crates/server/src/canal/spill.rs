//! The spill form's page: a spill on the demo canal (chainage, mass, duration) and what it does
//! at each outlet, gate and the outfall — arrival, peak, time above the threshold, mass, and
//! each outlet's latest closing time.

use axum::extract::Query;
use maud::{html, Markup};
use serde::Deserialize;

use danjiang_canal::spill::{run_spill, SpillAt, SpillResults, SpillSpec};
use danjiang_canal::transport::Dispersion;

use super::demo::demo_canal;
use crate::web::error::ServerError;
use crate::web::layout::frame;
use crate::web::page::{Ctx, PageError, PageOf, ViewerPage};

/// Concentration that counts as arrived, mg/L.
const THRESHOLD_MG_L: f64 = 0.01;

/// The spill form's fields; none given shows the empty form.
#[derive(Debug, Deserialize)]
pub struct SpillQuery {
    /// Chainage, km from the upstream end.
    pub km: Option<f64>,
    /// Mass spilled, kg.
    pub mass_kg: Option<f64>,
    /// Spread over this many minutes (0: at once).
    pub duration_min: Option<f64>,
}

/// `GET /canal/spill`: the form, and with its fields the results.
pub async fn spill(
    PageOf(ctx): ViewerPage,
    Query(query): Query<SpillQuery>,
) -> Result<Markup, PageError> {
    let results = match (query.km, query.mass_kg) {
        (Some(km), Some(mass)) => {
            Some(simulate(km, mass, query.duration_min.unwrap_or(0.0)).await?)
        }
        _ => None,
    };
    let body = html! {
        h1 { (ctx.t("canal.spill_title")) }
        form.filters method="get" action="/canal/spill" {
            label { (ctx.t("canal.spill_km")) " " input type="number" name="km" step="0.001" min="0" value=[query.km]; }
            label { (ctx.t("canal.spill_mass")) " " input type="number" name="mass_kg" step="any" min="0" value=[query.mass_kg]; }
            label { (ctx.t("canal.spill_duration")) " " input type="number" name="duration_min" step="any" min="0" value=[query.duration_min]; }
            button type="submit" { (ctx.t("canal.spill_run")) }
        }
        @if let Some(results) = &results { (table(&ctx, results)) }
    };
    Ok(frame(&ctx, ctx.t("canal.spill_title"), body))
}

async fn simulate(km: f64, mass_kg: f64, minutes: f64) -> Result<SpillResults, ServerError> {
    if !(km.is_finite() && minutes.is_finite() && minutes >= 0.0) {
        return Err(ServerError::BadRequest(
            "expected a chainage in km and a duration of zero or more minutes".into(),
        ));
    }
    let canal = demo_canal()?;
    let spec = SpillSpec {
        at: SpillAt::Chainage(km * 1000.0),
        mass_kg,
        start_s: 0.0,
        duration_s: minutes * 60.0,
        dispersion: Dispersion::Fischer,
        decay_per_s: 0.0,
        threshold_mg_l: THRESHOLD_MG_L,
        chainages: Vec::new(),
        closures: Vec::new(),
    };
    let outcome = tokio::task::spawn_blocking(move || run_spill(&canal, &spec))
        .await
        .map_err(|e| ServerError::Database(sqlx::Error::Protocol(e.to_string())))?;
    outcome.map_err(|e| ServerError::BadRequest(e.to_string()))
}

fn clock(seconds: Option<f64>) -> String {
    match seconds {
        Some(s) => {
            let minutes = (s / 60.0).round() as u64;
            format!("{}:{:02}", minutes / 60, minutes % 60)
        }
        None => "-".into(),
    }
}

fn table(ctx: &Ctx, results: &SpillResults) -> Markup {
    html! {
        table.spill {
            thead { tr {
                th { (ctx.t("canal.place")) } th { (ctx.t("canal.kind")) } th { "km" }
                th { (ctx.t("canal.arrival")) } th { (ctx.t("canal.peak")) } th { (ctx.t("canal.peak_at")) }
                th { (ctx.t("canal.mass")) } th { (ctx.t("canal.close_by")) }
            } }
            tbody {
                @for place in &results.places {
                    tr {
                        td { (place.id) }
                        td { (place.kind) }
                        td { (format!("{:.3}", place.chainage_m / 1000.0)) }
                        td { (clock(place.arrival_s)) }
                        td { (format!("{:.4}", place.peak_mg_l)) }
                        td { (clock(Some(place.peak_time_s))) }
                        td { (place.mass_kg.map_or("-".into(), |m| format!("{m:.2}"))) }
                        td.close-by { (clock(place.latest_close_s)) }
                    }
                }
            }
        }
    }
}
