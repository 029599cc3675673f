//! Status checks made during the solution: check valves, pumps that cannot deliver head,
//! PRV/PSV/FCV state changes and links to full or empty tanks (EPANET's `hydstatus.c`).

use crate::network_view::{LinkType, NetworkView, PumpCurveKind, BIG, MISSING, TINY};
use crate::solver::state::SolverState;
use crate::state::LinkStatus;

/// Updates PRV and PSV statuses from the latest heads; true if any changed.
pub(crate) fn check_pressure_valves(view: &NetworkView, state: &mut SolverState) -> bool {
    let mut change = false;
    for &k in &view.links.valves {
        if state.setting[k] == MISSING {
            continue;
        }
        let (n1, n2) = (view.links.from[k], view.links.to[k]);
        let old = state.status[k];
        let new = match view.links.kind[k] {
            LinkType::Prv => {
                let head_setting = view.nodes.elevation[n2] + state.setting[k];
                prv_status(view, state, k, old, head_setting)
            }
            LinkType::Psv => {
                let head_setting = view.nodes.elevation[n1] + state.setting[k];
                psv_status(view, state, k, old, head_setting)
            }
            _ => continue,
        };
        state.status[k] = new;
        if new != old {
            change = true;
            state.note_status(k, old);
        }
    }
    change
}

/// Checks check valves, pumps, FCVs and links to tanks; true if any status changed.
pub(crate) fn check_links(view: &NetworkView, state: &mut SolverState) -> bool {
    let mut change = false;
    let htol = view.options.head_tolerance;
    let qtol = view.options.flow_tolerance;
    for k in 0..view.links.count {
        let (n1, n2) = (view.links.from[k], view.links.to[k]);
        let dh = state.head[n1] - state.head[n2];
        let old = state.status[k];
        if old == LinkStatus::ExceedsHead || old == LinkStatus::TemporarilyClosed {
            state.status[k] = LinkStatus::Open;
        }
        let link_type = view.links.kind[k];
        if link_type == LinkType::CheckValvePipe {
            let q = state.flow[k];
            let s = state.status[k];
            state.status[k] = if dh.abs() > htol {
                if dh < -htol || q < -qtol {
                    LinkStatus::Closed
                } else {
                    LinkStatus::Open
                }
            } else if q < -qtol {
                LinkStatus::Closed
            } else {
                s
            };
        }
        if link_type == LinkType::Pump
            && state.status[k] >= LinkStatus::Open
            && state.setting[k] > 0.0
        {
            state.status[k] = pump_status(view, state, k, -dh);
        }
        if link_type == LinkType::Fcv && state.setting[k] != MISSING {
            state.status[k] = fcv_status(view, state, k, old);
        }
        if view.tank_of_node(n1).is_some() {
            tank_status(view, state, k, n1, state.flow[k]);
        }
        if view.tank_of_node(n2).is_some() {
            tank_status(view, state, k, n2, -state.flow[k]);
        }
        if state.status[k] != old {
            change = true;
            state.note_status(k, old);
        }
    }
    change
}

fn pump_status(view: &NetworkView, state: &SolverState, k: usize, head_gain: f64) -> LinkStatus {
    let Some(p) = view.links.pump_of_link[k] else {
        return LinkStatus::Open;
    };
    let pump = &view.pumps[p];
    let hmax = if pump.curve_kind == PumpCurveKind::ConstantPower {
        if state.flow[k] < TINY {
            return LinkStatus::TemporarilyClosed;
        }
        BIG
    } else {
        state.setting[k] * state.setting[k] * pump.shutoff_head
    };
    if head_gain > hmax + view.options.head_tolerance {
        LinkStatus::ExceedsHead
    } else {
        LinkStatus::Open
    }
}

fn prv_status(
    view: &NetworkView,
    state: &SolverState,
    k: usize,
    s: LinkStatus,
    head_setting: f64,
) -> LinkStatus {
    let htol = view.options.head_tolerance;
    let qtol = view.options.flow_tolerance;
    let flow = state.flow[k];
    let (h1, h2) = (state.head[view.links.from[k]], state.head[view.links.to[k]]);
    let open_loss = view.links.minor_loss[k] * flow * flow;
    match s {
        LinkStatus::Active => {
            if flow < -qtol {
                LinkStatus::Closed
            } else if h1 - open_loss < head_setting - htol {
                LinkStatus::Open
            } else {
                LinkStatus::Active
            }
        }
        LinkStatus::Open => {
            if flow < -qtol {
                LinkStatus::Closed
            } else if h2 >= head_setting + htol {
                LinkStatus::Active
            } else {
                LinkStatus::Open
            }
        }
        LinkStatus::Closed => {
            if h1 >= head_setting + htol && h2 < head_setting - htol {
                LinkStatus::Active
            } else if h1 < head_setting - htol && h1 > h2 + htol {
                LinkStatus::Open
            } else {
                LinkStatus::Closed
            }
        }
        LinkStatus::CannotDeliverPressure => {
            if flow < -qtol {
                LinkStatus::Closed
            } else {
                s
            }
        }
        other => other,
    }
}

fn psv_status(
    view: &NetworkView,
    state: &SolverState,
    k: usize,
    s: LinkStatus,
    head_setting: f64,
) -> LinkStatus {
    let htol = view.options.head_tolerance;
    let qtol = view.options.flow_tolerance;
    let flow = state.flow[k];
    let (h1, h2) = (state.head[view.links.from[k]], state.head[view.links.to[k]]);
    let open_loss = view.links.minor_loss[k] * flow * flow;
    match s {
        LinkStatus::Active => {
            if flow < -qtol {
                LinkStatus::Closed
            } else if h2 + open_loss > head_setting + htol {
                LinkStatus::Open
            } else {
                LinkStatus::Active
            }
        }
        LinkStatus::Open => {
            if flow < -qtol {
                LinkStatus::Closed
            } else if h1 < head_setting - htol {
                LinkStatus::Active
            } else {
                LinkStatus::Open
            }
        }
        LinkStatus::Closed => {
            if h2 > head_setting + htol && h1 > h2 + htol {
                LinkStatus::Open
            } else if h1 >= head_setting + htol && h1 > h2 + htol {
                LinkStatus::Active
            } else {
                LinkStatus::Closed
            }
        }
        LinkStatus::CannotDeliverPressure => {
            if flow < -qtol {
                LinkStatus::Closed
            } else {
                s
            }
        }
        other => other,
    }
}

fn fcv_status(view: &NetworkView, state: &SolverState, k: usize, s: LinkStatus) -> LinkStatus {
    let (h1, h2) = (state.head[view.links.from[k]], state.head[view.links.to[k]]);
    let flow = state.flow[k];
    if h1 - h2 < -view.options.head_tolerance || flow < -view.options.flow_tolerance {
        LinkStatus::FcvCannotDeliver
    } else if s == LinkStatus::FcvCannotDeliver && flow >= state.setting[k] {
        LinkStatus::Active
    } else if s == LinkStatus::Active && (h1 - h2) / (flow * flow) < view.links.minor_loss[k] {
        // An active valve cannot lose less head than when fully open.
        LinkStatus::FcvCannotDeliver
    } else {
        s
    }
}

fn tank_status(view: &NetworkView, state: &mut SolverState, k: usize, node: usize, q: f64) {
    if state.status[k].is_closed() {
        return;
    }
    let Some(t) = view.tank_of_node(node) else {
        return;
    };
    let tank = &view.tanks[t];
    if tank.area == 0.0 {
        return;
    }
    let head = state.head[node];
    // No flow into a full tank (unless it may overflow), none out of an empty one.
    if (head >= tank.max_head && !tank.can_overflow && q < 0.0)
        || (head <= tank.min_head && q > 0.0)
    {
        state.status[k] = LinkStatus::TemporarilyClosed;
    }
}
