//! The sample register: monitoring sites with their water body and target class, lab results
//! normalised to the standard's units on entry, and the assessments computed from them (classes
//! per sample, month and year by GB 3838-2002 and the 2011 method, alerts, trends).
//!
//! Imports follow the store's rule: the whole file is validated first, a file with any bad row
//! is rejected with every bad row listed (line and field) and nothing written, a good file is
//! written in one transaction with upserts, so importing it again changes nothing.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use danjiang_assessment::samples::{parse_lab_value, parse_time, LabValue};
use danjiang_assessment::units::{convert, parse_unit};
use danjiang_assessment::{
    aggregate, alerts, assess, site_trends, AssessOptions, EvaluationMethod, Measurement, Period,
    SampleSet, SiteAssessment, SiteTrend, Standard, WaterBody, WaterClass,
};
use serde::Serialize;
use sqlx::Row;

use crate::calendar::TimeBounds;
use crate::error::{OpsError, Result, RowError};
use crate::samples_import::{read_csv, retry_when_busy, upsert, Cell, CsvRow};
use crate::store::{Backend, Store};

pub use danjiang_assessment::Alert;

/// The columns of a sites file; `code`, `name`, `water_body` and `target_class` are required.
pub const SITE_COLUMNS: [&str; 5] = ["code", "name", "water_body", "target_class", "asset"];

/// The columns of a samples file; the first five are required.
pub const SAMPLE_COLUMNS: [&str; 7] = [
    "site",
    "time",
    "item",
    "value",
    "unit",
    "method",
    "detection_limit",
];

/// A monitoring site (a section in the method's words).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonitoringSite {
    /// Site code.
    pub code: String,
    /// Site name.
    pub name: String,
    /// River (and canal) or lake (and reservoir): picks the TP column and whether TN is classed.
    pub water_body: WaterBody,
    /// The class the site must meet (Class II for the canal).
    pub target_class: WaterClass,
    /// The asset of the register the site belongs to, if any.
    pub asset: Option<String>,
}

/// One stored lab result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredSample {
    /// Site code.
    pub site: String,
    /// Sampling time, local, `YYYY-MM-DDTHH:MM:SS`.
    pub time: String,
    /// Canonical item code of the standard.
    pub item: String,
    /// Value in `unit`; `None` when below detection.
    pub value: Option<f64>,
    /// The standard's unit for the item.
    pub unit: String,
    /// Detection limit in `unit`, when reported.
    pub detection_limit: Option<f64>,
    /// Whether the lab reported the item below its detection limit.
    pub below_detection: bool,
    /// The value as the lab wrote it.
    pub reported_value: String,
    /// The unit as the lab wrote it.
    pub reported_unit: String,
    /// The analytical method, when given.
    pub method: Option<String>,
}

/// What a sample import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SampleImportSummary {
    /// Rows written (inserted or updated).
    pub rows: usize,
    /// Distinct sites in the file.
    pub sites: usize,
    /// Distinct sampling times (site and time) in the file.
    pub samplings: usize,
}

/// Which samples a query covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SampleQuery {
    /// One site only.
    pub site: Option<String>,
    /// First day included.
    pub from: Option<NaiveDate>,
    /// Last day included.
    pub to: Option<NaiveDate>,
}

/// The standard and method every computation here uses (the embedded editions).
struct Rules {
    standard: Standard,
    method: EvaluationMethod,
}

fn rules() -> Result<Rules> {
    let invalid = |e: danjiang_assessment::AssessmentError| OpsError::Invalid(e.to_string());
    Ok(Rules {
        standard: Standard::gb3838_2002().map_err(invalid)?,
        method: EvaluationMethod::evaluation_2011().map_err(invalid)?,
    })
}

/// Formats a sampling time as stored: always `YYYY-MM-DDTHH:MM:SS`, which sorts as time does.
fn stored_time(time: NaiveDateTime) -> String {
    time.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Imports monitoring sites (`code,name,water_body,target_class[,asset]`) from a file.
pub async fn import_sites_file(store: &Store, path: &Path) -> Result<usize> {
    let bytes = read_file(path)?;
    import_sites(store, path, &bytes).await
}

/// Imports monitoring sites from CSV bytes; `path` names the file in messages.
pub async fn import_sites(store: &Store, path: &Path, bytes: &[u8]) -> Result<usize> {
    let rows = parse_sites(store, bytes)
        .await
        .map_err(|errors| OpsError::Rejected {
            path: path.to_path_buf(),
            errors,
        })?;
    let count = rows.len();
    retry_when_busy(|| async {
        let mut tx = store.begin_write().await?;
        upsert(
            store.backend(),
            &mut tx,
            "monitoring_sites",
            &["code", "name", "water_body", "target_class", "asset_code"],
            &["code"],
            &rows,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await?;
    Ok(count)
}

async fn parse_sites(
    store: &Store,
    bytes: &[u8],
) -> std::result::Result<Vec<Vec<Cell>>, Vec<RowError>> {
    let mut file = read_csv(bytes, &SITE_COLUMNS[..4], &SITE_COLUMNS)?;
    let assets = codes(store, "SELECT code FROM assets").await?;
    let mut errors = std::mem::take(&mut file.errors);
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut rows = Vec::new();
    for index in 0..file.records.len() {
        let mut row = file.row(index);
        let code = row.required("code");
        let name = row.required("name");
        let body = row.text("water_body").to_string();
        let water_body = match body.parse::<WaterBody>() {
            Ok(b) => Some(b),
            Err(message) => {
                row.fail("water_body", message);
                None
            }
        };
        let class_text = row.text("target_class").to_string();
        let target = match class_text.parse::<WaterClass>() {
            Ok(WaterClass::WorseThanV) => {
                row.fail("target_class", "a target must be one of I, II, III, IV, V");
                None
            }
            Ok(c) => Some(c),
            Err(e) => {
                row.fail("target_class", e.to_string());
                None
            }
        };
        let asset = row.optional("asset");
        if let Some(a) = &asset {
            if !assets.contains(a) {
                row.fail(
                    "asset",
                    format!("unknown asset `{a}`; import the asset register first"),
                );
            }
        }
        if let Some(first) = seen.get(&code) {
            let first = *first;
            row.fail(
                "code",
                format!("site `{code}` given twice, first on line {first}"),
            );
        } else {
            seen.insert(code.clone(), row.line);
        }
        errors.append(&mut row.errors);
        rows.push(vec![
            Cell::Text(Some(code)),
            Cell::Text(Some(name)),
            Cell::Text(water_body.map(|b| body_name(b).to_string())),
            Cell::Text(target.map(|c| c.as_str().to_string())),
            Cell::Text(asset),
        ]);
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

fn body_name(body: WaterBody) -> &'static str {
    match body {
        WaterBody::River => "river",
        WaterBody::Lake => "lake",
    }
}

async fn codes(store: &Store, sql: &str) -> std::result::Result<HashSet<String>, Vec<RowError>> {
    let failure = |e: sqlx::Error| {
        vec![RowError {
            line: 0,
            field: None,
            reason: format!("could not check against the store: {e}"),
        }]
    };
    let rows = sqlx::query(sql)
        .fetch_all(store.pool())
        .await
        .map_err(failure)?;
    rows.iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<std::result::Result<_, _>>()
        .map_err(failure)
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| OpsError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Imports lab results (`site,time,item,value,unit[,method,detection_limit]`) from a file.
pub async fn import_samples_file(store: &Store, path: &Path) -> Result<SampleImportSummary> {
    let bytes = read_file(path)?;
    import_samples(store, path, &bytes).await
}

/// Imports lab results from CSV bytes; `path` names the file in messages.
///
/// `value` is a number, a below-detection result written `<0.01` or `0.01L`, or `ND` with the
/// limit in `detection_limit`. Units are converted to the standard's (µg/L to mg/L, counts per
/// 100 mL to counts per litre); an empty unit means the standard's own.
pub async fn import_samples(
    store: &Store,
    path: &Path,
    bytes: &[u8],
) -> Result<SampleImportSummary> {
    let checked = check_samples(store, path, bytes).await?;
    retry_when_busy(|| async {
        let mut tx = store.begin_write().await?;
        write_samples(store.backend(), &mut tx, &checked.rows).await?;
        tx.commit().await?;
        Ok(())
    })
    .await?;
    Ok(checked.summary)
}

/// Lab results read and checked by [`check_samples`]: the only kind [`import_samples_in`]
/// writes.
#[derive(Debug, Clone)]
pub struct CheckedSamples {
    rows: Vec<Vec<Cell>>,
    summary: SampleImportSummary,
}

/// Reads and checks lab results (sites known, items, units, values) before any write
/// transaction is opened: the check reads the site register through the pool, and a write must
/// never wait for a second connection while it holds one. A rejected file names every bad row.
pub async fn check_samples(store: &Store, path: &Path, bytes: &[u8]) -> Result<CheckedSamples> {
    let rules = rules()?;
    let (rows, summary) = parse_samples(store, bytes, &rules.standard)
        .await
        .map_err(|errors| OpsError::Rejected {
            path: path.to_path_buf(),
            errors,
        })?;
    Ok(CheckedSamples { rows, summary })
}

/// Writes checked lab results as [`import_samples`] does, in the caller's transaction (so that
/// the caller can record who did it in the same transaction).
pub async fn import_samples_in(
    backend: Backend,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    checked: &CheckedSamples,
) -> Result<SampleImportSummary> {
    write_samples(backend, tx, &checked.rows).await?;
    Ok(checked.summary.clone())
}

async fn write_samples(
    backend: Backend,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    rows: &[Vec<Cell>],
) -> Result<()> {
    upsert(
        backend,
        tx,
        "samples",
        &[
            "site_code",
            "sampled_at",
            "item",
            "value",
            "unit",
            "detection_limit",
            "below_detection",
            "reported_value",
            "reported_unit",
            "method",
        ],
        &["site_code", "sampled_at", "item"],
        rows,
    )
    .await
}

type SampleRows = (Vec<Vec<Cell>>, SampleImportSummary);

async fn parse_samples(
    store: &Store,
    bytes: &[u8],
    standard: &Standard,
) -> std::result::Result<SampleRows, Vec<RowError>> {
    let mut file = read_csv(bytes, &SAMPLE_COLUMNS[..5], &SAMPLE_COLUMNS)?;
    let sites = codes(store, "SELECT code FROM monitoring_sites").await?;
    let bounds = TimeBounds::now();
    let mut errors = std::mem::take(&mut file.errors);
    let mut seen: HashMap<(String, NaiveDateTime, String), u64> = HashMap::new();
    let mut rows = Vec::new();
    let item_list = || {
        standard
            .items
            .iter()
            .map(|i| i.code.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    for index in 0..file.records.len() {
        let mut row = file.row(index);
        let site = row.required("site");
        if !site.is_empty() && !sites.contains(&site) {
            row.fail(
                "site",
                format!("unknown monitoring site `{site}`; import it first (danjiang samples sites FILE.csv)"),
            );
        }
        let time_text = row.text("time").to_string();
        let time = sample_time(&mut row, &time_text, &bounds);
        let item_text = row.text("item").to_string();
        let item = standard.item(&item_text);
        if item.is_none() {
            row.fail(
                "item",
                format!(
                    "unknown item code `{item_text}`; expected one of {}",
                    item_list()
                ),
            );
        }
        let unit_text = row.text("unit").to_string();
        let value_text = row.text("value").to_string();
        let limit_text = row.text("detection_limit").to_string();
        let method = row.optional("method");
        let (value, limit, below) = match item {
            Some(item) => measured(&mut row, item, &unit_text, &value_text, &limit_text),
            None => (None, None, false),
        };
        if let (Some(time), Some(item)) = (time, item) {
            let key = (site.clone(), time, item.code.clone());
            if let Some(first) = seen.get(&key) {
                let first = *first;
                row.fail(
                    "item",
                    format!(
                        "{} at {site} {time_text} given twice, first on line {first}",
                        item.code
                    ),
                );
            } else {
                seen.insert(key, row.line);
            }
        }
        if row.errors.is_empty() {
            if let (Some(time), Some(item)) = (time, item) {
                rows.push(vec![
                    Cell::Text(Some(site)),
                    Cell::Text(Some(stored_time(time))),
                    Cell::Text(Some(item.code.clone())),
                    Cell::Real(value),
                    Cell::Text(Some(item.unit.clone())),
                    Cell::Real(limit),
                    Cell::Int(Some(i64::from(below))),
                    Cell::Text(Some(value_text)),
                    Cell::Text(Some(if unit_text.is_empty() {
                        item.unit.clone()
                    } else {
                        unit_text
                    })),
                    Cell::Text(method),
                ]);
            }
        }
        errors.append(&mut row.errors);
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(errors);
    }
    let sites: HashSet<&str> = seen.keys().map(|k| k.0.as_str()).collect();
    let samplings: HashSet<(&str, NaiveDateTime)> =
        seen.keys().map(|k| (k.0.as_str(), k.1)).collect();
    let summary = SampleImportSummary {
        rows: rows.len(),
        sites: sites.len(),
        samplings: samplings.len(),
    };
    Ok((rows, summary))
}

/// A sample's time, refused when it is not a time or outside the plausible range.
fn sample_time(row: &mut CsvRow<'_>, text: &str, bounds: &TimeBounds) -> Option<NaiveDateTime> {
    let Some(time) = parse_time(text) else {
        row.fail(
            "time",
            format!("`{text}` is not a time; expected YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS]"),
        );
        return None;
    };
    if let Some(refusal) = bounds.refusal(time.and_utc().timestamp()) {
        row.fail("time", format!("`{text}` {refusal}"));
        return None;
    }
    Some(time)
}

/// A sample's value and detection limit in the item's unit, and whether it was below the
/// limit; what is wrong with them is failed on the row.
fn measured(
    row: &mut CsvRow<'_>,
    item: &danjiang_assessment::ItemStandard,
    unit_text: &str,
    value_text: &str,
    limit_text: &str,
) -> (Option<f64>, Option<f64>, bool) {
    let mut value = None;
    let mut limit = None;
    let mut below = false;
    let target = parse_unit(&item.unit);
    let from = if unit_text.is_empty() {
        target
    } else {
        parse_unit(unit_text)
    };
    let converted = |number: f64| match (from, target) {
        (Some(from), Some(to)) => convert(number, from, to),
        _ => None,
    };
    let unit_ok = from
        .zip(target)
        .is_some_and(|(f, t)| convert(1.0, f, t).is_some());
    if !unit_ok {
        row.fail(
            "unit",
            format!(
                "cannot convert `{unit_text}` to {} for item {}",
                item.unit, item.code
            ),
        );
    }
    if !limit_text.is_empty() {
        match limit_text.parse::<f64>() {
            Ok(l) if l.is_finite() && l > 0.0 => limit = converted(l),
            _ => row.fail(
                "detection_limit",
                format!("`{limit_text}` is not a detection limit above zero"),
            ),
        }
    }
    let negative_allowed = item.unit == "°C";
    if value_text.eq_ignore_ascii_case("ND") {
        below = true;
        if limit_text.is_empty() {
            row.fail(
                "detection_limit",
                "`ND` needs the detection limit in this column",
            );
        }
    } else {
        match parse_lab_value(value_text) {
            Some(LabValue::Measured(v)) if v < 0.0 && !negative_allowed => row.fail(
                "value",
                format!("{v} is negative; a concentration cannot be"),
            ),
            Some(LabValue::Measured(v)) => value = converted(v),
            Some(LabValue::BelowDetection(l)) if l > 0.0 => {
                below = true;
                let l = converted(l);
                if limit.is_some() && l.is_some() && limit != l {
                    row.fail(
                        "detection_limit",
                        format!("differs from the limit in the value `{value_text}`"),
                    );
                }
                limit = limit.or(l);
            }
            _ => row.fail(
                "value",
                format!("`{value_text}` is not a number; expected e.g. 0.52, <0.01, 0.01L or ND"),
            ),
        }
    }
    (value, limit, below)
}

/// Every monitoring site, by code.
pub async fn sites(store: &Store) -> Result<Vec<MonitoringSite>> {
    let rows = sqlx::query(
        "SELECT code, name, water_body, target_class, asset_code FROM monitoring_sites ORDER BY code",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(site_from_row).collect()
}

fn site_from_row(row: &sqlx::any::AnyRow) -> Result<MonitoringSite> {
    let body: String = row.try_get(2)?;
    let class: String = row.try_get(3)?;
    Ok(MonitoringSite {
        code: row.try_get(0)?,
        name: row.try_get(1)?,
        water_body: body.parse().map_err(OpsError::Invalid)?,
        target_class: class
            .parse()
            .map_err(|e: danjiang_assessment::AssessmentError| OpsError::Invalid(e.to_string()))?,
        asset: row.try_get(4)?,
    })
}

/// One monitoring site.
pub async fn site(store: &Store, code: &str) -> Result<MonitoringSite> {
    let row = sqlx::query(
        "SELECT code, name, water_body, target_class, asset_code FROM monitoring_sites WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(store.pool())
    .await?;
    match row {
        Some(row) => site_from_row(&row),
        None => Err(OpsError::Invalid(format!(
            "unknown monitoring site `{code}`"
        ))),
    }
}

/// The stored lab results a query covers, by site, time and item.
pub async fn samples(store: &Store, query: &SampleQuery) -> Result<Vec<StoredSample>> {
    let from = query
        .from
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    // The day after the last: every time on the last day sorts below it.
    let to = query
        .to
        .and_then(|d| d.succ_opt())
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "9999".to_string());
    let rows = sqlx::query(
        "SELECT site_code, sampled_at, item, value, unit, detection_limit, below_detection, \
         reported_value, reported_unit, method FROM samples \
         WHERE ($1 = '' OR site_code = $1) AND sampled_at >= $2 AND sampled_at < $3 \
         ORDER BY site_code, sampled_at, item",
    )
    .bind(query.site.clone().unwrap_or_default())
    .bind(from)
    .bind(to)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let below: i64 = row.try_get(6)?;
            Ok(StoredSample {
                site: row.try_get(0)?,
                time: row.try_get(1)?,
                item: row.try_get(2)?,
                value: row.try_get(3)?,
                unit: row.try_get(4)?,
                detection_limit: row.try_get(5)?,
                below_detection: below != 0,
                reported_value: row.try_get(7)?,
                reported_unit: row.try_get(8)?,
                method: row.try_get(9)?,
            })
        })
        .collect()
}

/// The measurements of a query, grouped by site, as the assessment crate takes them: a
/// below-detection result counts as the method's share (half) of its detection limit.
async fn measurements_by_site(
    store: &Store,
    query: &SampleQuery,
    method: &EvaluationMethod,
) -> Result<BTreeMap<String, Vec<Measurement>>> {
    let mut by_site: BTreeMap<String, Vec<Measurement>> = BTreeMap::new();
    for sample in samples(store, query).await? {
        let time = parse_time(&sample.time).ok_or_else(|| {
            OpsError::Invalid(format!(
                "stored sampling time `{}` is unreadable",
                sample.time
            ))
        })?;
        let value = match (sample.below_detection, sample.value, sample.detection_limit) {
            (true, _, Some(limit)) => limit * method.below_detection_factor,
            (_, Some(value), _) => value,
            _ => continue, // ok: the schema's CHECK keeps one of the two
        };
        by_site
            .entry(sample.site.clone())
            .or_default()
            .push(Measurement {
                site: sample.site,
                time,
                item: sample.item,
                value,
                below_detection: sample.below_detection,
                line: 0,
            });
    }
    Ok(by_site)
}

async fn sites_for(store: &Store, query: &SampleQuery) -> Result<HashMap<String, MonitoringSite>> {
    let all = match &query.site {
        Some(code) => vec![site(store, code).await?],
        None => sites(store).await?,
    };
    Ok(all.into_iter().map(|s| (s.code.clone(), s)).collect())
}

fn options(site: &MonitoringSite) -> AssessOptions {
    AssessOptions {
        water_body: site.water_body,
        target: site.target_class,
    }
}

/// Each site's class per sampling, month (mean of the month's samples) or year (mean of the
/// monthly means), by the single-factor method against the site's own water body and target.
/// Ordered by site, then time.
pub async fn assess_samples(
    store: &Store,
    query: &SampleQuery,
    period: Period,
) -> Result<Vec<SiteAssessment>> {
    let rules = rules()?;
    let sites = sites_for(store, query).await?;
    let mut out = Vec::new();
    for (code, measurements) in measurements_by_site(store, query, &rules.method).await? {
        let Some(site) = sites.get(&code) else {
            continue; // ok: the foreign key ties every sample to a site
        };
        for set in aggregate(&measurements, period) {
            out.push(assess(&set, &rules.standard, &rules.method, options(site)));
        }
    }
    Ok(out)
}

/// Every stored result whose class is worse than its site's target, by site then time.
pub async fn sample_alerts(store: &Store, query: &SampleQuery) -> Result<Vec<Alert>> {
    let rules = rules()?;
    let sites = sites_for(store, query).await?;
    let mut out = Vec::new();
    for (code, mut measurements) in measurements_by_site(store, query, &rules.method).await? {
        let Some(site) = sites.get(&code) else {
            continue; // ok: the foreign key ties every sample to a site
        };
        measurements.sort_by(|a, b| (a.time, &a.item).cmp(&(b.time, &b.item)));
        out.extend(alerts(&measurements, &rules.standard, options(site)));
    }
    Ok(out)
}

/// Significance level of the trend tests.
pub const TREND_ALPHA: f64 = 0.05;

/// One item's values at one site, per sampling, month or year (the standard's item code, then
/// the sets in time order): what the trend test and the trend chart both read.
async fn item_sets(
    store: &Store,
    site_code: &str,
    item: &str,
    period: Period,
    range: &SampleQuery,
) -> Result<(String, Vec<SampleSet>)> {
    let rules = rules()?;
    let code = rules
        .standard
        .item(item)
        .map(|i| i.code.clone())
        .ok_or_else(|| OpsError::Invalid(format!("unknown item code `{item}`")))?;
    site(store, site_code).await?;
    let query = SampleQuery {
        site: Some(site_code.to_string()),
        ..range.clone()
    };
    let measurements: Vec<Measurement> = measurements_by_site(store, &query, &rules.method)
        .await?
        .into_values()
        .flatten()
        .filter(|m| m.item == code)
        .collect();
    let sets = aggregate(&measurements, period);
    Ok((code, sets))
}

/// The trend of one item at one site (Mann-Kendall with Sen's slope, and Spearman's rho), over
/// samplings, monthly means or yearly means; slopes are per year.
pub async fn sample_trend(
    store: &Store,
    site_code: &str,
    item: &str,
    period: Period,
    range: &SampleQuery,
) -> Result<SiteTrend> {
    let (code, sets) = item_sets(store, site_code, item, period, range).await?;
    site_trends(&sets, TREND_ALPHA, 3)
        .into_iter()
        .next()
        .ok_or_else(|| {
            OpsError::Invalid(format!(
                "{site_code} has {} value(s) of {code} per {}; a trend needs at least 3",
                sets.len(),
                period_name(period)
            ))
        })
}

fn period_name(period: Period) -> &'static str {
    match period {
        Period::Sample => "sampling",
        Period::Month => "month",
        Period::Year => "year",
    }
}

// ---------------------------------------------------------------------------------------------
// Queries of the web application: a page of the register, the standard's items, a trend's series.

/// The items of the embedded standard (GB 3838-2002 Tables 1 and 2), in the standard's order.
pub fn standard_items() -> Result<Vec<danjiang_assessment::ItemStandard>> {
    Ok(rules()?.standard.items)
}

/// One page of stored lab results (by site, time and item) and how many the filter matches;
/// `item` is an item code or one of its accepted names.
pub async fn sample_page(
    store: &Store,
    query: &SampleQuery,
    item: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<StoredSample>, i64)> {
    let item = match item.map(str::trim).filter(|i| !i.is_empty()) {
        Some(text) => rules()?
            .standard
            .item(text)
            .map(|i| i.code.clone())
            .ok_or_else(|| OpsError::Invalid(format!("unknown item code `{text}`")))?,
        None => String::new(),
    };
    let from = query
        .from
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let to = query
        .to
        .and_then(|d| d.succ_opt())
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "9999".to_string());
    let site = query.site.clone().unwrap_or_default();
    const FILTER: &str = "WHERE ($1 = '' OR site_code = $1) AND ($2 = '' OR item = $2) \
         AND sampled_at >= $3 AND sampled_at < $4";
    let total: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM samples {FILTER}"))
        .bind(site.as_str())
        .bind(item.as_str())
        .bind(from.as_str())
        .bind(to.as_str())
        .fetch_one(store.pool())
        .await?
        .try_get(0)?;
    let rows = sqlx::query(&format!(
        "SELECT site_code, sampled_at, item, value, unit, detection_limit, below_detection, \
         reported_value, reported_unit, method FROM samples {FILTER} \
         ORDER BY site_code, sampled_at DESC, item LIMIT $5 OFFSET $6"
    ))
    .bind(site.as_str())
    .bind(item.as_str())
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(limit)
    .bind(offset)
    .fetch_all(store.pool())
    .await?;
    let samples = rows
        .iter()
        .map(|row| {
            let below: i64 = row.try_get(6)?;
            Ok(StoredSample {
                site: row.try_get(0)?,
                time: row.try_get(1)?,
                item: row.try_get(2)?,
                value: row.try_get(3)?,
                unit: row.try_get(4)?,
                detection_limit: row.try_get(5)?,
                below_detection: below != 0,
                reported_value: row.try_get(7)?,
                reported_unit: row.try_get(8)?,
                method: row.try_get(9)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((samples, total))
}

/// One value of a series: the period's label (`2024-03-05T09:00:00`, `2024-03`, `2024`) and
/// the value in the item's unit (below-detection results count as the method's share of the
/// limit, as in the assessment).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesPoint {
    /// Period label.
    pub label: String,
    /// Value in the item's unit.
    pub value: f64,
}

/// The series of one item at one site per sampling, month or year, as the trend test sees it.
pub async fn sample_series(
    store: &Store,
    site_code: &str,
    item: &str,
    period: Period,
    range: &SampleQuery,
) -> Result<Vec<SeriesPoint>> {
    let (code, sets) = item_sets(store, site_code, item, period, range).await?;
    Ok(sets
        .into_iter()
        .filter_map(|set| {
            let value = *set.values.get(&code)?;
            Some(SeriesPoint {
                label: set.time,
                value,
            })
        })
        .collect())
}
