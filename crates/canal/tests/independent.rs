//! The one-reach test canal (10 km prismatic trapezoid, an inflow wave, a fixed level at the
//! end) against a second, independent solution of the Saint-Venant equations computed here: a
//! staggered grid (levels in 50 m cells, flows at their faces), explicit in time at 2 s, the
//! convective flux upwind, friction semi-implicit. It shares no code with the engine.
//!
//! The same solver also explains why SWMM 5 differs from both in this canal's transients
//! (`swmm.rs`, `one_reach_matches_swmm`, ignored): written in SWMM's non-conservative form,
//! ∂Q/∂t = k·2V·∂A/∂t + V²·∂A/∂x − gA·∂h/∂x − gA·S_f, the full equations are k = 1 and SWMM's
//! converged answers (the same at conduits of 250 m down to 31 m) are those of k = 1/2.

use danjiang_canal::{inp, run, Canal, CanalModel};
use std::path::PathBuf;

const GRAVITY: f64 = 9.81;
const LENGTH_M: f64 = 10_000.0;
const BOTTOM_WIDTH_M: f64 = 10.0;
const SIDE_SLOPE: f64 = 2.0;
const ROUGHNESS: f64 = 0.015;
const BED_SLOPE: f64 = 1e-4;
const UPSTREAM_BED_M: f64 = 100.0;
const CELL_M: f64 = 50.0;
const STEP_S: f64 = 2.0;
const CONDUIT_M: f64 = 250.0;

fn area(depth: f64) -> f64 {
    BOTTOM_WIDTH_M * depth + SIDE_SLOPE * depth * depth
}

fn depth_of(area: f64) -> f64 {
    let b = BOTTOM_WIDTH_M;
    (-b + (b * b + 4.0 * SIDE_SLOPE * area).sqrt()) / (2.0 * SIDE_SLOPE)
}

fn hydraulic_radius(depth: f64) -> f64 {
    area(depth) / (BOTTOM_WIDTH_M + 2.0 * depth * (1.0 + SIDE_SLOPE * SIDE_SLOPE).sqrt())
}

/// The staggered-grid state: wetted area per cell (m²), flow per face (m³/s).
struct Grid {
    area: Vec<f64>,
    flow: Vec<f64>,
    bed: Vec<f64>,
    stage: f64,
    /// Strength of the 2V·∂A/∂t term (1: the full equations).
    strength: f64,
}

impl Grid {
    fn new(model: &CanalModel, strength: f64, stage: f64, flow: f64) -> Grid {
        let cells = (LENGTH_M / CELL_M) as usize;
        let centre = |i: usize| (i as f64 + 0.5) * CELL_M;
        // The file's initial depths (SWMM's steady state) at its nodes, 250 m apart.
        let known: Vec<(f64, f64)> = model
            .nodes
            .iter()
            .filter_map(|n| n.id.strip_prefix('J').map(|k| (k, n)))
            .filter_map(|(k, n)| k.parse::<f64>().ok().map(|k| (k * CONDUIT_M, n)))
            .map(|(x, n)| {
                (
                    x,
                    if n.initial_depth > 0.0 {
                        n.initial_depth
                    } else {
                        stage - n.invert
                    },
                )
            })
            .collect();
        let depth_at = |x: f64| {
            let after = known
                .iter()
                .position(|p| p.0 >= x)
                .unwrap_or(known.len() - 1)
                .max(1);
            let (a, b) = (known[after - 1], known[after]);
            a.1 + (b.1 - a.1) * (x - a.0) / (b.0 - a.0)
        };
        Grid {
            area: (0..cells).map(|i| area(depth_at(centre(i)))).collect(),
            flow: vec![flow; cells + 1],
            bed: (0..cells)
                .map(|i| UPSTREAM_BED_M - BED_SLOPE * centre(i))
                .collect(),
            stage,
            strength,
        }
    }

    /// One explicit step to an upstream inflow `inflow` (m³/s): momentum at every face but the
    /// first, then continuity in every cell with the new flows.
    fn step(&mut self, inflow: f64) {
        let cells = self.area.len();
        let outfall_depth = self.stage - (UPSTREAM_BED_M - BED_SLOPE * LENGTH_M);
        let mut new_flow = self.flow.clone();
        for (face, slot) in new_flow.iter_mut().enumerate().skip(1) {
            let (up, last) = (face - 1, face == cells);
            let up_depth = depth_of(self.area[up]);
            let (down_depth, down_area, down_level, distance) = if last {
                (outfall_depth, area(outfall_depth), self.stage, 0.5 * CELL_M)
            } else {
                let depth = depth_of(self.area[face]);
                (depth, self.area[face], self.bed[face] + depth, CELL_M)
            };
            let face_area = 0.5 * (self.area[up] + down_area);
            let velocity = self.flow[face] / face_area;
            let convective = -velocity * velocity * (down_area - self.area[up]) / distance
                + self.strength * 2.0 * velocity * (self.flow[face] - self.flow[face - 1]) / CELL_M;
            let pressure = GRAVITY * face_area * (down_level - self.bed[up] - up_depth) / distance;
            let radius = hydraulic_radius(0.5 * (up_depth + down_depth));
            let friction = GRAVITY * ROUGHNESS * ROUGHNESS * self.flow[face].abs()
                / (face_area * radius.powf(4.0 / 3.0));
            *slot =
                (self.flow[face] - STEP_S * (convective + pressure)) / (1.0 + STEP_S * friction);
        }
        new_flow[0] = inflow;
        for cell in 0..cells {
            self.area[cell] -= STEP_S * (new_flow[cell + 1] - new_flow[cell]) / CELL_M;
        }
        self.flow = new_flow;
    }

    /// Mean flow over conduit `index` (0-based, 250 m each), m³/s.
    fn conduit_flow(&self, index: usize) -> f64 {
        let per = (CONDUIT_M / CELL_M) as usize;
        let faces = &self.flow[index * per..=(index + 1) * per];
        let inner: f64 = faces[1..per].iter().sum();
        (inner + 0.5 * (faces[0] + faces[per])) / per as f64
    }

    /// Depth at chainage `x`, m (between cell centres, linearly).
    fn depth_at(&self, x: f64) -> f64 {
        let position = (x / CELL_M - 0.5).clamp(0.0, (self.area.len() - 1) as f64);
        let below = position.floor() as usize;
        let above = (below + 1).min(self.area.len() - 1);
        let fraction = position - below as f64;
        depth_of(self.area[below]) * (1.0 - fraction) + depth_of(self.area[above]) * fraction
    }
}

/// (time s, depth per node J0..J39, flow per conduit C1..C40) at every 300 s report.
type Series = Vec<(f64, Vec<f64>, Vec<f64>)>;

fn solve(model: &CanalModel, strength: f64) -> Series {
    let outfall = model
        .nodes
        .iter()
        .find(|n| n.id == "J40")
        .expect("outfall J40");
    let stage = match outfall.kind {
        danjiang_canal::model::NodeKind::Outfall(
            danjiang_canal::model::OutfallBoundary::Fixed(s),
        ) => s,
        _ => panic!("J40 is a fixed outfall"), // ok: test
    };
    let upstream = model.node_index("J0").expect("J0");
    let first = model.inflow_at(upstream, 0.0);
    let mut grid = Grid::new(model, strength, stage, first);
    // Let the start settle under the first inflow, as the reference runs were spun up.
    for _ in 0..(6.0 * 3600.0 / STEP_S) as usize {
        grid.step(first);
    }
    let conduits = (LENGTH_M / CONDUIT_M) as usize;
    let mut series = Vec::new();
    let steps = (model.options.duration_s / STEP_S).round() as usize;
    for step in 1..=steps {
        let time = step as f64 * STEP_S;
        grid.step(model.inflow_at(upstream, time));
        if (time % 300.0).abs() < 1e-9 {
            let depths = (0..conduits)
                .map(|j| grid.depth_at(j as f64 * CONDUIT_M))
                .collect();
            let flows = (0..conduits).map(|c| grid.conduit_flow(c)).collect();
            series.push((time, depths, flows));
        }
    }
    series
}

/// Largest differences after the first hour: (depth m, flow as a share of max(2 %, 0.05 m³/s)).
fn worst(name: &str, reference: &Series, other: impl Fn(f64, &str) -> Option<f64>) -> (f64, f64) {
    let (mut depth, mut flow) = (0.0f64, 0.0f64);
    for (time, depths, flows) in reference.iter().filter(|r| r.0 > 3600.0) {
        for (j, d) in depths.iter().enumerate() {
            if let Some(value) = other(*time, &format!("depth:J{j}")) {
                depth = depth.max((value - d).abs());
            }
        }
        for (c, q) in flows.iter().enumerate() {
            if let Some(value) = other(*time, &format!("flow:C{}", c + 1)) {
                flow = flow.max((value - q).abs() / (0.02 * q.abs()).max(0.05));
            }
        }
    }
    println!("{name}: largest depth difference {depth:.4} m, largest flow difference {flow:.2} of its allowance");
    (depth, flow)
}

fn model() -> CanalModel {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/canals");
    inp::read_file(&dir.join("one_reach.inp")).expect("test canal reads")
}

#[test]
fn the_engine_matches_an_independent_solution_of_the_full_equations() {
    let model = model();
    let canal = Canal::new(model.clone()).expect("builds");
    assert!(
        (canal.length() - LENGTH_M).abs() < 1e-6,
        "the file is the canal described here"
    );
    let ours = run::run(&canal).expect("runs");
    let reference = solve(&model, 1.0);
    let value = |time: f64, column: &str| {
        let period = ours.times_s.iter().position(|t| (t - time).abs() < 1e-6)?;
        let (kind, id) = column.split_once(':')?;
        if kind == "depth" {
            Some(ours.depth[period][ours.node_ids.iter().position(|n| n == id)?])
        } else {
            Some(ours.flow[period][ours.link_ids.iter().position(|l| l == id)?])
        }
    };
    let (depth, flow) = worst("engine vs independent (k = 1)", &reference, value);
    assert!(
        depth <= 0.02 && flow <= 1.0,
        "depth {depth} m, flow {flow} of its allowance"
    );
}

/// SWMM's committed series as (time, column) → value.
fn swmm() -> std::collections::HashMap<(u64, String), f64> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/canals");
    let mut reader = csv::Reader::from_path(dir.join("one_reach.swmm.csv")).expect("reference");
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let mut values = std::collections::HashMap::new();
    for record in reader.records() {
        let record = record.expect("row");
        let time: f64 = record[0].parse().expect("time");
        for (column, value) in header.iter().zip(record.iter()).skip(1) {
            values.insert((time as u64, column.clone()), value.parse().expect("value"));
        }
    }
    values
}

#[test]
fn swmm_matches_the_equations_with_half_the_two_v_da_dt_term() {
    let model = model();
    let swmm = swmm();
    let value = |time: f64, column: &str| swmm.get(&(time as u64, column.to_string())).copied();
    let (_, full) = worst("SWMM vs independent (k = 1)", &solve(&model, 1.0), value);
    let (depth, half) = worst("SWMM vs independent (k = 1/2)", &solve(&model, 0.5), value);
    assert!(
        full > 1.0,
        "SWMM differs from the full equations by more than the allowance"
    );
    assert!(
        depth <= 0.02 && half <= 1.0,
        "depth {depth} m, flow {half} of its allowance"
    );
}
