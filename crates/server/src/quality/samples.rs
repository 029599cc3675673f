//! Water quality as the pages and the API share it: the sample register (list, hand entry, CSV
//! import, audited), a site's classes (GB 3838-2002), the alerts and the trend of an item.

use chrono::{Datelike, NaiveDate};
use danjiang_assessment::{Period, SiteAssessment, SiteTrend};
use danjiang_ops::samples::{
    self, MonitoringSite, SampleImportSummary, SampleQuery, SeriesPoint, StoredSample,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::web::audit;
use crate::web::dates::{parse_day, parse_month};
use crate::web::error::ServerError;
use crate::web::paging::{ListPage, Paging};
use crate::web::state::AppState;

/// The largest CSV accepted by an import, bytes.
pub const IMPORT_LIMIT: usize = 16 * 1024 * 1024;

/// The sample register's filters (all optional) and paging.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SampleParams {
    /// Monitoring site code.
    pub site: Option<String>,
    /// Item code of the standard (`DO`, `NH3N`, `TP`, ...).
    pub item: Option<String>,
    /// One month, `YYYY-MM`.
    pub month: Option<String>,
    /// First day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// Items in the page, 1 to 1000 (default 100).
    pub limit: Option<i64>,
    /// Items skipped (default 0).
    pub offset: Option<i64>,
}

/// The trimmed text of an optional field, if it has any.
pub fn non_empty(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// The site and date range of a filter: a month narrows `from`/`to`.
pub fn sample_query(
    site: Option<&str>,
    month: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<SampleQuery, ServerError> {
    let mut query = SampleQuery {
        site: site.map(str::to_string),
        from: from.map(|f| parse_day(f, "from")).transpose()?,
        to: to.map(|t| parse_day(t, "to")).transpose()?,
    };
    if let Some(month) = month {
        let (first, last) = parse_month(month, "month")?;
        query.from = Some(query.from.map_or(first, |f| f.max(first)));
        query.to = Some(query.to.map_or(last, |t| t.min(last)));
    }
    if let (Some(from), Some(to)) = (query.from, query.to) {
        if from > to && month.is_none() {
            return Err(ServerError::BadRequest(format!(
                "from {from} is after to {to}"
            )));
        }
    }
    Ok(query)
}

/// Checks that a site exists (404 otherwise).
pub async fn known_site(state: &AppState, code: &str) -> Result<MonitoringSite, ServerError> {
    match samples::site(&state.store, code).await {
        Err(danjiang_ops::OpsError::Invalid(_)) => {
            Err(ServerError::NotFound(format!("monitoring site `{code}`")))
        }
        other => Ok(other?),
    }
}

/// A page of the register as the page and the API show it.
pub async fn sample_list(
    state: &AppState,
    params: &SampleParams,
    paging: Paging,
) -> Result<ListPage<StoredSample>, ServerError> {
    let site = non_empty(&params.site);
    if let Some(code) = site {
        known_site(state, code).await?;
    }
    let query = sample_query(
        site,
        non_empty(&params.month),
        non_empty(&params.from),
        non_empty(&params.to),
    )?;
    let (items, total) = samples::sample_page(
        &state.store,
        &query,
        non_empty(&params.item),
        paging.limit,
        paging.offset,
    )
    .await?;
    Ok(ListPage {
        total,
        paging,
        items,
    })
}

/// An item of the standard as listed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemInfo {
    /// Item code used in samples.
    pub code: String,
    /// English name.
    pub name: String,
    /// Chinese name.
    pub name_zh: String,
    /// Unit of its limits and of stored values.
    pub unit: String,
    /// Table of GB 3838-2002 (1 basic, 2 supplementary items for drinking-water sources).
    pub table: u8,
}

/// The standard's items, in its order.
pub fn item_infos() -> Result<Vec<ItemInfo>, ServerError> {
    Ok(samples::standard_items()?
        .into_iter()
        .map(|i| ItemInfo {
            code: i.code,
            name: i.name,
            name_zh: i.name_zh,
            unit: i.unit,
            table: i.table,
        })
        .collect())
}

/// One lab result entered by hand.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSample {
    /// Monitoring site code.
    pub site: String,
    /// Sampling time, local, `YYYY-MM-DD HH:MM[:SS]` or `YYYY-MM-DD`.
    pub time: String,
    /// Item code of the standard.
    pub item: String,
    /// The value as the lab wrote it: a number, `<0.01`, `0.01L` or `ND`.
    pub value: String,
    /// The lab's unit (`mg/L`, `µg/L`, `MPN/100mL`, ...); empty for the standard's own.
    #[serde(default)]
    pub unit: String,
    /// Analytical method.
    #[serde(default)]
    pub method: Option<String>,
    /// Detection limit in the lab's unit (needed with `ND`).
    #[serde(default)]
    pub detection_limit: Option<String>,
}

/// What entering or importing samples did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportOutcome {
    /// Rows written (inserted or updated).
    pub rows: usize,
    /// Distinct sites.
    pub sites: usize,
    /// Distinct samplings (site and time).
    pub samplings: usize,
}

impl From<SampleImportSummary> for ImportOutcome {
    fn from(s: SampleImportSummary) -> Self {
        ImportOutcome {
            rows: s.rows,
            sites: s.sites,
            samplings: s.samplings,
        }
    }
}

/// The one-row CSV the importer reads for a sample entered by hand (so that a hand entry is
/// checked and converted exactly as a file row is).
pub fn sample_csv(sample: &NewSample) -> Result<Vec<u8>, ServerError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let bad = |e: csv::Error| ServerError::BadRequest(format!("sample: {e}"));
    writer.write_record(samples::SAMPLE_COLUMNS).map_err(bad)?;
    writer
        .write_record([
            sample.site.trim(),
            sample.time.trim(),
            sample.item.trim(),
            sample.value.trim(),
            sample.unit.trim(),
            sample.method.as_deref().unwrap_or("").trim(),
            sample.detection_limit.as_deref().unwrap_or("").trim(),
        ])
        .map_err(bad)?;
    writer
        .into_inner()
        .map_err(|e| ServerError::BadRequest(format!("sample: {e}")))
}

/// Enters one sample (operator), audited in the same transaction; returns what was written.
pub async fn enter_sample(
    state: &AppState,
    username: &str,
    sample: &NewSample,
) -> Result<ImportOutcome, ServerError> {
    let bytes = sample_csv(sample)?;
    let before = existing_sample(state, sample).await?;
    let checked = samples::check_samples(
        &state.store,
        std::path::Path::new("(entered) sample"),
        &bytes,
    )
    .await
    .map_err(|e| match e {
        // The entry's faults by field; the one-row file it went through is no business of the
        // person who typed it.
        danjiang_ops::OpsError::Rejected { errors, .. } => ServerError::BadRequest(format!(
            "sample rejected: {}",
            errors
                .iter()
                .map(|e| match &e.field {
                    Some(field) => format!("field `{field}`: {}", e.reason),
                    None => e.reason.clone(),
                })
                .collect::<Vec<_>>()
                .join("; ")
        )),
        other => other.into(),
    })?;
    let mut tx = state.store.begin_write().await?;
    let summary = samples::import_samples_in(state.store.backend(), &mut tx, &checked).await?;
    let id = format!(
        "{}/{}/{}",
        sample.site.trim(),
        sample.time.trim(),
        sample.item.trim()
    );
    let stored = existing_sample_in(&mut tx, sample).await?;
    let action = if before.is_some() { "update" } else { "create" };
    audit::record(
        &mut tx,
        username,
        action,
        "sample",
        stored.as_ref().map_or(id.as_str(), |(key, _)| key.as_str()),
        before.as_ref().map(|(_, v)| v),
        stored.as_ref().map(|(_, v)| v),
    )
    .await?;
    tx.commit().await?;
    state.reports.clear_overview();
    Ok(summary.into())
}

/// The stored sample at a hand entry's site, time and item (key `site/time/item` and JSON),
/// if any; `None` too when the entry does not name a time or item the importer would accept
/// (it then refuses the entry).
async fn existing_sample(
    state: &AppState,
    sample: &NewSample,
) -> Result<Option<(String, serde_json::Value)>, ServerError> {
    let mut connection = state.store.pool().acquire().await?;
    find_sample(&mut connection, sample).await
}

async fn existing_sample_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    sample: &NewSample,
) -> Result<Option<(String, serde_json::Value)>, ServerError> {
    find_sample(tx, sample).await
}

async fn find_sample(
    connection: &mut sqlx::AnyConnection,
    sample: &NewSample,
) -> Result<Option<(String, serde_json::Value)>, ServerError> {
    use sqlx::Row;
    let Some(time) = danjiang_assessment::samples::parse_time(&sample.time) else {
        return Ok(None);
    };
    let items = samples::standard_items()?;
    let Some(item) = items
        .iter()
        .find(|i| i.code == sample.item.trim() || i.code.eq_ignore_ascii_case(sample.item.trim()))
    else {
        return Ok(None);
    };
    let at = time.format("%Y-%m-%dT%H:%M:%S").to_string();
    let row = sqlx::query(
        "SELECT value, unit, detection_limit, below_detection, reported_value, reported_unit, \
         method FROM samples WHERE site_code = $1 AND sampled_at = $2 AND item = $3",
    )
    .bind(sample.site.trim())
    .bind(at.as_str())
    .bind(item.code.as_str())
    .fetch_optional(&mut *connection)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let below: i64 = row.try_get(3)?;
    let value = serde_json::json!({
        "site": sample.site.trim(),
        "time": at,
        "item": item.code,
        "value": row.try_get::<Option<f64>, _>(0)?,
        "unit": row.try_get::<String, _>(1)?,
        "detection_limit": row.try_get::<Option<f64>, _>(2)?,
        "below_detection": below != 0,
        "reported_value": row.try_get::<String, _>(4)?,
        "reported_unit": row.try_get::<String, _>(5)?,
        "method": row.try_get::<Option<String>, _>(6)?,
    });
    Ok(Some((
        format!("{}/{}/{}", sample.site.trim(), at, item.code),
        value,
    )))
}

/// Imports a samples CSV (operator), audited in the same transaction.
pub async fn import_csv(
    state: &AppState,
    username: &str,
    name: &str,
    bytes: &[u8],
) -> Result<ImportOutcome, ServerError> {
    let checked = samples::check_samples(&state.store, std::path::Path::new(name), bytes).await?;
    let mut tx = state.store.begin_write().await?;
    let summary = samples::import_samples_in(state.store.backend(), &mut tx, &checked).await?;
    let after = serde_json::to_value(&summary).ok();
    audit::record(
        &mut tx,
        username,
        "import",
        "samples",
        name,
        None,
        after.as_ref(),
    )
    .await?;
    tx.commit().await?;
    state.reports.clear_overview();
    Ok(summary.into())
}

/// Parses a period name (default `default`).
pub fn parse_period(text: Option<&str>, default: Period) -> Result<Period, ServerError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(default),
        Some(t) => t.parse().map_err(|_| {
            ServerError::BadRequest(format!(
                "period: `{t}` is not a period; expected sample, month or year"
            ))
        }),
    }
}

/// The date range of a year and/or from/to.
pub fn year_range(
    year: Option<i32>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<SampleQuery, ServerError> {
    let mut query = sample_query(None, None, from, to)?;
    if let Some(year) = year {
        let bad = || ServerError::BadRequest(format!("year: {year} is not a year"));
        let first = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(bad)?;
        let last = NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(bad)?;
        query.from = Some(query.from.map_or(first, |f| f.max(first)));
        query.to = Some(query.to.map_or(last, |t| t.min(last)));
    }
    Ok(query)
}

/// A site's classes over a range.
pub async fn site_classes(
    state: &AppState,
    code: &str,
    period: Period,
    range: &SampleQuery,
) -> Result<Vec<SiteAssessment>, ServerError> {
    known_site(state, code).await?;
    let query = SampleQuery {
        site: Some(code.to_string()),
        ..range.clone()
    };
    Ok(samples::assess_samples(&state.store, &query, period).await?)
}

/// The alerts of a filter, newest first.
pub async fn alert_list(
    state: &AppState,
    site: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Vec<samples::Alert>, ServerError> {
    if let Some(code) = site {
        known_site(state, code).await?;
    }
    let query = sample_query(site, None, from, to)?;
    let mut alerts = samples::sample_alerts(&state.store, &query).await?;
    alerts.sort_by(|a, b| b.time.cmp(&a.time).then_with(|| a.site.cmp(&b.site)));
    Ok(alerts)
}

/// A trend with the series it was computed from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrendReport {
    /// Mann-Kendall test, Sen's slope (per year) and Spearman's rho, with the direction at
    /// the 5 % level.
    #[schema(value_type = Object)]
    pub trend: SiteTrend,
    /// The values tested, in time order.
    #[schema(value_type = Vec<Object>)]
    pub series: Vec<SeriesPoint>,
}

/// The trend of an item at a site.
pub async fn trend_report(
    state: &AppState,
    site: &str,
    item: &str,
    period: Period,
    range: &SampleQuery,
) -> Result<TrendReport, ServerError> {
    known_site(state, site).await?;
    let series = samples::sample_series(&state.store, site, item, period, range).await?;
    let trend = samples::sample_trend(&state.store, site, item, period, range).await?;
    Ok(TrendReport { trend, series })
}

/// The newest year with samples at a site (or anywhere), if any.
pub async fn latest_year(state: &AppState, site: Option<&str>) -> Result<Option<i32>, ServerError> {
    use sqlx::Row;
    let newest: Option<String> =
        sqlx::query("SELECT MAX(sampled_at) FROM samples WHERE ($1 = '' OR site_code = $1)")
            .bind(site.unwrap_or(""))
            .fetch_one(state.store.pool())
            .await?
            .try_get(0)?;
    Ok(newest
        .and_then(|t| NaiveDate::parse_from_str(t.get(..10)?, "%Y-%m-%d").ok())
        .map(|d| d.year()))
}
