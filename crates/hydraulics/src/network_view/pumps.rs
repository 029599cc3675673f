//! Pumps: head curves fitted as EPANET 2.3 fits them, efficiency and price.

use super::constants::{BIG, TINY};
use super::curves::{curve_points, identity};
use crate::error::HydraulicError;
use danjiang_network::units::EpanetUnits;
use danjiang_network::{LinkKind, Network};

/// How a pump's head curve is represented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PumpCurveKind {
    /// Constant power.
    ConstantPower,
    /// h = h0 - r q^n fitted through one or three points.
    PowerFunction,
    /// Piecewise linear through the curve's points.
    Custom,
}

/// A pump's compiled data.
#[derive(Debug, Clone)]
pub(crate) struct PumpData {
    /// Link index.
    pub link: usize,
    /// How the head curve is represented.
    pub curve_kind: PumpCurveKind,
    /// Head curve h0 of head gain = -(h0 + r q^n), ft, in EPANET's sign convention
    /// (stored negative as EPANET stores it; EPANET's H0).
    pub head_at_zero_flow: f64,
    /// Head curve r of head gain = -(h0 + r q^n), ft per (ft³/s)^n, stored negative as
    /// EPANET stores it (EPANET's R).
    pub flow_coefficient: f64,
    /// Head curve n of head gain = -(h0 + r q^n) (EPANET's N).
    pub flow_exponent: f64,
    /// Initial flow, ft³/s (EPANET's Q0).
    pub initial_flow: f64,
    /// Shut-off head, ft (EPANET's Hmax).
    pub shutoff_head: f64,
    /// Points of a custom head curve, in the file's units (flow units, ft or m) as
    /// EPANET keeps them.
    pub curve: Vec<(f64, f64)>,
    /// Speed pattern.
    pub speed_pattern: Option<usize>,
    /// Efficiency curve (file flow units, percent).
    pub efficiency_curve: Option<Vec<(f64, f64)>>,
    /// Energy price per kWh (0 means the global price).
    pub price: f64,
    /// Price pattern.
    pub price_pattern: Option<usize>,
}

/// Fits a pump's head curve as EPANET 2.3 does.
pub(super) fn compile_pump(
    network: &Network,
    k: usize,
    units: &EpanetUnits,
) -> Result<PumpData, HydraulicError> {
    let link = &network.links[k];
    let LinkKind::Pump(pump) = &link.kind else {
        return Err(HydraulicError::InvalidModel(format!(
            "link {} is not a pump",
            link.id
        )));
    };
    let efficiency_curve = match pump.efficiency_curve {
        Some(c) => Some(curve_points(
            network,
            c.index(),
            |x| units.file_flow(x),
            identity,
        )?),
        None => None,
    };
    let mut data = PumpData {
        link: k,
        curve_kind: PumpCurveKind::Custom,
        head_at_zero_flow: 0.0,
        flow_coefficient: 0.0,
        flow_exponent: 1.0,
        initial_flow: 0.0,
        shutoff_head: 0.0,
        curve: Vec::new(),
        speed_pattern: pump.speed_pattern.map(|p| p.index()),
        efficiency_curve,
        price: pump.energy_price.unwrap_or(0.0),
        price_pattern: pump.price_pattern.map(|p| p.index()),
    };
    let invalid = |reason: &str| HydraulicError::InvalidPump {
        code: 227,
        pump: link.id.clone(),
        reason: reason.to_string(),
    };
    if let Some(curve) = pump.head_curve {
        // EPANET fits the curve in the file's units and converts the fit (validate.c).
        let points = curve_points(
            network,
            curve.index(),
            |x| units.file_flow(x),
            |y| units.file_length(y),
        )?;
        match power_fit_points(&points) {
            Some(fit) => data.fit_power_function(fit, units).map_err(invalid)?,
            None => data.set_custom_curve(points, units).map_err(invalid)?,
        }
    } else if let Some(power) = pump.power.filter(|p| *p > 0.0) {
        data.set_constant_power(power, units);
    } else {
        return Err(HydraulicError::InvalidPump {
            code: 226,
            pump: link.id.clone(),
            reason: "no head curve or power".into(),
        });
    }
    Ok(data)
}

/// The (h0, h1, h2, q1, q2) a power function is fitted through: a one-point curve's
/// point with shut-off head 4/3 of its head and maximum flow twice its flow, or the
/// three points of a curve starting at zero flow; `None` for a custom curve.
fn power_fit_points(points: &[(f64, f64)]) -> Option<(f64, f64, f64, f64, f64)> {
    if points.len() == 1 {
        let (q1, h1) = points[0];
        Some((1.33334 * h1, h1, 0.0, q1, 2.0 * q1))
    } else if points.len() == 3 && points[0].0 == 0.0 {
        Some((
            points[0].1,
            points[1].1,
            points[2].1,
            points[1].0,
            points[2].0,
        ))
    } else {
        None
    }
}

impl PumpData {
    /// Fits h = h0 - r q^n through the points (file units), as EPANET's powercurve.
    fn fit_power_function(
        &mut self,
        (h0, h1, h2, q1, q2): (f64, f64, f64, f64, f64),
        units: &EpanetUnits,
    ) -> Result<(), &'static str> {
        const INVALID: &str = "an invalid head curve";
        if h0 < TINY || h0 - h1 < TINY || h1 - h2 < TINY || q1 < TINY || q2 - q1 < TINY {
            return Err(INVALID);
        }
        let h4 = h0 - h1;
        let h5 = h0 - h2;
        let c = (h5 / h4).ln() / (q2 / q1).ln();
        if c <= 0.0 || c > 20.0 {
            return Err(INVALID);
        }
        let b = -h4 / q1.powf(c);
        if b >= 0.0 {
            return Err(INVALID);
        }
        self.curve_kind = PumpCurveKind::PowerFunction;
        self.head_at_zero_flow = -h0 / units.head;
        self.flow_coefficient = -b * (units.flow.powf(c) / units.head);
        self.flow_exponent = c;
        self.initial_flow = q1 / units.flow;
        self.shutoff_head = h0 / units.head;
        Ok(())
    }

    /// Keeps a custom head curve (file units), refusing one whose head does not fall.
    fn set_custom_curve(
        &mut self,
        points: Vec<(f64, f64)>,
        units: &EpanetUnits,
    ) -> Result<(), &'static str> {
        for pair in points.windows(2) {
            if pair[1].1 >= pair[0].1 {
                return Err("a head curve whose head does not decrease");
            }
        }
        let qmax = points[points.len() - 1].0;
        self.curve_kind = PumpCurveKind::Custom;
        self.initial_flow = (points[0].0 + qmax) / 2.0 / units.flow;
        self.shutoff_head = points[0].1 / units.head;
        self.curve = points;
        Ok(())
    }

    /// A constant-power pump of `power` (kW).
    fn set_constant_power(&mut self, power: f64, units: &EpanetUnits) {
        // EPANET 2.3.5 divides the power by the power unit factor twice (once in
        // convertunits, once in constpowerpump), which matters for SI files (kW);
        // reproduced for parity.
        let horsepower = units.file_power(power) / units.power;
        self.curve_kind = PumpCurveKind::ConstantPower;
        self.head_at_zero_flow = 0.0;
        self.flow_coefficient = -8.814 * horsepower / units.power;
        self.flow_exponent = -1.0;
        self.shutoff_head = BIG;
        self.initial_flow = 1.0;
    }
}
