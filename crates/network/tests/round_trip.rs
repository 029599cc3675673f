//! Writing a network and reading it back gives the same model: over generated networks
//! (every element kind, option, control, rule, curve and pattern), over every public network
//! in tests/networks/public/, and through the JSON form.
//!
//! Equality is exact (`==` on the whole model) for networks that were read from a file:
//! their values are file values converted to SI, and the writer prints for each the shortest
//! decimal that converts back to the very same double. Generated networks hold arbitrary SI
//! doubles, some of which no file value converts to exactly; for them every number must come
//! back within a relative 1e-12 (in practice within an ulp or two), everything else exactly.

use danjiang_network::inp::{self, writer};
use danjiang_network::units::PressureUnits;
use danjiang_network::*;
use proptest::prelude::*;
use std::path::{Path, PathBuf};

/// Relative tolerance for numbers of generated networks (see the file comment).
const RELATIVE_TOLERANCE: f64 = 1e-12;

// ---- a small deterministic generator driven by proptest's seed --------------------------

struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        // xorshift64*: plenty for test data.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    /// A number in [low, high) with a random number of significant digits, the way file
    /// values look, or (one time in four) an arbitrary double in the range.
    fn number(&mut self, low: f64, high: f64) -> f64 {
        let unit = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        let value = low + (high - low) * unit;
        if self.chance(25) {
            return value;
        }
        let digits = 1 + self.below(6) as i32;
        let scale = 10f64.powi(digits - 1 - value.abs().max(1e-300).log10().floor() as i32);
        let rounded = (value * scale).round() / scale;
        if rounded >= low && rounded < high {
            rounded
        } else {
            value
        }
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
    fn maybe<T>(&mut self, percent: u64, make: impl FnOnce(&mut Draw) -> T) -> Option<T> {
        if self.chance(percent) {
            Some(make(self))
        } else {
            None
        }
    }
    fn word(&mut self, prefix: &str) -> String {
        format!("{prefix}{}", self.below(1000))
    }
}

/// One of the items, picked after all of them are evaluated (they may draw numbers too).
macro_rules! choose {
    ($draw:expr, [$($item:expr),* $(,)?]) => {{
        let items = [$($item),*];
        $draw.pick(&items)
    }};
}

fn pattern_ref(draw: &mut Draw, count: usize) -> Option<PatternIdx> {
    if count == 0 {
        return None;
    }
    draw.maybe(50, |d| PatternIdx::from_index(d.below(count)))
}

/// A network as the reader makes them: junctions first, IDs unique, curves of one use each,
/// values within what EPANET accepts on the line that holds them.
fn generate(seed: u64) -> Network {
    let d = &mut Draw(seed | 1);
    let mut network = Network::new();

    network.title = (0..d.below(4))
        .map(|i| format!("Generated network {seed} line {i}"))
        .collect();

    // Patterns.
    for i in 0..d.below(5) {
        let multipliers = (0..1 + d.below(30)).map(|_| d.number(0.0, 3.0)).collect();
        network.add_pattern(Pattern {
            id: format!("Pat{i}"),
            multipliers,
        });
    }
    let patterns = network.patterns.len();

    // Options.
    let options = &mut network.options;
    options.flow_units = d.pick(&FlowUnits::ALL);
    options.pressure_units = choose!(
        d,
        [
            PressureUnits::Psi,
            PressureUnits::Kpa,
            PressureUnits::Meters,
            PressureUnits::Bar,
            PressureUnits::Feet,
        ]
    );
    options.headloss = choose!(
        d,
        [
            HeadlossFormula::HazenWilliams,
            HeadlossFormula::DarcyWeisbach,
            HeadlossFormula::ChezyManning,
        ]
    );
    options.specific_gravity = d.number(0.5, 2.0);
    options.viscosity = d.number(0.5, 2.0);
    options.trials = 1 + d.below(500) as u32;
    options.accuracy = d.number(1e-5, 0.1);
    options.head_error = choose!(d, [0.0, d.number(0.0, 1.0)]);
    options.flow_change = choose!(d, [0.0, d.number(0.0, 1.0)]);
    options.check_frequency = 1 + d.below(10) as u32;
    options.max_check = 1 + d.below(20) as u32;
    options.damp_limit = choose!(d, [0.0, d.number(0.0, 0.1)]);
    options.unbalanced = choose!(
        d,
        [Unbalanced::Stop, Unbalanced::Continue(d.below(50) as u32)]
    );
    if patterns > 0 && d.chance(50) {
        options.default_pattern = Some(format!("Pat{}", d.below(patterns)));
    }
    options.demand_multiplier = d.number(0.1, 3.0);
    options.emitter_exponent = d.number(0.3, 1.5);
    options.emitter_backflow = d.chance(50);
    options.demand_model = choose!(d, [DemandModel::DemandDriven, DemandModel::PressureDriven]);
    // EPANET wants the required pressure 0.1 file units above the minimum; 5 m is more than
    // that in every pressure unit.
    options.minimum_pressure = d.number(0.0, 20.0);
    options.required_pressure = options.minimum_pressure + 5.0 + d.number(0.0, 30.0);
    options.pressure_exponent = d.number(0.1, 2.0);
    options.diffusivity = d.number(0.5, 2.0);
    options.quality_tolerance = d.number(0.0, 0.1);
    if d.chance(20) {
        options.hydraulics_file = Some((
            choose!(d, [HydraulicsFileMode::Use, HydraulicsFileMode::Save]),
            "hydraulics.bin".to_string(),
        ));
    }
    if d.chance(20) {
        options.map_file = Some("network.map".to_string());
    }

    // Times.
    let times = &mut network.times;
    times.duration = choose!(d, [0, 3600 * d.below(200) as u64, d.next() % 1_000_000]);
    times.hydraulic_step = 1 + d.next() % 7200;
    times.quality_step = d.maybe(50, |d| 1 + d.next() % 600);
    times.pattern_step = 1 + d.next() % 7200;
    times.pattern_start = d.next() % 86_400;
    times.report_step = 1 + d.next() % 7200;
    times.report_start = d.next() % 86_400;
    times.rule_step = d.maybe(50, |d| 1 + d.next() % 600);
    times.start_clocktime = d.next() % 86_400;
    times.statistic = choose!(
        d,
        [
            Statistic::None,
            Statistic::Average,
            Statistic::Minimum,
            Statistic::Maximum,
            Statistic::Range,
        ]
    );

    // Energy and reactions.
    network.energy = EnergyOptions {
        global_efficiency: d.number(1.0, 100.0),
        global_price: d.number(0.0, 1.0),
        global_pattern: (patterns > 0 && d.chance(50)).then(|| format!("Pat{}", d.below(patterns))),
        demand_charge: d.number(0.0, 10.0),
    };
    network.reactions = ReactionOptions {
        bulk_order: choose!(d, [1.0, 0.0, 2.0, d.number(0.0, 3.0)]),
        wall_order: choose!(d, [0.0, 1.0]),
        tank_order: choose!(d, [1.0, 0.0, 2.0]),
        global_bulk: d.number(-2.0, 2.0),
        global_wall: d.number(-2.0, 2.0),
        limiting_potential: d.number(0.0, 5.0),
        roughness_correlation: d.number(-2.0, 2.0),
    };

    // Curves: one use each, decided now; points with x increasing.
    let kinds = [
        CurveKind::Pump,
        CurveKind::Efficiency,
        CurveKind::Volume,
        CurveKind::Headloss,
        CurveKind::Valve,
        CurveKind::Generic,
    ];
    for i in 0..d.below(8) {
        let kind = d.pick(&kinds);
        let count = match kind {
            CurveKind::Pump => choose!(d, [1, 3, 4]),
            _ => 2 + d.below(5),
        };
        let mut x = d.number(0.0, 1.0);
        let mut points = Vec::new();
        for _ in 0..count {
            points.push((x, d.number(0.0, 100.0)));
            x += d.number(0.01, 10.0);
        }
        network.add_curve(Curve {
            id: format!("Curve{i}"),
            kind,
            points,
        });
    }
    let curves_of = |network: &Network, kind: CurveKind| -> Vec<CurveIdx> {
        network
            .curves
            .iter()
            .enumerate()
            .filter(|(_, c)| c.kind == kind)
            .map(|(i, _)| CurveIdx::from_index(i))
            .collect()
    };
    let pump_curves = curves_of(&network, CurveKind::Pump);
    let efficiency_curves = curves_of(&network, CurveKind::Efficiency);
    let volume_curves = curves_of(&network, CurveKind::Volume);
    let headloss_curves = curves_of(&network, CurveKind::Headloss);
    let valve_curves = curves_of(&network, CurveKind::Valve);

    // Nodes: junctions, then reservoirs and tanks in any order.
    let junctions = 2 + d.below(8);
    for i in 0..junctions {
        let demands = (0..1 + d.below(3))
            .map(|_| Demand {
                base: d.number(-1.0, 1.0),
                pattern: pattern_ref(d, patterns),
                category: d.maybe(30, |d| d.word("category ")),
            })
            .collect();
        let junction = Junction {
            demands,
            emitter_coefficient: choose!(d, [0.0, d.number(0.0, 1.0)]),
        };
        let mut node = Node::new(
            format!("J{i}"),
            d.number(-10.0, 500.0),
            NodeKind::Junction(junction),
        );
        decorate_node(d, &mut node, patterns);
        network.add_node(node);
    }
    for i in 0..1 + d.below(4) {
        let kind = if d.chance(50) {
            NodeKind::Reservoir(Reservoir {
                head_pattern: pattern_ref(d, patterns),
                ..Reservoir::default()
            })
        } else {
            let min_level = d.number(0.0, 5.0);
            let max_level = min_level + d.number(0.1, 20.0);
            let mixing_model = choose!(
                d,
                [
                    MixingModel::Mixed,
                    MixingModel::TwoCompartment,
                    MixingModel::Fifo,
                    MixingModel::Lifo,
                ]
            );
            NodeKind::Tank(Tank {
                initial_level: min_level + (max_level - min_level) * d.number(0.0, 1.0),
                min_level,
                max_level,
                diameter: d.number(0.5, 50.0),
                min_volume: choose!(d, [0.0, d.number(0.0, 100.0)]),
                volume_curve: (!volume_curves.is_empty() && d.chance(40))
                    .then(|| d.pick(&volume_curves)),
                can_overflow: d.chance(30),
                mixing_model,
                mixing_fraction: if mixing_model == MixingModel::TwoCompartment {
                    d.number(0.01, 1.0)
                } else {
                    1.0
                },
                bulk_coefficient: d.maybe(30, |d| d.number(-2.0, 0.0)),
            })
        };
        let mut node = Node::new(format!("S{i}"), d.number(0.0, 500.0), kind);
        decorate_node(d, &mut node, patterns);
        network.add_node(node);
    }
    let nodes = network.nodes.len();

    // Links in any order; valves between junctions no other valve touches.
    let mut valve_free: Vec<usize> = (0..junctions).collect();
    for i in 0..1 + d.below(12) {
        let from = d.below(nodes);
        let to = (from + 1 + d.below(nodes - 1)) % nodes;
        let choice = d.below(10);
        let (kind, status) = if choice < 2 && valve_free.len() >= 2 {
            let a = valve_free.remove(d.below(valve_free.len()));
            let b = valve_free.remove(d.below(valve_free.len()));
            let valve_type = d.pick(&ValveType::ALL);
            let curve = match valve_type {
                ValveType::Gpv if headloss_curves.is_empty() => None,
                ValveType::Gpv => Some(d.pick(&headloss_curves)),
                ValveType::Pcv if !valve_curves.is_empty() && d.chance(60) => {
                    Some(d.pick(&valve_curves))
                }
                _ => None,
            };
            if valve_type == ValveType::Gpv && curve.is_none() {
                continue;
            }
            let setting = match valve_type {
                ValveType::Gpv => 0.0,
                ValveType::Pcv => d.number(0.0, 100.0),
                ValveType::Fcv => d.number(0.0, 0.5),
                _ => d.number(0.0, 60.0),
            };
            let statuses: &[InitialStatus] = if valve_type == ValveType::Gpv {
                &[
                    InitialStatus::Default,
                    InitialStatus::Open,
                    InitialStatus::Closed,
                ]
            } else {
                &[
                    InitialStatus::Default,
                    InitialStatus::Open,
                    InitialStatus::Closed,
                    InitialStatus::Active,
                ]
            };
            let status = d.pick(statuses);
            let kind = LinkKind::Valve(Valve {
                valve_type,
                diameter: d.number(0.05, 2.0),
                setting,
                minor_loss: choose!(d, [0.0, d.number(0.0, 10.0)]),
                curve,
            });
            network.add_link(Link::new(
                format!("V{i}"),
                NodeIdx::from_index(a),
                NodeIdx::from_index(b),
                kind,
            ));
            let last = network.links.len() - 1;
            network.links[last].initial_status = status;
            decorate_link(d, &mut network.links[last]);
            continue;
        } else if choice < 4 {
            let power = pump_curves.is_empty() || d.chance(30);
            let status = choose!(
                d,
                [
                    InitialStatus::Default,
                    InitialStatus::Open,
                    InitialStatus::Closed,
                ]
            );
            let speed = match status {
                InitialStatus::Open => choose!(d, [1.0, d.number(0.1, 2.0)]),
                _ => choose!(d, [1.0, 0.0, d.number(0.0, 2.0)]),
            };
            let pump = Pump {
                head_curve: (!power).then(|| d.pick(&pump_curves)),
                power: power.then(|| d.number(0.1, 500.0)),
                speed,
                speed_pattern: pattern_ref(d, patterns),
                efficiency_curve: (!efficiency_curves.is_empty() && d.chance(50))
                    .then(|| d.pick(&efficiency_curves)),
                energy_price: d.maybe(40, |d| d.number(0.0, 1.0)),
                price_pattern: pattern_ref(d, patterns),
            };
            (LinkKind::Pump(pump), status)
        } else {
            let check_valve = d.chance(15);
            let status = if check_valve {
                InitialStatus::Default
            } else {
                choose!(
                    d,
                    [
                        InitialStatus::Default,
                        InitialStatus::Open,
                        InitialStatus::Closed,
                    ]
                )
            };
            let roughness = match network.options.headloss {
                HeadlossFormula::HazenWilliams => d.number(50.0, 150.0),
                HeadlossFormula::DarcyWeisbach => d.number(1e-6, 1e-2),
                HeadlossFormula::ChezyManning => d.number(0.005, 0.05),
            };
            let leaky = d.chance(20);
            let pipe = Pipe {
                length: d.number(1.0, 5000.0),
                diameter: d.number(0.05, 2.0),
                roughness,
                minor_loss: choose!(d, [0.0, d.number(0.0, 10.0)]),
                check_valve,
                bulk_coefficient: d.maybe(30, |d| d.number(-2.0, 0.0)),
                wall_coefficient: d.maybe(30, |d| d.number(-2.0, 0.0)),
                leak_area: if leaky { d.number(0.0, 10.0) } else { 0.0 },
                leak_expansion: if leaky { d.number(0.0, 1.0) } else { 0.0 },
            };
            (LinkKind::Pipe(pipe), status)
        };
        let prefix = if matches!(kind, LinkKind::Pump(_)) {
            "Pump"
        } else {
            "P"
        };
        let mut link = Link::new(
            format!("{prefix}{i}"),
            NodeIdx::from_index(from),
            NodeIdx::from_index(to),
            kind,
        );
        link.initial_status = status;
        decorate_link(d, &mut link);
        network.add_link(link);
    }

    // Quality analysis (the trace node needs the nodes).
    network.options.quality = match d.below(4) {
        0 => QualityAnalysis::None,
        1 => QualityAnalysis::Age,
        // A chemical named "Chemical" is EPANET's CHEMICAL keyword, always in mg/L.
        2 => match choose!(d, ["Chlorine", "Fluoride", "Chemical"]) {
            "Chemical" => QualityAnalysis::Chemical {
                name: "Chemical".to_string(),
                units: "mg/L".to_string(),
            },
            name => QualityAnalysis::Chemical {
                name: name.to_string(),
                units: choose!(d, ["mg/L", "ug/L"]).to_string(),
            },
        },
        _ => QualityAnalysis::Trace {
            node: NodeIdx::from_index(d.below(nodes)),
        },
    };

    add_controls_and_rules(d, &mut network);

    // Report.
    let report = &mut network.report;
    report.page_size = d.below(100) as u32;
    report.file = d.maybe(20, |_| "second.rpt".to_string());
    report.status = choose!(d, [StatusReport::No, StatusReport::Yes, StatusReport::Full]);
    report.summary = d.maybe(50, |d| d.chance(50));
    report.energy = d.maybe(50, |d| d.chance(50));
    report.messages = d.maybe(50, |d| d.chance(50));
    report.nodes = match d.below(3) {
        0 => ReportSelection::None,
        1 => ReportSelection::All,
        _ => ReportSelection::Some(vec!["J0".to_string(), "J1".to_string()]),
    };
    report.links = if d.chance(50) {
        ReportSelection::All
    } else {
        ReportSelection::None
    };
    for name in ["ELEVATION", "PRESSURE", "FLOW", "F-FACTOR"] {
        if d.chance(50) {
            let precision = d.maybe(50, |d| d.below(6) as u32);
            let mut field = ReportField {
                name: name.to_string(),
                // PRECISION turns a field on, as in EPANET: a field with a precision says
                // whether it is on.
                enabled: if precision.is_some() {
                    Some(d.chance(70))
                } else {
                    d.maybe(60, |d| d.chance(50))
                },
                precision,
                below: d.maybe(30, |d| d.number(-10.0, 10.0)),
                above: d.maybe(30, |d| d.number(-10.0, 10.0)),
            };
            // A field the file names says something about it.
            if field.enabled.is_none() && field.below.is_none() && field.above.is_none() {
                field.enabled = Some(true);
            }
            report.fields.push(field);
        }
    }

    // Map.
    for i in 0..d.below(3) {
        network.labels.push(Label {
            x: d.number(-1e4, 1e4),
            y: d.number(-1e4, 1e4),
            text: format!("Label {i}"),
            anchor_node: d.maybe(50, |d| format!("J{}", d.below(junctions))),
        });
    }
    if d.chance(50) {
        network.backdrop = Backdrop {
            dimensions: Some([0.0, 0.0, d.number(1.0, 1e4), d.number(1.0, 1e4)]),
            units: d.maybe(50, |d| {
                choose!(d, ["METERS", "FEET", "DEGREES", "NONE"]).to_string()
            }),
            file: d.maybe(50, |_| "backdrop.png".to_string()),
            offset: d.maybe(50, |d| [d.number(-10.0, 10.0), d.number(-10.0, 10.0)]),
        };
    }
    network
}

fn decorate_node(d: &mut Draw, node: &mut Node, patterns: usize) {
    node.initial_quality = choose!(d, [0.0, d.number(0.0, 5.0)]);
    node.source = d.maybe(20, |d| QualitySource {
        kind: choose!(
            d,
            [
                SourceKind::Concen,
                SourceKind::Mass,
                SourceKind::Setpoint,
                SourceKind::Flowpaced,
            ]
        ),
        strength: d.number(0.0, 10.0),
        pattern: pattern_ref(d, patterns),
    });
    node.coordinates = d.maybe(80, |d| (d.number(-1e5, 1e5), d.number(-1e5, 1e5)));
    node.tag = d.maybe(20, |d| d.word("Zone"));
    node.comment = d.maybe(20, |d| d.word("note "));
}

fn decorate_link(d: &mut Draw, link: &mut Link) {
    link.vertices = (0..choose!(d, [0, 0, 1, 3]))
        .map(|_| (d.number(-1e5, 1e5), d.number(-1e5, 1e5)))
        .collect();
    link.tag = d.maybe(20, |d| d.word("Main"));
    link.comment = d.maybe(20, |d| d.word("note "));
}

/// Controls and rules on links that may be controlled (not check valves; GPVs only opened
/// or closed; pipes only by status, as EPANET turns a pipe setting into a status).
fn add_controls_and_rules(d: &mut Draw, network: &mut Network) {
    let controllable: Vec<usize> = network
        .links
        .iter()
        .enumerate()
        .filter(|(_, l)| !matches!(&l.kind, LinkKind::Pipe(p) if p.check_valve))
        .map(|(i, _)| i)
        .collect();
    if controllable.is_empty() {
        return;
    }
    let nodes = network.nodes.len();
    let setting_for = |d: &mut Draw, link: &Link| -> LinkAction {
        match &link.kind {
            LinkKind::Pipe(_) => choose!(d, [LinkAction::Open, LinkAction::Closed]),
            LinkKind::Valve(v) if v.valve_type == ValveType::Gpv => {
                choose!(d, [LinkAction::Open, LinkAction::Closed])
            }
            LinkKind::Pump(_) => {
                choose!(
                    d,
                    [
                        LinkAction::Open,
                        LinkAction::Closed,
                        LinkAction::Setting(d.number(0.1, 2.0))
                    ]
                )
            }
            LinkKind::Valve(_) => {
                choose!(
                    d,
                    [
                        LinkAction::Open,
                        LinkAction::Closed,
                        LinkAction::Setting(d.number(0.0, 50.0))
                    ]
                )
            }
        }
    };
    for _ in 0..d.below(6) {
        let link = d.pick(&controllable);
        let action = setting_for(d, &network.links[link]);
        let node = NodeIdx::from_index(d.below(nodes));
        let condition = match d.below(4) {
            0 => ControlCondition::NodeAbove {
                node,
                value: d.number(0.0, 50.0),
            },
            1 => ControlCondition::NodeBelow {
                node,
                value: d.number(0.0, 50.0),
            },
            2 => ControlCondition::AtTime {
                seconds: d.next() % 1_000_000,
            },
            _ => ControlCondition::AtClockTime {
                seconds: d.next() % 86_400,
            },
        };
        network.controls.push(Control {
            link: LinkIdx::from_index(link),
            action,
            condition,
            enabled: d.chance(80),
        });
    }
    for r in 0..d.below(4) {
        let mut premises = Vec::new();
        for p in 0..1 + d.below(3) {
            let logic = if p == 0 {
                PremiseLogic::If
            } else {
                choose!(d, [PremiseLogic::And, PremiseLogic::Or])
            };
            let relation = choose!(
                d,
                [
                    Relation::Equal,
                    Relation::NotEqual,
                    Relation::Below,
                    Relation::Above,
                    Relation::BelowOrEqual,
                    Relation::AboveOrEqual,
                ]
            );
            let premise = match d.below(3) {
                0 => {
                    let node = NodeIdx::from_index(d.below(nodes));
                    let is_junction =
                        matches!(network.nodes[node.index()].kind, NodeKind::Junction(_));
                    let mut attributes = vec![
                        RuleAttribute::Demand,
                        RuleAttribute::Head,
                        RuleAttribute::Grade,
                        RuleAttribute::Level,
                        RuleAttribute::Pressure,
                    ];
                    if !is_junction {
                        attributes.extend([RuleAttribute::FillTime, RuleAttribute::DrainTime]);
                    }
                    Premise {
                        logic,
                        object: RuleObject::Node(node),
                        attribute: d.pick(&attributes),
                        relation,
                        value: PremiseValue::Number(d.number(0.0, 100.0)),
                    }
                }
                1 => {
                    let link = LinkIdx::from_index(d.below(network.links.len()));
                    let attribute = choose!(
                        d,
                        [
                            RuleAttribute::Flow,
                            RuleAttribute::Status,
                            RuleAttribute::Setting
                        ]
                    );
                    let (relation, value) = if attribute == RuleAttribute::Status {
                        (
                            choose!(d, [Relation::Equal, Relation::NotEqual]),
                            PremiseValue::Status(choose!(
                                d,
                                [LinkAction::Open, LinkAction::Closed, LinkAction::Active,]
                            )),
                        )
                    } else {
                        (relation, PremiseValue::Number(d.number(0.0, 100.0)))
                    };
                    Premise {
                        logic,
                        object: RuleObject::Link(link),
                        attribute,
                        relation,
                        value,
                    }
                }
                _ => {
                    let attribute = choose!(
                        d,
                        [
                            RuleAttribute::Demand,
                            RuleAttribute::Time,
                            RuleAttribute::ClockTime
                        ]
                    );
                    let value = match attribute {
                        RuleAttribute::Demand => d.number(0.0, 10.0),
                        RuleAttribute::Time => choose!(
                            d,
                            [
                                3600.0 * d.below(100) as f64,
                                (d.next() % 1_000_000) as f64,
                                d.number(0.0, 1e6),
                            ]
                        ),
                        _ => choose!(d, [(d.next() % 86_400) as f64, d.number(0.0, 86_400.0)]),
                    };
                    Premise {
                        logic,
                        object: RuleObject::System,
                        attribute,
                        relation,
                        value: PremiseValue::Number(value),
                    }
                }
            };
            premises.push(premise);
        }
        let actions = |d: &mut Draw, count: usize| -> Vec<RuleAction> {
            (0..count)
                .map(|_| {
                    let link = d.pick(&controllable);
                    let action = match setting_for(d, &network.links[link]) {
                        LinkAction::Open if d.chance(20) => LinkAction::Active,
                        other => other,
                    };
                    RuleAction {
                        link: LinkIdx::from_index(link),
                        action,
                    }
                })
                .collect()
        };
        let then_count = 1 + d.below(3);
        let then_actions = actions(d, then_count);
        let else_count = d.below(3);
        let else_actions = actions(d, else_count);
        let priority = d.maybe(50, |d| choose!(d, [1.0, 5.0, d.number(0.0, 10.0)]));
        network.rules.push(Rule {
            id: format!("Rule{r}"),
            premises,
            then_actions,
            else_actions,
            priority,
            enabled: d.chance(80),
        });
    }
}

// ---- comparison ---------------------------------------------------------------------------

/// Compares two networks through their JSON values: numbers within a relative tolerance,
/// everything else exactly. Returns the path of the first difference.
fn first_difference(a: &Network, b: &Network, tolerance: f64) -> Option<String> {
    let a = serde_json::to_value(a).expect("a network serialises");
    let b = serde_json::to_value(b).expect("a network serialises");
    compare_values(&a, &b, tolerance, "network")
}

fn compare_values(
    a: &serde_json::Value,
    b: &serde_json::Value,
    tolerance: f64,
    path: &str,
) -> Option<String> {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64()?, y.as_f64()?);
            let scale = x.abs().max(y.abs());
            if x == y || (x - y).abs() <= tolerance * scale {
                None
            } else {
                Some(format!("{path}: {x:?} against {y:?}"))
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return Some(format!("{path}: {} items against {}", x.len(), y.len()));
            }
            x.iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (x, y))| compare_values(x, y, tolerance, &format!("{path}[{i}]")))
        }
        (Value::Object(x), Value::Object(y)) => {
            for (key, value) in x {
                let Some(other) = y.get(key) else {
                    return Some(format!("{path}.{key}: missing"));
                };
                if let Some(found) =
                    compare_values(value, other, tolerance, &format!("{path}.{key}"))
                {
                    return Some(found);
                }
            }
            None
        }
        _ if a == b => None,
        _ => Some(format!("{path}: {a} against {b}")),
    }
}

/// Reads text written by the writer, failing with every diagnostic.
fn read_back(text: &str, name: &str) -> Network {
    match inp::parse_str(text, name) {
        Ok(outcome) => outcome.network,
        Err(error) => panic!("{name}: the written file does not read back: {error}\n{text}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// read(write(n)) == n for generated networks, numbers within a relative 1e-12.
    #[test]
    fn generated_networks_survive_writing(seed in any::<u64>()) {
        let network = generate(seed);
        let text = writer::write(&network).expect("a generated network can be written");
        let back = read_back(&text, &format!("generated-{seed}.inp"));
        if let Some(difference) = first_difference(&network, &back, RELATIVE_TOLERANCE) {
            panic!("seed {seed}: {difference}\n{text}");
        }
        // What was read holds file values only, and those come back exactly.
        let again = writer::write(&back).expect("a read network can be written");
        let back_again = read_back(&again, &format!("generated-{seed}-again.inp"));
        if let Some(difference) = first_difference(&back, &back_again, 0.0) {
            panic!("seed {seed}, second round: {difference}\n{again}");
        }
        prop_assert!(back_again == back);
    }

    /// The JSON form gives back exactly the same model.
    #[test]
    fn generated_networks_survive_json(seed in any::<u64>()) {
        let network = generate(seed);
        let text = json::to_string(&network).expect("finite numbers");
        let back = json::from_str(&text, "generated.json").expect("valid JSON of a network");
        prop_assert_eq!(back, network);
    }
}

fn public_networks() -> Vec<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/networks/public");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&folder)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|path| {
                    path.extension()
                        .is_some_and(|e| e.eq_ignore_ascii_case("inp"))
                })
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths
}

/// Read, write, read again: the second reading equals the first exactly, for every public
/// network the reader accepts.
#[test]
fn public_networks_survive_writing() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for path in public_networks() {
        let name = path.display().to_string();
        let Ok(first) = inp::read_file(&path) else {
            // Networks the reader refuses are the reader's tests' business.
            continue;
        };
        let first = first.network;
        let text = match writer::write(&first) {
            Ok(text) => text,
            Err(error) => {
                failures.push(format!("{name}: cannot be written: {error}"));
                continue;
            }
        };
        let second = match inp::parse_str(&text, &name) {
            Ok(outcome) => outcome.network,
            Err(error) => {
                failures.push(format!("{name}: written file does not read back: {error}"));
                continue;
            }
        };
        if first != second {
            let difference = first_difference(&first, &second, 0.0)
                .unwrap_or_else(|| "differs outside the JSON form".to_string());
            failures.push(format!("{name}: {difference}"));
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("{checked} public networks read, written and read back identically");
}

/// Every public network through JSON and back, exactly.
#[test]
fn public_networks_survive_json() {
    for path in public_networks() {
        let Ok(outcome) = inp::read_file(&path) else {
            continue;
        };
        let network = outcome.network;
        let text = json::to_string(&network).expect("finite numbers");
        let back = json::from_str(&text, "public.json").expect("valid JSON");
        assert!(
            back == network,
            "{}: JSON round trip differs",
            path.display()
        );
    }
}
