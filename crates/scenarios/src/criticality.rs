//! Criticality: for each isolation segment (or each pipe, N-1), a pressure-driven run with it
//! shut off over the extended period, and the demand that then goes undelivered.

use crate::parallel::run_in_order;
use crate::segments::Segmentation;
use crate::table::{Cell, ColumnKind, Table};
use crate::valve_layer::IsolationValve;
use crate::ScenarioError;
use danjiang_hydraulics::{HydraulicSimulation, HydraulicState};
use danjiang_network::{DemandModel, InitialStatus, LinkIdx, LinkKind, Network, NodeIdx, NodeKind};
use std::fmt::Write as _;

/// What one scenario shuts off.
#[derive(Debug, Clone, PartialEq)]
pub struct Outage {
    /// Name in outputs: `segment 12` or `pipe P-7`.
    pub name: String,
    /// Links closed for the whole run.
    pub closed: Vec<LinkIdx>,
    /// Nodes cut off (left out of the lowest pressure).
    pub isolated: Vec<NodeIdx>,
}

/// One outage per isolation segment: its valves' links and its own links closed.
pub fn segment_outages(segmentation: &Segmentation, valves: &[IsolationValve]) -> Vec<Outage> {
    segmentation
        .segments
        .iter()
        .map(|segment| {
            let mut closed: Vec<LinkIdx> = segment
                .valves
                .iter()
                .map(|&v| valves[v].link)
                .chain(segment.links.iter().copied())
                .collect();
            closed.sort();
            closed.dedup();
            Outage {
                name: format!("segment {}", segment.number),
                closed,
                isolated: segment.nodes.clone(),
            }
        })
        .collect()
}

/// One outage per pipe (N-1), in link order.
pub fn pipe_outages(network: &Network) -> Vec<Outage> {
    network
        .links
        .iter()
        .enumerate()
        .filter(|(_, link)| matches!(link.kind, LinkKind::Pipe(_)))
        .map(|(index, link)| Outage {
            name: format!("pipe {}", link.id),
            closed: vec![LinkIdx::from_index(index)],
            isolated: Vec::new(),
        })
        .collect()
}

/// Settings of a criticality sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct CriticalityOptions {
    /// Pressure at and above which the full demand is delivered, m; `None` keeps the
    /// network's.
    pub required_pressure: Option<f64>,
    /// Pressure at and below which nothing is delivered, m; `None` keeps the network's.
    pub minimum_pressure: Option<f64>,
    /// Run length, s; `None` keeps the network's.
    pub duration: Option<u64>,
    /// Water plants: the undelivered demand of each is reported on its own.
    pub plants: Vec<NodeIdx>,
}

/// Results of one outage that ran.
#[derive(Debug, Clone, PartialEq)]
pub struct OutageResults {
    /// Volume not delivered per node with a shortfall, m³ over the run: (node, volume).
    pub node_shortfall: Vec<(NodeIdx, f64)>,
    /// Volume not delivered at each plant, m³, in plant order.
    pub plant_shortfall: Vec<f64>,
    /// Total volume not delivered, m³.
    pub total_shortfall: f64,
    /// Share of the requested volume not delivered.
    pub shortfall_fraction: f64,
    /// Lowest pressure at a junction that is not cut off, m, with the node and time.
    pub lowest_pressure: Option<(f64, NodeIdx, u64)>,
}

/// An outage and what came of it.
#[derive(Debug, Clone, PartialEq)]
pub struct OutageOutcome {
    /// Position in the whole sweep, from 1.
    pub number: usize,
    /// The outage.
    pub outage: Outage,
    /// Results, or why the run failed.
    pub result: Result<OutageResults, String>,
}

/// A criticality sweep over one network.
#[derive(Debug, Clone)]
pub struct CriticalitySweep {
    /// The network, pressure-driven.
    network: Network,
    /// Demand each node asks for over the run (from a demand-driven run), m³.
    requested: Vec<f64>,
    plants: Vec<NodeIdx>,
}

/// Shortfall below this (m³ over a run) is solver noise, not a node going without.
const SHORTFALL_NOISE: f64 = 1e-6;

impl CriticalitySweep {
    /// Sets up a sweep: the demand each node asks for comes from a demand-driven run of the
    /// intact network; the outage runs are pressure-driven.
    pub fn new(
        network: &Network,
        options: &CriticalityOptions,
    ) -> Result<CriticalitySweep, ScenarioError> {
        let mut base = network.clone();
        if let Some(duration) = options.duration {
            base.times.duration = duration;
        }
        let mut demand_driven = base.clone();
        demand_driven.options.demand_model = DemandModel::DemandDriven;
        let mut requested = vec![0.0; base.nodes.len()];
        run_volumes(&demand_driven, &mut requested, |_| {}).map_err(|e| {
            ScenarioError::Hydraulics(format!("demand-driven run of the intact network: {e}"))
        })?;
        base.options.demand_model = DemandModel::PressureDriven;
        if let Some(p) = options.required_pressure {
            base.options.required_pressure = p;
        }
        if let Some(p) = options.minimum_pressure {
            base.options.minimum_pressure = p;
        }
        let (required, minimum) = (
            base.options.required_pressure,
            base.options.minimum_pressure,
        );
        if required.is_nan() || minimum.is_nan() || required <= minimum {
            return Err(ScenarioError::BadOption(format!(
                "required pressure {} m must be above the minimum pressure {} m",
                base.options.required_pressure, base.options.minimum_pressure
            )));
        }
        Ok(CriticalitySweep {
            network: base,
            requested,
            plants: options.plants.clone(),
        })
    }

    /// Volume each node asks for over the run, m³ (from a demand-driven run), by node index.
    pub fn requested(&self) -> &[f64] {
        &self.requested
    }

    /// Total volume asked for over the run, m³.
    pub fn requested_total(&self) -> f64 {
        self.requested.iter().sum()
    }

    /// Runs outages on `threads` threads; results in outage order whatever the thread count.
    pub fn run(
        &self,
        outages: &[Outage],
        first_number: usize,
        threads: usize,
        progress: &(dyn Fn() + Sync),
    ) -> Result<Vec<OutageOutcome>, ScenarioError> {
        let numbered: Vec<(usize, &Outage)> = outages
            .iter()
            .enumerate()
            .map(|(i, o)| (first_number + i, o))
            .collect();
        run_in_order(
            &numbered,
            threads,
            || self.network.clone(),
            |network, &(number, outage)| OutageOutcome {
                number,
                outage: outage.clone(),
                result: self.run_one(network, outage),
            },
            progress,
        )
    }

    fn run_one(&self, network: &mut Network, outage: &Outage) -> Result<OutageResults, String> {
        let mut saved = Vec::with_capacity(outage.closed.len());
        for &link in &outage.closed {
            let Some(entry) = network.links.get_mut(link.index()) else {
                return Err(format!("link index {} is not in the network", link.index()));
            };
            saved.push((link, entry.initial_status));
            entry.initial_status = InitialStatus::Closed;
        }
        let mut isolated = vec![false; network.nodes.len()];
        for node in &outage.isolated {
            if let Some(flag) = isolated.get_mut(node.index()) {
                *flag = true;
            }
        }
        let is_junction: Vec<bool> = network
            .nodes
            .iter()
            .map(|n| matches!(n.kind, NodeKind::Junction(_)))
            .collect();
        let mut delivered = vec![0.0; network.nodes.len()];
        let mut lowest: Option<(f64, NodeIdx, u64)> = None;
        let result = run_volumes(network, &mut delivered, |state| {
            for (n, &pressure) in state.node_pressure.iter().enumerate() {
                if is_junction[n] && !isolated[n] && lowest.is_none_or(|(p, _, _)| pressure < p) {
                    lowest = Some((pressure, NodeIdx::from_index(n), state.time));
                }
            }
        });
        for (link, status) in saved {
            network.links[link.index()].initial_status = status;
        }
        result?;
        let mut node_shortfall = Vec::new();
        let mut total_shortfall = 0.0;
        for (n, (&asked, &got)) in self.requested.iter().zip(&delivered).enumerate() {
            let short = asked - got;
            if short > SHORTFALL_NOISE {
                node_shortfall.push((NodeIdx::from_index(n), short));
                total_shortfall += short;
            }
        }
        let plant_shortfall = self
            .plants
            .iter()
            .map(|p| (self.requested[p.index()] - delivered[p.index()]).max(0.0))
            .collect();
        let requested_total = self.requested_total();
        Ok(OutageResults {
            node_shortfall,
            plant_shortfall,
            total_shortfall,
            shortfall_fraction: if requested_total > 0.0 {
                total_shortfall / requested_total
            } else {
                0.0
            },
            lowest_pressure: lowest,
        })
    }
}

/// Runs the network's hydraulics to the end, adding each junction's consumer outflow
/// (demand less emitter and leakage) times the step length to `volumes`, m³; `observe` sees
/// every state.
fn run_volumes(
    network: &Network,
    volumes: &mut [f64],
    mut observe: impl FnMut(&HydraulicState),
) -> Result<(), String> {
    let mut simulation = HydraulicSimulation::new(network).map_err(|e| e.to_string())?;
    let is_junction: Vec<bool> = network
        .nodes
        .iter()
        .map(|n| matches!(n.kind, NodeKind::Junction(_)))
        .collect();
    loop {
        match simulation.step() {
            Ok(Some(state)) => {
                let dt = state.step_length as f64;
                for n in 0..volumes.len() {
                    if !is_junction[n] {
                        continue;
                    }
                    let emitter = state.emitter_flow.get(n).copied().unwrap_or(0.0);
                    let leakage = state.leakage_flow.get(n).copied().unwrap_or(0.0);
                    volumes[n] += (state.node_demand[n] - emitter - leakage) * dt;
                }
                observe(state);
            }
            Ok(None) => break,
            Err(e) => return Err(e.to_string()),
        }
    }
    if simulation.was_halted() {
        return Err("the hydraulic run stopped early: a solution did not converge".into());
    }
    Ok(())
}

/// Columns of the outage table.
pub fn outage_schema() -> Vec<(&'static str, ColumnKind)> {
    vec![
        ("scenario", ColumnKind::Integer),
        ("outage", ColumnKind::Text),
        ("closed_links", ColumnKind::Integer),
        ("status", ColumnKind::Text),
        ("error", ColumnKind::Text),
        ("volume_not_delivered_m3", ColumnKind::Number),
        ("fraction_not_delivered", ColumnKind::Number),
        ("nodes_short", ColumnKind::Integer),
        ("plants_short", ColumnKind::Integer),
        ("lowest_pressure_m", ColumnKind::Number),
        ("lowest_pressure_node", ColumnKind::Text),
        ("lowest_pressure_time_s", ColumnKind::Integer),
    ]
}

/// Columns of the per-node (and per-plant) shortfall table.
pub fn shortfall_schema() -> Vec<(&'static str, ColumnKind)> {
    vec![
        ("scenario", ColumnKind::Integer),
        ("outage", ColumnKind::Text),
        ("node", ColumnKind::Text),
        ("role", ColumnKind::Text),
        ("volume_not_delivered_m3", ColumnKind::Number),
    ]
}

/// One row per outage.
pub fn outage_table(network: &Network, outcomes: &[OutageOutcome]) -> Result<Table, ScenarioError> {
    let mut table = Table::new(&outage_schema());
    for outcome in outcomes {
        let mut row = vec![
            Cell::Integer(Some(outcome.number as i64)),
            Cell::Text(Some(outcome.outage.name.clone())),
            Cell::Integer(Some(outcome.outage.closed.len() as i64)),
        ];
        match &outcome.result {
            Ok(r) => {
                let (pressure, node, time) = match r.lowest_pressure {
                    Some((p, n, t)) => (Some(p), Some(network.node(n).id.clone()), Some(t as i64)),
                    None => (None, None, None),
                };
                row.extend([
                    Cell::Text(Some("ok".into())),
                    Cell::Text(None),
                    Cell::Number(Some(r.total_shortfall)),
                    Cell::Number(Some(r.shortfall_fraction)),
                    Cell::Integer(Some(r.node_shortfall.len() as i64)),
                    Cell::Integer(Some(
                        r.plant_shortfall
                            .iter()
                            .filter(|&&v| v > SHORTFALL_NOISE)
                            .count() as i64,
                    )),
                    Cell::Number(pressure),
                    Cell::Text(node),
                    Cell::Integer(time),
                ]);
            }
            Err(message) => row.extend([
                Cell::Text(Some("failed".into())),
                Cell::Text(Some(message.clone())),
                Cell::Number(None),
                Cell::Number(None),
                Cell::Integer(None),
                Cell::Integer(None),
                Cell::Number(None),
                Cell::Text(None),
                Cell::Integer(None),
            ]),
        }
        table.push(row)?;
    }
    Ok(table)
}

/// One row per outage and plant (always), and per outage and other node that went short.
pub fn shortfall_table(
    network: &Network,
    plants: &[NodeIdx],
    outcomes: &[OutageOutcome],
) -> Result<Table, ScenarioError> {
    let mut table = Table::new(&shortfall_schema());
    for outcome in outcomes {
        let Ok(r) = &outcome.result else { continue };
        let mut push = |node: NodeIdx, role: &str, volume: f64| {
            table.push(vec![
                Cell::Integer(Some(outcome.number as i64)),
                Cell::Text(Some(outcome.outage.name.clone())),
                Cell::Text(Some(network.node(node).id.clone())),
                Cell::Text(Some(role.into())),
                Cell::Number(Some(volume)),
            ])
        };
        for (&plant, &volume) in plants.iter().zip(&r.plant_shortfall) {
            push(plant, "plant", volume)?;
        }
        for &(node, volume) in &r.node_shortfall {
            if !plants.contains(&node) {
                push(node, "node", volume)?;
            }
        }
    }
    Ok(table)
}

/// The most critical outages by volume not delivered, and the failed ones.
pub fn criticality_summary(outages: &Table, top: usize) -> String {
    use crate::table::ColumnValues;
    let column = |name: &str| outages.names.iter().position(|n| n == name);
    let get = |name: &str| column(name).map(|c| &outages.columns[c]);
    let (
        Some(ColumnValues::Text(name)),
        Some(ColumnValues::Text(status)),
        Some(ColumnValues::Text(error)),
        Some(ColumnValues::Number(volume)),
        Some(ColumnValues::Number(fraction)),
        Some(ColumnValues::Number(pressure)),
        Some(ColumnValues::Integer(number)),
    ) = (
        get("outage"),
        get("status"),
        get("error"),
        get("volume_not_delivered_m3"),
        get("fraction_not_delivered"),
        get("lowest_pressure_m"),
        get("scenario"),
    )
    else {
        return "not an outage table\n".into();
    };
    let rows = outages.row_count();
    let failed: Vec<usize> = (0..rows)
        .filter(|&r| status[r].as_deref() != Some("ok"))
        .collect();
    let mut ranked: Vec<usize> = (0..rows)
        .filter(|&r| status[r].as_deref() == Some("ok"))
        .collect();
    ranked.sort_by(|&a, &b| {
        volume[b]
            .unwrap_or(0.0)
            .total_cmp(&volume[a].unwrap_or(0.0))
            .then(number[a].cmp(&number[b]))
    });
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{} outages, {} ran, {} failed",
        rows,
        rows - failed.len(),
        failed.len()
    );
    let _ = writeln!(text, "most critical (by volume not delivered):");
    let _ = writeln!(
        text,
        "{:>6}  {:<24} {:>16} {:>10} {:>14}",
        "rank", "outage", "not delivered m3", "share", "lowest p (m)"
    );
    for (rank, &r) in ranked.iter().take(top).enumerate() {
        let _ = writeln!(
            text,
            "{:>6}  {:<24} {:>16.3} {:>9.3}% {:>14}",
            rank + 1,
            name[r].as_deref().unwrap_or(""),
            volume[r].unwrap_or(0.0),
            100.0 * fraction[r].unwrap_or(0.0),
            pressure[r].map_or("-".to_string(), |p| format!("{p:.2}")),
        );
    }
    for &r in failed.iter().take(top) {
        let _ = writeln!(
            text,
            "failed: {}: {}",
            name[r].as_deref().unwrap_or(""),
            error[r].as_deref().unwrap_or("")
        );
    }
    text
}
