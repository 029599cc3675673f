//! Alerts: every measured value whose class is worse than the target class.

use serde::Serialize;

use crate::samples::{format_time, Measurement};
use crate::single_factor::AssessOptions;
use crate::standard::{Standard, WaterClass};

/// A sample value that breaks the target class.
#[derive(Debug, Clone, Serialize)]
pub struct Alert {
    /// Site name.
    pub site: String,
    /// Sampling time.
    pub time: String,
    /// Item code.
    pub item: String,
    /// Value in `unit`.
    pub value: f64,
    /// Unit of the value.
    pub unit: String,
    /// The item's class.
    pub class: WaterClass,
    /// The target class it breaks.
    pub target: WaterClass,
    /// Exceedance multiple over the target-class limit (none for pH and DO).
    pub exceedance_over_target: Option<f64>,
    /// Line of the input it came from.
    pub line: u64,
}

/// Alerts for every measurement whose item class is worse than the target, in input order.
pub fn alerts(
    measurements: &[Measurement],
    standard: &Standard,
    options: AssessOptions,
) -> Vec<Alert> {
    measurements
        .iter()
        .filter_map(|m| {
            let item = standard.item(&m.item)?;
            let class = item.classify(m.value, options.water_body)?;
            (class > options.target).then(|| Alert {
                site: m.site.clone(),
                time: format_time(m.time),
                item: item.code.clone(),
                value: m.value,
                unit: item.unit.clone(),
                class,
                target: options.target,
                exceedance_over_target: item.exceedance_over(
                    m.value,
                    options.target,
                    options.water_body,
                ),
                line: m.line,
            })
        })
        .collect()
}
