//! One reporting period of results: built from a hydraulic solution the way EPANET builds
//! its output, kept in SI, and converted to report units for the writers.
//!
//! EPANET saves each hydraulic solution to a scratch file in single precision (in feet and
//! ft³/s) and computes the reported velocity, unit head loss and friction factor from those
//! rounded values. To report the same figures we round the same way, in the same units,
//! before deriving anything.

use crate::binary::PeriodResults;
use crate::error::OutputError;
use crate::units::ReportUnits;
use danjiang_network::units::{EpanetUnits, METRES_PER_FOOT};
use danjiang_network::{HeadlossFormula, LinkKind, Network, ValveType};
use std::f64::consts::PI;

/// EPANET's status code of a closed link; every code at or below it is closed.
pub const STATUS_CLOSED: u8 = 2;
/// Flows below this (ft³/s) get no friction factor, as in EPANET.
const TINY_FLOW: f64 = 1.0e-6;

/// A hydraulic solution at one time, borrowed from the engine: SI units, model order.
///
/// This is the engine-neutral view the output writers need; the command line fills it
/// from `danjiang_hydraulics::HydraulicState`, so this crate does not depend on the engine.
#[derive(Debug, Clone, Copy)]
pub struct HydraulicSnapshot<'a> {
    /// Elapsed time, s.
    pub time: u64,
    /// Node heads, m.
    pub node_head: &'a [f64],
    /// Node demands as EPANET reports them (tank and reservoir net inflow), m³/s.
    pub node_demand: &'a [f64],
    /// Link flows, m³/s.
    pub link_flow: &'a [f64],
    /// Link status codes as EPANET numbers them (0 cannot deliver head ... 7 cannot
    /// deliver pressure).
    pub link_status: &'a [u8],
    /// Link settings in SI for the link's type (pipe roughness as in the model, pump speed,
    /// valve pressure head in m, FCV flow in m³/s, TCV coefficient, PCV percent open); NaN
    /// for a valve without one.
    pub link_setting: &'a [f64],
    /// Water quality, when a quality analysis ran.
    pub quality: Option<QualitySnapshot<'a>>,
}

/// Water-quality results at one time, in the analysis' report units (mg/L or µg/L for a
/// chemical, hours for age, percent for a trace).
#[derive(Debug, Clone, Copy)]
pub struct QualitySnapshot<'a> {
    /// Node quality.
    pub node_quality: &'a [f64],
    /// Average link quality.
    pub link_quality: &'a [f64],
    /// Link reaction rate, quality units per day.
    pub link_reaction_rate: &'a [f64],
}

/// Results of one reporting period, struct of arrays, SI units, model order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportPeriod {
    /// Elapsed time, s.
    pub time: u64,
    /// Node demand, m³/s.
    pub node_demand: Vec<f64>,
    /// Node head, m.
    pub node_head: Vec<f64>,
    /// Node pressure head, m.
    pub node_pressure: Vec<f64>,
    /// Node quality, quality report units.
    pub node_quality: Vec<f64>,
    /// Link flow, m³/s (zero when closed).
    pub link_flow: Vec<f64>,
    /// Link velocity, m/s (zero for pumps).
    pub link_velocity: Vec<f64>,
    /// Pipes: head loss per 1000 m of pipe, m (unitless ratio × 1000). Pumps: head loss in
    /// m, negative when the pump adds head. Valves: head loss, m. Zero when closed.
    pub link_headloss: Vec<f64>,
    /// Link quality, quality report units.
    pub link_quality: Vec<f64>,
    /// Link status codes (EPANET's).
    pub link_status: Vec<u8>,
    /// Link settings, SI for the link's type; NaN when there is none.
    pub link_setting: Vec<f64>,
    /// Reaction rate, quality units per day.
    pub link_reaction_rate: Vec<f64>,
    /// Darcy-Weisbach friction factor of pipes (zero for others and for no flow).
    pub link_friction_factor: Vec<f64>,
}

/// What a link is, as far as reporting goes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum LinkClass {
    Pipe,
    Pump,
    Valve(ValveType),
}

/// Builds [`ReportPeriod`]s for one network and converts them to report units.
#[derive(Debug, Clone)]
pub struct PeriodBuilder {
    units: ReportUnits,
    formula: HeadlossFormula,
    classes: Vec<LinkClass>,
    from: Vec<usize>,
    to: Vec<usize>,
    /// Link length, ft (0 for pumps and valves).
    length_ft: Vec<f64>,
    /// Link diameter, ft (0 for pumps).
    diameter_ft: Vec<f64>,
    /// Node elevation, ft.
    elevation_ft: Vec<f64>,
}

/// A value in EPANET's scratch-file precision.
fn single(x: f64) -> f64 {
    x as f32 as f64
}

impl PeriodBuilder {
    /// A builder for a network.
    pub fn new(network: &Network) -> PeriodBuilder {
        // Elevations, lengths and diameters as EPANET holds them: the file's numbers over
        // its own factors, so that a reservoir's pressure is exactly 0 and velocities and
        // unit head losses divide by EPANET's doubles.
        let epanet = EpanetUnits::new(&network.options);
        let mut builder = PeriodBuilder {
            units: ReportUnits::of(network),
            formula: network.options.headloss,
            classes: Vec::with_capacity(network.links.len()),
            from: Vec::with_capacity(network.links.len()),
            to: Vec::with_capacity(network.links.len()),
            length_ft: Vec::with_capacity(network.links.len()),
            diameter_ft: Vec::with_capacity(network.links.len()),
            elevation_ft: network
                .nodes
                .iter()
                .map(|n| epanet.feet(n.elevation))
                .collect(),
        };
        for link in &network.links {
            let (class, length, diameter) = match &link.kind {
                LinkKind::Pipe(pipe) => (LinkClass::Pipe, pipe.length, pipe.diameter),
                LinkKind::Pump(_) => (LinkClass::Pump, 0.0, 0.0),
                LinkKind::Valve(valve) => (LinkClass::Valve(valve.valve_type), 0.0, valve.diameter),
            };
            builder.classes.push(class);
            builder.from.push(link.from.index());
            builder.to.push(link.to.index());
            builder.length_ft.push(epanet.feet(length));
            builder.diameter_ft.push(epanet.diameter_feet(diameter));
        }
        builder
    }

    /// The report units used by [`PeriodBuilder::to_results`].
    pub fn units(&self) -> &ReportUnits {
        &self.units
    }

    /// Number of nodes and links.
    pub fn counts(&self) -> (usize, usize) {
        (self.elevation_ft.len(), self.classes.len())
    }

    /// Builds the period of a hydraulic solution.
    pub fn build(&self, snapshot: &HydraulicSnapshot<'_>) -> Result<ReportPeriod, OutputError> {
        let (nodes, links) = self.counts();
        let check = |name: &str, have: usize, want: usize| {
            if have == want {
                Ok(())
            } else {
                Err(OutputError::Mismatch(format!(
                    "{name} has {have} values for a network of {want}"
                )))
            }
        };
        check("node head", snapshot.node_head.len(), nodes)?;
        check("node demand", snapshot.node_demand.len(), nodes)?;
        check("link flow", snapshot.link_flow.len(), links)?;
        check("link status", snapshot.link_status.len(), links)?;
        check("link setting", snapshot.link_setting.len(), links)?;
        if let Some(quality) = &snapshot.quality {
            check("node quality", quality.node_quality.len(), nodes)?;
            check("link quality", quality.link_quality.len(), links)?;
            check(
                "link reaction rate",
                quality.link_reaction_rate.len(),
                links,
            )?;
        }

        // The scratch-file values: heads in ft, flows in ft³/s, single precision.
        let head_ft: Vec<f64> = snapshot
            .node_head
            .iter()
            .map(|&h| single(ReportUnits::feet(h)))
            .collect();
        let flow_cfs: Vec<f64> = snapshot
            .link_flow
            .iter()
            .zip(snapshot.link_status)
            .map(|(&q, &status)| {
                if status <= STATUS_CLOSED {
                    0.0
                } else {
                    single(ReportUnits::cubic_feet_per_second(q))
                }
            })
            .collect();

        let mut period = ReportPeriod {
            time: snapshot.time,
            node_demand: snapshot
                .node_demand
                .iter()
                .map(|&d| single(ReportUnits::cubic_feet_per_second(d)) * CUBIC_METRES_PER_CFS)
                .collect(),
            node_head: head_ft.iter().map(|&h| h * METRES_PER_FOOT).collect(),
            node_pressure: head_ft
                .iter()
                .zip(&self.elevation_ft)
                .map(|(&h, &el)| (h - el) * METRES_PER_FOOT)
                .collect(),
            link_flow: flow_cfs.iter().map(|&q| q * CUBIC_METRES_PER_CFS).collect(),
            link_status: snapshot.link_status.to_vec(),
            link_setting: snapshot
                .link_setting
                .iter()
                .zip(&self.classes)
                .map(|(&s, class)| self.scratch_setting(s, *class))
                .collect(),
            ..ReportPeriod::default()
        };

        period.link_velocity = Vec::with_capacity(links);
        period.link_headloss = Vec::with_capacity(links);
        period.link_friction_factor = Vec::with_capacity(links);
        for k in 0..links {
            let class = self.classes[k];
            let q = flow_cfs[k];
            let d = self.diameter_ft[k];
            let velocity_ft = if class == LinkClass::Pump || d <= 0.0 {
                0.0
            } else {
                q.abs() / (PI * (d * d) / 4.0)
            };
            period.link_velocity.push(velocity_ft * METRES_PER_FOOT);

            let h = head_ft[self.from[k]] - head_ft[self.to[k]];
            let headloss = if snapshot.link_status[k] <= STATUS_CLOSED {
                0.0
            } else {
                match class {
                    LinkClass::Pipe if self.length_ft[k] > 0.0 => {
                        1000.0 * h.abs() / self.length_ft[k]
                    }
                    LinkClass::Pipe => 0.0,
                    LinkClass::Pump => h * METRES_PER_FOOT,
                    LinkClass::Valve(_) => h.abs() * METRES_PER_FOOT,
                }
            };
            period.link_headloss.push(headloss);

            let friction =
                if class == LinkClass::Pipe && q.abs() > TINY_FLOW && self.length_ft[k] > 0.0 {
                    // f = 2 g h d / (L u²), written with the flow: 39.725 = 2 g (π/4)² in ft/s².
                    39.725 * h.abs() * d.powi(5) / self.length_ft[k] / (q * q)
                } else {
                    0.0
                };
            period.link_friction_factor.push(friction);
        }

        match &snapshot.quality {
            Some(quality) => {
                period.node_quality = quality.node_quality.to_vec();
                period.link_quality = quality.link_quality.to_vec();
                period.link_reaction_rate = quality.link_reaction_rate.to_vec();
            }
            None => {
                period.node_quality = vec![0.0; nodes];
                period.link_quality = vec![0.0; links];
                period.link_reaction_rate = vec![0.0; links];
            }
        }
        Ok(period)
    }

    /// A setting as EPANET's scratch file holds it (single precision in its internal
    /// units), back in SI.
    fn scratch_setting(&self, setting: f64, class: LinkClass) -> f64 {
        if setting.is_nan() {
            return f64::NAN;
        }
        match class {
            LinkClass::Pipe if self.formula == HeadlossFormula::DarcyWeisbach => {
                single(setting / METRES_PER_FOOT) * METRES_PER_FOOT
            }
            LinkClass::Valve(ValveType::Prv | ValveType::Psv | ValveType::Pbv) => {
                single(setting / METRES_PER_FOOT) * METRES_PER_FOOT
            }
            LinkClass::Valve(ValveType::Fcv) => {
                single(ReportUnits::cubic_feet_per_second(setting)) * CUBIC_METRES_PER_CFS
            }
            _ => single(setting),
        }
    }

    /// The period in report units, as the binary output file stores it.
    pub fn to_results(&self, period: &ReportPeriod) -> PeriodResults {
        let u = &self.units;
        let f = |x: f64| x as f32;
        let length = |m: f64| f(ReportUnits::feet(m) * u.length);
        // Demands, heads and flows are single-precision ft and ft³/s in EPANET's scratch
        // file (see `build`); back from SI they can land one double away from that single,
        // so they are rounded to it again before EPANET's report factor is applied.
        let scratch_flow = |q: f64| f(single(ReportUnits::cubic_feet_per_second(q)) * u.flow);
        let scratch_length = |m: f64| f(single(ReportUnits::feet(m)) * u.length);
        PeriodResults {
            node_demand: period
                .node_demand
                .iter()
                .map(|&d| scratch_flow(d))
                .collect(),
            node_head: period
                .node_head
                .iter()
                .map(|&h| scratch_length(h))
                .collect(),
            node_pressure: period
                .node_pressure
                .iter()
                .map(|&p| f(ReportUnits::feet(p) * u.pressure))
                .collect(),
            node_quality: period.node_quality.iter().map(|&c| f(c)).collect(),
            link_flow: period.link_flow.iter().map(|&q| scratch_flow(q)).collect(),
            link_velocity: period.link_velocity.iter().map(|&v| length(v)).collect(),
            link_headloss: period
                .link_headloss
                .iter()
                .zip(&self.classes)
                .map(|(&h, class)| match class {
                    LinkClass::Pipe => f(h),
                    _ => length(h),
                })
                .collect(),
            link_quality: period.link_quality.iter().map(|&c| f(c)).collect(),
            link_status: period.link_status.iter().map(|&s| s as f32).collect(),
            link_setting: period
                .link_setting
                .iter()
                .zip(&self.classes)
                .map(|(&s, class)| self.report_setting(s, *class))
                .collect(),
            link_reaction_rate: period.link_reaction_rate.iter().map(|&r| f(r)).collect(),
            link_friction_factor: period.link_friction_factor.iter().map(|&x| f(x)).collect(),
        }
    }

    /// A link setting in report units, as EPANET writes it (0 when there is none).
    fn report_setting(&self, setting: f64, class: LinkClass) -> f32 {
        if setting.is_nan() {
            return 0.0;
        }
        let u = &self.units;
        let value = match class {
            // EPANET reports Darcy-Weisbach roughness in its internal feet.
            LinkClass::Pipe if self.formula == HeadlossFormula::DarcyWeisbach => {
                ReportUnits::feet(setting)
            }
            LinkClass::Pipe | LinkClass::Pump => setting,
            LinkClass::Valve(ValveType::Prv | ValveType::Psv | ValveType::Pbv) => {
                ReportUnits::feet(setting) * u.pressure
            }
            LinkClass::Valve(ValveType::Fcv) => {
                ReportUnits::cubic_feet_per_second(setting) * u.flow
            }
            LinkClass::Valve(ValveType::Tcv | ValveType::Pcv) => setting,
            LinkClass::Valve(ValveType::Gpv) => 0.0,
        };
        value as f32
    }
}

/// Cubic metres per cubic foot (EPANET's rounding).
const CUBIC_METRES_PER_CFS: f64 = danjiang_network::units::CUBIC_METRES_PER_CUBIC_FOOT;
