//! One whole simulation of a network into an EPANET binary output file (.out), hydraulics then
//! water quality as EPANET runs them, with progress; synchronous, for a blocking thread.

use std::path::Path;
use std::time::Instant;

use danjiang_hydraulics::{HydraulicSimulation, ReportClock};
use danjiang_network::{Network, QualityAnalysis, Unbalanced};
use danjiang_output::binary::{EnergySection, Epilog, OutWriter, Prolog, PumpEnergyFigures};
use danjiang_output::period::{HydraulicSnapshot, PeriodBuilder, QualitySnapshot};
use danjiang_output::units::ReportUnits;
use danjiang_quality::{QualitySimulation, StoredHydraulics};

use super::SimulationError;

/// What a finished run did.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RunFigures {
    /// Hydraulic time steps solved.
    pub hydraulic_steps: usize,
    /// Reporting periods written to the output file.
    pub periods: usize,
    /// Hydraulic steps that did not converge.
    pub unconverged_steps: usize,
    /// Whether the run stopped early (unbalanced, with `UNBALANCED STOP`).
    pub halted: bool,
    /// Wall-clock time of the run, s.
    pub seconds: f64,
}

/// Simulates `network` and writes every reporting period to `out_path`.
///
/// `progress` is called with the fraction done (0 to 1): the hydraulics are the first half of
/// a run with water quality, the whole of one without.
pub fn run_to_file(
    network: &Network,
    input_name: &str,
    out_path: &Path,
    progress: &dyn Fn(f64),
) -> Result<RunFigures, SimulationError> {
    let started = Instant::now();
    let failed =
        |what: &str, e: &dyn std::fmt::Display| SimulationError::Run(format!("{what}: {e}"));
    let mut simulation =
        HydraulicSimulation::new(network).map_err(|e| failed("cannot simulate the network", &e))?;
    let builder = PeriodBuilder::new(network);
    let prolog = Prolog::for_network(network, input_name);
    let mut out = OutWriter::create(out_path, &prolog)
        .map_err(|e| failed("cannot write the results file", &e))?;
    let mut quality = match network.options.quality {
        QualityAnalysis::None => None,
        _ => Some(
            QualitySimulation::new(network)
                .map_err(|e| failed("cannot simulate water quality", &e))?,
        ),
    };
    let mut stored = quality
        .as_ref()
        .map(|_| StoredHydraulics::new(network.nodes.len(), network.links.len()));
    let share = if quality.is_some() { 0.5 } else { 1.0 };
    let duration = network.times.duration.max(1) as f64;
    let mut clock = ReportClock::new(network);
    let mut figures = RunFigures {
        hydraulic_steps: 0,
        periods: 0,
        unconverged_steps: 0,
        halted: false,
        seconds: 0.0,
    };
    let mut kept: Vec<(usize, Vec<u8>, Vec<f64>)> = Vec::new();
    let mut warning_flag = 0;
    loop {
        let state = match simulation.step() {
            Ok(Some(state)) => state,
            Ok(None) => break,
            Err(e) => return Err(failed("the hydraulics failed", &e)),
        };
        figures.hydraulic_steps += 1;
        if !state.converged {
            figures.unconverged_steps += 1;
            warning_flag = 1;
            if network.options.unbalanced == Unbalanced::Stop {
                figures.halted = true;
            }
        }
        let statuses: Vec<u8> = state.link_status.iter().map(|s| s.code()).collect();
        if let Some(store) = stored.as_mut() {
            store
                .push(danjiang_quality::HydraulicSnapshot {
                    time: state.time,
                    step_length: state.step_length,
                    node_demand: state.node_demand.clone(),
                    node_head: state.node_head.clone(),
                    link_flow: state.link_flow.clone(),
                })
                .map_err(|e| failed("keeping the hydraulics failed", &e))?;
        }
        if clock.is_report_time(state.time) {
            if stored.is_some() {
                kept.push((
                    figures.hydraulic_steps - 1,
                    statuses,
                    state.link_setting.clone(),
                ));
            } else {
                let snapshot = HydraulicSnapshot {
                    time: state.time,
                    node_head: &state.node_head,
                    node_demand: &state.node_demand,
                    link_flow: &state.link_flow,
                    link_status: &statuses,
                    link_setting: &state.link_setting,
                    quality: None,
                };
                let period = builder
                    .build(&snapshot)
                    .map_err(|e| failed("building a period", &e))?;
                out.write_period(&builder.to_results(&period))
                    .map_err(|e| failed("writing a period", &e))?;
                figures.periods += 1;
            }
        }
        progress(share * state.time as f64 / duration);
    }

    if let (Some(quality), Some(store)) = (quality.as_mut(), stored.as_ref()) {
        quality.use_final_tank_volumes(store);
        let mut link_quality = vec![0.0; network.links.len()];
        let mut periods = kept.iter().peekable();
        for (index, hydraulics) in store.snapshots().iter().enumerate() {
            quality
                .load_hydraulics(hydraulics)
                .map_err(|e| failed("water quality failed", &e))?;
            if let Some((_, statuses, settings)) = periods.next_if(|(i, _, _)| *i == index) {
                quality.link_quality_into(&mut link_quality);
                let snapshot = HydraulicSnapshot {
                    time: hydraulics.time,
                    node_head: &hydraulics.node_head,
                    node_demand: &hydraulics.node_demand,
                    link_flow: &hydraulics.link_flow,
                    link_status: statuses,
                    link_setting: settings,
                    quality: Some(QualitySnapshot {
                        node_quality: quality.node_quality(),
                        link_quality: &link_quality,
                        link_reaction_rate: quality.link_reaction_rates(),
                    }),
                };
                let period = builder
                    .build(&snapshot)
                    .map_err(|e| failed("building a period", &e))?;
                out.write_period(&builder.to_results(&period))
                    .map_err(|e| failed("writing a period", &e))?;
                figures.periods += 1;
            }
            let advanced = quality
                .advance()
                .map_err(|e| failed("water quality failed", &e))?;
            progress(0.5 + 0.5 * hydraulics.time as f64 / duration);
            if advanced == 0 {
                break;
            }
        }
    }
    let energy = energy_section(network, &simulation);
    out.finish(&energy, &Epilog::hydraulic_only(warning_flag))
        .map_err(|e| failed("finishing the results file", &e))?;
    progress(1.0);
    figures.seconds = started.elapsed().as_secs_f64();
    Ok(figures)
}

/// Pump energy as the hydraulics counted it, so the results file has its pump section.
fn energy_section(network: &Network, simulation: &HydraulicSimulation) -> EnergySection {
    let units = ReportUnits::of(network);
    let report = simulation.energy();
    let pumps: Vec<PumpEnergyFigures> = report
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
    EnergySection::from_figures(&units, &pumps, report.demand_charge)
}
