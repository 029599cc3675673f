//! The hydraulic parity harness against EPANET 2.3.5, shared (through `#[path]`) by
//! crates/cli/tests/hydraulic_parity.rs, crates/hydraulics/tests/generated_parity.rs,
//! crates/simulation/tests/full_status_report.rs and the
//! quick table of crates/hydraulics/examples/epanet_parity.rs.
//!
//! Tolerances (issue 3): head and pressure within 0.001 m (0.003 ft in US units); demand and
//! flow within 0.001 flow units or 0.01 % of the value, whichever is larger; link status
//! equal. Nodes EPANET leaves without a meaningful head (below -1e6, disconnected) are
//! skipped. When the reference holds a time statistic (`Statistic AVERAGE`, ...) EPANET
//! writes one period of statistics; the same statistic is taken of our reported periods,
//! in EPANET's single-precision arithmetic, and compared with it.
//!
//! Environment: `DANJIANG_PARITY_FILTER=name1,name2` compares only those networks;
//! `DANJIANG_PARITY_DETAIL=1` prints every difference found; `DANJIANG_TRACE_STEPS=1` prints
//! every hydraulic step.
#![allow(dead_code)] // each including crate uses a part

use danjiang_hydraulics::{HydraulicSimulation, ReportClock};
use danjiang_network::units::{UnitFactors, UnitSystem};
use danjiang_network::Network;
use danjiang_output::binary::OutFile;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The file listing the networks known to differ from EPANET, one `name<TAB>cause` a line.
pub const KNOWN_DIFFERENCES: &str = "tests/networks/reference/known-differences.txt";

/// The workspace root, two levels above the including crate's manifest.
pub fn workspace_root(manifest_dir: &str) -> PathBuf {
    let manifest = Path::new(manifest_dir);
    manifest
        .ancestors()
        .nth(2)
        .unwrap_or(manifest) // ok: every crate sits at crates/<name>
        .to_path_buf()
}

/// The public networks (tests/networks/public/*.inp) that have a reference file
/// tests/networks/reference/NAME.`extension` (e.g. "out.gz", "rpt.gz"), sorted by name:
/// (name, input, reference).
pub fn public_networks_with_reference(
    root: &Path,
    extension: &str,
) -> Result<Vec<(String, PathBuf, PathBuf)>, String> {
    let public = root.join("tests/networks/public");
    let entries =
        std::fs::read_dir(&public).map_err(|e| format!("cannot list {}: {e}", public.display()))?;
    let mut networks: Vec<(String, PathBuf, PathBuf)> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "inp"))
        .filter_map(|input| {
            let name = input.file_stem()?.to_string_lossy().into_owned();
            let reference = root.join(format!("tests/networks/reference/{name}.{extension}"));
            reference.exists().then_some((name, input, reference))
        })
        .collect();
    networks.sort();
    Ok(networks)
}

/// Reads the known-differences list: (network name, cause).
pub fn known_differences(root: &Path) -> Result<Vec<(String, String)>, String> {
    let path = root.join(KNOWN_DIFFERENCES);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut list = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((name, cause)) = line.split_once('\t') else {
            return Err(format!(
                "{}:{}: expected a network name, a tab and a cause",
                path.display(),
                number + 1
            ));
        };
        if cause.trim().is_empty() {
            return Err(format!(
                "{}:{}: the cause of \"{name}\" is empty",
                path.display(),
                number + 1
            ));
        }
        list.push((name.trim().to_string(), cause.trim().to_string()));
    }
    Ok(list)
}

/// The worst differences found in one network.
#[derive(Default, Debug)]
pub struct Worst {
    /// Largest head difference, report length units.
    pub head: f64,
    /// Largest pressure difference, report pressure units.
    pub pressure: f64,
    /// Largest demand difference as a multiple of its tolerance.
    pub demand_excess: f64,
    /// Largest flow difference as a multiple of its tolerance.
    pub flow_excess: f64,
    pub status_mismatches: usize,
    pub problems: usize,
    pub first_problem: Option<String>,
}

impl Worst {
    fn note(&mut self, problem: String) {
        if std::env::var_os("DANJIANG_PARITY_DETAIL").is_some() {
            println!("    {problem}");
        }
        self.problems += 1;
        if self.first_problem.is_none() {
            self.first_problem = Some(problem);
        }
    }

    /// True when nothing broke a tolerance.
    pub fn passes(&self) -> bool {
        self.first_problem.is_none()
    }
}

fn flow_tolerance(reference: f64) -> f64 {
    (0.001f64).max(reference.abs() * 1.0e-4)
}

/// One reported period in EPANET's output units and single precision.
struct Period {
    time: u64,
    node_head: Vec<f32>,
    node_pressure: Vec<f32>,
    node_demand: Vec<f32>,
    link_flow: Vec<f32>,
    link_status: Vec<f32>,
}

/// EPANET's time statistic codes (the prolog's `statistic_code`).
const STATISTIC_NONE: i32 = 0;
const STATISTIC_AVERAGE: i32 = 1;
const STATISTIC_MINIMUM: i32 = 2;
const STATISTIC_MAXIMUM: i32 = 3;
const STATISTIC_RANGE: i32 = 4;

/// Status codes as EPANET's statistic folds them.
const STATUS_CLOSED: f32 = 2.0;
const STATUS_OPEN: f32 = 3.0;

/// Folds the periods into EPANET's time statistic (output.c's order of operations: f32
/// sums, absolute flows, status as open 1 / closed 0 then back to OPEN or CLOSED).
fn statistic(code: i32, periods: &[Period]) -> Result<Period, String> {
    let Some(first) = periods.first() else {
        return Err("no reported period to take a statistic of".into());
    };
    let fold = |values: &dyn Fn(&Period) -> Vec<f32>| -> Vec<f32> {
        let n = values(first).len();
        let (mut low, mut high, mut sum) = (vec![f32::MAX; n], vec![f32::MIN; n], vec![0f32; n]);
        for period in periods {
            for (i, x) in values(period).into_iter().enumerate() {
                sum[i] += x;
                low[i] = low[i].min(x);
                high[i] = high[i].max(x);
            }
        }
        match code {
            STATISTIC_AVERAGE => sum.iter().map(|s| s / periods.len() as f32).collect(),
            STATISTIC_MINIMUM => low,
            STATISTIC_MAXIMUM => high,
            _ => high.iter().zip(&low).map(|(h, l)| h - l).collect(),
        }
    };
    let status = fold(&|p: &Period| {
        p.link_status
            .iter()
            .map(|&s| if s >= STATUS_OPEN { 1.0 } else { 0.0 })
            .collect()
    })
    .into_iter()
    .map(|x| if x < 0.5 { STATUS_CLOSED } else { STATUS_OPEN })
    .collect();
    Ok(Period {
        time: first.time,
        node_head: fold(&|p: &Period| p.node_head.clone()),
        node_pressure: fold(&|p: &Period| p.node_pressure.clone()),
        node_demand: fold(&|p: &Period| p.node_demand.clone()),
        link_flow: fold(&|p: &Period| p.link_flow.iter().map(|q| q.abs()).collect()),
        link_status: status,
    })
}

/// Reads a network and a gzipped (or plain) EPANET output file and compares them.
pub fn compare_files(input: &Path, reference: &Path) -> Result<Worst, String> {
    let outcome = danjiang_network::inp::read_file(input).map_err(|e| format!("read: {e}"))?;
    let out = danjiang_output::binary::read(reference).map_err(|e| format!("reference: {e}"))?;
    compare(&outcome.network, &out)
}

/// Solves `network` and compares every reported period with EPANET's output `out`.
pub fn compare(network: &Network, out: &OutFile) -> Result<Worst, String> {
    let options = &network.options;
    let factors = UnitFactors::new(
        options.flow_units,
        options.pressure_units,
        options.specific_gravity,
    );
    let mut simulation = HydraulicSimulation::new(network).map_err(|e| format!("engine: {e}"))?;
    let mut clock = ReportClock::new(network);
    let mut worst = Worst::default();
    let statistic_code = out.prolog.statistic_code;
    // Without a statistic each period is compared as it comes; with one, all are kept.
    let mut periods = Vec::new();
    let mut reported = 0usize;
    loop {
        let state = match simulation.step() {
            Ok(Some(state)) => state,
            Ok(None) => break,
            Err(e) => {
                worst.note(format!("engine error after {reported} periods: {e}"));
                break;
            }
        };
        if std::env::var_os("DANJIANG_TRACE_STEPS").is_some() {
            println!(
                "step {} {} trials {} err {:.6}",
                state.time, state.step_length, state.iterations, state.relative_error
            );
        }
        if !clock.is_report_time(state.time) {
            continue;
        }
        let single = |x: f64| x as f32;
        let period = Period {
            time: state.time,
            node_head: state
                .node_head
                .iter()
                .map(|h| single(h * factors.length))
                .collect(),
            node_pressure: state
                .node_pressure
                .iter()
                .map(|p| single(p * factors.pressure))
                .collect(),
            node_demand: state
                .node_demand
                .iter()
                .map(|q| single(q * factors.flow))
                .collect(),
            link_flow: state
                .link_flow
                .iter()
                .map(|q| single(q * factors.flow))
                .collect(),
            link_status: state
                .link_status
                .iter()
                .map(|s| f32::from(s.code()))
                .collect(),
        };
        reported += 1;
        if statistic_code != STATISTIC_NONE {
            periods.push(period);
            continue;
        }
        match out.periods.get(reported - 1) {
            Some(expected) => compare_period(network, &period, expected, &mut worst),
            None => {
                worst.note(format!("extra period at {} s", state.time));
                break;
            }
        }
    }
    if statistic_code == STATISTIC_NONE {
        if reported != out.periods.len() {
            worst.note(format!(
                "{reported} periods reported, EPANET reports {}",
                out.periods.len()
            ));
        }
        return Ok(worst);
    }
    if !matches!(
        statistic_code,
        STATISTIC_AVERAGE | STATISTIC_MINIMUM | STATISTIC_MAXIMUM | STATISTIC_RANGE
    ) {
        return Err(format!("unknown time statistic code {statistic_code}"));
    }
    match (statistic(statistic_code, &periods), out.periods.first()) {
        (Ok(ours), Some(expected)) => {
            compare_period(network, &ours, expected, &mut worst);
            if out.periods.len() != 1 {
                worst.note(format!(
                    "EPANET reports {} periods with a time statistic, expected 1",
                    out.periods.len()
                ));
            }
        }
        (Err(problem), _) => worst.note(problem),
        (_, None) => worst.note("EPANET reports no period".into()),
    }
    Ok(worst)
}

fn compare_period(
    network: &Network,
    ours: &Period,
    expected: &danjiang_output::binary::PeriodResults,
    worst: &mut Worst,
) {
    // Head tolerance in report length units, pressure tolerance in report pressure units.
    let options = &network.options;
    let factors = UnitFactors::new(
        options.flow_units,
        options.pressure_units,
        options.specific_gravity,
    );
    let (head_tol, head_tol_m) = match options.flow_units.system() {
        UnitSystem::Us => (0.003, 0.003 * 0.3048),
        UnitSystem::Si => (0.001, 0.001),
    };
    let pressure_tol = head_tol_m * factors.pressure;
    let time = ours.time;
    for i in 0..network.nodes.len() {
        let ref_head = f64::from(expected.node_head[i]);
        if ref_head < -1.0e6 {
            continue;
        }
        let head = f64::from(ours.node_head[i]);
        let dh = (head - ref_head).abs();
        worst.head = worst.head.max(dh);
        if dh > head_tol {
            worst.note(format!(
                "t={time} node {} head {head:.4} vs {ref_head:.4}",
                network.nodes[i].id
            ));
        }
        let pressure = f64::from(ours.node_pressure[i]);
        let ref_pressure = f64::from(expected.node_pressure[i]);
        let dp = (pressure - ref_pressure).abs();
        worst.pressure = worst.pressure.max(dp);
        if dp > pressure_tol {
            worst.note(format!(
                "t={time} node {} pressure {pressure:.4} vs {ref_pressure:.4}",
                network.nodes[i].id
            ));
        }
        let demand = f64::from(ours.node_demand[i]);
        let ref_demand = f64::from(expected.node_demand[i]);
        let excess = (demand - ref_demand).abs() / flow_tolerance(ref_demand);
        worst.demand_excess = worst.demand_excess.max(excess);
        if excess > 1.0 {
            worst.note(format!(
                "t={time} node {} demand {demand:.5} vs {ref_demand:.5}",
                network.nodes[i].id
            ));
        }
    }
    for k in 0..network.links.len() {
        let flow = f64::from(ours.link_flow[k]);
        let ref_flow = f64::from(expected.link_flow[k]);
        let excess = (flow - ref_flow).abs() / flow_tolerance(ref_flow);
        worst.flow_excess = worst.flow_excess.max(excess);
        if excess > 1.0 {
            worst.note(format!(
                "t={time} link {} flow {flow:.5} vs {ref_flow:.5}",
                network.links[k].id
            ));
        }
        let status = ours.link_status[k];
        if status != expected.link_status[k] {
            worst.status_mismatches += 1;
            worst.note(format!(
                "t={time} link {} status {status} vs {}",
                network.links[k].id, expected.link_status[k]
            ));
        }
    }
}

/// What a run over the committed references found.
#[derive(Default, Debug)]
pub struct Summary {
    pub compared: usize,
    pub passed: usize,
    /// Networks that differ and are not in the known-differences list.
    pub failures: Vec<String>,
    /// Listed networks that now match.
    pub unexpected_passes: Vec<String>,
}

/// Compares every network of tests/networks/reference/MANIFEST.tsv that EPANET solved and
/// whose reference output is committed, printing a table.
pub fn run_references(root: &Path) -> Result<Summary, String> {
    let manifest = root.join("tests/networks/reference/MANIFEST.tsv");
    let text = std::fs::read_to_string(&manifest)
        .map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    let known = known_differences(root)?;
    let filter: Option<Vec<String>> = std::env::var("DANJIANG_PARITY_FILTER")
        .ok()
        .map(|s| s.split(',').map(|x| x.trim().to_string()).collect());
    let mut summary = Summary::default();
    println!(
        "{:<34} {:>6} {:>10} {:>10} {:>9} {:>9} {:>6} {:>8}  first problem",
        "network", "result", "head", "pressure", "demand", "flow", "status", "seconds"
    );
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() < 6 || fields[3] != "0" {
            continue;
        }
        let name = fields[0];
        if let Some(filter) = &filter {
            if !filter.iter().any(|f| f == name) {
                continue;
            }
        }
        let reference = root.join(format!("tests/networks/reference/{name}.out.gz"));
        if !reference.exists() {
            continue;
        }
        let input = root.join(fields[1]);
        summary.compared += 1;
        let started = Instant::now();
        let result = compare_files(&input, &reference);
        let seconds = started.elapsed().as_secs_f64();
        let listed = known.iter().any(|(n, _)| n == name);
        match result {
            Ok(worst) => {
                let pass = worst.passes();
                println!(
                    "{:<34} {:>6} {:>10.5} {:>10.5} {:>9.3} {:>9.3} {:>6} {:>8.2}  {}",
                    name,
                    if pass { "pass" } else { "FAIL" },
                    worst.head,
                    worst.pressure,
                    worst.demand_excess,
                    worst.flow_excess,
                    worst.status_mismatches,
                    seconds,
                    worst.first_problem.clone().unwrap_or_default()
                );
                if pass {
                    summary.passed += 1;
                    if listed {
                        summary.unexpected_passes.push(name.to_string());
                    }
                } else if !listed {
                    summary.failures.push(name.to_string());
                }
            }
            Err(message) => {
                println!("{name:<34} {:>6} {message}", "ERROR");
                if !listed {
                    summary.failures.push(name.to_string());
                }
            }
        }
    }
    println!(
        "compared {} networks, {} match EPANET 2.3.5; unexpected failures: {:?}",
        summary.compared, summary.passed, summary.failures
    );
    if !summary.unexpected_passes.is_empty() {
        println!(
            "listed networks that now match (remove them from {KNOWN_DIFFERENCES}): {:?}",
            summary.unexpected_passes
        );
    }
    Ok(summary)
}
