//! The overview: deliveries on the last metered day, its month and water year against plan, the
//! cumulative split by use, monthly bars against plan, open alerts and overdue patrols.

use axum::extract::State;
use maud::{html, Markup};

use super::figures::{self, Delivery};
use crate::web::charts::{self, Bar, BarWords, Part};
use crate::web::layout::{frame, grouped};
use crate::web::page::{Ctx, PageError, PageOf, ViewerPage};
use crate::web::state::AppState;

/// m³ in 10⁴ m³ (万 m³), the unit of daily and monthly volumes.
const WAN: f64 = 1.0e4;
/// m³ in 10⁸ m³ (亿 m³), the unit of annual and cumulative volumes.
const YI: f64 = 1.0e8;

fn card(ctx: &Ctx, title_key: &str, delivery: &Delivery, divisor: f64, unit: &str) -> Markup {
    html! {
        section.card {
            h2 { (ctx.t(title_key)) }
            p.period { (delivery.period) }
            p.figure { span.value { (grouped(delivery.delivered_m3 / divisor, 2)) } " " (unit) }
            @match (delivery.plan_m3, delivery.completion_pct) {
                (Some(plan), Some(pct)) => p.plan {
                    (ctx.t("overview.plan")) " " (grouped(plan / divisor, 2)) " " (unit) " · "
                    strong.completion { (format!("{pct:.1}")) "%" } " " (ctx.t("overview.of_plan"))
                },
                _ => p.plan { (ctx.t("overview.no_plan")) },
            }
        }
    }
}

/// A field of a JSON object as text (strings without quotes).
fn field(object: &serde_json::Value, key: &str) -> String {
    match object.get(key) {
        Some(serde_json::Value::String(text)) => text.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// The overview page's markup.
pub async fn page_markup(ctx: &Ctx, state: &AppState) -> Result<Markup, PageError> {
    let overview = figures::overview(&state.reports, &state.store).await?;
    let parts: Vec<Part> = overview
        .uses
        .iter()
        .map(|u| Part {
            label: ctx.t(&format!("use.{}", u.use_kind)).to_string(),
            value: u.volume_m3 / YI,
        })
        .collect();
    let bars: Vec<Bar> = overview
        .months
        .iter()
        .map(|m| Bar {
            label: m.period.clone(),
            value: m.delivered_m3 / WAN,
            plan: m.plan_m3.map(|p| p / WAN),
        })
        .collect();
    let monthly = charts::bars(
        "overview-monthly",
        BarWords {
            title: ctx.t("overview.monthly"),
            unit: "万 m³",
            value_name: ctx.t("overview.delivered"),
            plan_name: ctx.t("overview.planned"),
            empty: ctx.t("overview.no_data"),
        },
        &bars,
    )?;
    let split = charts::shares(
        "overview-split",
        ctx.t("overview.split"),
        "亿 m³",
        ctx.t("ledger.total"),
        &parts,
    )?;
    let body = html! {
        @match (&overview.as_of, &overview.day, &overview.month, &overview.year) {
            (Some(as_of), Some(day), Some(month), Some(year)) => {
                p.as-of { (ctx.t("overview.as_of")) " " strong { (as_of) } }
                div.cards {
                    (card(ctx, "overview.today", day, WAN, "万 m³"))
                    (card(ctx, "overview.month", month, WAN, "万 m³"))
                    (card(ctx, "overview.year", year, YI, "亿 m³"))
                }
                section.chart-box {
                    h2 { (ctx.t("overview.monthly")) }
                    (monthly)
                }
            }
            _ => { p.empty { (ctx.t("overview.no_data")) } }
        }
        @if !parts.is_empty() {
            section.chart-box {
                h2 { (ctx.t("overview.split")) }
                (split)
            }
        }
        div.cards {
            section.card.alerts {
                h2 { (ctx.t("overview.alerts")) " (" (overview.alert_count) ")" }
                @if overview.alerts.is_empty() {
                    p { (ctx.t("overview.none")) }
                } @else {
                    table.alerts {
                        @for alert in &overview.alerts {
                            tr {
                                td { (field(alert, "time")) }
                                td { (field(alert, "site")) }
                                td { (field(alert, "item")) }
                                td.num { (field(alert, "value")) " " (field(alert, "unit")) }
                                td { (field(alert, "class")) " › " (field(alert, "target")) }
                            }
                        }
                    }
                }
            }
            section.card.patrols {
                h2 { (ctx.t("overview.patrols")) " (" (overview.overdue_count) ")" }
                @if overview.overdue_patrols.is_empty() {
                    p { (ctx.t("overview.none")) }
                } @else {
                    table.patrols {
                        @for task in &overview.overdue_patrols {
                            tr {
                                td { (field(task, "asset")) }
                                td { (field(task, "plan")) }
                                td { (field(task, "station")) }
                                td { (field(task, "due")) }
                                td.num { "+" (field(task, "days_overdue")) " d" }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(frame(ctx, ctx.t("overview.title"), body))
}

/// `GET /`: the overview page.
pub async fn page(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
) -> Result<Markup, PageError> {
    page_markup(&ctx, &state).await
}
