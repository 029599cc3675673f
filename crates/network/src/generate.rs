//! Synthetic supply networks of any size, for tests and benchmarks: looped or branched
//! districts fed from pumped sources through trunk mains, with tanks, pressure zones and demand.
//!
//! A network is laid out as a grid of districts (district metered areas). Each district is a
//! street grid of junctions about 100 m apart, either looped (a grid with a few links missing)
//! or branched (a random spanning tree of that grid). A trunk main joins the districts' hubs;
//! each district is fed from its hub through an inlet chamber, and some also from the next
//! hub through a flow control, throttle or plain secondary inlet. Sources are reservoirs with
//! two parallel pumps (three-point head curves): a duty pump that runs all the time and a peak
//! pump switched by the level of the nearest tank. Districts lying low enough to have pressure
//! to spare are made pressure zones behind a pressure reducing valve.
//!
//! Pipes are sized the way a designer would start: flows from a shortest-path spanning tree
//! rooted at the sources, at peak demand, with the smallest standard diameter that keeps the
//! Hazen-Williams gradient under a limit. Pump heads, tank elevations and valve settings come
//! from the heads that sizing predicts, so that EPANET solves the result with positive
//! pressures. Roughness falls with the age of each district's pipes.
//!
//! The same [`GeneratorSpec`] gives the same network on every machine: random draws come from
//! ChaCha8 and are turned into numbers with integer and IEEE arithmetic only, and every value
//! computed with a library function (`powf`) is rounded before it is stored.

use crate::model::{
    Control, ControlCondition, Curve, CurveKind, Demand, InitialStatus, Junction, Link, LinkAction,
    LinkIdx, LinkKind, Network, Node, NodeIdx, NodeKind, Pattern, PatternIdx, Pipe, Pump,
    Reservoir, Tank, Unbalanced, Valve, ValveType,
};
use crate::units::{
    FlowUnits, PressureUnits, UnitFactors, UnitSystem, METRES_PER_FOOT, PSI_PER_FOOT,
};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// The smallest network the generator makes, nodes.
pub const MIN_NODES: usize = 100;
/// The largest network the generator makes, nodes.
pub const MAX_NODES: usize = 5_000_000;

/// How the pipes of the districts are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Looped street grids and a looped trunk main.
    Grid,
    /// Branched districts on a branched trunk main.
    Tree,
    /// Looped trunk; each district looped (about 60 %) or branched.
    Mixed,
}

impl Layout {
    /// The word used on the command line.
    pub fn keyword(self) -> &'static str {
        match self {
            Layout::Grid => "grid",
            Layout::Tree => "tree",
            Layout::Mixed => "mixed",
        }
    }
}

/// What network to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratorSpec {
    /// Total number of nodes (junctions, reservoirs and tanks), exactly.
    pub nodes: usize,
    /// Seed of the random choices; the same seed gives the same network.
    pub seed: u64,
    /// How the pipes are laid out.
    pub layout: Layout,
    /// Length of the extended-period run, hours (0 for a single steady state).
    pub duration_hours: u32,
    /// Flow units of the network (and of the file it is written to).
    pub flow_units: FlowUnits,
}

impl Default for GeneratorSpec {
    fn default() -> GeneratorSpec {
        GeneratorSpec {
            nodes: 1000,
            seed: 1,
            layout: Layout::Mixed,
            duration_hours: 24,
            flow_units: FlowUnits::Lps,
        }
    }
}

/// Why a network could not be generated.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GenerateError {
    /// The node count is outside what the generator makes.
    #[error("cannot generate {requested} nodes: the generator makes {min} to {max} nodes")]
    NodeCountOutOfRange {
        /// The count asked for.
        requested: usize,
        /// [`MIN_NODES`].
        min: usize,
        /// [`MAX_NODES`].
        max: usize,
    },
    /// Two generated elements got the same ID (a fault of the generator).
    #[error("generated ID {0:?} twice")]
    DuplicateId(String),
}

/// Average demand of one junction, m³/s (0.1 L/s, a few households).
const MEAN_JUNCTION_DEMAND: f64 = 1.0e-4;
/// Ratio of the design (peak hour) flow to the average; above every pattern's peak multiplier.
const PEAK_FACTOR: f64 = 1.9;
/// Pressure head wanted at every junction at peak demand, m.
const DESIGN_PRESSURE: f64 = 28.0;
/// Street spacing of district junctions, m.
const SPACING: f64 = 100.0;
/// Standard inside diameters of SI networks, mm.
const DIAMETERS_MM: [f64; 24] = [
    100.0, 150.0, 200.0, 250.0, 300.0, 350.0, 400.0, 450.0, 500.0, 600.0, 700.0, 800.0, 900.0,
    1000.0, 1200.0, 1400.0, 1600.0, 1800.0, 2000.0, 2200.0, 2400.0, 2600.0, 2800.0, 3000.0,
];
/// Standard inside diameters of US networks, inches.
const DIAMETERS_INCHES: [f64; 24] = [
    4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 18.0, 20.0, 24.0, 30.0, 36.0, 42.0, 48.0, 54.0, 60.0,
    66.0, 72.0, 78.0, 84.0, 90.0, 96.0, 108.0, 120.0,
];
/// Tank levels in file units (m for SI, ft for US): minimum, initial, maximum, and the
/// levels below and above which a tank switches its station's peak pump on and off.
const TANK_LEVELS_M: [f64; 5] = [1.0, 5.0, 10.0, 3.0, 8.5];
const TANK_LEVELS_FT: [f64; 5] = [3.0, 16.0, 33.0, 10.0, 28.0];

/// Hourly demand multipliers before normalising to a mean of one.
const RESIDENTIAL_SHAPE: [f64; 24] = [
    0.55, 0.45, 0.40, 0.40, 0.45, 0.65, 1.05, 1.55, 1.65, 1.35, 1.10, 1.00, 1.00, 0.95, 0.90, 0.90,
    1.00, 1.25, 1.55, 1.60, 1.40, 1.10, 0.85, 0.65,
];
const COMMERCIAL_SHAPE: [f64; 24] = [
    0.35, 0.30, 0.30, 0.30, 0.35, 0.50, 0.85, 1.30, 1.60, 1.70, 1.70, 1.65, 1.60, 1.60, 1.60, 1.55,
    1.45, 1.25, 0.95, 0.75, 0.60, 0.50, 0.45, 0.40,
];
const INDUSTRIAL_SHAPE: [f64; 24] = [
    0.70, 0.70, 0.70, 0.70, 0.70, 0.85, 1.15, 1.20, 1.20, 1.20, 1.20, 1.15, 1.15, 1.20, 1.20, 1.20,
    1.15, 1.10, 1.00, 0.95, 0.90, 0.85, 0.80, 0.75,
];

/// Generates the network a spec describes.
pub fn generate(spec: &GeneratorSpec) -> Result<Network, GenerateError> {
    if spec.nodes < MIN_NODES || spec.nodes > MAX_NODES {
        return Err(GenerateError::NodeCountOutOfRange {
            requested: spec.nodes,
            min: MIN_NODES,
            max: MAX_NODES,
        });
    }
    let mut plan = Plan::new(spec);
    plan.lay_out();
    plan.size_pipes();
    plan.design_sources_and_zones();
    plan.into_network()
}

/// Uniform random numbers from ChaCha8, made with integer and IEEE arithmetic only.
struct Draw(ChaCha8Rng);

impl Draw {
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [low, high).
    fn range(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// Rounds to a multiple of `step` (0.5, 1, or a power of ten such as 0.01), so that the
/// stored value is the double nearest that decimal and does not depend on the last bits of
/// a library function's result.
fn round_to(value: f64, step: f64) -> f64 {
    if step >= 1.0 {
        return (value / step).round() * step;
    }
    // Dividing by the exact integer 1/step gives the double nearest the decimal.
    let per_unit = (1.0 / step).round();
    (value * per_unit).round() / per_unit
}

/// Ten to the power `k` (0 to 22), exactly.
fn power_of_ten(k: i32) -> f64 {
    (0..k).fold(1.0, |x, _| x * 10.0)
}

/// Rounds to `digits` significant digits, with exact powers of ten only.
fn round_significant(value: f64, digits: i32) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    let magnitude = value.abs();
    let (low, high) = (power_of_ten(digits - 1), power_of_ten(digits));
    let scaled = |exponent: i32| {
        if exponent >= 0 {
            magnitude * power_of_ten(exponent)
        } else {
            magnitude / power_of_ten(-exponent)
        }
    };
    let mut exponent = 0;
    while scaled(exponent) < low && exponent < 22 {
        exponent += 1;
    }
    while scaled(exponent) >= high && exponent > -22 {
        exponent -= 1;
    }
    let rounded = if exponent >= 0 {
        scaled(exponent).round() / power_of_ten(exponent)
    } else {
        scaled(exponent).round() * power_of_ten(-exponent)
    };
    rounded.copysign(value)
}

/// Hazen-Williams friction gradient (m per m) of flow `q` (m³/s) in diameter `d` (m).
fn hazen_williams_gradient(q: f64, d: f64, c: f64) -> f64 {
    10.667 * q.abs().powf(1.852) / (c.powf(1.852) * d.powf(4.871))
}

/// The smallest of the standard diameters (m) from the `minimum`-th on whose gradient at flow
/// `q` stays under `max_gradient` and whose velocity stays under 2 m/s.
fn choose_diameter(diameters: &[f64], q: f64, c: f64, minimum: usize, max_gradient: f64) -> f64 {
    for &d in &diameters[minimum..] {
        let area = std::f64::consts::PI * d * d / 4.0;
        if q / area <= 2.0 && hazen_williams_gradient(q, d, c) <= max_gradient {
            return d;
        }
    }
    diameters[diameters.len() - 1]
}

/// Smooth ground: value noise on a coarse lattice plus a gentle regional slope.
struct Terrain {
    cell: f64,
    columns: usize,
    heights: Vec<f64>,
    slope_x: f64,
    slope_y: f64,
}

impl Terrain {
    fn new(draw: &mut Draw, width: f64, height: f64) -> Terrain {
        let cell = 1500.0;
        let columns = (width / cell) as usize + 3;
        let rows = (height / cell) as usize + 3;
        let heights = (0..columns * rows).map(|_| draw.range(0.0, 35.0)).collect();
        let extent = width.max(height).max(1.0);
        Terrain {
            cell,
            columns,
            heights,
            slope_x: draw.range(-15.0, 15.0) / extent,
            slope_y: draw.range(-15.0, 15.0) / extent,
        }
    }

    /// Ground elevation at (x, y), m; x and y are at least zero.
    fn elevation(&self, x: f64, y: f64) -> f64 {
        let fx = x.max(0.0) / self.cell;
        let fy = y.max(0.0) / self.cell;
        let i = fx as usize;
        let j = fy as usize;
        let smooth = |t: f64| t * t * (3.0 - 2.0 * t);
        let tx = smooth(fx - i as f64);
        let ty = smooth(fy - j as f64);
        let at = |a: usize, b: usize| self.heights[b * self.columns + a];
        let bottom = at(i, j) + (at(i + 1, j) - at(i, j)) * tx;
        let top = at(i, j + 1) + (at(i + 1, j + 1) - at(i, j + 1)) * tx;
        let noise = bottom + (top - bottom) * ty;
        60.0 + noise + self.slope_x * x + self.slope_y * y
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DistrictKind {
    Looped,
    Branched,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Land {
    Residential,
    Commercial,
    Industrial,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Category {
    Residential,
    Commercial,
    Industrial,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NodeRole {
    Junction,
    Reservoir,
    Tank,
}

struct GenNode {
    id: String,
    x: f64,
    y: f64,
    elevation: f64,
    role: NodeRole,
    demands: Vec<(f64, Category)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EdgeRole {
    Distribution,
    Trunk,
    /// The short link from a hub into an inlet chamber (pipe or valve).
    Inlet,
    /// The main from an inlet chamber to the district.
    InletMain,
    Station,
    TankLine,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum EdgeKind {
    Pipe,
    /// Pump of a station; `peak` pumps are switched by a tank.
    Pump {
        station: usize,
        peak: bool,
    },
    Valve(ValveType, f64),
}

struct GenEdge {
    id: String,
    from: usize,
    to: usize,
    length: f64,
    roughness: f64,
    diameter: f64,
    role: EdgeRole,
    kind: EdgeKind,
    /// Secondary inlets are not used for sizing paths.
    secondary: bool,
}

struct District {
    /// Node index of the hub on the trunk main.
    hub: usize,
    /// Node index of the primary inlet chamber.
    chamber: usize,
    /// Edge index of the primary inlet link (hub to chamber).
    inlet: usize,
    /// Edge index of the secondary inlet link, if any.
    secondary_inlet: Option<usize>,
    /// Node index of the district's first junction.
    first: usize,
    /// Number of the district's own junctions.
    size: usize,
}

struct Station {
    reservoir: usize,
    discharge: usize,
    /// Edge index of the peak pump.
    peak: usize,
}

struct Plan {
    spec: GeneratorSpec,
    /// File units per SI unit of the network's unit system.
    units: UnitFactors,
    /// Standard diameters of the unit system, m.
    diameters: Vec<f64>,
    /// Tank levels of the unit system, m (see [`TANK_LEVELS_M`]).
    tank_levels: [f64; 5],
    draw: Draw,
    nodes: Vec<GenNode>,
    edges: Vec<GenEdge>,
    districts: Vec<District>,
    stations: Vec<Station>,
    tanks: Vec<usize>,
    /// The hub each tank hangs from (node indices, in the order of `tanks`).
    tank_hubs: Vec<usize>,
    /// District grid: columns and the side of one district cell, m.
    columns: usize,
    cell_side: f64,
    /// Sizing results, per node: predicted head at peak (m) and average demand below it (m³/s).
    peak_head: Vec<f64>,
    required_head: Vec<f64>,
    subtree_demand: Vec<f64>,
    /// The head every station delivers at its design flow, m.
    station_head: f64,
}

impl Plan {
    fn new(spec: &GeneratorSpec) -> Plan {
        let pressure = PressureUnits::default_for(spec.flow_units.system());
        let units = UnitFactors::new(spec.flow_units, pressure, 1.0);
        let (diameters, levels) = match spec.flow_units.system() {
            UnitSystem::Si => (&DIAMETERS_MM, &TANK_LEVELS_M),
            UnitSystem::Us => (&DIAMETERS_INCHES, &TANK_LEVELS_FT),
        };
        Plan {
            spec: spec.clone(),
            units,
            // As the reader converts a file's values, so that the writer gives them back.
            diameters: diameters.iter().map(|d| d / units.pipe_diameter).collect(),
            tank_levels: levels.map(|level| level / units.length),
            draw: Draw(ChaCha8Rng::seed_from_u64(spec.seed)),
            nodes: Vec::with_capacity(spec.nodes),
            edges: Vec::with_capacity(spec.nodes * 5 / 4),
            districts: Vec::new(),
            stations: Vec::new(),
            tanks: Vec::new(),
            tank_hubs: Vec::new(),
            columns: 1,
            cell_side: 0.0,
            peak_head: Vec::new(),
            required_head: Vec::new(),
            subtree_demand: Vec::new(),
            station_head: 0.0,
        }
    }

    /// A length or head (m) rounded to `step` in the file's units.
    fn length(&self, metres: f64, step: f64) -> f64 {
        round_to(metres * self.units.length, step) / self.units.length
    }

    /// A flow (m³/s) rounded to four significant digits in the file's units.
    fn flow(&self, cubic_metres_per_second: f64) -> f64 {
        round_significant(cubic_metres_per_second * self.units.flow, 4) / self.units.flow
    }

    fn add_node(&mut self, id: String, x: f64, y: f64, role: NodeRole) -> usize {
        self.nodes.push(GenNode {
            id,
            x: round_to(x, 0.01),
            y: round_to(y, 0.01),
            elevation: 0.0,
            role,
            demands: Vec::new(),
        });
        self.nodes.len() - 1
    }

    fn add_edge(&mut self, id: String, from: usize, to: usize, role: EdgeRole, roughness: f64) {
        let (a, b) = (&self.nodes[from], &self.nodes[to]);
        let dx = a.x - b.x;
        let dy = a.y - b.y;
        // sqrt is correctly rounded in IEEE arithmetic, so lengths are the same everywhere.
        let length = self.length((dx * dx + dy * dy).sqrt().max(5.0), 0.1);
        self.edges.push(GenEdge {
            id,
            from,
            to,
            length,
            roughness,
            diameter: 0.0,
            role,
            kind: EdgeKind::Pipe,
            secondary: false,
        });
    }

    /// Hazen-Williams C of a pipe laid in `year`: new pipe 140, falling about one a year.
    fn roughness_for_year(&mut self, year: f64) -> f64 {
        let age = (2025.0 - year).max(0.0);
        round_to(
            (145.0 - 0.9 * age + self.draw.range(-4.0, 4.0)).clamp(70.0, 145.0),
            1.0,
        )
    }

    /// Places every node and link; sizes come later.
    fn lay_out(&mut self) {
        let total = self.spec.nodes;
        let station_count = total.div_ceil(60_000).max(1);
        let target_size = (total / 8).clamp(150, 2500);
        let district_count = ((total as f64 / target_size as f64).round() as usize).max(4);
        let tank_count = (district_count / 5).max(1);
        let columns = (district_count as f64).sqrt().ceil() as usize;
        self.columns = columns;

        // Which districts have a secondary inlet from the next hub along the row.
        let mut has_secondary = vec![false; district_count];
        if self.spec.layout != Layout::Tree {
            for (d, secondary) in has_secondary.iter_mut().enumerate() {
                let has_right = d % columns + 1 < columns && d + 1 < district_count;
                *secondary = has_right && self.draw.chance(0.35);
            }
        }
        let secondary_count = has_secondary.iter().filter(|&&s| s).count();
        let overhead = 2 * station_count + 2 * district_count + secondary_count + tank_count;
        let district_junctions = total.saturating_sub(overhead).max(district_count);
        let base_size = district_junctions / district_count;
        let extra = district_junctions % district_count;
        let largest = base_size + usize::from(extra > 0);
        let largest_width = (largest as f64).sqrt().ceil();
        self.cell_side = (largest_width + 3.0) * SPACING;
        let rows = district_count.div_ceil(columns);
        let terrain = Terrain::new(
            &mut self.draw,
            columns as f64 * self.cell_side,
            rows as f64 * self.cell_side,
        );

        // Districts: hub, primary chamber, then the street grid.
        for d in 0..district_count {
            let size = base_size + usize::from(d < extra);
            let kind = match self.spec.layout {
                Layout::Grid => DistrictKind::Looped,
                Layout::Tree => DistrictKind::Branched,
                Layout::Mixed if self.draw.chance(0.6) => DistrictKind::Looped,
                Layout::Mixed => DistrictKind::Branched,
            };
            let land = match self.draw.unit() {
                u if u < 0.7 => Land::Residential,
                u if u < 0.9 => Land::Commercial,
                _ => Land::Industrial,
            };
            let year = self.draw.range(1950.0, 2024.0);
            let x0 = (d % columns) as f64 * self.cell_side;
            let y0 = (d / columns) as f64 * self.cell_side;
            let hub = self.add_node(
                format!("H{d}"),
                x0 + 0.3 * SPACING,
                y0 + 0.3 * SPACING,
                NodeRole::Junction,
            );
            let chamber = self.add_node(
                format!("C{d}"),
                x0 + 0.6 * SPACING,
                y0 + 0.6 * SPACING,
                NodeRole::Junction,
            );
            let width = (size as f64).sqrt().ceil() as usize;
            let first = self.nodes.len();
            for k in 0..size {
                let column = (k % width) as f64;
                let row = (k / width) as f64;
                let x = x0 + SPACING * (1.5 + column) + self.draw.range(-15.0, 15.0);
                let y = y0 + SPACING * (1.5 + row) + self.draw.range(-15.0, 15.0);
                let node = self.add_node(format!("J{d}-{k}"), x, y, NodeRole::Junction);
                let demands = self.demands_for(land);
                self.nodes[node].demands = demands;
            }
            let mut pipe_number = 0usize;
            for k in 1..size {
                let left = (k % width > 0).then(|| k - 1);
                let up = (k >= width).then(|| k - width);
                let (tree, other) = match (left, up) {
                    (Some(l), Some(u)) if self.draw.chance(0.5) => (l, Some(u)),
                    (Some(l), Some(u)) => (u, Some(l)),
                    (Some(l), None) => (l, None),
                    (None, Some(u)) => (u, None),
                    (None, None) => continue,
                };
                let c = self.roughness_for_year(year);
                self.add_edge(
                    format!("P{d}-{pipe_number}"),
                    first + tree,
                    first + k,
                    EdgeRole::Distribution,
                    c,
                );
                pipe_number += 1;
                if let Some(other) = other {
                    // A looped district closes a loop at about two corners in five, about as often as
                    // real distribution grids do (mean node degree near 2.8).
                    if kind == DistrictKind::Looped && self.draw.chance(0.4) {
                        let c = self.roughness_for_year(year);
                        self.add_edge(
                            format!("P{d}-{pipe_number}"),
                            first + other,
                            first + k,
                            EdgeRole::Distribution,
                            c,
                        );
                        pipe_number += 1;
                    }
                }
            }
            let inlet = self.edges.len();
            let c = self.roughness_for_year(year);
            self.add_edge(format!("I{d}"), hub, chamber, EdgeRole::Inlet, c);
            self.add_edge(format!("IM{d}"), chamber, first, EdgeRole::InletMain, c);
            self.districts.push(District {
                hub,
                chamber,
                inlet,
                secondary_inlet: None,
                first,
                size,
            });
        }

        // Trunk mains between neighbouring hubs.
        for d in 1..district_count {
            let left = (d % columns > 0).then(|| d - 1);
            let up = (d >= columns).then(|| d - columns);
            let year = self.draw.range(1970.0, 2022.0);
            let (tree, other) = match (left, up) {
                (Some(l), Some(u)) if self.draw.chance(0.5) => (l, Some(u)),
                (Some(l), Some(u)) => (u, Some(l)),
                (Some(l), None) => (l, None),
                (None, Some(u)) => (u, None),
                (None, None) => continue,
            };
            let c = self.roughness_for_year(year);
            let (from, to) = (self.districts[tree].hub, self.districts[d].hub);
            self.add_edge(format!("M{d}a"), from, to, EdgeRole::Trunk, c);
            if let Some(other) = other {
                if self.spec.layout != Layout::Tree {
                    let c = self.roughness_for_year(year);
                    let from = self.districts[other].hub;
                    self.add_edge(format!("M{d}b"), from, to, EdgeRole::Trunk, c);
                }
            }
        }

        // Secondary inlets: from the next hub along the row to the end of the first street.
        let secondary_districts: Vec<usize> =
            (0..district_count).filter(|&d| has_secondary[d]).collect();
        for d in secondary_districts {
            let district = &self.districts[d];
            let width = (district.size as f64).sqrt().ceil() as usize;
            let target = district.first + width.min(district.size) - 1;
            let hub = self.districts[d + 1].hub;
            let (hx, hy) = (self.nodes[hub].x, self.nodes[hub].y);
            let (tx, ty) = (self.nodes[target].x, self.nodes[target].y);
            let chamber = self.add_node(
                format!("C{d}s"),
                (hx + tx) / 2.0,
                (hy + ty) / 2.0,
                NodeRole::Junction,
            );
            let year = self.draw.range(1970.0, 2022.0);
            let c = self.roughness_for_year(year);
            let link = self.edges.len();
            self.add_edge(format!("I{d}s"), hub, chamber, EdgeRole::Inlet, c);
            self.add_edge(format!("IM{d}s"), chamber, target, EdgeRole::InletMain, c);
            self.edges[link].secondary = true;
            self.edges[link + 1].secondary = true;
            self.districts[d].secondary_inlet = Some(link);
        }

        // Pumping stations at hubs spread over the districts.
        for s in 0..station_count {
            let d = ((2 * s + 1) * district_count) / (2 * station_count);
            let hub = self.districts[d].hub;
            let (hx, hy) = (self.nodes[hub].x, self.nodes[hub].y);
            let discharge =
                self.add_node(format!("S{s}"), hx - 150.0, hy + 40.0, NodeRole::Junction);
            let reservoir =
                self.add_node(format!("R{s}"), hx - 250.0, hy + 40.0, NodeRole::Reservoir);
            let c = self.roughness_for_year(2010.0);
            self.add_edge(format!("SP{s}"), discharge, hub, EdgeRole::Station, c);
            let duty = self.edges.len();
            for (suffix, peak) in [("a", false), ("b", true)] {
                self.add_edge(
                    format!("PU{s}{suffix}"),
                    reservoir,
                    discharge,
                    EdgeRole::Station,
                    c,
                );
                let pump = self.edges.len() - 1;
                self.edges[pump].kind = EdgeKind::Pump { station: s, peak };
            }
            self.stations.push(Station {
                reservoir,
                discharge,
                peak: duty + 1,
            });
        }

        // Tanks beside hubs spread over the districts.
        for t in 0..tank_count {
            let d = ((2 * t + 1) * district_count) / (2 * tank_count);
            let hub = self.districts[d].hub;
            let (hx, hy) = (self.nodes[hub].x, self.nodes[hub].y);
            let tank = self.add_node(format!("T{t}"), hx + 40.0, hy - 200.0, NodeRole::Tank);
            let c = self.roughness_for_year(2000.0);
            self.add_edge(format!("TL{t}"), hub, tank, EdgeRole::TankLine, c);
            self.tanks.push(tank);
            self.tank_hubs.push(hub);
        }

        for i in 0..self.nodes.len() {
            let ground = terrain.elevation(self.nodes[i].x, self.nodes[i].y);
            self.nodes[i].elevation = self.length(ground, 0.1);
        }
        // Reservoirs are clear wells a few metres below ground; their head is the water level.
        for s in 0..self.stations.len() {
            let (discharge, reservoir) = (self.stations[s].discharge, self.stations[s].reservoir);
            let ground = self.nodes[discharge].elevation;
            self.nodes[reservoir].elevation = self.length(ground - 3.0, 0.1);
        }
    }

    /// Demand categories of one junction in land of the given use.
    fn demands_for(&mut self, land: Land) -> Vec<(f64, Category)> {
        let draw_base = |draw: &mut Draw, scale: f64| {
            let u = draw.unit();
            // Skewed like real connection sizes: mean 1, from 0.2 to 2.6 times the scale.
            scale * (0.2 + 2.4 * u * u)
        };
        let draw = &mut self.draw;
        match land {
            Land::Residential => {
                if draw.chance(0.04) {
                    Vec::new()
                } else {
                    vec![(draw_base(draw, MEAN_JUNCTION_DEMAND), Category::Residential)]
                }
            }
            Land::Commercial => {
                let mut demands = vec![(
                    draw_base(draw, 1.5 * MEAN_JUNCTION_DEMAND),
                    Category::Commercial,
                )];
                if draw.chance(0.25) {
                    demands.push((
                        draw_base(draw, 0.5 * MEAN_JUNCTION_DEMAND),
                        Category::Residential,
                    ));
                }
                demands
            }
            Land::Industrial => {
                if draw.chance(0.15) {
                    let base = 10.0 * MEAN_JUNCTION_DEMAND * draw.range(0.5, 1.5);
                    vec![(base, Category::Industrial)]
                } else {
                    vec![(
                        draw_base(draw, 0.6 * MEAN_JUNCTION_DEMAND),
                        Category::Residential,
                    )]
                }
            }
        }
    }

    /// Sizes every pipe from peak flows on a shortest-path tree from the stations, and
    /// predicts the head each node needs and gets.
    fn size_pipes(&mut self) {
        let n = self.nodes.len();
        // Adjacency for sizing: everything but pumps and tank lines.
        let mut degree = vec![0u32; n + 1];
        for edge in &self.edges {
            if edge.role == EdgeRole::TankLine || matches!(edge.kind, EdgeKind::Pump { .. }) {
                continue;
            }
            degree[edge.from] += 1;
            degree[edge.to] += 1;
        }
        let mut start = vec![0usize; n + 1];
        for i in 0..n {
            start[i + 1] = start[i] + degree[i] as usize;
        }
        let mut fill = start.clone();
        let mut adjacent = vec![0usize; start[n]];
        for (e, edge) in self.edges.iter().enumerate() {
            if edge.role == EdgeRole::TankLine || matches!(edge.kind, EdgeKind::Pump { .. }) {
                continue;
            }
            adjacent[fill[edge.from]] = e;
            fill[edge.from] += 1;
            adjacent[fill[edge.to]] = e;
            fill[edge.to] += 1;
        }

        // Shortest-path forest from the station discharges (Dijkstra on length).
        #[derive(PartialEq)]
        struct Entry(f64, usize);
        impl Eq for Entry {}
        impl PartialOrd for Entry {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }
        impl Ord for Entry {
            fn cmp(&self, other: &Self) -> Ordering {
                self.0.total_cmp(&other.0).then(self.1.cmp(&other.1))
            }
        }
        let mut distance = vec![f64::INFINITY; n];
        let mut parent_edge = vec![usize::MAX; n];
        let mut settled = vec![false; n];
        let mut order = Vec::with_capacity(n);
        let mut heap = BinaryHeap::new();
        for station in &self.stations {
            distance[station.discharge] = 0.0;
            heap.push(Reverse(Entry(0.0, station.discharge)));
        }
        while let Some(Reverse(Entry(dist, node))) = heap.pop() {
            if settled[node] {
                continue;
            }
            settled[node] = true;
            order.push(node);
            for &e in &adjacent[start[node]..start[node + 1]] {
                let edge = &self.edges[e];
                let next = if edge.from == node {
                    edge.to
                } else {
                    edge.from
                };
                let weight = edge.length * if edge.secondary { 50.0 } else { 1.0 };
                if !settled[next] && dist + weight < distance[next] {
                    distance[next] = dist + weight;
                    parent_edge[next] = e;
                    heap.push(Reverse(Entry(dist + weight, next)));
                }
            }
        }

        // Average demand carried by each tree link, summed up the tree.
        let mut subtree: Vec<f64> = self
            .nodes
            .iter()
            .map(|node| node.demands.iter().map(|(base, _)| base).sum())
            .collect();
        for &node in order.iter().rev() {
            let e = parent_edge[node];
            if e != usize::MAX {
                let edge = &self.edges[e];
                let up = if edge.from == node {
                    edge.to
                } else {
                    edge.from
                };
                subtree[up] += subtree[node];
            }
        }

        // Tree links: the smallest diameter that carries the peak flow on a gentle gradient.
        let mut in_tree = vec![false; self.edges.len()];
        for &node in &order {
            let e = parent_edge[node];
            if e == usize::MAX {
                continue;
            }
            in_tree[e] = true;
            let q = subtree[node] * PEAK_FACTOR;
            let edge = &mut self.edges[e];
            let (minimum, gradient) = match edge.role {
                EdgeRole::Distribution => (0, 0.005),
                _ => (1, 0.002),
            };
            edge.diameter = choose_diameter(&self.diameters, q, edge.roughness, minimum, gradient);
        }
        // Loop-closing links: as large as the smaller of the tree links feeding their ends.
        let feeding = |node: usize, edges: &[GenEdge]| {
            let e = parent_edge[node];
            if e == usize::MAX {
                f64::INFINITY
            } else {
                edges[e].diameter
            }
        };
        let loop_closers: Vec<usize> = (0..self.edges.len()).filter(|&e| !in_tree[e]).collect();
        for e in loop_closers {
            if matches!(self.edges[e].kind, EdgeKind::Pump { .. }) {
                continue;
            }
            let edge = &self.edges[e];
            let minimum = match edge.role {
                EdgeRole::Distribution => self.diameters[0],
                EdgeRole::TankLine => self.diameters[2],
                _ => self.diameters[1],
            };
            let ends = feeding(edge.from, &self.edges).min(feeding(edge.to, &self.edges));
            let diameter = if ends.is_finite() { ends } else { minimum };
            let diameter = if edge.role == EdgeRole::TankLine {
                diameter.clamp(self.diameters[2], self.diameters[11])
            } else {
                diameter.max(minimum)
            };
            self.edges[e].diameter = diameter;
        }

        // Head needed at each node: its own elevation plus design pressure, or what the
        // nodes below it need plus the loss on the way, whichever is more.
        let mut loss = vec![0.0; self.edges.len()];
        for &node in &order {
            let e = parent_edge[node];
            if e == usize::MAX {
                continue;
            }
            let edge = &self.edges[e];
            let q = subtree[node] * PEAK_FACTOR;
            loss[e] = hazen_williams_gradient(q, edge.diameter, edge.roughness) * edge.length;
        }
        let mut required: Vec<f64> = self
            .nodes
            .iter()
            .map(|node| node.elevation + DESIGN_PRESSURE)
            .collect();
        for &node in order.iter().rev() {
            let e = parent_edge[node];
            if e != usize::MAX {
                let edge = &self.edges[e];
                let up = if edge.from == node {
                    edge.to
                } else {
                    edge.from
                };
                required[up] = required[up].max(required[node] + loss[e]);
            }
        }
        // Every station delivers the same head so that no station pushes against another.
        let station_head = self
            .stations
            .iter()
            .map(|s| required[s.discharge])
            .fold(f64::NEG_INFINITY, f64::max);
        self.station_head = self.length(station_head + 2.0, 0.1);
        let mut head = vec![self.station_head; n];
        for &node in &order {
            let e = parent_edge[node];
            if e != usize::MAX {
                let edge = &self.edges[e];
                let up = if edge.from == node {
                    edge.to
                } else {
                    edge.from
                };
                head[node] = head[up] - loss[e];
            }
        }
        self.peak_head = head;
        self.required_head = required;
        self.subtree_demand = subtree;
    }

    /// Pump curves, pressure zones, inlet valves, tanks and their controls.
    fn design_sources_and_zones(&mut self) {
        // Pressure zones: districts with a single inlet whose hub has pressure to spare.
        let mut candidates: Vec<(f64, usize)> = self
            .districts
            .iter()
            .enumerate()
            .filter(|(_, d)| d.secondary_inlet.is_none())
            .map(|(i, d)| (self.peak_head[d.hub] - self.required_head[d.chamber], i))
            .filter(|&(excess, _)| excess > 12.0)
            .collect();
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let zone_limit = (self.districts.len() * 3 / 10).max(1);
        for &(_, d) in candidates.iter().take(zone_limit) {
            let district = &self.districts[d];
            let chamber = district.chamber;
            // The PRV holds the chamber at the pressure the district needs, with a margin.
            let head = self.required_head[chamber] - self.nodes[chamber].elevation + 3.0;
            let setting = round_to(head * self.units.pressure, 0.1) / self.units.pressure;
            self.edges[district.inlet].kind = EdgeKind::Valve(ValveType::Prv, setting);
        }
        // Secondary inlets: some are throttled, the rest are plain pipes.
        for d in 0..self.districts.len() {
            let Some(link) = self.districts[d].secondary_inlet else {
                continue;
            };
            if self.draw.chance(0.5) {
                let coefficient = round_to(self.draw.range(2.0, 10.0), 0.1);
                self.edges[link].kind = EdgeKind::Valve(ValveType::Tcv, coefficient);
            }
        }
        // Metered bypasses: a flow control valve beside the inlet pipe of a few single-inlet
        // districts. The district draws at least 0.4 of its average at night, and most of it
        // would take the open valve, so a tenth of the average keeps the valve in control.
        let bypass_limit = (self.districts.len() / 10).max(1);
        let mut bypasses = 0;
        for d in 0..self.districts.len() {
            let district = &self.districts[d];
            let inlet = district.inlet;
            if bypasses == bypass_limit
                || district.secondary_inlet.is_some()
                || self.edges[inlet].kind != EdgeKind::Pipe
                || !self.draw.chance(0.5)
            {
                continue;
            }
            let limit = self.flow((0.1 * self.subtree_demand[district.chamber]).max(1.0e-5));
            let (hub, chamber) = (district.hub, district.chamber);
            let c = self.edges[inlet].roughness;
            self.add_edge(format!("F{d}"), hub, chamber, EdgeRole::Inlet, c);
            let bypass = self.edges.len() - 1;
            self.edges[bypass].diameter = self.edges[inlet].diameter;
            self.edges[bypass].kind = EdgeKind::Valve(ValveType::Fcv, limit);
            bypasses += 1;
        }
    }

    fn station_design(&self, station: &Station) -> (f64, f64) {
        let design_flow =
            self.flow((self.subtree_demand[station.discharge] * PEAK_FACTOR).max(1.0e-3));
        let lift = self.station_head - self.nodes[station.reservoir].elevation;
        (design_flow, self.length(lift.max(10.0), 0.1))
    }

    /// The network itself: junctions, then reservoirs, then tanks; pipes, pumps, valves.
    fn into_network(self) -> Result<Network, GenerateError> {
        let spec = &self.spec;
        let mut network = Network::new();
        network.title = vec![
            format!(
                "Danjiang generated network: {} nodes, {} layout, seed {}",
                spec.nodes,
                spec.layout.keyword(),
                spec.seed
            ),
            format!(
                "{} districts, {} pumping stations, {} tanks",
                self.districts.len(),
                self.stations.len(),
                self.tanks.len()
            ),
        ];
        network.options.flow_units = spec.flow_units;
        network.options.pressure_units = PressureUnits::default_for(spec.flow_units.system());
        network.options.unbalanced = Unbalanced::Continue(10);
        // EPANET's default PDA limits in the file's own units (it checks them even for DDA):
        // required pressure 0.1 m or 0.1 psi above the minimum of zero.
        network.options.minimum_pressure = 0.0;
        network.options.required_pressure = match spec.flow_units.system() {
            UnitSystem::Si => 0.1,
            UnitSystem::Us => 0.2 / PSI_PER_FOOT * METRES_PER_FOOT,
        };
        network.times.duration = u64::from(spec.duration_hours) * 3600;
        network.times.hydraulic_step = 3600;
        network.times.pattern_step = 3600;
        network.times.report_step = 3600;

        let mut pattern_ids = Vec::new();
        for (id, shape) in [
            ("RESIDENTIAL", RESIDENTIAL_SHAPE),
            ("COMMERCIAL", COMMERCIAL_SHAPE),
            ("INDUSTRIAL", INDUSTRIAL_SHAPE),
        ] {
            let mean = shape.iter().sum::<f64>() / shape.len() as f64;
            let multipliers = shape.iter().map(|m| round_to(m / mean, 1.0e-4)).collect();
            let idx = network
                .add_pattern(Pattern {
                    id: id.to_string(),
                    multipliers,
                })
                .ok_or_else(|| GenerateError::DuplicateId(id.to_string()))?;
            pattern_ids.push(idx);
        }
        let pattern_of = |category: Category| -> PatternIdx {
            match category {
                Category::Residential => pattern_ids[0],
                Category::Commercial => pattern_ids[1],
                Category::Industrial => pattern_ids[2],
            }
        };

        // Nodes in EPANET's section order, remembering where each went.
        let mut position = vec![NodeIdx(0); self.nodes.len()];
        let mut tank_size = 0.0;
        if !self.tanks.is_empty() {
            // Each tank holds about three hours of its share of the average demand over its
            // 9 m working depth.
            let total: f64 = self
                .stations
                .iter()
                .map(|s| self.subtree_demand[s.discharge])
                .sum();
            let volume = total / self.tanks.len() as f64 * 3.0 * 3600.0;
            let area = volume / 9.0;
            tank_size = self.length(
                (4.0 * area / std::f64::consts::PI).sqrt().clamp(5.0, 80.0),
                0.5,
            );
        }
        let design_lift = self
            .stations
            .iter()
            .map(|s| self.station_design(s).1)
            .fold(0.0, f64::max);
        for role in [NodeRole::Junction, NodeRole::Reservoir, NodeRole::Tank] {
            for (i, gen) in self
                .nodes
                .iter()
                .enumerate()
                .filter(|(_, n)| n.role == role)
            {
                let kind = match role {
                    NodeRole::Junction => NodeKind::Junction(Junction {
                        demands: gen
                            .demands
                            .iter()
                            .map(|&(base, category)| Demand {
                                base: self.flow(base),
                                pattern: Some(pattern_of(category)),
                                category: (gen.demands.len() > 1).then(|| {
                                    match category {
                                        Category::Residential => "residential",
                                        Category::Commercial => "commercial",
                                        Category::Industrial => "industrial",
                                    }
                                    .to_string()
                                }),
                            })
                            .collect(),
                        emitter_coefficient: 0.0,
                    }),
                    NodeRole::Reservoir => NodeKind::Reservoir(Reservoir::default()),
                    NodeRole::Tank => NodeKind::Tank(Tank {
                        initial_level: self.tank_levels[1],
                        min_level: self.tank_levels[0],
                        max_level: self.tank_levels[2],
                        diameter: tank_size,
                        ..Tank::default()
                    }),
                };
                let elevation = if role == NodeRole::Tank {
                    // The tank's middle level sits near the head its hub has at average
                    // demand: the peak head less most of the peak losses, plus the rise of
                    // the pump curve at the lower flow.
                    let hub_head = self.tank_hub_head(i);
                    let average_head = self.station_head + 0.1 * design_lift
                        - 0.3 * (self.station_head - hub_head);
                    self.length(average_head - self.tank_levels[1], 0.1)
                } else {
                    gen.elevation
                };
                let mut node = Node::new(gen.id.clone(), elevation, kind);
                node.coordinates = Some((gen.x, gen.y));
                position[i] = network
                    .add_node(node)
                    .ok_or_else(|| GenerateError::DuplicateId(gen.id.clone()))?;
            }
        }

        // Pump curves: three points through the design duty, one curve per station.
        let mut station_curves = Vec::new();
        for (s, station) in self.stations.iter().enumerate() {
            let (flow, lift) = self.station_design(station);
            let id = format!("PUMP{s}");
            let idx = network
                .add_curve(Curve {
                    id: id.clone(),
                    kind: CurveKind::Pump,
                    points: vec![
                        (0.0, self.length(1.33 * lift, 0.1)),
                        (flow, lift),
                        (self.flow(1.75 * flow), self.length(0.45 * lift, 0.1)),
                    ],
                })
                .ok_or(GenerateError::DuplicateId(id))?;
            station_curves.push(idx);
        }

        let mut link_position = vec![LinkIdx(0); self.edges.len()];
        for pass in 0..3 {
            for (e, edge) in self.edges.iter().enumerate() {
                let kind = match (pass, edge.kind) {
                    (0, EdgeKind::Pipe) => LinkKind::Pipe(Pipe {
                        length: edge.length,
                        diameter: edge.diameter,
                        roughness: edge.roughness,
                        ..Pipe::default()
                    }),
                    (1, EdgeKind::Pump { station, .. }) => LinkKind::Pump(Pump {
                        head_curve: Some(station_curves[station]),
                        speed: 1.0,
                        ..Pump::default()
                    }),
                    (2, EdgeKind::Valve(valve_type, setting)) => LinkKind::Valve(Valve {
                        valve_type,
                        diameter: edge.diameter,
                        setting,
                        minor_loss: 0.0,
                        curve: None,
                    }),
                    _ => continue,
                };
                let mut link = Link::new(
                    edge.id.clone(),
                    position[edge.from],
                    position[edge.to],
                    kind,
                );
                if let EdgeKind::Pump { peak: true, .. } = edge.kind {
                    link.initial_status = InitialStatus::Closed;
                }
                link_position[e] = network
                    .add_link(link)
                    .ok_or_else(|| GenerateError::DuplicateId(edge.id.clone()))?;
            }
        }

        // Each station's peak pump follows the level of the nearest tank.
        for station in &self.stations {
            let here = &self.nodes[station.discharge];
            let nearest = self.tanks.iter().copied().min_by(|&a, &b| {
                let da = (self.nodes[a].x - here.x).powi(2) + (self.nodes[a].y - here.y).powi(2);
                let db = (self.nodes[b].x - here.x).powi(2) + (self.nodes[b].y - here.y).powi(2);
                da.total_cmp(&db).then(a.cmp(&b))
            });
            let Some(tank) = nearest else { continue };
            let pump = link_position[station.peak];
            network.controls.push(Control {
                link: pump,
                action: LinkAction::Open,
                condition: ControlCondition::NodeBelow {
                    node: position[tank],
                    value: self.tank_levels[3],
                },
                enabled: true,
            });
            network.controls.push(Control {
                link: pump,
                action: LinkAction::Closed,
                condition: ControlCondition::NodeAbove {
                    node: position[tank],
                    value: self.tank_levels[4],
                },
                enabled: true,
            });
        }
        Ok(network)
    }

    /// The predicted peak head at the hub a tank hangs from.
    fn tank_hub_head(&self, tank: usize) -> f64 {
        self.tanks
            .iter()
            .position(|&t| t == tank)
            .map_or(self.station_head, |k| self.peak_head[self.tank_hubs[k]])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NodeKind;
    use std::collections::VecDeque;

    fn spec(nodes: usize, seed: u64, layout: Layout) -> GeneratorSpec {
        GeneratorSpec {
            nodes,
            seed,
            layout,
            duration_hours: 24,
            flow_units: FlowUnits::Lps,
        }
    }

    /// Number of nodes reachable from the first reservoir, links taken both ways.
    fn reachable(network: &Network) -> usize {
        let n = network.nodes.len();
        let mut adjacent = vec![Vec::new(); n];
        for link in &network.links {
            adjacent[link.from.index()].push(link.to.index());
            adjacent[link.to.index()].push(link.from.index());
        }
        let Some(start) = network
            .nodes
            .iter()
            .position(|node| node.as_reservoir().is_some())
        else {
            return 0;
        };
        let mut seen = vec![false; n];
        let mut queue = VecDeque::from([start]);
        seen[start] = true;
        let mut count = 1;
        while let Some(node) = queue.pop_front() {
            for &next in &adjacent[node] {
                if !seen[next] {
                    seen[next] = true;
                    count += 1;
                    queue.push_back(next);
                }
            }
        }
        count
    }

    #[test]
    fn makes_exactly_the_nodes_asked_for() {
        for layout in [Layout::Grid, Layout::Tree, Layout::Mixed] {
            for nodes in [100, 257, 1000, 4321, 20_000] {
                let network = generate(&spec(nodes, 7, layout)).unwrap();
                assert_eq!(network.nodes.len(), nodes, "{layout:?} {nodes}");
            }
        }
    }

    #[test]
    fn every_reference_is_valid_and_every_node_connected() {
        for layout in [Layout::Grid, Layout::Tree, Layout::Mixed] {
            let network = generate(&spec(3000, 11, layout)).unwrap();
            let (n, l) = (network.nodes.len(), network.links.len());
            for link in &network.links {
                assert!(link.from.index() < n && link.to.index() < n);
                assert_ne!(link.from, link.to);
                match &link.kind {
                    LinkKind::Pump(pump) => {
                        let curve = pump.head_curve.unwrap();
                        assert!(curve.index() < network.curves.len());
                        let points = &network.curves[curve.index()].points;
                        assert_eq!(points.len(), 3);
                        assert!(points[0].1 > points[1].1 && points[1].1 > points[2].1);
                        assert!(points[1].0 > 0.0 && points[2].0 > points[1].0);
                    }
                    LinkKind::Pipe(pipe) => {
                        assert!(pipe.length > 0.0 && pipe.diameter >= 0.1);
                        assert!((70.0..=145.0).contains(&pipe.roughness));
                    }
                    LinkKind::Valve(valve) => assert!(valve.diameter > 0.0),
                }
            }
            for node in &network.nodes {
                if let Some(junction) = node.as_junction() {
                    for demand in &junction.demands {
                        let pattern = demand.pattern.unwrap();
                        assert!(pattern.index() < network.patterns.len());
                        assert!(demand.base >= 0.0);
                    }
                }
                assert!(node.coordinates.is_some());
                assert!(node.id.len() <= 31);
            }
            for control in &network.controls {
                assert!(control.link.index() < l);
            }
            assert_eq!(reachable(&network), n, "{layout:?}: every node reachable");
        }
    }

    #[test]
    fn the_model_passes_validation() {
        let cases = [
            (Layout::Grid, FlowUnits::Lps),
            (Layout::Tree, FlowUnits::Gpm),
            (Layout::Mixed, FlowUnits::Cmh),
            (Layout::Mixed, FlowUnits::Mgd),
        ];
        for (layout, units) in cases {
            let network = generate(&GeneratorSpec {
                flow_units: units,
                ..spec(2500, 5, layout)
            })
            .unwrap();
            assert_eq!(network.options.flow_units, units);
            let errors: Vec<_> = crate::validate::validate(&network)
                .into_iter()
                .filter(|f| f.severity == crate::inp::Severity::Error)
                .collect();
            assert!(errors.is_empty(), "{layout:?}: {errors:?}");
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_network() {
        let a = generate(&spec(5000, 42, Layout::Mixed)).unwrap();
        let b = generate(&spec(5000, 42, Layout::Mixed)).unwrap();
        assert_eq!(a, b);
        let c = generate(&spec(5000, 43, Layout::Mixed)).unwrap();
        assert_ne!(a, c);
    }

    #[test]
    fn a_tree_layout_has_no_loops_but_the_sources() {
        let network = generate(&spec(4000, 3, Layout::Tree)).unwrap();
        let counts = network.counts();
        let bypasses = network
            .links
            .iter()
            .filter(|l| l.as_valve().is_some_and(|v| v.valve_type == ValveType::Fcv))
            .count();
        assert!(bypasses >= 1);
        // A spanning tree over every node, plus the second (parallel) pump of every station
        // and the flow control bypasses beside district inlets.
        assert_eq!(
            network.links.len(),
            network.nodes.len() - 1 + counts.reservoirs + bypasses
        );
    }

    #[test]
    fn a_grid_layout_is_looped() {
        let network = generate(&spec(4000, 3, Layout::Grid)).unwrap();
        assert!(network.links.len() as f64 > 1.2 * network.nodes.len() as f64);
    }

    #[test]
    fn has_the_elements_of_a_real_system() {
        let network = generate(&spec(20_000, 9, Layout::Mixed)).unwrap();
        let counts = network.counts();
        assert!(counts.reservoirs >= 1 && counts.tanks >= 1 && counts.pumps >= 2);
        assert!(counts.controls >= 2);
        let valve_types: std::collections::HashSet<_> = network
            .links
            .iter()
            .filter_map(|l| l.as_valve().map(|v| v.valve_type))
            .collect();
        for valve_type in [ValveType::Prv, ValveType::Fcv, ValveType::Tcv] {
            assert!(valve_types.contains(&valve_type), "{valve_types:?}");
        }
        assert!(network.patterns.len() == 3);
        let categories = network
            .nodes
            .iter()
            .filter_map(Node::as_junction)
            .filter(|j| j.demands.len() > 1)
            .count();
        assert!(categories > 0);
        let tanks = network
            .nodes
            .iter()
            .filter(|n| matches!(n.kind, NodeKind::Tank(_)));
        for tank in tanks {
            let data = tank.as_tank().unwrap();
            assert!(data.min_level < data.initial_level && data.initial_level < data.max_level);
            assert!(data.diameter >= 5.0);
        }
    }

    #[test]
    fn refuses_sizes_out_of_range() {
        assert!(matches!(
            generate(&spec(10, 1, Layout::Grid)),
            Err(GenerateError::NodeCountOutOfRange { requested: 10, .. })
        ));
        assert!(generate(&spec(MAX_NODES + 1, 1, Layout::Grid)).is_err());
    }
}
