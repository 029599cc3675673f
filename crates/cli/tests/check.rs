//! `danjiang check`: exit status 0 without errors, 1 with errors (each printed with its
//! line), 2 for a usage error; the summary names counts, units and the headloss formula.

use std::path::PathBuf;
use std::process::Command;

fn networks() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/networks")
}

fn check(args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_danjiang"))
        .arg("check")
        .args(args)
        .output()
        .expect("danjiang runs"); // ok: test
    let text = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.code().unwrap_or(-1), text)
}

#[test]
fn a_good_network_passes_with_a_summary() {
    let net1 = networks().join("public/net1.inp");
    let (code, text) = check(&[net1.to_str().unwrap_or_default()]);
    assert_eq!(code, 0, "{text}");
    for expected in [
        "9 junctions, 1 reservoirs, 1 tanks",
        "12 pipes, 1 pumps, 0 valves",
        "flow GPM",
        "Hazen-Williams",
        "demand-driven",
        "2 simple controls, 0 rules",
        "0 errors",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn errors_give_status_1_and_name_their_lines() {
    let bad = networks().join("malformed/many_errors.inp");
    let (code, text) = check(&["--quiet", bad.to_str().unwrap_or_default()]);
    assert_eq!(code, 1, "{text}");
    for expected in [
        "many_errors.inp:6: error 202",
        "many_errors.inp:20: error 203",
        "many_errors.inp:29: error 213",
        "3 errors",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn usage_errors_give_status_2() {
    let (code, _) = check(&[]);
    assert_eq!(code, 2);
    let (code, _) = check(&["--no-such-option", "x.inp"]);
    assert_eq!(code, 2);
}

#[test]
fn a_missing_file_is_an_error_not_a_panic() {
    let (code, text) = check(&["/no/such/file.inp"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("cannot read"), "{text}");
}
