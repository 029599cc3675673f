//! The supply ledger: daily volumes summed by outlet, plant, county or use, per day, month, water
//! year or over everything, with plan completion; written as a table, CSV or JSON.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use serde_json::{Map, Value};
use sqlx::Row;

use crate::calendar::{format_day, month_label, water_year, water_year_label, year_month, Day};
use crate::error::{OpsError, Result};
use crate::metering::plan_completion_percent;
use crate::store::Store;

/// m³ in one 万 m³ (ten thousand), the unit of daily and monthly volumes.
pub const M3_PER_WAN: f64 = 1.0e4;
/// m³ in one 亿 m³ (a hundred million), the unit of annual volumes.
pub const M3_PER_YI: f64 = 1.0e8;

/// What rows are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// Diversion outlet (outlet meters).
    Outlet,
    /// Water plant (plant-intake meters).
    Plant,
    /// County or district of the delivery point (plant intakes and ecological releases).
    County,
    /// Use (domestic, industrial, ecological, ...) of the delivered water, by each meter's shares.
    Use,
}

impl Grouping {
    /// The grouping's name, also the key field of each row.
    pub fn as_str(self) -> &'static str {
        match self {
            Grouping::Outlet => "outlet",
            Grouping::Plant => "plant",
            Grouping::County => "county",
            Grouping::Use => "use",
        }
    }
}

impl FromStr for Grouping {
    type Err = OpsError;
    fn from_str(text: &str) -> Result<Self> {
        match text {
            "outlet" => Ok(Grouping::Outlet),
            "plant" => Ok(Grouping::Plant),
            "county" => Ok(Grouping::County),
            "use" => Ok(Grouping::Use),
            _ => Err(OpsError::Invalid(format!(
                "unknown grouping `{text}`; expected outlet, plant, county or use"
            ))),
        }
    }
}

/// The length of each row's period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// A local day (`2015-03-01`).
    Day,
    /// A calendar month (`2015-03`).
    Month,
    /// A water year, 1 November to 31 October (`2014-2015`).
    Year,
    /// Everything in the range (`all`), the cumulative total.
    All,
}

impl FromStr for Period {
    type Err = OpsError;
    fn from_str(text: &str) -> Result<Self> {
        match text {
            "day" => Ok(Period::Day),
            "month" => Ok(Period::Month),
            "year" => Ok(Period::Year),
            "all" => Ok(Period::All),
            _ => Err(OpsError::Invalid(format!(
                "unknown period `{text}`; expected day, month, year or all"
            ))),
        }
    }
}

/// A ledger request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerQuery {
    /// Grouping of rows.
    pub by: Grouping,
    /// Period of rows.
    pub period: Period,
    /// First day included, if limited.
    pub from: Option<Day>,
    /// Last day included, if limited.
    pub to: Option<Day>,
}

/// One row of the ledger.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRow {
    /// The group: outlet or plant code, county code or use.
    pub key: String,
    /// The group's name, where it has one.
    pub name: Option<String>,
    /// The period label (`2015-03-01`, `2015-03`, `2014-2015` or `all`).
    pub period: String,
    /// First and last day with a volume in this row.
    pub first_day: Day,
    /// Last day with a volume in this row.
    pub last_day: Day,
    /// Volume, m³.
    pub volume_m3: f64,
    /// Meter-days in the row, and how many of them were estimated.
    pub meter_days: u64,
    /// Meter-days estimated (gaps, unrecorded resets, partly covered days).
    pub estimated_meter_days: u64,
    /// Planned volume, m³, for outlets and plants by month, year or all.
    pub plan_m3: Option<f64>,
}

impl LedgerRow {
    /// Plan completion, percent.
    pub fn completion_percent(&self) -> Option<f64> {
        self.plan_m3
            .and_then(|plan| plan_completion_percent(self.volume_m3, plan))
    }
}

/// A computed ledger.
#[derive(Debug, Clone, PartialEq)]
pub struct Ledger {
    /// The request.
    pub query: LedgerQuery,
    /// Rows ordered by period then key.
    pub rows: Vec<LedgerRow>,
}

#[derive(Default)]
struct Accumulator {
    volume: f64,
    meter_days: u64,
    estimated: u64,
    first: Option<Day>,
    last: Option<Day>,
    water_years: std::collections::BTreeSet<i32>,
}

/// Computes the ledger from the stored daily volumes.
pub async fn compute(store: &Store, query: LedgerQuery) -> Result<Ledger> {
    let points: &[&str] = match query.by {
        Grouping::Outlet => &["outlet"],
        Grouping::Plant => &["plant_intake"],
        Grouping::County | Grouping::Use => &["plant_intake", "ecological_release"],
    };
    let mut shares: HashMap<String, Vec<(String, f64)>> = HashMap::new();
    if query.by == Grouping::Use {
        for row in sqlx::query("SELECT meter_code, use_kind, share FROM meter_uses")
            .fetch_all(store.pool())
            .await?
        {
            shares
                .entry(row.try_get(0)?)
                .or_default()
                .push((row.try_get(1)?, row.try_get(2)?));
        }
    }
    let mut names: HashMap<String, String> = HashMap::new();
    let name_sql = match query.by {
        Grouping::County => "SELECT code, name FROM counties",
        _ => "SELECT code, name FROM assets WHERE kind IN ('outlet', 'plant')",
    };
    for row in sqlx::query(name_sql).fetch_all(store.pool()).await? {
        names.insert(row.try_get(0)?, row.try_get(1)?);
    }

    let sql = format!(
        "SELECT d.meter_code, d.day, d.volume_m3, d.estimated, m.asset_code, a.county_code \
         FROM daily_volumes d JOIN meters m ON m.code = d.meter_code \
         JOIN assets a ON a.code = m.asset_code \
         WHERE d.day >= $1 AND d.day <= $2 AND m.point IN ({})",
        points
            .iter()
            .map(|p| format!("'{p}'"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let from = query.from.unwrap_or(i64::from(i32::MIN));
    let to = query.to.unwrap_or(i64::from(i32::MAX));
    let rows = sqlx::query(&sql)
        .bind(from)
        .bind(to)
        .fetch_all(store.pool())
        .await?;
    let mut groups: BTreeMap<(String, String), Accumulator> = BTreeMap::new();
    let unassigned = vec![("unassigned".to_string(), 1.0)];
    for row in &rows {
        let meter: String = row.try_get(0)?;
        let day: i64 = row.try_get(1)?;
        let volume: f64 = row.try_get(2)?;
        let estimated: i64 = row.try_get(3)?;
        let asset: String = row.try_get(4)?;
        let county: Option<String> = row.try_get(5)?;
        let period = match query.period {
            Period::Day => format_day(day),
            Period::Month => month_label(day),
            Period::Year => water_year_label(water_year(day)),
            Period::All => "all".to_string(),
        };
        let split: Vec<(String, f64)> = match query.by {
            Grouping::Outlet | Grouping::Plant => vec![(asset, 1.0)],
            Grouping::County => vec![(county.unwrap_or_else(|| "unknown".into()), 1.0)],
            Grouping::Use => shares.get(&meter).unwrap_or(&unassigned).clone(),
        };
        for (key, share) in split {
            let entry = groups.entry((period.clone(), key)).or_default();
            entry.volume += volume * share;
            entry.meter_days += 1;
            entry.estimated += u64::from(estimated != 0);
            entry.first = Some(entry.first.map_or(day, |f| f.min(day)));
            entry.last = Some(entry.last.map_or(day, |l| l.max(day)));
            entry.water_years.insert(water_year(day));
        }
    }

    let plans =
        if matches!(query.by, Grouping::Outlet | Grouping::Plant) && query.period != Period::Day {
            load_plans(store).await?
        } else {
            HashMap::new()
        };
    let rows = groups
        .into_iter()
        .map(|((period, key), acc)| {
            let first_day = acc.first.unwrap_or(0);
            let plan_m3 = if plans.is_empty() {
                None
            } else {
                plan_for(&plans, &key, query.period, first_day, &acc.water_years)
            };
            LedgerRow {
                name: names.get(&key).cloned(),
                key,
                period,
                first_day,
                last_day: acc.last.unwrap_or(0),
                volume_m3: acc.volume,
                meter_days: acc.meter_days,
                estimated_meter_days: acc.estimated,
                plan_m3,
            }
        })
        .collect();
    Ok(Ledger { query, rows })
}

/// (asset, water year, month 0 for annual) -> planned m³
type Plans = HashMap<(String, i32, i64), f64>;

async fn load_plans(store: &Store) -> Result<Plans> {
    let mut plans = HashMap::new();
    for row in sqlx::query("SELECT asset_code, water_year, month, volume_m3 FROM plans")
        .fetch_all(store.pool())
        .await?
    {
        let year: i64 = row.try_get(1)?;
        plans.insert(
            (row.try_get(0)?, year as i32, row.try_get(2)?),
            row.try_get(3)?,
        );
    }
    Ok(plans)
}

fn annual_plan(plans: &Plans, key: &str, year: i32) -> Option<f64> {
    plans.get(&(key.to_string(), year, 0)).copied().or_else(|| {
        let months: Vec<f64> = (1..=12)
            .filter_map(|m| plans.get(&(key.to_string(), year, m)).copied())
            .collect();
        (!months.is_empty()).then(|| months.iter().sum())
    })
}

fn plan_for(
    plans: &Plans,
    key: &str,
    period: Period,
    first_day: Day,
    years: &std::collections::BTreeSet<i32>,
) -> Option<f64> {
    match period {
        Period::Day => None,
        Period::Month => {
            let (_, month) = year_month(first_day);
            plans
                .get(&(key.to_string(), water_year(first_day), i64::from(month)))
                .copied()
        }
        Period::Year => annual_plan(plans, key, water_year(first_day)),
        Period::All => {
            let found: Vec<f64> = years
                .iter()
                .filter_map(|y| annual_plan(plans, key, *y))
                .collect();
            (!found.is_empty()).then(|| found.iter().sum())
        }
    }
}

/// The output formats of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned text for a terminal, with a total line.
    Table,
    /// CSV with a header.
    Csv,
    /// A JSON array of row objects.
    Json,
}

impl FromStr for Format {
    type Err = OpsError;
    fn from_str(text: &str) -> Result<Self> {
        match text {
            "table" => Ok(Format::Table),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            _ => Err(OpsError::Invalid(format!(
                "unknown format `{text}`; expected table, csv or json"
            ))),
        }
    }
}

fn rounded(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

/// The fields of a report row after the grouping's key, in CSV column order.
const REPORT_FIELDS: [&str; 11] = [
    "name",
    "period",
    "first_day",
    "last_day",
    "volume_m3",
    "volume_wan_m3",
    "volume_yi_m3",
    "meter_days",
    "estimated_meter_days",
    "plan_m3",
    "completion_pct",
];

impl Ledger {
    /// The rows as JSON objects: the grouping's key field (`outlet`, `plant`, `county` or `use`),
    /// `name`, `period`, `first_day`, `last_day`, `volume_m3`, `volume_wan_m3` (10⁴ m³),
    /// `volume_yi_m3` (10⁸ m³), `meter_days`, `estimated_meter_days`, `plan_m3`, `completion_pct`.
    pub fn json_rows(&self) -> Vec<Value> {
        self.rows
            .iter()
            .map(|row| {
                let mut object = Map::new();
                object.insert(self.query.by.as_str().into(), Value::from(row.key.clone()));
                object.insert(
                    "name".into(),
                    row.name.clone().map_or(Value::Null, Value::from),
                );
                object.insert("period".into(), Value::from(row.period.clone()));
                object.insert("first_day".into(), Value::from(format_day(row.first_day)));
                object.insert("last_day".into(), Value::from(format_day(row.last_day)));
                object.insert("volume_m3".into(), Value::from(rounded(row.volume_m3, 3)));
                object.insert(
                    "volume_wan_m3".into(),
                    Value::from(rounded(row.volume_m3 / M3_PER_WAN, 4)),
                );
                object.insert(
                    "volume_yi_m3".into(),
                    Value::from(rounded(row.volume_m3 / M3_PER_YI, 6)),
                );
                object.insert("meter_days".into(), Value::from(row.meter_days));
                object.insert(
                    "estimated_meter_days".into(),
                    Value::from(row.estimated_meter_days),
                );
                object.insert(
                    "plan_m3".into(),
                    row.plan_m3
                        .map_or(Value::Null, |p| Value::from(rounded(p, 3))),
                );
                object.insert(
                    "completion_pct".into(),
                    row.completion_percent()
                        .map_or(Value::Null, |c| Value::from(rounded(c, 2))),
                );
                Value::Object(object)
            })
            .collect()
    }

    /// Writes the ledger in `format`.
    pub fn write(&self, format: Format, out: &mut dyn std::io::Write) -> Result<()> {
        let fail = |e: &dyn std::fmt::Display| OpsError::Report(e.to_string());
        match format {
            Format::Json => {
                serde_json::to_writer_pretty(&mut *out, &self.json_rows()).map_err(|e| fail(&e))?;
                writeln!(out).map_err(|e| fail(&e))?;
            }
            Format::Csv => {
                let mut writer = csv::Writer::from_writer(out);
                let rows = self.json_rows();
                let header: Vec<String> = [self.query.by.as_str()]
                    .into_iter()
                    .chain(REPORT_FIELDS)
                    .map(String::from)
                    .collect();
                writer.write_record(&header).map_err(|e| fail(&e))?;
                for row in &rows {
                    let fields: Vec<String> = header
                        .iter()
                        .map(|h| match row.get(h) {
                            Some(Value::String(s)) => s.clone(),
                            Some(Value::Null) | None => String::new(),
                            Some(other) => other.to_string(),
                        })
                        .collect();
                    writer.write_record(&fields).map_err(|e| fail(&e))?;
                }
                writer.flush().map_err(|e| fail(&e))?;
            }
            Format::Table => self.write_table(out).map_err(|e| fail(&e))?,
        }
        Ok(())
    }

    fn write_table(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let yearly = matches!(self.query.period, Period::Year | Period::All);
        let (unit, divisor, decimals) = if yearly {
            ("亿 m³", M3_PER_YI, 4)
        } else {
            ("万 m³", M3_PER_WAN, 2)
        };
        writeln!(
            out,
            "{:<12} {:<10} {:<28} {:>16} {:>12} {:>12} {:>8}",
            self.query.by.as_str(),
            "period",
            "name",
            "volume m³",
            unit,
            "plan %",
            "est. d"
        )?;
        let mut total = 0.0;
        for row in &self.rows {
            total += row.volume_m3;
            writeln!(
                out,
                "{:<12} {:<10} {:<28} {:>16.0} {:>12.*} {:>12} {:>8}",
                row.key,
                row.period,
                row.name.clone().unwrap_or_default(),
                row.volume_m3,
                decimals,
                row.volume_m3 / divisor,
                row.completion_percent()
                    .map_or(String::new(), |c| format!("{c:.1}")),
                row.estimated_meter_days
            )?;
        }
        writeln!(
            out,
            "{:<12} {:<10} {:<28} {:>16.0} {:>12.*}",
            "total",
            "",
            "",
            total,
            decimals,
            total / divisor
        )
    }
}
