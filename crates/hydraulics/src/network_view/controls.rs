//! Simple controls in EPANET's form.

use super::constants::MISSING;
use super::link_kind::LinkType;
use super::links::LinkTables;
use super::nodes::NodeTables;
use crate::error::HydraulicError;
use crate::state::LinkStatus;
use danjiang_network::units::EpanetUnits;
use danjiang_network::{Control, ControlCondition, LinkAction, Network};

/// A simple control in EPANET's form.
#[derive(Debug, Clone)]
pub(crate) struct ControlData {
    /// Link index of the link controlled.
    pub link: usize,
    /// What triggers the control.
    pub kind: ControlKind,
    /// Internal node index for level controls.
    pub node: Option<usize>,
    /// Head threshold, ft.
    pub grade: f64,
    /// Time, s.
    pub time: u64,
    /// Status the control sets.
    pub status: LinkStatus,
    /// Setting the control sets, in EPANET's units (`MISSING` for none).
    pub setting: f64,
    /// Whether the control is in force.
    pub enabled: bool,
}

/// What triggers a simple control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ControlKind {
    /// A node's head falls to the threshold.
    LowLevel,
    /// A node's head rises to the threshold.
    HighLevel,
    /// A time since the start.
    Timer,
    /// A clock time of day.
    TimeOfDay,
}

/// The simple controls of `network`, in file order.
pub(crate) fn compile_controls(
    network: &Network,
    nodes: &NodeTables,
    links: &LinkTables,
    units: &EpanetUnits,
) -> Result<Vec<ControlData>, HydraulicError> {
    network
        .controls
        .iter()
        .map(|control| ControlData::compile(control, nodes, links, units))
        .collect()
}

impl ControlData {
    fn compile(
        control: &Control,
        nodes: &NodeTables,
        links: &LinkTables,
        units: &EpanetUnits,
    ) -> Result<ControlData, HydraulicError> {
        let k = control.link.index();
        if k >= links.count {
            return Err(HydraulicError::InvalidModel(
                "a control names a link that does not exist".into(),
            ));
        }
        let (status, setting) = action(
            control.action,
            links.kind[k],
            links.initial_setting[k],
            units,
        );
        let (kind, node, grade, time) = condition(control.condition, nodes, units)?;
        Ok(ControlData {
            link: k,
            kind,
            node,
            grade,
            time,
            status,
            setting,
            enabled: control.enabled,
        })
    }
}

/// The status and setting an action sets on a link of kind `kind` whose initial setting
/// is `initial_setting`.
fn action(
    action: LinkAction,
    kind: LinkType,
    initial_setting: f64,
    units: &EpanetUnits,
) -> (LinkStatus, f64) {
    match action {
        LinkAction::Open => (
            LinkStatus::Open,
            match kind {
                LinkType::Pump => 1.0,
                LinkType::Gpv => initial_setting,
                _ => MISSING,
            },
        ),
        LinkAction::Closed => (
            LinkStatus::Closed,
            match kind {
                LinkType::Pump => 0.0,
                LinkType::Gpv => initial_setting,
                _ => MISSING,
            },
        ),
        LinkAction::Active => (LinkStatus::Active, MISSING),
        LinkAction::Setting(value) => {
            let setting = match kind {
                LinkType::Prv | LinkType::Psv | LinkType::Pbv => units.pressure_feet(value),
                LinkType::Fcv => units.cfs(value),
                _ => value,
            };
            let status = match kind {
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
    }
}

/// The trigger of a condition: kind, node, head threshold (ft) and time (s).
fn condition(
    condition: ControlCondition,
    nodes: &NodeTables,
    units: &EpanetUnits,
) -> Result<(ControlKind, Option<usize>, f64, u64), HydraulicError> {
    Ok(match condition {
        ControlCondition::NodeAbove { node, value }
        | ControlCondition::NodeBelow { node, value } => {
            let internal = nodes
                .internal_index
                .get(node.index())
                .copied()
                .ok_or_else(|| {
                    HydraulicError::InvalidModel(
                        "a control names a node that does not exist".into(),
                    )
                })?;
            let kind = if matches!(condition, ControlCondition::NodeAbove { .. }) {
                ControlKind::HighLevel
            } else {
                ControlKind::LowLevel
            };
            // A junction's threshold is a pressure, a tank's a level (EPANET's
            // convertunits).
            let threshold = if internal < nodes.junction_count {
                units.pressure_feet(value)
            } else {
                units.feet(value)
            };
            (
                kind,
                Some(internal),
                nodes.elevation[internal] + threshold,
                0,
            )
        }
        ControlCondition::AtTime { seconds } => (ControlKind::Timer, None, 0.0, seconds),
        ControlCondition::AtClockTime { seconds } => (ControlKind::TimeOfDay, None, 0.0, seconds),
    })
}
