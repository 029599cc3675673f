//! Contamination sweeps against plain quality runs with the single source, thread-count
//! independence, shards, and bad scenario files.

use danjiang_hydraulics::HydraulicSimulation;
use danjiang_network::inp::read_file;
use danjiang_network::{Network, NodeIdx, SourceKind};
use danjiang_quality::{HydraulicSnapshot, QualitySimulation};
use danjiang_scenarios::contamination::{
    every_node, parse_scenarios, population_by_demand, receptor_table, scenario_table,
    ContaminationSweep, Injection, InjectionDefaults, Receptors, SweepOptions,
};
use danjiang_scenarios::{ScenarioError, Shard};
use std::path::PathBuf;

fn network(name: &str) -> Network {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/networks/public")
        .join(format!("{name}.inp"));
    read_file(path)
        .unwrap_or_else(|error| panic!("{name}: {error}"))
        .network
}

fn receptors(network: &Network, demand_nodes: bool) -> Receptors {
    let population = population_by_demand(network, 8.76157e-6);
    Receptors::new(network, None, Vec::new(), demand_nodes, population)
}

fn sweep(network: &Network, demand_nodes: bool) -> ContaminationSweep {
    let options = SweepOptions {
        threshold: 0.01,
        quality_step: None,
        duration: None,
    };
    ContaminationSweep::new(network, receptors(network, demand_nodes), &options).unwrap()
}

/// A plain quality run, the way `danjiang run` does it: the network itself with a CHEMICAL
/// analysis and one [SOURCES] entry (its pattern on the network's own pattern step), routed
/// beside a live hydraulic run. Returns node quality at every hydraulic time.
fn plain_run(original: &Network, injection: &Injection) -> Vec<(u64, Vec<f64>)> {
    let network = injection.epanet_network(original).unwrap();
    let mut hydraulics = HydraulicSimulation::new(original).unwrap();
    let mut quality = QualitySimulation::new(&network).unwrap();
    let mut series = Vec::new();
    while let Some(state) = hydraulics.step().unwrap() {
        let snapshot = HydraulicSnapshot::from(state);
        quality.load_hydraulics(&snapshot).unwrap();
        series.push((snapshot.time, quality.node_quality().to_vec()));
        if quality.advance().unwrap() == 0 {
            break;
        }
    }
    series
}

#[test]
fn sampled_scenarios_equal_a_plain_run_with_that_single_source() {
    let net = network("net3");
    let sweep = sweep(&net, false);
    let all: Vec<usize> = (0..net.nodes.len()).collect();
    // Junctions near a river intake, in a loop, at a dead end, and a tank; mass and
    // concentration sources, with and without decay.
    let cases = [
        ("10", SourceKind::Mass, 5000.0, 3600, 2 * 3600, 0.0),
        ("123", SourceKind::Setpoint, 2.0, 0, 5 * 3600, 0.0),
        ("211", SourceKind::Mass, 800.0, 6 * 3600, 3600, 0.5),
        ("60", SourceKind::Flowpaced, 1.0, 2 * 3600, 4 * 3600, 1.0),
        ("247", SourceKind::Mass, 100.0, 0, 24 * 3600, 0.0),
    ];
    for (id, kind, strength, start, duration, decay) in cases {
        let injection = Injection {
            node: net.node_idx(id).unwrap(),
            start,
            duration,
            kind,
            strength,
            decay,
        };
        let ours = sweep.concentrations(&injection, &all).unwrap();
        let plain = plain_run(&net, &injection);
        let mut compared = 0;
        let mut reached = 0;
        for (time, expected) in &plain {
            let (_, got) = ours
                .iter()
                .find(|(t, _)| t == time)
                .unwrap_or_else(|| panic!("node {id}: no sample at {time} s"));
            for (n, (a, b)) in got.iter().zip(expected).enumerate() {
                assert!(
                    a == b || (a - b).abs() <= 1e-12 * b.abs().max(1e-9),
                    "node {id}, {time} s, node {}: sweep {a} plain {b}",
                    net.nodes[n].id
                );
                compared += 1;
                if *b > 0.0 {
                    reached += 1;
                }
            }
        }
        assert!(
            compared > 1000 && reached > 10,
            "{id}: compared {compared}, reached {reached}"
        );
    }
}

#[test]
fn receptor_results_follow_the_sampled_concentrations() {
    let net = network("net3");
    let sweep = sweep(&net, true);
    let injection = Injection {
        node: net.node_idx("10").unwrap(),
        start: 0,
        duration: 6 * 3600,
        kind: SourceKind::Mass,
        strength: 10_000.0,
        decay: 0.0,
    };
    let outcome = sweep
        .run(std::slice::from_ref(&injection), 1, 1, &|| {})
        .unwrap();
    let results = outcome[0].result.as_ref().unwrap();
    let receptors = &sweep.receptors().list;
    let nodes: Vec<usize> = receptors.iter().map(|r| r.node.index()).collect();
    let series = sweep.concentrations(&injection, &nodes).unwrap();
    assert!(
        results.nodes_reached > 5,
        "reached {}",
        results.nodes_reached
    );
    assert!(results.population_exposed > 0.0);
    assert!(
        results.mass_delivered > 0.0 && results.mass_delivered <= results.mass_injected * 1.0001
    );
    for seen in &results.receptors {
        let column = seen.receptor;
        let peak = series.iter().map(|(_, v)| v[column]).fold(0.0, f64::max);
        let first = series
            .iter()
            .find(|(_, v)| v[column] > 0.01)
            .map(|(t, _)| *t);
        assert_eq!(seen.peak, peak);
        assert_eq!(seen.first_exceedance, first);
        let peak_time = series
            .iter()
            .find(|(_, v)| v[column] == peak && peak > 0.0)
            .map(|(t, _)| *t);
        assert_eq!(seen.peak_time, peak_time);
    }
    // The source's mass: 10 g/min for 6 h, less what a stagnant node could not send on.
    assert!(results.mass_injected <= 10_000.0 * 360.0 * 1.000001);
}

#[test]
fn output_does_not_depend_on_the_thread_count_and_shards_join_to_the_whole() {
    let net = network("net3");
    let sweep = sweep(&net, true);
    let defaults = InjectionDefaults {
        start: 3600,
        duration: 2 * 3600,
        kind: SourceKind::Mass,
        strength: 1000.0,
        decay: 0.2,
    };
    let injections: Vec<Injection> = every_node(&net, &defaults).into_iter().step_by(4).collect();
    let tables = |outcomes: &[_]| {
        (
            scenario_table(sweep.network(), outcomes)
                .unwrap()
                .to_csv()
                .unwrap(),
            receptor_table(sweep.network(), sweep.receptors(), outcomes)
                .unwrap()
                .to_csv()
                .unwrap(),
        )
    };
    let one = tables(&sweep.run(&injections, 1, 1, &|| {}).unwrap());
    let three = tables(&sweep.run(&injections, 1, 3, &|| {}).unwrap());
    assert_eq!(one, three);
    let mut joined = Vec::new();
    for index in 1..=3 {
        let range = Shard { index, count: 3 }.range(injections.len());
        joined.extend(
            sweep
                .run(&injections[range.clone()], range.start + 1, 2, &|| {})
                .unwrap(),
        );
    }
    assert_eq!(tables(&joined), one);
}

#[test]
fn a_failing_scenario_is_reported_not_fatal() {
    let net = network("net1");
    let sweep = sweep(&net, false);
    let good = InjectionDefaults {
        start: 0,
        duration: 3600,
        kind: SourceKind::Mass,
        strength: 100.0,
        decay: 0.0,
    };
    let mut injections = every_node(&net, &good);
    // A node index beyond the network cannot come from a file; made by hand it must fail alone.
    injections.insert(1, good.at(NodeIdx::from_index(net.nodes.len() + 5)));
    let outcomes = sweep.run(&injections, 1, 2, &|| {}).unwrap();
    assert!(outcomes[1].result.is_err());
    assert!(outcomes
        .iter()
        .enumerate()
        .all(|(i, o)| i == 1 || o.result.is_ok()));
}

#[test]
fn bad_scenario_files_are_rejected_with_their_lines() {
    let net = network("net1");
    let defaults = InjectionDefaults {
        start: 0,
        duration: 3600,
        kind: SourceKind::Mass,
        strength: 1.0,
        decay: 0.0,
    };
    let text = "node,start,duration,kind,strength\n10,0,1,MASS,5\nNOPE,0,1,MASS,5\n11,x,1,MASS,5\n12,0,0,MASS,5\n13,0,1,SALT,5\n21,0,1,MASS,-2\n";
    let Err(ScenarioError::BadRows { file, problems }) =
        parse_scenarios(text, "s.csv", &net, &defaults)
    else {
        panic!("bad rows accepted");
    };
    assert_eq!(file, "s.csv");
    let lines: Vec<u64> = problems.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, vec![3, 4, 5, 6, 7], "{problems:?}");
    assert!(problems[0].1.contains("NOPE"));
    let Err(ScenarioError::BadRows { problems, .. }) =
        parse_scenarios("start\n1\n", "s.csv", &net, &defaults)
    else {
        panic!("a file without a node column accepted");
    };
    assert_eq!(problems[0].0, 1);
    let ok = parse_scenarios(
        "node,duration\n10,0:30\n# a comment\n22,\n",
        "s.csv",
        &net,
        &defaults,
    )
    .unwrap();
    assert_eq!(ok.len(), 2);
    assert_eq!(ok[0].duration, 1800);
    assert_eq!(ok[1].duration, 3600);
}
