//! `danjiang sweep contamination|criticality|merge`: shards merged equal one unsharded run,
//! file for file, and bad scenario files are refused with their line.

use std::path::{Path, PathBuf};
use std::process::Command;

fn network(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/networks/public")
        .join(format!("{name}.inp"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dj-sweep-{}-{name}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn danjiang(args: &[&str]) -> std::process::Output {
    let output = Command::new(env!("CARGO_BIN_EXE_danjiang"))
        .args(args)
        .output()
        .unwrap();
    output
}

fn succeed(args: &[&str]) {
    let output = danjiang(args);
    assert!(
        output.status.success(),
        "danjiang {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn assert_same_folders(a: &Path, b: &Path) {
    let mut names: Vec<_> = std::fs::read_dir(a)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert!(names.len() >= 6, "{names:?}");
    for name in names {
        let left = std::fs::read(a.join(&name)).unwrap();
        let right = std::fs::read(b.join(&name)).unwrap_or_default();
        assert!(
            left == right,
            "{name:?} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

fn sharded_equals_whole(kind_args: &[&str], name: &str) {
    let dir = scratch(name);
    let whole = dir.join("whole");
    let mut args = kind_args.to_vec();
    let whole_text = whole.to_string_lossy().to_string();
    args.extend(["--output", &whole_text, "--threads", "2"]);
    succeed(&args);
    let mut shard_dirs = Vec::new();
    for (index, threads) in [(1, "1"), (2, "2"), (3, "3")] {
        let shard_dir = dir
            .join(format!("shard{index}"))
            .to_string_lossy()
            .to_string();
        let shard = format!("{index}/3");
        let mut args = kind_args.to_vec();
        args.extend([
            "--output",
            &shard_dir,
            "--shard",
            &shard,
            "--threads",
            threads,
        ]);
        succeed(&args);
        shard_dirs.push(shard_dir);
    }
    let merged = dir.join("merged").to_string_lossy().to_string();
    // Shards in any order.
    succeed(&[
        "sweep",
        "merge",
        "--output",
        &merged,
        &shard_dirs[2],
        &shard_dirs[0],
        &shard_dirs[1],
    ]);
    assert_same_folders(&whole, Path::new(&merged));
    // A missing shard is refused.
    let output = danjiang(&[
        "sweep",
        "merge",
        "--output",
        &merged,
        &shard_dirs[0],
        &shard_dirs[2],
    ]);
    assert!(!output.status.success());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn contamination_shards_merge_into_the_unsharded_result() {
    let net = network("net3").to_string_lossy().to_string();
    sharded_equals_whole(
        &[
            "sweep",
            "contamination",
            &net,
            "--nodes",
            "10,15,20,35,40,50,60,101,111,123,145,161,187,211",
            "--start",
            "1",
            "--duration",
            "2",
            "--strength",
            "5000",
            "--demand-receptors",
        ],
        "contamination",
    );
}

#[test]
fn criticality_shards_merge_into_the_unsharded_result() {
    let net = network("net1").to_string_lossy().to_string();
    sharded_equals_whole(
        &[
            "sweep",
            "criticality",
            &net,
            "--pipes",
            "--required-pressure",
            "14",
        ],
        "criticality",
    );
}

#[test]
fn a_bad_scenario_file_is_refused_with_its_line() {
    let dir = scratch("bad");
    let file = dir.join("scenarios.csv");
    std::fs::write(&file, "node,strength\n10,5\n99999,5\n").unwrap();
    let net = network("net1").to_string_lossy().to_string();
    let out = dir.join("out").to_string_lossy().to_string();
    let output = danjiang(&[
        "sweep",
        "contamination",
        &net,
        "--scenarios",
        &file.to_string_lossy(),
        "--output",
        &out,
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("line 3") && stderr.contains("99999"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Node quality, mg/L, at each reported time of `danjiang run --json` on a file.
fn run_quality(input: &Path, json: &Path) -> Vec<(u64, Vec<f64>)> {
    let input_text = input.to_string_lossy().to_string();
    let json_text = json.to_string_lossy().to_string();
    succeed(&["run", &input_text, "--json", &json_text, "--quiet"]);
    let document: serde_json::Value =
        serde_json::from_slice(&std::fs::read(json).unwrap()).unwrap();
    document["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|period| {
            let time = period["time"].as_u64().unwrap();
            let values = period["nodes"]["quality"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            (time, values)
        })
        .collect()
}

#[test]
fn sampled_scenarios_equal_a_plain_danjiang_run_with_that_single_source() {
    use danjiang_network::SourceKind;
    use danjiang_scenarios::contamination::{
        population_by_demand, ContaminationSweep, Injection, Receptors, SweepOptions,
    };
    let base = danjiang_network::inp::read_file(network("net3"))
        .unwrap()
        .network;
    let receptors = Receptors::new(
        &base,
        None,
        Vec::new(),
        false,
        population_by_demand(&base, 8.76157e-6),
    );
    let options = SweepOptions {
        threshold: 0.01,
        quality_step: None,
        duration: None,
    };
    let sweep = ContaminationSweep::new(&base, receptors, &options).unwrap();
    let every_node: Vec<usize> = (0..base.nodes.len()).collect();
    let dir = scratch("against-run");
    // Junctions by the river and in a loop, and the river itself; mass, set-point and
    // concentration sources, with and without decay.
    let cases = [
        ("10", SourceKind::Mass, 5000.0, 3600, 2 * 3600, 0.0),
        ("123", SourceKind::Setpoint, 2.0, 0, 5 * 3600, 0.0),
        ("211", SourceKind::Mass, 800.0, 6 * 3600, 3600, 0.5),
        ("River", SourceKind::Concen, 3.0, 2 * 3600, 4 * 3600, 1.0),
    ];
    for (id, kind, strength, start, duration, decay) in cases {
        let injection = Injection {
            node: base.node_idx(id).unwrap(),
            start,
            duration,
            kind,
            strength,
            decay,
        };
        let mut plain = injection.epanet_network(&base).unwrap();
        // Report every hydraulic step from the start, so every period is compared.
        plain.times.report_start = 0;
        plain.times.report_step = plain.times.hydraulic_step;
        let input = dir.join(format!("{id}.inp"));
        danjiang_network::inp::writer::write_file(&plain, &input).unwrap();
        let reported = run_quality(&input, &dir.join(format!("{id}.json")));
        let swept = sweep.concentrations(&injection, &every_node).unwrap();
        assert!(reported.len() > 20, "{id}: {} periods", reported.len());
        let mut reached = 0;
        for (time, expected) in &reported {
            let (_, got) = swept
                .iter()
                .find(|(t, _)| t == time)
                .unwrap_or_else(|| panic!("{id}: the sweep has no sample at {time} s"));
            for (n, (a, b)) in got.iter().zip(expected).enumerate() {
                // The run's values pass through EPANET's single-precision results.
                assert!(
                    (a - b).abs() <= 1e-5 * b.abs() + 1e-6,
                    "injection at {id}, {time} s, node {}: sweep {a}, danjiang run {b}",
                    base.nodes[n].id
                );
                if *b > 0.01 {
                    reached += 1;
                }
            }
        }
        assert!(
            reached > 10,
            "{id}: the contaminant reached only {reached} node-periods"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
