//! How large and how long a run may be, and what a network's run would take, measured before it
//! starts so that a run too large is refused with the figure and the option that raises it.

use danjiang_network::{Network, QualityAnalysis, Statistic};
use danjiang_output::binary::{energy_bytes, period_bytes, prolog_bytes};

/// Bytes of the epilog at the end of a binary output file.
const EPILOG_BYTES: u64 = 7 * 4;
/// Fewest bytes a value takes in a text (JSON or CSV) result file: a digit or two, a point,
/// a separator. Real files take more, so the estimate refuses no run that would fit.
const TEXT_BYTES_PER_VALUE: u64 = 4;
/// Values of one period: four per node, eight per link, as in the binary file.
const VALUES_PER_NODE: u64 = 4;
const VALUES_PER_LINK: u64 = 8;
/// Bytes kept in memory per hydraulic step for the water-quality pass: demand and head of each
/// node and flow of each link, as `f64`.
const KEPT_BYTES_PER_NODE: u64 = 2 * 8;
const KEPT_BYTES_PER_LINK: u64 = 8;

/// One of the limits of a [`Budget`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Reporting periods, or hydraulic steps, of the run.
    Periods,
    /// Bytes of result files written.
    OutputBytes,
    /// Bytes of hydraulics kept in memory for water quality.
    MemoryBytes,
    /// Wall-clock time of the run, s.
    Seconds,
}

impl Limit {
    fn what(self) -> &'static str {
        match self {
            Limit::Periods => "time steps",
            Limit::OutputBytes => "bytes of results",
            Limit::MemoryBytes => "bytes of hydraulics kept in memory for water quality",
            Limit::Seconds => "seconds",
        }
    }
}

/// The limits of one run. `None` is no limit.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Most reporting periods, and most hydraulic steps at the hydraulic time step.
    pub max_periods: Option<u64>,
    /// Most bytes of result files (.out, JSON, CSV together).
    pub max_output_bytes: Option<u64>,
    /// Most bytes of hydraulics kept in memory for a water-quality run.
    pub max_memory_bytes: Option<u64>,
    /// Longest wall-clock time, s; checked at every hydraulic and quality step.
    pub max_seconds: Option<f64>,
    /// How the caller names the option that raises each limit, for the message.
    pub option_name: fn(Limit) -> &'static str,
}

impl Budget {
    /// No limits at all.
    pub fn unlimited() -> Budget {
        Budget {
            max_periods: None,
            max_output_bytes: None,
            max_memory_bytes: None,
            max_seconds: None,
            option_name: |_| "",
        }
    }

    /// Refuses a run whose estimate exceeds a limit; the first limit exceeded is named.
    pub fn check(&self, estimate: &Estimate) -> Result<(), OverBudget> {
        let checks = [
            (Limit::Periods, estimate.reporting_periods, self.max_periods),
            (
                Limit::Periods,
                estimate.hydraulic_steps_at_least,
                self.max_periods,
            ),
            (
                Limit::OutputBytes,
                estimate.output_bytes,
                self.max_output_bytes,
            ),
            (
                Limit::MemoryBytes,
                estimate.kept_bytes,
                self.max_memory_bytes,
            ),
        ];
        for (limit, needed, allowed) in checks {
            if let Some(allowed) = allowed {
                if needed > allowed {
                    return Err(self.exceeded(limit, needed as f64, allowed as f64));
                }
            }
        }
        Ok(())
    }

    /// Refuses a run that has taken longer than its time limit.
    pub fn check_time(&self, seconds: f64) -> Result<(), OverBudget> {
        match self.max_seconds {
            Some(allowed) if seconds > allowed => {
                Err(self.exceeded(Limit::Seconds, seconds, allowed))
            }
            _ => Ok(()),
        }
    }

    fn exceeded(&self, limit: Limit, needed: f64, allowed: f64) -> OverBudget {
        OverBudget {
            limit,
            needed,
            allowed,
            option: (self.option_name)(limit),
        }
    }
}

/// A limit a run would exceed, with both figures and the option that raises the limit.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", self.message())]
pub struct OverBudget {
    /// Which limit.
    pub limit: Limit,
    /// What the run needs (or, for time, has taken).
    pub needed: f64,
    /// What the budget allows.
    pub allowed: f64,
    /// The option that raises the limit, as the caller names it.
    pub option: &'static str,
}

impl OverBudget {
    fn message(&self) -> String {
        let figure = |value: f64| match self.limit {
            Limit::OutputBytes | Limit::MemoryBytes => bytes(value),
            Limit::Seconds => format!("{value:.0} s"),
            Limit::Periods => grouped(value as u64),
        };
        let what = self.limit.what();
        let raise = if self.option.is_empty() {
            String::new()
        } else {
            format!("; raise the limit with {}", self.option)
        };
        let advice = match self.limit {
            Limit::Seconds => "the run was stopped",
            Limit::Periods | Limit::OutputBytes => {
                "lengthen the REPORT TIMESTEP, shorten the DURATION or report fewer elements"
            }
            Limit::MemoryBytes => "lengthen the HYDRAULIC TIMESTEP or shorten the DURATION",
        };
        match self.limit {
            Limit::Seconds => format!(
                "the run took {} {what}, over the budget of {}: {advice}{raise}",
                figure(self.needed),
                figure(self.allowed)
            ),
            _ => format!(
                "the run would need {} {what}, over the budget of {}: {advice}{raise}",
                figure(self.needed),
                figure(self.allowed)
            ),
        }
    }
}

/// A count with its thousands grouped: `315,360,001`.
fn grouped(value: u64) -> String {
    let digits = value.to_string();
    let mut text = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            text.push(',');
        }
        text.push(digit);
    }
    text
}

/// A byte count in words: `35.2 GB`.
fn bytes(value: f64) -> String {
    const UNITS: [&str; 5] = ["bytes", "kB", "MB", "GB", "TB"];
    let mut scaled = value;
    let mut unit = 0;
    while scaled >= 1000.0 && unit + 1 < UNITS.len() {
        scaled /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value:.0} bytes")
    } else {
        format!("{scaled:.1} {}", UNITS[unit])
    }
}

/// What a network's run will take, from its times and sizes alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Estimate {
    /// Reporting periods from the report start to the end.
    pub reporting_periods: u64,
    /// Hydraulic steps at the hydraulic time step (controls and tanks add more).
    pub hydraulic_steps_at_least: u64,
    /// Bytes of the result files asked for (text files at their smallest).
    pub output_bytes: u64,
    /// Bytes of hydraulics kept in memory for a water-quality run (0 without quality).
    pub kept_bytes: u64,
}

impl Estimate {
    /// The estimate of a run writing a binary output file when `binary` and `text_files` JSON
    /// or CSV files.
    pub fn of(network: &Network, binary: bool, text_files: u64) -> Estimate {
        let times = &network.times;
        let reporting_periods = match times.duration.checked_sub(times.report_start) {
            None => 0,
            Some(span) => span.checked_div(times.report_step).unwrap_or(0) + 1,
        };
        let hydraulic_steps_at_least = match times.hydraulic_step {
            0 => 1,
            step => times.duration / step + 1,
        };
        let nodes = network.nodes.len();
        let links = network.links.len();
        let stored_periods = match times.statistic {
            Statistic::None => reporting_periods,
            _ => reporting_periods.min(1),
        };
        let values = VALUES_PER_NODE * nodes as u64 + VALUES_PER_LINK * links as u64;
        let mut output_bytes = text_files.saturating_mul(
            stored_periods.saturating_mul(values.saturating_mul(TEXT_BYTES_PER_VALUE)),
        );
        if binary {
            let counts = network.counts();
            let fixed = prolog_bytes(nodes, links, counts.tanks + counts.reservoirs)
                + energy_bytes(counts.pumps)
                + EPILOG_BYTES;
            output_bytes = output_bytes.saturating_add(
                stored_periods
                    .saturating_mul(period_bytes(nodes, links))
                    .saturating_add(fixed),
            );
        }
        let kept_bytes = match network.options.quality {
            QualityAnalysis::None => 0,
            _ => hydraulic_steps_at_least.saturating_mul(
                KEPT_BYTES_PER_NODE * nodes as u64 + KEPT_BYTES_PER_LINK * links as u64,
            ),
        };
        Estimate {
            reporting_periods,
            hydraulic_steps_at_least,
            output_bytes,
            kept_bytes,
        }
    }
}
