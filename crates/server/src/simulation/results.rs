//! Reading a run's results back from its .out file: one quantity at one period for colouring
//! the map, and one element's time series for its panel and chart.

use std::path::Path;

use danjiang_output::binary::{OutReader, PeriodResults, Prolog};
use danjiang_output::units::ReportUnits;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::SimulationError;

/// A quantity the map can be coloured by, and an element's series show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    /// Node pressure.
    Pressure,
    /// Node hydraulic head.
    Head,
    /// Node demand.
    Demand,
    /// Node water quality (concentration, age or trace).
    Quality,
    /// Link flow (the map colours its magnitude).
    Flow,
    /// Link velocity.
    Velocity,
    /// Link head loss.
    Headloss,
}

impl Quantity {
    /// Every quantity.
    pub const ALL: [Quantity; 7] = [
        Quantity::Pressure,
        Quantity::Head,
        Quantity::Demand,
        Quantity::Quality,
        Quantity::Flow,
        Quantity::Velocity,
        Quantity::Headloss,
    ];

    /// The name used in URLs and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Quantity::Pressure => "pressure",
            Quantity::Head => "head",
            Quantity::Demand => "demand",
            Quantity::Quality => "quality",
            Quantity::Flow => "flow",
            Quantity::Velocity => "velocity",
            Quantity::Headloss => "headloss",
        }
    }

    /// Parses a name as written by [`Quantity::name`].
    pub fn parse(name: &str) -> Result<Quantity, SimulationError> {
        Quantity::ALL
            .into_iter()
            .find(|q| q.name() == name)
            .ok_or_else(|| {
                SimulationError::BadRequest(format!(
                    "quantity `{name}`: expected one of pressure, head, demand, quality, flow, \
                     velocity, headloss"
                ))
            })
    }

    /// Whether the quantity belongs to nodes (else to links).
    pub fn of_nodes(self) -> bool {
        matches!(
            self,
            Quantity::Pressure | Quantity::Head | Quantity::Demand | Quantity::Quality
        )
    }

    /// The quantity's values in a period (report units), by node or link index.
    fn values(self, period: &PeriodResults) -> &[f32] {
        match self {
            Quantity::Pressure => &period.node_pressure,
            Quantity::Head => &period.node_head,
            Quantity::Demand => &period.node_demand,
            Quantity::Quality => &period.node_quality,
            Quantity::Flow => &period.link_flow,
            Quantity::Velocity => &period.link_velocity,
            Quantity::Headloss => &period.link_headloss,
        }
    }

    /// The unit of the quantity in a file.
    pub fn unit(self, prolog: &Prolog) -> String {
        let Some(units) =
            ReportUnits::from_codes(prolog.flow_units_code, prolog.pressure_units_code)
        else {
            return String::new();
        };
        match self {
            Quantity::Pressure => units.pressure_label().to_string(),
            Quantity::Head => units.length_label().to_string(),
            Quantity::Demand | Quantity::Flow => units.flow_label().to_string(),
            Quantity::Quality => prolog.quality_units.clone(),
            Quantity::Velocity => units.velocity_label().to_string(),
            Quantity::Headloss => units.headloss_label().to_string(),
        }
    }
}

/// An open results file.
pub struct Results {
    reader: OutReader<std::io::BufReader<std::fs::File>>,
}

impl Results {
    /// Opens a run's .out file.
    pub fn open(path: &Path) -> Result<Results, SimulationError> {
        let file = std::fs::File::open(path).map_err(|source| SimulationError::DataFolder {
            path: path.display().to_string(),
            source,
        })?;
        let reader = OutReader::new(std::io::BufReader::new(file), path)
            .map_err(|e| SimulationError::Run(format!("cannot read the results: {e}")))?;
        Ok(Results { reader })
    }

    /// The file's prolog (ids, units, times).
    pub fn prolog(&self) -> &Prolog {
        self.reader.prolog()
    }

    /// Number of reporting periods.
    pub fn period_count(&self) -> usize {
        self.reader.period_count()
    }

    /// Elapsed time of a period, s.
    pub fn period_time(&self, period: usize) -> i64 {
        self.reader.period_time(period)
    }

    /// A quantity's values at one period, by node or link index (flow as its magnitude when
    /// `magnitude`).
    pub fn values(
        &mut self,
        quantity: Quantity,
        period: usize,
        magnitude: bool,
    ) -> Result<Vec<f64>, SimulationError> {
        if period >= self.period_count() {
            return Err(SimulationError::BadRequest(format!(
                "period {period}: the run has periods 0 to {}",
                self.period_count().saturating_sub(1)
            )));
        }
        let results = self
            .reader
            .read_period(period)
            .map_err(|e| SimulationError::Run(format!("cannot read period {period}: {e}")))?;
        Ok(quantity
            .values(&results)
            .iter()
            .map(|&v| {
                let v = f64::from(v);
                if magnitude {
                    v.abs()
                } else {
                    v
                }
            })
            .collect())
    }

    /// The series of each of `quantities` at element `index` over every period:
    /// `(time s, value)` pairs.
    pub fn series(
        &mut self,
        quantities: &[Quantity],
        index: usize,
    ) -> Result<Vec<Vec<(f64, f64)>>, SimulationError> {
        let mut series = vec![Vec::with_capacity(self.period_count()); quantities.len()];
        for period in 0..self.period_count() {
            let time = self.period_time(period) as f64;
            let results = self
                .reader
                .read_period(period)
                .map_err(|e| SimulationError::Run(format!("cannot read period {period}: {e}")))?;
            for (k, quantity) in quantities.iter().enumerate() {
                if let Some(&v) = quantity.values(&results).get(index) {
                    series[k].push((time, f64::from(v)));
                }
            }
        }
        Ok(series)
    }

    /// The highest value of a quantity at each node or link over the whole run.
    pub fn peaks(&mut self, quantity: Quantity) -> Result<Vec<f64>, SimulationError> {
        let mut peaks: Vec<f64> = Vec::new();
        for period in 0..self.period_count() {
            let values = self.values(quantity, period, false)?;
            if peaks.is_empty() {
                peaks = values;
            } else {
                for (peak, v) in peaks.iter_mut().zip(values) {
                    *peak = peak.max(v);
                }
            }
        }
        Ok(peaks)
    }
}
