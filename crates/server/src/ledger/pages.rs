//! The ledger page: filters (grouping, period, dates), a chart, the rows a page at a time, and the
//! CSV and JSON exports.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::response::Response;
use danjiang_ops::{Grouping, Period};
use maud::{html, Markup};

use super::report::{csv_response, ledger_page, period_name, LedgerParams};
use crate::web::charts::{self, Bar, BarWords};
use crate::web::layout::{encode, frame, grouped};
use crate::web::page::{PageError, PageOf, ViewerPage};
use crate::web::paging::Paging;
use crate::web::state::AppState;

/// Rows of the table per page.
const ROWS_PER_PAGE: i64 = 200;
/// The most bars the chart draws (the latest periods when there are more).
const MOST_BARS: usize = 36;

fn query_string(params: &LedgerParams, offset: Option<i64>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    for (name, value) in [
        ("by", &params.by),
        ("period", &params.period),
        ("from", &params.from),
        ("to", &params.to),
    ] {
        if let Some(value) = value.as_ref().filter(|v| !v.is_empty()) {
            pairs.push((name, value.clone()));
        }
    }
    if let Some(offset) = offset {
        pairs.push(("offset", offset.to_string()));
    }
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `GET /ledger`.
pub async fn page(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
    Query(params): Query<LedgerParams>,
) -> Result<Markup, PageError> {
    let query = params.query()?;
    let paging = Paging::of(Some(ROWS_PER_PAGE), params.offset)?;
    let ledger = state.reports.ledger(&state.store, query).await?;
    let table = ledger_page(&ledger, paging);
    let yearly = matches!(query.period, Period::Year | Period::All);
    let (unit, divisor, decimals) = if yearly {
        ("亿 m³", 1.0e8, 4)
    } else {
        ("万 m³", 1.0e4, 2)
    };
    // A use has no name in the store: show it in the reader's language.
    let display_name = |key: &str, name: &Option<String>| match name {
        Some(name) => name.clone(),
        None if query.by == Grouping::Use => ctx.t(&format!("use.{key}")).to_string(),
        None => String::new(),
    };
    // One bar per group over everything; otherwise one bar per period (sum of the groups).
    let bars: Vec<Bar> = if query.period == Period::All {
        ledger
            .rows
            .iter()
            .map(|r| Bar {
                label: match display_name(&r.key, &r.name) {
                    name if name.is_empty() => r.key.clone(),
                    name => name,
                },
                value: r.volume_m3 / divisor,
                plan: r.plan_m3.map(|p| p / divisor),
            })
            .collect()
    } else {
        let mut periods: BTreeMap<&str, (f64, Option<f64>)> = BTreeMap::new();
        for row in &ledger.rows {
            let entry = periods.entry(row.period.as_str()).or_insert((0.0, None));
            entry.0 += row.volume_m3;
            if let Some(plan) = row.plan_m3 {
                entry.1 = Some(entry.1.unwrap_or(0.0) + plan);
            }
        }
        let all: Vec<Bar> = periods
            .into_iter()
            .map(|(label, (value, plan))| Bar {
                label: label.to_string(),
                value: value / divisor,
                plan: plan.map(|p| p / divisor),
            })
            .collect();
        all[all.len().saturating_sub(MOST_BARS)..].to_vec()
    };
    let chart = charts::bars(
        "ledger-chart",
        BarWords {
            title: ctx.t("ledger.chart"),
            unit,
            value_name: ctx.t("overview.delivered"),
            plan_name: ctx.t("overview.planned"),
            empty: ctx.t("ledger.no_rows"),
        },
        &bars,
    )?;
    let by_key = format!("grouping.{}", query.by.as_str());
    let selected_by = query.by;
    let selected_period = query.period;
    let qs = query_string(&params, None);
    let body = html! {
        form.filters method="get" action="/ledger" data-autosubmit {
            label { (ctx.t("ledger.by")) " "
                select name="by" {
                    @for by in [Grouping::Outlet, Grouping::Plant, Grouping::County, Grouping::Use] {
                        option value=(by.as_str()) selected[by == selected_by] {
                            (ctx.t(&format!("grouping.{}", by.as_str())))
                        }
                    }
                }
            }
            label { (ctx.t("ledger.period")) " "
                select name="period" {
                    @for period in [Period::Day, Period::Month, Period::Year, Period::All] {
                        option value=(period_name(period)) selected[period == selected_period] {
                            (ctx.t(&format!("period.{}", period_name(period))))
                        }
                    }
                }
            }
            label { (ctx.t("ledger.from")) " " input type="date" name="from" value=[params.from.as_deref()]; }
            label { (ctx.t("ledger.to")) " " input type="date" name="to" value=[params.to.as_deref()]; }
            button type="submit" { (ctx.t("ledger.show")) }
        }
        p.exports {
            a.csv href={ "/ledger.csv?" (qs) } download { (ctx.t("ledger.csv")) }
            " · "
            a.json href={ "/api/v1/ledger?" (qs) } { (ctx.t("ledger.json")) }
        }
        @if ledger.rows.is_empty() {
            p.empty { (ctx.t("ledger.no_rows")) }
        } @else {
            section.chart-box {
                (chart)
            }
            p.total { (ctx.t("ledger.total")) ": " strong { (grouped(table.total_volume_m3 / divisor, decimals)) " " (unit) }
                " · " (table.total) " " (ctx.t("ledger.rows")) }
            table.ledger {
                thead { tr {
                    th { (ctx.t(&by_key)) } th { (ctx.t("ledger.name")) } th { (ctx.t("ledger.period")) }
                    th.num { (ctx.t("ledger.volume")) " (" (unit) ")" } th.num { (ctx.t("ledger.plan")) " (" (unit) ")" }
                    th.num { (ctx.t("ledger.completion")) } th.num { (ctx.t("ledger.estimated")) }
                } }
                tbody {
                    @for row in ledger.rows.iter().skip(paging.offset as usize).take(paging.limit as usize) {
                        tr {
                            td { (row.key) }
                            td { (display_name(&row.key, &row.name)) }
                            td { (row.period) }
                            td.num { (grouped(row.volume_m3 / divisor, decimals)) }
                            td.num { @if let Some(plan) = row.plan_m3 { (grouped(plan / divisor, decimals)) } }
                            td.num { @if let Some(pct) = row.completion_percent() { (format!("{pct:.1}")) } }
                            td.num { (row.estimated_meter_days) }
                        }
                    }
                }
            }
            nav.pager {
                @if paging.offset > 0 {
                    a href={ "/ledger?" (query_string(&params, Some((paging.offset - paging.limit).max(0)))) } { "← " (ctx.t("assets.previous")) }
                }
                " " (ctx.t("assets.showing")) " " (paging.offset + 1) "–" ((paging.offset + paging.limit).min(table.total as i64))
                " " (ctx.t("assets.of")) " " (table.total) " "
                @if paging.offset + paging.limit < table.total as i64 {
                    a href={ "/ledger?" (query_string(&params, Some(paging.offset + paging.limit))) } { (ctx.t("assets.next")) " →" }
                }
            }
        }
    };
    Ok(frame(&ctx, ctx.t("ledger.title"), body))
}

/// `GET /ledger.csv`: the whole ledger as a CSV download.
pub async fn csv(
    State(state): State<AppState>,
    PageOf(_ctx): ViewerPage,
    Query(params): Query<LedgerParams>,
) -> Result<Response, PageError> {
    let query = params.query()?;
    let ledger = state.reports.ledger(&state.store, query).await?;
    Ok(csv_response(&ledger)?)
}
