//! Malformed inputs: each file of `tests/networks/malformed/` must be refused with exactly
//! the errors listed here, each on its line and with EPANET 2.3's code. The codes were
//! checked against EPANET 2.3.5 (runepanet), which reports the same code for each file.

use danjiang_network::inp;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// An error a file must produce: its line (`None` for a problem of the network as a whole)
/// and EPANET's code.
type Expected = (Option<usize>, u16);

/// File, then every error it must produce.
const CASES: &[(&str, &[Expected])] = &[
    ("201_pump_unknown_keyword", &[(Some(23), 201)]),
    ("201_rule_premise_fields", &[(Some(30), 201)]),
    ("201_tank_too_few_fields", &[(Some(14), 201)]),
    ("202_junction_elevation", &[(Some(6), 202)]),
    ("202_pattern_value", &[(Some(23), 202)]),
    ("202_pipe_length_zero", &[(Some(19), 202)]),
    ("203_pipe_undefined_node", &[(Some(20), 203)]),
    ("203_rule_undefined_node", &[(Some(30), 203)]),
    ("204_status_undefined_link", &[(Some(29), 204)]),
    ("205_demand_undefined_pattern", &[(Some(29), 205)]),
    ("205_junction_undefined_pattern", &[(Some(7), 205)]),
    ("206_pump_undefined_curve", &[(Some(23), 206)]),
    ("207_control_check_valve", &[(Some(29), 207)]),
    ("208_pda_pressure_limits", &[(Some(29), 208)]),
    ("209_negative_emitter", &[(Some(29), 209)]),
    ("209_negative_tank_level", &[(Some(14), 209)]),
    ("211_negative_status_setting", &[(Some(29), 211)]),
    ("212_undefined_trace_node", &[(Some(27), 212)]),
    ("213_control_condition", &[(Some(29), 213)]),
    ("213_flow_units", &[(Some(26), 213)]),
    ("213_time_value", &[(Some(29), 213)]),
    ("213_valve_type", &[(Some(23), 213)]),
    ("215_duplicate_node", &[(Some(8), 215)]),
    ("216_energy_undefined_pump", &[(Some(29), 216)]),
    ("217_energy_negative_efficiency", &[(Some(29), 217)]),
    ("219_prv_to_reservoir", &[(Some(23), 219)]),
    ("221_rule_then_before_if", &[(Some(30), 221)]),
    ("222_same_start_and_end", &[(Some(19), 222)]),
    ("223_one_node", &[(None, 223)]),
    ("224_no_tank_or_reservoir", &[(None, 224)]),
    ("225_tank_levels", &[(Some(14), 225)]),
    ("226_pump_without_curve", &[(Some(23), 226)]),
    ("227_pump_curve_rising", &[(Some(23), 227)]),
    // EPANET reports both: the pump's curve is unusable because its x values fall.
    (
        "230_curve_x_not_increasing",
        &[(Some(23), 227), (Some(26), 230)],
    ),
    ("233_unconnected_junction", &[(Some(8), 233)]),
    ("252_id_too_long", &[(Some(8), 252)]),
    ("299_unknown_section", &[(Some(28), 299)]),
    (
        "many_errors",
        &[(Some(6), 202), (Some(20), 203), (Some(29), 213)],
    ),
];

fn malformed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/networks/malformed")
}

#[test]
fn each_malformed_input_gives_its_errors_on_their_lines() {
    let mut failures = Vec::new();
    for (name, expected) in CASES {
        let path = malformed_dir().join(format!("{name}.inp"));
        let error = match inp::read_file(&path) {
            Ok(_) => {
                failures.push(format!("{name}: accepted"));
                continue;
            }
            Err(error) => error,
        };
        let found: BTreeSet<(Option<usize>, u16)> = error
            .errors()
            .iter()
            .map(|e| (e.line, e.code.unwrap_or(0)))
            .collect();
        let wanted: BTreeSet<(Option<usize>, u16)> = expected.iter().copied().collect();
        if found != wanted {
            failures.push(format!(
                "{name}: expected {wanted:?}, found {found:?}\n{error}"
            ));
        }
        for diagnostic in error.errors() {
            let shown = diagnostic.to_string();
            if !shown.contains(&format!("{name}.inp")) || diagnostic.message.is_empty() {
                failures.push(format!("{name}: diagnostic lacks file or message: {shown}"));
            }
            if diagnostic.line.is_some() && diagnostic.text.trim().is_empty() {
                failures.push(format!("{name}: diagnostic lacks the line's text: {shown}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_malformed_file_is_in_the_table() {
    let listed: BTreeSet<String> = CASES.iter().map(|(name, _)| name.to_string()).collect();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(malformed_dir()).expect("malformed inputs exist") {
        // ok: test data
        let path = entry.expect("readable directory").path(); // ok: test data
        if path.extension().is_some_and(|e| e == "inp") {
            let stem = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            if !listed.contains(&stem) {
                missing.push(stem);
            }
        }
    }
    assert!(missing.is_empty(), "not in the table: {missing:?}");
}
