//! Junctions, reservoirs and tanks.

use super::{CurveIdx, PatternIdx};
use serde::{Deserialize, Serialize};

/// A point where links meet: a junction, a reservoir or a tank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// ID as written in the input file (at most 31 characters).
    pub id: String,
    /// Elevation of the node, m. For a reservoir, its total head, m.
    pub elevation: f64,
    /// What kind of node this is, with the data of that kind.
    pub kind: NodeKind,
    /// Initial water quality, in the quality unit (mg/L, hours of age or percent of trace).
    pub initial_quality: f64,
    /// A water-quality source at this node.
    pub source: Option<QualitySource>,
    /// Map coordinates (x, y) from `[COORDINATES]`.
    pub coordinates: Option<(f64, f64)>,
    /// Tag from `[TAGS]`.
    pub tag: Option<String>,
    /// Comment after the node's line in the input file.
    pub comment: Option<String>,
}

impl Node {
    /// A node of the given kind with defaults for everything else.
    pub fn new(id: impl Into<String>, elevation: f64, kind: NodeKind) -> Node {
        Node {
            id: id.into(),
            elevation,
            kind,
            initial_quality: 0.0,
            source: None,
            coordinates: None,
            tag: None,
            comment: None,
        }
    }

    /// True for reservoirs and tanks, whose head is known at the start of a period.
    pub fn is_fixed_head(&self) -> bool {
        !matches!(self.kind, NodeKind::Junction(_))
    }

    /// The junction data, if this node is a junction.
    pub fn as_junction(&self) -> Option<&Junction> {
        match &self.kind {
            NodeKind::Junction(junction) => Some(junction),
            _ => None,
        }
    }

    /// The tank data, if this node is a tank.
    pub fn as_tank(&self) -> Option<&Tank> {
        match &self.kind {
            NodeKind::Tank(tank) => Some(tank),
            _ => None,
        }
    }

    /// The reservoir data, if this node is a reservoir.
    pub fn as_reservoir(&self) -> Option<&Reservoir> {
        match &self.kind {
            NodeKind::Reservoir(reservoir) => Some(reservoir),
            _ => None,
        }
    }
}

/// The three kinds of node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NodeKind {
    /// A junction, where water may be drawn off.
    Junction(Junction),
    /// A reservoir: an infinite source or sink at a given head.
    Reservoir(Reservoir),
    /// A storage tank whose level changes over time.
    Tank(Tank),
}

/// Data of a junction.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Junction {
    /// Demand categories. `[JUNCTIONS]` gives the first; `[DEMANDS]` replaces them all.
    pub demands: Vec<Demand>,
    /// Emitter (sprinkler, leak) discharge coefficient, m³/s per m^exponent of pressure head.
    /// Zero means no emitter.
    pub emitter_coefficient: f64,
}

/// One demand category at a junction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Demand {
    /// Base demand, m³/s (negative for an inflow).
    pub base: f64,
    /// Time pattern of multipliers; `None` uses the default pattern.
    pub pattern: Option<PatternIdx>,
    /// Category name (the comment on a `[DEMANDS]` line).
    pub category: Option<String>,
}

/// Data of a reservoir (its head is [`Node::elevation`] plus [`Reservoir::level`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reservoir {
    /// Time pattern of head multipliers (of the elevation, as in EPANET).
    pub head_pattern: Option<PatternIdx>,
    /// Water level above the elevation at which the head is held, m. Zero for a reservoir
    /// line; the initial level of a `[TANKS]` line of zero diameter, which EPANET keeps as a
    /// fixed-head node at its elevation plus that level (its pressure is the level).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub level: f64,
}

fn is_zero(value: &f64) -> bool {
    *value == 0.0
}

/// Data of a storage tank (its bottom elevation is [`Node::elevation`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tank {
    /// Water level above the bottom at the start, m.
    pub initial_level: f64,
    /// Lowest allowed level, m.
    pub min_level: f64,
    /// Highest allowed level, m.
    pub max_level: f64,
    /// Diameter of a cylindrical tank, m.
    pub diameter: f64,
    /// Volume below the minimum level, m³.
    pub min_volume: f64,
    /// Volume against level curve for a non-cylindrical tank.
    pub volume_curve: Option<CurveIdx>,
    /// Whether the tank may overflow when full (EPANET 2.2+).
    pub can_overflow: bool,
    /// How water mixes inside the tank.
    pub mixing_model: MixingModel,
    /// Fraction of the volume in the inlet/outlet zone of a two-compartment tank (0..1).
    pub mixing_fraction: f64,
    /// Bulk reaction coefficient in the tank, 1/day; `None` uses the global one.
    pub bulk_coefficient: Option<f64>,
}

impl Default for Tank {
    fn default() -> Tank {
        Tank {
            initial_level: 0.0,
            min_level: 0.0,
            max_level: 0.0,
            diameter: 0.0,
            min_volume: 0.0,
            volume_curve: None,
            can_overflow: false,
            mixing_model: MixingModel::Mixed,
            mixing_fraction: 1.0,
            bulk_coefficient: None,
        }
    }
}

/// Tank mixing models of `[MIXING]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum MixingModel {
    /// Complete mixing.
    #[default]
    Mixed,
    /// Two compartments: inlet/outlet zone and main zone.
    #[serde(rename = "2COMP")]
    TwoCompartment,
    /// First in, first out (plug flow).
    Fifo,
    /// Last in, first out (stacked plug flow).
    Lifo,
}

/// Kinds of water-quality source in `[SOURCES]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum SourceKind {
    /// Fixed concentration of external inflow at the node.
    Concen,
    /// Mass added per minute.
    Mass,
    /// Concentration of all flow leaving the node is set.
    Setpoint,
    /// Concentration added to all flow leaving the node.
    Flowpaced,
}

/// A water-quality source at a node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualitySource {
    /// How the source acts.
    pub kind: SourceKind,
    /// Baseline strength: concentration in mass units per litre, or mass per minute for MASS.
    pub strength: f64,
    /// Time pattern of strength multipliers.
    pub pattern: Option<PatternIdx>,
}
