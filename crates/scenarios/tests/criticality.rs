//! Criticality sweeps: a cut-off part loses all its demand, the intact network loses none,
//! and the thread count does not change the result.

use danjiang_network::inp::read_file;
use danjiang_network::{Network, NodeKind};
use danjiang_scenarios::criticality::{
    outage_table, pipe_outages, segment_outages, CriticalityOptions, CriticalitySweep, Outage,
};
use danjiang_scenarios::{segments, strategic_valve_layer};
use std::path::PathBuf;

fn network(name: &str) -> Network {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/networks/public")
        .join(format!("{name}.inp"));
    read_file(path)
        .unwrap_or_else(|error| panic!("{name}: {error}"))
        .network
}

fn options() -> CriticalityOptions {
    CriticalityOptions {
        required_pressure: Some(0.1),
        minimum_pressure: Some(0.0),
        duration: None,
        plants: Vec::new(),
    }
}

/// Junctions with no path to a reservoir or tank once these links are closed.
fn cut_off(network: &Network, closed: &[usize]) -> Vec<usize> {
    let mut reached = vec![false; network.nodes.len()];
    let mut stack: Vec<usize> = (0..network.nodes.len())
        .filter(|&n| !matches!(network.nodes[n].kind, NodeKind::Junction(_)))
        .collect();
    for &n in &stack {
        reached[n] = true;
    }
    while let Some(n) = stack.pop() {
        for (k, link) in network.links.iter().enumerate() {
            if closed.contains(&k) {
                continue;
            }
            let (a, b) = (link.from.index(), link.to.index());
            let other = if a == n {
                b
            } else if b == n {
                a
            } else {
                continue;
            };
            if !reached[other] {
                reached[other] = true;
                stack.push(other);
            }
        }
    }
    (0..network.nodes.len()).filter(|&n| !reached[n]).collect()
}

#[test]
fn the_intact_network_delivers_everything_and_a_cut_off_part_nothing() {
    let net = network("net3");
    let sweep = CriticalitySweep::new(&net, &options()).unwrap();
    assert!(sweep.requested_total() > 0.0);
    let intact = Outage {
        name: "none".into(),
        closed: Vec::new(),
        isolated: Vec::new(),
    };
    let outcome = sweep.run(&[intact], 1, 1, &|| {}).unwrap();
    let result = outcome[0].result.as_ref().unwrap();
    assert!(
        result.shortfall_fraction < 1e-3,
        "intact network short by {}",
        result.shortfall_fraction
    );

    // Pipes whose closing cuts junctions with demand off every source.
    let mut checked = 0;
    for outage in pipe_outages(&net) {
        let closed: Vec<usize> = outage.closed.iter().map(|l| l.index()).collect();
        let lost = cut_off(&net, &closed);
        if lost.is_empty() {
            continue;
        }
        let outcome = sweep
            .run(std::slice::from_ref(&outage), 1, 1, &|| {})
            .unwrap();
        let result = outcome[0].result.as_ref().unwrap();
        let mut lost_with_demand = 0;
        for &n in &lost {
            let asked = sweep.requested()[n];
            if asked <= 1e-9 {
                continue;
            }
            lost_with_demand += 1;
            let short = result
                .node_shortfall
                .iter()
                .find(|(m, _)| m.index() == n)
                .map_or(0.0, |(_, v)| *v);
            assert!(
                (short - asked).abs() <= 1e-3 * asked,
                "{}: node {} cut off asked {asked} m3 but went short of {short} m3",
                outage.name,
                net.nodes[n].id
            );
        }
        if lost_with_demand == 0 {
            continue;
        }
        checked += 1;
        if checked == 3 {
            break;
        }
    }
    assert!(
        checked > 0,
        "net3 should have pipes whose loss cuts junctions off"
    );
}

#[test]
fn segment_sweeps_do_not_depend_on_the_thread_count() {
    let net = network("net1");
    let valves = strategic_valve_layer(&net, 1, 3);
    let outages = segment_outages(&segments(&net, &valves), &valves);
    assert!(outages.len() > 3);
    let sweep = CriticalitySweep::new(&net, &options()).unwrap();
    let one = outage_table(&net, &sweep.run(&outages, 1, 1, &|| {}).unwrap()).unwrap();
    let two = outage_table(&net, &sweep.run(&outages, 1, 2, &|| {}).unwrap()).unwrap();
    assert_eq!(one.to_csv().unwrap(), two.to_csv().unwrap());
}
