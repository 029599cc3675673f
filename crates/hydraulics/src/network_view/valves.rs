//! Valves: kind, setting in EPANET's units, initial status and GPV/PCV curves.

use super::curves::{curve_points, identity};
use super::link_kind::{minor_loss_coefficient, LinkRow, LinkType};
use crate::error::HydraulicError;
use crate::state::LinkStatus;
use danjiang_network::units::EpanetUnits;
use danjiang_network::{CurveIdx, InitialStatus, Link, Network, Valve, ValveType};
use std::collections::HashMap;

/// A curve's (x, y) points.
type Curve = Vec<(f64, f64)>;

/// The GPV head loss curves met so far, numbered in the order first met (a GPV's setting
/// holds its curve's number).
#[derive(Debug, Default)]
pub(super) struct GpvCurves {
    /// Curves in the file's units (flow units, ft or m).
    pub curves: Vec<Vec<(f64, f64)>>,
    /// Number of each model curve met.
    number: HashMap<usize, usize>,
}

impl GpvCurves {
    /// The number of model curve `curve`, compiling it when first met.
    fn number(
        &mut self,
        network: &Network,
        curve: CurveIdx,
        units: &EpanetUnits,
    ) -> Result<usize, HydraulicError> {
        if let Some(&n) = self.number.get(&curve.index()) {
            return Ok(n);
        }
        let points = curve_points(
            network,
            curve.index(),
            |x| units.file_flow(x),
            |y| units.file_length(y),
        )?;
        self.curves.push(points);
        self.number.insert(curve.index(), self.curves.len() - 1);
        Ok(self.curves.len() - 1)
    }
}

/// A valve's row of the link tables and its PCV curve, if it is a PCV with one.
pub(super) fn compile_valve(
    network: &Network,
    link: &Link,
    valve: &Valve,
    units: &EpanetUnits,
    gpv_curves: &mut GpvCurves,
) -> Result<(LinkRow, Option<Curve>), HydraulicError> {
    let kind = match valve.valve_type {
        ValveType::Prv => LinkType::Prv,
        ValveType::Psv => LinkType::Psv,
        ValveType::Pbv => LinkType::Pbv,
        ValveType::Fcv => LinkType::Fcv,
        ValveType::Tcv => LinkType::Tcv,
        ValveType::Gpv => LinkType::Gpv,
        ValveType::Pcv => LinkType::Pcv,
    };
    let d = units.diameter_feet(valve.diameter);
    let mut setting = match kind {
        LinkType::Prv | LinkType::Psv | LinkType::Pbv => units.pressure_feet(valve.setting),
        LinkType::Fcv => units.cfs(valve.setting),
        LinkType::Pcv => valve.setting.min(100.0),
        _ => valve.setting,
    };
    let mut status = match link.initial_status {
        InitialStatus::Open => LinkStatus::Open,
        InitialStatus::Closed => LinkStatus::Closed,
        _ => LinkStatus::Active,
    };
    if kind == LinkType::Gpv {
        let curve = valve.curve.ok_or_else(|| {
            HydraulicError::InvalidModel(format!(
                "general purpose valve {} has no headloss curve",
                link.id
            ))
        })?;
        setting = gpv_curves.number(network, curve, units)? as f64;
        if status == LinkStatus::Active {
            status = LinkStatus::Open;
        }
    }
    let mut pcv_curve = None;
    if kind == LinkType::Pcv {
        if let Some(curve) = valve.curve {
            pcv_curve = Some(curve_points(network, curve.index(), identity, identity)?);
        }
    }
    let row = LinkRow {
        kind,
        length: 0.0,
        diameter: d,
        roughness: 0.0,
        minor_loss: minor_loss_coefficient(valve.minor_loss, d),
        status,
        setting,
    };
    Ok((row, pcv_curve))
}
