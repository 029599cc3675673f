//! Tank volume and level, their update over a time step, and the time to fill or drain
//! a tank (EPANET's `tankvolume`, `tankgrade`, `tanklevels`, `tanktimestep`).

use crate::network_view::{interpolate, NetworkView, QZERO};
use crate::solver::state::SolverState;

/// Volume of tank `t` at head `head`, ft³.
pub(crate) fn tank_volume(view: &NetworkView, t: usize, head: f64) -> f64 {
    let tank = &view.tanks[t];
    match &tank.volume_curve {
        None => tank.min_volume + (head - tank.min_head) * tank.area,
        // The curve is in the file's units, as EPANET keeps it (tankvolume).
        Some(points) => {
            let level = (head - view.nodes.elevation[tank.node]) * view.units.head;
            interpolate(points, level) / view.units.volume
        }
    }
}

/// Head of tank `t` holding `volume`, ft.
pub(crate) fn tank_grade(view: &NetworkView, t: usize, volume: f64) -> f64 {
    let tank = &view.tanks[t];
    match &tank.volume_curve {
        None => tank.min_head + (volume - tank.min_volume) / tank.area,
        Some(points) => {
            // Interpolate level on volume: the curve read backwards, in the file's units
            // as EPANET does (tankgrade).
            let volume = volume * view.units.volume;
            let mut level = points[0].0;
            let n = points.len();
            if volume <= points[0].1 {
                level = points[0].0;
            } else {
                let mut found = false;
                for k in 1..n {
                    if points[k].1 >= volume {
                        let dx = points[k].1 - points[k - 1].1;
                        let dy = points[k].0 - points[k - 1].0;
                        level = if dx.abs() < crate::network_view::TINY {
                            points[k].0
                        } else {
                            points[k].0 - (points[k].1 - volume) * dy / dx
                        };
                        found = true;
                        break;
                    }
                }
                if !found {
                    level = points[n - 1].0;
                }
            }
            view.nodes.elevation[tank.node] + level / view.units.head
        }
    }
}

/// Advances tank volumes and heads by `step` seconds at the current flows.
pub(crate) fn update_tank_levels(view: &NetworkView, state: &mut SolverState, step: u64) {
    for (t, tank) in view.tanks.iter().enumerate() {
        if tank.area == 0.0 {
            continue;
        }
        let n = tank.node;
        let inflow = state.node_demand[n];
        if inflow.abs() <= QZERO {
            continue;
        }
        let mut volume = state.tank_volume[t] + inflow * step as f64;
        // Full or empty within the next second: snap to the limit.
        if volume + inflow >= tank.max_volume {
            volume = tank.max_volume;
        } else if volume - inflow <= tank.min_volume {
            volume = tank.min_volume;
        }
        state.tank_volume[t] = volume;
        state.head[n] = tank_grade(view, t, volume);
    }
}

/// Shortens `step` to the time the first tank fills or drains.
pub(crate) fn tank_time_step(view: &NetworkView, state: &SolverState, step: &mut u64) {
    for (t, tank) in view.tanks.iter().enumerate() {
        if tank.area == 0.0 {
            continue;
        }
        let n = tank.node;
        let head = state.head[n];
        let q = state.node_demand[n];
        if q.abs() <= QZERO {
            continue;
        }
        let v = if q > 0.0 && head < tank.max_head {
            tank.max_volume - state.tank_volume[t]
        } else if q < 0.0 && head > tank.min_head {
            tank.min_volume - state.tank_volume[t]
        } else {
            continue;
        };
        let xt = v / q;
        if xt.abs() > *step as f64 + 1.0 {
            continue;
        }
        let rounded = round_half_away(xt);
        if rounded > 0 && (rounded as u64) < *step {
            *step = rounded as u64;
        }
    }
}

/// EPANET's `ROUND`: to the nearest integer, halves away from zero.
pub(crate) fn round_half_away(x: f64) -> i64 {
    if x >= 0.0 {
        (x + 0.5) as i64
    } else {
        (x - 0.5) as i64
    }
}
