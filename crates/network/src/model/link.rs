//! Pipes, pumps and valves.

use super::{CurveIdx, NodeIdx, PatternIdx};
use serde::{Deserialize, Serialize};

/// A connection between two nodes: a pipe, a pump or a valve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// ID as written in the input file (at most 31 characters).
    pub id: String,
    /// Start node (positive flow leaves it).
    pub from: NodeIdx,
    /// End node.
    pub to: NodeIdx,
    /// What kind of link this is, with the data of that kind.
    pub kind: LinkKind,
    /// Status at the start of the run, from the element's line or `[STATUS]`.
    pub initial_status: InitialStatus,
    /// Intermediate map points of `[VERTICES]`.
    pub vertices: Vec<(f64, f64)>,
    /// Tag from `[TAGS]`.
    pub tag: Option<String>,
    /// Comment after the link's line in the input file.
    pub comment: Option<String>,
}

impl Link {
    /// A link of the given kind with defaults for everything else.
    pub fn new(id: impl Into<String>, from: NodeIdx, to: NodeIdx, kind: LinkKind) -> Link {
        Link {
            id: id.into(),
            from,
            to,
            kind,
            initial_status: InitialStatus::Default,
            vertices: Vec::new(),
            tag: None,
            comment: None,
        }
    }

    /// The pipe data, if this link is a pipe.
    pub fn as_pipe(&self) -> Option<&Pipe> {
        match &self.kind {
            LinkKind::Pipe(pipe) => Some(pipe),
            _ => None,
        }
    }

    /// The pump data, if this link is a pump.
    pub fn as_pump(&self) -> Option<&Pump> {
        match &self.kind {
            LinkKind::Pump(pump) => Some(pump),
            _ => None,
        }
    }

    /// The valve data, if this link is a valve.
    pub fn as_valve(&self) -> Option<&Valve> {
        match &self.kind {
            LinkKind::Valve(valve) => Some(valve),
            _ => None,
        }
    }
}

/// The status a link starts a run with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InitialStatus {
    /// No status given: pipes and pumps open, valves active at their setting.
    #[default]
    Default,
    /// Open (for a valve: fixed open, its setting ignored).
    Open,
    /// Closed.
    Closed,
    /// Active at its setting (valves).
    Active,
}

/// The three kinds of link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LinkKind {
    /// A pipe.
    Pipe(Pipe),
    /// A pump.
    Pump(Pump),
    /// A valve.
    Valve(Valve),
}

/// Data of a pipe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pipe {
    /// Length, m.
    pub length: f64,
    /// Inside diameter, m.
    pub diameter: f64,
    /// Roughness: Hazen-Williams C (unitless), Darcy-Weisbach ε (m) or Manning n (unitless),
    /// as the network's headloss formula says.
    pub roughness: f64,
    /// Minor loss coefficient (unitless).
    pub minor_loss: f64,
    /// Whether the pipe has a check valve that stops reverse flow.
    pub check_valve: bool,
    /// Bulk reaction coefficient, 1/day; `None` uses the global one.
    pub bulk_coefficient: Option<f64>,
    /// Wall reaction coefficient (m/day for first order); `None` uses the global one.
    pub wall_coefficient: Option<f64>,
    /// Leak area per 100 length units of pipe at zero pressure, as `[LEAKAGE]` gives it
    /// (mm² or in² per 100 m or ft, kept in the file's units: see EPANET 2.3).
    pub leak_area: f64,
    /// Leak area expansion per unit of pressure head, as `[LEAKAGE]` gives it.
    pub leak_expansion: f64,
}

impl Default for Pipe {
    fn default() -> Pipe {
        Pipe {
            length: 0.0,
            diameter: 0.0,
            roughness: 0.0,
            minor_loss: 0.0,
            check_valve: false,
            bulk_coefficient: None,
            wall_coefficient: None,
            leak_area: 0.0,
            leak_expansion: 0.0,
        }
    }
}

/// Data of a pump.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Pump {
    /// Head against flow curve (`HEAD`), if the pump has one.
    pub head_curve: Option<CurveIdx>,
    /// Constant power, kW (`POWER`), if the pump has no head curve.
    pub power: Option<f64>,
    /// Relative speed setting (`SPEED`, default 1).
    pub speed: f64,
    /// Time pattern of speed settings (`PATTERN`).
    pub speed_pattern: Option<PatternIdx>,
    /// Efficiency against flow curve from `[ENERGY]`.
    pub efficiency_curve: Option<CurveIdx>,
    /// Energy price per kWh from `[ENERGY]`; `None` uses the global price.
    pub energy_price: Option<f64>,
    /// Time pattern of energy prices from `[ENERGY]`.
    pub price_pattern: Option<PatternIdx>,
}

/// Data of a valve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Valve {
    /// The valve's type.
    pub valve_type: ValveType,
    /// Diameter, m.
    pub diameter: f64,
    /// Setting, in SI units for the type: pressure head (m) for PRV, PSV and PBV; flow
    /// (m³/s) for FCV; loss coefficient for TCV; percent open for PCV; unused for GPV.
    pub setting: f64,
    /// Minor loss coefficient when fully open.
    pub minor_loss: f64,
    /// Headloss curve of a GPV, or the valve curve of a PCV (percent open against percent
    /// of full flow coefficient).
    pub curve: Option<CurveIdx>,
}

/// The seven valve types of EPANET 2.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ValveType {
    /// Pressure reducing valve.
    Prv,
    /// Pressure sustaining valve.
    Psv,
    /// Pressure breaker valve.
    Pbv,
    /// Flow control valve.
    Fcv,
    /// Throttle control valve.
    Tcv,
    /// General purpose valve (headloss from a curve).
    Gpv,
    /// Positional control valve (EPANET 2.3).
    Pcv,
}

impl ValveType {
    /// Every valve type.
    pub const ALL: [ValveType; 7] = [
        ValveType::Prv,
        ValveType::Psv,
        ValveType::Pbv,
        ValveType::Fcv,
        ValveType::Tcv,
        ValveType::Gpv,
        ValveType::Pcv,
    ];

    /// The keyword used in an .inp file.
    pub fn keyword(self) -> &'static str {
        match self {
            ValveType::Prv => "PRV",
            ValveType::Psv => "PSV",
            ValveType::Pbv => "PBV",
            ValveType::Fcv => "FCV",
            ValveType::Tcv => "TCV",
            ValveType::Gpv => "GPV",
            ValveType::Pcv => "PCV",
        }
    }

    /// Parses a keyword, ignoring case.
    pub fn from_keyword(word: &str) -> Option<ValveType> {
        ValveType::ALL
            .into_iter()
            .find(|t| t.keyword().eq_ignore_ascii_case(word))
    }
}
