//! Comparing two binary output files: per quantity, the largest absolute and relative
//! difference and where (element, time) it happens, checked against tolerances.
//!
//! Elements are matched by ID (without regard to case, as EPANET matches them) and periods
//! by elapsed time, so two files of the same network written in a different element order
//! or with a different report step still compare.

use crate::binary::{
    OutReader, PeriodResults, Prolog, LINK_QUANTITIES, LINK_QUANTITY_NAMES, NODE_QUANTITIES,
    NODE_QUANTITY_NAMES,
};
use crate::error::OutputError;
use crate::units::ReportUnits;
use serde::Serialize;
use std::collections::HashMap;
use std::io::{Read, Seek};

/// Tolerances in the files' report units; a quantity is checked when one applies to it.
///
/// A value breaks the tolerance when `|a - b| > absolute + relative * max(|a|, |b|)`, with
/// a missing tolerance counted as zero: only an absolute tolerance is a plain absolute
/// test, only a relative one a plain relative test, both together pass a value that meets
/// either.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Tolerances {
    /// Node head, length units.
    pub head: Option<f64>,
    /// Node pressure, pressure units.
    pub pressure: Option<f64>,
    /// Link flow and node demand, flow units.
    pub flow: Option<f64>,
    /// Node and link quality, quality units.
    pub quality: Option<f64>,
    /// Relative difference, for every quantity.
    pub relative: Option<f64>,
}

impl Tolerances {
    /// The absolute tolerance of a quantity, and whether any tolerance applies to it.
    fn for_quantity(&self, quantity: Quantity) -> (Option<f64>, bool) {
        let absolute = match quantity {
            Quantity::Node(0) | Quantity::Link(0) => self.flow,
            Quantity::Node(1) => self.head,
            Quantity::Node(2) => self.pressure,
            Quantity::Node(3) | Quantity::Link(3) => self.quality,
            _ => None,
        };
        (absolute, absolute.is_some() || self.relative.is_some())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quantity {
    Node(usize),
    Link(usize),
}

/// Where a largest difference was found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Extreme {
    /// The difference: absolute in report units, or relative (a fraction).
    pub difference: f64,
    /// ID of the node or link.
    pub element: String,
    /// Elapsed time of the period, s.
    pub time: i64,
    /// The value in the first file.
    pub first: f32,
    /// The value in the second file.
    pub second: f32,
}

/// The differences of one quantity over every element and period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuantityDifference {
    /// `node` or `link`.
    pub element_kind: &'static str,
    /// The quantity (`head`, `flow`, ...).
    pub quantity: &'static str,
    /// Its report unit.
    pub unit: String,
    /// The largest absolute difference, if any value differs.
    pub largest_absolute: Option<Extreme>,
    /// The largest relative difference, if any value differs.
    pub largest_relative: Option<Extreme>,
    /// Whether a tolerance applies to this quantity.
    pub checked: bool,
    /// How many values break the tolerance.
    pub broken: usize,
}

/// The result of comparing two files.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// One entry per node quantity, then per link quantity.
    pub quantities: Vec<QuantityDifference>,
    /// Periods in the first file.
    pub first_periods: usize,
    /// Periods in the second file.
    pub second_periods: usize,
    /// Periods at times both files report.
    pub compared_periods: usize,
    /// Whether any tolerance was given.
    pub tolerances_given: bool,
}

impl Comparison {
    /// True when no tolerance is broken and, if tolerances were given, both files report
    /// the same periods.
    pub fn passed(&self) -> bool {
        let same_periods = !self.tolerances_given
            || (self.first_periods == self.second_periods
                && self.compared_periods == self.first_periods);
        same_periods && self.quantities.iter().all(|q| q.broken == 0)
    }

    /// A plain-text table of the differences.
    pub fn table(&self) -> String {
        let mut text = format!(
            "{:<22} {:>12} {:<18} {:>10}  {:>10} {:<18} {:>10}  {}\n",
            "quantity", "max abs", "where", "time", "max rel", "where", "time", "check"
        );
        for q in &self.quantities {
            let name = format!("{} {} ({})", q.element_kind, q.quantity, q.unit);
            let cell = |extreme: &Option<Extreme>, relative: bool| match extreme {
                Some(e) => (
                    if relative {
                        format!("{:.3e}", e.difference)
                    } else {
                        format!("{:.4e}", e.difference)
                    },
                    e.element.clone(),
                    clock(e.time),
                ),
                None => ("0".to_string(), "-".to_string(), "-".to_string()),
            };
            let (abs, abs_at, abs_time) = cell(&q.largest_absolute, false);
            let (rel, rel_at, rel_time) = cell(&q.largest_relative, true);
            let check = match (q.checked, q.broken) {
                (false, _) => "-".to_string(),
                (true, 0) => "ok".to_string(),
                (true, n) => format!("BROKEN ({n} values)"),
            };
            text.push_str(&format!(
                "{name:<22} {abs:>12} {abs_at:<18} {abs_time:>10}  {rel:>10} {rel_at:<18} {rel_time:>10}  {check}\n"
            ));
        }
        if self.first_periods != self.second_periods || self.compared_periods != self.first_periods
        {
            text.push_str(&format!(
                "periods: {} in the first file, {} in the second, {} at the same times\n",
                self.first_periods, self.second_periods, self.compared_periods
            ));
        }
        text
    }
}

/// Elapsed time as `h:mm:ss`.
pub fn clock(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.unsigned_abs();
    format!("{sign}{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// Compares two open output files.
pub fn compare<A: Read + Seek, B: Read + Seek>(
    first: &mut OutReader<A>,
    second: &mut OutReader<B>,
    tolerances: &Tolerances,
) -> Result<Comparison, OutputError> {
    let (pa, pb) = (first.prolog().clone(), second.prolog().clone());
    if (pa.flow_units_code, pa.pressure_units_code) != (pb.flow_units_code, pb.pressure_units_code)
    {
        return Err(OutputError::Mismatch(format!(
            "the files report in different units (flow code {} and {}, pressure code {} and {})",
            pa.flow_units_code, pb.flow_units_code, pa.pressure_units_code, pb.pressure_units_code
        )));
    }
    if pa.statistic_code != pb.statistic_code {
        return Err(OutputError::Mismatch(format!(
            "one file holds time statistic {} and the other {}",
            pa.statistic_code, pb.statistic_code
        )));
    }
    let node_map = match_ids(&pa.node_ids, &pb.node_ids, "node")?;
    let link_map = match_ids(&pa.link_ids, &pb.link_ids, "link")?;
    let units = ReportUnits::from_codes(pa.flow_units_code, pa.pressure_units_code);
    let mut quantities = quantity_list(&pa, units.as_ref(), tolerances);

    // Periods of the second file by time.
    let second_times: HashMap<i64, usize> = (0..second.period_count())
        .map(|p| (second.period_time(p), p))
        .collect();
    let mut compared = 0;
    let mut a = PeriodResults::default();
    let mut b = PeriodResults::default();
    for period in 0..first.period_count() {
        let time = first.period_time(period);
        let Some(&other) = second_times.get(&time) else {
            continue;
        };
        first.read_period_into(period, &mut a)?;
        second.read_period_into(other, &mut b)?;
        compared += 1;
        let arrays = a
            .node_arrays()
            .into_iter()
            .zip(b.node_arrays())
            .map(|pair| (pair, &node_map, &pa.node_ids))
            .chain(
                a.link_arrays()
                    .into_iter()
                    .zip(b.link_arrays())
                    .map(|pair| (pair, &link_map, &pa.link_ids)),
            );
        for (entry, ((xs, ys), map, ids)) in quantities.iter_mut().zip(arrays) {
            entry.add(xs, ys, map, ids, time);
        }
    }
    Ok(Comparison {
        quantities: quantities.into_iter().map(|q| q.result).collect(),
        first_periods: first.period_count(),
        second_periods: second.period_count(),
        compared_periods: compared,
        tolerances_given: tolerances.relative.is_some()
            || tolerances.head.is_some()
            || tolerances.pressure.is_some()
            || tolerances.flow.is_some()
            || tolerances.quality.is_some(),
    })
}

/// For each element of the first file, its position in the second.
fn match_ids(first: &[String], second: &[String], kind: &str) -> Result<Vec<usize>, OutputError> {
    if first.len() != second.len() {
        return Err(OutputError::Mismatch(format!(
            "the first file has {} {kind}s, the second {}",
            first.len(),
            second.len()
        )));
    }
    if first
        .iter()
        .zip(second)
        .all(|(a, b)| a.eq_ignore_ascii_case(b))
    {
        return Ok((0..first.len()).collect());
    }
    let positions: HashMap<String, usize> = second
        .iter()
        .enumerate()
        .map(|(i, id)| (id.to_ascii_uppercase(), i))
        .collect();
    first
        .iter()
        .map(|id| {
            positions
                .get(&id.to_ascii_uppercase())
                .copied()
                .ok_or_else(|| {
                    OutputError::Mismatch(format!(
                        "{kind} {id} of the first file is not in the second"
                    ))
                })
        })
        .collect()
}

struct Accumulator {
    result: QuantityDifference,
    absolute_tolerance: f64,
    relative_tolerance: f64,
}

impl Accumulator {
    fn add(&mut self, xs: &[f32], ys: &[f32], map: &[usize], ids: &[String], time: i64) {
        for (i, &x) in xs.iter().enumerate() {
            // ok: map holds valid positions of ys, both files having the same counts
            let y = ys[map[i]];
            let (absolute, relative) = differences(x, y);
            if absolute == 0.0 {
                continue;
            }
            let extreme = || Extreme {
                difference: 0.0,
                element: ids[i].clone(),
                time,
                first: x,
                second: y,
            };
            let result = &mut self.result;
            if result
                .largest_absolute
                .as_ref()
                .is_none_or(|e| absolute > e.difference)
            {
                result.largest_absolute = Some(Extreme {
                    difference: absolute,
                    ..extreme()
                });
            }
            if result
                .largest_relative
                .as_ref()
                .is_none_or(|e| relative > e.difference)
            {
                result.largest_relative = Some(Extreme {
                    difference: relative,
                    ..extreme()
                });
            }
            let scale = (x as f64).abs().max((y as f64).abs());
            let allowed = self.absolute_tolerance + self.relative_tolerance * scale;
            // An infinite (NaN against a number) difference is never within tolerance.
            if result.checked && (absolute > allowed || absolute.is_nan()) {
                result.broken += 1;
            }
        }
    }
}

/// Absolute and relative difference; NaN against a number counts as infinitely different.
fn differences(x: f32, y: f32) -> (f64, f64) {
    let (x, y) = (x as f64, y as f64);
    match (x.is_nan(), y.is_nan()) {
        (true, true) => (0.0, 0.0),
        (true, false) | (false, true) => (f64::INFINITY, f64::INFINITY),
        _ => {
            let absolute = (x - y).abs();
            let scale = x.abs().max(y.abs());
            let relative = if scale > 0.0 { absolute / scale } else { 0.0 };
            (absolute, relative)
        }
    }
}

fn quantity_list(
    prolog: &Prolog,
    units: Option<&ReportUnits>,
    tolerances: &Tolerances,
) -> Vec<Accumulator> {
    let unit = |quantity: Quantity| -> String {
        let Some(u) = units else {
            return String::new();
        };
        match quantity {
            Quantity::Node(0) | Quantity::Link(0) => u.flow_label().to_string(),
            Quantity::Node(1) => u.length_label().to_string(),
            Quantity::Node(2) => u.pressure_label().to_string(),
            Quantity::Node(3) | Quantity::Link(3) => prolog.quality_units.clone(),
            Quantity::Link(1) => u.velocity_label().to_string(),
            Quantity::Link(2) => u.headloss_label().to_string(),
            Quantity::Link(4) => "code".to_string(),
            Quantity::Link(6) => format!("{}/d", prolog.quality_units),
            _ => String::new(),
        }
    };
    let mut list = Vec::with_capacity(NODE_QUANTITIES + LINK_QUANTITIES);
    let entries = (0..NODE_QUANTITIES)
        .map(|k| (Quantity::Node(k), "node", NODE_QUANTITY_NAMES[k]))
        .chain((0..LINK_QUANTITIES).map(|k| (Quantity::Link(k), "link", LINK_QUANTITY_NAMES[k])));
    for (quantity, element_kind, name) in entries {
        let (absolute, checked) = tolerances.for_quantity(quantity);
        list.push(Accumulator {
            result: QuantityDifference {
                element_kind,
                quantity: name,
                unit: unit(quantity),
                largest_absolute: None,
                largest_relative: None,
                checked,
                broken: 0,
            },
            absolute_tolerance: absolute.unwrap_or(0.0),
            relative_tolerance: tolerances.relative.unwrap_or(0.0),
        });
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_prints_hours_minutes_seconds() {
        assert_eq!(clock(0), "0:00:00");
        assert_eq!(clock(45_154), "12:32:34");
        assert_eq!(clock(200_000), "55:33:20");
    }

    #[test]
    fn differences_handle_zero_and_nan() {
        assert_eq!(differences(0.0, 0.0), (0.0, 0.0));
        assert_eq!(differences(2.0, 1.0), (1.0, 0.5));
        assert_eq!(differences(f32::NAN, 1.0).0, f64::INFINITY);
        assert_eq!(differences(f32::NAN, f32::NAN), (0.0, 0.0));
    }
}
