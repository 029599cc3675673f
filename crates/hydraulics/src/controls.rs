//! Simple controls (`[CONTROLS]`): applied at each hydraulic time, checked for the time
//! they will next act, and junction-pressure controls checked inside the solution
//! (EPANET's `controls`, `controltimestep`, `pswitch`).

use crate::network_view::{ControlKind, LinkType, NetworkView, MISSING, QZERO};
use crate::solver::state::SolverState;
use crate::state::{ActionCause, LinkChange, LinkStatus};
use crate::tanks::{round_half_away, tank_volume};

const SECONDS_PER_DAY: u64 = 86_400;

/// Resets a constant-power pump's flow when it is switched back on.
pub(crate) fn reset_pump_flow(view: &NetworkView, state: &mut SolverState, k: usize) {
    if let Some(p) = view.links.pump_of_link[k] {
        let pump = &view.pumps[p];
        if pump.curve_kind == crate::network_view::PumpCurveKind::ConstantPower {
            state.flow[k] = pump.initial_flow;
        }
    }
}

/// Applies the controls whose conditions hold at `time`, noting each change in `actions`;
/// returns how many acted.
pub(crate) fn apply_controls(
    view: &NetworkView,
    state: &mut SolverState,
    time: u64,
    actions: &mut Vec<LinkChange>,
) -> usize {
    let mut count = 0;
    for control in &view.controls {
        if !control.enabled {
            continue;
        }
        let mut reset = false;
        if let Some(n) = control.node {
            if let Some(t) = view.tank_of_node(n) {
                let head = state.head[n];
                let margin = state.node_demand[n].abs();
                let v1 = tank_volume(view, t, head);
                let v2 = tank_volume(view, t, control.grade);
                if control.kind == ControlKind::LowLevel && v1 <= v2 + margin {
                    reset = true;
                }
                if control.kind == ControlKind::HighLevel && v1 >= v2 - margin {
                    reset = true;
                }
            }
        }
        if control.kind == ControlKind::Timer && control.time == time {
            reset = true;
        }
        if control.kind == ControlKind::TimeOfDay
            && (time + view.times.start_clock_time) % SECONDS_PER_DAY == control.time
        {
            reset = true;
        }
        if reset {
            let k = control.link;
            let s1 = if state.status[k].is_closed() {
                LinkStatus::Closed
            } else {
                LinkStatus::Open
            };
            let s2 = control.status;
            let k1 = state.setting[k];
            let k2 = if view.links.kind[k].is_pipe() {
                k1
            } else {
                control.setting
            };
            if view.links.kind[k] == LinkType::Pump
                && s1 == LinkStatus::Closed
                && s2 == LinkStatus::Open
            {
                reset_pump_flow(view, state, k);
            }
            if s1 != s2 || k1 != k2 {
                state.status[k] = s2;
                state.setting[k] = k2;
                if view.links.kind[k] == LinkType::Pcv {
                    state.resistance[k] = crate::valve::pcv_loss_coefficient(view, k, k2);
                }
                let cause = match (control.kind, control.node) {
                    (ControlKind::LowLevel | ControlKind::HighLevel, Some(n)) => {
                        ActionCause::LevelControl {
                            node: view.nodes.model_index[n],
                        }
                    }
                    _ => ActionCause::TimerControl,
                };
                actions.push(LinkChange {
                    time,
                    link: k,
                    cause,
                });
                count += 1;
            }
        }
    }
    count
}

/// Shortens `step` to the time the next control will act.
pub(crate) fn control_time_step(
    view: &NetworkView,
    state: &SolverState,
    time: u64,
    step: &mut u64,
) {
    for control in &view.controls {
        if !control.enabled {
            continue;
        }
        let mut t: i64 = 0;
        if let Some(n) = control.node {
            let Some(tank) = view.tank_of_node(n) else {
                continue;
            };
            let head = state.head[n];
            let q = state.node_demand[n];
            if q.abs() <= QZERO {
                continue;
            }
            if (head < control.grade && control.kind == ControlKind::HighLevel && q > 0.0)
                || (head > control.grade && control.kind == ControlKind::LowLevel && q < 0.0)
            {
                let v = tank_volume(view, tank, control.grade) - state.tank_volume[tank];
                t = round_half_away(v / q);
            }
        }
        if control.kind == ControlKind::Timer && control.time > time {
            t = (control.time - time) as i64;
        }
        if control.kind == ControlKind::TimeOfDay {
            let t1 = (time + view.times.start_clock_time) % SECONDS_PER_DAY;
            let t2 = control.time;
            t = if t2 >= t1 {
                (t2 - t1) as i64
            } else {
                (SECONDS_PER_DAY - t1 + t2) as i64
            };
        }
        if t > 0 && (t as u64) < *step {
            let k = control.link;
            if (!view.links.kind[k].is_pipe() && state.setting[k] != control.setting)
                || state.status[k] != control.status
            {
                *step = t as u64;
            }
        }
    }
}

/// Applies junction-pressure controls after a converged solution; true if any acted.
pub(crate) fn check_pressure_controls(view: &NetworkView, state: &mut SolverState) -> bool {
    let mut any = false;
    let htol = view.options.head_tolerance;
    for control in &view.controls {
        // EPANET's solver does not consult the enabled flag here.
        let Some(n) = control.node else {
            continue;
        };
        if n >= view.nodes.junction_count {
            continue;
        }
        let reset = (control.kind == ControlKind::LowLevel
            && state.head[n] <= control.grade + htol)
            || (control.kind == ControlKind::HighLevel && state.head[n] >= control.grade - htol);
        if !reset {
            continue;
        }
        let k = control.link;
        let s = state.status[k];
        let link_type = view.links.kind[k];
        let change = match link_type {
            LinkType::Pipe | LinkType::CheckValvePipe => s != control.status,
            LinkType::Pump => state.setting[k] != control.setting,
            _ => {
                state.setting[k] != control.setting
                    || (state.setting[k] == MISSING && s != control.status)
            }
        };
        if change {
            state.status[k] = control.status;
            if !link_type.is_pipe() {
                state.setting[k] = control.setting;
            }
            any = true;
            if state.trace.is_some() {
                // EPANET's writestatchange: a setting line when the status stays.
                if state.status[k] == s {
                    let setting = state.setting[k];
                    state.note(crate::state::TrialEvent::SettingChange { link: k, setting });
                } else {
                    state.note_status(k, s);
                }
            }
        }
    }
    any
}
