//! The summaries EPANET 2.3 ends its status report with: the hydraulic flow balance over the
//! run and the water-quality mass balance.

use danjiang_network::{DemandModel, Network, NodeKind};

/// Where a node's flow counts in the flow balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Junction,
    Reservoir,
    Tank,
}

/// EPANET 2.3's hydraulic flow balance: each flow averaged over the run, m³/s.
#[derive(Debug, Clone)]
pub struct FlowBalance {
    roles: Vec<Role>,
    pressure_driven: bool,
    duration: u64,
    /// Water entering from reservoirs and negative demands.
    pub total_inflow: f64,
    /// Water leaving through demands, emitters, leaks and into reservoirs.
    pub total_outflow: f64,
    /// Demand delivered to consumers.
    pub consumer_demand: f64,
    /// Demand not delivered under pressure-driven analysis.
    pub demand_deficit: f64,
    /// Emitter outflow.
    pub emitter_flow: f64,
    /// Pipe leakage.
    pub leakage_flow: f64,
    /// Net flow into tanks (negative when they drain).
    pub storage_flow: f64,
    /// (outflow + storage filling) / (inflow + storage draining).
    pub ratio: f64,
}

impl FlowBalance {
    /// An empty balance for a network's run.
    pub fn new(network: &Network) -> FlowBalance {
        FlowBalance {
            roles: network
                .nodes
                .iter()
                .map(|n| match n.kind {
                    NodeKind::Junction(_) => Role::Junction,
                    NodeKind::Reservoir(_) => Role::Reservoir,
                    NodeKind::Tank(_) => Role::Tank,
                })
                .collect(),
            pressure_driven: network.options.demand_model == DemandModel::PressureDriven,
            duration: network.times.duration,
            total_inflow: 0.0,
            total_outflow: 0.0,
            consumer_demand: 0.0,
            demand_deficit: 0.0,
            emitter_flow: 0.0,
            leakage_flow: 0.0,
            storage_flow: 0.0,
            ratio: 0.0,
        }
    }

    /// Adds the flows of one hydraulic solution at `time` held for `step` seconds (per node,
    /// m³/s: EPANET's demand, emitter outflow, leakage and the demand asked for).
    pub fn add(
        &mut self,
        time: u64,
        step: u64,
        node_demand: &[f64],
        emitter_flow: &[f64],
        leakage_flow: &[f64],
        full_demand: &[f64],
    ) {
        // As EPANET: a single-period run counts one second; the last solution of a longer
        // run counts nothing.
        let dt = if self.duration == 0 {
            1.0
        } else if time < self.duration {
            step as f64
        } else {
            return;
        };
        let mut inflow = 0.0;
        let mut outflow = 0.0;
        let mut consumer = 0.0;
        let mut deficit = 0.0;
        let mut emitter = 0.0;
        let mut leakage = 0.0;
        let mut storage = 0.0;
        for (i, role) in self.roles.iter().enumerate() {
            let demand = node_demand.get(i).copied().unwrap_or(0.0);
            match role {
                Role::Junction => {
                    let e = emitter_flow.get(i).copied().unwrap_or(0.0);
                    let l = leakage_flow.get(i).copied().unwrap_or(0.0);
                    let delivered = demand - e - l;
                    if delivered < 0.0 {
                        inflow -= delivered;
                    } else {
                        consumer += delivered;
                        outflow += delivered;
                    }
                    emitter += e;
                    leakage += l;
                    outflow += e + l;
                    let asked = full_demand.get(i).copied().unwrap_or(0.0);
                    if self.pressure_driven && asked > 0.0 && asked > delivered {
                        deficit += asked - delivered;
                    }
                }
                Role::Reservoir => {
                    if demand >= 0.0 {
                        outflow += demand;
                    } else {
                        inflow -= demand;
                    }
                }
                Role::Tank => storage += demand,
            }
        }
        self.total_inflow += inflow * dt;
        self.total_outflow += outflow * dt;
        self.consumer_demand += consumer * dt;
        self.demand_deficit += deficit * dt;
        self.emitter_flow += emitter * dt;
        self.leakage_flow += leakage * dt;
        self.storage_flow += storage * dt;
    }

    /// Turns the volumes added into average flows and works out the ratio.
    pub fn finish(&mut self) {
        let seconds = if self.duration > 0 {
            self.duration as f64
        } else {
            1.0
        };
        for value in [
            &mut self.total_inflow,
            &mut self.total_outflow,
            &mut self.consumer_demand,
            &mut self.demand_deficit,
            &mut self.emitter_flow,
            &mut self.leakage_flow,
            &mut self.storage_flow,
        ] {
            *value /= seconds;
        }
        let mut qin = self.total_inflow;
        let mut qout = self.total_outflow;
        if self.storage_flow > 0.0 {
            qout += self.storage_flow;
        } else {
            qin -= self.storage_flow;
        }
        self.ratio = if qin == qout {
            1.0
        } else if qin > 0.0 {
            qout / qin
        } else {
            0.0
        };
    }
}

/// EPANET's water-quality mass balance over a run, in its mass units (see
/// `danjiang_quality::MassBalance`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MassBalanceLines {
    /// Mass in pipes and tanks at the start.
    pub initial: f64,
    /// Mass that entered.
    pub inflow: f64,
    /// Mass that left.
    pub outflow: f64,
    /// Mass lost to reactions.
    pub reacted: f64,
    /// Mass in pipes and tanks at the end.
    pub final_mass: f64,
    /// EPANET's mass ratio.
    pub ratio: f64,
    /// Water parcels made less parcels flushed out.
    pub segments: i64,
}
