//! How the engine's results are put in the words of EPANET's files: trial events as report
//! lines, link changes as status actions, hydraulic warnings as EPANET words them, pump energy
//! as the output file's section. Written once, for every caller.

use danjiang_hydraulics::{
    ActionCause, BalanceSite, HydraulicSimulation, HydraulicState, LinkChange, TrialEvent,
    WarningKind,
};
use danjiang_network::{LinkKind, Network};
use danjiang_output::binary::{EnergySection, PumpEnergyFigures};
use danjiang_output::report::{StatusAction, TrialLine, TrialSite, Warning};
use danjiang_output::units::ReportUnits;

/// The status actions of a step (controls and rules that changed links), as the report lists
/// them, into `into` (emptied first).
pub fn status_actions(changes: &[LinkChange], into: &mut Vec<(u64, StatusAction)>) {
    into.clear();
    into.extend(changes.iter().map(|change| {
        let action = match change.cause {
            ActionCause::LevelControl { node } => StatusAction::LevelControl {
                link: change.link,
                node,
            },
            ActionCause::TimerControl => StatusAction::TimerControl { link: change.link },
            ActionCause::Rule(rule) => StatusAction::Rule {
                link: change.link,
                rule,
            },
        };
        (change.time, action)
    }));
}

/// One line of STATUS FULL's account of a solution, as the report writes it.
pub fn trial_line(event: &TrialEvent) -> TrialLine {
    match *event {
        TrialEvent::Trial {
            number,
            relative_flow_change,
        } => TrialLine::Trial {
            number,
            relative_flow_change,
        },
        TrialEvent::StatusChange { link, from, to } => TrialLine::StatusChange {
            link,
            from: from.code(),
            to: to.code(),
        },
        TrialEvent::SettingChange { link, setting } => TrialLine::SettingChange { link, setting },
        TrialEvent::IllConditionedValve { link } => TrialLine::IllConditionedValve { link },
        TrialEvent::Balance {
            max_flow_change,
            flow_change_at,
            max_head_error,
            head_error_link,
        } => TrialLine::Balance {
            max_flow_change,
            flow_change_at: match flow_change_at {
                BalanceSite::Link(k) => TrialSite::Link(k),
                BalanceSite::Node(n) => TrialSite::Node(n),
            },
            max_head_error,
            head_error_link,
        },
    }
}

/// The warnings of a hydraulic state, worded as EPANET words them.
pub fn warnings_of(network: &Network, state: &HydraulicState, halted: bool) -> Vec<Warning> {
    let link_id = |k: usize| {
        network
            .links
            .get(k)
            .map(|l| l.id.clone())
            .unwrap_or_default()
    };
    let mut warnings = Vec::new();
    for warning in &state.warnings {
        match &warning.kind {
            WarningKind::Unbalanced => warnings.push(Warning::Unbalanced { halted }),
            WarningKind::Unstable => warnings.push(Warning::Unstable),
            WarningKind::Disconnected => warnings.push(Warning::Disconnected { nodes: Vec::new() }),
            WarningKind::NegativePressures => warnings.push(Warning::NegativePressures),
            WarningKind::PumpsCannotDeliver(links) => {
                for &k in links {
                    let code = state.link_status.get(k).map(|s| s.code()).unwrap_or(0);
                    warnings.push(Warning::Pump {
                        id: link_id(k),
                        status: if code == 5 { 5 } else { 0 },
                    });
                }
            }
            WarningKind::ValvesCannotDeliver(links) => {
                for &k in links {
                    let kind = match network.links.get(k).map(|l| &l.kind) {
                        Some(LinkKind::Valve(valve)) => valve.valve_type.keyword().to_string(),
                        _ => "Valve".to_string(),
                    };
                    let code = state.link_status.get(k).map(|s| s.code()).unwrap_or(7);
                    warnings.push(Warning::Valve {
                        kind,
                        id: link_id(k),
                        status: code,
                    });
                }
            }
        }
    }
    warnings
}

/// The energy section of the binary output file (and the report's energy table) from the
/// pump energy the hydraulics counted.
pub fn energy_section(
    network: &Network,
    units: &ReportUnits,
    simulation: &HydraulicSimulation,
) -> EnergySection {
    let report = simulation.energy();
    let figures: Vec<PumpEnergyFigures> = report
        .pumps
        .iter()
        .map(|p| PumpEnergyFigures {
            link: p.link,
            utilization: p.utilisation,
            average_efficiency: p.average_efficiency,
            kwh_per_cubic_metre: p.kwh_per_cubic_metre,
            average_kw: p.average_kw,
            peak_kw: p.peak_kw,
            cost_per_day: p.cost_per_day,
        })
        .collect();
    debug_assert!(figures.len() <= network.links.len());
    EnergySection::from_figures(units, &figures, report.demand_charge)
}
