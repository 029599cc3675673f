//! Bad input gets an error that says where and what was expected, never a panic.

use danjiang_canal::spill::{run_spill, SpillAt, SpillSpec};
use danjiang_canal::transport::Dispersion;
use danjiang_canal::{inp, Canal, CanalError};
use std::path::Path;

const GOOD: &str = "[OPTIONS]
FLOW_UNITS CMS
FLOW_ROUTING DYNWAVE
END_TIME 01:00:00
[JUNCTIONS]
J0 101 10 0
J1 100.5 10 0
J2 100.5 10 0
[OUTFALLS]
OUT 100 FIXED 104
[CONDUITS]
C1 J0 J1 5000 0.015 0 0
C2 J2 OUT 5000 0.015 0 0
[ORIFICES]
G1 J1 J2 SIDE 0 0.6 NO 0
[XSECTIONS]
C1 TRAPEZOIDAL 8 15 2 2
C2 TRAPEZOIDAL 8 15 2 2
G1 RECT_CLOSED 4 10
[INFLOWS]
J0 FLOW \"\" FLOW 1.0 1.0 30
";

fn build(text: &str) -> Result<Canal, CanalError> {
    Canal::new(inp::read_str(text, Path::new("bad.inp"))?)
}

fn located(text: &str, line: usize, words: &str) {
    let error = build(text).expect_err("an error");
    let message = error.to_string();
    assert!(
        message.starts_with(&format!("bad.inp:{line}:")),
        "{message}"
    );
    assert!(message.contains(words), "{message}");
}

#[test]
fn the_good_canal_builds() {
    build(GOOD).expect("builds");
}

#[test]
fn a_negative_width_is_located() {
    located(
        &GOOD.replace("C2 TRAPEZOIDAL 8 15 2 2", "C2 TRAPEZOIDAL 8 -15 2 2"),
        18,
        "positive bottom width",
    );
}

#[test]
fn a_gate_with_no_downstream_link_is_located() {
    let text = GOOD.replace("C2 J2 OUT 5000 0.015 0 0", "C2 J1 OUT 5000 0.015 0 0");
    // C2 now leaves J1 beside the gate, so the gate's node J2 leads nowhere.
    located(&text, 15, "gate 'G1' has no downstream link: node 'J2'");
}

#[test]
fn a_gate_ending_the_canal_short_of_an_outfall_is_located() {
    let text = GOOD
        .replace("C2 J2 OUT 5000 0.015 0 0\n", "")
        .replace("C2 TRAPEZOIDAL 8 15 2 2\n", "");
    located(&text, 14, "gate 'G1' has no downstream link");
}

#[test]
fn a_transect_that_does_not_close_is_located() {
    let text = GOOD.replace("C2 TRAPEZOIDAL 8 15 2 2", "C2 IRREGULAR OPEN").to_string()
        + "[TRANSECTS]\nNC 0.015 0.015 0.015\nX1 OPEN 4 0 0 0 0 0 0 0 0\nGR 100 0 95 10 95 20 94 30\n";
    located(&text, 24, "does not close");
}

#[test]
fn a_number_that_is_not_one_is_located() {
    located(
        &GOOD.replace("C1 J0 J1 5000", "C1 J0 J1 5km"),
        12,
        "expected a number for the length",
    );
}

#[test]
fn an_unknown_node_is_located() {
    located(
        &GOOD.replace("G1 J1 J2 SIDE", "G1 J1 J9 SIDE"),
        15,
        "'J9' is not a node",
    );
}

#[test]
fn a_spill_outside_the_canal_is_refused() {
    let canal = build(GOOD).expect("builds");
    let spec = SpillSpec {
        at: SpillAt::Chainage(12_000.0),
        mass_kg: 100.0,
        start_s: 0.0,
        duration_s: 0.0,
        dispersion: Dispersion::Fischer,
        decay_per_s: 0.0,
        threshold_mg_l: 0.01,
        chainages: Vec::new(),
        closures: Vec::new(),
    };
    let message = run_spill(&canal, &spec).expect_err("refused").to_string();
    assert!(
        message.contains("outside the canal") && message.contains("10.000 km"),
        "{message}"
    );
}

#[test]
fn garbage_never_panics() {
    let mut text = String::from(GOOD);
    // Cut the file at every line and mangle every token in turn: errors, never panics.
    let lines: Vec<&str> = GOOD.lines().collect();
    for cut in 0..lines.len() {
        let _ = build(&lines[..cut].join("\n"));
        for (index, _) in lines[cut].split_whitespace().enumerate() {
            let mut tokens: Vec<&str> = lines[cut].split_whitespace().collect();
            tokens[index] = "-1e999";
            let mut mangled = lines.clone();
            let line = tokens.join(" ");
            mangled[cut] = &line;
            let _ = build(&mangled.join("\n"));
        }
    }
    text.push_str("[CONTROLS]\nRULE R\nIF NODE J1 DEPTH > x\n");
    assert!(build(&text).is_err());
}
