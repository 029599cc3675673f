//! Transport of a pollutant along the main line: 1-D advection-dispersion with optional
//! first-order decay, finite volumes on the hydraulic grid (one cell per reach segment), a
//! QUICKEST advective flux bounded by the ULTIMATE limiter (so numerical dispersion stays far
//! below the physical one), explicit dispersion and sub-steps that keep the scheme positive. Cell masses are updated by fluxes only, so the mass balance closes by
//! construction. Masses in kg, volumes in m³, concentrations in kg/m³ (×1000 = mg/L).

use crate::canal::{Canal, Segment};
use crate::hydraulics::{HydraulicState, THETA};
use crate::section::Section;
use crate::structures::GRAVITY;
use serde::Serialize;

/// How the longitudinal dispersion coefficient D (m²/s) is found.
#[derive(Debug, Clone, Copy, Serialize)]
pub enum Dispersion {
    /// A given D, m²/s.
    Constant(f64),
    /// Fischer's formula D = 0.011·U²·W²/(h·u*), at each face from the local flow: W the top
    /// width, h = A/W the hydraulic depth, u* = sqrt(g·R·S_f) the shear velocity with S_f the
    /// friction slope from Manning (in a gate-held pool S_f is below the bed slope, so u* is
    /// smaller and D larger than a uniform-flow estimate from the bed slope would give).
    Fischer,
    /// D = a·|U|^b (MIKE's form), U in m/s.
    Power {
        /// a, m²/s per (m/s)^b.
        a: f64,
        /// b.
        b: f64,
    },
}

/// A face between two consecutive cells (or a cell and a boundary).
#[derive(Debug, Clone)]
struct Face {
    /// The cell upstream (None at the upstream boundary).
    up: Option<usize>,
    /// The cell downstream (None at the downstream boundary).
    down: Option<usize>,
    /// The point whose flow leaves the upstream cell.
    out_point: usize,
    /// The point whose flow enters the downstream cell.
    in_point: usize,
    /// Side links drawing at this face (indices into `canal.sides`).
    sides: Vec<usize>,
    /// Structures crossed (links).
    structures: Vec<usize>,
    /// Whether dispersion acts across the face (not across gates).
    disperses: bool,
}

/// Mass accounts, kg.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MassBalance {
    /// Put in by the spill.
    pub injected: f64,
    /// Left through the downstream end.
    pub outflow: f64,
    /// Left through the upstream end (reverse flow).
    pub upstream_outflow: f64,
    /// Drawn off by each side link (in `canal.sides` order).
    pub withdrawn: Vec<f64>,
    /// Passed through each structure on the main line (net downstream), by link.
    pub passed: Vec<(usize, f64)>,
    /// Lost to decay.
    pub decayed: f64,
    /// In the canal now.
    pub in_canal: f64,
}

impl MassBalance {
    /// injected − (in canal + out + withdrawn + decayed), kg.
    pub fn error(&self) -> f64 {
        self.injected
            - self.in_canal
            - self.outflow
            - self.upstream_outflow
            - self.withdrawn.iter().sum::<f64>()
            - self.decayed
    }
}

/// Pollutant transport over the hydraulic states of a run.
pub struct Transport<'c> {
    canal: &'c Canal,
    /// Cell (reach segment) of each segment, if it is a reach.
    cell_of_segment: Vec<Option<usize>>,
    /// Segment of each cell.
    segment_of_cell: Vec<usize>,
    faces: Vec<Face>,
    /// Mass in each cell, kg.
    pub mass: Vec<f64>,
    volume: Vec<f64>,
    dispersion: Dispersion,
    decay_per_s: f64,
    /// The accounts.
    pub balance: MassBalance,
    /// Mean concentration through each face over the last step, kg/m³.
    pub face_concentration: Vec<f64>,
    /// Mean concentration of what each side drew over the last step, kg/m³.
    pub side_concentration: Vec<f64>,
}

impl<'c> Transport<'c> {
    /// Clean water everywhere at the start of `state`.
    pub fn new(
        canal: &'c Canal,
        state: &HydraulicState,
        dispersion: Dispersion,
        decay_per_s: f64,
    ) -> Transport<'c> {
        let mut cell_of_segment = vec![None; canal.segments.len()];
        let mut segment_of_cell = Vec::new();
        for (j, segment) in canal.segments.iter().enumerate() {
            if matches!(segment, Segment::Reach { .. }) {
                cell_of_segment[j] = Some(segment_of_cell.len());
                segment_of_cell.push(j);
            }
        }
        let faces = build_faces(canal, &cell_of_segment);
        let cells = segment_of_cell.len();
        let mut transport = Transport {
            canal,
            cell_of_segment,
            segment_of_cell,
            face_concentration: vec![0.0; faces.len()],
            faces,
            mass: vec![0.0; cells],
            volume: vec![0.0; cells],
            dispersion,
            decay_per_s,
            balance: MassBalance {
                withdrawn: vec![0.0; canal.sides.len()],
                ..MassBalance::default()
            },
            side_concentration: vec![0.0; canal.sides.len()],
        };
        for face in &transport.faces {
            for &link in &face.structures {
                transport.balance.passed.push((link, 0.0));
            }
        }
        transport.volume = transport.volumes(state);
        transport
    }

    /// The cell holding chainage `chainage` (m), if inside the canal.
    pub fn cell_at(&self, chainage: f64) -> Option<usize> {
        if !(0.0..=self.canal.length()).contains(&chainage) {
            return None;
        }
        self.segment_of_cell.iter().position(|&j| {
            let (a, b) = (
                self.canal.points[j].chainage,
                self.canal.points[j + 1].chainage,
            );
            chainage >= a && chainage <= b
        })
    }

    /// The cell that segment `segment` is, if a reach.
    pub fn cell_of_segment(&self, segment: usize) -> Option<usize> {
        self.cell_of_segment.get(segment).copied().flatten()
    }

    /// Adds `mass_kg` to cell `cell` at once.
    pub fn inject(&mut self, cell: usize, mass_kg: f64) {
        if let Some(slot) = self.mass.get_mut(cell) {
            *slot += mass_kg;
            self.balance.injected += mass_kg;
        }
    }

    /// Concentration in cell `cell`, kg/m³.
    pub fn concentration(&self, cell: usize) -> f64 {
        self.mass[cell] / self.volume[cell].max(1e-9)
    }

    /// Concentration at chainage `chainage`, interpolated between cell centres, kg/m³.
    pub fn concentration_at(&self, chainage: f64) -> f64 {
        let centres: Vec<f64> = self
            .segment_of_cell
            .iter()
            .map(|&j| 0.5 * (self.canal.points[j].chainage + self.canal.points[j + 1].chainage))
            .collect();
        let index = centres.partition_point(|&c| c <= chainage);
        if index == 0 {
            return self.concentration(0);
        }
        if index >= centres.len() {
            return self.concentration(centres.len() - 1);
        }
        let (c0, c1) = (centres[index - 1], centres[index]);
        let w = if c1 > c0 {
            (chainage - c0) / (c1 - c0)
        } else {
            0.0
        };
        (1.0 - w) * self.concentration(index - 1) + w * self.concentration(index)
    }

    fn volumes(&self, state: &HydraulicState) -> Vec<f64> {
        self.segment_of_cell
            .iter()
            .map(|&j| {
                let Segment::Reach { length, .. } = self.canal.segments[j] else {
                    return 0.0;
                };
                let area = |p: usize| {
                    self.canal.section(p).map_or(0.0, |(s, _)| {
                        s.wetted(state.level[p] - self.canal.points[p].bed).area
                    })
                };
                length * 0.5 * (area(j) + area(j + 1))
            })
            .collect()
    }

    /// Carries the pollutant over one hydraulic step from `old` to `new`, with `source_kg_per_s`
    /// added to cell `source.0` at rate `source.1` during it.
    pub fn advance(
        &mut self,
        old: &HydraulicState,
        new: &HydraulicState,
        source: Option<(usize, f64)>,
    ) {
        let dt = new.time_s - old.time_s;
        if dt <= 0.0 {
            return;
        }
        let start_volume = std::mem::take(&mut self.volume);
        let end_volume = self.volumes(new);
        let flow: Vec<f64> = old
            .flow
            .iter()
            .zip(&new.flow)
            .map(|(a, b)| (1.0 - THETA) * a + THETA * b)
            .collect();
        let side_flow: Vec<f64> = old
            .side_flow
            .iter()
            .zip(&new.side_flow)
            .map(|(a, b)| (1.0 - THETA) * a + THETA * b)
            .collect();
        let diffusion = self.face_diffusion(new);
        let substeps = self.substeps(&flow, &diffusion, &start_volume, &end_volume, dt);
        let h = dt / substeps as f64;
        let mut face_mass = vec![0.0; self.faces.len()];
        let mut side_mass = vec![0.0; self.canal.sides.len()];
        for step in 0..substeps {
            let fraction = (step as f64 + 0.5) / substeps as f64;
            let volume: Vec<f64> = start_volume
                .iter()
                .zip(&end_volume)
                .map(|(a, b)| a + fraction * (b - a))
                .collect();
            self.substep(
                h,
                &flow,
                &side_flow,
                &diffusion,
                &volume,
                &mut face_mass,
                &mut side_mass,
            );
            if let Some((cell, rate)) = source {
                self.inject(cell, rate * h);
            }
            if self.decay_per_s > 0.0 {
                let keep = (-self.decay_per_s * h).exp();
                for mass in &mut self.mass {
                    self.balance.decayed += *mass * (1.0 - keep);
                    *mass *= keep;
                }
            }
        }
        for (index, face) in self.faces.iter().enumerate() {
            let q = flow[face.out_point];
            self.face_concentration[index] = if q.abs() * dt > 1e-9 {
                face_mass[index] / (q * dt)
            } else {
                0.0
            };
        }
        for (index, mass) in side_mass.iter().enumerate() {
            let volume = side_flow[index] * dt;
            self.side_concentration[index] = if volume > 1e-9 { mass / volume } else { 0.0 };
        }
        self.volume = end_volume;
        self.balance.in_canal = self.mass.iter().sum();
    }

    /// Dispersive conductance D·A/Δx (m³/s) across each face.
    fn face_diffusion(&self, state: &HydraulicState) -> Vec<f64> {
        self.faces
            .iter()
            .map(|face| {
                let (Some(up), Some(down)) = (face.up, face.down) else {
                    return 0.0;
                };
                if !face.disperses {
                    return 0.0;
                }
                let (ja, jb) = (self.segment_of_cell[up], self.segment_of_cell[down]);
                let spacing = 0.5
                    * (self.canal.points[ja + 1].chainage - self.canal.points[ja].chainage
                        + self.canal.points[jb + 1].chainage
                        - self.canal.points[jb].chainage);
                let point = face.out_point;
                let Some((section, roughness)) = self.canal.section(point) else {
                    return 0.0;
                };
                let wetted = section.wetted(state.level[point] - self.canal.points[point].bed);
                let velocity = state.flow[point] / wetted.area;
                let d = coefficient(self.dispersion, velocity, &wetted, roughness);
                d * wetted.area / spacing.max(1e-6)
            })
            .collect()
    }

    fn substeps(
        &self,
        flow: &[f64],
        diffusion: &[f64],
        start: &[f64],
        end: &[f64],
        dt: f64,
    ) -> usize {
        let mut outgoing = vec![0.0; self.mass.len()];
        for (index, face) in self.faces.iter().enumerate() {
            let (q_out, q_in) = (flow[face.out_point], flow[face.in_point]);
            if let Some(up) = face.up {
                outgoing[up] += q_out.max(0.0) + 2.0 * diffusion[index];
            }
            if let Some(down) = face.down {
                outgoing[down] += (-q_in).max(0.0) + 2.0 * diffusion[index];
            }
        }
        let worst = outgoing
            .iter()
            .zip(start.iter().zip(end))
            .map(|(out, (a, b))| out * dt / a.min(*b).max(1e-9))
            .fold(0.0, f64::max);
        ((worst / 0.9).ceil() as usize).clamp(1, 100_000)
    }

    #[allow(clippy::too_many_arguments)]
    fn substep(
        &mut self,
        h: f64,
        flow: &[f64],
        side_flow: &[f64],
        diffusion: &[f64],
        volume: &[f64],
        face_mass: &mut [f64],
        side_mass: &mut [f64],
    ) {
        let concentration: Vec<f64> = self
            .mass
            .iter()
            .zip(volume)
            .map(|(m, v)| m / v.max(1e-9))
            .collect();
        let cells = concentration.len();
        let mut change = vec![0.0; cells];
        for (index, face) in self.faces.iter().enumerate() {
            let (q_out, q_in) = (flow[face.out_point], flow[face.in_point]);
            let forward = q_out + q_in >= 0.0;
            let c_face = self.face_value(
                face,
                forward,
                &concentration,
                volume,
                if forward { q_out } else { q_in },
                h,
            );
            // Mass leaving the upwind cell, what the sides take, what reaches the downwind cell.
            // Sides draw at the face's concentration; the rest goes on (inflows add clean water).
            let leaving = if forward { q_out } else { q_in };
            let leaving_mass = leaving.abs() * c_face * h;
            let mut arriving_mass = leaving_mass;
            for &side in &face.sides {
                let drawn = (side_flow[side].max(0.0) * c_face * h).min(arriving_mass);
                side_mass[side] += drawn;
                self.balance.withdrawn[side] += drawn;
                arriving_mass -= drawn;
            }
            let (from, to) = if forward {
                (face.up, face.down)
            } else {
                (face.down, face.up)
            };
            if let Some(cell) = from {
                change[cell] -= leaving_mass;
            }
            match to {
                Some(cell) => change[cell] += arriving_mass,
                None if forward => self.balance.outflow += arriving_mass,
                None => self.balance.upstream_outflow += arriving_mass,
            }
            let net = if forward { leaving_mass } else { -leaving_mass };
            face_mass[index] += net;
            for &link in &face.structures {
                if let Some(entry) = self.balance.passed.iter_mut().find(|e| e.0 == link) {
                    entry.1 += net;
                }
            }
            if let (Some(up), Some(down)) = (face.up, face.down) {
                let exchange = diffusion[index] * (concentration[up] - concentration[down]) * h;
                change[up] -= exchange;
                change[down] += exchange;
                face_mass[index] += exchange;
            }
        }
        for (mass, delta) in self.mass.iter_mut().zip(change) {
            *mass += delta;
        }
    }

    /// Face value by QUICKEST (third-order upwind-biased, Leonard 1979) bounded by Leonard's
    /// ULTIMATE limiter: between the upwind value and the value a Courant-number step could reach,
    /// and between its two neighbours at an extremum.
    fn face_value(
        &self,
        face: &Face,
        forward: bool,
        c: &[f64],
        volume: &[f64],
        q: f64,
        h: f64,
    ) -> f64 {
        let (upwind, downwind) = if forward {
            (face.up, face.down)
        } else {
            (face.down, face.up)
        };
        let Some(u) = upwind else { return 0.0 }; // clean water enters at the boundaries
        let Some(d) = downwind else { return c[u] };
        let far = if forward {
            u.checked_sub(1)
        } else {
            (u + 1 < c.len()).then_some(u + 1)
        };
        let (cu, cd) = (c[u], c[d]);
        let cuu = far.map_or(cu, |f| c[f]);
        let courant = (q.abs() * h / volume[u].max(1e-9)).clamp(1e-9, 1.0);
        let span = cd - cuu;
        let quickest = 0.5 * (cu + cd)
            - 0.5 * courant * (cd - cu)
            - (1.0 - courant * courant) / 6.0 * (cd - 2.0 * cu + cuu);
        let monotone = (cu - cuu) * (cd - cu) > 0.0;
        if !monotone || span.abs() < 1e-300 {
            // At a smooth extremum keep the third-order value, bounded by its two neighbours
            // (ULTIMATE would fall back to upwind here and flatten the peak).
            return quickest.clamp(cu.min(cd), cu.max(cd));
        }
        let normal_upwind = (cu - cuu) / span;
        let normal_face = (quickest - cuu) / span;
        let bounded = normal_face.clamp(
            normal_upwind,
            (normal_upwind / courant).min(1.0).max(normal_upwind),
        );
        cuu + bounded * span
    }
}

/// The dispersion coefficient D (m²/s) for a face with mean velocity `velocity`.
fn coefficient(
    dispersion: Dispersion,
    velocity: f64,
    wetted: &crate::section::Wetted,
    roughness: f64,
) -> f64 {
    match dispersion {
        Dispersion::Constant(d) => d,
        Dispersion::Power { a, b } => a * velocity.abs().powf(b),
        Dispersion::Fischer => {
            let width = wetted.top_width;
            let depth = wetted.area / width.max(1e-9);
            let radius = wetted.hydraulic_radius();
            // Shear velocity from Manning: u* = sqrt(g)·n·|U| / R^(1/6).
            let shear = GRAVITY.sqrt() * roughness * velocity.abs() / radius.powf(1.0 / 6.0);
            if shear <= 1e-9 {
                0.0
            } else {
                0.011 * velocity * velocity * width * width / (depth * shear)
            }
        }
    }
}

fn build_faces(canal: &Canal, cell_of_segment: &[Option<usize>]) -> Vec<Face> {
    let mut faces = Vec::new();
    let mut pending = Face {
        up: None,
        down: None,
        out_point: 0,
        in_point: 0,
        sides: Vec::new(),
        structures: Vec::new(),
        disperses: true,
    };
    for (j, segment) in canal.segments.iter().enumerate() {
        match segment {
            Segment::Reach { .. } => {
                pending.down = cell_of_segment[j];
                pending.in_point = j;
                faces.push(pending);
                pending = Face {
                    up: cell_of_segment[j],
                    down: None,
                    out_point: j + 1,
                    in_point: j + 1,
                    sides: Vec::new(),
                    structures: Vec::new(),
                    disperses: true,
                };
            }
            Segment::Junction { .. } => {
                for (index, side) in canal.sides.iter().enumerate() {
                    if side.point == j {
                        pending.sides.push(index);
                    }
                }
            }
            Segment::Structure { link } => {
                pending.structures.push(*link);
                pending.disperses = false;
            }
        }
    }
    pending.in_point = canal.points.len() - 1;
    faces.push(pending);
    faces
}

/// Fischer's D for a section at a flow, m²/s (exposed for reports).
pub fn fischer(section: &Section, depth: f64, flow: f64, roughness: f64) -> f64 {
    let wetted = section.wetted(depth);
    coefficient(Dispersion::Fischer, flow / wetted.area, &wetted, roughness)
}
