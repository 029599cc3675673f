//! Water-quality pages: the sample register (with entry form and CSV upload for operators), a
//! site's monthly and yearly classes, the alerts, and an item's trend with Mann-Kendall and Sen.

use axum::extract::{Multipart, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, NaiveDateTime};
use danjiang_assessment::{
    label_to_years, ItemKind, Period, TrendDirection, WaterBody, WaterClass,
};
use danjiang_drawing::chart::{
    bar_chart, line_chart, BarChart, BarSeries, LineChart, Series, XAxis,
};
use danjiang_ops::samples;
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

use super::samples::{
    alert_list, enter_sample, import_csv, item_infos, latest_year, parse_period, sample_list,
    site_classes, trend_report, year_range, ItemInfo, NewSample, SampleParams,
};
use crate::web::auth::{tokens_equal, FormAs};
use crate::web::error::{upload_error, ServerError};
use crate::web::i18n::Language;
use crate::web::layout::{self, csrf_field, encode, frame};
use crate::web::page::{Ctx, PageError, PageOf, ViewerPage};
use crate::web::paging::{pager, Paging, ROWS_PER_PAGE};
use crate::web::session::Role;
use crate::web::state::AppState;

/// A class as a coloured badge, in the reader's language.
pub fn class_badge(ctx: &Ctx, class: Option<WaterClass>) -> Markup {
    match class {
        None => html! { span.badge { "—" } },
        Some(class) => {
            let css = match class {
                WaterClass::WorseThanV => "class-worse".to_string(),
                other => format!("class-{}", other.as_str()),
            };
            let text = if ctx.language == Language::Chinese {
                class.as_chinese().to_string()
            } else {
                class.as_str().to_string()
            };
            html! { span class={ "badge " (css) } { (text) } }
        }
    }
}

fn tabs(ctx: &Ctx, here: &str) -> Markup {
    let entries = [
        ("/quality", "quality.register"),
        ("/quality/classes", "quality.classes"),
        ("/quality/alerts", "quality.alerts"),
        ("/quality/trend", "quality.trend"),
    ];
    layout::tabs(ctx, &entries, here)
}

fn item_name(ctx: &Ctx, items: &[ItemInfo], code: &str) -> String {
    match items.iter().find(|i| i.code == code) {
        Some(i) if ctx.language == Language::Chinese && !i.name_zh.is_empty() => {
            format!("{} {}", i.code, i.name_zh)
        }
        Some(i) => format!("{} {}", i.code, i.name),
        None => code.to_string(),
    }
}

fn number(value: f64) -> String {
    let text = if value == 0.0 {
        "0".to_string()
    } else if value.abs() >= 100.0 {
        format!("{value:.1}")
    } else if value.abs() >= 1.0 {
        format!("{value:.3}")
    } else {
        format!("{value:.4}")
    };
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// The register page's query: filters, paging and what was just done.
#[derive(Debug, Default, Deserialize)]
pub struct RegisterQuery {
    site: Option<String>,
    item: Option<String>,
    month: Option<String>,
    offset: Option<i64>,
    saved: Option<String>,
    imported: Option<usize>,
}

/// `GET /quality`: the sample register.
pub async fn register(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
    Query(query): Query<RegisterQuery>,
) -> Result<Markup, PageError> {
    let paging = Paging::of(Some(ROWS_PER_PAGE), query.offset)?;
    let params = SampleParams {
        site: query.site.clone(),
        item: query.item.clone(),
        month: query.month.clone(),
        ..SampleParams::default()
    };
    let list = sample_list(&state, &params, paging).await?;
    let sites = samples::sites(&state.store).await?;
    let items = item_infos()?;
    let site = query.site.clone().unwrap_or_default();
    let item = query.item.clone().unwrap_or_default();
    let month = query.month.clone().unwrap_or_default();
    let link = |offset: i64| {
        format!(
            "/quality?site={}&item={}&month={}&offset={offset}",
            encode(&site),
            encode(&item),
            encode(&month)
        )
    };
    let can_edit = ctx.session.user.role >= Role::Operator;
    let body = html! {
        (tabs(&ctx, "/quality"))
        @if query.saved.is_some() { p.notice role="status" { (ctx.t("quality.saved")) } }
        @if let Some(rows) = query.imported { p.notice role="status" { (ctx.t("quality.imported")) ": " (rows) } }
        form.filters method="get" action="/quality" {
            label { (ctx.t("quality.site")) " "
                select name="site" {
                    option value="" { (ctx.t("quality.all_sites")) }
                    @for s in &sites { option value=(s.code) selected[s.code == site] { (s.code) " " (s.name) } }
                }
            }
            label { (ctx.t("quality.item")) " "
                select name="item" {
                    option value="" { (ctx.t("quality.all_items")) }
                    @for i in &items { option value=(i.code) selected[i.code == item] { (item_name(&ctx, &items, &i.code)) } }
                }
            }
            label { (ctx.t("quality.month")) " " input type="month" name="month" value=(month) placeholder="YYYY-MM"; }
            button type="submit" { (ctx.t("ledger.show")) }
        }
        p.exports { a href={ "/api/v1/quality/samples?site=" (encode(&site)) "&item=" (encode(&item)) "&month=" (encode(&month)) } { "JSON" } }
        @if list.items.is_empty() {
            p.empty { (ctx.t("quality.no_samples")) }
        } @else {
            table.samples {
                thead { tr {
                    th { (ctx.t("quality.site")) } th { (ctx.t("quality.time")) } th { (ctx.t("quality.item")) }
                    th.num { (ctx.t("quality.value")) } th { (ctx.t("quality.unit")) }
                    th { (ctx.t("quality.reported")) } th { (ctx.t("quality.method")) }
                } }
                tbody {
                    @for s in &list.items {
                        tr {
                            td { (s.site) }
                            td { (s.time.replace('T', " ")) }
                            td { (item_name(&ctx, &items, &s.item)) }
                            td.num {
                                @if s.below_detection {
                                    "< " (s.detection_limit.map(number).unwrap_or_default())
                                } @else {
                                    (s.value.map(number).unwrap_or_default())
                                }
                            }
                            td { (s.unit) }
                            td { (s.reported_value) " " (s.reported_unit) }
                            td { (s.method.clone().unwrap_or_default()) }
                        }
                    }
                }
            }
            (pager(&ctx, paging, list.total, link))
        }
        @if can_edit {
            div.forms {
                form.sample-entry method="post" action="/quality/samples" {
                    h2 { (ctx.t("quality.enter")) }
                    (csrf_field(&ctx))
                    label { (ctx.t("quality.site")) " "
                        select name="site" required {
                            @for s in &sites { option value=(s.code) selected[s.code == site] { (s.code) " " (s.name) } }
                        }
                    }
                    label { (ctx.t("quality.time")) " " input type="datetime-local" name="time" required; }
                    label { (ctx.t("quality.item")) " "
                        select name="item" required {
                            @for i in &items { option value=(i.code) selected[i.code == item] { (item_name(&ctx, &items, &i.code)) } }
                        }
                    }
                    label { (ctx.t("quality.value")) " " input type="text" name="value" required placeholder="0.52, <0.01, 0.01L, ND"; }
                    label { (ctx.t("quality.unit")) " " input type="text" name="unit" placeholder="mg/L, µg/L, MPN/100mL"; }
                    label { (ctx.t("quality.detection_limit")) " " input type="text" name="detection_limit"; }
                    label { (ctx.t("quality.method")) " " input type="text" name="method"; }
                    button type="submit" { (ctx.t("quality.save")) }
                }
                form.sample-import method="post" action="/quality/import" enctype="multipart/form-data" {
                    h2 { (ctx.t("quality.import")) }
                    (csrf_field(&ctx))
                    p.note { (ctx.t("quality.import_note")) }
                    label { (ctx.t("quality.file")) " " input type="file" name="file" accept=".csv,text/csv" required; }
                    button type="submit" { (ctx.t("quality.upload")) }
                }
            }
        } @else {
            p.note { (ctx.t("quality.readonly")) }
        }
    };
    Ok(frame(&ctx, ctx.t("quality.title"), body))
}

/// The entry form.
#[derive(Debug, Deserialize)]
pub struct SampleForm {
    site: String,
    time: String,
    item: String,
    value: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    detection_limit: String,
}

/// `POST /quality/samples` (operator; audited).
pub async fn enter(
    State(state): State<AppState>,
    FormAs(session, form): FormAs<1, SampleForm>,
) -> Result<Response, PageError> {
    let sample = NewSample {
        site: form.site.clone(),
        time: form.time,
        item: form.item.clone(),
        value: form.value,
        unit: form.unit,
        method: Some(form.method).filter(|m| !m.trim().is_empty()),
        detection_limit: Some(form.detection_limit).filter(|d| !d.trim().is_empty()),
    };
    enter_sample(&state, &session.user.username, &sample).await?;
    Ok(Redirect::to(&format!(
        "/quality?site={}&item={}&saved=1",
        encode(&form.site),
        encode(&form.item)
    ))
    .into_response())
}

/// `POST /quality/import`: a CSV file uploaded from the form (operator; CSRF field; audited).
pub async fn import(
    State(state): State<AppState>,
    PageOf(ctx): PageOf<1>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, PageError> {
    let mut multipart =
        multipart.map_err(|e| ServerError::BadRequest(format!("upload: {}", e.body_text())))?;
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| upload_error("upload", &e))?
    {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field
            .bytes()
            .await
            .map_err(|e| upload_error("upload", &e))?;
        match name.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&bytes).to_string(),
            "file" => {
                file = Some((
                    file_name.unwrap_or_else(|| "samples.csv".to_string()),
                    bytes.to_vec(),
                ))
            }
            _ => {}
        }
    }
    if !tokens_equal(&csrf, &ctx.session.csrf) {
        return Err(ServerError::Csrf.into());
    }
    let (name, bytes) = file.filter(|(_, b)| !b.is_empty()).ok_or_else(|| {
        ServerError::BadRequest("file: expected a CSV file, found nothing".into())
    })?;
    let outcome = import_csv(&state, &ctx.session.user.username, &name, &bytes).await?;
    Ok(Redirect::to(&format!("/quality?imported={}", outcome.rows)).into_response())
}

/// The classes page's query.
#[derive(Debug, Default, Deserialize)]
pub struct ClassQuery {
    site: Option<String>,
    year: Option<i32>,
}

/// `GET /quality/classes`: a site's monthly classes in a year and the year's class.
pub async fn classes(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
    Query(query): Query<ClassQuery>,
) -> Result<Markup, PageError> {
    let sites = samples::sites(&state.store).await?;
    let site = match query.site.filter(|s| !s.is_empty()) {
        Some(code) => Some(code),
        None => sites.first().map(|s| s.code.clone()),
    };
    let year = match query.year {
        Some(year) => Some(year),
        None => latest_year(&state, site.as_deref()).await?,
    };
    let mut months = Vec::new();
    let mut yearly = Vec::new();
    if let (Some(site), Some(year)) = (&site, year) {
        let range = year_range(Some(year), None, None)?;
        months = site_classes(&state, site, Period::Month, &range).await?;
        yearly = site_classes(&state, site, Period::Year, &range).await?;
    }
    let the_site = sites.iter().find(|s| Some(&s.code) == site.as_ref());
    let items = item_infos()?;
    let zh = ctx.language == Language::Chinese;
    let grade = |g: &Option<danjiang_assessment::Grade>| {
        g.as_ref()
            .map(|g| if zh { g.zh.clone() } else { g.en.clone() })
            .unwrap_or_default()
    };
    let class_rank =
        |c: Option<WaterClass>| c.map_or(0.0, |c| c.index().map_or(6.0, |i| i as f64 + 1.0));
    let mut chart = BarChart::new("quality-classes", ctx.t("quality.chart_classes"));
    chart.categories = months.iter().map(|m| m.time.clone()).collect();
    chart.series = vec![BarSeries::new(
        ctx.t("quality.class"),
        months.iter().map(|m| class_rank(m.class)).collect(),
    )];
    chart.y_label = ctx.t("quality.class_axis").to_string();
    chart.empty_note = ctx.t("quality.no_samples").to_string();
    if let Some(site) = the_site {
        let target = class_rank(Some(site.target_class));
        chart.plan = Some(BarSeries::new(
            ctx.t("quality.target"),
            vec![target; months.len()],
        ));
    }
    let svg = bar_chart(&chart).map_err(|e| ServerError::BadRequest(e.to_string()))?;
    let multiples = |map: &std::collections::BTreeMap<String, f64>| {
        map.iter()
            .map(|(code, m)| format!("{code} ×{m:.2}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let body = html! {
        (tabs(&ctx, "/quality/classes"))
        form.filters method="get" action="/quality/classes" {
            label { (ctx.t("quality.site")) " "
                select name="site" {
                    @for s in &sites { option value=(s.code) selected[Some(&s.code) == site.as_ref()] { (s.code) " " (s.name) } }
                }
            }
            label { (ctx.t("quality.year")) " " input type="number" name="year" min="1990" max="2100" value=[year]; }
            button type="submit" { (ctx.t("ledger.show")) }
        }
        @if let Some(s) = the_site {
            p.note {
                (ctx.t("quality.water_body")) ": " (ctx.t(match s.water_body { WaterBody::Lake => "quality.lake", _ => "quality.river" }))
                " · " (ctx.t("quality.target")) ": " (class_badge(&ctx, Some(s.target_class)))
            }
        }
        @for y in &yearly {
            div.result.yearly {
                span { (ctx.t("quality.year_class")) " " (y.time) ": " }
                span.big { (class_badge(&ctx, y.class)) } " " (grade(&y.grade))
                " · " (if y.meets_target { ctx.t("quality.meets") } else { ctx.t("quality.fails") })
                @if !y.limiting.is_empty() { " · " (ctx.t("quality.limiting")) ": " (y.limiting.join(", ")) }
                @if !y.main_pollutants.is_empty() { " · " (ctx.t("quality.main_pollutants")) ": " (y.main_pollutants.join(", ")) }
            }
        }
        section.chart-box { (PreEscaped(svg)) }
        @if !months.is_empty() {
            table.classes {
                thead { tr {
                    th { (ctx.t("quality.month")) } th { (ctx.t("quality.class")) } th { (ctx.t("quality.grade")) }
                    th { (ctx.t("quality.limiting")) } th { (ctx.t("quality.over_iii")) } th { (ctx.t("quality.over_target")) }
                    th { (ctx.t("quality.meets_target")) }
                } }
                tbody {
                    @for m in &months {
                        tr {
                            td { (m.time) }
                            td { (class_badge(&ctx, m.class)) }
                            td { (grade(&m.grade)) }
                            td { (m.limiting.iter().map(|c| item_name(&ctx, &items, c)).collect::<Vec<_>>().join(", ")) }
                            td { (multiples(&m.exceedance)) }
                            td { (multiples(&m.exceedance_over_target)) }
                            td { (if m.meets_target { ctx.t("quality.yes") } else { ctx.t("quality.no") }) }
                        }
                    }
                }
            }
        }
        @if let (Some(site), Some(year)) = (&site, year) {
            p.exports { a href={ "/api/v1/quality/sites/" (encode(site)) "/classes?period=month&year=" (year) } { "JSON" } }
        }
    };
    Ok(frame(&ctx, ctx.t("quality.classes_title"), body))
}

/// The alerts page's query.
#[derive(Debug, Default, Deserialize)]
pub struct AlertQuery {
    site: Option<String>,
    from: Option<String>,
    to: Option<String>,
    offset: Option<i64>,
}

/// `GET /quality/alerts`: results worse than their site's target class, newest first.
pub async fn alerts(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
    Query(query): Query<AlertQuery>,
) -> Result<Markup, PageError> {
    let paging = Paging::of(Some(ROWS_PER_PAGE), query.offset)?;
    let nonempty = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
    let (site, from, to) = (
        nonempty(&query.site),
        nonempty(&query.from),
        nonempty(&query.to),
    );
    let all = alert_list(&state, site.as_deref(), from.as_deref(), to.as_deref()).await?;
    let total = all.len() as i64;
    let sites = samples::sites(&state.store).await?;
    let items = item_infos()?;
    let (s, f, t) = (
        site.clone().unwrap_or_default(),
        from.clone().unwrap_or_default(),
        to.clone().unwrap_or_default(),
    );
    let link = |offset: i64| {
        format!(
            "/quality/alerts?site={}&from={}&to={}&offset={offset}",
            encode(&s),
            encode(&f),
            encode(&t)
        )
    };
    let body = html! {
        (tabs(&ctx, "/quality/alerts"))
        form.filters method="get" action="/quality/alerts" {
            label { (ctx.t("quality.site")) " "
                select name="site" {
                    option value="" { (ctx.t("quality.all_sites")) }
                    @for x in &sites { option value=(x.code) selected[x.code == s] { (x.code) " " (x.name) } }
                }
            }
            label { (ctx.t("ledger.from")) " " input type="date" name="from" value=(f); }
            label { (ctx.t("ledger.to")) " " input type="date" name="to" value=(t); }
            button type="submit" { (ctx.t("ledger.show")) }
        }
        p.note { (ctx.t("quality.alerts_note")) " · " (total) " " (ctx.t("quality.alerts_count")) }
        @if all.is_empty() {
            p.empty { (ctx.t("quality.no_alerts")) }
        } @else {
            table.alerts {
                thead { tr {
                    th { (ctx.t("quality.time")) } th { (ctx.t("quality.site")) } th { (ctx.t("quality.item")) }
                    th.num { (ctx.t("quality.value")) } th { (ctx.t("quality.class")) } th { (ctx.t("quality.target")) }
                    th.num { (ctx.t("quality.over_target")) }
                } }
                tbody {
                    @for a in all.iter().skip(paging.offset as usize).take(paging.limit as usize) {
                        tr {
                            td { (a.time.replace('T', " ")) }
                            td { (a.site) }
                            td { (item_name(&ctx, &items, &a.item)) }
                            td.num { (number(a.value)) " " (a.unit) }
                            td { (class_badge(&ctx, Some(a.class))) }
                            td { (class_badge(&ctx, Some(a.target))) }
                            td.num { @if let Some(m) = a.exceedance_over_target { "×" (format!("{m:.2}")) } }
                        }
                    }
                }
            }
            (pager(&ctx, paging, total, link))
        }
    };
    Ok(frame(&ctx, ctx.t("quality.alerts_title"), body))
}

/// The trend page's query.
#[derive(Debug, Default, Deserialize)]
pub struct TrendQuery {
    site: Option<String>,
    item: Option<String>,
    period: Option<String>,
}

/// Seconds since 1970 (local) at the middle of a period label, for the chart's time axis.
fn label_seconds(label: &str) -> Option<f64> {
    let at: NaiveDateTime = match label.len() {
        4 => NaiveDate::from_ymd_opt(label.parse().ok()?, 7, 1)?.and_hms_opt(0, 0, 0)?,
        7 => {
            let (y, m) = label.split_once('-')?;
            NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 15)?.and_hms_opt(0, 0, 0)?
        }
        _ => danjiang_assessment::samples::parse_time(label)?,
    };
    Some(at.and_utc().timestamp() as f64)
}

/// `GET /quality/trend`: the series of an item at a site with the target limit and Sen's line,
/// and the Mann-Kendall, Sen and Spearman results.
pub async fn trend(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
    Query(query): Query<TrendQuery>,
) -> Result<Markup, PageError> {
    let sites = samples::sites(&state.store).await?;
    let items = item_infos()?;
    let standard = samples::standard_items()?;
    let site = query
        .site
        .filter(|s| !s.is_empty())
        .or_else(|| sites.first().map(|s| s.code.clone()));
    let item = query
        .item
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "CODMn".to_string());
    let period = parse_period(query.period.as_deref(), Period::Month)?;
    let period_name = match period {
        Period::Sample => "sample",
        Period::Month => "month",
        Period::Year => "year",
    };
    let report = match &site {
        Some(site) => Some(
            trend_report(&state, site, &item, period, &Default::default())
                .await
                .map_err(|e| e.to_string()),
        ),
        None => None,
    };
    let the_site = sites.iter().find(|s| Some(&s.code) == site.as_ref());
    let the_item = standard.iter().find(|i| i.code.eq_ignore_ascii_case(&item));
    let unit = the_item.map(|i| i.unit.clone()).unwrap_or_default();
    let mut chart = LineChart::new(
        "quality-trend",
        format!(
            "{} · {}",
            site.clone().unwrap_or_default(),
            item_name(&ctx, &items, &item)
        ),
    );
    chart.x_axis = XAxis::DateTime;
    chart.y_label = format!("{} ({unit})", item_name(&ctx, &items, &item));
    chart.unit = unit.clone();
    chart.empty_note = ctx.t("quality.no_samples").to_string();
    if let Some(Ok(report)) = &report {
        let points: Vec<(f64, f64)> = report
            .series
            .iter()
            .filter_map(|p| Some((label_seconds(&p.label)?, p.value)))
            .collect();
        chart
            .series
            .push(Series::new(ctx.t("quality.measured"), points));
        // Sen's line: slope per year from the intercept at year zero, as the test fitted it.
        let sen = report.trend.trend.sen;
        let ends: Vec<(f64, f64)> = [report.series.first(), report.series.last()]
            .into_iter()
            .flatten()
            .filter_map(|p| {
                Some((
                    label_seconds(&p.label)?,
                    sen.intercept + sen.slope * label_to_years(&p.label)?,
                ))
            })
            .collect();
        if ends.len() == 2 {
            chart
                .series
                .push(Series::new(ctx.t("quality.sen_line"), ends));
        }
    }
    if let (Some(site), Some(standard_item)) = (the_site, the_item) {
        let limits = match site.water_body {
            WaterBody::Lake => standard_item.lake_limits.or(standard_item.limits),
            _ => standard_item.limits,
        };
        if let (Some(limits), Some(index)) = (limits, site.target_class.index()) {
            if matches!(standard_item.kind, ItemKind::Upper | ItemKind::Lower) {
                chart.thresholds.push((
                    limits[index],
                    format!(
                        "{} {}",
                        ctx.t("quality.limit_of"),
                        site.target_class.as_str()
                    ),
                ));
            }
        }
    }
    let svg = line_chart(&chart).map_err(|e| ServerError::BadRequest(e.to_string()))?;
    let direction = |d: TrendDirection| match d {
        TrendDirection::Increasing => ctx.t("quality.increasing"),
        TrendDirection::Decreasing => ctx.t("quality.decreasing"),
        TrendDirection::NoTrend => ctx.t("quality.no_trend"),
    };
    let body = html! {
        (tabs(&ctx, "/quality/trend"))
        form.filters method="get" action="/quality/trend" {
            label { (ctx.t("quality.site")) " "
                select name="site" {
                    @for s in &sites { option value=(s.code) selected[Some(&s.code) == site.as_ref()] { (s.code) " " (s.name) } }
                }
            }
            label { (ctx.t("quality.item")) " "
                select name="item" {
                    @for i in &items { option value=(i.code) selected[i.code.eq_ignore_ascii_case(&item)] { (item_name(&ctx, &items, &i.code)) } }
                }
            }
            label { (ctx.t("quality.period")) " "
                select name="period" {
                    @for (value, key) in [("sample", "quality.per_sample"), ("month", "quality.per_month"), ("year", "quality.per_year")] {
                        option value=(value) selected[value == period_name] { (ctx.t(key)) }
                    }
                }
            }
            button type="submit" { (ctx.t("ledger.show")) }
        }
        section.chart-box { (PreEscaped(svg)) }
        @match &report {
            Some(Ok(report)) => {
                @let t = &report.trend.trend;
                div.result.trend-result {
                    span.big { (direction(t.direction)) }
                    " (α = " (t.alpha) ", n = " (t.n) ", " (report.trend.from) " – " (report.trend.to) ")"
                }
                table.trend {
                    tbody {
                        tr { th { "Mann-Kendall S" } td { (t.mann_kendall.s) } }
                        tr { th { "Z" } td { (format!("{:.3}", t.mann_kendall.z)) } }
                        tr { th { "p" } td { (format!("{:.4}", t.mann_kendall.p_value)) } }
                        tr { th { "Kendall τ" } td { (format!("{:.3}", t.mann_kendall.tau)) } }
                        tr { th { (ctx.t("quality.sen_slope")) } td { (format!("{:.5}", t.sen.slope)) " " (unit) " / " (ctx.t("quality.per_year_unit")) } }
                        tr { th { "Spearman ρ" } td { (format!("{:.3}", t.spearman.rho)) " (p = " (format!("{:.4}", t.spearman.p_value)) ")" } }
                    }
                }
                @if let Some(site) = &site {
                    p.exports { a href={ "/api/v1/quality/trend?site=" (encode(site)) "&item=" (encode(&item)) "&period=" (period_name) } { "JSON" } }
                }
            }
            Some(Err(message)) => { p.empty { (message) } }
            None => { p.empty { (ctx.t("quality.no_samples")) } }
        }
    };
    Ok(frame(&ctx, ctx.t("quality.trend_title"), body))
}
