//! The hydraulic results of the binary output file, bit for bit: for every public network with
//! a committed EPANET 2.3.5 reference (tests/networks/reference/NAME.out.gz) and no time
//! statistic, each reported period's demands, heads, pressures, flows, velocities, unit head
//! losses, statuses, settings and friction factors, built the way `danjiang run` builds them
//! (engine, then danjiang_output::period), must equal EPANET's single-precision values exactly.
//! Networks that do not yet are listed below with the cause; the test fails on any other
//! difference and on a listed network that now matches.

use danjiang_hydraulics::{HydraulicSimulation, ReportClock};
use danjiang_output::binary::{OutFile, PeriodResults};
use danjiang_output::period::{HydraulicSnapshot, PeriodBuilder};
use std::path::{Path, PathBuf};

/// Networks whose hydraulic output is not yet bit-identical: (name, cause).
const KNOWN: &[(&str, &str)] = &[];

#[path = "parity/mod.rs"]
mod parity;

fn root() -> PathBuf {
    parity::workspace_root(env!("CARGO_MANIFEST_DIR"))
}

/// The first difference between our period and EPANET's, if any.
fn first_difference(ours: &PeriodResults, theirs: &PeriodResults) -> Option<String> {
    let quantities: [(&str, &[f32], &[f32]); 9] = [
        ("node demand", &ours.node_demand, &theirs.node_demand),
        ("node head", &ours.node_head, &theirs.node_head),
        ("node pressure", &ours.node_pressure, &theirs.node_pressure),
        ("link flow", &ours.link_flow, &theirs.link_flow),
        ("link velocity", &ours.link_velocity, &theirs.link_velocity),
        ("link headloss", &ours.link_headloss, &theirs.link_headloss),
        ("link status", &ours.link_status, &theirs.link_status),
        ("link setting", &ours.link_setting, &theirs.link_setting),
        (
            "link friction factor",
            &ours.link_friction_factor,
            &theirs.link_friction_factor,
        ),
    ];
    for (name, a, b) in quantities {
        if a.len() != b.len() {
            return Some(format!("{name}: {} values against {}", a.len(), b.len()));
        }
        if let Some(i) = (0..a.len()).find(|&i| a[i].to_bits() != b[i].to_bits()) {
            return Some(format!("{name} [{i}]: ours {} EPANET {}", a[i], b[i]));
        }
    }
    None
}

/// Runs a network and returns the first period that differs from the reference.
fn check(input: &Path, reference: &OutFile) -> Result<Option<String>, String> {
    let network = danjiang_network::inp::read_file(input)
        .map_err(|e| e.to_string())?
        .network;
    let builder = PeriodBuilder::new(&network);
    let mut simulation = HydraulicSimulation::new(&network).map_err(|e| e.to_string())?;
    let mut clock = ReportClock::new(&network);
    let mut reported = 0usize;
    let mut codes: Vec<u8> = Vec::new();
    while let Some(state) = simulation.step().map_err(|e| e.to_string())? {
        if !clock.is_report_time(state.time) {
            continue;
        }
        codes.clear();
        codes.extend(state.link_status.iter().map(|s| s.code()));
        let snapshot = HydraulicSnapshot {
            time: state.time,
            node_head: &state.node_head,
            node_demand: &state.node_demand,
            link_flow: &state.link_flow,
            link_status: &codes,
            link_setting: &state.link_setting,
            quality: None,
        };
        let ours = builder.to_results(&builder.build(&snapshot).map_err(|e| e.to_string())?);
        let Some(theirs) = reference.periods.get(reported) else {
            return Ok(Some(format!("an extra period at {} s", state.time)));
        };
        if let Some(difference) = first_difference(&ours, theirs) {
            return Ok(Some(format!("t={} s: {difference}", state.time)));
        }
        reported += 1;
    }
    if reported != reference.periods.len() {
        return Ok(Some(format!(
            "{reported} periods, EPANET {}",
            reference.periods.len()
        )));
    }
    Ok(None)
}

#[test]
fn hydraulic_output_is_bit_identical_to_epanet() {
    let root = root();
    let networks = parity::public_networks_with_reference(&root, "out.gz")
        .expect("the public networks are there"); // ok: test data of the repository
    let mut identical = Vec::new();
    let mut failures = Vec::new();
    for (name, input, path) in networks {
        let reference = match danjiang_output::binary::read(&path) {
            Ok(out) => out,
            Err(e) => {
                failures.push(format!("{name}: reference: {e}"));
                continue;
            }
        };
        // A time statistic replaces the periods by one of EPANET's own making.
        if reference.prolog.statistic_code != 0 {
            continue;
        }
        let known = KNOWN.iter().find(|(n, _)| *n == name);
        match (check(&input, &reference), known) {
            (Ok(None), None) => identical.push(name),
            (Ok(None), Some(_)) => failures.push(format!("{name} is identical now: unlist it")),
            (Ok(Some(_)), Some(_)) => {}
            (Ok(Some(difference)), None) => failures.push(format!("{name}: {difference}")),
            (Err(e), _) => failures.push(format!("{name}: {e}")),
        }
    }
    println!("{} networks bit-identical: {identical:?}", identical.len());
    assert!(
        identical.len() >= 40,
        "expected at least 40 bit-identical networks, got {identical:?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
