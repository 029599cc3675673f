//! Quality parity with EPANET 2.3.5: each case in tests/networks/quality (made by
//! scripts/quality-reference.py) is routed over EPANET's own hydraulics file, and node and link
//! quality must match EPANET's output at every reporting period within 0.01 in the quality
//! unit or 0.1% of the value, whichever is larger; the mass balance ratio to three decimals.

use danjiang_quality::{run_over_stored, StoredHydraulics};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/networks/quality")
}

/// How one case compares with EPANET.
struct Comparison {
    worst: f64,
    worst_at: String,
    failures: usize,
    values: usize,
    ratio: (f64, f64),
    /// Mass balance items and average reaction rates off EPANET's by more than 0.1%.
    totals_off: Vec<String>,
}

fn tolerance(expected: f64) -> f64 {
    (0.001 * expected.abs()).max(0.01)
}

fn compare(case: &str) -> Comparison {
    let dir = cases_dir();
    let facts: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(format!("{case}.json"))).expect("case facts"),
    )
    .expect("case facts are JSON");
    let network = danjiang_network::inp::read_file(dir.join(format!("{case}.inp")))
        .unwrap_or_else(|e| panic!("{case}: reading the network failed: {e}"))
        .network;
    let hydraulics_name = facts["hydraulics"].as_str().expect("hydraulics file name");
    let hydraulics = StoredHydraulics::read_epanet_file(&dir.join(hydraulics_name))
        .unwrap_or_else(|e| panic!("{case}: {e}"));
    let results = run_over_stored(&network, &hydraulics).unwrap_or_else(|e| panic!("{case}: {e}"));

    let nodes = facts["nodes"].as_u64().unwrap() as usize;
    let links = facts["links"].as_u64().unwrap() as usize;
    let periods = facts["periods"].as_u64().unwrap() as usize;
    let times: Vec<u64> = facts["report_times"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_u64().unwrap())
        .collect();
    let blob = std::fs::read(dir.join(format!("{case}.qual.bin"))).expect("reference quality");
    let expected: Vec<f64> = blob
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f64)
        .collect();
    assert_eq!(
        expected.len(),
        periods * (nodes + 2 * links),
        "{case}: reference size"
    );
    assert_eq!(
        results.periods.len(),
        periods,
        "{case}: number of reporting periods"
    );

    let node_ids = facts["node_ids"].as_array().unwrap();
    let link_ids = facts["link_ids"].as_array().unwrap();
    let mut comparison = Comparison {
        worst: 0.0,
        worst_at: String::new(),
        failures: 0,
        values: 0,
        ratio: (
            results.mass_balance.ratio,
            facts["mass_balance"]["ratio"].as_f64().unwrap_or(f64::NAN),
        ),
        totals_off: Vec::new(),
    };
    // EPANET prints masses to 6 significant digits and stores rates as float32; an item is
    // compared to 0.1% of itself, or of the mass that entered when it is near zero.
    let balance = &facts["mass_balance"];
    let scale = balance["initial"].as_f64().unwrap_or(0.0).abs()
        + balance["inflow"].as_f64().unwrap_or(0.0).abs();
    let ours_balance = &results.mass_balance;
    let mut total = |name: &str, ours: f64, theirs: f64, scale: f64| {
        if (ours - theirs).abs() > 1e-3 * theirs.abs().max(1e-3 * scale) + 1e-9 {
            comparison
                .totals_off
                .push(format!("{name}: ours {ours}, EPANET {theirs}"));
        }
    };
    for (name, ours) in [
        ("initial", ours_balance.initial),
        ("inflow", ours_balance.inflow),
        ("outflow", ours_balance.outflow),
        ("reacted", ours_balance.reacted),
        ("final", ours_balance.final_mass),
    ] {
        total(
            name,
            ours,
            balance[name].as_f64().unwrap_or(f64::NAN),
            scale,
        );
    }
    let rates = &facts["reaction_rates"];
    let rate_scale = [
        &rates["bulk"],
        &rates["wall"],
        &rates["tank"],
        &rates["source"],
    ]
    .iter()
    .map(|r| r.as_f64().unwrap_or(0.0).abs())
    .sum::<f64>();
    for (name, ours) in [
        ("bulk rate", results.reactions.bulk_rate),
        ("wall rate", results.reactions.wall_rate),
        ("tank rate", results.reactions.tank_rate),
        ("source rate", results.reactions.source_rate),
    ] {
        let key = name.split(' ').next().unwrap_or(name);
        total(
            name,
            ours,
            rates[key].as_f64().unwrap_or(f64::NAN),
            rate_scale,
        );
    }
    for (p, period) in results.periods.iter().enumerate() {
        assert_eq!(period.time, times[p], "{case}: time of period {p}");
        let base = p * (nodes + 2 * links);
        let mut check = |ours: f64, theirs: f64, what: &str| {
            let excess = (ours - theirs).abs() / tolerance(theirs);
            comparison.values += 1;
            if excess > 1.0 {
                comparison.failures += 1;
            }
            if excess > comparison.worst {
                comparison.worst = excess;
                comparison.worst_at =
                    format!("{what} at {} s: ours {ours}, EPANET {theirs}", period.time);
            }
        };
        for n in 0..nodes {
            check(
                period.node_quality[n],
                expected[base + n],
                &format!("node {}", node_ids[n]),
            );
        }
        for k in 0..links {
            check(
                period.link_quality[k],
                expected[base + nodes + k],
                &format!("link {}", link_ids[k]),
            );
        }
    }
    comparison
}

fn case_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(cases_dir())
        .expect("tests/networks/quality")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            name.strip_suffix(".json").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

#[test]
fn quality_matches_epanet_on_every_case() {
    let names = case_names();
    assert!(
        names.len() >= 20,
        "expected the reference cases, found {}",
        names.len()
    );
    let mut failed = Vec::new();
    for name in &names {
        let c = compare(name);
        let ratio_ok = (c.ratio.0 - c.ratio.1).abs() < 0.0005 + 1e-9;
        println!(
            "{name:32} values {:6}  outside tolerance {:4}  worst {:.3} of tolerance ({})  mass ratio ours {:.5} EPANET {:.5}",
            c.values, c.failures, c.worst, c.worst_at, c.ratio.0, c.ratio.1
        );
        for off in &c.totals_off {
            println!("{name:32} {off}");
        }
        if c.failures > 0 || !ratio_ok || !c.totals_off.is_empty() {
            failed.push(name.clone());
        }
    }
    assert!(failed.is_empty(), "cases off EPANET: {failed:?}");
}

#[test]
fn stored_hydraulics_file_gives_the_same_results() {
    let dir = cases_dir();
    let facts: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("net3_trace_river.json")).unwrap())
            .unwrap();
    let network = danjiang_network::inp::read_file(dir.join("net3_trace_river.inp"))
        .unwrap()
        .network;
    let hydraulics =
        StoredHydraulics::read_epanet_file(&dir.join(facts["hydraulics"].as_str().unwrap()))
            .unwrap();
    let path = std::env::temp_dir().join(format!("dj-quality-parity-{}.hyd", std::process::id()));
    hydraulics.write_file(&path).unwrap();
    let reloaded = StoredHydraulics::read_file(&path).unwrap();
    std::fs::remove_file(&path).ok();
    let first = run_over_stored(&network, &hydraulics).unwrap();
    let second = run_over_stored(&network, &reloaded).unwrap();
    assert_eq!(first, second);
}
