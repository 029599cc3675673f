//! Patrol plans: what is looked at, how often, and how the season changes it.

use crate::PatrolError;
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The default plans of STANDARDS.md §4, as editable data.
pub const DEFAULT_PLANS_JSON: &str = include_str!("../data/plans-default.json");

/// How many days before a yearly deadline a visit counts for it (a pre-flood-season
/// inspection in January is not one for June).
pub const YEARLY_WINDOW_DAYS: i64 = 90;

/// How often a task is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// Every so many days after the last time it was done.
    EveryDays(u32),
    /// Every so many calendar months after the last time it was done (same day of the month,
    /// or the month's last day when the month is shorter).
    EveryMonths(u32),
    /// Once a year, by this month and day (`"05-31"`). A visit up to
    /// [`YEARLY_WINDOW_DAYS`] before a deadline answers that deadline; an earlier one does not.
    YearlyBy(MonthDay),
}

impl Frequency {
    /// The date this frequency makes due after a task done on `last`.
    pub fn next_after(self, last: NaiveDate) -> NaiveDate {
        match self {
            Frequency::EveryDays(days) => last + chrono::Days::new(u64::from(days.max(1))),
            Frequency::EveryMonths(months) => last
                .checked_add_months(Months::new(months.max(1)))
                .unwrap_or(NaiveDate::MAX),
            Frequency::YearlyBy(month_day) => {
                // The first deadline on or after the visit; a visit in the window before a
                // deadline answers it, so the next one is a year later.
                let mut deadline = month_day.in_year(last.year());
                if deadline < last {
                    deadline = month_day.in_year(last.year() + 1);
                }
                if (deadline - last).num_days() <= YEARLY_WINDOW_DAYS {
                    month_day.in_year(deadline.year() + 1)
                } else {
                    deadline
                }
            }
        }
    }
}

/// A month and day of the year, written `"MM-DD"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MonthDay {
    /// Month, 1-12.
    pub month: u32,
    /// Day of the month, 1-31.
    pub day: u32,
}

impl MonthDay {
    /// This month and day in a year; 29 February falls back to 28 February in other years.
    pub fn in_year(self, year: i32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, self.month, self.day)
            .or_else(|| NaiveDate::from_ymd_opt(year, self.month, self.day - 1))
            .unwrap_or(NaiveDate::MIN)
    }

    fn of(date: NaiveDate) -> MonthDay {
        MonthDay {
            month: date.month(),
            day: date.day(),
        }
    }
}

impl TryFrom<String> for MonthDay {
    type Error = PatrolError;

    fn try_from(text: String) -> Result<MonthDay, PatrolError> {
        let bad = || PatrolError::Invalid {
            field: "month-day".into(),
            message: format!("{text:?} is not a month and day written MM-DD"),
        };
        let (month, day) = text.split_once('-').ok_or_else(bad)?;
        let month: u32 = month.trim().parse().map_err(|_| bad())?;
        let day: u32 = day.trim().parse().map_err(|_| bad())?;
        // 2000 is a leap year, so 02-29 is accepted.
        NaiveDate::from_ymd_opt(2000, month, day).ok_or_else(bad)?;
        Ok(MonthDay { month, day })
    }
}

impl From<MonthDay> for String {
    fn from(value: MonthDay) -> String {
        format!("{:02}-{:02}", value.month, value.day)
    }
}

/// A season of the year, such as the flood season, during which some tasks come more often.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Season {
    /// Name the plans refer to.
    pub name: String,
    /// First day of the season.
    pub from: MonthDay,
    /// Last day of the season (may be earlier in the year than `from`: the season then spans
    /// the new year).
    pub to: MonthDay,
    /// Where the dates come from.
    #[serde(default)]
    pub source: String,
}

impl Season {
    /// Whether a date lies in the season.
    pub fn contains(&self, date: NaiveDate) -> bool {
        let day = MonthDay::of(date);
        if self.from <= self.to {
            self.from <= day && day <= self.to
        } else {
            day >= self.from || day <= self.to
        }
    }
}

/// A patrol or maintenance plan for every asset of a kind, or for one asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Plan identifier.
    pub id: String,
    /// The kind of asset the plan covers (`pipeline`, `well`, `valve_well`, ...).
    pub asset_kind: String,
    /// One asset only, when the plan is for a single asset.
    #[serde(default)]
    pub asset: Option<String>,
    /// What is done.
    pub task: String,
    /// How often, outside any season that says otherwise.
    pub frequency: Frequency,
    /// How often during named seasons.
    #[serde(default)]
    pub season_frequency: BTreeMap<String, Frequency>,
    /// Questions answered at each visit.
    #[serde(default)]
    pub checklist: Vec<String>,
}

/// A set of plans with the seasons they refer to, versioned with its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanSet {
    /// Version of the set, stored with what is computed from it.
    pub version: String,
    /// Where the set comes from.
    pub source: String,
    /// Seasons the plans refer to.
    #[serde(default)]
    pub seasons: Vec<Season>,
    /// The plans.
    pub plans: Vec<Plan>,
}

impl PlanSet {
    /// The defaults of STANDARDS.md §4.
    pub fn defaults() -> Result<PlanSet, PatrolError> {
        PlanSet::from_json(DEFAULT_PLANS_JSON)
    }

    /// Reads a plan set from JSON and checks that every season a plan names exists.
    pub fn from_json(text: &str) -> Result<PlanSet, PatrolError> {
        let set: PlanSet = serde_json::from_str(text).map_err(|error| PatrolError::Invalid {
            field: format!("plan set, line {} column {}", error.line(), error.column()),
            message: error.to_string(),
        })?;
        for plan in &set.plans {
            for season in plan.season_frequency.keys() {
                if !set.seasons.iter().any(|s| &s.name == season) {
                    return Err(PatrolError::Invalid {
                        field: format!("plans[{}].season_frequency", plan.id),
                        message: format!("season {season:?} is not defined in seasons"),
                    });
                }
            }
        }
        Ok(set)
    }

    /// The plan with this ID.
    pub fn plan(&self, id: &str) -> Option<&Plan> {
        self.plans.iter().find(|p| p.id == id)
    }

    /// The frequency of a plan in force on a date (the shortest of any season containing it).
    pub fn frequency_on(&self, plan: &Plan, date: NaiveDate) -> Frequency {
        let mut frequency = plan.frequency;
        for (season_name, season_frequency) in &plan.season_frequency {
            let in_season = self
                .seasons
                .iter()
                .any(|s| &s.name == season_name && s.contains(date));
            if in_season && season_frequency.next_after(date) < frequency.next_after(date) {
                frequency = *season_frequency;
            }
        }
        frequency
    }

    /// The date a plan's task next falls due after it was last done on `last`.
    ///
    /// It is the first day `t` after `last` on which `t` is no earlier than the date the
    /// frequency in force on `t` makes due: a task done weekly becomes daily on the first day
    /// of the flood season, and weekly again once the season is over.
    pub fn next_due(&self, plan: &Plan, last: NaiveDate) -> NaiveDate {
        let plain = plan.frequency.next_after(last);
        if plan.season_frequency.is_empty() {
            return plain;
        }
        let mut day = last;
        while day < plain {
            day = day.succ_opt().unwrap_or(NaiveDate::MAX);
            if day >= self.frequency_on(plan, day).next_after(last) {
                return day;
            }
        }
        plain
    }
}
