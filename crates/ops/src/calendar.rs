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
    let text = text.trim();
    if let Some((first, second)) = text.split_once('-') {
        let first: i32 = first.trim().parse().ok()?;
        let second: i32 = second.trim().parse().ok()?;
        (second == first + 1).then_some(second)
    } else {
        text.parse().ok()
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
