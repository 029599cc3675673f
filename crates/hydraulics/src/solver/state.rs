//! The variables of the hydraulic solution (EPANET's node and link arrays that change
//! during a run), kept apart from the solver so the modules the solver calls share them
//! without importing the solver.

use crate::network_view::NetworkView;
use crate::state::{LinkStatus, TrialEvent};

/// The variables of the hydraulic solution, in EPANET's units and node order.
#[derive(Debug, Clone)]
pub(crate) struct SolverState {
    /// Head at each node, ft.
    pub head: Vec<f64>,
    /// Consumer demand delivered at each junction, ft³/s.
    pub demand_flow: Vec<f64>,
    /// Consumer demand asked for at each junction, ft³/s.
    pub full_demand: Vec<f64>,
    /// Emitter outflow at each junction, ft³/s.
    pub emitter_flow: Vec<f64>,
    /// Pipe leakage at each junction (fixed-area plus variable-area), ft³/s.
    pub leakage_flow: Vec<f64>,
    /// Fixed-area leakage flow per junction, ft³/s.
    pub leak_fixed: Vec<f64>,
    /// Variable-area leakage flow per junction, ft³/s.
    pub leak_variable: Vec<f64>,
    /// Junction outflow, or net inflow of a tank or reservoir, ft³/s.
    pub node_demand: Vec<f64>,
    /// Flow balance at each node during assembly, ft³/s (EPANET's Xflow).
    pub flow_balance: Vec<f64>,
    /// Flow in each link, ft³/s.
    pub flow: Vec<f64>,
    /// Status of each link.
    pub status: Vec<LinkStatus>,
    /// Setting of each link in EPANET's units (a pipe's roughness, a pump's speed, a
    /// valve's pressure in ft or flow in ft³/s; `MISSING` for a valve fixed open or closed).
    pub setting: Vec<f64>,
    /// Resistance coefficient of each link (a PCV's changes with its setting).
    pub resistance: Vec<f64>,
    /// Inverse of each link's head loss gradient, ft³/s per ft (EPANET's P).
    pub inverse_gradient: Vec<f64>,
    /// Each link's flow correction term, ft³/s (EPANET's Y: head loss over gradient).
    pub flow_correction: Vec<f64>,
    /// Factor on the flow changes of a trial (0.6 once damping starts, else 1).
    pub relax_factor: f64,
    /// Volume of each tank, ft³.
    pub tank_volume: Vec<f64>,
    /// The trials of the current solution for a full status report, in EPANET's units
    /// (ft³/s, ft) with internal node indices; `None` when no one asked for them.
    pub trace: Option<Vec<TrialEvent>>,
}

impl SolverState {
    /// Records a line of the full status report when one is asked for.
    #[inline]
    pub(crate) fn note(&mut self, event: TrialEvent) {
        if let Some(trace) = self.trace.as_mut() {
            trace.push(event);
        }
    }

    /// Records a change of link `k`'s status from `old` (full status report).
    #[inline]
    pub(crate) fn note_status(&mut self, k: usize, old: LinkStatus) {
        if self.trace.is_some() && self.status[k] != old {
            self.note(TrialEvent::StatusChange {
                link: k,
                from: old,
                to: self.status[k],
            });
        }
    }

    pub(crate) fn new(view: &NetworkView) -> SolverState {
        let n = view.nodes.count;
        let m = view.links.count;
        SolverState {
            head: vec![0.0; n],
            demand_flow: vec![0.0; n],
            full_demand: vec![0.0; n],
            emitter_flow: vec![0.0; n],
            leakage_flow: vec![0.0; n],
            leak_fixed: (0..n)
                .map(|i| match view.nodes.leakage.get(i) {
                    Some(&(cfa, _)) if cfa > 0.0 => 0.001,
                    _ => 0.0,
                })
                .collect(),
            leak_variable: (0..n)
                .map(|i| match view.nodes.leakage.get(i) {
                    Some(&(_, cva)) if cva > 0.0 => 0.001,
                    _ => 0.0,
                })
                .collect(),
            node_demand: vec![0.0; n],
            flow_balance: vec![0.0; n],
            flow: vec![0.0; m],
            status: vec![LinkStatus::Open; m],
            setting: vec![0.0; m],
            resistance: vec![0.0; m],
            inverse_gradient: vec![0.0; m],
            flow_correction: vec![0.0; m],
            relax_factor: 1.0,
            tank_volume: vec![0.0; view.tanks.len()],
            trace: None,
        }
    }
}
