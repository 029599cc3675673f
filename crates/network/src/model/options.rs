//! Analysis options, times, reporting, energy and reaction settings.

use super::NodeIdx;
use crate::units::{FlowUnits, PressureUnits};
use serde::{Deserialize, Serialize};

/// Formula for friction headloss in pipes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum HeadlossFormula {
    /// Hazen-Williams (`H-W`).
    #[default]
    HazenWilliams,
    /// Darcy-Weisbach (`D-W`).
    DarcyWeisbach,
    /// Chezy-Manning (`C-M`).
    ChezyManning,
}

impl HeadlossFormula {
    /// The keyword used in an .inp file.
    pub fn keyword(self) -> &'static str {
        match self {
            HeadlossFormula::HazenWilliams => "H-W",
            HeadlossFormula::DarcyWeisbach => "D-W",
            HeadlossFormula::ChezyManning => "C-M",
        }
    }
}

/// How demands respond to pressure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DemandModel {
    /// Demand-driven: the full demand is delivered whatever the pressure.
    #[default]
    DemandDriven,
    /// Pressure-driven: delivery falls between the required and the minimum pressure.
    PressureDriven,
}

/// What to do when hydraulics do not converge within the allowed trials.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unbalanced {
    /// Stop the run.
    #[default]
    Stop,
    /// Go on with this many further trials (with status checks), then carry on regardless.
    Continue(u32),
}

/// The water-quality analysis to run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QualityAnalysis {
    /// No quality analysis.
    #[default]
    None,
    /// A reactive chemical.
    Chemical {
        /// Name of the chemical (for reports).
        name: String,
        /// Concentration units: `mg/L` or `ug/L`.
        units: String,
    },
    /// Water age, hours.
    Age,
    /// Percent of the water that came from a node.
    Trace {
        /// The node traced.
        node: NodeIdx,
    },
}

/// How a hydraulics file is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HydraulicsFileMode {
    /// Read hydraulics from the file instead of solving.
    Use,
    /// Save the solved hydraulics to the file.
    Save,
}

/// `[OPTIONS]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// Flow units of the input file (and of reports).
    pub flow_units: FlowUnits,
    /// Pressure units of the input file (and of reports).
    pub pressure_units: PressureUnits,
    /// Friction headloss formula.
    pub headloss: HeadlossFormula,
    /// Specific gravity of the fluid relative to water at 4 °C.
    pub specific_gravity: f64,
    /// Kinematic viscosity relative to water at 20 °C (1.0 = 1.1e-6 m²/s as EPANET takes it).
    pub viscosity: f64,
    /// Largest number of trials per hydraulic solution.
    pub trials: u32,
    /// Convergence: sum of flow changes over sum of flows.
    pub accuracy: f64,
    /// Extra convergence test on head loss error, m; zero turns it off.
    pub head_error: f64,
    /// Extra convergence test on the largest flow change, m³/s; zero turns it off.
    pub flow_change: f64,
    /// Trials between status checks.
    pub check_frequency: u32,
    /// Trial after which status checks stop.
    pub max_check: u32,
    /// Accuracy below which damping of flow changes starts; zero turns it off.
    pub damp_limit: f64,
    /// What to do when a solution does not converge.
    pub unbalanced: Unbalanced,
    /// ID of the pattern used by demands that name none (EPANET's default is "1").
    pub default_pattern: Option<String>,
    /// Multiplier applied to every demand.
    pub demand_multiplier: f64,
    /// Exponent of pressure in emitter flow.
    pub emitter_exponent: f64,
    /// Whether emitters may take in water when pressure is negative (EPANET 2.3).
    pub emitter_backflow: bool,
    /// Demand-driven or pressure-driven analysis.
    pub demand_model: DemandModel,
    /// Pressure head below which a pressure-driven demand is zero, m.
    pub minimum_pressure: f64,
    /// Pressure head at which a pressure-driven demand is fully met, m.
    pub required_pressure: f64,
    /// Exponent of the pressure-driven demand function.
    pub pressure_exponent: f64,
    /// The water-quality analysis.
    pub quality: QualityAnalysis,
    /// Molecular diffusivity of the chemical relative to chlorine in water at 20 °C.
    pub diffusivity: f64,
    /// Quality tolerance: the smallest difference that makes two parcels distinct.
    pub quality_tolerance: f64,
    /// A hydraulics file to use or save.
    pub hydraulics_file: Option<(HydraulicsFileMode, String)>,
    /// A map file name (kept for the GUI; not used by the engine).
    pub map_file: Option<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            flow_units: FlowUnits::Gpm,
            pressure_units: PressureUnits::Psi,
            headloss: HeadlossFormula::HazenWilliams,
            specific_gravity: 1.0,
            viscosity: 1.0,
            trials: 200,
            accuracy: 0.001,
            head_error: 0.0,
            flow_change: 0.0,
            check_frequency: 2,
            max_check: 10,
            damp_limit: 0.0,
            unbalanced: Unbalanced::Stop,
            default_pattern: None,
            demand_multiplier: 1.0,
            emitter_exponent: 0.5,
            emitter_backflow: true,
            demand_model: DemandModel::DemandDriven,
            minimum_pressure: 0.0,
            required_pressure: 0.1 / crate::units::PSI_PER_FOOT * crate::units::METRES_PER_FOOT,
            pressure_exponent: 0.5,
            quality: QualityAnalysis::None,
            diffusivity: 1.0,
            quality_tolerance: 0.01,
            hydraulics_file: None,
            map_file: None,
        }
    }
}

/// The statistic a report gives instead of every period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Statistic {
    /// Report every period.
    #[default]
    None,
    /// Time-averaged values.
    Average,
    /// Smallest values.
    Minimum,
    /// Largest values.
    Maximum,
    /// Largest minus smallest.
    Range,
}

/// `[TIMES]`, every time in seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Times {
    /// Length of the simulation, s (0 for a single steady state).
    pub duration: u64,
    /// Hydraulic time step, s.
    pub hydraulic_step: u64,
    /// Water-quality time step, s; `None` means a tenth of the hydraulic step.
    pub quality_step: Option<u64>,
    /// Pattern time step, s.
    pub pattern_step: u64,
    /// Time into the patterns at which the run starts, s.
    pub pattern_start: u64,
    /// Reporting time step, s.
    pub report_step: u64,
    /// Time at which reporting starts, s.
    pub report_start: u64,
    /// Rule evaluation time step, s; `None` means a tenth of the hydraulic step.
    pub rule_step: Option<u64>,
    /// Time of day at which the run starts, s after midnight.
    pub start_clocktime: u64,
    /// The statistic reported.
    pub statistic: Statistic,
}

impl Default for Times {
    fn default() -> Times {
        Times {
            duration: 0,
            hydraulic_step: 3600,
            quality_step: None,
            pattern_step: 3600,
            pattern_start: 0,
            report_step: 3600,
            report_start: 0,
            rule_step: None,
            start_clocktime: 0,
            statistic: Statistic::None,
        }
    }
}

/// How much status reporting a report file gets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum StatusReport {
    /// None.
    #[default]
    No,
    /// Changes of status.
    Yes,
    /// Changes of status and every trial.
    Full,
}

/// Which elements a report lists.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportSelection {
    /// None of them.
    #[default]
    None,
    /// All of them.
    All,
    /// These IDs.
    Some(Vec<String>),
}

/// One field of `[REPORT]` (for example `PRESSURE PRECISION 3`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportField {
    /// Field keyword, upper case (`ELEVATION`, `DEMAND`, `HEAD`, `PRESSURE`, `QUALITY`,
    /// `LENGTH`, `DIAMETER`, `FLOW`, `VELOCITY`, `HEADLOSS`, `STATUS`, `SETTING`,
    /// `REACTION`, `F-FACTOR`, ...).
    pub name: String,
    /// Whether it is reported; `None` when the file did not say.
    pub enabled: Option<bool>,
    /// Decimal places; `None` when the file did not say.
    pub precision: Option<u32>,
    /// Only values below this are reported (report units).
    pub below: Option<f64>,
    /// Only values above this are reported (report units).
    pub above: Option<f64>,
}

/// `[REPORT]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportOptions {
    /// Lines per page; zero for no paging.
    pub page_size: u32,
    /// File the report is written to instead of the main report.
    pub file: Option<String>,
    /// Status reporting.
    pub status: StatusReport,
    /// Whether the input summary is written (default yes).
    pub summary: Option<bool>,
    /// Whether the energy report is written (default no).
    pub energy: Option<bool>,
    /// Whether warning and error messages are written (default yes).
    pub messages: Option<bool>,
    /// Nodes whose results are reported.
    pub nodes: ReportSelection,
    /// Links whose results are reported.
    pub links: ReportSelection,
    /// Field settings, in the order the file gave them.
    pub fields: Vec<ReportField>,
}

/// Global settings of `[ENERGY]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnergyOptions {
    /// Efficiency of pumps without an efficiency curve, percent.
    pub global_efficiency: f64,
    /// Price of energy per kWh.
    pub global_price: f64,
    /// ID of the pattern of energy prices.
    pub global_pattern: Option<String>,
    /// Charge per maximum kW used.
    pub demand_charge: f64,
}

impl Default for EnergyOptions {
    fn default() -> EnergyOptions {
        EnergyOptions {
            global_efficiency: 75.0,
            global_price: 0.0,
            global_pattern: None,
            demand_charge: 0.0,
        }
    }
}

/// Global settings of `[REACTIONS]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReactionOptions {
    /// Order of bulk reactions in pipes.
    pub bulk_order: f64,
    /// Order of wall reactions (0 or 1).
    pub wall_order: f64,
    /// Order of bulk reactions in tanks.
    pub tank_order: f64,
    /// Bulk reaction coefficient for pipes and tanks that name none, 1/day.
    pub global_bulk: f64,
    /// Wall reaction coefficient for pipes that name none (m/day for first order,
    /// mg/m²/day for zero order).
    pub global_wall: f64,
    /// Limiting concentration of growth or decay, mg/L.
    pub limiting_potential: f64,
    /// Factor relating wall coefficients to pipe roughness.
    pub roughness_correlation: f64,
}

impl Default for ReactionOptions {
    fn default() -> ReactionOptions {
        ReactionOptions {
            bulk_order: 1.0,
            wall_order: 1.0,
            tank_order: 1.0,
            global_bulk: 0.0,
            global_wall: 0.0,
            limiting_potential: 0.0,
            roughness_correlation: 0.0,
        }
    }
}
