//! The run itself: the hydraulics step by step, then (with a quality analysis) water quality over
//! every kept hydraulic step, each reporting period built once and handed to every sink.
//!
//! As EPANET does, a run with water quality solves the whole hydraulic run first, keeping every
//! hydraulic step in memory, and writes the reporting periods during the quality pass; a run
//! without quality writes each period as the hydraulics reach it.

use std::time::Instant;

use danjiang_hydraulics::{HydraulicSimulation, HydraulicState, ReportClock};
use danjiang_network::{Network, QualityAnalysis, Unbalanced};
use danjiang_output::binary::{EnergySection, Epilog, PeriodResults};
use danjiang_output::period::{HydraulicSnapshot, PeriodBuilder, QualitySnapshot};
use danjiang_output::report::{warning_flag, MassBalanceLines, Warning};
use danjiang_output::units::ReportUnits;
use danjiang_quality::{QualitySimulation, StoredHydraulics};

use crate::budget::Budget;
use crate::error::RunError;
use crate::mapping::{energy_section, warnings_of};

/// Which pass of the run is going on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Solving the hydraulics.
    Hydraulics,
    /// Routing water quality over the kept hydraulics.
    Quality,
}

/// How far a run has come.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// The pass.
    pub phase: Phase,
    /// Simulated time reached in that pass, s.
    pub time: u64,
    /// Fraction of the whole run done, 0 to 1 (the hydraulics are the first half of a run with
    /// water quality, the whole of one without).
    pub fraction: f64,
}

/// One solved hydraulic step, as sinks see it.
pub struct Step<'a> {
    /// The solver's state at the step.
    pub state: &'a HydraulicState,
    /// The step's warnings in EPANET's words.
    pub warnings: &'a [Warning],
    /// Each link's status code, as the output file stores it.
    pub link_status: &'a [u8],
}

/// What the end of a run gives every sink.
pub struct RunEnd<'a> {
    /// Pump energy over the run.
    pub energy: &'a EnergySection,
    /// The closing figures of the binary output file (warning flag, reaction rates).
    pub epilog: &'a Epilog,
}

/// Where a run's results go: a file, a report, a store. Every method but [`Sink::period`] and
/// [`Sink::finish`] may be left out.
pub trait Sink {
    /// Each hydraulic step as it is solved.
    fn hydraulic_step(&mut self, _step: &Step<'_>) -> Result<(), RunError> {
        Ok(())
    }
    /// Each reporting period, in time order; `time` in s.
    fn period(&mut self, time: u64, results: &PeriodResults) -> Result<(), RunError>;
    /// After the last hydraulic step.
    fn hydraulics_finished(&mut self) -> Result<(), RunError> {
        Ok(())
    }
    /// After the quality pass, with its mass balance (runs with water quality only).
    fn quality_finished(&mut self, _balance: &MassBalanceLines) -> Result<(), RunError> {
        Ok(())
    }
    /// At the end of the run, in the order the sinks were given.
    fn finish(&mut self, end: &RunEnd<'_>) -> Result<(), RunError>;
}

/// What a finished run did.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RunSummary {
    /// Hydraulic steps solved.
    pub hydraulic_steps: usize,
    /// Reporting periods handed to the sinks.
    pub reported_periods: usize,
    /// Trials of the hydraulic solver, over all steps.
    pub trials: u64,
    /// Warning lines, as the report words them.
    pub warnings: usize,
    /// Hydraulic steps that did not converge.
    pub unconverged_steps: usize,
    /// Whether the run stopped early (unbalanced, with `UNBALANCED STOP`).
    pub halted: bool,
    /// The output file's warning flag: the code of the last step with warnings (0 none).
    pub warning_flag: i32,
    /// Wall-clock time of the run, s.
    pub seconds: f64,
}

/// A reporting period of a quality run, kept from the hydraulic pass: the index of its
/// hydraulic step and the link statuses and settings the quality pass cannot rebuild.
struct KeptPeriod {
    step: usize,
    link_status: Vec<u8>,
    link_setting: Vec<f64>,
}

/// What every part of a run shares.
struct Context<'a, 'b> {
    network: &'a Network,
    input: &'a str,
    budget: &'a Budget,
    builder: PeriodBuilder,
    sinks: &'a mut [&'b mut dyn Sink],
    progress: &'a mut dyn FnMut(Progress),
    started: Instant,
    summary: RunSummary,
    /// Share of the run the hydraulics take.
    hydraulic_share: f64,
}

/// Simulates `network` (named `input` in messages) into `sinks`, reporting progress.
///
/// The caller checks the budget's size limits before it creates the sinks (see
/// [`Budget::check`]); the run checks the time limit at every step.
pub fn simulate(
    network: &Network,
    input: &str,
    budget: &Budget,
    sinks: &mut [&mut dyn Sink],
    progress: &mut dyn FnMut(Progress),
) -> Result<RunSummary, RunError> {
    let mut simulation = HydraulicSimulation::new(network).map_err(|e| RunError::Setup {
        input: input.to_string(),
        reason: e.to_string(),
    })?;
    let mut quality = match network.options.quality {
        QualityAnalysis::None => None,
        _ => Some(
            QualitySimulation::new(network).map_err(|e| RunError::Setup {
                input: input.to_string(),
                reason: format!("water quality: {e}"),
            })?,
        ),
    };
    let mut context = Context {
        network,
        input,
        budget,
        builder: PeriodBuilder::new(network),
        sinks,
        progress,
        started: Instant::now(),
        summary: RunSummary::default(),
        hydraulic_share: if quality.is_some() { 0.5 } else { 1.0 },
    };
    let mut stored = quality
        .as_ref()
        .map(|_| StoredHydraulics::new(network.nodes.len(), network.links.len()));
    let kept = context.hydraulic_pass(&mut simulation, stored.as_mut())?;
    for sink in context.sinks.iter_mut() {
        sink.hydraulics_finished()?;
    }
    if let (Some(quality), Some(store)) = (quality.as_mut(), stored.as_ref()) {
        context.quality_pass(quality, store, &kept)?;
    }
    context.summary.halted = simulation.was_halted();
    context.finish(&simulation, quality.as_ref())?;
    context.summary.seconds = context.started.elapsed().as_secs_f64();
    Ok(context.summary)
}

impl Context<'_, '_> {
    /// Solves every hydraulic step, handing each to the sinks, and either writes each
    /// reporting period (no quality) or keeps what the quality pass needs of it.
    fn hydraulic_pass(
        &mut self,
        simulation: &mut HydraulicSimulation,
        mut stored: Option<&mut StoredHydraulics>,
    ) -> Result<Vec<KeptPeriod>, RunError> {
        let mut clock = ReportClock::new(self.network);
        let mut kept = Vec::new();
        let mut link_status: Vec<u8> = Vec::with_capacity(self.network.links.len());
        let duration = self.network.times.duration.max(1) as f64;
        loop {
            let state = match simulation.step() {
                Ok(Some(state)) => state,
                Ok(None) => break,
                Err(e) => {
                    return Err(RunError::Hydraulics {
                        input: self.input.to_string(),
                        reason: e.to_string(),
                    })
                }
            };
            link_status.clear();
            link_status.extend(state.link_status.iter().map(|s| s.code()));
            self.hydraulic_step(state, &link_status)?;
            if let Some(store) = stored.as_deref_mut() {
                self.keep(store, state)?;
            }
            if clock.is_report_time(state.time) {
                if stored.is_some() {
                    kept.push(KeptPeriod {
                        step: self.summary.hydraulic_steps - 1,
                        link_status: link_status.clone(),
                        link_setting: state.link_setting.clone(),
                    });
                } else {
                    let snapshot = HydraulicSnapshot {
                        time: state.time,
                        node_head: &state.node_head,
                        node_demand: &state.node_demand,
                        link_flow: &state.link_flow,
                        link_status: &link_status,
                        link_setting: &state.link_setting,
                        quality: None,
                    };
                    self.period(&snapshot)?;
                }
            }
            let fraction = self.hydraulic_share * state.time as f64 / duration;
            self.advance(Phase::Hydraulics, state.time, fraction)?;
        }
        Ok(kept)
    }

    /// Counts a solved step and its warnings and hands it to every sink.
    fn hydraulic_step(
        &mut self,
        state: &HydraulicState,
        link_status: &[u8],
    ) -> Result<(), RunError> {
        let summary = &mut self.summary;
        summary.hydraulic_steps += 1;
        summary.trials += u64::from(state.iterations);
        if !state.converged {
            summary.unconverged_steps += 1;
        }
        // Under UNBALANCED STOP an unconverged time is the last one.
        let halted = !state.converged && self.network.options.unbalanced == Unbalanced::Stop;
        let warnings = warnings_of(self.network, state, halted);
        let flag = warning_flag(&warnings);
        if flag > 0 {
            summary.warning_flag = flag;
        }
        summary.warnings += warnings
            .iter()
            .map(|w| w.lines(state.time).len())
            .sum::<usize>();
        let step = Step {
            state,
            warnings: &warnings,
            link_status,
        };
        for sink in self.sinks.iter_mut() {
            sink.hydraulic_step(&step)?;
        }
        Ok(())
    }

    /// Keeps a step's hydraulics for the quality pass.
    fn keep(&self, store: &mut StoredHydraulics, state: &HydraulicState) -> Result<(), RunError> {
        store
            .push(danjiang_quality::HydraulicSnapshot {
                time: state.time,
                step_length: state.step_length,
                node_demand: state.node_demand.clone(),
                node_head: state.node_head.clone(),
                link_flow: state.link_flow.clone(),
            })
            .map_err(|e| RunError::Quality {
                input: self.input.to_string(),
                reason: format!("keeping the hydraulics: {e}"),
            })
    }

    /// Routes water quality over the kept hydraulics, writing every reporting period.
    fn quality_pass(
        &mut self,
        quality: &mut QualitySimulation,
        store: &StoredHydraulics,
        kept: &[KeptPeriod],
    ) -> Result<(), RunError> {
        let failed = |input: &str, e: &dyn std::fmt::Display| RunError::Quality {
            input: input.to_string(),
            reason: e.to_string(),
        };
        // EPANET tests FIFO and LIFO tank fullness with the volumes the hydraulic run left.
        quality.use_final_tank_volumes(store);
        let mut link_quality = vec![0.0; self.network.links.len()];
        let mut periods = kept.iter().peekable();
        let duration = self.network.times.duration.max(1) as f64;
        for (index, hydraulics) in store.snapshots().iter().enumerate() {
            quality
                .load_hydraulics(hydraulics)
                .map_err(|e| failed(self.input, &e))?;
            if let Some(period) = periods.next_if(|p| p.step == index) {
                quality.link_quality_into(&mut link_quality);
                let snapshot = HydraulicSnapshot {
                    time: hydraulics.time,
                    node_head: &hydraulics.node_head,
                    node_demand: &hydraulics.node_demand,
                    link_flow: &hydraulics.link_flow,
                    link_status: &period.link_status,
                    link_setting: &period.link_setting,
                    quality: Some(QualitySnapshot {
                        node_quality: quality.node_quality(),
                        link_quality: &link_quality,
                        link_reaction_rate: quality.link_reaction_rates(),
                    }),
                };
                self.period(&snapshot)?;
            }
            let advanced = quality.advance().map_err(|e| failed(self.input, &e))?;
            let fraction = self.hydraulic_share
                + (1.0 - self.hydraulic_share) * hydraulics.time as f64 / duration;
            self.advance(Phase::Quality, hydraulics.time, fraction)?;
            if advanced == 0 {
                break;
            }
        }
        // EPANET reports the mass balance of a single-period run too.
        let balance = quality.mass_balance();
        let lines = MassBalanceLines {
            initial: balance.initial,
            inflow: balance.inflow,
            outflow: balance.outflow,
            reacted: balance.reacted,
            final_mass: balance.final_mass,
            ratio: balance.ratio,
            segments: balance.parcel_count,
        };
        for sink in self.sinks.iter_mut() {
            sink.quality_finished(&lines)?;
        }
        Ok(())
    }

    /// Builds one reporting period and hands it to every sink.
    fn period(&mut self, snapshot: &HydraulicSnapshot<'_>) -> Result<(), RunError> {
        let results = self.builder.to_results(&self.builder.build(snapshot)?);
        for sink in self.sinks.iter_mut() {
            sink.period(snapshot.time, &results)?;
        }
        self.summary.reported_periods += 1;
        Ok(())
    }

    /// Reports progress and stops a run over its time limit.
    fn advance(&mut self, phase: Phase, time: u64, fraction: f64) -> Result<(), RunError> {
        (self.progress)(Progress {
            phase,
            time,
            fraction,
        });
        self.budget
            .check_time(self.started.elapsed().as_secs_f64())
            .map_err(RunError::from)
    }

    /// The energy section and epilog, handed to every sink in order.
    fn finish(
        &mut self,
        simulation: &HydraulicSimulation,
        quality: Option<&QualitySimulation>,
    ) -> Result<(), RunError> {
        let units = ReportUnits::of(self.network);
        let energy = energy_section(self.network, &units, simulation);
        let mut epilog = Epilog::hydraulic_only(self.summary.warning_flag);
        if let Some(quality) = quality {
            let reactions = quality.reaction_summary();
            epilog.bulk_reaction_rate = reactions.bulk_rate as f32;
            epilog.wall_reaction_rate = reactions.wall_rate as f32;
            epilog.tank_reaction_rate = reactions.tank_rate as f32;
            epilog.source_inflow_rate = reactions.source_rate as f32;
        }
        let end = RunEnd {
            energy: &energy,
            epilog: &epilog,
        };
        for sink in self.sinks.iter_mut() {
            sink.finish(&end)?;
        }
        (self.progress)(Progress {
            phase: if quality.is_some() {
                Phase::Quality
            } else {
                Phase::Hydraulics
            },
            time: self.network.times.duration,
            fraction: 1.0,
        });
        Ok(())
    }
}
