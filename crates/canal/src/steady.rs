//! The starting state: a steady backwater profile marched upstream from the downstream boundary
//! (standard step over every reach, the gate equations inverted at each structure), or a hot
//! start from levels measured at the nodes.

use crate::canal::{Canal, Segment};
use crate::controls;
use crate::error::{CanalError, Result};
use crate::hydraulics::HydraulicState;
use crate::model::{LinkKind, NodeKind, OutfallBoundary};
use crate::section::{Section, MIN_DEPTH};
use crate::structures::GRAVITY;

/// The state at time 0: a hot start when every main-line node other than the outfall has an
/// initial depth, otherwise the steady profile for the boundary conditions at time 0.
///
/// A hot start takes the levels from the nodes' initial depths (linear along each conduit) and
/// the flows from the conduits' initial flows, as SWMM does; gates start where the rules in force
/// at time 0 put them.
pub fn initial_state(canal: &Canal) -> Result<HydraulicState> {
    let hot = canal.main_links.iter().all(|&l| {
        let node = &canal.model.nodes[canal.model.links[l].from];
        node.initial_depth > 0.0
    });
    if !hot {
        return steady_state(canal);
    }
    let mut state = empty_state(canal);
    hot_levels(canal, &mut state);
    starting_settings(canal, &mut state);
    update_sides(canal, &mut state);
    hot_flows(canal, &mut state);
    update_sides(canal, &mut state);
    Ok(state)
}

/// The steady profile for the boundary conditions at time 0, whatever initial depths say.
pub fn steady_state(canal: &Canal) -> Result<HydraulicState> {
    let mut state = empty_state(canal);
    starting_settings(canal, &mut state);
    for _ in 0..4 {
        distribute_flow(canal, &mut state);
        backwater(canal, &mut state)?;
        update_sides(canal, &mut state);
    }
    Ok(state)
}

/// Gate settings the rules give at time 0, applied at once.
fn starting_settings(canal: &Canal, state: &mut HydraulicState) {
    let view = StateView { canal, state };
    let commands = controls::evaluate(&canal.model.rules, 0.0, &view);
    for (link, setting) in commands {
        state.settings[link] = setting;
    }
}

/// Flows of a hot start: each conduit's initial flow; a structure passes what reaches it.
fn hot_flows(canal: &Canal, state: &mut HydraulicState) {
    let mut flow = canal.model.inflow_at(canal.upstream_node, 0.0);
    for (j, segment) in canal.segments.iter().enumerate() {
        if j == 0 {
            state.flow[0] = match canal.model.links[canal.main_links[0]].kind {
                LinkKind::Conduit { initial_flow, .. } => initial_flow,
                _ => flow,
            };
        }
        flow = state.flow[j];
        match segment {
            Segment::Reach { link, .. } => {
                if let LinkKind::Conduit { initial_flow, .. } = canal.model.links[*link].kind {
                    state.flow[j + 1] = initial_flow;
                }
            }
            Segment::Junction { node } => {
                let mut next = flow + canal.model.inflow_at(*node, 0.0);
                for (index, side) in canal.sides.iter().enumerate() {
                    if side.point == j {
                        next -= state.side_flow[index];
                    }
                }
                // The next conduit's own initial flow wins; a structure passes the balance.
                state.flow[j + 1] = next;
                if let Some(link) = canal.points[j + 1].conduit {
                    if let LinkKind::Conduit { initial_flow, .. } = canal.model.links[link].kind {
                        state.flow[j + 1] = initial_flow;
                    }
                }
            }
            Segment::Structure { .. } => state.flow[j + 1] = flow,
        }
    }
}

struct StateView<'a> {
    canal: &'a Canal,
    state: &'a HydraulicState,
}

impl controls::ControlState for StateView<'_> {
    fn node_depth(&self, node: usize) -> f64 {
        let invert = self.canal.model.nodes[node].invert;
        self.canal.node_points[node].map_or(0.0, |p| self.state.level[p] - invert)
    }
    fn node_head(&self, node: usize) -> f64 {
        let invert = self.canal.model.nodes[node].invert;
        self.canal.node_points[node].map_or(invert, |p| self.state.level[p])
    }
    fn link_flow(&self, link: usize) -> f64 {
        crate::hydraulics::link_flow(self.canal, self.state, link)
    }
    fn link_setting(&self, link: usize) -> f64 {
        self.state.settings[link]
    }
}

fn empty_state(canal: &Canal) -> HydraulicState {
    let n = canal.points.len();
    let mut level: Vec<f64> = canal.points.iter().map(|p| p.bed + 1.0).collect();
    for (index, point) in canal.points.iter().enumerate() {
        if let Some(node) = point.node {
            let node = &canal.model.nodes[node];
            if node.initial_depth > 0.0 {
                level[index] = node.invert + node.initial_depth;
            }
        }
    }
    HydraulicState {
        time_s: 0.0,
        flow: vec![0.0; n],
        level,
        settings: canal
            .model
            .links
            .iter()
            .map(|l| l.initial_setting)
            .collect(),
        side_flow: vec![0.0; canal.sides.len()],
    }
}

/// Steady flows: the upstream inflow less what each node's sides draw (at the current levels).
fn distribute_flow(canal: &Canal, state: &mut HydraulicState) {
    let model = &canal.model;
    let mut flow = match model.nodes[canal.upstream_node].kind {
        NodeKind::Outfall(_) => {
            // A level boundary upstream: the flow is what leaves downstream and by the sides.
            let sides: f64 = state.side_flow.iter().sum();
            let inflows: f64 = canal
                .segments
                .iter()
                .filter_map(|s| {
                    if let Segment::Junction { node } = s {
                        Some(model.inflow_at(*node, 0.0))
                    } else {
                        None
                    }
                })
                .sum();
            (state.flow.last().copied().unwrap_or(0.0) + sides - inflows).max(0.0)
        }
        _ => model.inflow_at(canal.upstream_node, 0.0),
    };
    state.flow[0] = flow;
    for (j, segment) in canal.segments.iter().enumerate() {
        if let Segment::Junction { node } = segment {
            flow += model.inflow_at(*node, 0.0);
            for (index, side) in canal.sides.iter().enumerate() {
                if side.point == j {
                    flow -= state.side_flow[index];
                }
            }
        }
        state.flow[j + 1] = flow;
    }
}

fn update_sides(canal: &Canal, state: &mut HydraulicState) {
    for (index, side) in canal.sides.iter().enumerate() {
        let outfall = &canal.model.nodes[side.outfall];
        let outfall_level = match &outfall.kind {
            NodeKind::Outfall(OutfallBoundary::Fixed(stage)) => *stage,
            NodeKind::Outfall(OutfallBoundary::Series(series)) => canal
                .model
                .time_series
                .get(*series)
                .map_or(outfall.invert, |s| s.value(0.0)),
            _ => outfall.invert,
        };
        let structure = canal.structures[side.link].as_ref();
        state.side_flow[index] = structure.map_or(0.0, |s| {
            s.flow(
                state.settings[side.link],
                state.level[side.point],
                outfall_level,
            )
        });
    }
}

fn hot_levels(canal: &Canal, state: &mut HydraulicState) {
    for &link in &canal.main_links {
        let Some((first, last)) = canal.link_points[link] else {
            continue;
        };
        let from = &canal.model.nodes[canal.model.links[link].from];
        let to = &canal.model.nodes[canal.model.links[link].to];
        let start = from.invert + from.initial_depth;
        let end = if to.initial_depth > 0.0 || matches!(to.kind, NodeKind::Outfall(_)) {
            downstream_level_or(canal, to, start)
        } else {
            start
        };
        let (c0, c1) = (canal.points[first].chainage, canal.points[last].chainage);
        for point in first..=last {
            let fraction = if c1 > c0 {
                (canal.points[point].chainage - c0) / (c1 - c0)
            } else {
                0.0
            };
            let bed = canal.points[point].bed;
            state.level[point] = (start + fraction * (end - start)).max(bed + MIN_DEPTH);
        }
    }
}

fn downstream_level_or(canal: &Canal, node: &crate::model::Node, fallback: f64) -> f64 {
    match node.kind {
        NodeKind::Outfall(OutfallBoundary::Fixed(stage)) => stage,
        NodeKind::Outfall(OutfallBoundary::Series(series)) => canal
            .model
            .time_series
            .get(series)
            .map_or(fallback, |s| s.value(0.0)),
        NodeKind::Outfall(_) => fallback,
        _ => node.invert + node.initial_depth,
    }
}

/// Marches the steady profile upstream from the downstream boundary.
fn backwater(canal: &Canal, state: &mut HydraulicState) -> Result<()> {
    let last = canal.points.len() - 1;
    state.level[last] = downstream_level(canal, state.flow[last])?;
    for j in (0..canal.segments.len()).rev() {
        let (a, b) = (j, j + 1);
        state.level[a] = match &canal.segments[j] {
            Segment::Junction { .. } => state.level[b],
            Segment::Reach { length, link } => {
                let loss = match canal.model.links[*link].kind {
                    LinkKind::Conduit {
                        losses,
                        length: total,
                        ..
                    } => losses.iter().sum::<f64>() / (2.0 * GRAVITY * total),
                    _ => 0.0,
                };
                reach_step(canal, a, b, *length, loss, state)
            }
            Segment::Structure { link } => structure_step(canal, *link, a, b, state)?,
        };
    }
    Ok(())
}

fn downstream_level(canal: &Canal, flow: f64) -> Result<f64> {
    let last = canal.points.len() - 1;
    let node = &canal.model.nodes[canal.downstream_node];
    let NodeKind::Outfall(boundary) = &node.kind else {
        return Ok(node.invert);
    };
    let section = canal.section(last);
    let bed = canal.points[last].bed;
    Ok(match (boundary, section) {
        (OutfallBoundary::Fixed(stage), _) => *stage,
        (OutfallBoundary::Series(series), _) => canal
            .model
            .time_series
            .get(*series)
            .map_or(node.invert, |s| s.value(0.0)),
        (OutfallBoundary::Free, Some((section, _))) => {
            bed + solve_increasing(
                |y| {
                    let w = section.wetted(y);
                    (GRAVITY * w.area.powi(3) / w.top_width).sqrt() - flow
                },
                MIN_DEPTH,
                100.0,
            )
        }
        (OutfallBoundary::Normal, Some((section, roughness))) => {
            let link = canal.points[last].conduit.unwrap_or(0);
            let root = canal.reach_slope(link).max(1e-7).sqrt();
            bed + solve_increasing(
                |y| Section::conveyance(&section.wetted(y), roughness).0 * root - flow,
                MIN_DEPTH,
                100.0,
            )
        }
        _ => node.invert,
    })
}

/// The level at point `a` that makes the steady momentum balance of reach a–b hold, on the
/// subcritical branch (critical depth when the reach chokes).
fn reach_step(
    canal: &Canal,
    a: usize,
    b: usize,
    dx: f64,
    loss: f64,
    state: &HydraulicState,
) -> f64 {
    let (Some((sa, na)), Some((sb, nb))) = (canal.section(a), canal.section(b)) else {
        return state.level[b];
    };
    let (bed_a, bed_b) = (canal.points[a].bed, canal.points[b].bed);
    let (qa, qb) = (state.flow[a], state.flow[b]);
    let hb = state.level[b];
    let wb = sb.wetted(hb - bed_b);
    let (kb, _) = Section::conveyance(&wb, nb);
    let balance = |ha: f64| {
        let wa = sa.wetted(ha - bed_a);
        let (ka, _) = Section::conveyance(&wa, na);
        let am = 0.5 * (wa.area + wb.area);
        let qm = 0.5 * (qa + qb);
        let km = 0.5 * (ka + kb);
        let qq = qm * qm.abs();
        (qb * qb / wb.area - qa * qa / wa.area) / dx
            + GRAVITY * am * ((hb - ha) / dx + qq / (km * km) + loss * qq / (am * am))
    };
    // The subcritical root lies above the critical depth, where the balance falls as ha rises.
    let critical = solve_increasing(
        |y| {
            let w = sa.wetted(y);
            GRAVITY * w.area.powi(3) / w.top_width - qa * qa
        },
        MIN_DEPTH,
        100.0,
    );
    let low = bed_a + critical.max(MIN_DEPTH);
    let high = hb.max(low) + 50.0;
    if balance(low) <= 0.0 {
        return low;
    }
    solve_decreasing(balance, low, high)
}

fn structure_step(
    canal: &Canal,
    link: usize,
    a: usize,
    b: usize,
    state: &HydraulicState,
) -> Result<f64> {
    let Some(structure) = &canal.structures[link] else {
        return Ok(state.level[b]);
    };
    let setting = state.settings[link];
    let (q, hb) = (state.flow[a], state.level[b]);
    if q <= 1e-9 {
        return Ok(state.level[a].max(hb));
    }
    let low = hb.max(structure.crest);
    let high = low + 60.0;
    if structure.flow(setting, high, hb) < q {
        return Err(CanalError::Layout {
            file: canal.model.file.clone(),
            line: canal.model.links[link].line,
            message: format!(
                "structure '{}' cannot pass the starting flow {q:.3} m³/s at setting {setting}: expected a wider opening",
                canal.model.links[link].id
            ),
        });
    }
    Ok(solve_increasing(
        |h| structure.flow(setting, h, hb) - q,
        low,
        high,
    ))
}

/// Root of an increasing function on [low, high] by bisection (low/high when it has none).
pub fn solve_increasing(f: impl Fn(f64) -> f64, mut low: f64, mut high: f64) -> f64 {
    if f(low) >= 0.0 {
        return low;
    }
    if f(high) <= 0.0 {
        return high;
    }
    for _ in 0..200 {
        let middle = 0.5 * (low + high);
        if f(middle) < 0.0 {
            low = middle;
        } else {
            high = middle;
        }
        if high - low < 1e-10 {
            break;
        }
    }
    0.5 * (low + high)
}

fn solve_decreasing(f: impl Fn(f64) -> f64, low: f64, high: f64) -> f64 {
    solve_increasing(|x| -f(x), low, high)
}
