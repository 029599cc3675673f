//! Parity of generated networks (`danjiang generate`) with EPANET 2.3.5, run at test time:
//! their outputs are too big to commit (a 100,000-node day is about 100 MB), so each network
//! is generated, written as .inp, solved by a reference `runepanet` and by us from that same
//! file, and compared with the harness of crates/hydraulics/tests/parity/mod.rs.
//!
//! `DANJIANG_RUNEPANET` names the reference `runepanet` (scripts/test.sh sets it from
//! scripts/reference.sh's virtual environment) and `DANJIANG_EPANET_LIBS` the folder of its
//! shared libraries (the wheel's `owa_epanet.libs`). Without `DANJIANG_RUNEPANET` the test
//! says it was skipped and passes; with it, any difference, or EPANET failing, fails it.
//! `DANJIANG_GENERATED_NODES=10000,100000` chooses the sizes (default 10,000);
//! `DANJIANG_GENERATED_KEEP=FOLDER` keeps each network's .inp, .rpt and .out there.

#[path = "parity/mod.rs"]
mod parity;

use danjiang_network::generate::{generate, GeneratorSpec, Layout};
use danjiang_network::FlowUnits;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const RUNEPANET: &str = "DANJIANG_RUNEPANET";
const EPANET_LIBS: &str = "DANJIANG_EPANET_LIBS";
const NODES: &str = "DANJIANG_GENERATED_NODES";
const KEEP: &str = "DANJIANG_GENERATED_KEEP";

/// A scratch folder removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the reference EPANET on `inp`, writing `rpt` and `out`.
fn run_epanet(runepanet: &Path, inp: &Path, rpt: &Path, out: &Path) -> Result<(), String> {
    let mut command = Command::new(runepanet);
    command.arg(inp).arg(rpt).arg(out);
    if let Some(libs) = std::env::var_os(EPANET_LIBS) {
        let mut path = libs;
        if let Some(old) = std::env::var_os("LD_LIBRARY_PATH") {
            path.push(":");
            path.push(old);
        }
        command.env("LD_LIBRARY_PATH", path);
    }
    let output = command
        .output()
        .map_err(|e| format!("cannot run {}: {e}", runepanet.display()))?;
    let report = std::fs::read_to_string(rpt).unwrap_or_default();
    // EPANET ends a run with a warning (code 1-6) or an error (100 and above); a
    // generated network must solve cleanly.
    if !output.status.success() || report.contains("Error") || report.contains("WARNING") {
        let lines: Vec<&str> = report
            .lines()
            .filter(|l| l.contains("Error") || l.contains("WARNING"))
            .take(5)
            .collect();
        return Err(format!(
            "EPANET on {}: exit {:?}; {}{}",
            inp.display(),
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).trim(),
            lines.join(" | ")
        ));
    }
    Ok(())
}

fn sizes() -> Result<Vec<usize>, String> {
    match std::env::var(NODES) {
        Err(_) => Ok(vec![10_000]),
        Ok(text) => text
            .split(',')
            .map(|s| {
                s.trim()
                    .parse::<usize>()
                    .map_err(|_| format!("{NODES}: \"{s}\" is not a node count"))
            })
            .collect(),
    }
}

#[test]
fn generated_networks_match_epanet() {
    let Some(runepanet) = std::env::var_os(RUNEPANET).map(PathBuf::from) else {
        println!(
            "SKIPPED generated-network parity: set {RUNEPANET} to a runepanet of EPANET 2.3.5 \
             (scripts/test.sh does, from scripts/reference.sh's .venv)"
        );
        return;
    };
    let sizes = match sizes() {
        Ok(sizes) => sizes,
        Err(message) => panic!("{message}"),
    };
    let scratch = Scratch(
        std::env::temp_dir().join(format!("danjiang-generated-parity-{}", std::process::id())),
    );
    if let Err(e) = std::fs::create_dir_all(&scratch.0) {
        panic!("cannot make {}: {e}", scratch.0.display());
    }
    let mut failures = Vec::new();
    // Looped, branched and mixed districts in SI units, and one in US units (its values,
    // stored in SI, reach the engine as EPANET's own doubles through the file's numbers).
    let cases = [
        (Layout::Mixed, FlowUnits::Lps, 1u64),
        (Layout::Tree, FlowUnits::Lps, 2u64),
        (Layout::Grid, FlowUnits::Cmh, 3u64),
        (Layout::Tree, FlowUnits::Gpm, 4u64),
    ];
    for &nodes in &sizes {
        // Above 20,000 nodes only the mixed layout (looped and branched districts both),
        // to keep the run short: a 100,000-node day takes EPANET and us about 20 s each.
        let cases_here = if nodes > 20_000 {
            &cases[..1]
        } else {
            &cases[..]
        };
        for &(layout, flow_units, seed) in cases_here {
            let name = format!("generated-{nodes}-{}-{seed}", layout.keyword());
            let spec = GeneratorSpec {
                nodes,
                seed,
                layout,
                duration_hours: 24,
                flow_units,
            };
            let started = Instant::now();
            let result = check(&spec, &name, &scratch.0, &runepanet);
            let seconds = started.elapsed().as_secs_f64();
            match result {
                Ok(worst) => {
                    println!(
                        "{name:<34} {:>6} head {:.5} pressure {:.5} demand {:.3} flow {:.3} \
                         status {} ({seconds:.1} s) {}",
                        if worst.passes() { "pass" } else { "FAIL" },
                        worst.head,
                        worst.pressure,
                        worst.demand_excess,
                        worst.flow_excess,
                        worst.status_mismatches,
                        worst.first_problem.clone().unwrap_or_default()
                    );
                    if !worst.passes() {
                        failures.push(name);
                    }
                }
                Err(message) => {
                    println!("{name:<34}  ERROR {message}");
                    failures.push(name);
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "generated networks differing from EPANET 2.3.5: {failures:?}"
    );
}

fn check(
    spec: &GeneratorSpec,
    name: &str,
    folder: &Path,
    runepanet: &Path,
) -> Result<parity::Worst, String> {
    let network = generate(spec).map_err(|e| format!("generate: {e}"))?;
    let inp = folder.join(format!("{name}.inp"));
    let rpt = folder.join(format!("{name}.rpt"));
    let out = folder.join(format!("{name}.out"));
    danjiang_network::inp::writer::write_file(&network, &inp).map_err(|e| format!("write: {e}"))?;
    run_epanet(runepanet, &inp, &rpt, &out)?;
    // Both engines solve the network as written (and read back), not the one in memory.
    let result = parity::compare_files(&inp, &out);
    if let Some(keep) = std::env::var_os(KEEP) {
        let keep = PathBuf::from(keep);
        for file in [&inp, &rpt, &out] {
            if let Some(name) = file.file_name() {
                let _ = std::fs::copy(file, keep.join(name));
            }
        }
    }
    for file in [&inp, &rpt, &out] {
        let _ = std::fs::remove_file(file);
    }
    result
}
