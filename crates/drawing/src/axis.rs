//! Axis ticks: "nice" numbers (steps of 1, 2 or 5 times a power of ten) for values, calendar
//! steps for dates and clock steps for simulation times.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};

/// One tick on an axis: where it is (in data units) and what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// Position in data units (seconds for time axes).
    pub value: f64,
    /// The label written beside it.
    pub label: String,
}

/// A linear mapping from a data interval to a pixel interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearScale {
    /// Data value at the start of the range.
    pub domain_start: f64,
    /// Data value at the end of the range.
    pub domain_end: f64,
    /// Pixel position of `domain_start`.
    pub range_start: f64,
    /// Pixel position of `domain_end`.
    pub range_end: f64,
}

impl LinearScale {
    /// The pixel position of a data value.
    pub fn map(&self, value: f64) -> f64 {
        let span = self.domain_end - self.domain_start;
        if span == 0.0 || !span.is_finite() {
            return (self.range_start + self.range_end) / 2.0;
        }
        self.range_start + (value - self.domain_start) / span * (self.range_end - self.range_start)
    }
}

/// The nice step for covering `span` with about `target` intervals: 1, 2 or 5 × 10^k.
pub fn nice_step(span: f64, target: usize) -> f64 {
    let target = target.max(1) as f64;
    if !(span.is_finite() && span > 0.0) {
        return 1.0;
    }
    let raw = span / target;
    let magnitude = 10f64.powf(raw.log10().floor());
    let fraction = raw / magnitude;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// Extends `[low, high]` to whole nice steps and returns the extended bounds and the step.
///
/// An empty or single-valued interval is widened around its value so an axis can still be drawn.
pub fn nice_bounds(low: f64, high: f64, target: usize) -> (f64, f64, f64) {
    let (mut low, mut high) = if low <= high {
        (low, high)
    } else {
        (high, low)
    };
    if !low.is_finite() || !high.is_finite() {
        return (0.0, 1.0, nice_step(1.0, target));
    }
    if low == high {
        let pad = if low == 0.0 { 1.0 } else { low.abs() * 0.1 };
        low -= pad;
        high += pad;
    }
    let step = nice_step(high - low, target);
    let start = (low / step).floor() * step;
    let end = (high / step).ceil() * step;
    (start, end, step)
}

/// Decimals needed to tell ticks `step` apart.
pub fn decimals_for(step: f64) -> usize {
    if !(step.is_finite() && step > 0.0) || step >= 1.0 {
        return 0;
    }
    (-step.log10().floor()).clamp(0.0, 10.0) as usize
}

/// A number for a tick label: fixed decimals, thousands grouped with commas.
pub fn format_value(value: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, if value == 0.0 { 0.0 } else { value });
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let mut grouped = String::new();
    let count = whole.len();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (count - i) % 3 == 0 && count > 4 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if grouped.chars().all(|c| c == '0' || c == ',')
        && fraction.is_none_or(|f| f.chars().all(|c| c == '0'))
    {
        ""
    } else {
        sign
    };
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// Ticks for a value axis over `[low, high]`, with the bounds extended to whole steps.
pub fn value_ticks(low: f64, high: f64, target: usize) -> (f64, f64, Vec<Tick>) {
    let (start, end, step) = nice_bounds(low, high, target);
    let decimals = decimals_for(step);
    let count = ((end - start) / step).round() as i64;
    let ticks = (0..=count.clamp(0, 1000))
        .map(|i| {
            let value = start + i as f64 * step;
            Tick {
                value,
                label: format_value(value, decimals),
            }
        })
        .collect();
    (start, end, ticks)
}

/// Ticks for simulation time in seconds from the start of a run, labelled as EPANET reports
/// do (`hours:minutes`, hours running past 24), at steps of whole minutes or hours.
pub fn duration_ticks(start: f64, end: f64, target: usize) -> Vec<Tick> {
    const STEPS: [f64; 16] = [
        60.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 10800.0, 14400.0, 21600.0, 43200.0,
        86400.0, 172800.0, 345600.0, 604800.0, 1209600.0,
    ];
    let span = (end - start).max(0.0);
    let target = target.max(1) as f64;
    let step = STEPS
        .iter()
        .copied()
        .find(|s| span / s <= target)
        .unwrap_or_else(|| (span / target / 604800.0).ceil().max(1.0) * 604800.0);
    let first = (start / step).ceil() * step;
    let mut ticks = Vec::new();
    let mut value = first;
    while value <= end + 1e-9 && ticks.len() < 1000 {
        let total_minutes = (value / 60.0).round() as i64;
        ticks.push(Tick {
            value,
            label: format!("{}:{:02}", total_minutes / 60, (total_minutes % 60).abs()),
        });
        value += step;
    }
    ticks
}

/// Calendar steps a date axis may use, from minutes to decades.
#[derive(Debug, Clone, Copy, PartialEq)]
enum CalendarStep {
    Seconds(i64),
    Months(u32),
    Years(i32),
}

/// Ticks for a date-time axis; `start` and `end` are seconds since 1970-01-01 00:00 in the
/// time zone the labels are read in. Ticks fall on whole hours, days, months or years.
pub fn datetime_ticks(start: f64, end: f64, target: usize) -> Vec<Tick> {
    use CalendarStep::*;
    const STEPS: [CalendarStep; 19] = [
        Seconds(60),
        Seconds(300),
        Seconds(900),
        Seconds(1800),
        Seconds(3600),
        Seconds(3 * 3600),
        Seconds(6 * 3600),
        Seconds(12 * 3600),
        Seconds(86400),
        Seconds(2 * 86400),
        Seconds(7 * 86400),
        Months(1),
        Months(3),
        Months(6),
        Years(1),
        Years(2),
        Years(5),
        Years(10),
        Years(50),
    ];
    if !(start.is_finite() && end.is_finite()) || end < start {
        return Vec::new();
    }
    let span = end - start;
    let target = target.max(1) as f64;
    let approximate = |step: CalendarStep| match step {
        Seconds(s) => s as f64,
        Months(m) => m as f64 * 30.44 * 86400.0,
        Years(y) => y as f64 * 365.25 * 86400.0,
    };
    let step = STEPS
        .iter()
        .copied()
        .find(|s| span / approximate(*s) <= target)
        .unwrap_or(Years(100));
    let Some(start_time) = to_datetime(start) else {
        return Vec::new();
    };
    let mut ticks = Vec::new();
    let mut push = |time: NaiveDateTime, label: String| {
        let value = time.and_utc().timestamp() as f64;
        if value >= start - 1e-6 && value <= end + 1e-6 {
            ticks.push(Tick { value, label });
        }
    };
    match step {
        Seconds(seconds) => {
            let first = ((start / seconds as f64).ceil() as i64) * seconds;
            let mut time = match DateTime::from_timestamp(first, 0) {
                Some(t) => t.naive_utc(),
                None => return Vec::new(),
            };
            let end_time = to_datetime(end).unwrap_or(time);
            let mut count = 0;
            while time <= end_time && count < 1000 {
                let label = if seconds >= 86400 {
                    time.format("%Y-%m-%d").to_string()
                } else if time.hour() == 0 && time.minute() == 0 {
                    time.format("%m-%d").to_string()
                } else {
                    time.format("%H:%M").to_string()
                };
                push(time, label);
                time += Duration::seconds(seconds);
                count += 1;
            }
        }
        Months(months) => {
            let mut year = start_time.year();
            let mut month0 = start_time.month0();
            month0 -= month0 % months;
            for _ in 0..1000 {
                let Some(date) = NaiveDate::from_ymd_opt(year, month0 + 1, 1) else {
                    break;
                };
                let time = date.and_hms_opt(0, 0, 0).unwrap_or_default();
                if time.and_utc().timestamp() as f64 > end {
                    break;
                }
                push(time, time.format("%Y-%m").to_string());
                month0 += months;
                if month0 >= 12 {
                    month0 -= 12;
                    year += 1;
                }
            }
        }
        Years(years) => {
            let mut year = start_time.year().div_euclid(years) * years;
            for _ in 0..1000 {
                let Some(date) = NaiveDate::from_ymd_opt(year, 1, 1) else {
                    break;
                };
                let time = date.and_hms_opt(0, 0, 0).unwrap_or_default();
                if time.and_utc().timestamp() as f64 > end {
                    break;
                }
                push(time, year.to_string());
                year += years;
            }
        }
    }
    ticks
}

fn to_datetime(seconds: f64) -> Option<NaiveDateTime> {
    DateTime::from_timestamp(seconds.floor() as i64, 0).map(|t| t.naive_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps_are_one_two_five() {
        assert_eq!(nice_step(10.0, 5), 2.0);
        assert_eq!(nice_step(97.0, 5), 20.0);
        assert_eq!(nice_step(0.3, 5), 0.1);
        assert_eq!(nice_step(7000.0, 5), 2000.0);
        assert_eq!(nice_step(0.0, 5), 1.0);
    }

    #[test]
    fn value_ticks_cover_the_data_with_round_labels() {
        let (low, high, ticks) = value_ticks(3.2, 97.0, 5);
        assert_eq!((low, high), (0.0, 100.0));
        let labels: Vec<_> = ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0", "20", "40", "60", "80", "100"]);
        let (_, _, ticks) = value_ticks(0.12, 0.47, 4);
        assert_eq!(ticks[1].label, "0.2");
        let (low, high, _) = value_ticks(5.0, 5.0, 5);
        assert!(low < 5.0 && high > 5.0);
    }

    #[test]
    fn large_values_are_grouped() {
        assert_eq!(format_value(1_015_000.0, 0), "1,015,000");
        assert_eq!(format_value(-12_500.5, 1), "-12,500.5");
        assert_eq!(format_value(2500.0, 0), "2500");
        assert_eq!(format_value(-0.0001, 2), "0.00");
    }

    #[test]
    fn duration_ticks_fall_on_hours() {
        // The smallest step giving at most the target number of intervals.
        let ticks = duration_ticks(0.0, 86400.0, 6);
        let labels: Vec<_> = ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(
            labels,
            ["0:00", "4:00", "8:00", "12:00", "16:00", "20:00", "24:00"]
        );
        let ticks = duration_ticks(1800.0, 86400.0, 8);
        assert_eq!(ticks[0].label, "3:00");
        let ticks = duration_ticks(0.0, 7.0 * 86400.0, 8);
        assert_eq!(ticks[1].label, "24:00");
    }

    #[test]
    fn datetime_ticks_fall_on_calendar_boundaries() {
        let seconds = |y, m, d| {
            NaiveDate::from_ymd_opt(y, m, d)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc().timestamp() as f64)
                .unwrap_or(0.0)
        };
        let ticks = datetime_ticks(seconds(2014, 12, 14), seconds(2021, 5, 31), 8);
        let labels: Vec<_> = ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(
            labels,
            ["2015", "2016", "2017", "2018", "2019", "2020", "2021"]
        );
        let ticks = datetime_ticks(seconds(2020, 1, 1), seconds(2020, 12, 31), 6);
        assert_eq!(ticks[0].label, "2020-01");
        assert_eq!(ticks[1].label, "2020-04");
        let ticks = datetime_ticks(seconds(2020, 3, 1), seconds(2020, 3, 2), 6);
        assert_eq!(ticks[0].label, "03-01");
        assert_eq!(ticks[1].label, "06:00");
    }
}
