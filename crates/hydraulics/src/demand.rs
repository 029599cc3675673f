//! Flows that leave the network at junctions: emitters and pressure-driven demands,
//! each modelled as a fictitious link to a reservoir at the junction's elevation
//! (EPANET's `emitterheadloss`, `demandheadloss`).

use crate::network_view::{NetworkView, CSMALL};
use crate::solver::state::SolverState;

/// Adds a steep head loss that keeps a flow from falling below zero (`dq` = flow - limit).
pub(crate) fn add_lower_barrier(dq: f64, loss: &mut f64, gradient: &mut f64) {
    let a = 1.0e9 * dq;
    let b = (a * a + 1.0e-6).sqrt();
    *loss += (a - b) / 2.0;
    *gradient += (1.0e9 / 2.0) * (1.0 - a / b);
}

/// Adds a steep head loss that keeps a flow from rising above a limit (`dq` = flow - limit).
pub(crate) fn add_upper_barrier(dq: f64, loss: &mut f64, gradient: &mut f64) {
    let a = 1.0e9 * dq;
    let b = (a * a + 1.0e-6).sqrt();
    *loss += (a + b) / 2.0;
    *gradient += (1.0e9 / 2.0) * (1.0 + a / b);
}

/// Head loss (ft) and its gradient across junction `i`'s emitter at its current flow.
pub(crate) fn emitter_head_loss(view: &NetworkView, state: &SolverState, i: usize) -> (f64, f64) {
    let ke = view.nodes.emitter[i].max(CSMALL);
    let q = state.emitter_flow[i];
    let qexp = view.options.emitter_flow_exponent;
    let mut gradient = qexp * ke * q.abs().powf(qexp - 1.0);
    let mut loss;
    if gradient < view.options.relative_flow_tolerance {
        gradient = view.options.relative_flow_tolerance / qexp;
        loss = gradient * q;
    } else {
        loss = gradient * q / qexp;
    }
    if !view.options.emitter_backflow {
        add_lower_barrier(q, &mut loss, &mut gradient);
    }
    (loss, gradient)
}

/// Head loss and gradient of delivering junction `i`'s pressure-driven demand;
/// `dp` is the pressure range and `n` the inverse of the pressure exponent.
pub(crate) fn demand_head_loss(state: &SolverState, i: usize, dp: f64, n: f64) -> (f64, f64) {
    let d = state.demand_flow[i];
    let full = state.full_demand[i];
    let r = d.abs() / full;
    let mut gradient = n * dp * r.powf(n - 1.0) / full;
    let mut loss = gradient * d / n;
    add_lower_barrier(d, &mut loss, &mut gradient);
    add_upper_barrier(d - full, &mut loss, &mut gradient);
    (loss, gradient)
}

/// Head loss and gradient of one leakage "emitter" at flow `q`: h = c q^(1/n).
fn leak_head_loss(q: f64, c: f64, n: f64) -> (f64, f64) {
    let n = 1.0 / n;
    let mut gradient = n * c * q.abs().powf(n - 1.0);
    let mut loss = gradient * q / n;
    add_lower_barrier(q, &mut loss, &mut gradient);
    (loss, gradient)
}

/// Head losses and gradients of junction `i`'s fixed-area and variable-area leakage, or
/// `None` when no pipe leaks into it.
pub(crate) fn leakage_head_loss(
    view: &NetworkView,
    state: &SolverState,
    i: usize,
) -> Option<((f64, f64), (f64, f64))> {
    let (cfa, cva) = view.nodes.leakage[i];
    if cfa == 0.0 && cva == 0.0 {
        return None;
    }
    let fixed = if cfa == 0.0 {
        (0.0, 0.0)
    } else {
        leak_head_loss(state.leak_fixed[i], cfa, 0.5)
    };
    let variable = if cva == 0.0 {
        (0.0, 0.0)
    } else {
        leak_head_loss(state.leak_variable[i], cva, 1.5)
    };
    Some((fixed, variable))
}
