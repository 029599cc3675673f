//! Against analytical solutions: a slug in a prismatic trapezoidal reach in uniform flow
//! (C = M/(A·sqrt(4πDt))·exp(−(x−Ut)²/(4Dt))), with and without first-order decay, and the
//! mass balance of a spill through gates and outlets.

use danjiang_canal::spill::{run_spill, SpillAt, SpillSpec};
use danjiang_canal::transport::Dispersion;
use danjiang_canal::{inp, Canal};
use std::path::{Path, PathBuf};

/// 40 km, b = 20 m, side slopes 2, n = 0.015, S = 1/25,000, 100 m³/s, normal depth outfall.
const UNIFORM: &str = "
[OPTIONS]
FLOW_UNITS CMS
FLOW_ROUTING DYNWAVE
START_DATE 01/01/2024
START_TIME 00:00:00
END_DATE 01/01/2024
END_TIME 10:00:00
REPORT_STEP 00:15:00
ROUTING_STEP 30
[JUNCTIONS]
UP 101.6 10 0
[OUTFALLS]
DOWN 100.0 NORMAL
[CONDUITS]
REACH UP DOWN 40000 0.015 0 0
[XSECTIONS]
REACH TRAPEZOIDAL 8 20 2 2
[INFLOWS]
UP FLOW \"\" FLOW 1.0 1.0 100
";

/// 50 m cells: the slug's σ = sqrt(2Dt) ≈ 680 m spans 14 cells. (At 100 m cells the peak comes
/// out 2.7 % low: QUICKEST's fourth-order dissipation, which halving the cells cuts to 0.5 %.)
fn uniform() -> Canal {
    let mut model = inp::read_str(UNIFORM, Path::new("uniform.inp")).expect("reads");
    model.options.max_cell_m = 50.0;
    Canal::new(model).expect("builds")
}

fn slug(decay_per_day: f64) -> (f64, f64, f64, f64, f64, f64) {
    slug_with(decay_per_day, |_| Dispersion::Constant(10.0))
}

/// The slug with the dispersion `given(U)` chooses, where it must come to D = 10 m²/s.
fn slug_with(
    decay_per_day: f64,
    given: impl Fn(f64) -> Dispersion,
) -> (f64, f64, f64, f64, f64, f64) {
    let canal = uniform();
    let (mass, dispersion) = (1000.0, 10.0);
    // Uniform flow: the section's area at the computed (uniform) depth.
    let state = danjiang_canal::steady::initial_state(&canal).expect("state");
    let (section, _) = canal.section(0).expect("section");
    let area = section.wetted(state.level[0] - canal.points[0].bed).area;
    let velocity = 100.0 / area;
    let (spill, probe) = (5050.0, 25050.0);
    let spec = SpillSpec {
        at: SpillAt::Chainage(spill),
        mass_kg: mass,
        start_s: 0.0,
        duration_s: 0.0,
        dispersion: given(velocity),
        decay_per_s: decay_per_day / 86_400.0,
        threshold_mg_l: 0.01,
        chainages: vec![probe],
        closures: Vec::new(),
    };
    let results = run_spill(&canal, &spec).expect("spill runs");
    let place = results
        .places
        .iter()
        .find(|p| p.kind == "chainage")
        .expect("probe");
    let travel = (probe - spill) / velocity;
    let analytic_peak =
        mass / (area * (4.0 * std::f64::consts::PI * dispersion * travel).sqrt()) * 1000.0;
    let balance = &results.mass_balance;
    (
        place.peak_time_s,
        travel,
        place.peak_mg_l,
        analytic_peak,
        balance.error().abs() / balance.injected,
        balance.decayed,
    )
}

#[test]
fn a_slug_peaks_at_l_over_u_with_the_analytical_height() {
    let (peak_time, travel, peak, analytic, balance_error, _) = slug(0.0);
    println!("peak at {peak_time} s (L/U {travel:.0} s), {peak:.5} mg/L (analytical {analytic:.5}), balance {balance_error:e}");
    assert!(
        (peak_time - travel).abs() / travel < 0.01,
        "arrival {peak_time} vs {travel}"
    );
    assert!(
        (peak - analytic).abs() / analytic < 0.02,
        "peak {peak} vs {analytic}"
    );
    assert!(balance_error < 1e-6, "mass balance error {balance_error}");
}

#[test]
fn a_power_law_dispersion_a_v_to_the_b_acts_as_its_value() {
    // D = a·U^b chosen to come to 10 m²/s at the reach's velocity: the analytical slug again.
    let b = 1.5;
    let (peak_time, travel, peak, analytic, balance_error, _) =
        slug_with(0.0, |velocity| Dispersion::Power {
            a: 10.0 / velocity.powf(b),
            b,
        });
    println!("a·V^b: peak {peak:.5} mg/L (analytical {analytic:.5})");
    assert!((peak_time - travel).abs() / travel < 0.01);
    assert!(
        (peak - analytic).abs() / analytic < 0.02,
        "peak {peak} vs {analytic}"
    );
    assert!(balance_error < 1e-6);
}

/// Fischer's K = 0.011·U²·W²/(h·u*) by hand for the Xuchang canal's section (b = 24 m, side
/// slopes 2.5) at 6.43 m and 197.5 m³/s, n = 0.015: W the top width, h = A/W the hydraulic
/// depth, u* = sqrt(g·R·S) with S the friction slope from Manning.
#[test]
fn fischer_coefficient_is_the_formula_with_top_width_and_hydraulic_depth() {
    let (bottom, slope, depth, flow, n) = (24.0_f64, 2.5_f64, 6.43_f64, 197.5_f64, 0.015_f64);
    let section = danjiang_canal::section::Section::Trapezoid {
        bottom_width: bottom,
        left_slope: slope,
        right_slope: slope,
        full_depth: 8.0,
    };
    let area = (bottom + slope * depth) * depth;
    let top_width = bottom + 2.0 * slope * depth;
    let perimeter = bottom + 2.0 * depth * (1.0 + slope * slope).sqrt();
    let radius = area / perimeter;
    let velocity = flow / area;
    let friction_slope = (n * velocity).powi(2) / radius.powf(4.0 / 3.0);
    let shear = (9.81 * radius * friction_slope).sqrt();
    let hand = 0.011 * velocity.powi(2) * top_width.powi(2) / (area / top_width * shear);
    let coded = danjiang_canal::transport::fischer(&section, depth, flow, n);
    println!("Fischer K {coded:.2} m²/s (by hand {hand:.2}), u* {shear:.4} m/s");
    assert!((coded - hand).abs() / hand < 1e-3, "{coded} vs {hand}");
}

#[test]
fn a_decaying_slug_follows_the_analytical_decay() {
    let rate = 0.5; // per day
    let (peak_time, travel, peak, analytic, balance_error, decayed) = slug(rate);
    let expected = analytic * (-rate / 86_400.0 * travel).exp();
    println!("decayed peak {peak:.5} mg/L (analytical {expected:.5}), {decayed:.1} kg decayed");
    assert!((peak_time - travel).abs() / travel < 0.01);
    assert!(
        (peak - expected).abs() / expected < 0.02,
        "peak {peak} vs {expected}"
    );
    assert!(balance_error < 1e-6);
    assert!(decayed > 0.0);
}

#[test]
fn the_mass_balance_closes_through_gates_and_outlets() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/canals/pools.inp");
    let canal = Canal::new(inp::read_file(&path).expect("reads")).expect("builds");
    let spec = SpillSpec {
        at: SpillAt::Chainage(1500.0),
        mass_kg: 5000.0,
        start_s: 600.0,
        duration_s: 1800.0,
        dispersion: Dispersion::Fischer,
        decay_per_s: 0.1 / 86_400.0,
        threshold_mg_l: 0.05,
        chainages: Vec::new(),
        closures: Vec::new(),
    };
    let results = run_spill(&canal, &spec).expect("runs");
    let balance = &results.mass_balance;
    println!("{balance:?}");
    assert!(
        (balance.injected - 5000.0).abs() < 1e-6,
        "injected {}",
        balance.injected
    );
    assert!(
        balance.error().abs() < 1e-6 * balance.injected,
        "error {}",
        balance.error()
    );
    assert!(
        balance.withdrawn.iter().all(|m| *m > 0.0),
        "both outlets draw some: {:?}",
        balance.withdrawn
    );
    let o1 = results.places.iter().find(|p| p.id == "O1").expect("O1");
    let o2 = results.places.iter().find(|p| p.id == "O2").expect("O2");
    assert!(o1.arrival_s.expect("reaches O1") < o2.arrival_s.expect("reaches O2"));
}
