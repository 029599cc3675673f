//! A quality run over stored hydraulics gives exactly the results of a full `danjiang run`:
//! on networks with FIFO, LIFO and two-compartment tanks, sources, age and trace, the node
//! and link quality and link reaction rates that `danjiang_quality::run_over_stored` gives
//! over a kept hydraulic run (in memory, and read back from a file) equal, bit for bit,
//! those that the `danjiang` binary writes to its .out file, as do the reaction rates of
//! its epilog; and running quality twice over one store gives the same results.

use danjiang_hydraulics::HydraulicSimulation;
use danjiang_network::Network;
use danjiang_quality::{run_over_stored, HydraulicSnapshot, QualityResults, StoredHydraulics};
use std::path::{Path, PathBuf};
use std::process::Command;

fn networks() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/networks")
}

/// The whole hydraulic run of a network, kept step by step.
fn kept_hydraulics(network: &Network) -> StoredHydraulics {
    let mut simulation = HydraulicSimulation::new(network).expect("the network simulates");
    let mut store = StoredHydraulics::new(network.nodes.len(), network.links.len());
    while let Some(state) = simulation.step().expect("hydraulics solve") {
        store
            .push(HydraulicSnapshot {
                time: state.time,
                step_length: state.step_length,
                node_demand: state.node_demand.clone(),
                node_head: state.node_head.clone(),
                link_flow: state.link_flow.clone(),
            })
            .expect("snapshots follow each other");
    }
    store
}

fn full_run_output(input: &Path, name: &str) -> danjiang_output::binary::OutFile {
    let out =
        std::env::temp_dir().join(format!("danjiang-stored-{}-{name}.out", std::process::id()));
    let report = out.with_extension("rpt");
    let status = Command::new(env!("CARGO_BIN_EXE_danjiang"))
        .args(["run", "--quiet"])
        .arg(input)
        .arg(&report)
        .arg(&out)
        .status()
        .expect("danjiang starts");
    assert!(status.success(), "{name}: danjiang run failed");
    let file = danjiang_output::binary::read(&out).expect("our .out reads back");
    let _ = std::fs::remove_file(&out);
    let _ = std::fs::remove_file(&report);
    file
}

fn assert_same_as_full_run(
    name: &str,
    results: &QualityResults,
    full: &danjiang_output::binary::OutFile,
) {
    assert_eq!(
        results.periods.len(),
        full.periods.len(),
        "{name}: reporting periods"
    );
    assert!(!results.periods.is_empty(), "{name}: no reporting period");
    for (p, (ours, written)) in results.periods.iter().zip(&full.periods).enumerate() {
        assert_eq!(
            ours.time as i64,
            full.period_time(p),
            "{name}: time of period {p}"
        );
        let as_written = |values: &[f64]| values.iter().map(|&v| v as f32).collect::<Vec<f32>>();
        assert_eq!(
            as_written(&ours.node_quality),
            written.node_quality,
            "{name}: node quality at {} s",
            ours.time
        );
        assert_eq!(
            as_written(&ours.link_quality),
            written.link_quality,
            "{name}: link quality at {} s",
            ours.time
        );
        assert_eq!(
            as_written(&ours.link_reaction_rate),
            written.link_reaction_rate,
            "{name}: link reaction rates at {} s",
            ours.time
        );
    }
    let epilog = &full.epilog;
    assert_eq!(
        results.reactions.bulk_rate as f32, epilog.bulk_reaction_rate,
        "{name}: bulk rate"
    );
    assert_eq!(
        results.reactions.wall_rate as f32, epilog.wall_reaction_rate,
        "{name}: wall rate"
    );
    assert_eq!(
        results.reactions.tank_rate as f32, epilog.tank_reaction_rate,
        "{name}: tank rate"
    );
    assert_eq!(
        results.reactions.source_rate as f32, epilog.source_inflow_rate,
        "{name}: source rate"
    );
}

#[test]
fn quality_over_stored_hydraulics_equals_a_full_run() {
    let cases = [
        "public/net1.inp",
        "public/net2.inp",
        "quality/net1_fifo.inp",
        "quality/net1_lifo_age.inp",
        "quality/net3_fifo_lifo_age.inp",
        "quality/tanks_rules_2comp_trace.inp",
        "quality/net1_flowpaced_source.inp",
    ];
    for case in cases {
        let input = networks().join(case);
        let name = case.replace(['/', '.'], "_");
        let network = danjiang_network::inp::read_file(&input)
            .unwrap_or_else(|e| panic!("{case}: {e}"))
            .network;
        let store = kept_hydraulics(&network);
        let results = run_over_stored(&network, &store).unwrap_or_else(|e| panic!("{case}: {e}"));

        // Many quality runs over one hydraulic run: each gives the same results.
        let again = run_over_stored(&network, &store).unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(results, again, "{case}: a second run over the same store");

        // Kept in a file and read back, the hydraulics give the same results.
        let file =
            std::env::temp_dir().join(format!("danjiang-stored-{}-{name}.hyd", std::process::id()));
        store.write_file(&file).expect("the store is written");
        let read_back = StoredHydraulics::read_file(&file).expect("the store reads back");
        let _ = std::fs::remove_file(&file);
        let from_file =
            run_over_stored(&network, &read_back).unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(
            results, from_file,
            "{case}: quality over hydraulics read from a file"
        );

        // And they are the results of the whole run the command makes.
        let full = full_run_output(&input, &name);
        assert_same_as_full_run(case, &results, &full);
    }
}
