//! Dates and times as the field keeps them: local station time (China Standard Time, no daylight
//! saving), days, months and the water year (1 November to 31 October).

use chrono::{Datelike, NaiveDate, NaiveDateTime};

/// Seconds in a day.
pub const SECONDS_PER_DAY: i64 = 86_400;

/// A day, counted from 1970-01-01 (day 0), in local station time.
pub type Day = i64;

/// Parses a local date-time (`YYYY-MM-DD HH:MM[:SS]`, `T` also accepted between date and time, or a
/// bare date meaning midnight) into seconds since 1970-01-01 00:00 local time.
pub fn parse_local_time(text: &str) -> Option<i64> {
    let text = text.trim();
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
            return Some(at.and_utc().timestamp());
        }
    }
    parse_date(text).map(|day| day * SECONDS_PER_DAY)
}

/// Parses a date `YYYY-MM-DD` into its day number.
pub fn parse_date(text: &str) -> Option<Day> {
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    Some(day_of_date(date))
}

/// The day number of a calendar date.
pub fn day_of_date(date: NaiveDate) -> Day {
    date.signed_duration_since(epoch()).num_days()
}

/// The calendar date of a day number (days far outside the calendar saturate to its ends).
pub fn date_of_day(day: Day) -> NaiveDate {
    epoch()
        .checked_add_signed(chrono::Duration::days(day))
        .unwrap_or(if day < 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        })
}

/// Formats local seconds as `YYYY-MM-DD HH:MM:SS`.
pub fn format_local_time(at: i64) -> String {
    match chrono::DateTime::from_timestamp(at, 0) {
        Some(time) => time.naive_utc().format("%Y-%m-%d %H:%M:%S").to_string(),
        None => at.to_string(),
    }
}

/// Formats a day number as `YYYY-MM-DD`.
pub fn format_day(day: Day) -> String {
    date_of_day(day).format("%Y-%m-%d").to_string()
}

/// The water year a day belongs to, named by the calendar year in which it ends: 1 Nov 2014 to
/// 31 Oct 2015 is water year 2015.
pub fn water_year(day: Day) -> i32 {
    let date = date_of_day(day);
    if date.month() >= 11 {
        date.year() + 1
    } else {
        date.year()
    }
}

/// The label of a water year as the field writes it: `2014-2015`.
pub fn water_year_label(year: i32) -> String {
    format!("{}-{}", year - 1, year)
}

/// Parses a water-year label `2014-2015` (or the ending year alone, `2015`).
pub fn parse_water_year(text: &str) -> Option<i32> {
    // Four-digit years only: `21-22` is not read as 22.
    let year = |t: &str| {
        let t = t.trim();
        (t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse::<i32>().ok())
            .flatten()
    };
    let text = text.trim();
    let year = if let Some((first, second)) = text.split_once('-') {
        let (first, second) = (year(first)?, year(second)?);
        (second == first + 1).then_some(second)?
    } else {
        year(text)?
    };
    let bounds = TimeBounds::now();
    let (earliest, latest) = (
        year_of(bounds.earliest),
        year_of(bounds.latest) + PLAN_YEARS_AHEAD,
    );
    (earliest..=latest).contains(&year).then_some(year)
}

/// How many water years ahead of today a plan may be made.
const PLAN_YEARS_AHEAD: i32 = 10;

fn year_of(seconds: i64) -> i32 {
    date_of_day(seconds.div_euclid(SECONDS_PER_DAY)).year()
}

/// The times a record of the system may carry: none before the system's records begin, none in
/// the future beyond a small clock skew. A single reading dated 9999-12-31 would otherwise turn
/// every meter's daily volumes into millions of rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeBounds {
    /// The earliest time accepted, s since 1970-01-01 local.
    pub earliest: i64,
    /// The latest time accepted, s since 1970-01-01 local.
    pub latest: i64,
}

/// The first day records may carry unless `DANJIANG_EARLIEST_DATE` says otherwise: the year
/// the middle route's construction began in Henan.
const DEFAULT_EARLIEST: &str = "2000-01-01";

/// How far ahead of the station clock a time may be: clocks of loggers drift.
const CLOCK_SKEW_SECONDS: i64 = 3_600;

/// China Standard Time, hours ahead of UTC.
const STATION_UTC_OFFSET_HOURS: i64 = 8;

/// Seconds station time is ahead of UTC.
pub const STATION_OFFSET_S: i64 = STATION_UTC_OFFSET_HOURS * 3_600;

/// Parses a time as instruments send it: an RFC 3339 time with its offset (`2026-12-07T05:00:00Z`,
/// `...+08:00`), converted to station time, or a local station time as [`parse_local_time`] reads.
pub fn parse_station_time(text: &str) -> Option<i64> {
    let text = text.trim();
    match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(time) => Some(time.timestamp() + STATION_OFFSET_S),
        Err(_) => parse_local_time(text),
    }
}

impl TimeBounds {
    /// From `DANJIANG_EARLIEST_DATE` (`YYYY-MM-DD`, default 2000-01-01) to the station clock
    /// now plus an hour's skew.
    pub fn now() -> TimeBounds {
        let earliest = std::env::var("DANJIANG_EARLIEST_DATE")
            .ok()
            .and_then(|text| parse_date(&text))
            .or_else(|| parse_date(DEFAULT_EARLIEST))
            .unwrap_or(0)
            * SECONDS_PER_DAY;
        let station_now = chrono::Utc::now().timestamp() + STATION_OFFSET_S;
        TimeBounds {
            earliest,
            latest: station_now + CLOCK_SKEW_SECONDS,
        }
    }

    /// Why `time` (s since 1970-01-01 local) is refused, or `None` when it is within bounds.
    pub fn refusal(&self, time: i64) -> Option<String> {
        let show = |t: i64| {
            chrono::DateTime::from_timestamp(t, 0)
                .map(|d| d.naive_utc().format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default()
        };
        if time < self.earliest {
            Some(format!(
                "is before {}, when records begin (DANJIANG_EARLIEST_DATE sets another start)",
                show(self.earliest)
            ))
        } else if time > self.latest {
            Some(format!(
                "is in the future (after {} station time, an hour's clock skew allowed)",
                show(self.latest)
            ))
        } else {
            None
        }
    }
}

/// The first day of a water year (1 November of the year before).
pub fn water_year_start(year: i32) -> Day {
    NaiveDate::from_ymd_opt(year - 1, 11, 1).map_or(0, day_of_date)
}

/// `YYYY-MM` of a day.
pub fn month_label(day: Day) -> String {
    date_of_day(day).format("%Y-%m").to_string()
}

/// Calendar (year, month) of a day.
pub fn year_month(day: Day) -> (i32, u32) {
    let date = date_of_day(day);
    (date.year(), date.month())
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN) // ok: a valid constant date
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn water_year_runs_november_to_october() {
        let day = |s| parse_date(s).unwrap();
        assert_eq!(water_year(day("2014-12-14")), 2015);
        assert_eq!(water_year(day("2015-10-31")), 2015);
        assert_eq!(water_year(day("2015-11-01")), 2016);
        assert_eq!(water_year_start(2015), day("2014-11-01"));
        assert_eq!(parse_water_year("2014-2015"), Some(2015));
        assert_eq!(parse_water_year("2014-2016"), None);
        assert_eq!(water_year_label(2015), "2014-2015");
    }

    #[test]
    fn times_parse_and_format_round_trip() {
        let at = parse_local_time("2015-03-01 08:30").unwrap();
        assert_eq!(format_local_time(at), "2015-03-01 08:30:00");
        assert_eq!(parse_local_time("2015-03-01"), Some(at - 8 * 3600 - 1800));
        assert_eq!(parse_local_time("2015-02-30 00:00"), None);
        assert_eq!(format_day(parse_date("2020-02-29").unwrap()), "2020-02-29");
    }
}
