//! Small networks of our own, each exercising one feature of the input format
//! (`tests/networks/features/`). Expected values are worked out from the files by hand,
//! with EPANET's conversion constants (1 ft = 0.3048 m, 1 psi = 1/0.4333 ft of water, ...).

use danjiang_network::inp::{self, ReadOutcome};
use danjiang_network::model::*;
use danjiang_network::units::{FlowUnits, PressureUnits};
use std::path::Path;

const FOOT: f64 = 0.3048;
const GPM: f64 = 0.028317 / 448.831; // m³/s per gpm
const PSI: f64 = FOOT / 0.4333; // m of water per psi

fn read(name: &str) -> ReadOutcome {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/networks/features")
        .join(name);
    match inp::read_file(&path) {
        Ok(outcome) => outcome,
        Err(error) => panic!("{name} should read: {error}"),
    }
}

#[track_caller]
fn near(ours: f64, expected: f64) {
    let scale = expected.abs().max(1e-12);
    assert!(
        (ours - expected).abs() <= 1e-9 * scale,
        "got {ours}, expected {expected}"
    );
}

fn node<'a>(network: &'a Network, id: &str) -> &'a Node {
    let index = network.node_idx(id).unwrap_or_else(|| panic!("node {id}"));
    network.node(index)
}

fn link<'a>(network: &'a Network, id: &str) -> &'a Link {
    let index = network.link_idx(id).unwrap_or_else(|| panic!("link {id}"));
    network.link(index)
}

fn curve<'a>(network: &'a Network, id: &str) -> &'a Curve {
    let index = network
        .curve_idx(id)
        .unwrap_or_else(|| panic!("curve {id}"));
    &network.curves[index.index()]
}

#[test]
fn sections_in_any_order_and_references_before_definitions() {
    let network = read("sections_in_any_order.inp").network;
    let ids: Vec<&str> = network.nodes.iter().map(|n| n.id.as_str()).collect();
    // Junctions first, then reservoirs and tanks, as EPANET numbers them.
    assert_eq!(ids, ["J1", "J2", "R1", "T1"]);
    let pump = link(&network, "PU1");
    let head_curve = pump
        .as_pump()
        .and_then(|p| p.head_curve)
        .expect("head curve");
    assert_eq!(network.curves[head_curve.index()].kind, CurveKind::Pump);
    let (flow, head) = network.curves[head_curve.index()].points[0];
    near(flow, 600.0 * GPM);
    near(head, 150.0 * FOOT);
    assert_eq!(network.controls.len(), 2);
    match network.controls[0].condition {
        ControlCondition::NodeAbove { node, value } => {
            assert_eq!(network.node(node).id, "T1");
            near(value, 18.0 * FOOT);
        }
        other => panic!("unexpected condition {other:?}"),
    }
    let j1 = node(&network, "J1").as_junction().expect("junction");
    let pattern = j1.demands[0].pattern.expect("pattern");
    assert_eq!(network.patterns[pattern.index()].id, "DAY");
}

#[test]
fn lower_case_tabs_and_abbreviated_keywords() {
    let network = read("keywords_case_tabs_abbreviations.inp").network;
    let options = &network.options;
    assert_eq!(options.flow_units, FlowUnits::Lps);
    assert_eq!(options.pressure_units, PressureUnits::Meters);
    assert_eq!(options.headloss, HeadlossFormula::DarcyWeisbach);
    assert_eq!(options.trials, 40);
    near(options.accuracy, 0.002);
    assert_eq!(options.unbalanced, Unbalanced::Continue(10));
    near(options.demand_multiplier, 1.5);
    let times = &network.times;
    assert_eq!(times.duration, 36 * 3600);
    assert_eq!(times.hydraulic_step, 1800);
    assert_eq!(times.pattern_step, 7200);
    assert_eq!(times.report_start, 3600);
    assert_eq!(times.start_clocktime, 6 * 3600);
    let p1 = link(&network, "p1");
    assert_eq!(p1.initial_status, InitialStatus::Open);
    near(p1.as_pipe().expect("pipe").roughness, 100.0 / 1000.0); // 100 mm
    assert!(link(&network, "p2").as_pipe().expect("pipe").check_valve);
    assert_eq!(
        node(&network, "j1").comment.as_deref(),
        Some("first junction")
    );
}

/// EPANET 2.3.5 matches IDs exactly: `a` and `A` are two nodes, and a pipe naming `a` when only
/// `A` exists refers to an undefined node (error 203), as runepanet reports.
#[test]
fn ids_differ_by_case() {
    let two = "[JUNCTIONS]\na 0 1\nA 0 1\n[RESERVOIRS]\nR 100\n\
               [PIPES]\np1 R a 100 100 100\np2 a A 100 100 100\n[END]\n";
    let network = match inp::read_str(two, "two.inp") {
        Ok(outcome) => outcome.network,
        Err(error) => panic!("a and A are distinct IDs: {error}"),
    };
    assert_ne!(network.node_idx("a"), network.node_idx("A"));
    let undefined = "[JUNCTIONS]\nA 0 1\n[RESERVOIRS]\nR 100\n[PIPES]\np1 R a 100 100 100\n[END]\n";
    let error = match inp::read_str(undefined, "undefined.inp") {
        Ok(_) => panic!("node a is not defined"),
        Err(error) => error.to_string(),
    };
    assert!(error.contains("203"), "{error}");
}

#[test]
fn several_demands_replace_the_junction_demand() {
    let network = read("several_demands_per_node.inp").network;
    let cmh = FlowUnits::Cmh.to_si(1.0);
    let j1 = node(&network, "J1").as_junction().expect("junction");
    let bases: Vec<f64> = j1.demands.iter().map(|d| d.base / cmh).collect();
    assert_eq!(bases.len(), 3);
    for (ours, expected) in bases.iter().zip([5.0, 2.5, 1.0]) {
        near(*ours, expected);
    }
    near(cmh, 1.0 / 3600.0 * (0.028317 * 3600.0 / 101.94)); // EPANET's 101.94 m³/h per cfs
    let categories: Vec<Option<&str>> = j1.demands.iter().map(|d| d.category.as_deref()).collect();
    assert_eq!(categories, [Some("homes"), Some("industry"), Some("leaks")]);
    let patterns: Vec<Option<&str>> = j1
        .demands
        .iter()
        .map(|d| d.pattern.map(|p| network.patterns[p.index()].id.as_str()))
        .collect();
    assert_eq!(patterns, [Some("DAY"), Some("NIGHT"), None]);
    let j2 = node(&network, "J2").as_junction().expect("junction");
    assert_eq!(j2.demands.len(), 1);
    near(j2.demands[0].base / cmh, 20.0);
}

#[test]
fn times_in_every_form() {
    let network = read("time_formats.inp").network;
    let conditions: Vec<ControlCondition> = network.controls.iter().map(|c| c.condition).collect();
    assert_eq!(
        conditions,
        [
            ControlCondition::AtTime { seconds: 5400 },
            ControlCondition::AtTime { seconds: 9000 },
            ControlCondition::AtClockTime { seconds: 0 },
            ControlCondition::AtClockTime {
                seconds: 14 * 3600 + 900
            },
            ControlCondition::AtTime { seconds: 12 * 3600 },
        ]
    );
    assert!(network.controls[..4].iter().all(|c| c.enabled));
    assert!(!network.controls[4].enabled);
    let times = &network.times;
    assert_eq!(times.duration, 36 * 3600);
    assert_eq!(times.hydraulic_step, 900);
    assert_eq!(times.quality_step, Some(300));
    assert_eq!(times.pattern_step, 7200);
    assert_eq!(times.report_step, 3600);
    assert_eq!(times.start_clocktime, 12 * 3600);
}

#[test]
fn tank_with_volume_curve_mixing_and_overflow() {
    let network = read("tank_volume_curve_si.inp").network;
    let tank = node(&network, "T1").as_tank().expect("tank");
    near(node(&network, "T1").elevation, 20.0);
    near(tank.initial_level, 2.0);
    near(tank.min_level, 1.0);
    near(tank.max_level, 4.0);
    assert!(tank.can_overflow);
    assert_eq!(tank.mixing_model, MixingModel::TwoCompartment);
    near(tank.mixing_fraction, 0.4);
    let volume = curve(&network, "VOL");
    assert_eq!(volume.kind, CurveKind::Volume);
    assert_eq!(volume.points, [(0.0, 0.0), (2.0, 300.0), (5.0, 900.0)]);
    assert_eq!(tank.volume_curve, network.curve_idx("VOL"));
    near(link(&network, "P1").as_pipe().expect("pipe").diameter, 0.3);
}

#[test]
fn pump_curves_power_and_energy() {
    let outcome = read("pump_curves_and_energy.inp");
    let network = &outcome.network;
    let one = curve(network, "ONE");
    assert_eq!(one.kind, CurveKind::Pump);
    near(one.points[0].0, 500.0 * GPM);
    near(one.points[0].1, 120.0 * FOOT);
    assert_eq!(curve(network, "MULTI").points.len(), 4);
    let efficiency = curve(network, "EFF");
    assert_eq!(efficiency.kind, CurveKind::Efficiency);
    near(efficiency.points[1].0, 600.0 * GPM);
    near(efficiency.points[1].1, 80.0);
    let pu1 = link(network, "PU1").as_pump().expect("pump");
    assert_eq!(pu1.efficiency_curve, network.curve_idx("EFF"));
    let pu2 = link(network, "PU2").as_pump().expect("pump");
    near(pu2.speed, 1.2);
    assert_eq!(pu2.energy_price, Some(0.2));
    let pu3 = link(network, "PU3").as_pump().expect("pump");
    assert_eq!(pu3.speed_pattern, network.pattern_idx("PRICES"));
    let pu4 = link(network, "PU4").as_pump().expect("pump");
    near(pu4.power.expect("power"), 50.0 * 0.7457);
    assert!(pu4.head_curve.is_none());
    near(network.energy.global_efficiency, 70.0);
    near(network.energy.global_price, 0.12);
    near(network.energy.demand_charge, 10.0);
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
}

#[test]
fn status_of_pipes_pumps_and_valves() {
    let network = read("status_section.inp").network;
    assert_eq!(link(&network, "P2").initial_status, InitialStatus::Closed);
    let pu1 = link(&network, "PU1");
    assert_eq!(pu1.initial_status, InitialStatus::Open);
    near(pu1.as_pump().expect("pump").speed, 0.8);
    let v1 = link(&network, "V1");
    assert_eq!(v1.initial_status, InitialStatus::Active);
    near(v1.as_valve().expect("valve").setting, 45.0 * PSI);
    let v2 = link(&network, "V2");
    assert_eq!(v2.initial_status, InitialStatus::Open);
    near(v2.as_valve().expect("valve").setting, 5.0);
}

#[test]
fn pressure_driven_analysis_emitters_and_leakage() {
    let network = read("pressure_driven_si.inp").network;
    let options = &network.options;
    assert_eq!(options.demand_model, DemandModel::PressureDriven);
    assert_eq!(options.pressure_units, PressureUnits::Kpa);
    let kpa = PSI / 6.895; // m of water per kPa
    near(options.minimum_pressure, 50.0 * kpa);
    near(options.required_pressure, 200.0 * kpa);
    near(options.pressure_exponent, 0.5);
    near(options.emitter_exponent, 0.6);
    assert!(!options.emitter_backflow);
    // SI emitters are in flow units per metre of pressure head, whatever the pressure units.
    let j2 = node(&network, "J2").as_junction().expect("junction");
    near(j2.emitter_coefficient, 0.5 / 1000.0);
    let p2 = link(&network, "P2").as_pipe().expect("pipe");
    near(p2.leak_area, 1.5);
    near(p2.leak_expansion, 0.2);
    near(p2.roughness, 0.1 / 1000.0);
}

#[test]
fn trace_sources_and_reactions_with_id_ranges() {
    let network = read("quality_trace_and_reactions.inp").network;
    assert_eq!(
        network.options.quality,
        QualityAnalysis::Trace {
            node: network.node_idx("9").expect("node 9")
        }
    );
    for id in ["1", "2", "3"] {
        near(node(&network, id).initial_quality, 0.5);
    }
    near(node(&network, "9").initial_quality, 1.0);
    let source = node(&network, "9").source.as_ref().expect("source");
    assert_eq!(source.kind, SourceKind::Setpoint);
    near(source.strength, 2.0);
    assert_eq!(
        node(&network, "2").source.as_ref().map(|s| s.kind),
        Some(SourceKind::Mass)
    );
    let reactions = &network.reactions;
    near(reactions.wall_order, 0.0);
    near(reactions.global_bulk, -0.5);
    // Zero-order wall rates are per ft² in a US file; the model keeps them per m².
    near(reactions.global_wall, -1.0 / (FOOT * FOOT));
    for id in ["11", "12"] {
        assert_eq!(
            link(&network, id).as_pipe().expect("pipe").bulk_coefficient,
            Some(-0.3)
        );
    }
    assert_eq!(
        link(&network, "13")
            .as_pipe()
            .expect("pipe")
            .bulk_coefficient,
        None
    );
    near(
        link(&network, "10")
            .as_pipe()
            .expect("pipe")
            .wall_coefficient
            .expect("wall"),
        -2.0 / (FOOT * FOOT),
    );
    assert_eq!(
        node(&network, "8")
            .as_tank()
            .expect("tank")
            .bulk_coefficient,
        Some(-0.1)
    );
}

#[test]
fn rules_and_report_options() {
    let network = read("rules_and_report.inp").network;
    assert_eq!(network.rules.len(), 2);
    let first = &network.rules[0];
    assert_eq!(first.priority, Some(1.0));
    assert_eq!(first.premises.len(), 2);
    let level = first.premises[0];
    assert_eq!(level.logic, PremiseLogic::If);
    assert_eq!(
        level.object,
        RuleObject::Node(network.node_idx("T1").expect("T1"))
    );
    assert_eq!(level.attribute, RuleAttribute::Level);
    assert_eq!(level.relation, Relation::Above);
    match level.value {
        PremiseValue::Number(value) => near(value, 18.0 * FOOT),
        other => panic!("unexpected value {other:?}"),
    }
    let clock = first.premises[1];
    assert_eq!(clock.logic, PremiseLogic::Or);
    assert_eq!(clock.object, RuleObject::System);
    assert_eq!(clock.relation, Relation::AboveOrEqual);
    assert_eq!(clock.value, PremiseValue::Number(22.0 * 3600.0));
    let pump = network.link_idx("PU1").expect("PU1");
    assert_eq!(
        first.then_actions,
        [RuleAction {
            link: pump,
            action: LinkAction::Closed
        }]
    );
    assert_eq!(
        first.else_actions,
        [RuleAction {
            link: pump,
            action: LinkAction::Open
        }]
    );
    let second = &network.rules[1];
    match second.premises[0].value {
        PremiseValue::Number(value) => near(value, 20.0 * PSI),
        other => panic!("unexpected value {other:?}"),
    }
    assert_eq!(second.premises[1].value, PremiseValue::Number(7200.0));
    assert_eq!(second.then_actions[0].action, LinkAction::Setting(1.1));
    let report = &network.report;
    assert_eq!(report.status, StatusReport::Yes);
    assert_eq!(report.summary, Some(false));
    assert_eq!(
        report.nodes,
        ReportSelection::Some(vec!["J1".into(), "J2".into(), "T1".into()])
    );
    assert_eq!(report.links, ReportSelection::All);
    let field = |name: &str| report.fields.iter().find(|f| f.name == name);
    assert_eq!(field("PRESSURE").and_then(|f| f.precision), Some(3));
    assert_eq!(field("FLOW").and_then(|f| f.below), Some(100.0));
    assert_eq!(field("HEADLOSS").and_then(|f| f.enabled), Some(true));
}

#[test]
fn latin1_text_and_31_character_ids() {
    let network = read("latin1_and_long_ids.inp").network;
    let long = node(&network, "J_with_an_id_of_31_characters_x");
    assert_eq!(long.id.len(), 31);
    assert_eq!(long.comment.as_deref(), Some("café on the corner"));
    assert_eq!(
        node(&network, "J2").comment.as_deref(),
        Some("é written in UTF-8 on this line")
    );
    assert_eq!(link(&network, "P2").comment.as_deref(), Some("straße"));
}

#[test]
fn prvs_in_series_are_a_warning() {
    let outcome = read("prv_in_series_warning.inp");
    let warning = outcome
        .warnings
        .iter()
        .find(|w| w.code == Some(220))
        .expect("a warning 220");
    assert_eq!(warning.line, Some(20));
}

/// Only the last `QUALITY` line counts, and the chemical's name and units carry over from line
/// to line as in EPANET 2.3.5 (`CHEMICAL` ignores a unit after it).
#[test]
fn the_last_quality_line_counts() {
    let network_with = |options: &str| {
        let text = format!(
            "[JUNCTIONS]\nJ 0 1\n[RESERVOIRS]\nR 100\n[PIPES]\nP R J 100 100 100\n\
             [OPTIONS]\n{options}\n[END]\n"
        );
        match inp::read_str(&text, "quality.inp") {
            Ok(outcome) => outcome.network,
            Err(error) => panic!("{options}: {error}"),
        }
    };
    let chemical = |name: &str, units: &str| QualityAnalysis::Chemical {
        name: name.to_string(),
        units: units.to_string(),
    };
    let cases = [
        ("QUALITY TRACE R\nQUALITY AGE", QualityAnalysis::Age),
        ("QUALITY CHEMICAL hrs", chemical("Chemical", "mg/L")),
        (
            "QUALITY Chlorine ug/L\nQUALITY CHEMICAL",
            chemical("Chlorine", "ug/L"),
        ),
        ("QUALITY Fluoride\nQUALITY NONE", QualityAnalysis::None),
    ];
    for (options, expected) in cases {
        assert_eq!(network_with(options).options.quality, expected, "{options}");
    }
    let traced = network_with("QUALITY AGE\nQUALITY TRACE J");
    assert_eq!(
        traced.options.quality,
        QualityAnalysis::Trace {
            node: traced.node_idx("J").expect("J")
        }
    );
}
