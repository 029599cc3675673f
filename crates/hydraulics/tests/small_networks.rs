//! Small networks built in code, checked against hand calculations.

use danjiang_hydraulics::{HydraulicError, HydraulicSimulation, LinkStatus};
use danjiang_network::{
    Demand, Junction, Link, LinkKind, Network, Node, NodeKind, Pipe, Reservoir, Tank,
};

const FT: f64 = 0.3048;
const CFS: f64 = 0.028317;

fn pipe(length: f64, diameter: f64, roughness: f64) -> LinkKind {
    LinkKind::Pipe(Pipe {
        length,
        diameter,
        roughness,
        ..Pipe::default()
    })
}

fn junction(id: &str, elevation: f64, demand: f64) -> Node {
    Node::new(
        id,
        elevation,
        NodeKind::Junction(Junction {
            demands: vec![Demand {
                base: demand,
                pattern: None,
                category: None,
            }],
            emitter_coefficient: 0.0,
        }),
    )
}

/// Reservoir at 100 m feeding a junction through one Hazen-Williams pipe.
fn single_pipe() -> Network {
    let mut network = Network::new();
    let r = network
        .add_node(Node::new(
            "R",
            100.0,
            NodeKind::Reservoir(Reservoir::default()),
        ))
        .unwrap();
    let j = network.add_node(junction("J", 20.0, 0.05)).unwrap();
    network
        .add_link(Link::new("P", r, j, pipe(1000.0, 0.3, 100.0)))
        .unwrap();
    network
}

#[test]
fn hazen_williams_loss_of_a_single_pipe() {
    let network = single_pipe();
    let mut simulation = HydraulicSimulation::new(&network).unwrap();
    let state = simulation.step().unwrap().unwrap().clone();
    // EPANET's Hazen-Williams resistance in its own units (ft, cfs).
    let (length, diameter, q) = (1000.0 / FT, 0.3 / FT, 0.05 / CFS);
    let loss_ft = 4.727 * length / 100f64.powf(1.852) / diameter.powf(4.871) * q.powf(1.852);
    let expected_head = 100.0 - loss_ft * FT;
    assert!(
        (state.node_head[1] - expected_head).abs() < 1.0e-4,
        "head {} expected {expected_head}",
        state.node_head[1]
    );
    assert!((state.link_flow[0] - 0.05).abs() < 1.0e-9);
    assert!((state.node_pressure[1] - (expected_head - 20.0)).abs() < 1.0e-4);
    // The reservoir supplies the demand: EPANET reports it as a negative demand.
    assert!((state.node_demand[0] + 0.05).abs() < 1.0e-9);
    assert_eq!(state.link_status[0], LinkStatus::Open);
    // A steady-state run has one period.
    assert!(simulation.step().unwrap().is_none());
}

#[test]
fn closing_a_pipe_from_outside_stops_its_flow() {
    let mut network = single_pipe();
    // A second supply path so the junction stays fed.
    let r = network.node_idx("R").unwrap();
    let j = network.node_idx("J").unwrap();
    network
        .add_link(Link::new("P2", r, j, pipe(2000.0, 0.3, 100.0)))
        .unwrap();
    network.times.duration = 3600;
    let mut simulation = HydraulicSimulation::new(&network).unwrap();
    let first = simulation.step().unwrap().unwrap().clone();
    assert!(first.link_flow[0] > first.link_flow[1]);
    simulation
        .set_link_status(network.link_idx("P").unwrap(), false)
        .unwrap();
    let second = simulation.step().unwrap().unwrap().clone();
    assert_eq!(second.link_status[0], LinkStatus::Closed);
    assert_eq!(second.link_flow[0], 0.0);
    assert!((second.link_flow[1] - 0.05).abs() < 1.0e-6);
}

#[test]
fn a_draining_tank_loses_the_volume_it_supplies() {
    let mut network = Network::new();
    let t = network
        .add_node(Node::new(
            "T",
            50.0,
            NodeKind::Tank(Tank {
                initial_level: 5.0,
                min_level: 0.0,
                max_level: 10.0,
                diameter: 10.0,
                ..Tank::default()
            }),
        ))
        .unwrap();
    let j = network.add_node(junction("J", 0.0, 0.01)).unwrap();
    network
        .add_link(Link::new("P", t, j, pipe(100.0, 0.2, 120.0)))
        .unwrap();
    network.times.duration = 7200;
    let mut simulation = HydraulicSimulation::new(&network).unwrap();
    let mut times = Vec::new();
    let mut volumes = Vec::new();
    while let Some(state) = simulation.step().unwrap() {
        times.push((state.time, state.step_length));
        volumes.push(state.tank_volume[0]);
    }
    assert_eq!(times, vec![(0, 3600), (3600, 3600), (7200, 0)]);
    // 0.01 m³/s for an hour, with EPANET's constants: flows convert with 0.028317 m³
    // per ft³ but volumes with 0.3048³, so 36 m³ of flow is 35.9998 m³ of tank.
    let per_step = 3600.0 * 0.01 / CFS * FT * FT * FT;
    assert!((volumes[0] - volumes[1] - per_step).abs() < 1.0e-6);
    assert!((volumes[1] - volumes[2] - per_step).abs() < 1.0e-6);
}

#[test]
fn networks_without_a_source_are_refused() {
    let mut network = Network::new();
    let a = network.add_node(junction("A", 0.0, 0.0)).unwrap();
    let b = network.add_node(junction("B", 0.0, 0.0)).unwrap();
    network
        .add_link(Link::new("P", a, b, pipe(10.0, 0.1, 100.0)))
        .unwrap();
    assert!(matches!(
        HydraulicSimulation::new(&network),
        Err(HydraulicError::NoFixedHeadNode)
    ));
}

#[test]
fn unconnected_nodes_are_refused() {
    let mut network = single_pipe();
    network.add_node(junction("LONELY", 0.0, 0.0)).unwrap();
    match HydraulicSimulation::new(&network) {
        Err(HydraulicError::UnconnectedNode { node }) => assert_eq!(node, "LONELY"),
        Err(other) => panic!("expected an unconnected node error, got {other}"),
        Ok(_) => panic!("expected an unconnected node error"),
    }
}
