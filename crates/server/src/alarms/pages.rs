//! The alarm list page: filters, each alarm with its state, and for operators the forms that
//! acknowledge (with a note, kept as typed when refused), shelve and unshelve.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use danjiang_ops::telemetry::alarms;
use maud::{html, Markup};
use serde::Deserialize;

use super::work::{alarm_page, AlarmParams};
use crate::web::auth::{plain_form, tokens_equal};
use crate::web::error::ServerError;
use crate::web::layout::{csrf_field, frame, ops_style};
use crate::web::notify::AlarmView;
use crate::web::page::{Ctx, PageError, PageOf, ViewerPage};
use crate::web::paging::{pager, Paging, ROWS_PER_PAGE};
use crate::web::session::Role;
use crate::web::state::AppState;

/// The filters as a form sends them (empty fields are no filter), and what was just done.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
pub struct ListQuery {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    state: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    tag: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    priority: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    from: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    offset: Option<i64>,
    #[serde(default, skip_serializing)]
    done: Option<String>,
    #[serde(default, skip_serializing)]
    id: Option<i64>,
}

impl ListQuery {
    /// The filters alone, as a query string (safe in a URL).
    fn filters(&self) -> String {
        serde_urlencoded::to_string(self).unwrap_or_default()
    }

    fn params(&self) -> Result<AlarmParams, ServerError> {
        let text = |s: &String| Some(s.clone()).filter(|s| !s.trim().is_empty());
        let priority = match self.priority.trim() {
            "" => None,
            p => Some(p.parse().map_err(|_| {
                ServerError::BadRequest(format!("priority: `{p}` is not 1, 2 or 3"))
            })?),
        };
        Ok(AlarmParams {
            state: text(&self.state),
            tag: text(&self.tag),
            priority,
            from: text(&self.from),
            to: text(&self.to),
            limit: Some(ROWS_PER_PAGE),
            offset: self.offset,
        })
    }
}

/// A refused acknowledgement: the alarm, the note as typed and why.
struct Refused {
    id: i64,
    note: String,
    message: String,
}

/// `GET /alarms`: the alarm list.
pub async fn list(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
    Query(query): Query<ListQuery>,
) -> Result<Markup, PageError> {
    render(&state, &ctx, &query, None).await
}

const STATES: [&str; 7] = [
    "open",
    "active",
    "acknowledged",
    "cleared_unacknowledged",
    "shelved",
    "closed",
    "all",
];

fn filters(ctx: &Ctx, query: &ListQuery) -> Markup {
    let state = if query.state.is_empty() {
        "open"
    } else {
        query.state.as_str()
    };
    html! {
        form.filters method="get" action="/alarms" {
            label { (ctx.t("alarms.state")) " "
                select name="state" {
                    @for s in STATES {
                        option value=(s) selected[s == state] { (ctx.t(&format!("alarms.state_{s}"))) }
                    }
                }
            }
            label { (ctx.t("alarms.tag")) " " input type="text" name="tag" value=(query.tag); }
            label { (ctx.t("alarms.priority")) " "
                select name="priority" {
                    option value="" { (ctx.t("alarms.any_priority")) }
                    @for p in ["1", "2", "3"] { option value=(p) selected[p == query.priority] { (p) } }
                }
            }
            label { (ctx.t("alarms.from")) " " input type="text" name="from" value=(query.from) placeholder="YYYY-MM-DD HH:MM"; }
            label { (ctx.t("alarms.to")) " " input type="text" name="to" value=(query.to) placeholder="YYYY-MM-DD HH:MM"; }
            button type="submit" { (ctx.t("ledger.show")) }
        }
    }
}

fn number(value: Option<f64>) -> String {
    value
        .map(|v| {
            format!("{v:.3}")
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string()
        })
        .unwrap_or_default()
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    query: &ListQuery,
    refused: Option<&Refused>,
) -> Result<Markup, PageError> {
    let params = query.params()?;
    let paging = Paging::of(params.limit, params.offset)?;
    let list = alarm_page(state, &params, paging).await?;
    let back = query.filters();
    let can_act = ctx.session.user.role >= Role::Operator;
    let link = |offset: i64| {
        let mut page = query.clone();
        page.offset = Some(offset);
        format!("/alarms?{}", page.filters())
    };
    let body = html! {
        (ops_style())
        @if let (Some(done), Some(id)) = (&query.done, query.id) {
            @if ["acknowledged", "shelved", "unshelved"].contains(&done.as_str()) {
                p.notice role="status" { (ctx.t(&format!("alarms.done_{done}"))) " #" (id) }
            }
        }
        @if let Some(refused) = refused {
            p.error role="alert" { (ctx.t("alarms.refused")) " #" (refused.id) ": " (refused.message) }
        }
        (filters(ctx, query))
        p.exports { a href={ "/api/v1/alarms?" (back) } { "JSON" } }
        @if list.items.is_empty() {
            p.empty { (ctx.t("alarms.none")) }
        } @else {
            table.alarms {
                thead { tr {
                    th { (ctx.t("alarms.priority")) } th { (ctx.t("alarms.tag")) } th { (ctx.t("alarms.kind")) }
                    th { (ctx.t("alarms.state")) } th { (ctx.t("alarms.raised")) } th.num { (ctx.t("alarms.value")) }
                    th.num { (ctx.t("alarms.limit")) } th { (ctx.t("alarms.cleared")) } th { (ctx.t("alarms.acknowledged")) }
                    @if can_act { th { (ctx.t("alarms.actions")) } }
                } }
                tbody {
                    @for alarm in &list.items {
                        (row(ctx, alarm, &back, can_act, refused.filter(|r| r.id == alarm.id)))
                    }
                }
            }
            (pager(ctx, paging, list.total, link))
        }
    };
    Ok(frame(ctx, ctx.t("alarms.title"), body))
}

fn row(
    ctx: &Ctx,
    alarm: &AlarmView,
    back: &str,
    can_act: bool,
    refused: Option<&Refused>,
) -> Markup {
    let state = alarm.state.as_str();
    let needs_ack = matches!(state, "active" | "cleared_unacknowledged");
    let note = refused.map(|r| r.note.as_str()).unwrap_or_default();
    html! {
        tr id={ "alarm-" (alarm.id) } class={ "alarm priority-" (alarm.priority) " " (state) } {
            td { (alarm.priority) }
            td { (alarm.tag) " " small { (alarm.tag_name) } }
            td { (ctx.t(&format!("alarms.kind_{}", alarm.kind.as_str()))) }
            td.state {
                span class={ "badge state-" (state) } { (ctx.t(&format!("alarms.state_{state}"))) }
                @if alarm.shelved {
                    " " span.badge.shelved { (ctx.t("alarms.state_shelved")) " → " (alarm.shelved_until.clone().unwrap_or_default()) }
                }
            }
            td { (alarm.raised_at) }
            td.num { (number(alarm.value)) " " (alarm.unit) }
            td.num { (number(alarm.limit)) }
            td { (alarm.cleared_at.clone().unwrap_or_default()) }
            td {
                @if let Some(by) = &alarm.acknowledged_by {
                    (by) " " (alarm.acknowledged_at.clone().unwrap_or_default())
                    @if let Some(n) = &alarm.note { br; em.note { (n) } }
                }
            }
            @if can_act {
                td.actions {
                    @if needs_ack || refused.is_some() {
                        form.acknowledge method="post" action={ "/alarms/" (alarm.id) "/acknowledge" } {
                            (csrf_field(ctx))
                            input type="hidden" name="back" value=(back);
                            input type="text" name="note" value=(note) required placeholder=(ctx.t("alarms.note"));
                            button type="submit" { (ctx.t("alarms.acknowledge")) }
                        }
                    }
                    @if alarm.shelved {
                        form.unshelve method="post" action={ "/alarms/" (alarm.id) "/unshelve" } {
                            (csrf_field(ctx))
                            input type="hidden" name="back" value=(back);
                            button type="submit" { (ctx.t("alarms.unshelve")) }
                        }
                    } @else if state != "closed" {
                        form.shelve method="post" action={ "/alarms/" (alarm.id) "/shelve" } {
                            (csrf_field(ctx))
                            input type="hidden" name="back" value=(back);
                            select name="minutes" {
                                @for (minutes, key) in [(15, "alarms.minutes_15"), (60, "alarms.hour_1"), (480, "alarms.hours_8"), (1440, "alarms.hours_24")] {
                                    option value=(minutes) { (ctx.t(key)) }
                                }
                            }
                            button type="submit" { (ctx.t("alarms.shelve")) }
                        }
                    }
                }
            }
        }
    }
}

/// A form on the list: the CSRF field, the list's filters to go back to, and its own fields.
#[derive(Debug, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    back: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    minutes: String,
}

/// Reads and CSRF-checks a form of the list; the filters it came from.
async fn action_form(ctx: &Ctx, body: Bytes) -> Result<(ActionForm, ListQuery), ServerError> {
    let form: ActionForm = plain_form(body).await?;
    if !tokens_equal(&form.csrf, &ctx.session.csrf) {
        return Err(ServerError::Csrf);
    }
    let query: ListQuery = serde_urlencoded::from_str(&form.back).unwrap_or_default();
    Ok((form, query))
}

fn back_to(query: &ListQuery, done: &str, id: i64) -> Response {
    let filters = query.filters();
    let joiner = if filters.is_empty() { "" } else { "&" };
    Redirect::to(&format!("/alarms?{filters}{joiner}done={done}&id={id}")).into_response()
}

/// `POST /alarms/{id}/acknowledge` (operator; CSRF; audited). Refused, the list is drawn again
/// with the reason and the note as typed.
pub async fn acknowledge(
    State(state): State<AppState>,
    PageOf(ctx): PageOf<1>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (form, query) = action_form(&ctx, body).await?;
    let user = ctx.session.user.username.clone();
    match alarms::acknowledge(&state.store, id, &user, &form.note, alarms::station_now()).await {
        Ok(_) => Ok(back_to(&query, "acknowledged", id)),
        Err(error @ (danjiang_ops::OpsError::Invalid(_) | danjiang_ops::OpsError::NotFound(_))) => {
            let refused = Refused {
                id,
                note: form.note,
                message: error.to_string(),
            };
            let page = render(&state, &ctx, &query, Some(&refused)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /alarms/{id}/shelve` (operator; CSRF; audited).
pub async fn shelve(
    State(state): State<AppState>,
    PageOf(ctx): PageOf<1>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (form, query) = action_form(&ctx, body).await?;
    let minutes: i64 = form.minutes.trim().parse().map_err(|_| {
        ServerError::BadRequest(format!("minutes: `{}` is not a number", form.minutes))
    })?;
    let user = &ctx.session.user.username;
    let seconds = minutes.saturating_mul(60);
    alarms::shelve(&state.store, id, user, seconds, alarms::station_now()).await?;
    Ok(back_to(&query, "shelved", id))
}

/// `POST /alarms/{id}/unshelve` (operator; CSRF; audited).
pub async fn unshelve(
    State(state): State<AppState>,
    PageOf(ctx): PageOf<1>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (_, query) = action_form(&ctx, body).await?;
    alarms::unshelve(&state.store, id, &ctx.session.user.username).await?;
    Ok(back_to(&query, "unshelved", id))
}
