//! Pages of the asset register and the delivery plans (operators set plans here).

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;

use super::assets::{self, KINDS};
use super::plans::{self, PlanChange};
use crate::web::auth::FormAs;
use crate::web::error::ServerError;
use crate::web::i18n::Language;
use crate::web::layout::{csrf_field, encode, frame, grouped};
use crate::web::page::{PageError, PageOf, ViewerPage};
use crate::web::paging::Paging;
use crate::web::session::Role;
use crate::web::state::AppState;

/// Assets per page.
const ASSETS_PER_PAGE: i64 = 50;

/// The asset list's filters.
#[derive(Debug, Deserialize)]
pub struct AssetFilter {
    kind: Option<String>,
    offset: Option<i64>,
}

/// `GET /assets`.
pub async fn assets(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
    Query(filter): Query<AssetFilter>,
) -> Result<Markup, PageError> {
    let kind = filter.kind.as_deref().filter(|k| !k.is_empty());
    let paging = Paging::of(Some(ASSETS_PER_PAGE), filter.offset)?;
    let (items, total) = assets::list(&state.store, kind, paging.limit, paging.offset).await?;
    let link = |offset: i64| {
        format!(
            "/assets?kind={}&offset={offset}",
            encode(kind.unwrap_or_default())
        )
    };
    let body = html! {
        form.filters method="get" action="/assets" data-autosubmit {
            label { (ctx.t("assets.kind")) " "
                select name="kind" {
                    option value="" { (ctx.t("assets.all_kinds")) }
                    @for k in KINDS { option value=(k) selected[Some(k) == kind] { (k) } }
                }
            }
            button type="submit" { (ctx.t("ledger.show")) }
        }
        table.assets {
            thead { tr { th { (ctx.t("assets.code")) } th { (ctx.t("assets.kind")) } th { (ctx.t("assets.name")) } th { (ctx.t("assets.county")) } } }
            tbody {
                @for asset in &items {
                    tr {
                        td { a href={ "/assets/" (encode(&asset.code)) } { (asset.code) } }
                        td { (asset.kind) }
                        td { @if ctx.language == Language::Chinese { (asset.name_zh.clone().unwrap_or_else(|| asset.name.clone())) } @else { (asset.name) } }
                        td { (asset.county_code.clone().unwrap_or_default()) }
                    }
                }
            }
        }
        nav.pager {
            @if paging.offset > 0 { a href=(link((paging.offset - paging.limit).max(0))) { "← " (ctx.t("assets.previous")) } }
            " " (ctx.t("assets.showing")) " " (if total > 0 { paging.offset + 1 } else { 0 }) "–" ((paging.offset + paging.limit).min(total))
            " " (ctx.t("assets.of")) " " (total) " "
            @if paging.offset + paging.limit < total { a href=(link(paging.offset + paging.limit)) { (ctx.t("assets.next")) " →" } }
        }
    };
    Ok(frame(&ctx, ctx.t("assets.title"), body))
}

/// `GET /assets/{code}`.
pub async fn asset(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
    Path(code): Path<String>,
) -> Result<Markup, PageError> {
    let detail = assets::detail(&state.store, &code).await?;
    let body = html! {
        table.detail {
            @for (field, value) in &detail {
                @if !value.is_null() && field != "geometry" {
                    tr { th { (field) } td { @match value { serde_json::Value::String(s) => (s), other => (other.to_string()) } } }
                }
            }
        }
        p { a href={ "/api/v1/assets/" (encode(&code)) } { "JSON" } }
    };
    Ok(frame(
        &ctx,
        &format!("{} · {code}", ctx.t("assets.title")),
        body,
    ))
}

/// Which water year's plans to show.
#[derive(Debug, Deserialize)]
pub struct PlanFilter {
    water_year: Option<i32>,
    saved: Option<String>,
}

const MONTH_ORDER: [u32; 12] = [11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/// `GET /plans`: a water year's plans by asset and month; a form for operators.
pub async fn plans(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
    Query(filter): Query<PlanFilter>,
) -> Result<Markup, PageError> {
    let years = plans::years(&state.store).await?;
    let year = filter.water_year.or(years.first().copied());
    let items = match year {
        Some(y) => plans::list(&state.store, y).await?,
        None => Vec::new(),
    };
    let mut codes: Vec<(String, String)> = items
        .iter()
        .map(|p| {
            (
                p.asset_code.clone(),
                p.asset_name.clone().unwrap_or_default(),
            )
        })
        .collect();
    codes.dedup();
    let (outlets, _) = assets::list(&state.store, Some("outlet"), 1000, 0).await?;
    let (plants, _) = assets::list(&state.store, Some("plant"), 1000, 0).await?;
    let value = |code: &str, month: u32| {
        items
            .iter()
            .find(|p| p.asset_code == code && p.month == month)
            .map(|p| grouped(p.volume_m3 / 1.0e4, 1))
    };
    let can_edit = ctx.session.user.role >= Role::Operator;
    let body = html! {
        form.filters method="get" action="/plans" data-autosubmit {
            label { (ctx.t("plans.water_year")) " "
                select name="water_year" {
                    @for y in &years { option value=(y) selected[Some(*y) == year] { (y - 1) "-" (y) } }
                }
            }
            button type="submit" { (ctx.t("ledger.show")) }
        }
        @if filter.saved.is_some() { p.notice role="status" { (ctx.t("plans.saved")) } }
        table.plans {
            thead { tr {
                th { (ctx.t("plans.asset")) }
                @for m in MONTH_ORDER { th.num { (m) } }
                th.num { (ctx.t("plans.annual")) }
            } }
            tbody {
                @for (code, name) in &codes {
                    tr {
                        td { (code) " " span.note { (name) } }
                        @for m in MONTH_ORDER { td.num { (value(code, m).unwrap_or_default()) } }
                        td.num { (value(code, 0).unwrap_or_default()) }
                    }
                }
            }
        }
        p.note { (ctx.t("plans.volume")) }
        @if can_edit {
            form.plan-edit method="post" action="/plans" {
                (csrf_field(&ctx))
                label { (ctx.t("plans.asset")) " "
                    select name="asset_code" {
                        @for a in outlets.iter().chain(plants.iter()) { option value=(a.code) { (a.code) " " (a.name) } }
                    }
                }
                label { (ctx.t("plans.water_year")) " " input type="number" name="water_year" min="2000" max="2100" value=[year] required; }
                label { (ctx.t("plans.month")) " "
                    select name="month" {
                        option value="0" { (ctx.t("plans.annual")) }
                        @for m in MONTH_ORDER { option value=(m) { (m) } }
                    }
                }
                label { (ctx.t("plans.volume")) " " input type="number" name="volume_wan_m3" min="0" step="any" required; }
                button type="submit" { (ctx.t("plans.set")) }
            }
        } @else {
            p.note { (ctx.t("plans.readonly")) }
        }
    };
    Ok(frame(&ctx, ctx.t("plans.title"), body))
}

/// The plan form: volume in 10⁴ m³ as operators write it.
#[derive(Debug, Deserialize)]
pub struct PlanForm {
    asset_code: String,
    water_year: i32,
    month: u32,
    volume_wan_m3: f64,
}

/// `POST /plans` (operator; audited).
pub async fn set_plan(
    State(state): State<AppState>,
    FormAs(session, form): FormAs<1, PlanForm>,
) -> Result<Response, PageError> {
    if !form.volume_wan_m3.is_finite() {
        return Err(ServerError::BadRequest("volume: expected a number".into()).into());
    }
    let change = PlanChange {
        asset_code: form.asset_code,
        water_year: form.water_year,
        month: form.month,
        volume_m3: form.volume_wan_m3 * 1.0e4,
    };
    plans::set(&state.store, &session.user.username, &change).await?;
    state.reports.clear();
    Ok(Redirect::to(&format!("/plans?water_year={}&saved=1", change.water_year)).into_response())
}
