//! EPANET's binary output file (.out), laid out as EPANET 2.3 writes it.
//!
//! The file is a sequence of 4-byte little-endian words (`i32` and `f32`) and fixed-width,
//! NUL-padded text fields, in four sections:
//!
//! 1. **prolog**: 15 integers (magic number, version, element counts, quality, units,
//!    statistic and time settings), three 80-byte title lines, two 260-byte file names,
//!    two 32-byte chemical fields, the 32-byte IDs of every node and link, link end nodes
//!    and types, tank nodes and areas, node elevations, link lengths and diameters;
//! 2. **energy**: per pump its link index and six figures, then the demand charge;
//! 3. **dynamic results**: per reporting period four node arrays and eight link arrays;
//! 4. **epilog**: four network reaction rates, the number of periods, the warning flag and
//!    the magic number again.
//!
//! Every value is in the network's report units (see [`crate::units`]), except the tank
//! areas of the prolog, which EPANET stores in square feet whatever the unit system.

mod network_sections;
mod reader;
mod writer;

pub use network_sections::PumpEnergyFigures;
pub use reader::{read, read_from, OutReader};
pub use writer::OutWriter;

use serde::Serialize;

/// The number that opens and closes every EPANET binary output file.
pub const MAGIC_NUMBER: i32 = 516_114_521;
/// The version EPANET 2.3 writes (it keeps 2.00.12 so that old readers accept the file).
pub const FILE_VERSION: i32 = 20_012;
/// Bytes of a title line field.
pub const TITLE_BYTES: usize = 80;
/// Bytes of a file name field.
pub const FILE_NAME_BYTES: usize = 260;
/// Bytes of an ID or chemical name field.
pub const ID_BYTES: usize = 32;
/// Bytes of the fixed part of the prolog (integers, titles, file names, chemical fields).
pub const FIXED_PROLOG_BYTES: usize = 15 * 4 + 3 * TITLE_BYTES + 2 * FILE_NAME_BYTES + 2 * ID_BYTES;
/// Node quantities stored per period.
pub const NODE_QUANTITIES: usize = 4;
/// Link quantities stored per period.
pub const LINK_QUANTITIES: usize = 8;
/// Bytes of the epilog.
pub const EPILOG_BYTES: usize = 7 * 4;

/// EPANET's link type codes as the prolog stores them.
pub mod link_type {
    /// Pipe with a check valve.
    pub const CHECK_VALVE_PIPE: i32 = 0;
    /// Pipe.
    pub const PIPE: i32 = 1;
    /// Pump.
    pub const PUMP: i32 = 2;
    /// Pressure reducing valve.
    pub const PRV: i32 = 3;
    /// Pressure sustaining valve.
    pub const PSV: i32 = 4;
    /// Pressure breaker valve.
    pub const PBV: i32 = 5;
    /// Flow control valve.
    pub const FCV: i32 = 6;
    /// Throttle control valve.
    pub const TCV: i32 = 7;
    /// General purpose valve.
    pub const GPV: i32 = 8;
    /// Positional control valve.
    pub const PCV: i32 = 9;
}

/// The prolog: what the network is and how its results are reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prolog {
    /// File version word (EPANET 2.3 writes [`FILE_VERSION`]).
    pub version: i32,
    /// Number of nodes.
    pub node_count: usize,
    /// Number of tanks and reservoirs.
    pub tank_count: usize,
    /// Number of links.
    pub link_count: usize,
    /// Number of pumps.
    pub pump_count: usize,
    /// Number of valves.
    pub valve_count: usize,
    /// Quality analysis: 0 none, 1 chemical, 2 age, 3 trace.
    pub quality_code: i32,
    /// Traced node, 1-based; 0 when there is no trace analysis.
    pub trace_node: i32,
    /// Flow units code, EPANET's order (0 CFS, 1 GPM, ... 10 CMS).
    pub flow_units_code: i32,
    /// Pressure units code (0 psi, 1 kPa, 2 m, 3 bar, 4 ft).
    pub pressure_units_code: i32,
    /// Time statistic code (0 series, 1 average, 2 minimum, 3 maximum, 4 range).
    pub statistic_code: i32,
    /// Time of the first reported period, s.
    pub report_start: i32,
    /// Time between reported periods, s.
    pub report_step: i32,
    /// Simulation duration, s.
    pub duration: i32,
    /// The three title lines.
    pub title: [String; 3],
    /// Name of the input file.
    pub input_file: String,
    /// Name of the secondary report file (`[REPORT] FILE`), often empty.
    pub report_file: String,
    /// Name of the chemical analysed (or `AGE`, `TRACE`, empty).
    pub chemical_name: String,
    /// Units of the quality results (`mg/L`, `hrs`, `%`, empty).
    pub quality_units: String,
    /// Node IDs in file order.
    pub node_ids: Vec<String>,
    /// Link IDs in file order.
    pub link_ids: Vec<String>,
    /// Start node of each link, 1-based.
    pub link_from: Vec<i32>,
    /// End node of each link, 1-based.
    pub link_to: Vec<i32>,
    /// Type code of each link (see [`link_type`]).
    pub link_type: Vec<i32>,
    /// Node index of each tank and reservoir, 1-based.
    pub tank_node: Vec<i32>,
    /// Cross-section area of each tank, ft² (0 for reservoirs).
    pub tank_area: Vec<f32>,
    /// Node elevations, report length units.
    pub node_elevation: Vec<f32>,
    /// Link lengths, report length units (0 for pumps and valves).
    pub link_length: Vec<f32>,
    /// Link diameters, in or mm (0 for pumps).
    pub link_diameter: Vec<f32>,
}

impl Prolog {
    /// Bytes the prolog takes in the file.
    pub fn byte_len(&self) -> u64 {
        prolog_bytes(self.node_count, self.link_count, self.tank_count)
    }

    /// Bytes of one period of dynamic results.
    pub fn period_bytes(&self) -> u64 {
        period_bytes(self.node_count, self.link_count)
    }

    /// Offset of the first period of dynamic results.
    pub fn results_offset(&self) -> u64 {
        self.byte_len() + energy_bytes(self.pump_count)
    }
}

/// Bytes of a prolog for these counts.
pub fn prolog_bytes(nodes: usize, links: usize, tanks: usize) -> u64 {
    (FIXED_PROLOG_BYTES
        + ID_BYTES * (nodes + links)
        + 4 * (3 * links + 2 * tanks + nodes + 2 * links)) as u64
}

/// Bytes of the energy section for this many pumps.
pub fn energy_bytes(pumps: usize) -> u64 {
    (pumps * 7 * 4 + 4) as u64
}

/// Bytes of one period of dynamic results.
pub fn period_bytes(nodes: usize, links: usize) -> u64 {
    (4 * (NODE_QUANTITIES * nodes + LINK_QUANTITIES * links)) as u64
}

/// Energy use of one pump over the run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PumpEnergy {
    /// The pump's link index, 1-based.
    pub link_index: i32,
    /// Percent of the time the pump was on line.
    pub utilization: f32,
    /// Time-averaged efficiency while on line, percent.
    pub average_efficiency: f32,
    /// Energy per volume pumped: kWh per million gallons (US) or per cubic metre (SI).
    pub kwh_per_volume: f32,
    /// Average power while on line, kW.
    pub average_kw: f32,
    /// Peak power, kW.
    pub peak_kw: f32,
    /// Cost per day.
    pub cost_per_day: f32,
}

/// The energy section: every pump's figures, then the demand charge.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EnergySection {
    /// One record per pump, in pump order.
    pub pumps: Vec<PumpEnergy>,
    /// Peak demand charge (largest total kW times the demand charge per kW).
    pub demand_charge: f32,
}

/// The epilog: network reaction rates, period count, warning flag.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Epilog {
    /// Average bulk reaction rate, mass per hour.
    pub bulk_reaction_rate: f32,
    /// Average wall reaction rate, mass per hour.
    pub wall_reaction_rate: f32,
    /// Average tank reaction rate, mass per hour.
    pub tank_reaction_rate: f32,
    /// Average source inflow rate, mass per hour.
    pub source_inflow_rate: f32,
    /// Number of periods of dynamic results.
    pub period_count: usize,
    /// EPANET's warning flag (0 none; otherwise the code of the last warning).
    pub warning_flag: i32,
}

/// One period of dynamic results, in report units, as stored (f32).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PeriodResults {
    /// Node demand, flow units.
    pub node_demand: Vec<f32>,
    /// Node hydraulic head, length units.
    pub node_head: Vec<f32>,
    /// Node pressure, pressure units.
    pub node_pressure: Vec<f32>,
    /// Node water quality, quality units.
    pub node_quality: Vec<f32>,
    /// Link flow, flow units (zero when closed).
    pub link_flow: Vec<f32>,
    /// Link velocity, ft/s or m/s (zero for pumps).
    pub link_velocity: Vec<f32>,
    /// Pipes: head loss per 1000 length units; pumps: head gain as a negative loss;
    /// valves: head loss, length units.
    pub link_headloss: Vec<f32>,
    /// Average link water quality, quality units.
    pub link_quality: Vec<f32>,
    /// EPANET status code (0 cannot deliver head, 1 temporarily closed, 2 closed, 3 open,
    /// 4 active, 5 exceeds maximum flow, 6 FCV cannot deliver flow, 7 cannot deliver pressure).
    pub link_status: Vec<f32>,
    /// Pipe roughness, pump speed or valve setting, in report units.
    pub link_setting: Vec<f32>,
    /// Reaction rate, quality units per day.
    pub link_reaction_rate: Vec<f32>,
    /// Darcy-Weisbach friction factor.
    pub link_friction_factor: Vec<f32>,
}

/// Names of the per-period quantities in file order, for messages and tables.
pub const NODE_QUANTITY_NAMES: [&str; NODE_QUANTITIES] = ["demand", "head", "pressure", "quality"];
/// Names of the per-period link quantities in file order.
pub const LINK_QUANTITY_NAMES: [&str; LINK_QUANTITIES] = [
    "flow",
    "velocity",
    "headloss",
    "quality",
    "status",
    "setting",
    "reaction_rate",
    "friction_factor",
];

impl PeriodResults {
    /// A period of zeros for this many nodes and links.
    pub fn zeros(nodes: usize, links: usize) -> PeriodResults {
        PeriodResults {
            node_demand: vec![0.0; nodes],
            node_head: vec![0.0; nodes],
            node_pressure: vec![0.0; nodes],
            node_quality: vec![0.0; nodes],
            link_flow: vec![0.0; links],
            link_velocity: vec![0.0; links],
            link_headloss: vec![0.0; links],
            link_quality: vec![0.0; links],
            link_status: vec![0.0; links],
            link_setting: vec![0.0; links],
            link_reaction_rate: vec![0.0; links],
            link_friction_factor: vec![0.0; links],
        }
    }

    /// A period from its twelve arrays in file order (four node quantities, then eight link
    /// quantities); missing arrays are left empty.
    pub fn from_arrays(arrays: Vec<Vec<f32>>) -> PeriodResults {
        let mut arrays = arrays.into_iter();
        let mut next = || arrays.next().unwrap_or_default();
        PeriodResults {
            node_demand: next(),
            node_head: next(),
            node_pressure: next(),
            node_quality: next(),
            link_flow: next(),
            link_velocity: next(),
            link_headloss: next(),
            link_quality: next(),
            link_status: next(),
            link_setting: next(),
            link_reaction_rate: next(),
            link_friction_factor: next(),
        }
    }

    /// The node arrays in file order.
    pub fn node_arrays(&self) -> [&[f32]; NODE_QUANTITIES] {
        [
            &self.node_demand,
            &self.node_head,
            &self.node_pressure,
            &self.node_quality,
        ]
    }

    /// The link arrays in file order.
    pub fn link_arrays(&self) -> [&[f32]; LINK_QUANTITIES] {
        [
            &self.link_flow,
            &self.link_velocity,
            &self.link_headloss,
            &self.link_quality,
            &self.link_status,
            &self.link_setting,
            &self.link_reaction_rate,
            &self.link_friction_factor,
        ]
    }

    /// The node arrays in file order, to fill.
    pub fn node_arrays_mut(&mut self) -> [&mut Vec<f32>; NODE_QUANTITIES] {
        [
            &mut self.node_demand,
            &mut self.node_head,
            &mut self.node_pressure,
            &mut self.node_quality,
        ]
    }

    /// The link arrays in file order, to fill.
    pub fn link_arrays_mut(&mut self) -> [&mut Vec<f32>; LINK_QUANTITIES] {
        [
            &mut self.link_flow,
            &mut self.link_velocity,
            &mut self.link_headloss,
            &mut self.link_quality,
            &mut self.link_status,
            &mut self.link_setting,
            &mut self.link_reaction_rate,
            &mut self.link_friction_factor,
        ]
    }
}

/// A whole output file read into memory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutFile {
    /// The prolog.
    pub prolog: Prolog,
    /// Pump energy use.
    pub energy: EnergySection,
    /// Every reported period, in time order.
    pub periods: Vec<PeriodResults>,
    /// The epilog.
    pub epilog: Epilog,
}

impl OutFile {
    /// Elapsed time of a reported period, s. A file with a time statistic has one period,
    /// stamped with the report start.
    pub fn period_time(&self, period: usize) -> i64 {
        period_time(&self.prolog, period)
    }
}

/// Elapsed time of a reported period, s.
pub fn period_time(prolog: &Prolog, period: usize) -> i64 {
    prolog.report_start as i64 + period as i64 * prolog.report_step as i64
}
