//! Daily volumes from meter readings: totaliser registers (with resets, roll-overs and meter
//! replacements) or flow rates, with gaps bridged by interpolation and every such day flagged.
//!
//! Plain functions, no database: the store feeds them one meter's readings in time order.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::calendar::{Day, SECONDS_PER_DAY};

/// What a meter's readings are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadingKind {
    /// The register of a totalising meter, m³; it only grows except at a reset, a roll-over or a
    /// replacement.
    Totaliser,
    /// An instantaneous flow rate, m³/s; the volume is its integral over time.
    FlowRate,
}

impl ReadingKind {
    /// The name used in files and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            ReadingKind::Totaliser => "totaliser",
            ReadingKind::FlowRate => "flow_rate",
        }
    }

    /// Parses `totaliser` or `flow_rate`.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "totaliser" => Some(ReadingKind::Totaliser),
            "flow_rate" => Some(ReadingKind::FlowRate),
            _ => None,
        }
    }
}

/// How to turn one meter's readings into volumes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeterSettings {
    /// Totaliser or flow rate.
    pub kind: ReadingKind,
    /// For a totaliser: the register's capacity, m³ (a 7-digit register rolls over at 10⁷ m³).
    /// A falling register counts as a roll-over when that means less than half a capacity went
    /// through; otherwise (and always when `None`) as a reset to zero, flagged as estimated.
    pub rollover_m3: Option<f64>,
    /// The longest interval between readings still counted as measured, s; a longer one is a
    /// gap, bridged by linear interpolation, and the days it touches are flagged as estimated.
    pub max_gap_s: i64,
}

/// One reading: local time (s since 1970-01-01 local) and value (m³ register or m³/s flow).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    /// Local time of the reading, s.
    pub at: i64,
    /// Register value, m³, or flow rate, m³/s.
    pub value: f64,
}

/// A meter exchanged between two readings: the old register's last value and the new one's first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Replacement {
    /// Local time of the exchange, s.
    pub at: i64,
    /// Last register value of the meter taken out, m³.
    pub old_final_m3: f64,
    /// First register value of the meter put in, m³.
    pub new_initial_m3: f64,
}

/// The volume through a meter on one local day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DailyVolume {
    /// The day.
    pub day: Day,
    /// Volume, m³.
    pub volume_m3: f64,
    /// True when any part of the day was interpolated across a gap, follows an unexplained
    /// register reset, or is not covered by readings at all.
    pub estimated: bool,
}

/// A stretch between two readings over which the flow is taken to vary linearly.
#[derive(Debug, Clone, Copy)]
struct Interval {
    start: i64,
    end: i64,
    start_rate: f64,
    end_rate: f64,
    estimated: bool,
}

impl Interval {
    fn rate_at(&self, at: i64) -> f64 {
        let span = (self.end - self.start) as f64;
        self.start_rate + (self.end_rate - self.start_rate) * (at - self.start) as f64 / span
    }

    /// The volume between `from` and `to` (inside the interval), m³: the exact integral of the
    /// linear rate.
    fn volume_between(&self, from: i64, to: i64) -> f64 {
        0.5 * (self.rate_at(from) + self.rate_at(to)) * (to - from) as f64
    }
}

/// Daily volumes of one meter. `readings` must be in strictly increasing time (the store keeps
/// one reading per meter and time); `replacements` in any order. Days before the first or after
/// the last reading get no volume.
pub fn daily_volumes(
    settings: &MeterSettings,
    readings: &[Reading],
    replacements: &[Replacement],
) -> Vec<DailyVolume> {
    let intervals = match settings.kind {
        ReadingKind::Totaliser => totaliser_intervals(settings, readings, replacements),
        ReadingKind::FlowRate => flow_intervals(settings, readings),
    };
    spread_over_days(&intervals)
}

fn totaliser_intervals(
    settings: &MeterSettings,
    readings: &[Reading],
    replacements: &[Replacement],
) -> Vec<Interval> {
    let mut exchanges: Vec<Replacement> = replacements.to_vec();
    exchanges.sort_by_key(|r| r.at);
    let mut intervals = Vec::with_capacity(readings.len().saturating_sub(1));
    for pair in readings.windows(2) {
        let (first, second) = (pair[0], pair[1]);
        if second.at <= first.at {
            continue;
        }
        let mut estimated = second.at - first.at > settings.max_gap_s;
        let inside: Vec<&Replacement> = exchanges
            .iter()
            .filter(|r| r.at > first.at && r.at <= second.at)
            .collect();
        let volume = if inside.is_empty() {
            let delta = second.value - first.value;
            if delta >= 0.0 {
                delta
            } else if let Some(capacity) = settings
                .rollover_m3
                .filter(|capacity| capacity - first.value + second.value <= 0.5 * capacity)
            {
                // A register near its top that comes round again has rolled over; a fall from
                // lower down (which would mean more than half a register's worth at once) is a reset.
                capacity - first.value + second.value
            } else {
                // A reset with no record: the register restarted from zero at an unknown moment
                // in this interval, so what it shows now is all we know was delivered.
                estimated = true;
                second.value
            }
        } else {
            // Old register up to the first exchange, each new register from its first value.
            let mut volume = inside[0].old_final_m3 - first.value;
            for pair in inside.windows(2) {
                volume += pair[1].old_final_m3 - pair[0].new_initial_m3;
            }
            volume += second.value - inside[inside.len() - 1].new_initial_m3;
            volume.max(0.0)
        };
        let rate = volume / (second.at - first.at) as f64;
        intervals.push(Interval {
            start: first.at,
            end: second.at,
            start_rate: rate,
            end_rate: rate,
            estimated,
        });
    }
    intervals
}

fn flow_intervals(settings: &MeterSettings, readings: &[Reading]) -> Vec<Interval> {
    readings
        .windows(2)
        .filter(|pair| pair[1].at > pair[0].at)
        .map(|pair| Interval {
            start: pair[0].at,
            end: pair[1].at,
            start_rate: pair[0].value,
            end_rate: pair[1].value,
            estimated: pair[1].at - pair[0].at > settings.max_gap_s,
        })
        .collect()
}

fn spread_over_days(intervals: &[Interval]) -> Vec<DailyVolume> {
    // day -> (volume, estimated, seconds covered)
    let mut days: BTreeMap<Day, (f64, bool, i64)> = BTreeMap::new();
    for interval in intervals {
        let mut from = interval.start;
        while from < interval.end {
            let day = from.div_euclid(SECONDS_PER_DAY);
            let to = ((day + 1) * SECONDS_PER_DAY).min(interval.end);
            let entry = days.entry(day).or_insert((0.0, false, 0));
            entry.0 += interval.volume_between(from, to);
            entry.1 |= interval.estimated;
            entry.2 += to - from;
            from = to;
        }
    }
    days.into_iter()
        .map(|(day, (volume_m3, estimated, covered))| DailyVolume {
            day,
            volume_m3,
            estimated: estimated || covered < SECONDS_PER_DAY,
        })
        .collect()
}

/// Plan completion, percent: the share of the planned volume delivered; `None` without a plan.
pub fn plan_completion_percent(delivered_m3: f64, planned_m3: f64) -> Option<f64> {
    (planned_m3 > 0.0).then(|| 100.0 * delivered_m3 / planned_m3)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = SECONDS_PER_DAY;

    fn totaliser() -> MeterSettings {
        MeterSettings {
            kind: ReadingKind::Totaliser,
            rollover_m3: None,
            max_gap_s: DAY + 3600,
        }
    }

    fn daily(values: &[(i64, f64)]) -> Vec<Reading> {
        values
            .iter()
            .map(|&(day, value)| Reading {
                at: day * DAY,
                value,
            })
            .collect()
    }

    #[test]
    fn midnight_register_readings_give_their_differences() {
        let volumes = daily_volumes(
            &totaliser(),
            &daily(&[(0, 100.0), (1, 150.0), (2, 400.0)]),
            &[],
        );
        assert_eq!(volumes.len(), 2);
        assert_eq!(volumes[0].volume_m3, 50.0);
        assert_eq!(volumes[1].volume_m3, 250.0);
        assert!(volumes.iter().all(|v| !v.estimated));
    }

    #[test]
    fn a_gap_is_spread_evenly_and_flagged() {
        let volumes = daily_volumes(
            &totaliser(),
            &daily(&[(0, 0.0), (1, 10.0), (4, 40.0), (5, 45.0)]),
            &[],
        );
        let flags: Vec<bool> = volumes.iter().map(|v| v.estimated).collect();
        assert_eq!(flags, [false, true, true, true, false]);
        assert!((volumes[2].volume_m3 - 10.0).abs() < 1e-9);
        let total: f64 = volumes.iter().map(|v| v.volume_m3).sum();
        assert!((total - 45.0).abs() < 1e-9);
    }

    #[test]
    fn readings_off_midnight_split_by_time() {
        let readings = [
            Reading {
                at: 6 * 3600,
                value: 0.0,
            },
            Reading {
                at: DAY + 6 * 3600,
                value: 24.0,
            },
        ];
        let volumes = daily_volumes(&totaliser(), &readings, &[]);
        assert!((volumes[0].volume_m3 - 18.0).abs() < 1e-9);
        assert!((volumes[1].volume_m3 - 6.0).abs() < 1e-9);
        // neither day is fully covered
        assert!(volumes.iter().all(|v| v.estimated));
    }

    #[test]
    fn a_rollover_is_counted_through_the_register_capacity() {
        let settings = MeterSettings {
            rollover_m3: Some(1000.0),
            ..totaliser()
        };
        let volumes = daily_volumes(&settings, &daily(&[(0, 900.0), (1, 50.0)]), &[]);
        assert_eq!(volumes[0].volume_m3, 150.0);
        assert!(!volumes[0].estimated);
    }

    #[test]
    fn a_fall_far_below_the_top_is_a_reset_even_with_a_known_capacity() {
        let settings = MeterSettings {
            rollover_m3: Some(1000.0),
            ..totaliser()
        };
        let volumes = daily_volumes(&settings, &daily(&[(0, 300.0), (1, 40.0)]), &[]);
        assert_eq!(volumes[0].volume_m3, 40.0);
        assert!(volumes[0].estimated);
    }

    #[test]
    fn an_unrecorded_reset_counts_from_zero_and_is_flagged() {
        let volumes = daily_volumes(
            &totaliser(),
            &daily(&[(0, 900.0), (1, 950.0), (2, 30.0)]),
            &[],
        );
        assert_eq!(volumes[1].volume_m3, 30.0);
        assert!(volumes[1].estimated);
        assert!(!volumes[0].estimated);
    }

    #[test]
    fn a_replacement_joins_the_two_registers() {
        let exchange = Replacement {
            at: DAY + 3600,
            old_final_m3: 1020.0,
            new_initial_m3: 5.0,
        };
        let volumes = daily_volumes(
            &totaliser(),
            &daily(&[(0, 900.0), (1, 1000.0), (2, 85.0)]),
            &[exchange],
        );
        assert_eq!(volumes[1].volume_m3, 20.0 + 80.0);
        assert!(!volumes[1].estimated);
    }

    #[test]
    fn flow_rates_integrate_by_trapezoid() {
        let settings = MeterSettings {
            kind: ReadingKind::FlowRate,
            rollover_m3: None,
            max_gap_s: 3600,
        };
        let readings: Vec<Reading> = (0..=48)
            .map(|hour| Reading {
                at: hour * 3600,
                value: if hour < 24 { 1.0 } else { 2.0 },
            })
            .collect();
        let volumes = daily_volumes(&settings, &readings, &[]);
        // the ramp from 1 to 2 m³/s between 23:00 and 24:00 belongs to day 0
        assert!((volumes[0].volume_m3 - (23.0 * 3600.0 + 1.5 * 3600.0)).abs() < 1e-6);
        assert!((volumes[1].volume_m3 - 2.0 * DAY as f64).abs() < 1e-6);
        assert!(volumes.iter().all(|v| !v.estimated));
    }

    #[test]
    fn completion_needs_a_plan() {
        assert_eq!(plan_completion_percent(50.0, 200.0), Some(25.0));
        assert_eq!(plan_completion_percent(50.0, 0.0), None);
    }
}
