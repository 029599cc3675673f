//! Water-quality parity of whole `danjiang run` runs (our hydraulics, then our quality over
//! them) with EPANET 2.3.5: every network with a quality analysis that has a committed
//! reference (tests/networks/reference/NAME.out.gz for the public and feature networks, and
//! the cases of tests/networks/quality with EPANET's quality in NAME.qual.bin) is run by the
//! `danjiang` binary, and node and link quality must match EPANET's at every reporting period
//! within 0.01 in the quality unit or 0.1 % of the value, whichever is larger.
//!
//! Networks known to differ are listed below with their cause; the test fails if any other
//! network differs, and also if a listed one matches (so the list stays true). A network
//! whose hydraulics are known to differ (tests/networks/reference/known-differences.txt) may
//! differ in quality too, for that cause.
//!
//! Set `DANJIANG_PARITY_FILTER=name1,name2` to compare only some networks.

// The hydraulic harness, for its list of networks whose hydraulics are known to differ.
#[path = "../../hydraulics/tests/parity/mod.rs"]
mod parity;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Networks whose quality differs from EPANET's in a full run, with the cause found (none
/// since the engine reads EPANET's own input doubles). Trace a new one with `cargo run -p
/// danjiang-quality --features hydraulics --example hydraulics_gap -- CASE`: over EPANET's own
/// hydraulics every quality case matches (crates/quality/tests/parity.rs).
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[];

fn workspace_root() -> PathBuf {
    parity::workspace_root(env!("CARGO_MANIFEST_DIR"))
}

fn tolerance(expected: f64) -> f64 {
    (0.001 * expected.abs()).max(0.01)
}

/// EPANET's quality for one network: per reporting period, node then link quality.
struct Expected {
    periods: Vec<(Vec<f64>, Vec<f64>)>,
}

/// A network to compare: its input and where EPANET's quality comes from.
struct Case {
    name: String,
    input: PathBuf,
    reference: Reference,
}

enum Reference {
    Out(PathBuf),
    Fixture { facts: PathBuf, blob: PathBuf },
}

fn has_quality(input: &Path) -> bool {
    match danjiang_network::inp::read_file(input) {
        Ok(outcome) => {
            !matches!(
                outcome.network.options.quality,
                danjiang_network::QualityAnalysis::None
            ) && outcome.network.times.duration > 0
        }
        Err(_) => false,
    }
}

fn cases(root: &Path) -> Vec<Case> {
    let filter: Option<Vec<String>> = std::env::var("DANJIANG_PARITY_FILTER")
        .ok()
        .map(|f| f.split(',').map(|s| s.trim().to_string()).collect());
    let wanted = |name: &str| filter.as_ref().is_none_or(|f| f.iter().any(|n| n == name));
    let mut cases = Vec::new();
    let reference = root.join("tests/networks/reference");
    for dir in ["public", "features"] {
        let Ok(entries) = std::fs::read_dir(root.join("tests/networks").join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("inp") {
                continue;
            }
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string();
            let out = reference.join(format!("{name}.out.gz"));
            if wanted(&name) && out.exists() && has_quality(&path) {
                cases.push(Case {
                    name,
                    input: path,
                    reference: Reference::Out(out),
                });
            }
        }
    }
    let fixtures = root.join("tests/networks/quality");
    if let Ok(entries) = std::fs::read_dir(&fixtures) {
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(stem) = path
                .file_name()
                .and_then(|s| s.to_str())
                .and_then(|s| s.strip_suffix(".json"))
            else {
                continue;
            };
            let name = format!("quality/{stem}");
            if wanted(&name) || wanted(stem) {
                cases.push(Case {
                    name,
                    input: fixtures.join(format!("{stem}.inp")),
                    reference: Reference::Fixture {
                        facts: path.clone(),
                        blob: fixtures.join(format!("{stem}.qual.bin")),
                    },
                });
            }
        }
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

fn expected(reference: &Reference) -> Result<Expected, String> {
    match reference {
        Reference::Out(path) => {
            let out = danjiang_output::binary::read(path).map_err(|e| format!("reference: {e}"))?;
            Ok(Expected {
                periods: out
                    .periods
                    .iter()
                    .map(|p| {
                        (
                            p.node_quality.iter().map(|&v| f64::from(v)).collect(),
                            p.link_quality.iter().map(|&v| f64::from(v)).collect(),
                        )
                    })
                    .collect(),
            })
        }
        Reference::Fixture { facts, blob } => {
            let facts: Value = std::fs::read_to_string(facts)
                .map_err(|e| e.to_string())
                .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))?;
            let count = |key: &str| {
                facts[key]
                    .as_u64()
                    .map(|v| v as usize)
                    .ok_or(format!("no {key} in the case facts"))
            };
            let (nodes, links, periods) = (count("nodes")?, count("links")?, count("periods")?);
            let values: Vec<f64> = std::fs::read(blob)
                .map_err(|e| e.to_string())?
                .chunks_exact(4)
                .map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])))
                .collect();
            let width = nodes + 2 * links;
            if values.len() != periods * width {
                return Err("reference quality has the wrong size".into());
            }
            Ok(Expected {
                periods: values
                    .chunks_exact(width)
                    .map(|p| (p[..nodes].to_vec(), p[nodes..nodes + links].to_vec()))
                    .collect(),
            })
        }
    }
}

/// How one network compares: values outside tolerance, and the worst one.
struct Comparison {
    values: usize,
    outside: usize,
    worst: f64,
    worst_at: String,
}

fn compare(case: &Case, scratch: &Path) -> Result<Comparison, String> {
    let expected = expected(&case.reference)?;
    let stem = case.name.replace('/', "_");
    let report = scratch.join(format!("{stem}.rpt"));
    let out = scratch.join(format!("{stem}.out"));
    let status = Command::new(env!("CARGO_BIN_EXE_danjiang"))
        .arg("run")
        .arg("--quiet")
        .arg(&case.input)
        .arg(&report)
        .arg(&out)
        .status()
        .map_err(|e| format!("cannot start danjiang: {e}"))?;
    if !status.success() {
        return Err(format!("danjiang run failed ({status})"));
    }
    let ours = danjiang_output::binary::read(&out).map_err(|e| format!("our output: {e}"))?;
    let _ = std::fs::remove_file(&out);
    let _ = std::fs::remove_file(&report);
    if ours.periods.len() != expected.periods.len() {
        return Err(format!(
            "{} reporting periods, EPANET has {}",
            ours.periods.len(),
            expected.periods.len()
        ));
    }
    let mut comparison = Comparison {
        values: 0,
        outside: 0,
        worst: 0.0,
        worst_at: String::new(),
    };
    for (p, (period, (nodes, links))) in ours.periods.iter().zip(&expected.periods).enumerate() {
        let time = ours.period_time(p);
        let mut check = |ours: f64, theirs: f64, what: &str, index: usize| {
            comparison.values += 1;
            let excess = (ours - theirs).abs() / tolerance(theirs);
            if excess > 1.0 || excess.is_nan() {
                comparison.outside += 1;
            }
            if excess > comparison.worst || (excess.is_nan() && !comparison.worst.is_nan()) {
                comparison.worst = excess;
                comparison.worst_at =
                    format!("{what} {index} at {time} s: ours {ours}, EPANET {theirs}");
            }
        };
        for (i, (&a, &b)) in period.node_quality.iter().zip(nodes).enumerate() {
            check(f64::from(a), b, "node", i);
        }
        for (k, (&a, &b)) in period.link_quality.iter().zip(links).enumerate() {
            check(f64::from(a), b, "link", k);
        }
    }
    Ok(comparison)
}

#[test]
fn full_runs_match_epanet_quality() {
    let root = workspace_root();
    let scratch =
        std::env::temp_dir().join(format!("danjiang-quality-parity-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("a scratch directory");
    let cases = cases(&root);
    let hydraulic = parity::known_differences(&root).unwrap_or_else(|e| panic!("{e}"));
    let mut failures = Vec::new();
    let mut unexpected_passes = Vec::new();
    let mut matched = 0;
    for case in &cases {
        let started = Instant::now();
        let known = KNOWN_DIFFERENCES.iter().find(|(n, _)| *n == case.name);
        let passed = match compare(case, &scratch) {
            Ok(c) => {
                println!(
                    "{:40} values {:8}  outside {:6}  worst {:9.3} of tolerance  {:5.1} s  {}",
                    case.name,
                    c.values,
                    c.outside,
                    c.worst,
                    started.elapsed().as_secs_f64(),
                    c.worst_at
                );
                c.outside == 0
            }
            Err(message) => {
                println!("{:40} error: {message}", case.name);
                false
            }
        };
        if passed {
            matched += 1;
        }
        let hydraulics_differ = hydraulic.iter().find(|(n, _)| *n == case.name);
        if let (false, None, Some((_, cause))) = (passed, known, hydraulics_differ) {
            println!("{:40} hydraulics known to differ: {cause}", case.name);
        }
        match (passed, known) {
            (false, None) if hydraulics_differ.is_none() => failures.push(case.name.clone()),
            (true, Some(_)) => unexpected_passes.push(case.name.clone()),
            _ => {}
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    println!(
        "quality parity of full runs: {matched} of {} networks match EPANET 2.3.5",
        cases.len()
    );
    assert!(!cases.is_empty(), "no network with quality was compared");
    assert!(
        failures.is_empty(),
        "networks whose quality differs from EPANET 2.3.5 (not in KNOWN_DIFFERENCES): {failures:?}"
    );
    assert!(
        unexpected_passes.is_empty(),
        "networks in KNOWN_DIFFERENCES now match EPANET 2.3.5; remove them: {unexpected_passes:?}"
    );
}
