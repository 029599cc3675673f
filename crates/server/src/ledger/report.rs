//! The supply ledger as the page and the API ask for it: filters from a query string, a page of
//! a computed ledger, and the whole ledger as a CSV download.

use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use danjiang_ops::calendar::parse_date;
use danjiang_ops::{Format, Grouping, Ledger, LedgerQuery, Period};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::web::error::ServerError;
use crate::web::paging::Paging;

/// The ledger's filters, as in a query string.
#[derive(Debug, Clone, Default, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerParams {
    /// Grouping: outlet (default), plant, county or use.
    pub by: Option<String>,
    /// Period of rows: day, month (default), year (water year) or all.
    pub period: Option<String>,
    /// First day included, YYYY-MM-DD.
    pub from: Option<String>,
    /// Last day included, YYYY-MM-DD.
    pub to: Option<String>,
    /// Rows in the page, 1 to 1000 (default 100; JSON only).
    pub limit: Option<i64>,
    /// Rows skipped (default 0; JSON only).
    pub offset: Option<i64>,
}

fn day_field(name: &str, text: &Option<String>) -> Result<Option<i64>, ServerError> {
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => parse_date(text).map(Some).ok_or_else(|| {
            ServerError::BadRequest(format!("{name} `{text}`: expected a date YYYY-MM-DD"))
        }),
    }
}

impl LedgerParams {
    /// The ledger request these filters ask for.
    pub fn query(&self) -> Result<LedgerQuery, ServerError> {
        let by: Grouping = match self.by.as_deref().map(str::trim) {
            None | Some("") => Grouping::Outlet,
            Some(text) => text.parse()?,
        };
        let period: Period = match self.period.as_deref().map(str::trim) {
            None | Some("") => Period::Month,
            Some(text) => text.parse()?,
        };
        let from = day_field("from", &self.from)?;
        let to = day_field("to", &self.to)?;
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                return Err(ServerError::BadRequest(
                    "from is after to: expected from <= to".to_string(),
                ));
            }
        }
        Ok(LedgerQuery {
            by,
            period,
            from,
            to,
        })
    }
}

/// One page of a ledger.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LedgerPage {
    /// Grouping of the rows.
    pub by: String,
    /// Period of the rows.
    pub period: String,
    /// Rows in the whole ledger.
    pub total: usize,
    /// Volume of the whole ledger (all pages), m³.
    pub total_volume_m3: f64,
    /// The page.
    pub paging: Paging,
    /// The rows: the grouping's key field (`outlet`, `plant`, `county` or `use`), `name`,
    /// `period`, `first_day`, `last_day`, `volume_m3`, `volume_wan_m3` (10⁴ m³), `volume_yi_m3`
    /// (10⁸ m³), `meter_days`, `estimated_meter_days`, `plan_m3`, `completion_pct`.
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<serde_json::Value>,
}

/// Period name as in the query string.
pub fn period_name(period: Period) -> &'static str {
    match period {
        Period::Day => "day",
        Period::Month => "month",
        Period::Year => "year",
        Period::All => "all",
    }
}

/// A page of a computed ledger.
pub fn ledger_page(ledger: &Ledger, paging: Paging) -> LedgerPage {
    let count = ledger.rows.len();
    let start = usize::try_from(paging.offset)
        .unwrap_or(usize::MAX)
        .min(count);
    let end = start
        .saturating_add(usize::try_from(paging.limit).unwrap_or(0))
        .min(count);
    // Only the page's rows become JSON: the ledger is cached, its JSON is made per request,
    // and converting every row of a long ledger took most of the request's time.
    let page = Ledger {
        query: ledger.query,
        rows: ledger.rows[start..end].to_vec(),
    };
    LedgerPage {
        by: ledger.query.by.as_str().to_string(),
        period: period_name(ledger.query.period).to_string(),
        total: count,
        total_volume_m3: ledger.rows.iter().map(|r| r.volume_m3).sum(),
        paging,
        rows: page.json_rows(),
    }
}

/// The ledger as CSV text.
pub fn ledger_csv_text(ledger: &Ledger) -> Result<Vec<u8>, ServerError> {
    let mut out = Vec::new();
    ledger.write(Format::Csv, &mut out)?;
    Ok(out)
}

/// A CSV download response.
pub fn csv_response(ledger: &Ledger) -> Result<Response, ServerError> {
    let body = ledger_csv_text(ledger)?;
    let name = format!(
        "ledger-{}-{}.csv",
        ledger.query.by.as_str(),
        period_name(ledger.query.period)
    );
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response())
}
