//! Steady backwater behind a check gate: levels within 1 cm of a standard-step profile computed
//! here (energy equation, mean friction slope over 10 m steps, the free sluice-gate law for the
//! level upstream of the gate), after six hours of unsteady simulation at constant flow.

use danjiang_canal::{inp, Canal, Simulation};
use std::path::Path;

const Q: f64 = 40.0;
const G: f64 = 9.81;
const B: f64 = 15.0;
const Z: f64 = 2.0;
const N: f64 = 0.015;
const S0: f64 = 4e-5;

/// Four 2.5 km reaches, a gate opening 0.8 m (setting 0.2 of 4 m) at km 10 discharging freely
/// into a reach 2 m lower held at 1.5 m depth.
const CANAL: &str = "
[OPTIONS]
FLOW_UNITS CMS
FLOW_ROUTING DYNWAVE
END_TIME 06:00:00
ROUTING_STEP 30
[JUNCTIONS]
J0 100.4 10 0
J1 100.3 10 0
J2 100.2 10 0
J3 100.1 10 0
J4 100.0 10 0
J5 98.0 10 0
[OUTFALLS]
OUT 97.98 FIXED 99.48
[CONDUITS]
C1 J0 J1 2500 0.015 0 0
C2 J1 J2 2500 0.015 0 0
C3 J2 J3 2500 0.015 0 0
C4 J3 J4 2500 0.015 0 0
C5 J5 OUT 500 0.015 0 0
[ORIFICES]
GATE J4 J5 SIDE 0 0.6 NO 0
[XSECTIONS]
C1 TRAPEZOIDAL 8 15 2 2
C2 TRAPEZOIDAL 8 15 2 2
C3 TRAPEZOIDAL 8 15 2 2
C4 TRAPEZOIDAL 8 15 2 2
C5 TRAPEZOIDAL 8 15 2 2
GATE RECT_CLOSED 4 10
[CONTROLS]
RULE OPENING
IF SIMULATION TIME >= 0
THEN ORIFICE GATE SETTING = 0.2
[INFLOWS]
J0 FLOW \"\" FLOW 1.0 1.0 40
";

fn specific_energy(y: f64) -> (f64, f64) {
    let area = B * y + Z * y * y;
    let perimeter = B + 2.0 * y * (1.0 + Z * Z).sqrt();
    let radius = area / perimeter;
    let friction = (N * Q / area).powi(2) / radius.powf(4.0 / 3.0);
    (y + (Q / area).powi(2) / (2.0 * G), friction)
}

/// Depth one step `dx` upstream of depth `y` by the standard step (bisection on the M1 branch).
fn standard_step(y: f64, dx: f64) -> f64 {
    let (e_down, sf_down) = specific_energy(y);
    let balance = |y_up: f64| {
        let (e_up, sf_up) = specific_energy(y_up);
        e_up + S0 * dx - e_down - 0.5 * dx * (sf_up + sf_down)
    };
    let (mut low, mut high) = (0.5 * y, y + 2.0);
    for _ in 0..100 {
        let mid = 0.5 * (low + high);
        if balance(mid) < 0.0 {
            low = mid
        } else {
            high = mid
        }
    }
    0.5 * (low + high)
}

#[test]
fn backwater_behind_a_gate_matches_the_standard_step() {
    let canal = Canal::new(inp::read_str(CANAL, Path::new("backwater.inp")).expect("reads"))
        .expect("builds");
    let start = danjiang_canal::steady::initial_state(&canal).expect("starts");
    let mut simulation = Simulation::new(&canal, start);
    while simulation.step().expect("steps") {}
    // The free sluice: Q = Cd·w·a·sqrt(2g(h1 − (crest + a/2))), crest at J4's invert 100.0.
    let opening = 0.2 * 4.0;
    let head = (Q / (0.6 * 10.0 * opening * (2.0 * G).sqrt())).powi(2);
    let mut depth = 100.0 + 0.5 * opening + head - 100.0;
    let mut worst: f64 = 0.0;
    for node in (0..=4).rev() {
        if node < 4 {
            for _ in 0..250 {
                depth = standard_step(depth, 10.0);
            }
        }
        let id = format!("J{node}");
        let index = canal.model.node_index(&id).expect("node");
        let ours = simulation.node_depth(index).expect("on the main line");
        println!("{id}: ours {ours:.4} m, standard step {depth:.4} m");
        worst = worst.max((ours - depth).abs());
    }
    let normal = {
        let (mut low, mut high) = (0.1, 8.0);
        for _ in 0..100 {
            let mid: f64 = 0.5 * (low + high);
            let (_, friction) = specific_energy(mid);
            if friction > S0 {
                low = mid
            } else {
                high = mid
            }
        }
        low
    };
    assert!(
        depth > normal + 0.5,
        "a backwater (M1) well above normal depth {normal}: {depth}"
    );
    assert!(worst < 0.01, "largest difference {worst} m");
}
