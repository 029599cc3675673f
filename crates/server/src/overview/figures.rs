//! The overview's figures: deliveries against plan on the last metered day, its month and water
//! year, the split by use, and the open alerts and overdue patrols.

use std::sync::Arc;

use chrono::Datelike;
use danjiang_ops::calendar::{
    date_of_day, format_day, month_label, water_year, water_year_label, water_year_start, Day,
};
use danjiang_ops::{Grouping, Ledger, LedgerQuery, Period, Store};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use utoipa::ToSchema;

use crate::web::error::Result;
use crate::web::reports::Reports;

/// Volume delivered over a period, against its plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Delivery {
    /// The period: a day `2021-05-31`, a month `2021-05` or a water year `2020-2021`.
    pub period: String,
    /// Delivered through the outlets, m³.
    pub delivered_m3: f64,
    /// Planned for the whole period, m³ (none for days, or when no plan is stored).
    pub plan_m3: Option<f64>,
    /// Delivered as a share of the plan, percent.
    pub completion_pct: Option<f64>,
}

/// Volume of one use since records began.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UseShare {
    /// `domestic`, `ecological`, `industrial`, `agricultural` or `unassigned`.
    pub use_kind: String,
    /// Volume, m³.
    pub volume_m3: f64,
    /// Share of all delivered water, percent.
    pub share_pct: f64,
}

/// What the control room sees first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Overview {
    /// The last day with metered outlet volumes (`YYYY-MM-DD`); the figures are as of that day.
    pub as_of: Option<String>,
    /// Delivered on that day.
    pub day: Option<Delivery>,
    /// Delivered in its month so far, against the month's plan.
    pub month: Option<Delivery>,
    /// Delivered in its water year (1 November to 31 October) so far, against the year's plan.
    pub year: Option<Delivery>,
    /// Each month of that water year so far, against its plan.
    pub months: Vec<Delivery>,
    /// Delivery by use since records began (plant intakes and ecological releases).
    pub uses: Vec<UseShare>,
    /// Water-quality results worse than their site's target class in the year to `as_of`,
    /// newest first (at most 20; danjiang-ops `sample_alerts`).
    #[schema(value_type = Vec<Object>)]
    pub alerts: Vec<serde_json::Value>,
    /// How many such results there are.
    pub alert_count: usize,
    /// Patrol tasks overdue on `as_of`, most overdue first (at most 20; danjiang-ops `due_tasks`).
    #[schema(value_type = Vec<Object>)]
    pub overdue_patrols: Vec<serde_json::Value>,
    /// How many tasks are overdue.
    pub overdue_count: usize,
}

/// Most alerts and overdue tasks listed in the overview.
const MOST_LISTED: usize = 20;

async fn alerts_and_patrols(
    store: &Store,
    as_of: Day,
) -> Result<(Vec<serde_json::Value>, usize, Vec<serde_json::Value>, usize)> {
    let date = date_of_day(as_of);
    let year_before = date - chrono::Duration::days(365);
    let mut alerts = danjiang_ops::samples::sample_alerts(
        store,
        &danjiang_ops::samples::SampleQuery {
            site: None,
            from: Some(year_before),
            to: Some(date),
        },
    )
    .await?;
    let alert_count = alerts.len();
    alerts.sort_by(|a, b| b.time.cmp(&a.time));
    let alerts = alerts
        .iter()
        .take(MOST_LISTED)
        .filter_map(|a| serde_json::to_value(a).ok())
        .collect();
    let mut overdue: Vec<_> = danjiang_ops::patrols::due_tasks(store, date, None)
        .await?
        .into_iter()
        .filter(|t| t.days_overdue > 0)
        .collect();
    let overdue_count = overdue.len();
    overdue.sort_by_key(|o| std::cmp::Reverse(o.days_overdue));
    let overdue = overdue
        .iter()
        .take(MOST_LISTED)
        .filter_map(|t| serde_json::to_value(t).ok())
        .collect();
    Ok((alerts, alert_count, overdue, overdue_count))
}

fn delivery(period: String, ledger: &Ledger) -> Delivery {
    let delivered_m3: f64 = ledger.rows.iter().map(|r| r.volume_m3).sum();
    let plans: Vec<f64> = ledger.rows.iter().filter_map(|r| r.plan_m3).collect();
    let plan_m3 = (!plans.is_empty()).then(|| plans.iter().sum::<f64>());
    Delivery {
        period,
        delivered_m3,
        plan_m3,
        completion_pct: plan_m3
            .and_then(|plan| danjiang_ops::metering::plan_completion_percent(delivered_m3, plan)),
    }
}

async fn last_outlet_day(store: &Store) -> Result<Option<Day>> {
    let row = sqlx::query(
        "SELECT MAX(d.day) FROM daily_volumes d JOIN meters m ON m.code = d.meter_code \
         WHERE m.point = 'outlet'",
    )
    .fetch_one(store.pool())
    .await?;
    Ok(row.try_get::<Option<i64>, _>(0)?)
}

/// The overview, from the report cache (computed again after a change or a minute, while the
/// last one is still answered).
pub async fn overview(reports: &Arc<Reports>, store: &Store) -> Result<Arc<Overview>> {
    let (cache, store) = (reports.clone(), store.clone());
    reports
        .overview(move || async move { compute_overview(&cache, &store).await })
        .await
}

async fn compute_overview(reports: &Reports, store: &Store) -> Result<Overview> {
    let uses_ledger = reports
        .ledger(
            store,
            LedgerQuery {
                by: Grouping::Use,
                period: Period::All,
                from: None,
                to: None,
            },
        )
        .await?;
    let total: f64 = uses_ledger.rows.iter().map(|r| r.volume_m3).sum();
    let uses = uses_ledger
        .rows
        .iter()
        .map(|row| UseShare {
            use_kind: row.key.clone(),
            volume_m3: row.volume_m3,
            share_pct: if total > 0.0 {
                100.0 * row.volume_m3 / total
            } else {
                0.0
            },
        })
        .collect();
    let Some(as_of) = last_outlet_day(store).await? else {
        return Ok(Overview {
            as_of: None,
            day: None,
            month: None,
            year: None,
            months: Vec::new(),
            uses,
            alerts: Vec::new(),
            alert_count: 0,
            overdue_patrols: Vec::new(),
            overdue_count: 0,
        });
    };
    let outlets = |period, from| LedgerQuery {
        by: Grouping::Outlet,
        period,
        from: Some(from),
        to: Some(as_of),
    };
    let date = date_of_day(as_of);
    let month_start = as_of - i64::from(date.day0());
    let year = water_year(as_of);
    let year_start = water_year_start(year);
    // By day: plans are monthly and annual, so the day has none (over `All` the day's rows
    // carried every year's annual plan).
    let day_ledger = reports.ledger(store, outlets(Period::Day, as_of)).await?;
    let day = delivery(format_day(as_of), &day_ledger);
    let month_ledger = reports
        .ledger(store, outlets(Period::Month, month_start))
        .await?;
    let month = delivery(month_label(as_of), &month_ledger);
    let year_ledger = reports
        .ledger(store, outlets(Period::Year, year_start))
        .await?;
    let year_delivery = delivery(water_year_label(year), &year_ledger);
    let (alerts, alert_count, overdue_patrols, overdue_count) =
        alerts_and_patrols(store, as_of).await?;
    let by_month = reports
        .ledger(store, outlets(Period::Month, year_start))
        .await?;
    let mut labels: Vec<String> = by_month.rows.iter().map(|r| r.period.clone()).collect();
    labels.dedup();
    let months = labels
        .into_iter()
        .map(|label| {
            let rows = by_month
                .rows
                .iter()
                .filter(|r| r.period == label)
                .cloned()
                .collect();
            delivery(
                label,
                &Ledger {
                    query: by_month.query,
                    rows,
                },
            )
        })
        .collect();
    Ok(Overview {
        as_of: Some(format_day(as_of)),
        day: Some(day),
        month: Some(month),
        year: Some(year_delivery),
        months,
        uses,
        alerts,
        alert_count,
        overdue_patrols,
        overdue_count,
    })
}
