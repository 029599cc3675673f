//! `[REPORT] STATUS FULL`: the trials of every hydraulic time in our report (each trial's
//! relative flow change, links switched during the trials, the largest flow change and head
//! error) against EPANET 2.3.5's own report, for every public network that asks for a full
//! status report and has a committed reference (tests/networks/reference/NAME.rpt.gz).

use danjiang_network::{Network, StatusReport};
use danjiang_output::report::ReportWriter;
use danjiang_simulation::{simulate, Budget, ReportSink};
use std::io::Read;
use std::path::{Path, PathBuf};

#[path = "../../hydraulics/tests/parity/mod.rs"]
mod parity;

fn root() -> PathBuf {
    parity::workspace_root(env!("CARGO_MANIFEST_DIR"))
}

/// The lines of a report that belong to the trials of a full status report.
fn trial_block(report: &str) -> Vec<String> {
    report
        .lines()
        .map(str::trim_end)
        .filter(|line| {
            let text = line.trim_start();
            text.starts_with("Trial ")
                || text.starts_with("maximum  ")
                || text.ends_with(": Balancing the network:")
                || text.contains(" switched from ")
                || text.contains(" setting changed to ")
                || text.contains(" caused ill-conditioning")
        })
        .map(str::to_string)
        .collect()
}

/// Our report's trial lines for a network, from a whole run into a report.
fn our_trial_block(network: &Network) -> Result<Vec<String>, String> {
    let mut text = Vec::new();
    {
        let writer =
            ReportWriter::new(&mut text, network, "test.inp").map_err(|e| e.to_string())?;
        let mut report = ReportSink::new(writer, network, None);
        simulate(
            network,
            "test.inp",
            &Budget::unlimited(),
            &mut [&mut report],
            &mut |_| {},
        )
        .map_err(|e| e.to_string())?;
    }
    Ok(trial_block(&String::from_utf8_lossy(&text)))
}

fn reference_block(path: &Path) -> Result<Vec<String>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(trial_block(&text))
}

#[test]
fn full_status_trials_match_epanet() {
    let root = root();
    let networks = parity::public_networks_with_reference(&root, "rpt.gz")
        .expect("the public networks are there"); // ok: test data of the repository
    let mut compared = Vec::new();
    let mut failures = Vec::new();
    for (name, input, reference) in networks {
        let Ok(outcome) = danjiang_network::inp::read_file(&input) else {
            continue;
        };
        if outcome.network.report.status != StatusReport::Full {
            continue;
        }
        let expected = match reference_block(&reference) {
            Ok(lines) => lines,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let ours = match our_trial_block(&outcome.network) {
            Ok(lines) => lines,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        compared.push(name.clone());
        if ours != expected {
            let at = ours
                .iter()
                .zip(&expected)
                .position(|(a, b)| a != b)
                .unwrap_or(ours.len().min(expected.len()));
            failures.push(format!(
                "{name}: line {at} of the trials ({} ours, {} EPANET's): ours {:?}, EPANET {:?}",
                ours.len(),
                expected.len(),
                ours.get(at),
                expected.get(at)
            ));
        }
    }
    println!("compared the full status trials of {compared:?}");
    assert!(
        compared.len() >= 10,
        "expected at least 10 networks with STATUS FULL and a reference, found {compared:?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
