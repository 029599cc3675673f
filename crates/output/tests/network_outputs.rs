//! Sections built from a network against EPANET 2.3.5's own output for the same network:
//! the prolog, and the derived quantities of each period (velocity, unit head loss, friction
//! factor, pressure, closed-link zeros) computed from EPANET's heads and flows.

use danjiang_network::units::{CUBIC_METRES_PER_CUBIC_FOOT, METRES_PER_FOOT};
use danjiang_network::{LinkKind, Network, ValveType};
use danjiang_output::binary::{self, OutFile, Prolog};
use danjiang_output::period::{HydraulicSnapshot, PeriodBuilder};
use danjiang_output::units::ReportUnits;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// (network, EPANET's output) for every committed reference whose run succeeded.
fn reference_pairs() -> Vec<(String, Network, OutFile)> {
    let mut pairs = Vec::new();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    for name in ["net1", "net3"] {
        let out = if name == "net1" {
            "net1.out"
        } else {
            "net3.out.gz"
        };
        pairs.push((
            name.to_string(),
            read_network(&data.join(format!("{name}.inp"))),
            binary::read(data.join(out)).unwrap(),
        ));
    }
    let manifest = workspace().join("tests/networks/reference/MANIFEST.tsv");
    if let Ok(text) = std::fs::read_to_string(manifest) {
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let fields: Vec<&str> = line.split('\t').collect();
            if fields.len() < 6 || fields[3] != "0" || fields[5] != "committed" {
                continue;
            }
            let out = workspace().join(format!("tests/networks/reference/{}.out.gz", fields[0]));
            let Ok(outcome) = danjiang_network::inp::read_file(workspace().join(fields[1])) else {
                continue; // the reader's own tests cover files it refuses
            };
            pairs.push((
                fields[0].to_string(),
                outcome.network,
                binary::read(out).unwrap(),
            ));
        }
    }
    pairs
}

fn read_network(path: &Path) -> Network {
    danjiang_network::inp::read_file(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .network
}

/// Equal, or within one unit in the last place of single precision.
fn close(a: f32, b: f32) -> bool {
    a == b || (a.to_bits() as i64 - b.to_bits() as i64).abs() <= 1
}

fn assert_floats(name: &str, what: &str, ours: &[f32], theirs: &[f32], ids: &[String]) {
    assert_eq!(ours.len(), theirs.len(), "{name}: {what} count");
    for (k, (a, b)) in ours.iter().zip(theirs).enumerate() {
        assert!(
            close(*a, *b),
            "{name}: {what} of {}: ours {a}, EPANET {b}",
            ids[k]
        );
    }
}

#[test]
fn prologs_match_epanet() {
    let pairs = reference_pairs();
    assert!(pairs.len() >= 2);
    for (name, network, reference) in &pairs {
        let theirs = &reference.prolog;
        let ours = Prolog::for_network(network, &theirs.input_file);
        let counts = |p: &Prolog| {
            (
                p.node_count,
                p.tank_count,
                p.link_count,
                p.pump_count,
                p.valve_count,
            )
        };
        assert_eq!(counts(&ours), counts(theirs), "{name}: counts");
        let codes = |p: &Prolog| {
            (
                p.version,
                p.quality_code,
                p.trace_node,
                p.flow_units_code,
                p.pressure_units_code,
                p.statistic_code,
                p.report_start,
                p.report_step,
                p.duration,
            )
        };
        assert_eq!(codes(&ours), codes(theirs), "{name}: codes and times");
        // `QUALITY CHEMICAL TIME`: EPANET takes CHEMICAL as the keyword and ignores the
        // rest (name "Chemical", units "mg/L"); the .inp reader keeps TIME as the units.
        // Reported to the reader's owner; the prolog writes what the network holds.
        let reader_difference = name == "bwsn_network_1";
        if !reader_difference {
            assert_eq!(ours.quality_units, theirs.quality_units, "{name}");
            if ours.quality_code != 0 {
                assert_eq!(ours.chemical_name, theirs.chemical_name, "{name}");
            }
        }
        assert_eq!(ours.node_ids, theirs.node_ids, "{name}: node IDs");
        assert_eq!(ours.link_ids, theirs.link_ids, "{name}: link IDs");
        assert_eq!(ours.link_from, theirs.link_from, "{name}");
        assert_eq!(ours.link_to, theirs.link_to, "{name}");
        assert_eq!(ours.link_type, theirs.link_type, "{name}: link types");
        assert_eq!(ours.tank_node, theirs.tank_node, "{name}");
        let tank_ids: Vec<String> = ours
            .tank_node
            .iter()
            .map(|&n| ours.node_ids[n as usize - 1].clone())
            .collect();
        assert_floats(
            name,
            "tank area",
            &ours.tank_area,
            &theirs.tank_area,
            &tank_ids,
        );
        assert_floats(
            name,
            "elevation",
            &ours.node_elevation,
            &theirs.node_elevation,
            &ours.node_ids,
        );
        assert_floats(
            name,
            "length",
            &ours.link_length,
            &theirs.link_length,
            &ours.link_ids,
        );
        assert_floats(
            name,
            "diameter",
            &ours.link_diameter,
            &theirs.link_diameter,
            &ours.link_ids,
        );
    }
}

/// Feeds EPANET's own heads, demands, flows, statuses and settings through the period
/// builder and checks every quantity it derives against what EPANET wrote.
#[test]
#[allow(clippy::needless_range_loop)] // a dozen parallel arrays indexed by link and node
fn derived_quantities_match_epanet() {
    let mut checked = 0;
    for (name, network, reference) in reference_pairs() {
        let prolog = &reference.prolog;
        if prolog.statistic_code != 0 {
            continue; // statistic files hold no single solution to rebuild
        }
        let builder = PeriodBuilder::new(&network);
        let units = ReportUnits::of(&network);
        // SI networks lose a little in EPANET's metres; US ones are stored in its feet.
        let si = units.length != 1.0;
        for (p, period) in reference.periods.iter().enumerate().step_by(5) {
            let head: Vec<f64> = period
                .node_head
                .iter()
                .map(|&h| h as f64 / units.length * METRES_PER_FOOT)
                .collect();
            let to_si_flow = |q: f32| q as f64 / units.flow * CUBIC_METRES_PER_CUBIC_FOOT;
            let demand: Vec<f64> = period.node_demand.iter().map(|&d| to_si_flow(d)).collect();
            let flow: Vec<f64> = period.link_flow.iter().map(|&q| to_si_flow(q)).collect();
            let status: Vec<u8> = period.link_status.iter().map(|&s| s as u8).collect();
            let setting: Vec<f64> = network
                .links
                .iter()
                .zip(&period.link_setting)
                .map(|(link, &s)| model_setting(&units, link, s))
                .collect();
            let snapshot = HydraulicSnapshot {
                time: reference.period_time(p) as u64,
                node_head: &head,
                node_demand: &demand,
                link_flow: &flow,
                link_status: &status,
                link_setting: &setting,
                quality: None,
            };
            let ours = builder.to_results(&builder.build(&snapshot).unwrap());
            let time = reference.period_time(p);
            let ids = &prolog.link_ids;
            for k in 0..prolog.link_count {
                let closed = period.link_status[k] <= 2.0;
                if closed {
                    assert_eq!(
                        ours.link_flow[k], 0.0,
                        "{name} {time}: flow of closed {}",
                        ids[k]
                    );
                    assert_eq!(ours.link_headloss[k], 0.0, "{name} {time}: {}", ids[k]);
                }
                let velocity_ok = relative(ours.link_velocity[k], period.link_velocity[k]) < 1e-5;
                assert!(
                    velocity_ok,
                    "{name} {time}: velocity of {}: ours {}, EPANET {}",
                    ids[k], ours.link_velocity[k], period.link_velocity[k]
                );
                let setting_ok = relative(ours.link_setting[k], period.link_setting[k]) < 1e-5;
                assert!(
                    setting_ok,
                    "{name} {time}: setting of {}: ours {}, EPANET {}",
                    ids[k], ours.link_setting[k], period.link_setting[k]
                );
                // Head loss and friction factor come from differences of rounded heads:
                // exact for US networks, within a few roundings of the heads in metres for
                // SI ones.
                let (a, b) = (ours.link_headloss[k], period.link_headloss[k]);
                let from = prolog.link_from[k] as usize - 1;
                let to = prolog.link_to[k] as usize - 1;
                let head_scale =
                    period.node_head[from].abs().max(period.node_head[to].abs()) as f64;
                let head_slack = if si {
                    4.0 * f32::EPSILON as f64 * head_scale
                } else {
                    0.0
                };
                let slack = match prolog.link_type[k] {
                    0 | 1 => 1000.0 * head_slack / prolog.link_length[k] as f64,
                    _ => head_slack,
                };
                assert!(
                    (a as f64 - b as f64).abs() <= slack + 1e-5 * (b.abs() as f64).max(1.0),
                    "{name} {time}: head loss of {}: ours {a}, EPANET {b}",
                    ids[k]
                );
                if !si {
                    let (a, b) = (ours.link_friction_factor[k], period.link_friction_factor[k]);
                    assert!(
                        relative(a, b) < 1e-4,
                        "{name} {time}: friction factor of {}: ours {a}, EPANET {b}",
                        ids[k]
                    );
                }
            }
            for n in 0..prolog.node_count {
                let (a, b) = (ours.node_pressure[n], period.node_pressure[n]);
                assert!(
                    (a - b).abs() <= 1e-4 * b.abs().max(1.0),
                    "{name} {time}: pressure of {}: ours {a}, EPANET {b}",
                    prolog.node_ids[n]
                );
                assert!(close(ours.node_head[n], period.node_head[n]) || si);
            }
            checked += 1;
        }
    }
    assert!(checked >= 2);
}

fn relative(a: f32, b: f32) -> f64 {
    let (a, b) = (a as f64, b as f64);
    let scale = a.abs().max(b.abs());
    if scale < 1e-6 {
        0.0
    } else {
        (a - b).abs() / scale
    }
}

/// The SI setting a hydraulic engine would report for a link, from the report-unit setting
/// EPANET wrote (pipes take the model's roughness).
fn model_setting(units: &ReportUnits, link: &danjiang_network::Link, s: f32) -> f64 {
    let s = s as f64;
    match &link.kind {
        LinkKind::Pipe(pipe) => pipe.roughness,
        LinkKind::Pump(_) => s,
        LinkKind::Valve(valve) => match valve.valve_type {
            ValveType::Prv | ValveType::Psv | ValveType::Pbv => {
                s / units.pressure * METRES_PER_FOOT
            }
            ValveType::Fcv => s / units.flow * CUBIC_METRES_PER_CUBIC_FOOT,
            _ => s,
        },
    }
}
