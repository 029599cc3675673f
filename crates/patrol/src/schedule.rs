//! Due and overdue lists, a day's route along a line, and monthly compliance.

use crate::plan::{Plan, PlanSet};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An asset a plan may cover.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Asset {
    /// Asset code.
    pub id: String,
    /// Asset kind (matched against [`Plan::asset_kind`]); a well's kind may also match `well`
    /// plans through [`Asset::also_kinds`].
    pub kind: String,
    /// Further kinds the asset counts as (a `valve_well` is also a `well`).
    #[serde(default)]
    pub also_kinds: Vec<String>,
    /// The office or station that looks after it.
    pub station: String,
    /// The line it sits on and its chainage along it, km.
    #[serde(default)]
    pub line: Option<(String, f64)>,
    /// The day it came into service: the first visit is due then.
    pub in_service: NaiveDate,
}

impl Asset {
    fn is_covered_by(&self, plan: &Plan) -> bool {
        match &plan.asset {
            Some(only) => only == &self.id,
            None => self.kind == plan.asset_kind || self.also_kinds.contains(&plan.asset_kind),
        }
    }
}

/// A visit that was done: the plan's task on an asset, on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    /// Plan ID.
    pub plan: String,
    /// Asset ID.
    pub asset: String,
    /// Day it was done.
    pub date: NaiveDate,
}

/// Where a task stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DueState {
    /// Past its due day.
    Overdue,
    /// Due today.
    Due,
    /// Due later.
    Upcoming,
}

/// One row of a due list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DueTask {
    /// Plan ID.
    pub plan: String,
    /// Asset ID.
    pub asset: String,
    /// Station responsible.
    pub station: String,
    /// Last day the task was done, if ever.
    pub last_done: Option<NaiveDate>,
    /// Day it falls due.
    pub due: NaiveDate,
    /// Days past due (0 when not overdue).
    pub days_overdue: i64,
    /// Where it stands.
    pub state: DueState,
}

fn last_visits(visits: &[Visit]) -> BTreeMap<(&str, &str), NaiveDate> {
    let mut last: BTreeMap<(&str, &str), NaiveDate> = BTreeMap::new();
    for visit in visits {
        let entry = last
            .entry((visit.plan.as_str(), visit.asset.as_str()))
            .or_insert(visit.date);
        if visit.date > *entry {
            *entry = visit.date;
        }
    }
    last
}

/// Every plan-and-asset pair with its due day as of `today`, overdue first, then by due day.
/// Visits after `today` are ignored.
pub fn due_list(
    plans: &PlanSet,
    assets: &[Asset],
    visits: &[Visit],
    today: NaiveDate,
) -> Vec<DueTask> {
    let past: Vec<Visit> = visits.iter().filter(|v| v.date <= today).cloned().collect();
    let last = last_visits(&past);
    let mut rows = Vec::new();
    for plan in &plans.plans {
        for asset in assets.iter().filter(|a| a.is_covered_by(plan)) {
            let last_done = last.get(&(plan.id.as_str(), asset.id.as_str())).copied();
            let due = match last_done {
                Some(day) => plans.next_due(plan, day),
                None => asset.in_service,
            };
            let days_overdue = (today - due).num_days().max(0);
            let state = if due < today {
                DueState::Overdue
            } else if due == today {
                DueState::Due
            } else {
                DueState::Upcoming
            };
            rows.push(DueTask {
                plan: plan.id.clone(),
                asset: asset.id.clone(),
                station: asset.station.clone(),
                last_done,
                due,
                days_overdue,
                state,
            });
        }
    }
    rows.sort_by(|a, b| {
        (a.state, a.due, &a.asset, &a.plan).cmp(&(b.state, b.due, &b.asset, &b.plan))
    });
    rows
}

/// A day's route along one line: the tasks due or overdue on that day at assets on the line,
/// ordered by chainage (km).
pub fn route_for_day(
    plans: &PlanSet,
    assets: &[Asset],
    visits: &[Visit],
    line: &str,
    day: NaiveDate,
) -> Vec<(f64, DueTask)> {
    let on_line: Vec<Asset> = assets
        .iter()
        .filter(|a| matches!(&a.line, Some((name, _)) if name == line))
        .cloned()
        .collect();
    let mut stops: Vec<(f64, DueTask)> = due_list(plans, &on_line, visits, day)
        .into_iter()
        .filter(|task| task.state != DueState::Upcoming)
        .filter_map(|task| {
            let chainage = on_line
                .iter()
                .find(|a| a.id == task.asset)
                .and_then(|a| a.line.as_ref().map(|(_, km)| *km))?;
            Some((chainage, task))
        })
        .collect();
    stops.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.plan.cmp(&b.1.plan)));
    stops
}

/// Planned, done on time, done late and missed visits of one station in one month.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compliance {
    /// Station.
    pub station: String,
    /// Visits that fell due in the month.
    pub planned: u32,
    /// Of those, done on or before the due day.
    pub done: u32,
    /// Done after the due day, but before the next one fell due.
    pub late: u32,
    /// Not done before the next one fell due.
    pub missed: u32,
    /// Due, not done yet, and the next one not yet due by `as_of`: still able to be done late.
    pub pending: u32,
}

enum Outcome {
    Done(NaiveDate),
    Late(NaiveDate),
    Pending,
    Missed,
}

impl Compliance {
    /// Share of planned visits done on time, percent (100 when nothing was planned).
    pub fn on_time_percent(&self) -> f64 {
        if self.planned == 0 {
            100.0
        } else {
            100.0 * f64::from(self.done) / f64::from(self.planned)
        }
    }
}

/// Compliance per station for the calendar month containing `month`, judged as of `as_of`:
/// visits after `as_of` are not known yet, and a visit whose due day has passed counts as
/// missed only once the next one has fallen due by `as_of` (until then it is pending).
pub fn monthly_compliance(
    plans: &PlanSet,
    assets: &[Asset],
    visits: &[Visit],
    month: NaiveDate,
    as_of: NaiveDate,
) -> Vec<Compliance> {
    let first = NaiveDate::from_ymd_opt(month.year(), month.month(), 1).unwrap_or(month);
    let next_month = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(NaiveDate::MAX);
    let mut per_station: BTreeMap<String, Compliance> = BTreeMap::new();
    for asset in assets {
        per_station
            .entry(asset.station.clone())
            .or_insert_with(|| Compliance {
                station: asset.station.clone(),
                ..Compliance::default()
            });
    }
    for plan in &plans.plans {
        for asset in assets.iter().filter(|a| a.is_covered_by(plan)) {
            let mut days: Vec<NaiveDate> = visits
                .iter()
                .filter(|v| v.plan == plan.id && v.asset == asset.id && v.date <= as_of)
                .map(|v| v.date)
                .collect();
            days.sort();
            days.dedup();
            let Some(tally) = per_station.get_mut(&asset.station) else {
                continue;
            };
            // Walk the chain of due days from the asset's start of service; each visit, taken
            // in order, answers the earliest due day still open.
            let mut due = asset.in_service;
            let mut visits_left = days.into_iter().peekable();
            while due < next_month && due <= as_of {
                let in_month = due >= first;
                let following_due = plans.next_due(plan, due);
                let outcome = match visits_left.peek().copied() {
                    Some(day) if day <= due => Outcome::Done(day),
                    Some(day) if day < following_due => Outcome::Late(day),
                    _ if as_of < following_due => Outcome::Pending,
                    _ => Outcome::Missed,
                };
                if in_month {
                    tally.planned += 1;
                }
                match outcome {
                    Outcome::Done(day) | Outcome::Late(day) => {
                        if in_month {
                            if matches!(outcome, Outcome::Done(_)) {
                                tally.done += 1;
                            } else {
                                tally.late += 1;
                            }
                        }
                        visits_left.next();
                        due = plans.next_due(plan, day);
                    }
                    Outcome::Pending => {
                        if in_month {
                            tally.pending += 1;
                        }
                        break;
                    }
                    Outcome::Missed => {
                        if in_month {
                            tally.missed += 1;
                        }
                        due = following_due;
                    }
                }
            }
        }
    }
    per_station.into_values().collect()
}
