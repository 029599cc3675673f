//! Control valves: their linearised coefficients (EPANET's `valvecoeff`, `prvcoeff`,
//! `psvcoeff`, `fcvcoeff`, ...) and the PCV loss coefficient from its opening.

use crate::network_view::{LinkType, NetworkView, CBIG, CSMALL, MISSING, TINY};
use crate::pump::curve_segment;
use crate::solver::matrix::SystemMatrix;
use crate::solver::state::SolverState;

/// Coefficients of a valve that is fully open, closed, or throttled by its minor loss
/// `minor` (flow basis).
pub(crate) fn open_valve_coefficients(
    view: &NetworkView,
    state: &mut SolverState,
    k: usize,
    minor: f64,
) {
    let flow = state.flow[k];
    if state.status[k].is_closed() {
        state.inverse_gradient[k] = 1.0 / CBIG;
        state.flow_correction[k] = flow;
        return;
    }
    if minor > 0.0 {
        let q = flow.abs();
        let mut gradient = 2.0 * minor * q;
        let loss;
        if gradient < view.options.relative_flow_tolerance {
            gradient = view.options.relative_flow_tolerance / 2.0;
            loss = flow * gradient;
        } else {
            loss = flow * gradient / 2.0;
        }
        state.inverse_gradient[k] = 1.0 / gradient;
        state.flow_correction[k] = loss / gradient;
    } else {
        state.inverse_gradient[k] = 1.0 / CSMALL;
        state.flow_correction[k] = flow;
    }
}

/// Coefficients of link `k` if it is a valve other than an active PRV, PSV or FCV (whose
/// coefficients go straight into the matrix, see [`add_control_valves`]).
pub(crate) fn valve_coefficients(view: &NetworkView, state: &mut SolverState, k: usize) {
    let minor = view.links.minor_loss[k];
    match view.links.kind[k] {
        LinkType::Pbv => {
            let setting = state.setting[k];
            if setting == MISSING
                || setting == 0.0
                || minor * state.flow[k] * state.flow[k] > setting
            {
                open_valve_coefficients(view, state, k, minor);
            } else {
                // Fixed head loss equal to the setting.
                state.inverse_gradient[k] = CBIG;
                state.flow_correction[k] = setting * CBIG;
            }
        }
        LinkType::Tcv => {
            let setting = state.setting[k];
            let d = view.links.diameter[k];
            let km = if setting != MISSING {
                0.02517 * setting / ((d * d) * (d * d))
            } else {
                minor
            };
            open_valve_coefficients(view, state, k, km);
        }
        LinkType::Pcv => {
            let km = if state.setting[k] != MISSING {
                state.resistance[k]
            } else {
                minor
            };
            open_valve_coefficients(view, state, k, km);
        }
        LinkType::Gpv => {
            if state.status[k] == crate::state::LinkStatus::Closed {
                open_valve_coefficients(view, state, k, minor);
            } else {
                let flow = state.flow[k];
                let number = state.setting[k].round().max(0.0) as usize;
                let q = flow.abs().max(TINY);
                let (h0, r) = match view.links.gpv_curves.get(number) {
                    Some(points) => curve_segment(points, q, view.units.flow, view.units.head),
                    None => (0.0, 0.0),
                };
                let r = r.max(TINY);
                state.inverse_gradient[k] = 1.0 / r;
                state.flow_correction[k] = (h0 / r + q) * if flow < 0.0 { -1.0 } else { 1.0 };
            }
        }
        LinkType::Prv | LinkType::Psv | LinkType::Fcv => {
            if state.setting[k] == MISSING {
                open_valve_coefficients(view, state, k, minor);
            } else {
                state.inverse_gradient[k] = 0.0;
            }
        }
        _ => {}
    }
}

/// The loss coefficient (flow basis) of a PCV at `percent_open`.
pub(crate) fn pcv_loss_coefficient(view: &NetworkView, k: usize, percent_open: f64) -> f64 {
    if percent_open == MISSING {
        return 0.0;
    }
    let fully_open = view.links.minor_loss[k];
    if percent_open >= 100.0 {
        return fully_open;
    }
    if percent_open <= 0.0 {
        return CBIG;
    }
    let s = percent_open;
    let mut ratio = match &view.links.pcv_curve[k] {
        None => s,
        Some(points) => {
            let n = points.len();
            if s < points[0].0 {
                s / points[0].0 * points[0].1
            } else if s > points[n - 1].0 {
                let (x, y) = points[n - 1];
                (s - x) / (1.0 - x) * (1.0 - y) + y
            } else {
                let mut k2 = 0;
                while k2 < n && points[k2].0 < s {
                    k2 += 1;
                }
                if k2 == 0 {
                    k2 = 1;
                } else if k2 == n {
                    k2 -= 1;
                }
                let k1 = k2 - 1;
                if n < 2 {
                    points[0].1
                } else {
                    let slope = (points[k2].1 - points[k1].1) / (points[k2].0 - points[k1].0);
                    points[k1].1 + slope * (s - points[k1].0)
                }
            }
        }
    };
    ratio /= 100.0;
    ratio = ratio.clamp(CSMALL, 1.0);
    (fully_open / (ratio * ratio)).min(CBIG)
}

#[inline]
fn add_rhs(matrix: &mut SystemMatrix, view: &NetworkView, node: usize, value: f64) {
    if node < view.nodes.junction_count {
        matrix.add_to_rhs(node, value);
    }
}

#[inline]
fn add_diagonal(matrix: &mut SystemMatrix, view: &NetworkView, node: usize, value: f64) {
    if node < view.nodes.junction_count {
        matrix.add_to_diagonal(node, value);
    }
}

/// Adds the equations of PRVs, PSVs and FCVs that are not fixed open or closed.
pub(crate) fn add_control_valves(
    view: &NetworkView,
    state: &mut SolverState,
    matrix: &mut SystemMatrix,
) {
    use crate::state::LinkStatus;
    for &k in &view.links.valves {
        if state.setting[k] == MISSING {
            continue;
        }
        let (n1, n2) = (view.links.from[k], view.links.to[k]);
        match view.links.kind[k] {
            LinkType::Prv => {
                let head_setting = view.nodes.elevation[n2] + state.setting[k];
                if state.status[k] == LinkStatus::Active {
                    // Fix the downstream head at the setting and balance its flow.
                    state.inverse_gradient[k] = 0.0;
                    state.flow_correction[k] = state.flow[k] + state.flow_balance[n2];
                    add_rhs(matrix, view, n2, head_setting * CBIG);
                    add_diagonal(matrix, view, n2, CBIG);
                    if state.flow_balance[n2] < 0.0 {
                        add_rhs(matrix, view, n1, state.flow_balance[n2]);
                    }
                    continue;
                }
                open_valve_coefficients(view, state, k, view.links.minor_loss[k]);
                add_link_terms(view, state, matrix, k);
            }
            LinkType::Psv => {
                let head_setting = view.nodes.elevation[n1] + state.setting[k];
                if state.status[k] == LinkStatus::Active {
                    // Fix the upstream head at the setting and balance its flow.
                    state.inverse_gradient[k] = 0.0;
                    state.flow_correction[k] = state.flow[k] - state.flow_balance[n1];
                    add_rhs(matrix, view, n1, head_setting * CBIG);
                    add_diagonal(matrix, view, n1, CBIG);
                    if state.flow_balance[n1] > 0.0 {
                        add_rhs(matrix, view, n2, state.flow_balance[n1]);
                    }
                    // A tiny conductance keeps the downstream side connected.
                    matrix.add_to_off_diagonal(k, -1.0 / CBIG);
                    add_diagonal(matrix, view, n2, 1.0 / CBIG);
                    continue;
                }
                open_valve_coefficients(view, state, k, view.links.minor_loss[k]);
                add_link_terms(view, state, matrix, k);
            }
            LinkType::Fcv => {
                let q = state.setting[k];
                if state.status[k] == LinkStatus::Active {
                    state.flow_balance[n1] -= q;
                    state.flow_balance[n2] += q;
                    state.flow_correction[k] = state.flow[k] - q;
                    add_rhs(matrix, view, n1, -q);
                    add_rhs(matrix, view, n2, q);
                    state.inverse_gradient[k] = 1.0 / CBIG;
                    let p = state.inverse_gradient[k];
                    matrix.add_to_off_diagonal(k, -p);
                    add_diagonal(matrix, view, n1, p);
                    add_diagonal(matrix, view, n2, p);
                } else {
                    open_valve_coefficients(view, state, k, view.links.minor_loss[k]);
                    add_link_terms(view, state, matrix, k);
                }
            }
            _ => {}
        }
    }
}

/// Matrix terms of a valve treated as an ordinary link inside `add_control_valves`.
fn add_link_terms(view: &NetworkView, state: &SolverState, matrix: &mut SystemMatrix, k: usize) {
    let (n1, n2) = (view.links.from[k], view.links.to[k]);
    let p = state.inverse_gradient[k];
    let correction = state.flow_correction[k] - state.flow[k];
    matrix.add_to_off_diagonal(k, -p);
    add_diagonal(matrix, view, n1, p);
    add_diagonal(matrix, view, n2, p);
    add_rhs(matrix, view, n1, correction);
    add_rhs(matrix, view, n2, -correction);
}
