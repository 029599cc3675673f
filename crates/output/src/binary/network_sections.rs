//! The prolog, energy and epilog sections of an output file, built from a network and the
//! figures of a run.

use super::{link_type, EnergySection, Epilog, Prolog, PumpEnergy, FILE_VERSION};
use crate::units::{flow_units_code, pressure_units_code, ReportUnits};
use danjiang_network::units::{UnitSystem, CUBIC_METRES_PER_CUBIC_FOOT, METRES_PER_FOOT};
use danjiang_network::{
    CurveKind, LinkKind, Network, NodeKind, QualityAnalysis, Statistic, ValveType,
};
use std::f64::consts::PI;

/// Litres per second in one ft³/s and US gallons per minute in one ft³/s (EPANET's).
const LPS_PER_CFS: f64 = 28.317;
const GPM_PER_CFS: f64 = 448.831;

impl Prolog {
    /// The prolog EPANET writes for a network. `input_file` is the input file name as
    /// given on the command line; the secondary report file is `[REPORT] FILE`.
    pub fn for_network(network: &Network, input_file: &str) -> Prolog {
        let units = ReportUnits::of(network);
        let counts = network.counts();
        let (quality_code, trace_node, chemical_name, quality_units) =
            match &network.options.quality {
                QualityAnalysis::None => (0, 0, "Chemical".to_string(), String::new()),
                QualityAnalysis::Chemical { name, units } => (1, 0, name.clone(), units.clone()),
                QualityAnalysis::Age => (2, 0, "AGE".to_string(), "hrs".to_string()),
                QualityAnalysis::Trace { node } => (
                    3,
                    node.index() as i32 + 1,
                    "% from".to_string(),
                    "% from".to_string(),
                ),
            };
        let statistic_code = match network.times.statistic {
            Statistic::None => 0,
            Statistic::Average => 1,
            Statistic::Minimum => 2,
            Statistic::Maximum => 3,
            Statistic::Range => 4,
        };
        let times = &network.times;
        let mut title: [String; 3] = Default::default();
        for (line, text) in title.iter_mut().zip(&network.title) {
            *line = text.clone();
        }

        let mut tank_node = Vec::new();
        let mut tank_area = Vec::new();
        for (i, node) in network.nodes.iter().enumerate() {
            let area = match &node.kind {
                NodeKind::Junction(_) => continue,
                NodeKind::Reservoir(_) => 0.0,
                NodeKind::Tank(tank) => tank_area_square_feet(network, tank),
            };
            tank_node.push(i as i32 + 1);
            tank_area.push(area as f32);
        }

        let mut prolog = Prolog {
            version: FILE_VERSION,
            node_count: network.nodes.len(),
            tank_count: counts.tanks + counts.reservoirs,
            link_count: network.links.len(),
            pump_count: counts.pumps,
            valve_count: counts.valves,
            quality_code,
            trace_node,
            flow_units_code: flow_units_code(network.options.flow_units),
            pressure_units_code: pressure_units_code(network.options.pressure_units),
            statistic_code,
            report_start: clamp_seconds(times.report_start),
            report_step: clamp_seconds(times.report_step),
            duration: clamp_seconds(times.duration),
            title,
            input_file: input_file.to_string(),
            report_file: network.report.file.clone().unwrap_or_default(),
            chemical_name,
            quality_units,
            node_ids: network.nodes.iter().map(|n| n.id.clone()).collect(),
            link_ids: network.links.iter().map(|l| l.id.clone()).collect(),
            link_from: network
                .links
                .iter()
                .map(|l| l.from.index() as i32 + 1)
                .collect(),
            link_to: network
                .links
                .iter()
                .map(|l| l.to.index() as i32 + 1)
                .collect(),
            link_type: Vec::with_capacity(network.links.len()),
            tank_node,
            tank_area,
            node_elevation: network
                .nodes
                .iter()
                .map(|n| (n.elevation / METRES_PER_FOOT * units.length) as f32)
                .collect(),
            link_length: Vec::with_capacity(network.links.len()),
            link_diameter: Vec::with_capacity(network.links.len()),
        };
        for link in &network.links {
            let (code, length, diameter) = match &link.kind {
                LinkKind::Pipe(pipe) => (
                    if pipe.check_valve {
                        link_type::CHECK_VALVE_PIPE
                    } else {
                        link_type::PIPE
                    },
                    pipe.length,
                    pipe.diameter,
                ),
                LinkKind::Pump(_) => (link_type::PUMP, 0.0, 0.0),
                LinkKind::Valve(valve) => (valve_code(valve.valve_type), 0.0, valve.diameter),
            };
            prolog.link_type.push(code);
            prolog
                .link_length
                .push((length / METRES_PER_FOOT * units.length) as f32);
            prolog
                .link_diameter
                .push((diameter / METRES_PER_FOOT * units.diameter) as f32);
        }
        prolog
    }
}

/// A reporting time in the file's 32-bit field (EPANET casts its `long` the same way).
fn clamp_seconds(seconds: u64) -> i32 {
    seconds.min(i32::MAX as u64) as i32
}

fn valve_code(valve: ValveType) -> i32 {
    match valve {
        ValveType::Prv => link_type::PRV,
        ValveType::Psv => link_type::PSV,
        ValveType::Pbv => link_type::PBV,
        ValveType::Fcv => link_type::FCV,
        ValveType::Tcv => link_type::TCV,
        ValveType::Gpv => link_type::GPV,
        ValveType::Pcv => link_type::PCV,
    }
}

/// A tank's cross-section as EPANET stores it, ft²: from its diameter, or for a tank with
/// a volume curve from the curve's overall slope (EPANET's "nominal diameter").
fn tank_area_square_feet(network: &Network, tank: &danjiang_network::Tank) -> f64 {
    let curve = tank
        .volume_curve
        .and_then(|c| network.curves.get(c.index()))
        .filter(|c| c.kind == CurveKind::Volume || c.kind == CurveKind::Generic);
    if let Some(curve) = curve {
        if let (Some(first), Some(last)) = (curve.points.first(), curve.points.last()) {
            // EPANET takes the slope in the file's units (ft³ per ft or m³ per m), so undo
            // the reader's conversion exactly as it was done before going to ft².
            let (rise, volume) = match network.options.flow_units.system() {
                UnitSystem::Us => (
                    (last.0 - first.0) / METRES_PER_FOOT,
                    (last.1 - first.1) / CUBIC_METRES_PER_CUBIC_FOOT,
                ),
                UnitSystem::Si => (last.0 - first.0, last.1 - first.1),
            };
            if rise != 0.0 {
                let slope = volume / rise; // ft² or m²
                let nominal_diameter = (4.0 * slope / PI).sqrt();
                let diameter_ft = match network.options.flow_units.system() {
                    UnitSystem::Us => nominal_diameter,
                    UnitSystem::Si => nominal_diameter / METRES_PER_FOOT,
                };
                return PI * (diameter_ft * diameter_ft) / 4.0;
            }
        }
    }
    let diameter = tank.diameter / METRES_PER_FOOT;
    PI * (diameter * diameter) / 4.0
}

/// Energy figures of one pump in SI, as an engine gives them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PumpEnergyFigures {
    /// The pump's link, 0-based model index.
    pub link: usize,
    /// Percent of the run on line.
    pub utilization: f64,
    /// Average efficiency while on line, percent.
    pub average_efficiency: f64,
    /// Energy per volume pumped, kWh/m³.
    pub kwh_per_cubic_metre: f64,
    /// Average power while on line, kW.
    pub average_kw: f64,
    /// Peak power, kW.
    pub peak_kw: f64,
    /// Cost per day.
    pub cost_per_day: f64,
}

impl EnergySection {
    /// The energy section from SI figures: energy per volume goes to kWh per million
    /// gallons for US units, as EPANET reports it; power stays in kW in both systems.
    pub fn from_figures(
        units: &ReportUnits,
        pumps: &[PumpEnergyFigures],
        demand_charge: f64,
    ) -> Self {
        // kWh/m³ back to EPANET's internal kW per ft³/s, then to its report unit.
        let per_cfs_si = 1000.0 / LPS_PER_CFS / 3600.0;
        let per_cfs_us = 1.0e6 / GPM_PER_CFS / 60.0;
        let volume_factor = match units.system {
            UnitSystem::Si => 1.0,
            UnitSystem::Us => per_cfs_us / per_cfs_si,
        };
        EnergySection {
            pumps: pumps
                .iter()
                .map(|p| PumpEnergy {
                    link_index: p.link as i32 + 1,
                    utilization: p.utilization as f32,
                    average_efficiency: p.average_efficiency as f32,
                    kwh_per_volume: (p.kwh_per_cubic_metre * volume_factor) as f32,
                    average_kw: p.average_kw as f32,
                    peak_kw: p.peak_kw as f32,
                    cost_per_day: p.cost_per_day as f32,
                })
                .collect(),
            demand_charge: demand_charge as f32,
        }
    }
}

impl Epilog {
    /// An epilog with no quality reactions (reaction rates zero).
    pub fn hydraulic_only(warning_flag: i32) -> Epilog {
        Epilog {
            warning_flag,
            ..Epilog::default()
        }
    }
}
