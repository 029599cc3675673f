//! One hydraulic solution: EPANET's `hydsolve` with its trial loop, status checks,
//! damping and convergence tests.

use crate::controls::check_pressure_controls;
use crate::demand::{demand_head_loss, emitter_head_loss, leakage_head_loss};
use crate::headloss::PipeLossModel;
use crate::network_view::{LinkType, NetworkView, PumpCurveKind, MINIMUM_PRESSURE_RANGE};
use crate::pump::pump_coefficients;
use crate::solver::matrix::{SolveFailure, SystemMatrix};
use crate::solver::state::SolverState;
use crate::state::{BalanceSite, LinkStatus, TrialEvent};
use crate::status::{check_links, check_pressure_valves};
use crate::valve::{add_control_valves, valve_coefficients};
use danjiang_network::DemandModel;

/// What one solution reports.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SolveReport {
    pub iterations: u32,
    pub relative_error: f64,
}

/// Why one solution failed.
#[derive(Debug, Clone)]
pub(crate) enum SolveError {
    /// Ill-conditioned at this internal node.
    IllConditioned(usize),
}

/// Computes every link's coefficients from its current flow (EPANET's `headlosscoeffs`).
pub(crate) fn head_loss_coefficients(view: &NetworkView, state: &mut SolverState) {
    // Pipes first, in one pass over slices cut to the link count (no per-access checks,
    // no reloading of the arrays between links); then the few pumps and valves. Each
    // link's coefficients depend on that link alone, so the order does not matter.
    let links = view.links.count;
    let model = PipeLossModel::new(view);
    let link_type = &view.links.kind[..links];
    let (minor, diameter) = (
        &view.links.minor_loss[..links],
        &view.links.diameter[..links],
    );
    let roughness = &view.links.roughness[..links];
    let (flow, status) = (&state.flow[..links], &state.status[..links]);
    let resistance = &state.resistance[..links];
    let (p, y) = (
        &mut state.inverse_gradient[..links],
        &mut state.flow_correction[..links],
    );
    for k in 0..links {
        if matches!(link_type[k], LinkType::Pipe | LinkType::CheckValvePipe) {
            (p[k], y[k]) = model.coefficients(
                flow[k],
                status[k].is_closed(),
                resistance[k],
                minor[k],
                diameter[k],
                roughness[k],
            );
        }
    }
    for pump in &view.pumps {
        pump_coefficients(view, state, pump.link);
    }
    for &k in &view.links.valves {
        valve_coefficients(view, state, k);
    }
}

fn matrix_coefficients(view: &NetworkView, state: &mut SolverState, matrix: &mut SystemMatrix) {
    matrix.clear();
    state.flow_balance.fill(0.0);
    let nj = view.nodes.junction_count;
    // Links. Every per-link slice is cut to the link count so only node-indexed accesses
    // are bounds-checked in this, the trial's hottest loop after the factorisation.
    let links = view.links.count;
    let ends = view.links.from[..links].iter().zip(&view.links.to[..links]);
    let coefficients = state.inverse_gradient[..links]
        .iter()
        .zip(&state.flow_correction[..links]);
    let flows = &state.flow[..links];
    let (balance, head) = (&mut state.flow_balance[..], &state.head[..]);
    let mut assembly = matrix.assembly();
    for (k, (((&n1, &n2), (&p, &y)), &flow)) in ends.zip(coefficients).zip(flows).enumerate() {
        if p == 0.0 {
            continue;
        }
        balance[n1] -= flow;
        balance[n2] += flow;
        assembly.add_to_off_diagonal(k, -p);
        if n1 < nj {
            assembly.add_to_diagonal(n1, p);
            assembly.add_to_rhs(n1, y);
        } else if n2 < nj {
            assembly.add_to_rhs(n2, p * head[n1]);
        }
        if n2 < nj {
            assembly.add_to_diagonal(n2, p);
            assembly.add_to_rhs(n2, -y);
        } else if n1 < nj {
            assembly.add_to_rhs(n1, p * head[n2]);
        }
    }
    // Emitters.
    for &i in &view.nodes.emitter_junctions {
        let (loss, gradient) = emitter_head_loss(view, state, i);
        matrix.add_to_diagonal(i, 1.0 / gradient);
        matrix.add_to_rhs(i, (loss + view.nodes.elevation[i]) / gradient);
        state.flow_balance[i] -= state.emitter_flow[i];
    }
    // Pressure-driven demands.
    if view.options.demand_model == DemandModel::PressureDriven {
        let dp = view.options.required_pressure - view.options.minimum_pressure;
        let n = 1.0 / view.options.pressure_exponent;
        for i in 0..nj {
            if state.full_demand[i] <= 0.0 {
                continue;
            }
            let (loss, gradient) = demand_head_loss(state, i, dp, n);
            if gradient > 0.0 {
                matrix.add_to_diagonal(i, 1.0 / gradient);
                matrix.add_to_rhs(
                    i,
                    (loss + view.nodes.elevation[i] + view.options.minimum_pressure) / gradient,
                );
            }
        }
    }
    // Pipe leakage, as two emitters per junction.
    if !view.nodes.leakage.is_empty() {
        for i in 0..nj {
            let Some(((hfa, gfa), (hva, gva))) = leakage_head_loss(view, state, i) else {
                continue;
            };
            if gfa > 0.0 {
                matrix.add_to_diagonal(i, 1.0 / gfa);
                matrix.add_to_rhs(i, (hfa + view.nodes.elevation[i]) / gfa);
            }
            if gva > 0.0 {
                matrix.add_to_diagonal(i, 1.0 / gva);
                matrix.add_to_rhs(i, (hva + view.nodes.elevation[i]) / gva);
            }
            state.flow_balance[i] -= state.leak_fixed[i] + state.leak_variable[i];
        }
    }
    // Node balances.
    let mut assembly = matrix.assembly();
    for (i, (balance, &demand)) in state.flow_balance[..nj]
        .iter_mut()
        .zip(&state.demand_flow[..nj])
        .enumerate()
    {
        *balance -= demand;
        assembly.add_to_rhs(i, *balance);
    }
    add_control_valves(view, state, matrix);
}

/// The sums and largest flow change of one trial's flow update.
struct FlowChanges {
    /// Sum of the flows' magnitudes, ft³/s.
    qsum: f64,
    /// Sum of the flow changes' magnitudes, ft³/s.
    dqsum: f64,
    /// Largest flow change, ft³/s.
    max_change: f64,
    /// Where the largest change is.
    site: BalanceSite,
}

impl FlowChanges {
    /// Adds a new flow and its change `dq` at `site`, in the order EPANET adds them.
    #[inline]
    fn add(&mut self, flow: f64, dq: f64, site: BalanceSite) {
        self.qsum += flow.abs();
        self.dqsum += dq.abs();
        if dq.abs() > self.max_change {
            self.max_change = dq.abs();
            self.site = site;
        }
    }
}

/// Updates flows from new heads; returns the relative flow change and the largest change.
fn new_flows(view: &NetworkView, state: &mut SolverState) -> (f64, f64, BalanceSite) {
    let mut changes = FlowChanges {
        qsum: 0.0,
        dqsum: 0.0,
        max_change: 0.0,
        // EPANET names the first link when nothing changed.
        site: BalanceSite::Link(0),
    };
    let nj = view.nodes.junction_count;
    for n in nj..view.nodes.count {
        state.node_demand[n] = 0.0;
    }
    new_link_flows(view, state, &mut changes);
    new_emitter_flows(view, state, &mut changes);
    if view.options.demand_model == DemandModel::PressureDriven {
        new_demand_flows(view, state, &mut changes);
    }
    if !view.nodes.leakage.is_empty() {
        new_leakage_flows(view, state, &mut changes);
    }
    let FlowChanges {
        qsum,
        dqsum,
        max_change,
        site,
    } = changes;
    let relative = if qsum > view.options.accuracy {
        dqsum / qsum
    } else {
        dqsum
    };
    (relative, max_change, site)
}

/// Link flows from new heads; tanks' and reservoirs' net inflows.
fn new_link_flows(view: &NetworkView, state: &mut SolverState, changes: &mut FlowChanges) {
    let nj = view.nodes.junction_count;
    // Per-link slices cut to the link count, so only node-indexed accesses are checked.
    let links = view.links.count;
    let relax_factor = state.relax_factor;
    let (from, to) = (&view.links.from[..links], &view.links.to[..links]);
    let (p, y) = (
        &state.inverse_gradient[..links],
        &state.flow_correction[..links],
    );
    let (link_type, status) = (&view.links.kind[..links], &state.status[..links]);
    let flows = &mut state.flow[..links];
    for k in 0..links {
        let (n1, n2) = (from[k], to[k]);
        let dh = state.head[n1] - state.head[n2];
        let mut dq = y[k] - p[k] * dh;
        dq *= relax_factor;
        if link_type[k] == LinkType::Pump {
            if let Some(pump) = view.links.pump_of_link[k] {
                if view.pumps[pump].curve_kind == PumpCurveKind::ConstantPower && dq > flows[k] {
                    // Keep a constant-power pump's flow from turning negative.
                    dq = flows[k] / 2.0;
                }
            }
        }
        flows[k] -= dq;
        let flow = flows[k];
        changes.add(flow, dq, BalanceSite::Link(k));
        if !status[k].is_closed() {
            if n1 >= nj {
                state.node_demand[n1] -= flow;
            }
            if n2 >= nj {
                state.node_demand[n2] += flow;
            }
        }
    }
}

/// Emitter flows from new heads.
fn new_emitter_flows(view: &NetworkView, state: &mut SolverState, changes: &mut FlowChanges) {
    for &i in &view.nodes.emitter_junctions {
        let (loss, gradient) = emitter_head_loss(view, state, i);
        let dh = state.head[i] - view.nodes.elevation[i];
        let dq = (loss - dh) / gradient * state.relax_factor;
        state.emitter_flow[i] -= dq;
        changes.add(state.emitter_flow[i], dq, BalanceSite::Node(i));
    }
}

/// Pressure-driven demands from new heads.
fn new_demand_flows(view: &NetworkView, state: &mut SolverState, changes: &mut FlowChanges) {
    let nj = view.nodes.junction_count;
    let dp = (view.options.required_pressure - view.options.minimum_pressure)
        .max(MINIMUM_PRESSURE_RANGE);
    let n = 1.0 / view.options.pressure_exponent;
    for i in 0..nj {
        let full = state.full_demand[i];
        if full <= 0.0 {
            continue;
        }
        let (loss, gradient) = demand_head_loss(state, i, dp, n);
        let dh = state.head[i] - view.nodes.elevation[i] - view.options.minimum_pressure;
        let mut dq = (loss - dh) / gradient * state.relax_factor;
        if dq.abs() > 0.4 * full {
            dq = 0.4 * if dq < 0.0 { -1.0 } else { 1.0 } * full;
        }
        state.demand_flow[i] -= dq;
        changes.add(state.demand_flow[i], dq, BalanceSite::Node(i));
    }
}

/// Pipe leakage flows from new heads.
fn new_leakage_flows(view: &NetworkView, state: &mut SolverState, changes: &mut FlowChanges) {
    let nj = view.nodes.junction_count;
    for i in 0..nj {
        let Some(((hfa, gfa), (hva, gva))) = leakage_head_loss(view, state, i) else {
            continue;
        };
        let h = state.head[i] - view.nodes.elevation[i];
        let mut dq_fixed = 0.0;
        if gfa > 0.0 {
            dq_fixed = (hfa - h) / gfa * state.relax_factor;
            state.leak_fixed[i] -= dq_fixed;
        }
        let mut dq_variable = 0.0;
        if gva > 0.0 {
            dq_variable = (hva - h) / gva * state.relax_factor;
            state.leak_variable[i] -= dq_variable;
        }
        state.leakage_flow[i] = state.leak_fixed[i] + state.leak_variable[i];
        let dq = dq_fixed + dq_variable;
        if dq == 0.0 {
            continue;
        }
        changes.add(state.leakage_flow[i], dq, BalanceSite::Node(i));
    }
}

/// The largest head loss error of any open link, ft, and that link (the first link when
/// there is none, as EPANET's `checkhydbalance`).
fn max_head_error(view: &NetworkView, state: &mut SolverState) -> (f64, usize) {
    head_loss_coefficients(view, state);
    let mut worst: f64 = 0.0;
    let mut link = 0;
    for k in 0..view.links.count {
        if state.status[k].is_closed() || state.inverse_gradient[k] == 0.0 {
            continue;
        }
        let dh = state.head[view.links.from[k]] - state.head[view.links.to[k]];
        let loss = state.flow_correction[k] / state.inverse_gradient[k];
        let error = (dh - loss).abs();
        if error > worst {
            worst = error;
            link = k;
        }
    }
    (worst, link)
}

fn pda_converged(view: &NetworkView, state: &SolverState) -> bool {
    const QTOL: f64 = 0.0001;
    let dp = view.options.required_pressure - view.options.minimum_pressure;
    let mut converged = true;
    for i in 0..view.nodes.junction_count {
        let full = state.full_demand[i];
        if full <= 0.0 {
            continue;
        }
        let p = state.head[i] - view.nodes.elevation[i];
        let q = if p <= view.options.minimum_pressure {
            0.0
        } else if p >= view.options.required_pressure {
            full
        } else {
            full * ((p - view.options.minimum_pressure) / dp).powf(view.options.pressure_exponent)
        };
        if (q - state.demand_flow[i]).abs() > QTOL {
            converged = false;
        }
    }
    converged
}

fn has_converged(
    view: &NetworkView,
    state: &mut SolverState,
    relative_error: f64,
    max_flow_change: f64,
    flow_change_at: BalanceSite,
) -> bool {
    if relative_error > view.options.accuracy {
        return false;
    }
    // EPANET always finds the largest head error here; only its limit and the full status
    // report read it, and the coefficients it recomputes are recomputed again before they
    // are next used, so it is skipped when neither asks.
    if view.options.head_error_limit > 0.0 || state.trace.is_some() {
        let (head_error, head_error_link) = max_head_error(view, state);
        state.note(TrialEvent::Balance {
            max_flow_change,
            flow_change_at,
            max_head_error: head_error,
            head_error_link,
        });
        if view.options.head_error_limit > 0.0 && head_error > view.options.head_error_limit {
            return false;
        }
    }
    if view.options.flow_change_limit > 0.0 && max_flow_change > view.options.flow_change_limit {
        return false;
    }
    if !view.nodes.leakage.is_empty() && !leakage_converged(view, state) {
        return false;
    }
    if view.options.demand_model == DemandModel::PressureDriven {
        return pda_converged(view, state);
    }
    true
}

/// True when every junction's leakage agrees with its pressure within 0.0001 ft³/s.
fn leakage_converged(view: &NetworkView, state: &SolverState) -> bool {
    const QTOL: f64 = 0.0001;
    for i in 0..view.nodes.junction_count {
        let (cfa, cva) = view.nodes.leakage[i];
        if cfa == 0.0 && cva == 0.0 {
            continue;
        }
        let h = state.head[i] - view.nodes.elevation[i];
        let mut expected = 0.0;
        if h > 0.0 {
            if cfa > 0.0 {
                expected = (h / cfa).sqrt();
            }
            if cva > 0.0 {
                expected += (h / cva).powf(1.5);
            }
        }
        let actual = state.leak_fixed[i] + state.leak_variable[i];
        if (expected - actual).abs() > QTOL {
            return false;
        }
    }
    true
}

/// Fixes the status of an active control valve at `node` that makes the equations
/// inconsistent; true if one was found.
fn fix_bad_valve(view: &NetworkView, state: &mut SolverState, node: usize) -> bool {
    for &k in &view.links.valves {
        let (n1, n2) = (view.links.from[k], view.links.to[k]);
        if node == n1 || node == n2 {
            let t = view.links.kind[k];
            if matches!(t, LinkType::Prv | LinkType::Psv | LinkType::Fcv)
                && state.status[k] == LinkStatus::Active
            {
                state.status[k] = if t == LinkType::Fcv {
                    LinkStatus::FcvCannotDeliver
                } else {
                    LinkStatus::CannotDeliverPressure
                };
                state.note(TrialEvent::IllConditionedValve { link: k });
                return true;
            }
            return false;
        }
    }
    false
}

/// Solves the network equations at the current time (EPANET's `hydsolve`).
pub(crate) fn solve(
    view: &NetworkView,
    state: &mut SolverState,
    matrix: &mut SystemMatrix,
) -> Result<SolveReport, SolveError> {
    let opts = &view.options;
    let mut next_check = opts.check_frequency;
    state.relax_factor = 1.0;
    let mut max_trials = opts.max_trials;
    if opts.extra_trials > 0 {
        max_trials += opts.extra_trials as u32;
    }
    let mut iteration: u32 = 1;
    let mut relative_error = 0.0;
    let mut failure: Option<SolveError> = None;
    // Guards against endless valve fixing: each fix changes one valve for good.
    let mut fixes = 0usize;
    while iteration <= max_trials {
        head_loss_coefficients(view, state);
        matrix_coefficients(view, state, matrix);
        match matrix.solve() {
            Ok(()) => {}
            Err(SolveFailure::Pivot(junction)) => {
                if fixes <= view.links.valves.len() && fix_bad_valve(view, state, junction) {
                    fixes += 1;
                    continue;
                }
                failure = Some(SolveError::IllConditioned(junction));
                break;
            }
        }
        matrix.copy_solution(&mut state.head[..view.nodes.junction_count]);
        let (error, max_flow_change, flow_change_at) = new_flows(view, state);
        relative_error = error;
        state.note(TrialEvent::Trial {
            number: iteration,
            relative_flow_change: error,
        });

        state.relax_factor = 1.0;
        let mut valve_change = false;
        if opts.damp_limit > 0.0 {
            if relative_error <= opts.damp_limit {
                state.relax_factor = 0.6;
                valve_change = check_pressure_valves(view, state);
            }
        } else {
            valve_change = check_pressure_valves(view, state);
        }

        if has_converged(view, state, relative_error, max_flow_change, flow_change_at) {
            if iteration > opts.max_trials {
                break;
            }
            let mut status_change = valve_change;
            if check_links(view, state) {
                status_change = true;
            }
            if check_pressure_controls(view, state) {
                status_change = true;
            }
            if !status_change {
                break;
            }
            next_check = iteration + opts.check_frequency;
        } else if iteration <= opts.max_check && iteration == next_check {
            check_links(view, state);
            next_check += opts.check_frequency;
        }
        iteration += 1;
    }
    // Total outflow at each junction.
    for i in 0..view.nodes.junction_count {
        state.node_demand[i] = state.demand_flow[i] + state.emitter_flow[i] + state.leakage_flow[i];
    }
    if let Some(failure) = failure {
        return Err(failure);
    }
    Ok(SolveReport {
        iterations: iteration,
        relative_error,
    })
}
