//! A whole hydraulic run: depth and head at every node and flow in every link at every report
//! step (SWMM's report times: the report start plus whole report steps).

use crate::canal::Canal;
use crate::error::Result;
use crate::hydraulics::{link_flow, HydraulicState, Simulation};
use crate::model::NodeKind;
use crate::steady::initial_state;
use serde::Serialize;

/// Series at the report steps, one row per report time.
#[derive(Debug, Clone, Serialize)]
pub struct RunResults {
    /// Report times, s from the start.
    pub times_s: Vec<f64>,
    /// Node IDs, in input order.
    pub node_ids: Vec<String>,
    /// Link IDs, in input order.
    pub link_ids: Vec<String>,
    /// Water depth above each node's invert, m: `depth[period][node]`.
    pub depth: Vec<Vec<f64>>,
    /// Water level at each node, m.
    pub head: Vec<Vec<f64>>,
    /// Flow in each link, m³/s (positive downstream).
    pub flow: Vec<Vec<f64>>,
}

/// Runs the canal from its initial state to the end; `on_step` sees every computed state.
pub fn run_with(
    canal: &Canal,
    mut on_step: impl FnMut(&Simulation) -> Result<()>,
) -> Result<RunResults> {
    let options = &canal.model.options;
    let mut results = RunResults {
        times_s: Vec::new(),
        node_ids: canal.model.nodes.iter().map(|n| n.id.clone()).collect(),
        link_ids: canal.model.links.iter().map(|l| l.id.clone()).collect(),
        depth: Vec::new(),
        head: Vec::new(),
        flow: Vec::new(),
    };
    let mut simulation = Simulation::new(canal, initial_state(canal)?);
    let mut next_report = options.report_start_s + options.report_step_s;
    while simulation.step()? {
        on_step(&simulation)?;
        let (before, after) = (&simulation.previous, &simulation.state);
        while next_report <= after.time_s + 1e-6 {
            let span = after.time_s - before.time_s;
            let weight = if span > 0.0 {
                ((next_report - before.time_s) / span).clamp(0.0, 1.0)
            } else {
                1.0
            };
            record(
                canal,
                &simulation,
                before,
                after,
                weight,
                next_report,
                &mut results,
            );
            next_report += options.report_step_s;
        }
    }
    Ok(results)
}

/// Runs the canal from its initial state to the end.
pub fn run(canal: &Canal) -> Result<RunResults> {
    run_with(canal, |_| Ok(()))
}

fn record(
    canal: &Canal,
    simulation: &Simulation,
    before: &HydraulicState,
    after: &HydraulicState,
    weight: f64,
    time: f64,
    results: &mut RunResults,
) {
    let mix = |a: f64, b: f64| a + weight * (b - a);
    let mut depth = Vec::with_capacity(canal.model.nodes.len());
    let mut head = Vec::with_capacity(canal.model.nodes.len());
    for (index, node) in canal.model.nodes.iter().enumerate() {
        let level = match (canal.node_points[index], &node.kind) {
            (Some(point), _) => mix(before.level[point], after.level[point]),
            (None, NodeKind::Outfall(boundary)) => simulation
                .outfall_level(index, boundary, time)
                .max(node.invert),
            (None, _) => node.invert,
        };
        depth.push(level - node.invert);
        head.push(level);
    }
    let flow = (0..canal.model.links.len())
        .map(|link| {
            mix(
                link_flow(canal, before, link),
                link_flow(canal, after, link),
            )
        })
        .collect();
    results.times_s.push(time);
    results.depth.push(depth);
    results.head.push(head);
    results.flow.push(flow);
}
