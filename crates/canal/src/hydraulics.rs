//! Unsteady flow on the main line: the full Saint-Venant equations in Preissmann's four-point
//! implicit scheme (θ-weighted in time, centred in space), Newton-iterated each step, with
//! junctions, structures and side withdrawals as internal conditions and the inflow or level
//! boundaries at the ends. Levels in m, flows in m³/s.

use crate::band::Band;
use crate::canal::{Canal, Segment};
use crate::controls::{self, ControlState};
use crate::error::{CanalError, Result};
use crate::model::{LinkKind, NodeKind, OutfallBoundary};
use crate::section::{Section, Wetted, MIN_DEPTH};
use crate::structures::GRAVITY;

/// Time weighting of the Preissmann scheme (0.5 centred, 1 fully implicit).
pub const THETA: f64 = 0.5;

/// The hydraulic state at one instant.
#[derive(Debug, Clone)]
pub struct HydraulicState {
    /// Simulated time, s.
    pub time_s: f64,
    /// Flow at each point, m³/s.
    pub flow: Vec<f64>,
    /// Water level at each point, m.
    pub level: Vec<f64>,
    /// Setting (fraction open) of each link.
    pub settings: Vec<f64>,
    /// Flow through each side link, m³/s.
    pub side_flow: Vec<f64>,
}

/// A running hydraulic simulation; the caller drives it with [`Simulation::step`].
pub struct Simulation<'c> {
    canal: &'c Canal,
    /// The current state.
    pub state: HydraulicState,
    /// The state one step before.
    pub previous: HydraulicState,
    targets: Vec<f64>,
    forced: Vec<Option<f64>>,
    step_s: f64,
    band: Band,
    rhs: Vec<f64>,
    wetted: Vec<Wetted>,
    conveyance: Vec<(f64, f64)>,
    old_area: Vec<f64>,
    old_terms: Vec<(f64, f64)>,
    loss_factor: Vec<f64>,
}

impl<'c> Simulation<'c> {
    /// Starts from `state` (see [`crate::steady::initial_state`]).
    pub fn new(canal: &'c Canal, state: HydraulicState) -> Simulation<'c> {
        let n = canal.points.len();
        let loss_factor = canal
            .model
            .links
            .iter()
            .map(|link| match link.kind {
                LinkKind::Conduit { length, losses, .. } => {
                    losses.iter().sum::<f64>() / (2.0 * GRAVITY * length)
                }
                _ => 0.0,
            })
            .collect();
        let targets = state.settings.clone();
        Simulation {
            canal,
            previous: state.clone(),
            state,
            targets,
            forced: vec![None; canal.model.links.len()],
            step_s: canal.model.options.routing_step_s,
            band: Band::new(2 * n, 2, 2),
            rhs: vec![0.0; 2 * n],
            wetted: vec![Wetted::default(); n],
            conveyance: vec![(0.0, 0.0); n],
            old_area: vec![0.0; n],
            old_terms: vec![(0.0, 0.0); canal.segments.len()],
            loss_factor,
        }
    }

    /// The canal simulated.
    pub fn canal(&self) -> &'c Canal {
        self.canal
    }

    /// The time step, s.
    pub fn step_s(&self) -> f64 {
        self.step_s
    }

    /// Holds link `link` at target setting `setting` from now on, over any rule.
    pub fn force_setting(&mut self, link: usize, setting: f64) {
        if let Some(slot) = self.forced.get_mut(link) {
            *slot = Some(setting.clamp(0.0, 1.0));
        }
    }

    /// Advances one time step. Returns false once the simulation's duration is reached.
    pub fn step(&mut self) -> Result<bool> {
        let duration = self.canal.model.options.duration_s;
        if self.state.time_s >= duration - 1e-9 {
            return Ok(false);
        }
        let dt = self.step_s.min(duration - self.state.time_s);
        self.move_gates(dt);
        self.previous.clone_from(&self.state);
        self.prepare_old_terms(dt);
        let time = self.state.time_s + dt;
        let mut converged = false;
        for _ in 0..40 {
            self.assemble(time, dt);
            if !self.band.solve(&mut self.rhs) {
                return Err(CanalError::Numerical {
                    time_s: time,
                    message: "singular system (a pool with no outlet and no level?)".into(),
                });
            }
            if self.update() {
                converged = true;
                break;
            }
        }
        if !converged {
            return Err(CanalError::Numerical {
                time_s: time,
                message: "Newton iterations did not converge".into(),
            });
        }
        self.state.time_s = time;
        for (index, side) in self.canal.sides.iter().enumerate() {
            self.state.side_flow[index] = self.side_flow(index, self.state.level[side.point], time);
        }
        Ok(true)
    }

    fn move_gates(&mut self, dt: f64) {
        let time = self.state.time_s;
        let commands = controls::evaluate(
            &self.canal.model.rules,
            time,
            &StateView { simulation: self },
        );
        for (link, setting) in commands {
            self.targets[link] = setting;
        }
        for (link, forced) in self.forced.iter().enumerate() {
            if let Some(setting) = forced {
                self.targets[link] = *setting;
            }
        }
        for (index, link) in self.canal.model.links.iter().enumerate() {
            let target = self.targets[index];
            let setting = &mut self.state.settings[index];
            let travel = match link.kind {
                LinkKind::Orifice { full_travel_s, .. } => full_travel_s,
                _ => 0.0,
            };
            let delta = target - *setting;
            if travel <= 0.0 || dt / travel + 0.001 >= delta.abs() {
                *setting = target;
            } else {
                *setting += delta.signum() * dt / travel;
            }
        }
    }

    fn geometry(&mut self, levels: &[f64]) {
        for (index, point) in self.canal.points.iter().enumerate() {
            if let Some((section, roughness)) = self.canal.section(index) {
                let wetted = section.wetted(levels[index] - point.bed);
                self.conveyance[index] = Section::conveyance(&wetted, roughness);
                self.wetted[index] = wetted;
            }
        }
    }

    fn prepare_old_terms(&mut self, _dt: f64) {
        let levels = std::mem::take(&mut self.state.level);
        self.geometry(&levels);
        self.state.level = levels;
        for (index, wetted) in self.wetted.iter().enumerate() {
            self.old_area[index] = wetted.area;
        }
        for (j, segment) in self.canal.segments.iter().enumerate() {
            if let Segment::Reach { length, link } = segment {
                let (continuity, momentum) = self.reach_terms(j, *length, self.loss_factor[*link]);
                self.old_terms[j] = (continuity[0], momentum[0]);
            }
        }
    }

    /// Spatial terms of a reach at the current geometry: (value, d/dQa, d/dha, d/dQb, d/dhb)
    /// for continuity (dQ/dx) and momentum (convection, pressure, friction, local losses).
    fn reach_terms(&self, j: usize, dx: f64, loss: f64) -> ([f64; 5], [f64; 5]) {
        let (a, b) = (j, j + 1);
        let (qa, qb) = (self.state.flow[a], self.state.flow[b]);
        let (ha, hb) = (self.state.level[a], self.state.level[b]);
        let (wa, wb) = (self.wetted[a], self.wetted[b]);
        let ((ka, dka), (kb, dkb)) = (self.conveyance[a], self.conveyance[b]);
        let continuity = [(qb - qa) / dx, -1.0 / dx, 0.0, 1.0 / dx, 0.0];
        let am = 0.5 * (wa.area + wb.area);
        let qm = 0.5 * (qa + qb);
        let km = 0.5 * (ka + kb);
        let qq = qm * qm.abs();
        let friction = qq / (km * km);
        let local = loss * qq / (am * am);
        let slope = (hb - ha) / dx + friction + local;
        let dq = GRAVITY * am * (qm.abs() / (km * km) + loss * qm.abs() / (am * am));
        let value = (qb * qb / wb.area - qa * qa / wa.area) / dx + GRAVITY * am * slope;
        let dqa = -2.0 * qa / (wa.area * dx) + dq;
        let dqb = 2.0 * qb / (wb.area * dx) + dq;
        let dha = qa * qa * wa.top_width / (wa.area * wa.area * dx)
            + GRAVITY * 0.5 * wa.top_width * slope
            + GRAVITY
                * am
                * (-1.0 / dx
                    - qq * dka / (km * km * km)
                    - loss * qq * wa.top_width / (am * am * am));
        let dhb = -qb * qb * wb.top_width / (wb.area * wb.area * dx)
            + GRAVITY * 0.5 * wb.top_width * slope
            + GRAVITY
                * am
                * (1.0 / dx
                    - qq * dkb / (km * km * km)
                    - loss * qq * wb.top_width / (am * am * am));
        (continuity, [value, dqa, dha, dqb, dhb])
    }

    fn assemble(&mut self, time: f64, dt: f64) {
        let levels = std::mem::take(&mut self.state.level);
        self.geometry(&levels);
        self.state.level = levels;
        self.band.clear();
        let last = self.canal.points.len() - 1;
        let (row, coefficients, residual) = self.upstream_row(time);
        self.put(row, 0, &coefficients, residual);
        for (j, segment) in self.canal.segments.iter().enumerate() {
            let (first, second) = match segment {
                Segment::Reach { length, link } => {
                    self.reach_rows(j, *length, self.loss_factor[*link], dt)
                }
                Segment::Junction { node } => self.junction_rows(j, *node, time, dt),
                Segment::Structure { link } => self.structure_rows(j, *link),
            };
            self.put(1 + 2 * j, 2 * j, &first.0, first.1);
            self.put(2 + 2 * j, 2 * j, &second.0, second.1);
        }
        let (coefficients, residual) = self.downstream_row(time);
        self.put(2 * last + 1, 2 * last, &coefficients, residual);
    }

    fn put(&mut self, row: usize, column: usize, coefficients: &[f64], residual: f64) {
        for (offset, value) in coefficients.iter().enumerate() {
            if *value != 0.0 {
                self.band.set(row, column + offset, *value);
            }
        }
        self.rhs[row] = -residual;
    }

    fn reach_rows(
        &self,
        j: usize,
        dx: f64,
        loss: f64,
        dt: f64,
    ) -> (([f64; 4], f64), ([f64; 4], f64)) {
        let (a, b) = (j, j + 1);
        let (continuity, momentum) = self.reach_terms(j, dx, loss);
        let (old_continuity, old_momentum) = self.old_terms[j];
        let (wa, wb) = (self.wetted[a], self.wetted[b]);
        let storage = (wa.area + wb.area - self.old_area[a] - self.old_area[b]) / (2.0 * dt);
        let r1 = storage + THETA * continuity[0] + (1.0 - THETA) * old_continuity;
        let j1 = [
            THETA * continuity[1],
            wa.top_width / (2.0 * dt),
            THETA * continuity[3],
            wb.top_width / (2.0 * dt),
        ];
        let (qa, qb) = (self.state.flow[a], self.state.flow[b]);
        let (qa0, qb0) = (self.previous.flow[a], self.previous.flow[b]);
        let r2 =
            (qa + qb - qa0 - qb0) / (2.0 * dt) + THETA * momentum[0] + (1.0 - THETA) * old_momentum;
        let j2 = [
            0.5 / dt + THETA * momentum[1],
            THETA * momentum[2],
            0.5 / dt + THETA * momentum[3],
            THETA * momentum[4],
        ];
        ((j1, r1), (j2, r2))
    }

    fn junction_rows(
        &self,
        j: usize,
        node: usize,
        time: f64,
        dt: f64,
    ) -> (([f64; 4], f64), ([f64; 4], f64)) {
        let (a, b) = (j, j + 1);
        let level = self.state.level[a];
        let mut withdrawal = -self.canal.model.inflow_at(node, time);
        let mut slope = 0.0;
        for (index, side) in self.canal.sides.iter().enumerate() {
            if side.point == a {
                withdrawal += self.side_flow(index, level, time);
                let delta = 1e-5;
                slope += (self.side_flow(index, level + delta, time)
                    - self.side_flow(index, level - delta, time))
                    / (2.0 * delta);
            }
        }
        let storage = match self.canal.model.nodes[node].kind {
            NodeKind::Storage {
                coefficient,
                exponent,
                constant,
            } => {
                let depth = (level - self.canal.model.nodes[node].invert).max(0.0);
                coefficient * depth.powf(exponent) + constant
            }
            _ => 0.0,
        };
        let r1 = level - self.state.level[b];
        let r2 = self.state.flow[a]
            - self.state.flow[b]
            - withdrawal
            - storage * (level - self.previous.level[a]) / dt;
        (
            ([0.0, 1.0, 0.0, -1.0], r1),
            ([1.0, -slope - storage / dt, -1.0, 0.0], r2),
        )
    }

    fn structure_rows(&self, j: usize, link: usize) -> (([f64; 4], f64), ([f64; 4], f64)) {
        let (a, b) = (j, j + 1);
        let Some(structure) = &self.canal.structures[link] else {
            return (
                ([1.0, 0.0, -1.0, 0.0], 0.0),
                ([1.0, 0.0, 0.0, 0.0], self.state.flow[a]),
            );
        };
        let setting = self.state.settings[link];
        let (ha, hb) = (self.state.level[a], self.state.level[b]);
        let q = structure.flow(setting, ha, hb);
        let (dqa, dqb) = structure.flow_slopes(setting, ha, hb);
        let r1 = self.state.flow[a] - self.state.flow[b];
        let r2 = self.state.flow[a] - q;
        (([1.0, 0.0, -1.0, 0.0], r1), ([1.0, -dqa, 0.0, -dqb], r2))
    }

    fn upstream_row(&self, time: f64) -> (usize, [f64; 2], f64) {
        let node = self.canal.upstream_node;
        match &self.canal.model.nodes[node].kind {
            NodeKind::Outfall(boundary) => {
                let stage = self.outfall_level(node, boundary, time);
                (0, [0.0, 1.0], self.state.level[0] - stage)
            }
            _ => (
                0,
                [1.0, 0.0],
                self.state.flow[0] - self.canal.model.inflow_at(node, time),
            ),
        }
    }

    fn downstream_row(&self, time: f64) -> ([f64; 2], f64) {
        let last = self.canal.points.len() - 1;
        let node = self.canal.downstream_node;
        let (q, h) = (self.state.flow[last], self.state.level[last]);
        let NodeKind::Outfall(boundary) = &self.canal.model.nodes[node].kind else {
            return ([0.0, 1.0], 0.0);
        };
        let section = self.canal.section(last);
        match (boundary, section) {
            (OutfallBoundary::Free, Some((section, _))) => {
                let bed = self.canal.points[last].bed;
                let critical = |level: f64| {
                    let w = section.wetted(level - bed);
                    (GRAVITY * w.area.powi(3) / w.top_width).sqrt()
                };
                let slope = (critical(h + 1e-5) - critical(h - 1e-5)) / 2e-5;
                ([1.0, -slope], q - critical(h))
            }
            (OutfallBoundary::Normal, Some((section, roughness))) => {
                let bed = self.canal.points[last].bed;
                let link = self.canal.points[last].conduit.unwrap_or(0);
                let root = self.canal.reach_slope(link).max(1e-7).sqrt();
                let (k, dk) = Section::conveyance(&section.wetted(h - bed), roughness);
                ([1.0, -dk * root], q - k * root)
            }
            _ => ([0.0, 1.0], h - self.outfall_level(node, boundary, time)),
        }
    }

    /// The level an outfall holds at `time` (its invert for FREE and NORMAL outfalls).
    pub fn outfall_level(&self, node: usize, boundary: &OutfallBoundary, time: f64) -> f64 {
        let invert = self.canal.model.nodes[node].invert;
        match boundary {
            OutfallBoundary::Fixed(stage) => *stage,
            OutfallBoundary::Series(series) => self
                .canal
                .model
                .time_series
                .get(*series)
                .map_or(invert, |s| s.value(time)),
            OutfallBoundary::Free | OutfallBoundary::Normal => invert,
        }
    }

    /// Flow through side link `index` when the main-line level at it is `level`.
    pub fn side_flow(&self, index: usize, level: f64, time: f64) -> f64 {
        let side = &self.canal.sides[index];
        let Some(structure) = &self.canal.structures[side.link] else {
            return 0.0;
        };
        let outfall_level = match &self.canal.model.nodes[side.outfall].kind {
            NodeKind::Outfall(boundary) => self.outfall_level(side.outfall, boundary, time),
            _ => self.canal.model.nodes[side.outfall].invert,
        };
        structure.flow(self.state.settings[side.link], level, outfall_level)
    }

    /// Applies the Newton correction in `rhs`; true when it was small enough to stop.
    fn update(&mut self) -> bool {
        let mut largest_level: f64 = 0.0;
        let mut largest_flow: f64 = 0.0;
        for (index, point) in self.canal.points.iter().enumerate() {
            let (dq, dh) = (self.rhs[2 * index], self.rhs[2 * index + 1]);
            let dh = dh.clamp(-1.0, 1.0);
            self.state.flow[index] += dq;
            let mut level = self.state.level[index] + dh;
            if point.conduit.is_some() {
                level = level.max(point.bed + MIN_DEPTH);
            }
            self.state.level[index] = level;
            largest_level = largest_level.max(dh.abs());
            largest_flow = largest_flow.max(dq.abs() / (1.0 + self.state.flow[index].abs()));
        }
        largest_level < 1e-6 && largest_flow < 1e-7
    }

    /// Water depth at node `node` (None off the main line).
    pub fn node_depth(&self, node: usize) -> Option<f64> {
        let point = self.canal.node_points[node]?;
        Some(self.state.level[point] - self.canal.model.nodes[node].invert)
    }

    /// Flow in link `link`: mean over a conduit's points; through a structure; through a side.
    pub fn link_flow(&self, link: usize) -> f64 {
        link_flow(self.canal, &self.state, link)
    }
}

/// Flow in link `link` in state `state` (a conduit's is the mean over its points).
pub fn link_flow(canal: &Canal, state: &HydraulicState, link: usize) -> f64 {
    if let Some((first, last)) = canal.link_points[link] {
        // A conduit's flow: the mean over its length (trapezoidal rule over its points).
        let flows = &state.flow[first..=last];
        if flows.len() < 2 {
            return flows[0];
        }
        let inner: f64 = flows[1..flows.len() - 1].iter().sum();
        return (inner + 0.5 * (flows[0] + flows[flows.len() - 1])) / (flows.len() - 1) as f64;
    }
    canal
        .sides
        .iter()
        .position(|s| s.link == link)
        .map_or(0.0, |i| state.side_flow[i])
}

struct StateView<'a, 'c> {
    simulation: &'a Simulation<'c>,
}

impl ControlState for StateView<'_, '_> {
    fn node_depth(&self, node: usize) -> f64 {
        self.simulation.node_depth(node).unwrap_or(0.0)
    }
    fn node_head(&self, node: usize) -> f64 {
        let invert = self.simulation.canal.model.nodes[node].invert;
        self.simulation
            .node_depth(node)
            .map_or(invert, |d| d + invert)
    }
    fn link_flow(&self, link: usize) -> f64 {
        self.simulation.link_flow(link)
    }
    fn link_setting(&self, link: usize) -> f64 {
        self.simulation.state.settings[link]
    }
}
