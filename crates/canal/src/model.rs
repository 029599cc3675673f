//! The canal as read from its input: nodes, links, time series, controls and pollutants, in SI
//! units (m, m³/s, s), each element remembering the line that declared it.

use crate::section::Section;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// A canal model: what the SWMM 5 input (open-channel subset) describes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CanalModel {
    /// The file it was read from (`<text>` for a string).
    pub file: PathBuf,
    /// Times and steps.
    pub options: Options,
    /// Junctions, storage units and outfalls.
    pub nodes: Vec<Node>,
    /// Conduits, gates (orifices), weirs and outlets.
    pub links: Vec<Link>,
    /// Named time series.
    pub time_series: Vec<TimeSeries>,
    /// External inflows at nodes.
    pub inflows: Vec<Inflow>,
    /// Gate movements ([CONTROLS]).
    pub rules: Vec<crate::controls::Rule>,
    /// Pollutants declared ([POLLUTANTS]).
    pub pollutants: Vec<Pollutant>,
}

/// Simulation times and steps.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Options {
    /// Duration of the simulation, s.
    pub duration_s: f64,
    /// Time step of the implicit solver (SWMM's ROUTING_STEP), s.
    pub routing_step_s: f64,
    /// Report step, s.
    pub report_step_s: f64,
    /// Time of the first report after the start, s.
    pub report_start_s: f64,
    /// Largest computational cell, m (not a SWMM option; 100 m by default).
    pub max_cell_m: f64,
}

/// What kind of node.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum NodeKind {
    /// A junction between links.
    Junction,
    /// A storage unit with a surface area a·d^b + c (m²) at depth d.
    Storage {
        /// Coefficient a.
        coefficient: f64,
        /// Exponent b.
        exponent: f64,
        /// Constant c, m².
        constant: f64,
    },
    /// An outfall: a level boundary.
    Outfall(OutfallBoundary),
}

/// The level an outfall holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum OutfallBoundary {
    /// Critical depth in the link that reaches it.
    Free,
    /// Normal depth in the link that reaches it.
    Normal,
    /// A fixed water level, m.
    Fixed(f64),
    /// A water level from a time series (index into `time_series`).
    Series(usize),
}

/// A node.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Node {
    /// Its ID.
    pub id: String,
    /// Junction, storage or outfall.
    pub kind: NodeKind,
    /// Invert (bed) elevation, m.
    pub invert: f64,
    /// Depth at the start (0: not given), m.
    pub initial_depth: f64,
    /// Map position, if given in [COORDINATES].
    pub position: Option<(f64, f64)>,
    /// The declaring line.
    pub line: usize,
}

/// What kind of link.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum LinkKind {
    /// An open-channel reach.
    Conduit {
        /// Length along the canal, m.
        length: f64,
        /// Manning roughness, s/m^(1/3).
        roughness: f64,
        /// Flow at the start, m³/s.
        initial_flow: f64,
        /// Local loss coefficients (entry, exit, average) over the reach.
        losses: [f64; 3],
        /// Cross-section.
        section: Option<Section>,
    },
    /// A gate: SWMM ORIFICE with a RECT_CLOSED opening.
    Orifice {
        /// Side (vertical) rather than bottom orifice.
        side: bool,
        /// Discharge coefficient.
        discharge_coefficient: f64,
        /// Flap gate (no reverse flow).
        flap: bool,
        /// Time to move from closed to fully open, s (0: at once).
        full_travel_s: f64,
        /// Opening height when fully open, m.
        height: f64,
        /// Opening width, m.
        width: f64,
    },
    /// A spillway: SWMM WEIR (transverse, RECT_OPEN).
    Weir {
        /// Weir coefficient (SI), m^(1/2)/s.
        discharge_coefficient: f64,
        /// Flap gate.
        flap: bool,
        /// Number of end contractions.
        end_contractions: f64,
        /// Height of the weir opening, m.
        height: f64,
        /// Crest length, m.
        length: f64,
    },
    /// A withdrawal: SWMM OUTLET with Q = setting·c·head^e.
    Outlet {
        /// Coefficient c.
        coefficient: f64,
        /// Exponent e (0: a fixed withdrawal).
        exponent: f64,
        /// Head across the link (FUNCTIONAL/HEAD) rather than depth above its offset.
        across: bool,
        /// Flap gate.
        flap: bool,
    },
}

/// A link.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Link {
    /// Its ID.
    pub id: String,
    /// Upstream node (index into `nodes`).
    pub from: usize,
    /// Downstream node.
    pub to: usize,
    /// What it is.
    pub kind: LinkKind,
    /// Height of its upstream end (or crest) above the upstream node's invert, m.
    pub from_offset: f64,
    /// Height of its downstream end above the downstream node's invert, m.
    pub to_offset: f64,
    /// Setting at the start (fraction open), from 0 to 1.
    pub initial_setting: f64,
    /// Intermediate map points.
    pub vertices: Vec<(f64, f64)>,
    /// The declaring line.
    pub line: usize,
    /// The [XSECTIONS] line, once read.
    pub section_line: Option<usize>,
}

/// A named series of (time s, value) points, linearly interpolated and held at its ends.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TimeSeries {
    /// Its name.
    pub id: String,
    /// Points in time order.
    pub points: Vec<(f64, f64)>,
}

impl TimeSeries {
    /// The value at time `time_s`.
    pub fn value(&self, time_s: f64) -> f64 {
        interpolate(&self.points, time_s)
    }
}

/// Linear interpolation in time-ordered points, held constant beyond the ends.
pub fn interpolate(points: &[(f64, f64)], time: f64) -> f64 {
    let Some(first) = points.first() else {
        return 0.0;
    };
    if time <= first.0 {
        return first.1;
    }
    let index = points.partition_point(|p| p.0 <= time);
    if index >= points.len() {
        return points[points.len() - 1].1;
    }
    let (a, b) = (points[index - 1], points[index]);
    if b.0 - a.0 <= 0.0 {
        return b.1;
    }
    a.1 + (b.1 - a.1) * (time - a.0) / (b.0 - a.0)
}

/// An external inflow at a node: baseline + scale·series(t), m³/s.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Inflow {
    /// The node.
    pub node: usize,
    /// Constant part, m³/s.
    pub baseline: f64,
    /// Series (index into `time_series`) and its scale factor.
    pub series: Option<(usize, f64)>,
    /// The declaring line.
    pub line: usize,
}

/// A pollutant.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pollutant {
    /// Its name.
    pub id: String,
    /// First-order decay rate, 1/s.
    pub decay_per_s: f64,
}

impl CanalModel {
    /// The node with this ID.
    pub fn node_index(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }

    /// The link with this ID.
    pub fn link_index(&self, id: &str) -> Option<usize> {
        self.links.iter().position(|l| l.id == id)
    }

    /// Total external inflow at node `node` at time `time_s`, m³/s.
    pub fn inflow_at(&self, node: usize, time_s: f64) -> f64 {
        self.inflows
            .iter()
            .filter(|inflow| inflow.node == node)
            .map(|inflow| {
                let series = inflow.series.map_or(0.0, |(index, scale)| {
                    self.time_series.get(index).map_or(0.0, |s| s.value(time_s)) * scale
                });
                inflow.baseline + series
            })
            .sum()
    }
}
