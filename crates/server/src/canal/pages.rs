//! The canal page: the longitudinal profile of the demo canal (bed and initial water level,
//! gates and outlets marked at their chainages) drawn as SVG on the server, and its places.

use axum::extract::Query;
use maud::{html, Markup};
use serde::Deserialize;

use super::demo::{demo_canal, demo_frames, summary, CanalSummary, ProfileFrame};
use crate::web::error::ServerError;
use crate::web::layout::frame;
use crate::web::page::{PageError, PageOf, ViewerPage};

/// Which report step of the run the profile shows.
#[derive(Debug, Deserialize)]
pub struct FrameQuery {
    /// Index of the report step (0: the start).
    pub frame: Option<usize>,
}

/// Drawing area of the profile, px.
const WIDTH: f64 = 900.0;
const HEIGHT: f64 = 260.0;
const MARGIN: f64 = 40.0;

/// `GET /canal`: the profile and the table of places.
pub async fn profile(
    PageOf(ctx): ViewerPage,
    Query(query): Query<FrameQuery>,
) -> Result<Markup, PageError> {
    let built = demo_canal()?;
    let mut canal = summary(&built)?;
    let frames = demo_frames()?;
    let index = query.frame.unwrap_or(0);
    let shown: &ProfileFrame = frames.get(index).ok_or_else(|| {
        ServerError::BadRequest(format!(
            "frame {index}: expected 0 to {}",
            frames.len().saturating_sub(1)
        ))
    })?;
    canal.profile_level_m.clone_from(&shown.level_m);
    let setting = |id: &str| {
        built
            .model
            .link_index(id)
            .and_then(|l| shown.settings.get(l).copied())
    };
    let minutes = (shown.time_s / 60.0).round() as u64;
    let body = html! {
        h1 { (ctx.t("canal.title")) }
        p { (ctx.t("canal.length")) ": " (format!("{:.1} km", canal.length_m / 1000.0)) }
        form.filters method="get" action="/canal" {
            label { (ctx.t("canal.time")) " "
                input type="range" name="frame" min="0" max=(frames.len() - 1) value=(index);
            }
            " " output { (format!("{}:{:02}", minutes / 60, minutes % 60)) }
            " " button type="submit" { (ctx.t("canal.show")) }
        }
        (profile_svg(&canal, ctx.t("canal.bed"), ctx.t("canal.level")))
        table {
            thead { tr { th { (ctx.t("canal.place")) } th { (ctx.t("canal.kind")) } th { "km" } th { (ctx.t("canal.setting")) } } }
            tbody {
                @for place in &canal.places {
                    tr {
                        td { (place.id) }
                        td { (ctx.t(&format!("canal.kind_{}", place.kind))) }
                        td { (format!("{:.3}", place.chainage_m / 1000.0)) }
                        td { (setting(&place.id).map_or("-".into(), |s| format!("{:.0} %", s * 100.0))) }
                    }
                }
            }
        }
    };
    Ok(frame(&ctx, ctx.t("canal.title"), body))
}

/// The bed and water level along the chainage, places as vertical marks.
fn profile_svg(canal: &CanalSummary, bed_label: &str, level_label: &str) -> Markup {
    let length = canal.length_m.max(1.0);
    let low = canal
        .profile_bed_m
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min);
    let high = canal
        .profile_level_m
        .iter()
        .chain(&canal.profile_bed_m)
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let span = (high - low).max(1.0);
    let x = |chainage: f64| MARGIN + chainage / length * (WIDTH - 2.0 * MARGIN);
    let y = |level: f64| HEIGHT - MARGIN - (level - low) / span * (HEIGHT - 2.0 * MARGIN);
    let line = |values: &[f64]| -> String {
        canal
            .profile_chainage_m
            .iter()
            .zip(values)
            .map(|(c, v)| format!("{:.1},{:.1}", x(*c), y(*v)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    html! {
        svg.canal-profile xmlns="http://www.w3.org/2000/svg" role="img"
            viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) width=(WIDTH) height=(HEIGHT) {
            polyline.bed fill="none" stroke="#7a5c3a" stroke-width="2" points=(line(&canal.profile_bed_m)) {
                title { (bed_label) }
            }
            polyline.level fill="none" stroke="#1f6fb2" stroke-width="2" points=(line(&canal.profile_level_m)) {
                title { (level_label) }
            }
            @for place in &canal.places {
                line class={ "place " (place.kind) } x1=(format!("{:.1}", x(place.chainage_m)))
                    x2=(format!("{:.1}", x(place.chainage_m))) y1=(MARGIN) y2=(HEIGHT - MARGIN)
                    stroke=(if place.kind == "gate" { "#333" } else { "#2a9d4a" }) stroke-dasharray="4 3" {
                    title { (place.id) }
                }
            }
        }
    }
}
