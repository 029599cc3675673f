//! Behaviour of the quality engine on small networks built in code, with answers worked out
//! by hand from EPANET's rules (explicit reaction steps, parcels moving one flow volume per
//! step), and the errors bad quality input must give.

use danjiang_network::{
    Junction, Link, LinkKind, MixingModel, Network, Node, NodeIdx, NodeKind, Pattern, PatternIdx,
    Pipe, QualityAnalysis, QualitySource, Reservoir, SourceKind, Tank,
};
use danjiang_quality::{
    run_over_stored, HydraulicSnapshot, QualityError, QualitySimulation, StoredHydraulics,
};

const STEP: u64 = 300;
const LENGTH: f64 = 1000.0;
const DIAMETER: f64 = 0.3;
/// EPANET's rounded π/4 for pipe volumes.
#[allow(clippy::approx_constant)] // ok: EPANET's own rounding, which the engine keeps
const QUARTER_PI_EPANET: f64 = 0.785398;

/// EPANET's cubic-foot rounding of geometric volumes.
fn volume_scale() -> f64 {
    0.028317 / (0.3048f64 * 0.3048 * 0.3048)
}

/// The pipe volume as the engine takes it: EPANET's π/4 and its cubic-foot rounding.
fn pipe_volume(length: f64) -> f64 {
    QUARTER_PI_EPANET * length * DIAMETER * DIAMETER * volume_scale()
}

/// A flow EPANET's float32 hydraulics file holds exactly, m³/s.
fn epanet_flow(cubic_feet_per_second: f32) -> f64 {
    f64::from(cubic_feet_per_second) * 0.028317
}

/// The length of pipe that holds `steps` quality steps of `flow`.
fn length_for(flow: f64, steps: u64) -> f64 {
    flow * (steps * STEP) as f64 / (QUARTER_PI_EPANET * DIAMETER * DIAMETER * volume_scale())
}

/// Reservoir R feeding junction J through pipe P, `hours` long, quality step 5 minutes.
fn line_network(analysis: QualityAnalysis, hours: u64) -> Network {
    line_network_of_length(analysis, hours, LENGTH)
}

fn line_network_of_length(analysis: QualityAnalysis, hours: u64, length: f64) -> Network {
    let mut network = Network::new();
    let mut reservoir = Node::new("R", 100.0, NodeKind::Reservoir(Reservoir::default()));
    reservoir.initial_quality = 1.0;
    let r = network.add_node(reservoir).unwrap();
    let j = network
        .add_node(Node::new("J", 0.0, NodeKind::Junction(Junction::default())))
        .unwrap();
    let pipe = Pipe {
        length,
        diameter: DIAMETER,
        roughness: 100.0,
        ..Pipe::default()
    };
    network
        .add_link(Link::new("P", r, j, LinkKind::Pipe(pipe)))
        .unwrap();
    network.options.quality = analysis;
    network.options.quality_tolerance = 0.0;
    network.times.duration = hours * 3600;
    network.times.hydraulic_step = 3600;
    network.times.quality_step = Some(STEP);
    network.times.report_step = 3600;
    network
}

/// Steady hydraulics: `flow` from the first node to the second, drawn off at the second.
fn steady(network: &Network, flow: f64) -> StoredHydraulics {
    let mut store = StoredHydraulics::new(network.nodes.len(), network.links.len());
    let hours = network.times.duration / 3600;
    for hour in 0..=hours {
        let mut node_demand = vec![0.0; network.nodes.len()];
        node_demand[0] = -flow;
        node_demand[1] = flow;
        store
            .push(HydraulicSnapshot {
                time: hour * 3600,
                step_length: if hour == hours { 0 } else { 3600 },
                node_demand,
                node_head: vec![100.0; network.nodes.len()],
                link_flow: vec![flow; network.links.len()],
            })
            .unwrap();
    }
    store
}

fn chemical() -> QualityAnalysis {
    QualityAnalysis::Chemical {
        name: "Chlorine".into(),
        units: "mg/L".into(),
    }
}

#[test]
fn first_order_decay_takes_one_explicit_step_per_quality_step() {
    // The pipe holds exactly 12 quality steps of flow: water reaches J after 12 reactions.
    let flow = epanet_flow(0.125);
    let mut network = line_network_of_length(chemical(), 3, length_for(flow, 12));
    network.reactions.global_bulk = -1.0; // per day
    let results = run_over_stored(&network, &steady(&network, flow)).unwrap();
    let expected = (1.0 - STEP as f64 / 86_400.0).powi(12);
    let at_two_hours = &results.periods[2];
    assert!(
        (at_two_hours.node_quality[1] - expected).abs() < 1e-9,
        "J: {} expected {expected}",
        at_two_hours.node_quality[1]
    );
    // The reaction rate reported for the pipe is the mean decay rate of its water, mg/L/day.
    let rate = at_two_hours.link_reaction_rate[0];
    assert!(rate > 0.9 && rate < 1.0, "rate {rate}");
    assert!((results.mass_balance.ratio - 1.0).abs() < 1e-9);
    assert!(results.mass_balance.reacted > 0.0);
}

#[test]
fn water_age_is_the_travel_time() {
    let flow = epanet_flow(0.125);
    let mut network = line_network_of_length(QualityAnalysis::Age, 3, length_for(flow, 12));
    network.nodes[0].initial_quality = 0.0;
    let results = run_over_stored(&network, &steady(&network, flow)).unwrap();
    assert!((results.periods[2].node_quality[1] - 1.0).abs() < 1e-9);
    // The pipe holds twelve parcels that have aged 0 to 11 quality steps.
    let mean_age = (0..12).sum::<u64>() as f64 / 12.0 * STEP as f64 / 3600.0;
    assert!((results.periods[2].link_quality[0] - mean_age).abs() < 1e-9);
}

#[test]
fn trace_gives_the_share_of_water_from_the_traced_node() {
    // R1 and R2 both feed J, one part from R1 to three from R2.
    let mut network = Network::new();
    let r1 = network
        .add_node(Node::new(
            "R1",
            100.0,
            NodeKind::Reservoir(Reservoir::default()),
        ))
        .unwrap();
    let j = network
        .add_node(Node::new("J", 0.0, NodeKind::Junction(Junction::default())))
        .unwrap();
    let r2 = network
        .add_node(Node::new(
            "R2",
            100.0,
            NodeKind::Reservoir(Reservoir::default()),
        ))
        .unwrap();
    for (id, from) in [("P1", r1), ("P2", r2)] {
        let pipe = Pipe {
            length: 100.0,
            diameter: 0.2,
            roughness: 100.0,
            ..Pipe::default()
        };
        network
            .add_link(Link::new(id, from, j, LinkKind::Pipe(pipe)))
            .unwrap();
    }
    network.options.quality = QualityAnalysis::Trace { node: r1 };
    network.times.duration = 7200;
    network.times.hydraulic_step = 3600;
    network.times.quality_step = Some(60);
    network.times.report_step = 3600;
    let mut store = StoredHydraulics::new(3, 2);
    for hour in 0..=2 {
        store
            .push(HydraulicSnapshot {
                time: hour * 3600,
                step_length: if hour == 2 { 0 } else { 3600 },
                node_demand: vec![-0.01, 0.04, -0.03],
                node_head: vec![100.0, 90.0, 100.0],
                link_flow: vec![0.01, 0.03],
            })
            .unwrap();
    }
    let results = run_over_stored(&network, &store).unwrap();
    let last = results.periods.last().unwrap();
    assert!(
        (last.node_quality[j.index()] - 25.0).abs() < 1e-9,
        "{}",
        last.node_quality[1]
    );
    assert_eq!(last.node_quality[r1.index()], 100.0);
    assert_eq!(last.node_quality[r2.index()], 0.0);
}

#[test]
fn a_mass_source_adds_mass_only_while_its_node_has_outflow() {
    let mut network = line_network(chemical(), 2);
    network.nodes[0].initial_quality = 0.0;
    network.nodes[1].source = Some(QualitySource {
        kind: SourceKind::Mass,
        strength: 60.0, // mg/min
        pattern: None,
    });
    // J draws nothing off and sends nothing on: the source stays idle.
    let idle = run_over_stored(&network, &steady(&network, 0.0)).unwrap();
    assert_eq!(idle.mass_balance.inflow, 0.0);
    assert_eq!(idle.reactions.source_rate, 0.0);
    // Now J sends the flow on through pipe Q to K.
    let j = NodeIdx(1);
    let k = network
        .add_node(Node::new("K", 0.0, NodeKind::Junction(Junction::default())))
        .unwrap();
    let pipe = Pipe {
        length: 10.0,
        diameter: 0.1,
        roughness: 100.0,
        ..Pipe::default()
    };
    network
        .add_link(Link::new("Q", j, k, LinkKind::Pipe(pipe)))
        .unwrap();
    let flow = epanet_flow(0.5);
    let mut store = StoredHydraulics::new(3, 2);
    for hour in 0..=2 {
        store
            .push(HydraulicSnapshot {
                time: hour * 3600,
                step_length: if hour == 2 { 0 } else { 3600 },
                node_demand: vec![-flow, 0.0, flow],
                node_head: vec![100.0, 95.0, 90.0],
                link_flow: vec![flow, flow],
            })
            .unwrap();
    }
    let results = run_over_stored(&network, &store).unwrap();
    // 1 mg/s for two hours, in mg.
    assert!(
        (results.mass_balance.inflow - 7200.0).abs() < 1e-6,
        "{}",
        results.mass_balance.inflow
    );
    // Concentration added: 1 mg/s into the flow in litres per second.
    let added = 1.0 / (flow * 1000.0);
    assert!((results.periods[2].link_quality[1] - added).abs() < 1e-9);
}

#[test]
fn a_reservoir_source_keeps_its_last_concentration_when_its_pattern_drops_to_zero() {
    let mut network = line_network(chemical(), 4);
    network.nodes[0].initial_quality = 0.0;
    network.times.pattern_step = 3600;
    let pattern = network
        .add_pattern(Pattern {
            id: "ON-OFF".into(),
            multipliers: vec![1.0, 0.0, 0.0, 0.0],
        })
        .unwrap();
    network.nodes[0].source = Some(QualitySource {
        kind: SourceKind::Concen,
        strength: 2.0,
        pattern: Some(pattern),
    });
    let flow = epanet_flow(1.0);
    let results = run_over_stored(&network, &steady(&network, flow)).unwrap();
    assert!(
        pipe_volume(LENGTH) < flow * 3600.0,
        "the pipe flushes within an hour"
    );
    for period in &results.periods[1..] {
        assert_eq!(period.node_quality[0], 2.0, "at {} s", period.time);
    }
    assert!((results.periods[3].node_quality[1] - 2.0).abs() < 1e-9);
}

#[test]
fn a_mixed_tank_blends_its_inflow() {
    // R (1 mg/L) fills tank T (0 mg/L, 10 m³ of water) at about 1 L/s for an hour through
    // pipe P; nothing leaves. Complete mixing: the tank's water and the inflow's mass mix.
    let mut network = Network::new();
    let mut reservoir = Node::new("R", 100.0, NodeKind::Reservoir(Reservoir::default()));
    reservoir.initial_quality = 1.0;
    let r = network.add_node(reservoir).unwrap();
    let area = 10.0; // m²
    let tank = Tank {
        initial_level: 1.0,
        min_level: 0.0,
        max_level: 10.0,
        diameter: (4.0 * area / std::f64::consts::PI).sqrt(),
        mixing_model: MixingModel::Mixed,
        ..Tank::default()
    };
    let t = network
        .add_node(Node::new("T", 0.0, NodeKind::Tank(tank)))
        .unwrap();
    let pipe = Pipe {
        length: 1.0,
        diameter: 0.01,
        roughness: 100.0,
        ..Pipe::default()
    };
    network
        .add_link(Link::new("P", r, t, LinkKind::Pipe(pipe)))
        .unwrap();
    network.options.quality = chemical();
    network.options.quality_tolerance = 0.0;
    network.times.duration = 3600;
    network.times.quality_step = Some(3600);
    let mut store = StoredHydraulics::new(2, 1);
    for (time, step, level) in [(0, 3600, 1.0), (3600, 0, 1.36)] {
        store
            .push(HydraulicSnapshot {
                time,
                step_length: step,
                node_demand: vec![-epanet_flow(0.03125), epanet_flow(0.03125)],
                node_head: vec![100.0, level],
                link_flow: vec![epanet_flow(0.03125)],
            })
            .unwrap();
    }
    let results = run_over_stored(&network, &store).unwrap();
    let pipe_volume = QUARTER_PI_EPANET * 1.0 * 0.01 * 0.01 * volume_scale();
    let tank_volume = area * volume_scale();
    // The pipe's first hour delivers its own (initial, 0 mg/L) water first.
    let delivered = epanet_flow(0.03125) * 3600.0;
    let mass = delivered - pipe_volume;
    let expected = mass / (tank_volume + delivered);
    let ours = results.periods[1].node_quality[t.index()];
    assert!(
        (ours - expected).abs() < 1e-9,
        "tank {ours}, expected {expected}"
    );
}

#[test]
fn stepping_by_hand_equals_the_whole_run() {
    let mut network = line_network(chemical(), 3);
    network.reactions.global_bulk = -0.7;
    network.reactions.global_wall = -0.4;
    let hydraulics = steady(&network, 0.004);
    let whole = run_over_stored(&network, &hydraulics).unwrap();
    let mut simulation = QualitySimulation::new(&network).unwrap();
    let mut periods = 0;
    for snapshot in hydraulics.snapshots() {
        if simulation.load_hydraulics(snapshot).unwrap() {
            assert_eq!(
                simulation.node_quality(),
                whole.periods[periods].node_quality.as_slice()
            );
            assert_eq!(
                simulation.link_quality(),
                whole.periods[periods].link_quality
            );
            periods += 1;
        }
        simulation.advance().unwrap();
    }
    assert_eq!(periods, whole.periods.len());
    assert_eq!(simulation.mass_balance(), whole.mass_balance);
}

fn expect_bad_input(network: &Network, field_part: &str) {
    match QualitySimulation::new(network) {
        Err(QualityError::BadInput { field, message }) => {
            assert!(field.contains(field_part), "field {field:?} ({message})");
            assert!(!message.is_empty());
        }
        other => panic!("expected bad input in {field_part}, got {other:?}"),
    }
}

#[test]
fn bad_quality_input_gets_a_clear_error() {
    let base = line_network(chemical(), 1);

    let mut network = base.clone();
    network.options.quality = QualityAnalysis::Trace { node: NodeIdx(7) };
    expect_bad_input(&network, "TRACE");

    let mut network = base.clone();
    network.reactions.wall_order = 2.0;
    expect_bad_input(&network, "ORDER WALL");

    let mut network = base.clone();
    network.options.quality_tolerance = -0.1;
    expect_bad_input(&network, "TOLERANCE");

    let mut network = base.clone();
    network.options.diffusivity = f64::NAN;
    expect_bad_input(&network, "DIFFUSIVITY");

    let mut network = base.clone();
    network.nodes[1].source = Some(QualitySource {
        kind: SourceKind::Setpoint,
        strength: 1.0,
        pattern: Some(PatternIdx(3)),
    });
    expect_bad_input(&network, "[SOURCES] pattern of node J");

    let mut network = base.clone();
    let tank = Tank {
        initial_level: 1.0,
        max_level: 2.0,
        diameter: 3.0,
        mixing_model: MixingModel::TwoCompartment,
        mixing_fraction: 0.0,
        ..Tank::default()
    };
    network
        .add_node(Node::new("T", 0.0, NodeKind::Tank(tank)))
        .unwrap();
    expect_bad_input(&network, "2COMP");
}

#[test]
fn hydraulics_that_do_not_fit_are_refused() {
    let network = line_network(chemical(), 1);
    let mut simulation = QualitySimulation::new(&network).unwrap();
    assert!(matches!(
        simulation.advance(),
        Err(QualityError::NoHydraulics(0))
    ));
    let good = steady(&network, 0.01).snapshots()[0].clone();

    let mut wrong_size = good.clone();
    wrong_size.link_flow.push(0.0);
    assert!(matches!(
        simulation.load_hydraulics(&wrong_size),
        Err(QualityError::HydraulicsMismatch(_))
    ));

    let mut wrong_time = good.clone();
    wrong_time.time = 60;
    assert!(matches!(
        simulation.load_hydraulics(&wrong_time),
        Err(QualityError::HydraulicsMismatch(_))
    ));

    let mut not_a_number = good.clone();
    not_a_number.link_flow[0] = f64::NAN;
    assert!(matches!(
        simulation.load_hydraulics(&not_a_number),
        Err(QualityError::HydraulicsMismatch(_))
    ));

    assert!(simulation.load_hydraulics(&good).unwrap());
    assert_eq!(simulation.advance().unwrap(), 3600);
}

#[test]
fn a_file_that_is_not_hydraulics_is_refused() {
    let path = std::env::temp_dir().join(format!("dj-quality-not-hyd-{}.bin", std::process::id()));
    std::fs::write(&path, b"[TITLE]\nnot a hydraulics file\n").unwrap();
    let ours = StoredHydraulics::read_file(&path);
    let epanet = StoredHydraulics::read_epanet_file(&path);
    std::fs::remove_file(&path).ok();
    for result in [ours, epanet] {
        match result {
            Err(QualityError::HydraulicsFile { message, .. }) => assert!(message.contains("magic")),
            other => panic!("expected a file error, got {other:?}"),
        }
    }
}
