//! Link ends, kinds, sizes, losses and initial status and setting.

use super::link_kind::{minor_loss_coefficient, LinkRow, LinkType};
use super::pumps::{compile_pump, PumpData};
use super::valves::{compile_valve, GpvCurves};
use crate::error::HydraulicError;
use crate::state::LinkStatus;
use danjiang_network::units::EpanetUnits;
use danjiang_network::{HeadlossFormula, InitialStatus, Link, LinkKind, Network, Pipe, Pump};

/// The links in EPANET's units, in file order.
#[derive(Debug, Clone)]
pub(crate) struct LinkTables {
    /// Number of links.
    pub count: usize,
    /// Internal index of each link's start node.
    pub from: Vec<usize>,
    /// Internal index of each link's end node.
    pub to: Vec<usize>,
    /// Kind of each link.
    pub kind: Vec<LinkType>,
    /// Length, ft (0 for pumps and valves).
    pub length: Vec<f64>,
    /// Diameter, ft (0 for pumps).
    pub diameter: Vec<f64>,
    /// Roughness of pipes in EPANET's units (ft for Darcy-Weisbach), 0 for the others.
    pub roughness: Vec<f64>,
    /// Minor loss coefficient on a flow basis (EPANET's Km), s²/ft⁵.
    pub minor_loss: Vec<f64>,
    /// Initial status.
    pub initial_status: Vec<LinkStatus>,
    /// Initial setting: a pipe's roughness, a pump's speed, a valve's setting in EPANET's
    /// units (a GPV's curve number).
    pub initial_setting: Vec<f64>,
    /// Pump number of a link (index into the view's pumps).
    pub pump_of_link: Vec<Option<usize>>,
    /// Links that are valves, in link order.
    pub valves: Vec<usize>,
    /// PCV curve (percent open, percent of full flow coefficient) per link.
    pub pcv_curve: Vec<Option<Vec<(f64, f64)>>>,
    /// GPV curves in the file's units (flow units, ft or m) by curve number; GPV settings
    /// hold the number.
    pub gpv_curves: Vec<Vec<(f64, f64)>>,
}

impl LinkTables {
    /// The links of `network` and its pumps; refuses a link to a node that does not
    /// exist and a node no link joins.
    pub(crate) fn compile(
        network: &Network,
        internal_index: &[usize],
        units: &EpanetUnits,
    ) -> Result<(LinkTables, Vec<PumpData>), HydraulicError> {
        let node_count = network.nodes.len();
        let mut links = LinkTables::with_capacity(network.links.len());
        let mut pumps = Vec::new();
        let mut gpv_curves = GpvCurves::default();
        let mut connected = vec![false; node_count];
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
            links.from.push(internal_index[a]);
            links.to.push(internal_index[b]);
            let row = match &link.kind {
                LinkKind::Pipe(pipe) => pipe_row(network, link, pipe, units),
                LinkKind::Pump(pump) => {
                    links.pump_of_link[k] = Some(pumps.len());
                    pumps.push(compile_pump(network, k, units)?);
                    pump_row(link, pump)
                }
                LinkKind::Valve(valve) => {
                    links.valves.push(k);
                    let (row, pcv_curve) =
                        compile_valve(network, link, valve, units, &mut gpv_curves)?;
                    links.pcv_curve[k] = pcv_curve;
                    row
                }
            };
            links.push(row);
        }
        for (i, node) in network.nodes.iter().enumerate() {
            if !connected[i] {
                return Err(HydraulicError::UnconnectedNode {
                    node: node.id.clone(),
                });
            }
        }
        links.gpv_curves = gpv_curves.curves;
        Ok((links, pumps))
    }

    fn with_capacity(n_links: usize) -> LinkTables {
        LinkTables {
            count: n_links,
            from: Vec::with_capacity(n_links),
            to: Vec::with_capacity(n_links),
            kind: Vec::with_capacity(n_links),
            length: Vec::with_capacity(n_links),
            diameter: Vec::with_capacity(n_links),
            roughness: Vec::with_capacity(n_links),
            minor_loss: Vec::with_capacity(n_links),
            initial_status: Vec::with_capacity(n_links),
            initial_setting: Vec::with_capacity(n_links),
            pump_of_link: vec![None; n_links],
            valves: Vec::new(),
            pcv_curve: vec![None; n_links],
            gpv_curves: Vec::new(),
        }
    }

    fn push(&mut self, row: LinkRow) {
        self.kind.push(row.kind);
        self.length.push(row.length);
        self.diameter.push(row.diameter);
        self.roughness.push(row.roughness);
        self.minor_loss.push(row.minor_loss);
        self.initial_status.push(row.status);
        self.initial_setting.push(row.setting);
    }
}

fn pipe_row(network: &Network, link: &Link, pipe: &Pipe, units: &EpanetUnits) -> LinkRow {
    let d = units.diameter_feet(pipe.diameter);
    let roughness = if network.options.headloss == HeadlossFormula::DarcyWeisbach {
        units.darcy_roughness_feet(pipe.roughness)
    } else {
        pipe.roughness
    };
    LinkRow {
        kind: if pipe.check_valve {
            LinkType::CheckValvePipe
        } else {
            LinkType::Pipe
        },
        length: units.feet(pipe.length),
        diameter: d,
        roughness,
        minor_loss: minor_loss_coefficient(pipe.minor_loss, d),
        status: if link.initial_status == InitialStatus::Closed {
            LinkStatus::Closed
        } else {
            LinkStatus::Open
        },
        setting: roughness,
    }
}

fn pump_row(link: &Link, pump: &Pump) -> LinkRow {
    let (status, setting) = match link.initial_status {
        InitialStatus::Closed => (LinkStatus::Closed, 0.0),
        _ if pump.speed == 0.0 => (LinkStatus::Closed, 0.0),
        _ => (LinkStatus::Open, pump.speed),
    };
    LinkRow {
        kind: LinkType::Pump,
        length: 0.0,
        diameter: 0.0,
        roughness: 0.0,
        minor_loss: 0.0,
        status,
        setting,
    }
}
