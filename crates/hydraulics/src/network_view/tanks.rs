//! Tanks and reservoirs (EPANET keeps both in one array; a reservoir has no area).

use super::constants::TINY;
use super::curves::{curve_points, interpolate};
use super::nodes::NodeTables;
use crate::error::HydraulicError;
use danjiang_network::units::EpanetUnits;
use danjiang_network::{Network, NodeKind, Reservoir, Tank};
use std::f64::consts::PI;

/// A tank's or reservoir's compiled data.
#[derive(Debug, Clone)]
pub(crate) struct TankData {
    /// Internal node index.
    pub node: usize,
    /// Cross-section area, ft² (0 for a reservoir).
    pub area: f64,
    /// Head at the minimum level, ft.
    pub min_head: f64,
    /// Head at the maximum level, ft.
    pub max_head: f64,
    /// Head at the initial level, ft.
    pub initial_head: f64,
    /// Volume at the minimum level, ft³.
    pub min_volume: f64,
    /// Volume at the maximum level, ft³.
    pub max_volume: f64,
    /// Volume at the initial level, ft³.
    pub initial_volume: f64,
    /// Volume curve in the file's units: level above bottom (ft or m) against volume
    /// (ft³ or m³), as EPANET keeps it.
    pub volume_curve: Option<Vec<(f64, f64)>>,
    /// Head pattern of a reservoir.
    pub head_pattern: Option<usize>,
    /// Whether the tank spills rather than closing its inflow when full.
    pub can_overflow: bool,
}

/// The tanks and reservoirs in internal node order.
pub(crate) fn compile_tanks(
    network: &Network,
    nodes: &NodeTables,
    units: &EpanetUnits,
) -> Result<Vec<TankData>, HydraulicError> {
    let mut tanks = Vec::with_capacity(nodes.count - nodes.junction_count);
    for internal in nodes.junction_count..nodes.count {
        let node = &network.nodes[nodes.model_index[internal]];
        let elevation = nodes.elevation[internal];
        match &node.kind {
            NodeKind::Junction(_) => {}
            NodeKind::Reservoir(reservoir) => {
                tanks.push(TankData::reservoir(reservoir, internal, elevation, units))
            }
            NodeKind::Tank(tank) => {
                let Some(data) = TankData::compile(network, tank, internal, elevation, units)?
                else {
                    return Err(HydraulicError::InvalidTankLevels {
                        tank: node.id.clone(),
                    });
                };
                tanks.push(data);
            }
        }
    }
    Ok(tanks)
}

/// A tank's volumes in the file's units and its nominal diameter (ft or m).
struct FileVolumes {
    min: f64,
    initial: f64,
    max: f64,
    nominal_diameter: f64,
}

impl TankData {
    /// A reservoir at `elevation` (ft): a zero-diameter tank keeps its initial level
    /// above the elevation.
    fn reservoir(
        reservoir: &Reservoir,
        node: usize,
        elevation: f64,
        units: &EpanetUnits,
    ) -> TankData {
        let head = elevation + units.feet(reservoir.level);
        TankData {
            node,
            area: 0.0,
            min_head: head,
            max_head: head,
            initial_head: head,
            min_volume: 0.0,
            max_volume: 0.0,
            initial_volume: 0.0,
            volume_curve: None,
            head_pattern: reservoir.head_pattern.map(|p| p.index()),
            can_overflow: false,
        }
    }

    /// A tank at `elevation` (ft); `None` when its levels are out of order or outside its
    /// volume curve. EPANET works a tank out in the file's units (tankdata, inittanks),
    /// then converts levels, area and volumes (convertunits).
    fn compile(
        network: &Network,
        tank: &Tank,
        node: usize,
        el: f64,
        units: &EpanetUnits,
    ) -> Result<Option<TankData>, HydraulicError> {
        let min_level = units.file_length(tank.min_level);
        let max_level = units.file_length(tank.max_level);
        let initial_level = units.file_length(tank.initial_level);
        let file_diameter = units.file_length(tank.diameter);
        let min_head = el + min_level / units.head;
        let max_head = el + max_level / units.head;
        let initial_head = el + initial_level / units.head;
        // π (d²) / 4, grouped as EPANET groups it.
        let file_area = PI * (file_diameter * file_diameter) / 4.0;
        let mut file_vmin = file_area * min_level;
        if tank.min_volume > 0.0 {
            file_vmin = units.file_volume(tank.min_volume);
        }
        let mut volumes = FileVolumes {
            min: file_vmin,
            initial: file_vmin + file_area * (initial_level - min_level),
            max: file_vmin + file_area * (max_level - min_level),
            nominal_diameter: file_diameter,
        };
        let mut volume_curve = None;
        let mut level_error =
            initial_head > max_head || min_head > max_head || initial_head < min_head;
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
            if (min_head - el) * units.head < points[0].0 - TINY
                || (max_head - el) * units.head > points[last].0 + TINY
            {
                level_error = true;
            }
            volumes = curve_volumes(&points, min_level, initial_level, max_level, volumes);
            volume_curve = Some(points);
        }
        if level_error {
            return Ok(None);
        }
        let diameter = volumes.nominal_diameter / units.head;
        Ok(Some(TankData {
            node,
            area: PI * (diameter * diameter) / 4.0,
            min_head,
            max_head,
            initial_head,
            min_volume: volumes.min / units.volume,
            max_volume: volumes.max / units.volume,
            initial_volume: volumes.initial / units.volume,
            volume_curve,
            head_pattern: None,
            can_overflow: tank.can_overflow,
        }))
    }
}

/// The volumes a volume curve gives at the levels (file units), and the diameter of the
/// cylinder of the curve's mean slope (kept from `volumes` for a one-point curve).
fn curve_volumes(
    points: &[(f64, f64)],
    min_level: f64,
    initial_level: f64,
    max_level: f64,
    volumes: FileVolumes,
) -> FileVolumes {
    let last = points.len() - 1;
    let mut nominal_diameter = volumes.nominal_diameter;
    if last > 0 {
        let slope = (points[last].1 - points[0].1) / (points[last].0 - points[0].0);
        nominal_diameter = (4.0 * slope / PI).sqrt();
    }
    FileVolumes {
        min: interpolate(points, min_level),
        initial: interpolate(points, initial_level),
        max: interpolate(points, max_level),
        nominal_diameter,
    }
}
