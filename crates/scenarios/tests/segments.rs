//! Isolation segments against WNTR's `valve_segments` on the same valve layers
//! (tests/networks/segments, made by scripts/segments-reference.sh).

use danjiang_network::inp::read_file;
use danjiang_network::Network;
use danjiang_scenarios::{parse_valve_layer, read_valve_layer, segments};
use std::collections::HashMap;
use std::path::PathBuf;

fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/networks")
        .join(path)
}

fn network(name: &str) -> Network {
    read_file(data(&format!("public/{name}.inp")))
        .unwrap_or_else(|error| panic!("{name}: {error}"))
        .network
}

/// Our numbering differs from WNTR's; the partitions must be the same: a one-to-one map
/// between our segment numbers and WNTR's that holds for every node and link.
fn assert_same_partition(name: &str) {
    let network = network(name);
    let valves = read_valve_layer(&data(&format!("segments/{name}.valves.csv")), &network)
        .unwrap_or_else(|error| panic!("{error}"));
    let ours = segments(&network, &valves);
    let reference =
        std::fs::read_to_string(data(&format!("segments/{name}.segments.csv"))).unwrap();
    let mut ours_to_theirs: HashMap<u32, u32> = HashMap::new();
    let mut theirs_to_ours: HashMap<u32, u32> = HashMap::new();
    let mut checked = 0;
    for line in reference.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let (kind, id, theirs) = (fields[0], fields[1], fields[2].parse::<u32>().unwrap());
        let our = match kind {
            "node" => ours.node_segment[network.node_idx(id).unwrap().index()],
            _ => ours.link_segment[network.link_idx(id).unwrap().index()],
        };
        assert_eq!(
            *ours_to_theirs.entry(our).or_insert(theirs),
            theirs,
            "{name}: {kind} {id}"
        );
        assert_eq!(
            *theirs_to_ours.entry(theirs).or_insert(our),
            our,
            "{name}: {kind} {id}"
        );
        checked += 1;
    }
    assert_eq!(checked, network.nodes.len() + network.links.len());
    assert_eq!(
        ours_to_theirs.len(),
        ours.segments.len(),
        "{name}: segment count"
    );
}

#[test]
fn net3_segments_equal_wntr() {
    assert_same_partition("net3");
}

#[test]
fn ky10_segments_equal_wntr() {
    assert_same_partition("ky10");
}

#[test]
fn net6_segments_equal_wntr() {
    assert_same_partition("net6");
}

#[test]
fn segments_know_their_valves_and_demand() {
    let network = network("net3");
    let valves = read_valve_layer(&data("segments/net3.valves.csv"), &network).unwrap();
    let result = segments(&network, &valves);
    let total: f64 = result.segments.iter().map(|s| s.base_demand).sum();
    let expected: f64 = network
        .nodes
        .iter()
        .filter_map(|n| n.as_junction())
        .flat_map(|j| j.demands.iter().map(|d| d.base))
        .sum();
    assert!((total - expected).abs() <= 1e-9 * expected.abs().max(1.0));
    for segment in &result.segments {
        for &position in &segment.valves {
            let valve = &valves[position];
            let sides = [
                result.link_segment[valve.link.index()],
                result.node_segment[valve.node.index()],
            ];
            assert!(sides.contains(&segment.number) && sides[0] != sides[1]);
        }
    }
}

#[test]
fn bad_valve_layers_name_the_line() {
    let network = network("net1");
    let text = "valve,link,node\nV1,10,10\nV2,nope,10\nV3,10,12\nV4,10\nV1,11,11\n";
    let error = parse_valve_layer(text, "layer.csv", &network)
        .unwrap_err()
        .to_string();
    for expected in [
        "line 3: link \"nope\" is not in the network",
        "line 4: node \"12\" is not an end of link \"10\"",
        "line 5:",
        "line 6: valve ID \"V1\" is used twice",
    ] {
        assert!(
            error.contains(expected),
            "missing {expected:?} in:\n{error}"
        );
    }
    let missing = parse_valve_layer("valve,node\nV1,10\n", "layer.csv", &network).unwrap_err();
    assert!(missing.to_string().contains("\"link\""), "{missing}");
}

#[test]
fn strategic_layers_leave_n_links_unvalved_at_each_node() {
    use danjiang_scenarios::strategic_valve_layer;
    let network = network("net3");
    let layer = strategic_valve_layer(&network, 1, 42);
    assert_eq!(layer, strategic_valve_layer(&network, 1, 42), "seeded");
    let mut degree = vec![0usize; network.nodes.len()];
    for link in &network.links {
        degree[link.from.index()] += 1;
        degree[link.to.index()] += 1;
    }
    let mut valved = vec![0usize; network.nodes.len()];
    for valve in &layer {
        valved[valve.node.index()] += 1;
        let link = network.link(valve.link);
        assert!(link.from == valve.node || link.to == valve.node);
    }
    for node in 0..network.nodes.len() {
        assert_eq!(valved[node], degree[node].saturating_sub(1));
    }
    // With a valve on every link end, every link is a segment of its own.
    let all = strategic_valve_layer(&network, 0, 1);
    let result = segments(&network, &all);
    assert_eq!(
        result.segments.len(),
        network.nodes.len() + network.links.len()
    );
}
