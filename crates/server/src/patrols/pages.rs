//! Patrol pages: due and overdue tasks, the record form (checklist, findings, defect, photo),
//! defects and their steps, a day's route by chainage, and a month's compliance as bars.

use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use danjiang_drawing::chart::{bar_chart, BarChart, BarMode, BarSeries};
use danjiang_ops::patrols::{self, DefectState, DueState, PhotoUpload};
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

use super::work::{
    advance, day_route, default_day, defect_list, due_list, find_defect, month_compliance,
    record_list, store_record, to_record, DefectStep, DueParams, NewDefect, NewRecord,
};
use crate::web::auth::{tokens_equal, FormAs};
use crate::web::dates::station_now;
use crate::web::error::{upload_error, ServerError};
use crate::web::layout;
use crate::web::layout::{csrf_field, encode, frame};
use crate::web::page::{Ctx, PageError, PageOf, ViewerPage};
use crate::web::paging::Paging;
use crate::web::paging::{pager, ROWS_PER_PAGE};
use crate::web::session::Role;
use crate::web::state::AppState;

fn tabs(ctx: &Ctx, here: &str) -> Markup {
    let entries = [
        ("/patrols", "patrols.due"),
        ("/patrols/record", "patrols.record"),
        ("/patrols/defects", "patrols.defects"),
        ("/patrols/route", "patrols.route"),
        ("/patrols/compliance", "patrols.compliance"),
    ];
    layout::tabs(ctx, &entries, here)
}

fn due_badge(ctx: &Ctx, state: DueState) -> Markup {
    let (css, key) = match state {
        DueState::Overdue => ("due-overdue", "patrols.overdue"),
        DueState::Due => ("due-due", "patrols.due_today"),
        DueState::Upcoming => ("due-upcoming", "patrols.upcoming"),
    };
    html! { span class={ "badge " (css) } { (ctx.t(key)) } }
}

fn state_badge(ctx: &Ctx, state: DefectState) -> Markup {
    let name = state.to_string();
    html! { span class={ "badge state-" (name) } { (ctx.t(&format!("patrols.state_{name}"))) } }
}

fn nonempty(text: &Option<String>) -> Option<String> {
    text.clone().filter(|t| !t.trim().is_empty())
}

/// The due page's query.
#[derive(Debug, Default, Deserialize)]
pub struct DueQuery {
    date: Option<String>,
    station: Option<String>,
    state: Option<String>,
    offset: Option<i64>,
    saved: Option<i64>,
}

/// `GET /patrols`: due and overdue tasks on a day.
pub async fn due(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
    Query(query): Query<DueQuery>,
) -> Result<Markup, PageError> {
    let paging = Paging::of(Some(ROWS_PER_PAGE), query.offset)?;
    let params = DueParams {
        date: nonempty(&query.date),
        station: nonempty(&query.station),
        state: Some(nonempty(&query.state).unwrap_or_else(|| "overdue".to_string()))
            .filter(|s| s != "all"),
        ..DueParams::default()
    };
    let list = due_list(&state, &params, paging).await?;
    let stations = patrols::due_tasks(&state.store, list.date, None)
        .await?
        .into_iter()
        .map(|t| t.station)
        .collect::<std::collections::BTreeSet<_>>();
    let station = params.station.clone().unwrap_or_default();
    let wanted = query.state.clone().unwrap_or_else(|| "overdue".to_string());
    let date = list.date.to_string();
    let link = |offset: i64| {
        format!(
            "/patrols?date={date}&station={}&state={}&offset={offset}",
            encode(&station),
            encode(&wanted)
        )
    };
    let body = html! {
        (tabs(&ctx, "/patrols"))
        @if let Some(id) = query.saved { p.notice role="status" { (ctx.t("patrols.saved")) " #" (id) } }
        form.filters method="get" action="/patrols" {
            label { (ctx.t("patrols.date")) " " input type="date" name="date" value=(date); }
            label { (ctx.t("patrols.station")) " "
                select name="station" {
                    option value="" { (ctx.t("patrols.all_stations")) }
                    @for s in &stations { option value=(s) selected[*s == station] { (s) } }
                }
            }
            label { (ctx.t("patrols.show")) " "
                select name="state" {
                    @for (value, key) in [("overdue", "patrols.overdue"), ("due", "patrols.due_today"), ("upcoming", "patrols.upcoming"), ("all", "patrols.all_tasks")] {
                        option value=(value) selected[value == wanted] { (ctx.t(key)) }
                    }
                }
            }
            button type="submit" { (ctx.t("ledger.show")) }
        }
        div.cards {
            div.card.overdue-count { p.note { (ctx.t("patrols.overdue")) } p.figure { span.value { (list.overdue) } } }
            div.card { p.note { (ctx.t("patrols.due_today")) } p.figure { span.value { (list.due) } } }
        }
        @if list.page.items.is_empty() {
            p.empty { (ctx.t("patrols.no_tasks")) }
        } @else {
            table.due {
                thead { tr {
                    th { (ctx.t("patrols.state")) } th { (ctx.t("patrols.plan")) } th { (ctx.t("patrols.asset")) }
                    th { (ctx.t("patrols.station")) } th { (ctx.t("patrols.last_done")) } th { (ctx.t("patrols.due_on")) }
                    th.num { (ctx.t("patrols.days_overdue")) } th {}
                } }
                tbody {
                    @for t in &list.page.items {
                        tr {
                            td { (due_badge(&ctx, t.state)) }
                            td { (t.plan) }
                            td { a href={ "/assets/" (encode(&t.asset)) } { (t.asset) } }
                            td { (t.station) }
                            td { (t.last_done.map(|d| d.to_string()).unwrap_or_default()) }
                            td { (t.due) }
                            td.num { (t.days_overdue) }
                            td { a href={ "/patrols/record?plan=" (encode(&t.plan)) "&asset=" (encode(&t.asset)) } { (ctx.t("patrols.record_it")) } }
                        }
                    }
                }
            }
            (pager(&ctx, paging, list.page.total, link))
        }
        p.exports { a href={ "/api/v1/patrols/due?date=" (date) } { "JSON" } }
    };
    Ok(frame(&ctx, ctx.t("patrols.title"), body))
}

/// The record page's query: the plan and asset chosen.
#[derive(Debug, Default, Deserialize)]
pub struct RecordQuery {
    plan: Option<String>,
    asset: Option<String>,
    offset: Option<i64>,
}

/// `GET /patrols/record`: pick a plan, then the record form with its checklist; the newest
/// records below.
pub async fn record_form(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
    Query(query): Query<RecordQuery>,
) -> Result<Markup, PageError> {
    let stored = patrols::plans(&state.store).await?;
    let plan_id = nonempty(&query.plan);
    let plan = plan_id.as_deref().and_then(|id| stored.plans.plan(id));
    if let (Some(id), None) = (&plan_id, plan) {
        return Err(ServerError::NotFound(format!("patrol plan `{id}`")).into());
    }
    let assets = match plan {
        Some(p) => patrols::plan_assets(&state.store, &p.id).await?,
        None => Vec::new(),
    };
    let chosen = nonempty(&query.asset).unwrap_or_default();
    let paging = Paging::of(Some(ROWS_PER_PAGE), query.offset)?;
    let recent = record_list(&state, None, paging).await?;
    let can_edit = ctx.session.user.role >= Role::Operator;
    let now = station_now().format("%Y-%m-%dT%H:%M").to_string();
    let body = html! {
        (tabs(&ctx, "/patrols/record"))
        @if can_edit {
            form.filters method="get" action="/patrols/record" {
                label { (ctx.t("patrols.plan")) " "
                    select name="plan" {
                        @for p in &stored.plans.plans {
                            option value=(p.id) selected[Some(&p.id) == plan_id.as_ref()] { (p.id) " — " (p.task) }
                        }
                    }
                }
                button type="submit" { (ctx.t("patrols.choose_plan")) }
            }
            @if let Some(plan) = plan {
                div.forms {
                    form.patrol-record method="post" action="/patrols/records" enctype="multipart/form-data" {
                        h2 { (plan.id) " — " (plan.task) }
                        (csrf_field(&ctx))
                        input type="hidden" name="plan" value=(plan.id);
                        label { (ctx.t("patrols.asset")) " "
                            select name="asset" required {
                                @for a in &assets { option value=(a.id) selected[a.id == chosen] { (a.id) " (" (a.station) ")" } }
                            }
                        }
                        label { (ctx.t("patrols.time")) " " input type="datetime-local" name="time" value=(now) required; }
                        fieldset.checklist {
                            legend { (ctx.t("patrols.checklist")) }
                            @for (i, question) in plan.checklist.iter().enumerate() {
                                label style="flex-direction: row; gap: .4rem" {
                                    input type="checkbox" name={ "answer-" (i) } value="yes" checked;
                                    (question)
                                }
                            }
                        }
                        label { (ctx.t("patrols.findings")) " " textarea name="findings" rows="3" {} }
                        label { (ctx.t("patrols.defect_severity")) " "
                            select name="defect_severity" {
                                option value="" { (ctx.t("patrols.no_defect")) }
                                @for s in ["minor", "major", "critical"] { option value=(s) { (ctx.t(&format!("patrols.severity_{s}"))) } }
                            }
                        }
                        label { (ctx.t("patrols.defect_description")) " " input type="text" name="defect_description"; }
                        label { (ctx.t("patrols.photo")) " " input type="file" name="photo" accept="image/*"; }
                        button type="submit" { (ctx.t("patrols.save_record")) }
                    }
                }
            }
        } @else {
            p.note { (ctx.t("patrols.readonly")) }
        }
        h2 { (ctx.t("patrols.recent")) }
        table.records {
            thead { tr {
                th { "#" } th { (ctx.t("patrols.time")) } th { (ctx.t("patrols.plan")) } th { (ctx.t("patrols.asset")) }
                th { (ctx.t("patrols.inspector")) } th { (ctx.t("patrols.checklist")) } th { (ctx.t("patrols.findings")) } th { (ctx.t("patrols.photo")) }
            } }
            tbody {
                @for r in &recent.items {
                    tr {
                        td { (r.id) }
                        td { (r.record.time.format("%Y-%m-%d %H:%M")) }
                        td { (r.record.plan) }
                        td { (r.record.asset) }
                        td { (r.record.inspector) }
                        td { (r.record.answers.values().filter(|v| **v).count()) " / " (r.record.answers.len()) }
                        td { (r.record.findings) }
                        td { @for h in &r.record.photos { a href={ "/api/v1/patrols/photos/" (h) } { "▣" } " " } }
                    }
                }
            }
        }
        (pager(&ctx, paging, recent.total, |o| format!("/patrols/record?offset={o}")))
    };
    Ok(frame(&ctx, ctx.t("patrols.record_title"), body))
}

/// `POST /patrols/records`: the record form (multipart for the photo; operator; CSRF field;
/// audited).
pub async fn record_submit(
    State(state): State<AppState>,
    PageOf(ctx): PageOf<1>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, PageError> {
    let bad = |e: String| ServerError::BadRequest(format!("record form: {e}"));
    let mut multipart = multipart.map_err(|e| bad(e.body_text()))?;
    let mut fields: std::collections::BTreeMap<String, String> = Default::default();
    let mut photos = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| upload_error("record form", &e))?
    {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field
            .bytes()
            .await
            .map_err(|e| upload_error("record form", &e))?;
        if name == "photo" {
            if !bytes.is_empty() {
                photos.push(PhotoUpload {
                    file_name: file_name.unwrap_or_else(|| "photo.jpg".to_string()),
                    bytes: bytes.to_vec(),
                });
            }
        } else {
            fields.insert(name, String::from_utf8_lossy(&bytes).to_string());
        }
    }
    let field = |name: &str| fields.get(name).cloned().unwrap_or_default();
    if !tokens_equal(&field("csrf"), &ctx.session.csrf) {
        return Err(ServerError::Csrf.into());
    }
    let stored = patrols::plans(&state.store).await?;
    let plan_id = field("plan");
    let plan = stored
        .plans
        .plan(&plan_id)
        .ok_or_else(|| bad(format!("plan: unknown plan `{plan_id}`")))?;
    // An unticked box is not sent: every question of the checklist is answered, yes or no.
    let answers = plan
        .checklist
        .iter()
        .enumerate()
        .map(|(i, q)| (q.clone(), fields.contains_key(&format!("answer-{i}"))))
        .collect();
    let severity = field("defect_severity");
    let defects = if severity.trim().is_empty() {
        Vec::new()
    } else {
        vec![NewDefect {
            severity,
            description: field("defect_description"),
        }]
    };
    let record = NewRecord {
        plan: plan_id,
        asset: field("asset"),
        inspector: Some(ctx.session.user.display_name.clone()),
        time: field("time"),
        answers,
        findings: field("findings"),
        position: None,
        defects,
        photos: Vec::new(),
    };
    let record = to_record(&record, &ctx.session.user.username, photos)?;
    let outcome = store_record(&state, &ctx.session.user.username, &record).await?;
    Ok(Redirect::to(&format!(
        "/patrols?saved={}&date={}",
        outcome.id,
        record.time.date()
    ))
    .into_response())
}

/// The defects page's query.
#[derive(Debug, Default, Deserialize)]
pub struct DefectQuery {
    state: Option<String>,
    offset: Option<i64>,
}

/// `GET /patrols/defects`: defects, newest first, by state.
pub async fn defects(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
    Query(query): Query<DefectQuery>,
) -> Result<Markup, PageError> {
    let paging = Paging::of(Some(ROWS_PER_PAGE), query.offset)?;
    let wanted = query.state.clone().unwrap_or_default();
    let list = defect_list(&state, Some(wanted.as_str()), None, paging).await?;
    let states = ["open", "assigned", "repaired", "verified", "closed"];
    let body = html! {
        (tabs(&ctx, "/patrols/defects"))
        form.filters method="get" action="/patrols/defects" {
            label { (ctx.t("patrols.state")) " "
                select name="state" {
                    option value="" { (ctx.t("patrols.all_states")) }
                    @for s in states { option value=(s) selected[s == wanted] { (ctx.t(&format!("patrols.state_{s}"))) } }
                }
            }
            button type="submit" { (ctx.t("ledger.show")) }
        }
        @if list.items.is_empty() {
            p.empty { (ctx.t("patrols.no_defects")) }
        } @else {
            table.defects {
                thead { tr {
                    th { (ctx.t("patrols.defect")) } th { (ctx.t("patrols.state")) } th { (ctx.t("patrols.severity")) }
                    th { (ctx.t("patrols.asset")) } th { (ctx.t("patrols.description")) } th { (ctx.t("patrols.last_step")) }
                } }
                tbody {
                    @for d in &list.items {
                        tr {
                            td { a href={ "/patrols/defects/" (encode(&d.defect.id)) } { (d.defect.id) } }
                            td { (state_badge(&ctx, d.state)) }
                            td { (ctx.t(&format!("patrols.severity_{}", serde_json::to_value(d.defect.severity).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()))) }
                            td { (d.defect.asset) }
                            td { (d.defect.description) }
                            td { @if let Some(last) = d.defect.history.last() { (last.at.format("%Y-%m-%d %H:%M")) " · " (last.by) } }
                        }
                    }
                }
            }
            (pager(&ctx, paging, list.total, |o| format!("/patrols/defects?state={}&offset={o}", encode(&wanted))))
        }
    };
    Ok(frame(&ctx, ctx.t("patrols.defects_title"), body))
}

/// `GET /patrols/defects/{id}`: a defect's history and, for operators, its next steps.
pub async fn defect(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
    Path(id): Path<String>,
) -> Result<Markup, PageError> {
    let d = find_defect(&state, &id).await?;
    let can_edit = ctx.session.user.role >= Role::Operator;
    let body = html! {
        (tabs(&ctx, "/patrols/defects"))
        div.result {
            span.big { (d.defect.id) } " " (state_badge(&ctx, d.state))
            p { (ctx.t("patrols.asset")) ": " (d.defect.asset) " · " (ctx.t("patrols.description")) ": " (d.defect.description) }
            @if let Some(record) = d.record_id { p.note { (ctx.t("patrols.found_on_record")) " #" (record) } }
        }
        h2 { (ctx.t("patrols.history")) }
        table.history {
            thead { tr { th { (ctx.t("patrols.state")) } th { (ctx.t("patrols.by")) } th { (ctx.t("patrols.at")) } th { (ctx.t("patrols.note")) } } }
            tbody {
                @for step in &d.defect.history {
                    tr { td { (state_badge(&ctx, step.state)) } td { (step.by) } td { (step.at.format("%Y-%m-%d %H:%M")) } td { (step.note) } }
                }
            }
        }
        @if can_edit && !d.state.next_allowed().is_empty() {
            div.forms {
                @for next in d.state.next_allowed() {
                    form.defect-step method="post" action={ "/patrols/defects/" (encode(&d.defect.id)) } {
                        (csrf_field(&ctx))
                        input type="hidden" name="state" value=(next.to_string());
                        label { (ctx.t("patrols.note")) " " input type="text" name="note"; }
                        button type="submit" name="go" value=(next.to_string()) { (ctx.t("patrols.move_to")) " " (ctx.t(&format!("patrols.state_{next}"))) }
                    }
                }
            }
        }
        p.exports { a href={ "/api/v1/patrols/defects/" (encode(&d.defect.id)) } { "JSON" } }
    };
    Ok(frame(
        &ctx,
        &format!("{} {}", ctx.t("patrols.defect"), d.defect.id),
        body,
    ))
}

/// A defect step form.
#[derive(Debug, Deserialize)]
pub struct StepForm {
    state: String,
    #[serde(default)]
    note: String,
}

/// `POST /patrols/defects/{id}` (operator; audited).
pub async fn step(
    State(state): State<AppState>,
    Path(id): Path<String>,
    FormAs(session, form): FormAs<1, StepForm>,
) -> Result<Response, PageError> {
    let step = DefectStep {
        state: form.state,
        at: None,
        note: form.note,
    };
    advance(&state, &session.user.username, &id, &step).await?;
    Ok(Redirect::to(&format!("/patrols/defects/{}", encode(&id))).into_response())
}

/// The route page's query.
#[derive(Debug, Default, Deserialize)]
pub struct RouteQuery {
    line: Option<String>,
    date: Option<String>,
}

/// `GET /patrols/route`: a day's tasks along a line, by chainage.
pub async fn route(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
    Query(query): Query<RouteQuery>,
) -> Result<Markup, PageError> {
    let lines = patrols::route_lines(&state.store).await?;
    let line = nonempty(&query.line).or_else(|| lines.first().cloned());
    let route = match &line {
        Some(line) => Some(day_route(&state, line, query.date.as_deref()).await?),
        None => None,
    };
    let date = match &route {
        Some(r) => r.date,
        None => default_day(&state).await?,
    };
    let body = html! {
        (tabs(&ctx, "/patrols/route"))
        form.filters method="get" action="/patrols/route" {
            label { (ctx.t("patrols.line")) " "
                select name="line" {
                    @for l in &lines { option value=(l) selected[Some(l) == line.as_ref()] { (l) } }
                }
            }
            label { (ctx.t("patrols.date")) " " input type="date" name="date" value=(date.to_string()); }
            button type="submit" { (ctx.t("ledger.show")) }
        }
        @match &route {
            Some(r) if !r.stops.is_empty() => {
                p.note { (r.stops.len()) " " (ctx.t("patrols.stops")) }
                table.route {
                    thead { tr {
                        th.num { (ctx.t("patrols.chainage")) } th { (ctx.t("patrols.asset")) } th { (ctx.t("patrols.plan")) }
                        th { (ctx.t("patrols.state")) } th { (ctx.t("patrols.due_on")) } th.num { (ctx.t("patrols.days_overdue")) }
                    } }
                    tbody {
                        @for s in &r.stops {
                            tr {
                                td.num { (format!("{:.3}", s.chainage_km)) }
                                td { (s.task.asset) }
                                td { (s.task.plan) }
                                td { (due_badge(&ctx, s.task.state)) }
                                td { (s.task.due) }
                                td.num { (s.task.days_overdue) }
                            }
                        }
                    }
                }
            }
            _ => { p.empty { (ctx.t("patrols.no_stops")) } }
        }
    };
    Ok(frame(&ctx, ctx.t("patrols.route_title"), body))
}

/// The compliance page's query.
#[derive(Debug, Default, Deserialize)]
pub struct ComplianceQuery {
    month: Option<String>,
}

/// `GET /patrols/compliance`: a month's visits per station, as bars and a table.
pub async fn compliance(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
    Query(query): Query<ComplianceQuery>,
) -> Result<Markup, PageError> {
    let report = month_compliance(&state, query.month.as_deref(), None).await?;
    let mut chart = BarChart::new("patrol-compliance", ctx.t("patrols.chart"));
    chart.mode = BarMode::Stacked;
    chart.categories = report
        .stations
        .iter()
        .map(|s| s.compliance.station.clone())
        .collect();
    let series = |key: &str, f: fn(&danjiang_ops::patrols::StationCompliance) -> u32| {
        BarSeries::new(
            ctx.t(key),
            report.stations.iter().map(|s| f64::from(f(s))).collect(),
        )
    };
    chart.series = vec![
        series("patrols.done", |s| s.compliance.done),
        series("patrols.late", |s| s.compliance.late),
        series("patrols.missed", |s| s.compliance.missed),
        series("patrols.pending", |s| s.compliance.pending),
    ];
    chart.y_label = ctx.t("patrols.visits").to_string();
    chart.empty_note = ctx.t("patrols.no_tasks").to_string();
    let svg = bar_chart(&chart).map_err(|e| ServerError::BadRequest(e.to_string()))?;
    let body = html! {
        (tabs(&ctx, "/patrols/compliance"))
        form.filters method="get" action="/patrols/compliance" {
            label { (ctx.t("quality.month")) " " input type="month" name="month" value=(report.month); }
            button type="submit" { (ctx.t("ledger.show")) }
        }
        p.note { (ctx.t("patrols.as_of")) " " (report.as_of) }
        section.chart-box { (PreEscaped(svg)) }
        table.compliance {
            thead { tr {
                th { (ctx.t("patrols.station")) } th.num { (ctx.t("patrols.planned")) } th.num { (ctx.t("patrols.done")) }
                th.num { (ctx.t("patrols.late")) } th.num { (ctx.t("patrols.missed")) } th.num { (ctx.t("patrols.pending")) }
                th.num { (ctx.t("patrols.on_time")) }
            } }
            tbody {
                @for s in &report.stations {
                    tr {
                        td { (s.compliance.station) }
                        td.num { (s.compliance.planned) } td.num { (s.compliance.done) } td.num { (s.compliance.late) }
                        td.num { (s.compliance.missed) } td.num { (s.compliance.pending) }
                        td.num { (format!("{:.1} %", s.on_time_percent)) }
                    }
                }
            }
        }
        p.exports { a href={ "/api/v1/patrols/compliance?month=" (report.month) } { "JSON" } }
    };
    Ok(frame(&ctx, ctx.t("patrols.compliance_title"), body))
}
