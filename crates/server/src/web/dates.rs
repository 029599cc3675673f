//! Clocks and dates every feature reads alike: the server's clock, station time (UTC+8) and
//! days and months as query strings and forms write them.

use chrono::{NaiveDate, NaiveDateTime};

use crate::web::error::ServerError;

/// Seconds since 1970 now.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A UTC time as `YYYY-MM-DD HH:MM:SS`.
pub fn format_time(seconds: i64) -> String {
    danjiang_ops::calendar::format_local_time(seconds)
}

/// Station time now, to the second: China Standard Time (UTC+8, no daylight saving), as the
/// field keeps it.
pub fn station_now() -> NaiveDateTime {
    use chrono::Timelike;
    let now = (chrono::Utc::now() + chrono::Duration::hours(8)).naive_utc();
    now.with_nanosecond(0).unwrap_or(now)
}

/// Parses a day `YYYY-MM-DD` of field `field`.
pub fn parse_day(text: &str, field: &str) -> Result<NaiveDate, ServerError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| ServerError::BadRequest(format!("{field}: `{text}` is not a date YYYY-MM-DD")))
}

/// The first and last day of a month `YYYY-MM` of field `field`.
pub fn parse_month(text: &str, field: &str) -> Result<(NaiveDate, NaiveDate), ServerError> {
    let bad = || ServerError::BadRequest(format!("{field}: `{text}` is not a month YYYY-MM"));
    let (year, month) = text.trim().split_once('-').ok_or_else(bad)?;
    let year: i32 = year.parse().map_err(|_| bad())?;
    let month: u32 = month.parse().map_err(|_| bad())?;
    let first = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(bad)?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .ok_or_else(bad)?;
    Ok((first, next.pred_opt().ok_or_else(bad)?))
}
