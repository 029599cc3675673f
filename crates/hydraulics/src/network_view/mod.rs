//! The network compiled into flat arrays in EPANET's internal units (ft, ft³/s, s), with
//! junctions numbered before tanks and reservoirs as EPANET numbers them.
//!
//! The solver works in EPANET's units so its arithmetic matches EPANET's step for step;
//! the conversion from the model's SI units happens here, once, and back in the stepper.
//!
//! Each part builds itself from the network: [`NodeTables`] (numbering, demands,
//! emitters, leakage), [`TankData`] per tank or reservoir, [`LinkTables`] with the pumps
//! ([`PumpData`]) and valves, [`ControlData`] per simple control, [`Timing`] and
//! [`SolverOptions`]. [`NetworkView::new`] calls them in the order EPANET validates, so
//! the first error reported is the one EPANET reports. `constants.rs` holds EPANET's
//! constants, `curves.rs` curve checking and interpolation, `link_kind.rs` the solver's
//! link kinds; the parts import these and each other, never this file.

mod constants;
mod controls;
mod curves;
mod link_kind;
mod links;
mod nodes;
mod options;
mod pumps;
mod tanks;
mod times;
mod valves;

pub(crate) use constants::{BIG, CBIG, CSMALL, MINIMUM_PRESSURE_RANGE, MISSING, QZERO, TINY};
pub(crate) use controls::{ControlData, ControlKind};
pub(crate) use curves::interpolate;
pub(crate) use link_kind::LinkType;
pub(crate) use links::LinkTables;
pub(crate) use nodes::NodeTables;
pub(crate) use options::SolverOptions;
pub(crate) use pumps::{PumpCurveKind, PumpData};
pub(crate) use tanks::TankData;
pub(crate) use times::Timing;

use crate::error::HydraulicError;
use danjiang_network::units::EpanetUnits;
use danjiang_network::Network;

/// The network in flat arrays and EPANET's units.
#[derive(Debug, Clone)]
pub(crate) struct NetworkView {
    /// Node numbering, ids, elevations, demands, emitters and leakage.
    pub nodes: NodeTables,
    /// Tanks and reservoirs, in internal node order (tank `t` is node `junction_count + t`).
    pub tanks: Vec<TankData>,
    /// Link ends, kinds, sizes, losses and initial status and setting.
    pub links: LinkTables,
    /// The pumps, in link order.
    pub pumps: Vec<PumpData>,
    /// Pattern multipliers by pattern number.
    pub patterns: Vec<Vec<f64>>,
    /// The pattern of demands that name none.
    pub default_pattern: Option<usize>,
    /// The simple controls, in file order.
    pub controls: Vec<ControlData>,
    /// Solver options in EPANET's units.
    pub options: SolverOptions,
    /// Duration and time steps, s.
    pub times: Timing,
    /// EPANET's factors between the file's units and its internal ones.
    pub units: EpanetUnits,
}

impl NetworkView {
    /// Compiles a network, checking what EPANET's validation checks.
    pub(crate) fn new(network: &Network) -> Result<NetworkView, HydraulicError> {
        let (model_index, junction_count) = nodes::number_nodes(network)?;
        let units = EpanetUnits::new(&network.options);
        let patterns = compile_patterns(network)?;
        let default_pattern = default_pattern(network);
        let mut nodes = NodeTables::compile(network, model_index, junction_count, &units)?;
        let tanks = tanks::compile_tanks(network, &nodes, &units)?;
        let (links, pumps) = LinkTables::compile(network, &nodes.internal_index, &units)?;
        nodes.leakage = nodes::leakage_coefficients(network, &nodes, &links.length);
        let controls = controls::compile_controls(network, &nodes, &links, &units)?;
        Ok(NetworkView {
            nodes,
            tanks,
            links,
            pumps,
            patterns,
            default_pattern,
            controls,
            options: SolverOptions::new(network, &units),
            times: Timing::new(&network.times),
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
        node.checked_sub(self.nodes.junction_count)
    }
}

/// The patterns' multipliers, refusing an empty pattern.
fn compile_patterns(network: &Network) -> Result<Vec<Vec<f64>>, HydraulicError> {
    let mut patterns = Vec::with_capacity(network.patterns.len());
    for pattern in &network.patterns {
        if pattern.multipliers.is_empty() {
            return Err(HydraulicError::EmptyPattern {
                pattern: pattern.id.clone(),
            });
        }
        patterns.push(pattern.multipliers.clone());
    }
    Ok(patterns)
}

/// The number of the default demand pattern (the option's, else pattern "1").
fn default_pattern(network: &Network) -> Option<usize> {
    let default_id = network.options.default_pattern.as_deref().unwrap_or("1");
    network
        .pattern_idx(default_id)
        .map(|p| p.index())
        .or_else(|| {
            network
                .patterns
                .iter()
                .position(|p| p.id.eq_ignore_ascii_case(default_id))
        })
}
