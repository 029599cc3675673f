//! Aggregation of samples as the evaluation method prescribes: the samples of a month are averaged
//! item by item, and a year's value is the mean of its monthly means.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::Datelike;
use serde::Serialize;

use crate::samples::{group_samples, Measurement, SampleSet};

/// The period a sample set stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// Each sampling (site and time) on its own.
    #[default]
    Sample,
    /// Calendar month: the mean of the month's samples.
    Month,
    /// Calendar year: the mean of the year's monthly means.
    Year,
}

impl FromStr for Period {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sample" | "samples" => Ok(Self::Sample),
            "month" | "monthly" => Ok(Self::Month),
            "year" | "yearly" | "annual" => Ok(Self::Year),
            other => Err(format!(
                "unknown period `{other}` (expected sample, month or year)"
            )),
        }
    }
}

#[derive(Default)]
struct Mean {
    sum: f64,
    count: usize,
    all_below_detection: bool,
}

impl Mean {
    fn add(&mut self, value: f64, below_detection: bool) {
        self.all_below_detection = if self.count == 0 {
            below_detection
        } else {
            self.all_below_detection && below_detection
        };
        self.sum += value;
        self.count += 1;
    }

    fn value(&self) -> f64 {
        self.sum / self.count as f64
    }
}

type Means = BTreeMap<(String, String), BTreeMap<String, Mean>>;

fn means_by(measurements: &[Measurement], label: impl Fn(&Measurement) -> String) -> Means {
    let mut means: Means = BTreeMap::new();
    for m in measurements {
        means
            .entry((m.site.clone(), label(m)))
            .or_default()
            .entry(m.item.clone())
            .or_default()
            .add(m.value, m.below_detection);
    }
    means
}

fn to_sets(means: Means) -> Vec<SampleSet> {
    means
        .into_iter()
        .map(|((site, time), items)| SampleSet {
            site,
            time,
            below_detection: items
                .iter()
                .filter(|(_, m)| m.all_below_detection)
                .map(|(c, _)| c.clone())
                .collect(),
            values: items.into_iter().map(|(c, m)| (c, m.value())).collect(),
        })
        .collect()
}

/// Sample sets for a period: one per site and sampling time, per site and month (`2024-03`), or
/// per site and year (`2024`), each item averaged as the method prescribes. Sets come out ordered
/// by site, then time.
pub fn aggregate(measurements: &[Measurement], period: Period) -> Vec<SampleSet> {
    let month = |m: &Measurement| format!("{:04}-{:02}", m.time.year(), m.time.month());
    match period {
        Period::Sample => group_samples(measurements),
        Period::Month => to_sets(means_by(measurements, month)),
        Period::Year => {
            let monthly = means_by(measurements, month);
            let mut yearly: Means = BTreeMap::new();
            for ((site, month_label), items) in monthly {
                let year = month_label[..4].to_string();
                let target = yearly.entry((site, year)).or_default();
                for (code, mean) in items {
                    target
                        .entry(code)
                        .or_default()
                        .add(mean.value(), mean.all_below_detection);
                }
            }
            to_sets(yearly)
        }
    }
}
