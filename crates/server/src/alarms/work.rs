//! The alarms' glue over `ops`: filters read from a query string, a page of views.

use danjiang_ops::calendar::{parse_date, parse_station_time, SECONDS_PER_DAY};
use danjiang_ops::telemetry::alarms::{self, AlarmFilter, StateFilter};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::web::error::ServerError;
use crate::web::notify::AlarmView;
use crate::web::paging::{ListPage, Paging};
use crate::web::state::AppState;

/// The alarm list's filters and paging.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlarmParams {
    /// `open` (default: not closed), `all`, `shelved`, `active`, `acknowledged`,
    /// `cleared_unacknowledged` or `closed`.
    pub state: Option<String>,
    /// A tag's code.
    pub tag: Option<String>,
    /// 1 (most urgent) to 3.
    pub priority: Option<i64>,
    /// Raised at or after: `YYYY-MM-DD[ HH:MM[:SS]]` station time or RFC 3339.
    pub from: Option<String>,
    /// Raised at or before (a bare day: to its end).
    pub to: Option<String>,
    /// Items in the page, 1 to 1000 (default 100).
    pub limit: Option<i64>,
    /// Items skipped (default 0).
    pub offset: Option<i64>,
}

fn non_empty(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// A time of field `field`: a station time, or a day (its start, or with `end` its last second).
fn time_of(text: &str, field: &str, end: bool) -> Result<i64, ServerError> {
    if let Some(time) = parse_station_time(text) {
        return Ok(time);
    }
    match parse_date(text) {
        Some(day) if end => Ok((day + 1) * SECONDS_PER_DAY - 1),
        Some(day) => Ok(day * SECONDS_PER_DAY),
        None => Err(ServerError::BadRequest(format!(
            "{field}: `{text}` is not a time; expected YYYY-MM-DD[ HH:MM[:SS]] or RFC 3339"
        ))),
    }
}

/// The ops filter of the parameters, judged at `now` (s station time).
pub fn filter_of(params: &AlarmParams, now: i64) -> Result<AlarmFilter, ServerError> {
    let state = match non_empty(&params.state) {
        None => StateFilter::Open,
        Some(text) => StateFilter::parse(text).ok_or_else(|| {
            ServerError::BadRequest(format!(
                "state: `{text}`; expected open, all, shelved, active, acknowledged, \
                 cleared_unacknowledged or closed"
            ))
        })?,
    };
    if let Some(priority) = params.priority.filter(|p| !(1..=3).contains(p)) {
        return Err(ServerError::BadRequest(format!(
            "priority {priority}: expected 1, 2 or 3"
        )));
    }
    Ok(AlarmFilter {
        state,
        tag: non_empty(&params.tag).map(str::to_string),
        priority: params.priority,
        from: non_empty(&params.from)
            .map(|t| time_of(t, "from", false))
            .transpose()?,
        to: non_empty(&params.to)
            .map(|t| time_of(t, "to", true))
            .transpose()?,
        now,
    })
}

/// A page of the alarm list as views.
pub async fn alarm_page(
    state: &AppState,
    params: &AlarmParams,
    paging: Paging,
) -> Result<ListPage<AlarmView>, ServerError> {
    let now = alarms::station_now();
    let filter = filter_of(params, now)?;
    let page = alarms::alarms(&state.store, &filter, paging.limit, paging.offset).await?;
    Ok(ListPage {
        total: page.total,
        paging,
        items: page.items.iter().map(|a| AlarmView::of(a, now)).collect(),
    })
}
