//! The network compiled into flat arrays in EPANET's internal units (ft, ft³/s, s), with
//! junctions numbered before tanks and reservoirs as EPANET numbers them.
//!
//! The solver works in EPANET's units so its arithmetic matches EPANET's step for step;
//! the conversion from the model's SI units happens here, once, and back in the stepper.

use crate::error::HydraulicError;
use danjiang_network::units::EpanetUnits;
use danjiang_network::units::{UnitSystem, METRES_PER_FOOT};
use danjiang_network::{
    ControlCondition, DemandModel, HeadlossFormula, InitialStatus, LinkAction, LinkKind, Network,
    NodeKind, Unbalanced, ValveType,
};

/// A value EPANET uses to mark "no setting" (a valve fixed open or closed).
pub(crate) const MISSING: f64 = -1.0e10;
/// Large resistance used for closed links.
pub(crate) const CBIG: f64 = 1.0e8;
/// Small resistance used for open valves and links without loss.
pub(crate) const CSMALL: f64 = 1.0e-6;
/// A flow EPANET treats as zero, ft³/s.
pub(crate) const QZERO: f64 = 1.0e-6;
/// EPANET's small number.
pub(crate) const TINY: f64 = 1.0e-6;
/// EPANET's large number.
pub(crate) const BIG: f64 = 1.0e10;
/// Kinematic viscosity of water at 20 °C, ft²/s.
const VISCOSITY_OF_WATER: f64 = 1.1e-5;
/// Smallest pressure range of the pressure-driven demand function (psi or m, EPANET's unit).
pub(crate) const MINIMUM_PRESSURE_RANGE: f64 = 0.1;

/// The kind of a link as the solver treats it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkType {
    CheckValvePipe,
    Pipe,
    Pump,
    Prv,
    Psv,
    Pbv,
    Fcv,
    Tcv,
    Gpv,
    Pcv,
}

impl LinkType {
    pub(crate) fn is_pipe(self) -> bool {
        matches!(self, LinkType::Pipe | LinkType::CheckValvePipe)
    }
    pub(crate) fn is_valve(self) -> bool {
        !matches!(
            self,
            LinkType::Pipe | LinkType::CheckValvePipe | LinkType::Pump
        )
    }
}

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
    pub link: usize,
    pub curve_kind: PumpCurveKind,
    /// Head curve coefficients: head gain = -(h0 + r q^n) in EPANET's sign convention
    /// (h0 and r are stored negative as EPANET stores them).
    pub h0: f64,
    pub r: f64,
    pub n: f64,
    /// Initial flow, ft³/s.
    pub q0: f64,
    /// Shut-off head, ft.
    pub hmax: f64,
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

/// A tank's or reservoir's compiled data (EPANET keeps both in one array).
#[derive(Debug, Clone)]
pub(crate) struct TankData {
    /// Internal node index.
    pub node: usize,
    /// Cross-section area, ft² (0 for a reservoir).
    pub area: f64,
    pub hmin: f64,
    pub hmax: f64,
    pub h0: f64,
    pub vmin: f64,
    pub vmax: f64,
    pub v0: f64,
    /// Volume curve in the file's units: level above bottom (ft or m) against volume
    /// (ft³ or m³), as EPANET keeps it.
    pub volume_curve: Option<Vec<(f64, f64)>>,
    /// Head pattern of a reservoir.
    pub head_pattern: Option<usize>,
    pub can_overflow: bool,
}

/// A simple control in EPANET's form.
#[derive(Debug, Clone)]
pub(crate) struct ControlData {
    pub link: usize,
    pub kind: ControlKind,
    /// Internal node index for level controls.
    pub node: Option<usize>,
    /// Head threshold, ft.
    pub grade: f64,
    /// Time, s.
    pub time: u64,
    pub status: crate::state::LinkStatus,
    pub setting: f64,
    pub enabled: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ControlKind {
    LowLevel,
    HighLevel,
    Timer,
    TimeOfDay,
}

/// Solver options in EPANET's units.
#[derive(Debug, Clone)]
pub(crate) struct SolverOptions {
    pub formula: HeadlossFormula,
    pub hexp: f64,
    pub qexp: f64,
    pub viscosity: f64,
    pub htol: f64,
    pub qtol: f64,
    pub rqtol: f64,
    pub hacc: f64,
    pub max_iter: u32,
    /// -1 for UNBALANCED STOP, else the extra trials of CONTINUE n.
    pub extra_iter: i64,
    pub check_freq: u32,
    pub max_check: u32,
    pub damp_limit: f64,
    pub head_error_limit: f64,
    pub flow_change_limit: f64,
    pub demand_model: DemandModel,
    pub pmin: f64,
    pub preq: f64,
    pub pexp: f64,
    pub emitter_backflow: bool,
    pub demand_multiplier: f64,
    pub specific_gravity: f64,
    pub global_efficiency: f64,
    pub global_price: f64,
    pub global_price_pattern: Option<usize>,
    pub demand_charge: f64,
}

/// The network in flat arrays and EPANET's units.
#[derive(Debug, Clone)]
pub(crate) struct NetworkView {
    pub n_nodes: usize,
    pub n_junctions: usize,
    /// Model index of each internal node.
    pub node_model: Vec<usize>,
    /// Internal index of each model node.
    pub node_internal: Vec<usize>,
    pub node_id: Vec<String>,
    pub elevation: Vec<f64>,
    /// Demand categories of junction j: `demand_start[j]..demand_start[j+1]`.
    pub demand_start: Vec<usize>,
    pub demand_base: Vec<f64>,
    pub demand_pattern: Vec<Option<usize>>,
    /// Emitter head loss coefficient (EPANET's Ke), per junction.
    pub emitter: Vec<f64>,
    /// The junctions with an emitter, ascending (the trial loops visit only these).
    pub emitter_junctions: Vec<usize>,
    /// Leakage head loss coefficients per junction (fixed-area, variable-area), EPANET
    /// 2.3's FAVAD model; empty when no pipe leaks.
    pub leakage: Vec<(f64, f64)>,
    pub tanks: Vec<TankData>,
    /// Tank index of each internal node at or above `n_junctions`.
    pub n_links: usize,
    pub from: Vec<usize>,
    pub to: Vec<usize>,
    pub link_type: Vec<LinkType>,
    pub length: Vec<f64>,
    pub diameter: Vec<f64>,
    /// Roughness (pipes), in EPANET's units (ft for Darcy-Weisbach).
    pub roughness: Vec<f64>,
    /// Minor loss coefficient on a flow basis (EPANET's Km).
    pub minor_loss: Vec<f64>,
    pub init_status: Vec<crate::state::LinkStatus>,
    pub init_setting: Vec<f64>,
    /// Pump number of a link (index into `pumps`).
    pub pump_of_link: Vec<Option<usize>>,
    pub pumps: Vec<PumpData>,
    /// Links that are valves, in link order.
    pub valves: Vec<usize>,
    /// PCV curve (percent open, percent of full flow coefficient) per link.
    pub pcv_curve: Vec<Option<Vec<(f64, f64)>>>,
    /// GPV curves in the file's units (flow units, ft or m) by curve number; GPV settings
    /// hold the number.
    pub gpv_curves: Vec<Vec<(f64, f64)>>,
    pub patterns: Vec<Vec<f64>>,
    pub default_pattern: Option<usize>,
    pub controls: Vec<ControlData>,
    pub options: SolverOptions,
    pub duration: u64,
    pub hydraulic_step: u64,
    pub pattern_step: u64,
    pub pattern_start: u64,
    pub report_step: u64,
    pub rule_step: u64,
    pub start_clocktime: u64,
    /// EPANET's factors between the file's units and its internal ones.
    pub units: EpanetUnits,
}

fn curve_points(
    network: &Network,
    idx: usize,
    x_scale: impl Fn(f64) -> f64,
    y_scale: impl Fn(f64) -> f64,
) -> Result<Vec<(f64, f64)>, HydraulicError> {
    let curve = network.curves.get(idx).ok_or_else(|| {
        HydraulicError::InvalidModel(format!("curve number {idx} does not exist"))
    })?;
    if curve.points.is_empty() {
        return Err(HydraulicError::InvalidCurve {
            code: 231,
            curve: curve.id.clone(),
            reason: "has no data points".into(),
        });
    }
    for pair in curve.points.windows(2) {
        if pair[0].0 >= pair[1].0 {
            return Err(HydraulicError::InvalidCurve {
                code: 230,
                curve: curve.id.clone(),
                reason: "has x values that do not increase".into(),
            });
        }
    }
    Ok(curve
        .points
        .iter()
        .map(|&(x, y)| (x_scale(x), y_scale(y)))
        .collect())
}

fn identity(x: f64) -> f64 {
    x
}

/// Linear interpolation on a curve of (x, y) points, holding the end values beyond
/// the ends as EPANET does.
pub(crate) fn interpolate(points: &[(f64, f64)], x: f64) -> f64 {
    let n = points.len();
    if n == 0 {
        return 0.0;
    }
    if n == 1 || x <= points[0].0 {
        return points[0].1;
    }
    for k in 1..n {
        if points[k].0 >= x {
            let (x1, y1) = points[k - 1];
            let (x2, y2) = points[k];
            let dx = x2 - x1;
            if dx.abs() < TINY {
                return y2;
            }
            return y2 - (x2 - x) * (y2 - y1) / dx;
        }
    }
    points[n - 1].1
}

impl NetworkView {
    /// Compiles a network, checking what EPANET's validation checks.
    pub(crate) fn new(network: &Network) -> Result<NetworkView, HydraulicError> {
        let node_count = network.nodes.len();
        if node_count < 2 {
            return Err(HydraulicError::TooFewNodes);
        }
        // Junctions first, then tanks and reservoirs, each group in file order.
        let mut node_model: Vec<usize> = Vec::with_capacity(node_count);
        for (i, node) in network.nodes.iter().enumerate() {
            if matches!(node.kind, NodeKind::Junction(_)) {
                node_model.push(i);
            }
        }
        let n_junctions = node_model.len();
        for (i, node) in network.nodes.iter().enumerate() {
            if !matches!(node.kind, NodeKind::Junction(_)) {
                node_model.push(i);
            }
        }
        if n_junctions == node_count {
            return Err(HydraulicError::NoFixedHeadNode);
        }
        let mut node_internal = vec![0usize; node_count];
        for (internal, &model) in node_model.iter().enumerate() {
            node_internal[model] = internal;
        }

        let unit_system = network.options.flow_units.system();
        let options = &network.options;
        let units = EpanetUnits::new(options);
        let hexp = if options.headloss == HeadlossFormula::HazenWilliams {
            1.852
        } else {
            2.0
        };
        let qexp = if options.emitter_exponent > 0.0 {
            1.0 / options.emitter_exponent
        } else {
            2.0
        };

        // Patterns.
        let mut patterns = Vec::with_capacity(network.patterns.len());
        for pattern in &network.patterns {
            if pattern.multipliers.is_empty() {
                return Err(HydraulicError::EmptyPattern {
                    pattern: pattern.id.clone(),
                });
            }
            patterns.push(pattern.multipliers.clone());
        }
        let default_id = options.default_pattern.as_deref().unwrap_or("1");
        let default_pattern = network
            .pattern_idx(default_id)
            .map(|p| p.index())
            .or_else(|| {
                network
                    .patterns
                    .iter()
                    .position(|p| p.id.eq_ignore_ascii_case(default_id))
            });

        // Nodes.
        let mut node_id = Vec::with_capacity(node_count);
        let mut elevation = Vec::with_capacity(node_count);
        let mut demand_start = Vec::with_capacity(n_junctions + 1);
        let mut demand_base = Vec::new();
        let mut demand_pattern = Vec::new();
        let mut emitter = vec![0.0; n_junctions];
        let mut tanks = Vec::new();
        for (internal, &model) in node_model.iter().enumerate() {
            let node = &network.nodes[model];
            node_id.push(node.id.clone());
            let el = units.feet(node.elevation);
            elevation.push(el);
            match &node.kind {
                NodeKind::Junction(junction) => {
                    demand_start.push(demand_base.len());
                    for demand in &junction.demands {
                        demand_base.push(units.cfs(demand.base));
                        demand_pattern.push(demand.pattern.map(|p| p.index()));
                    }
                    if junction.emitter_coefficient > 0.0 {
                        // Head loss across the emitter = Ke q^qexp with q in cfs, head in ft.
                        let coefficient = units.file_emitter_coefficient(
                            junction.emitter_coefficient,
                            options.emitter_exponent,
                        );
                        emitter[internal] = units.emitter_head_loss(coefficient, qexp);
                    }
                }
                NodeKind::Reservoir(reservoir) => {
                    // A zero-diameter tank keeps its initial level above the elevation.
                    let head = el + units.feet(reservoir.level);
                    tanks.push(TankData {
                        node: internal,
                        area: 0.0,
                        hmin: head,
                        hmax: head,
                        h0: head,
                        vmin: 0.0,
                        vmax: 0.0,
                        v0: 0.0,
                        volume_curve: None,
                        head_pattern: reservoir.head_pattern.map(|p| p.index()),
                        can_overflow: false,
                    })
                }
                NodeKind::Tank(tank) => {
                    // EPANET works a tank out in the file's units (tankdata, inittanks),
                    // then converts levels, area and volumes (convertunits).
                    let min_level = units.file_length(tank.min_level);
                    let max_level = units.file_length(tank.max_level);
                    let initial_level = units.file_length(tank.initial_level);
                    let file_diameter = units.file_length(tank.diameter);
                    let hmin = el + min_level / units.head;
                    let hmax = el + max_level / units.head;
                    let h0 = el + initial_level / units.head;
                    // π (d²) / 4, grouped as EPANET groups it.
                    let file_area = std::f64::consts::PI * (file_diameter * file_diameter) / 4.0;
                    let mut file_vmin = file_area * min_level;
                    if tank.min_volume > 0.0 {
                        file_vmin = units.file_volume(tank.min_volume);
                    }
                    let mut file_v0 = file_vmin + file_area * (initial_level - min_level);
                    let mut file_vmax = file_vmin + file_area * (max_level - min_level);
                    let mut nominal_diameter = file_diameter;
                    let mut volume_curve = None;
                    let mut level_error = h0 > hmax || hmin > hmax || h0 < hmin;
                    // EPANET 2.3.5 skips the volume curve of a tank given a zero diameter,
                    // which leaves its area zero: the tank then acts as a fixed-head node.
                    if let Some(curve_idx) = tank.volume_curve.filter(|_| file_diameter > 0.0) {
                        let points = curve_points(
                            network,
                            curve_idx.index(),
                            |x| units.file_length(x),
                            |y| units.file_volume(y),
                        )?;
                        let last = points.len() - 1;
                        if (hmin - el) * units.head < points[0].0 - TINY
                            || (hmax - el) * units.head > points[last].0 + TINY
                        {
                            level_error = true;
                        }
                        file_vmin = interpolate(&points, min_level);
                        file_vmax = interpolate(&points, max_level);
                        file_v0 = interpolate(&points, initial_level);
                        if last > 0 {
                            let slope =
                                (points[last].1 - points[0].1) / (points[last].0 - points[0].0);
                            nominal_diameter = (4.0 * slope / std::f64::consts::PI).sqrt();
                        }
                        volume_curve = Some(points);
                    }
                    let diameter = nominal_diameter / units.head;
                    let area = std::f64::consts::PI * (diameter * diameter) / 4.0;
                    let vmin = file_vmin / units.volume;
                    let vmax = file_vmax / units.volume;
                    let v0 = file_v0 / units.volume;
                    if level_error {
                        return Err(HydraulicError::InvalidTankLevels {
                            tank: node.id.clone(),
                        });
                    }
                    tanks.push(TankData {
                        node: internal,
                        area,
                        hmin,
                        hmax,
                        h0,
                        vmin,
                        vmax,
                        v0,
                        volume_curve,
                        head_pattern: None,
                        can_overflow: tank.can_overflow,
                    });
                }
            }
        }
        demand_start.push(demand_base.len());

        // Links.
        let n_links = network.links.len();
        let mut from = Vec::with_capacity(n_links);
        let mut to = Vec::with_capacity(n_links);
        let mut link_type = Vec::with_capacity(n_links);
        let mut length = Vec::with_capacity(n_links);
        let mut diameter = Vec::with_capacity(n_links);
        let mut roughness = Vec::with_capacity(n_links);
        let mut minor_loss = Vec::with_capacity(n_links);
        let mut init_status = Vec::with_capacity(n_links);
        let mut init_setting = Vec::with_capacity(n_links);
        let mut pump_of_link = vec![None; n_links];
        let mut pumps = Vec::new();
        let mut valves = Vec::new();
        let mut pcv_curve = vec![None; n_links];
        let mut gpv_curves: Vec<Vec<(f64, f64)>> = Vec::new();
        let mut gpv_curve_number: std::collections::HashMap<usize, usize> =
            std::collections::HashMap::new();
        let mut connected = vec![false; node_count];
        use crate::state::LinkStatus;
        for (k, link) in network.links.iter().enumerate() {
            let (a, b) = (link.from.index(), link.to.index());
            if a >= node_count || b >= node_count {
                return Err(HydraulicError::InvalidModel(format!(
                    "link {} joins a node that does not exist",
                    link.id
                )));
            }
            connected[a] = true;
            connected[b] = true;
            from.push(node_internal[a]);
            to.push(node_internal[b]);
            match &link.kind {
                LinkKind::Pipe(pipe) => {
                    link_type.push(if pipe.check_valve {
                        LinkType::CheckValvePipe
                    } else {
                        LinkType::Pipe
                    });
                    let d = units.diameter_feet(pipe.diameter);
                    length.push(units.feet(pipe.length));
                    diameter.push(d);
                    let kc = if options.headloss == HeadlossFormula::DarcyWeisbach {
                        units.darcy_roughness_feet(pipe.roughness)
                    } else {
                        pipe.roughness
                    };
                    roughness.push(kc);
                    minor_loss.push(0.02517 * pipe.minor_loss / (d * d) / (d * d));
                    init_status.push(if link.initial_status == InitialStatus::Closed {
                        LinkStatus::Closed
                    } else {
                        LinkStatus::Open
                    });
                    init_setting.push(kc);
                }
                LinkKind::Pump(pump) => {
                    link_type.push(LinkType::Pump);
                    length.push(0.0);
                    diameter.push(0.0);
                    roughness.push(0.0);
                    minor_loss.push(0.0);
                    let (status, setting) = match link.initial_status {
                        InitialStatus::Closed => (LinkStatus::Closed, 0.0),
                        _ if pump.speed == 0.0 => (LinkStatus::Closed, 0.0),
                        _ => (LinkStatus::Open, pump.speed),
                    };
                    init_status.push(status);
                    init_setting.push(setting);
                    pump_of_link[k] = Some(pumps.len());
                    pumps.push(compile_pump(network, k, &units)?);
                }
                LinkKind::Valve(valve) => {
                    let t = match valve.valve_type {
                        ValveType::Prv => LinkType::Prv,
                        ValveType::Psv => LinkType::Psv,
                        ValveType::Pbv => LinkType::Pbv,
                        ValveType::Fcv => LinkType::Fcv,
                        ValveType::Tcv => LinkType::Tcv,
                        ValveType::Gpv => LinkType::Gpv,
                        ValveType::Pcv => LinkType::Pcv,
                    };
                    link_type.push(t);
                    valves.push(k);
                    let d = units.diameter_feet(valve.diameter);
                    length.push(0.0);
                    diameter.push(d);
                    roughness.push(0.0);
                    minor_loss.push(0.02517 * valve.minor_loss / (d * d) / (d * d));
                    let mut setting = match t {
                        LinkType::Prv | LinkType::Psv | LinkType::Pbv => {
                            units.pressure_feet(valve.setting)
                        }
                        LinkType::Fcv => units.cfs(valve.setting),
                        LinkType::Pcv => valve.setting.min(100.0),
                        _ => valve.setting,
                    };
                    let mut status = match link.initial_status {
                        InitialStatus::Open => LinkStatus::Open,
                        InitialStatus::Closed => LinkStatus::Closed,
                        _ => LinkStatus::Active,
                    };
                    if t == LinkType::Gpv {
                        let curve = valve.curve.ok_or_else(|| {
                            HydraulicError::InvalidModel(format!(
                                "general purpose valve {} has no headloss curve",
                                link.id
                            ))
                        })?;
                        let number = match gpv_curve_number.get(&curve.index()) {
                            Some(&n) => n,
                            None => {
                                let points = curve_points(
                                    network,
                                    curve.index(),
                                    |x| units.file_flow(x),
                                    |y| units.file_length(y),
                                )?;
                                gpv_curves.push(points);
                                gpv_curve_number.insert(curve.index(), gpv_curves.len() - 1);
                                gpv_curves.len() - 1
                            }
                        };
                        setting = number as f64;
                        if status == LinkStatus::Active {
                            status = LinkStatus::Open;
                        }
                    }
                    if t == LinkType::Pcv {
                        if let Some(curve) = valve.curve {
                            pcv_curve[k] =
                                Some(curve_points(network, curve.index(), identity, identity)?);
                        }
                    }
                    init_status.push(status);
                    init_setting.push(setting);
                }
            }
        }
        for (i, node) in network.nodes.iter().enumerate() {
            if !connected[i] {
                return Err(HydraulicError::UnconnectedNode {
                    node: node.id.clone(),
                });
            }
        }

        // Controls.
        let mut controls = Vec::with_capacity(network.controls.len());
        for control in &network.controls {
            let k = control.link.index();
            if k >= n_links {
                return Err(HydraulicError::InvalidModel(
                    "a control names a link that does not exist".into(),
                ));
            }
            let t = link_type[k];
            let (status, setting) = match control.action {
                LinkAction::Open => (
                    LinkStatus::Open,
                    match t {
                        LinkType::Pump => 1.0,
                        LinkType::Gpv => init_setting[k],
                        _ => MISSING,
                    },
                ),
                LinkAction::Closed => (
                    LinkStatus::Closed,
                    match t {
                        LinkType::Pump => 0.0,
                        LinkType::Gpv => init_setting[k],
                        _ => MISSING,
                    },
                ),
                LinkAction::Active => (LinkStatus::Active, MISSING),
                LinkAction::Setting(value) => {
                    let setting = match t {
                        LinkType::Prv | LinkType::Psv | LinkType::Pbv => units.pressure_feet(value),
                        LinkType::Fcv => units.cfs(value),
                        _ => value,
                    };
                    let status = match t {
                        LinkType::Pump | LinkType::Pipe | LinkType::CheckValvePipe => {
                            if setting == 0.0 {
                                LinkStatus::Closed
                            } else {
                                LinkStatus::Open
                            }
                        }
                        _ => LinkStatus::Active,
                    };
                    (status, setting)
                }
            };
            let (kind, node, grade, time) = match control.condition {
                ControlCondition::NodeAbove { node, value }
                | ControlCondition::NodeBelow { node, value } => {
                    let internal = node_internal.get(node.index()).copied().ok_or_else(|| {
                        HydraulicError::InvalidModel(
                            "a control names a node that does not exist".into(),
                        )
                    })?;
                    let kind = if matches!(control.condition, ControlCondition::NodeAbove { .. }) {
                        ControlKind::HighLevel
                    } else {
                        ControlKind::LowLevel
                    };
                    // A junction's threshold is a pressure, a tank's a level (EPANET's
                    // convertunits).
                    let threshold = if internal < n_junctions {
                        units.pressure_feet(value)
                    } else {
                        units.feet(value)
                    };
                    (kind, Some(internal), elevation[internal] + threshold, 0)
                }
                ControlCondition::AtTime { seconds } => (ControlKind::Timer, None, 0.0, seconds),
                ControlCondition::AtClockTime { seconds } => {
                    (ControlKind::TimeOfDay, None, 0.0, seconds)
                }
            };
            controls.push(ControlData {
                link: k,
                kind,
                node,
                grade,
                time,
                status,
                setting,
                enabled: control.enabled,
            });
        }

        let times = &network.times;
        let mut pattern_step = times.pattern_step;
        if pattern_step == 0 {
            pattern_step = 3600;
        }
        let mut report_step = times.report_step;
        if report_step == 0 {
            report_step = pattern_step;
        }
        let mut hydraulic_step = times.hydraulic_step;
        if hydraulic_step == 0 {
            hydraulic_step = 3600;
        }
        hydraulic_step = hydraulic_step.min(pattern_step).min(report_step);
        let mut rule_step = times.rule_step.unwrap_or(0);
        if rule_step == 0 {
            rule_step = hydraulic_step / 10;
        }
        rule_step = rule_step.min(hydraulic_step);

        let viscosity = if options.viscosity > 1.0e-3 {
            options.viscosity * VISCOSITY_OF_WATER
        } else if unit_system == UnitSystem::Si {
            options.viscosity / (METRES_PER_FOOT * METRES_PER_FOOT)
        } else {
            options.viscosity
        };
        let global_price_pattern = network
            .energy
            .global_pattern
            .as_deref()
            .and_then(|id| network.pattern_idx(id).map(|p| p.index()));
        let solver_options = SolverOptions {
            formula: options.headloss,
            hexp,
            qexp,
            viscosity,
            htol: 0.0005,
            qtol: 0.0001,
            rqtol: 1e-7,
            hacc: options.accuracy,
            max_iter: options.trials,
            extra_iter: match options.unbalanced {
                Unbalanced::Stop => -1,
                Unbalanced::Continue(n) => i64::from(n),
            },
            check_freq: options.check_frequency,
            max_check: options.max_check,
            damp_limit: options.damp_limit,
            head_error_limit: units.feet(options.head_error),
            flow_change_limit: units.cfs(options.flow_change),
            demand_model: options.demand_model,
            pmin: units.pressure_feet(options.minimum_pressure),
            preq: units.pressure_feet(options.required_pressure),
            pexp: options.pressure_exponent,
            emitter_backflow: options.emitter_backflow,
            demand_multiplier: options.demand_multiplier,
            specific_gravity: options.specific_gravity,
            global_efficiency: network.energy.global_efficiency,
            global_price: network.energy.global_price,
            global_price_pattern,
            demand_charge: network.energy.demand_charge,
        };

        let leakage =
            leakage_coefficients(network, &node_internal, n_junctions, &length, unit_system);

        Ok(NetworkView {
            leakage,
            n_nodes: node_count,
            n_junctions,
            node_model,
            node_internal,
            node_id,
            elevation,
            demand_start,
            demand_base,
            demand_pattern,
            emitter_junctions: (0..emitter.len()).filter(|&i| emitter[i] != 0.0).collect(),
            emitter,
            tanks,
            n_links,
            from,
            to,
            link_type,
            length,
            diameter,
            roughness,
            minor_loss,
            init_status,
            init_setting,
            pump_of_link,
            pumps,
            valves,
            pcv_curve,
            gpv_curves,
            patterns,
            default_pattern,
            controls,
            options: solver_options,
            duration: times.duration,
            hydraulic_step,
            pattern_step,
            pattern_start: times.pattern_start,
            report_step,
            rule_step: rule_step.max(1),
            start_clocktime: times.start_clocktime,
            units,
        })
    }

    /// The multiplier of a pattern at pattern period `period`.
    #[inline]
    pub(crate) fn pattern_value(&self, pattern: usize, period: u64) -> f64 {
        let multipliers = &self.patterns[pattern];
        multipliers[(period % multipliers.len() as u64) as usize]
    }

    /// The tank number of an internal node index, if it is a tank or reservoir.
    #[inline]
    pub(crate) fn tank_of_node(&self, node: usize) -> Option<usize> {
        node.checked_sub(self.n_junctions)
    }
}

/// Fits a pump's head curve as EPANET 2.3 does.
fn compile_pump(
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
    let speed_pattern = pump.speed_pattern.map(|p| p.index());
    let efficiency_curve = match pump.efficiency_curve {
        Some(c) => Some(curve_points(
            network,
            c.index(),
            |x| units.file_flow(x),
            identity,
        )?),
        None => None,
    };
    let price_pattern = pump.price_pattern.map(|p| p.index());
    let mut data = PumpData {
        link: k,
        curve_kind: PumpCurveKind::Custom,
        h0: 0.0,
        r: 0.0,
        n: 1.0,
        q0: 0.0,
        hmax: 0.0,
        curve: Vec::new(),
        speed_pattern,
        efficiency_curve,
        price: pump.energy_price.unwrap_or(0.0),
        price_pattern,
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
        let power_fit = if points.len() == 1 {
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
        };
        match power_fit {
            Some((h0, h1, h2, q1, q2)) => {
                if h0 < TINY || h0 - h1 < TINY || h1 - h2 < TINY || q1 < TINY || q2 - q1 < TINY {
                    return Err(invalid("an invalid head curve"));
                }
                let h4 = h0 - h1;
                let h5 = h0 - h2;
                let c = (h5 / h4).ln() / (q2 / q1).ln();
                if c <= 0.0 || c > 20.0 {
                    return Err(invalid("an invalid head curve"));
                }
                let b = -h4 / q1.powf(c);
                if b >= 0.0 {
                    return Err(invalid("an invalid head curve"));
                }
                data.curve_kind = PumpCurveKind::PowerFunction;
                data.h0 = -h0 / units.head;
                data.r = -b * (units.flow.powf(c) / units.head);
                data.n = c;
                data.q0 = q1 / units.flow;
                data.hmax = h0 / units.head;
            }
            None => {
                for pair in points.windows(2) {
                    if pair[1].1 >= pair[0].1 {
                        return Err(invalid("a head curve whose head does not decrease"));
                    }
                }
                let qmax = points[points.len() - 1].0;
                data.curve_kind = PumpCurveKind::Custom;
                data.q0 = (points[0].0 + qmax) / 2.0 / units.flow;
                data.hmax = points[0].1 / units.head;
                data.curve = points;
            }
        }
    } else if let Some(power) = pump.power.filter(|p| *p > 0.0) {
        // EPANET 2.3.5 divides the power by the power unit factor twice (once in
        // convertunits, once in constpowerpump), which matters for SI files (kW);
        // reproduced for parity.
        let horsepower = units.file_power(power) / units.power;
        data.curve_kind = PumpCurveKind::ConstantPower;
        data.h0 = 0.0;
        data.r = -8.814 * horsepower / units.power;
        data.n = -1.0;
        data.hmax = BIG;
        data.q0 = 1.0;
    } else {
        return Err(HydraulicError::InvalidPump {
            code: 226,
            pump: link.id.clone(),
            reason: "no head curve or power".into(),
        });
    }
    Ok(data)
}

/// Leakage head loss coefficients per junction from the pipes' leak areas (EPANET 2.3's
/// FAVAD model: each pipe's leakage goes half to each junction end, all of it to a
/// junction whose other end is a tank or reservoir).
fn leakage_coefficients(
    network: &Network,
    node_internal: &[usize],
    n_junctions: usize,
    length: &[f64],
    unit_system: UnitSystem,
) -> Vec<(f64, f64)> {
    // Orifice coefficient 0.6 sqrt(2g) with areas in mm² (in² for US files) per 100 length units.
    const ORIFICE: f64 = 4.814_976_6e-6;
    let length_factor = if unit_system == UnitSystem::Si {
        METRES_PER_FOOT
    } else {
        1.0
    };
    let mut sums = vec![(0.0, 0.0); n_junctions];
    let mut any = false;
    for (k, link) in network.links.iter().enumerate() {
        let LinkKind::Pipe(pipe) = &link.kind else {
            continue;
        };
        if pipe.leak_area == 0.0 && pipe.leak_expansion == 0.0 {
            continue;
        }
        let n1 = node_internal[link.from.index()];
        let n2 = node_internal[link.to.index()];
        let (j1, j2) = (n1 < n_junctions, n2 < n_junctions);
        if !j1 && !j2 {
            continue;
        }
        any = true;
        let mut hundreds = length[k] / 100.0;
        if j1 && j2 {
            hundreds *= 0.5;
        }
        let area = ORIFICE * (pipe.leak_area * length_factor) / (METRES_PER_FOOT * METRES_PER_FOOT)
            * hundreds;
        let expansion =
            ORIFICE * (pipe.leak_expansion * length_factor) / METRES_PER_FOOT * hundreds;
        for (is_junction, node) in [(j1, n1), (j2, n2)] {
            if is_junction {
                sums[node].0 += area;
                sums[node].1 += expansion;
            }
        }
    }
    if !any {
        return Vec::new();
    }
    sums.into_iter()
        .map(|(area, expansion)| {
            let fixed = if area > 0.0 { 1.0 / (area * area) } else { 0.0 };
            let variable = if expansion > 0.0 {
                1.0 / expansion.powf(2.0 / 3.0)
            } else {
                0.0
            };
            (fixed, variable)
        })
        .collect()
}
