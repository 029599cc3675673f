//! What the reader builds equals what EPANET 2.3.5 reads from the same files.
//!
//! The references in `tests/networks/reference/reader/NAME.json` are EPANET's own values
//! (through its toolkit, in each file's units), written by `scripts/reader-reference.py`.
//! Each network of `tests/networks/public/NAME.inp` with a reference is read here, its SI
//! values converted back to the file's units with EPANET's constants, and compared.
//! `READER_REFERENCE_DIR` points the test at another folder of references (for example
//! one made for the whole corpus).

use danjiang_network::inp;
use danjiang_network::model::{
    CurveKind, HeadlossFormula, InitialStatus, LinkKind, Network, NodeKind, ValveType,
};
use danjiang_network::units::{FlowUnits, PressureUnits, UnitSystem};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crate lives two levels below the workspace root") // ok: fixed layout
        .to_path_buf()
}

/// File units per SI unit, with EPANET 2.3's constants (input1.c `initunits`).
struct Units {
    length: f64,
    diameter: f64,
    flow: f64,
    pressure: f64,
    volume: f64,
    power: f64,
    emitter_pressure: f64,
}

impl Units {
    fn of(network: &Network) -> Units {
        let options = &network.options;
        let us = options.flow_units.system() == UnitSystem::Us;
        let psi_per_metre = 0.4333 / 0.3048 * options.specific_gravity;
        Units {
            length: if us { 1.0 / 0.3048 } else { 1.0 },
            diameter: if us { 12.0 / 0.3048 } else { 1000.0 },
            flow: options.flow_units.per_cfs() / 0.028317,
            pressure: match options.pressure_units {
                PressureUnits::Psi => psi_per_metre,
                PressureUnits::Kpa => psi_per_metre * 6.895,
                PressureUnits::Bar => psi_per_metre * 0.068948,
                PressureUnits::Meters => 1.0,
                PressureUnits::Feet => 1.0 / 0.3048,
            },
            volume: if us { 1.0 / 0.028317 } else { 1.0 },
            power: if us { 1.0 / 0.7457 } else { 1.0 },
            emitter_pressure: if us { psi_per_metre } else { 1.0 },
        }
    }
}

struct Comparison {
    name: String,
    mismatches: Vec<String>,
}

impl Comparison {
    fn close(&mut self, what: impl FnOnce() -> String, ours: f64, epanet: f64) {
        let scale = ours.abs().max(epanet.abs()).max(1.0);
        // EPANET holds its values in feet and back; a few parts in 10^9 is round-off.
        if (ours - epanet).abs() > 1e-6 * scale {
            self.mismatches.push(format!(
                "{}: {} ours {ours} EPANET {epanet}",
                self.name,
                what()
            ));
        }
    }

    fn same<T: PartialEq + std::fmt::Debug>(
        &mut self,
        what: impl FnOnce() -> String,
        ours: T,
        epanet: T,
    ) {
        if ours != epanet {
            self.mismatches.push(format!(
                "{}: {} ours {ours:?} EPANET {epanet:?}",
                self.name,
                what()
            ));
        }
    }
}

fn number(value: &Value) -> f64 {
    value.as_f64().unwrap_or(f64::NAN)
}

fn text(value: &Value) -> Option<String> {
    value.as_str().map(str::to_string)
}

fn compare(name: &str, network: &Network, reference: &Value) -> Vec<String> {
    let mut check = Comparison {
        name: name.to_string(),
        mismatches: Vec::new(),
    };
    let units = Units::of(network);
    let flow_units = FlowUnits::ALL
        .into_iter()
        .position(|u| u == network.options.flow_units)
        .unwrap_or(usize::MAX);
    check.same(
        || "flow units".into(),
        flow_units as u64,
        reference["flow_units"].as_u64().unwrap_or(99),
    );
    let options = &reference["options"];
    let headloss = match network.options.headloss {
        HeadlossFormula::HazenWilliams => 0.0,
        HeadlossFormula::DarcyWeisbach => 1.0,
        HeadlossFormula::ChezyManning => 2.0,
    };
    check.close(
        || "headloss formula".into(),
        headloss,
        number(&options["headloss"]),
    );
    check.close(
        || "trials".into(),
        f64::from(network.options.trials),
        number(&options["trials"]),
    );
    check.close(
        || "accuracy".into(),
        network.options.accuracy,
        number(&options["accuracy"]),
    );
    check.close(
        || "demand multiplier".into(),
        network.options.demand_multiplier,
        number(&options["demand_multiplier"]),
    );
    check.close(
        || "emitter exponent".into(),
        network.options.emitter_exponent,
        number(&options["emitter_exponent"]),
    );
    check.close(
        || "specific gravity".into(),
        network.options.specific_gravity,
        number(&options["specific_gravity"]),
    );
    let times = &reference["times"];
    let t = &network.times;
    for (what, ours) in [
        ("duration", t.duration),
        (
            "hydraulic_step",
            t.hydraulic_step.min(t.pattern_step).min(t.report_step),
        ),
        ("pattern_step", t.pattern_step),
        ("pattern_start", t.pattern_start),
        ("report_step", t.report_step),
        (
            "report_start",
            if t.report_start > t.duration {
                0
            } else {
                t.report_start
            },
        ),
        ("start_clocktime", t.start_clocktime),
    ] {
        check.close(|| format!("time {what}"), ours as f64, number(&times[what]));
    }

    let nodes = reference["nodes"].as_array().cloned().unwrap_or_default();
    check.same(|| "node count".into(), network.nodes.len(), nodes.len());
    let pattern_id =
        |p: Option<danjiang_network::PatternIdx>| p.map(|p| network.patterns[p.index()].id.clone());
    let curve_id =
        |c: Option<danjiang_network::CurveIdx>| c.map(|c| network.curves[c.index()].id.clone());
    for (node, expected) in network.nodes.iter().zip(&nodes) {
        let id = node.id.clone();
        check.same(|| "node id".into(), Some(id.clone()), text(&expected["id"]));
        check.close(
            || format!("node {id} elevation"),
            node.elevation * units.length,
            number(&expected["elevation"]),
        );
        check.close(
            || format!("node {id} initial quality"),
            node.initial_quality,
            number(&expected["initial_quality"]),
        );
        match &node.kind {
            NodeKind::Junction(junction) => {
                check.same(
                    || format!("node {id} type"),
                    "junction",
                    expected["type"].as_str().unwrap_or(""),
                );
                let demands = expected["demands"].as_array().cloned().unwrap_or_default();
                check.same(
                    || format!("junction {id} demand count"),
                    junction.demands.len(),
                    demands.len(),
                );
                for (k, (demand, base)) in junction.demands.iter().zip(&demands).enumerate() {
                    check.close(
                        || format!("junction {id} demand {k}"),
                        demand.base * units.flow,
                        number(base),
                    );
                    check.same(
                        || format!("junction {id} demand {k} pattern"),
                        pattern_id(demand.pattern),
                        text(&expected["demand_patterns"][k]),
                    );
                }
                let exponent = network.options.emitter_exponent;
                let emitter = junction.emitter_coefficient * units.flow
                    / units.emitter_pressure.powf(exponent);
                check.close(
                    || format!("junction {id} emitter"),
                    emitter,
                    number(&expected["emitter"]),
                );
            }
            NodeKind::Reservoir(reservoir) => {
                check.same(
                    || format!("node {id} type"),
                    "reservoir",
                    expected["type"].as_str().unwrap_or(""),
                );
                check.same(
                    || format!("reservoir {id} pattern"),
                    pattern_id(reservoir.head_pattern),
                    text(&expected["head_pattern"]),
                );
            }
            NodeKind::Tank(tank) => {
                check.same(
                    || format!("node {id} type"),
                    "tank",
                    expected["type"].as_str().unwrap_or(""),
                );
                check.close(
                    || format!("tank {id} initial level"),
                    tank.initial_level * units.length,
                    number(&expected["initial_level"]),
                );
                check.close(
                    || format!("tank {id} minimum level"),
                    tank.min_level * units.length,
                    number(&expected["min_level"]),
                );
                check.close(
                    || format!("tank {id} maximum level"),
                    tank.max_level * units.length,
                    number(&expected["max_level"]),
                );
                check.same(
                    || format!("tank {id} volume curve"),
                    curve_id(tank.volume_curve),
                    text(&expected["volume_curve"]),
                );
                if tank.volume_curve.is_none() {
                    check.close(
                        || format!("tank {id} diameter"),
                        tank.diameter * units.length,
                        number(&expected["diameter"]),
                    );
                    if tank.min_volume > 0.0 {
                        check.close(
                            || format!("tank {id} minimum volume"),
                            tank.min_volume * units.volume,
                            number(&expected["min_volume"]),
                        );
                    }
                }
                check.close(
                    || format!("tank {id} mixing fraction"),
                    tank.mixing_fraction,
                    number(&expected["mix_fraction"]),
                );
                check.same(
                    || format!("tank {id} overflow"),
                    tank.can_overflow,
                    expected["can_overflow"].as_bool().unwrap_or(false),
                );
            }
        }
    }

    let links = reference["links"].as_array().cloned().unwrap_or_default();
    check.same(|| "link count".into(), network.links.len(), links.len());
    let wall_factor = if network.reactions.wall_order == 0.0 {
        1.0 / (units.length * units.length)
    } else {
        units.length
    };
    for (link, expected) in network.links.iter().zip(&links) {
        let id = link.id.clone();
        check.same(|| "link id".into(), Some(id.clone()), text(&expected["id"]));
        check.same(
            || format!("link {id} start"),
            Some(network.nodes[link.from.index()].id.clone()),
            text(&expected["from"]),
        );
        check.same(
            || format!("link {id} end"),
            Some(network.nodes[link.to.index()].id.clone()),
            text(&expected["to"]),
        );
        let closed = link.initial_status == InitialStatus::Closed;
        check.same(
            || format!("link {id} closed"),
            closed,
            number(&expected["initial_status"]) == 0.0,
        );
        let kind = expected["type"].as_str().unwrap_or("");
        match &link.kind {
            LinkKind::Pipe(pipe) => {
                check.same(
                    || format!("link {id} type"),
                    if pipe.check_valve { "cvpipe" } else { "pipe" },
                    kind,
                );
                check.close(
                    || format!("pipe {id} length"),
                    pipe.length * units.length,
                    number(&expected["length"]),
                );
                check.close(
                    || format!("pipe {id} diameter"),
                    pipe.diameter * units.diameter,
                    number(&expected["diameter"]),
                );
                let roughness = match network.options.headloss {
                    HeadlossFormula::DarcyWeisbach => pipe.roughness * 1000.0 * units.length,
                    _ => pipe.roughness,
                };
                check.close(
                    || format!("pipe {id} roughness"),
                    roughness,
                    number(&expected["roughness"]),
                );
                check.close(
                    || format!("pipe {id} minor loss"),
                    pipe.minor_loss,
                    number(&expected["minor_loss"]),
                );
                if let Some(bulk) = pipe.bulk_coefficient {
                    check.close(
                        || format!("pipe {id} bulk coefficient"),
                        bulk,
                        number(&expected["bulk"]),
                    );
                }
                if let Some(wall) = pipe.wall_coefficient {
                    check.close(
                        || format!("pipe {id} wall coefficient"),
                        wall * wall_factor,
                        number(&expected["wall"]),
                    );
                }
            }
            LinkKind::Pump(pump) => {
                check.same(|| format!("link {id} type"), "pump", kind);
                if !closed {
                    check.close(
                        || format!("pump {id} speed"),
                        pump.speed,
                        number(&expected["initial_setting"]),
                    );
                }
                check.close(
                    || format!("pump {id} power"),
                    pump.power.unwrap_or(0.0) * units.power,
                    number(&expected["power"]),
                );
                check.same(
                    || format!("pump {id} head curve"),
                    curve_id(pump.head_curve),
                    text(&expected["head_curve"]),
                );
                check.same(
                    || format!("pump {id} efficiency curve"),
                    curve_id(pump.efficiency_curve),
                    text(&expected["efficiency_curve"]),
                );
                check.same(
                    || format!("pump {id} speed pattern"),
                    pattern_id(pump.speed_pattern),
                    text(&expected["speed_pattern"]),
                );
            }
            LinkKind::Valve(valve) => {
                check.same(
                    || format!("link {id} type"),
                    valve.valve_type.keyword().to_ascii_lowercase(),
                    kind.to_string(),
                );
                check.close(
                    || format!("valve {id} diameter"),
                    valve.diameter * units.diameter,
                    number(&expected["diameter"]),
                );
                check.close(
                    || format!("valve {id} minor loss"),
                    valve.minor_loss,
                    number(&expected["minor_loss"]),
                );
                let setting = match valve.valve_type {
                    ValveType::Prv | ValveType::Psv | ValveType::Pbv => {
                        Some(valve.setting * units.pressure)
                    }
                    ValveType::Fcv => Some(valve.setting * units.flow),
                    ValveType::Gpv => None,
                    _ => Some(valve.setting),
                };
                if let Some(setting) = setting {
                    check.close(
                        || format!("valve {id} setting"),
                        setting,
                        number(&expected["initial_setting"]),
                    );
                }
            }
        }
    }

    let patterns = reference["patterns"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    check.same(
        || "pattern count".into(),
        network.patterns.len(),
        patterns.len(),
    );
    for pattern in &network.patterns {
        let expected = patterns
            .get(&pattern.id)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        check.same(
            || format!("pattern {} length", pattern.id),
            pattern.multipliers.len(),
            expected.len(),
        );
        for (k, (ours, theirs)) in pattern.multipliers.iter().zip(&expected).enumerate() {
            check.close(
                || format!("pattern {} multiplier {k}", pattern.id),
                *ours,
                number(theirs),
            );
        }
    }

    let curves = reference["curves"].as_object().cloned().unwrap_or_default();
    check.same(|| "curve count".into(), network.curves.len(), curves.len());
    for curve in &network.curves {
        let expected = &curves.get(&curve.id).cloned().unwrap_or(Value::Null);
        let kind = match curve.kind {
            CurveKind::Volume => 0,
            CurveKind::Pump => 1,
            CurveKind::Efficiency => 2,
            CurveKind::Headloss => 3,
            CurveKind::Generic => 4,
            CurveKind::Valve => 5,
        };
        let epanet_kind = expected["type"].as_u64().unwrap_or(99);
        // EPANET marks a pump's head curve as such only when its hydraulics open; after
        // reading it is still generic.
        if !(curve.kind == CurveKind::Pump && epanet_kind == 4) {
            check.same(|| format!("curve {} kind", curve.id), kind, epanet_kind);
        }
        let (x_factor, y_factor) = match curve.kind {
            CurveKind::Pump | CurveKind::Headloss => (units.flow, units.length),
            CurveKind::Efficiency => (units.flow, 1.0),
            CurveKind::Volume => (units.length, units.volume),
            CurveKind::Valve | CurveKind::Generic => (1.0, 1.0),
        };
        let points = expected["points"].as_array().cloned().unwrap_or_default();
        check.same(
            || format!("curve {} points", curve.id),
            curve.points.len(),
            points.len(),
        );
        for (k, ((x, y), point)) in curve.points.iter().zip(&points).enumerate() {
            check.close(
                || format!("curve {} x {k}", curve.id),
                x * x_factor,
                number(&point[0]),
            );
            check.close(
                || format!("curve {} y {k}", curve.id),
                y * y_factor,
                number(&point[1]),
            );
        }
    }
    check.same(
        || "controls".into(),
        network.controls.len() as u64,
        reference["controls"].as_u64().unwrap_or(0),
    );
    check.same(
        || "rules".into(),
        network.rules.len() as u64,
        reference["rules"].as_u64().unwrap_or(0),
    );
    check.mismatches
}

#[test]
fn networks_read_as_epanet_reads_them() {
    let root = workspace_root();
    let references = std::env::var_os("READER_REFERENCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("tests/networks/reference/reader"));
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&references)
        .expect("the reader references exist (scripts/reader-reference.py)") // ok: test data
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    entries.sort();
    assert!(
        !entries.is_empty(),
        "no references in {}",
        references.display()
    );
    let mut mismatches = Vec::new();
    for path in &entries {
        let name = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let inp_path = root
            .join("tests/networks/public")
            .join(format!("{name}.inp"));
        let reference: Value = serde_json::from_str(
            &std::fs::read_to_string(path).expect("reference readable"), // ok: test data
        )
        .expect("reference is JSON"); // ok: test data
        match inp::read_file(&inp_path) {
            Ok(outcome) => mismatches.extend(compare(&name, &outcome.network, &reference)),
            Err(error) => mismatches.push(format!("{name}: not read: {error}")),
        }
    }
    let shown: Vec<_> = mismatches.iter().take(60).cloned().collect();
    assert!(
        mismatches.is_empty(),
        "{} mismatches in {} networks:\n{}",
        mismatches.len(),
        entries.len(),
        shown.join("\n")
    );
    eprintln!("{} networks equal EPANET's reading", entries.len());
}
