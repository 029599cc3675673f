//! `danjiang run NET.inp [REPORT.rpt] [OUT.out]`: a whole simulation, as EPANET's
//! `runepanet` runs it, writing EPANET's report and binary output files and, on request,
//! JSON and CSV time series.
//!
//! As EPANET does, a run with water quality solves the whole hydraulic run first, keeping
//! every hydraulic step in memory, then routes quality over the kept steps; the results of
//! each reporting period are written during the quality pass. A run without quality writes
//! each period as the hydraulics reach it.

use anyhow::Context;
use clap::Args;
use danjiang_hydraulics::{
    ActionCause, BalanceSite, HydraulicSimulation, HydraulicState, ReportClock, TrialEvent,
    WarningKind,
};
use danjiang_network::{LinkKind, Network, QualityAnalysis, Unbalanced};
use danjiang_output::binary::{
    EnergySection, Epilog, OutReader, OutWriter, Prolog, PumpEnergyFigures,
};
use danjiang_output::csv::CsvWriter;
use danjiang_output::json::JsonWriter;
use danjiang_output::period::{HydraulicSnapshot, PeriodBuilder, QualitySnapshot};
use danjiang_output::report::{
    clock_time, warning_flag, FlowBalance, MassBalanceLines, ReportWriter, StatusAction, TrialLine,
    TrialSite, Warning,
};
use danjiang_output::units::ReportUnits;
use danjiang_quality::{QualitySimulation, StoredHydraulics};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Exit status of a run that failed, as `runepanet` gives it.
const FAILED: u8 = 100;
/// Warnings printed on the terminal before they are only counted.
const WARNINGS_SHOWN: usize = 50;

/// Run a simulation: the same arguments as EPANET's `runepanet`.
///
/// Reads the input file, solves the hydraulics period by period, then (with a quality
/// analysis) routes water quality over the whole hydraulic run, and writes the report file
/// (.rpt) and the binary output file (.out) in EPANET 2.3's formats. Warnings (negative pressures, unbalanced system, pumps
/// and valves that cannot deliver) are printed with the time they happen, and a summary
/// line ends the run. Exit status: 0 when the run completes (with or without warnings),
/// 100 when it fails, as `runepanet`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The EPANET input file (.inp).
    pub input: PathBuf,
    /// The report file to write (.rpt).
    pub report: Option<PathBuf>,
    /// The binary output file to write (.out).
    pub output: Option<PathBuf>,
    /// Also write the results as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Also write the results as CSV to this file.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// No progress bar, warnings or summary on the terminal.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs the simulation and returns the exit status.
pub fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
    match simulate(args) {
        Ok(summary) => {
            if !args.quiet {
                println!("{summary}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            eprintln!("danjiang run: {error:#}");
            Ok(ExitCode::from(FAILED))
        }
    }
}

/// A temporary output file for the report's tables when no .out is asked for; removed
/// when dropped.
struct ScratchFile(PathBuf);

impl Drop for ScratchFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn create(path: &Path) -> anyhow::Result<BufWriter<File>> {
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    Ok(BufWriter::with_capacity(1 << 16, file))
}

fn simulate(args: &RunArgs) -> anyhow::Result<String> {
    let started = Instant::now();
    let input_name = args.input.display().to_string();
    let outcome = danjiang_network::inp::read_file(&args.input)?;
    let network = outcome.network;
    if !args.quiet {
        for warning in outcome.warnings.iter().take(WARNINGS_SHOWN) {
            eprintln!("{warning}");
        }
    }

    let mut simulation = HydraulicSimulation::new(&network)
        .with_context(|| format!("cannot simulate {input_name}"))?;
    let builder = PeriodBuilder::new(&network);
    let units = ReportUnits::of(&network);
    let prolog = Prolog::for_network(&network, &input_name);

    // The .out is written when asked for, or to a scratch file when only the report's
    // tables need it.
    let mut scratch = None;
    let out_path = match (&args.output, &args.report) {
        (Some(path), _) => Some(path.clone()),
        (None, Some(_)) => {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0);
            let path =
                std::env::temp_dir().join(format!("danjiang-{}-{nanos}.out", std::process::id()));
            scratch = Some(ScratchFile(path.clone()));
            Some(path)
        }
        (None, None) => None,
    };
    let mut out = match &out_path {
        Some(path) => Some(
            OutWriter::create(path, &prolog)
                .with_context(|| format!("cannot write {}", path.display()))?,
        ),
        None => None,
    };
    let mut report = match &args.report {
        Some(path) => Some(ReportWriter::new(create(path)?, &network, &input_name)?),
        None => None,
    };
    let mut json = match &args.json {
        Some(path) => Some(JsonWriter::new(create(path)?, &prolog, &units)?),
        None => None,
    };
    let mut csv = match &args.csv {
        Some(path) => Some(CsvWriter::new(create(path)?, &prolog, &units)?),
        None => None,
    };

    // Water quality is routed after the hydraulics, over every hydraulic step kept in
    // memory, as EPANET routes it over its hydraulics file.
    let mut quality = match network.options.quality {
        QualityAnalysis::None => None,
        _ => Some(
            QualitySimulation::new(&network)
                .with_context(|| format!("cannot simulate water quality in {input_name}"))?,
        ),
    };
    let mut stored = quality
        .as_ref()
        .map(|_| StoredHydraulics::new(network.nodes.len(), network.links.len()));
    // For each reporting period of a quality run: the index of its hydraulic step and the
    // link statuses and settings the quality pass cannot rebuild.
    let mut kept_periods: Vec<(usize, Vec<u8>, Vec<f64>)> = Vec::new();
    let mut flow_balance = FlowBalance::new(&network);

    let phases = if quality.is_some() { 2 } else { 1 };
    let progress = progress_bar(network.times.duration, phases);
    let mut clock = ReportClock::new(&network);
    let mut hydraulic_periods = 0usize;
    let mut reported = 0usize;
    let mut trials = 0u64;
    let mut warning_count = 0usize;
    let mut last_flag = 0;
    let mut all_warnings: Vec<(u64, String)> = Vec::new();
    let mut status_codes: Vec<u8> = Vec::with_capacity(network.links.len());
    let mut actions: Vec<(u64, StatusAction)> = Vec::new();
    let mut trial_lines: Vec<TrialLine> = Vec::new();
    loop {
        let state = match simulation.step() {
            Ok(Some(state)) => state,
            Ok(None) => break,
            Err(error) => {
                progress.finish_and_clear();
                return Err(error).with_context(|| format!("{input_name}: hydraulics failed"));
            }
        };
        hydraulic_periods += 1;
        trials += u64::from(state.iterations);
        // Under UNBALANCED STOP an unconverged time is the last one.
        let halted = !state.converged && network.options.unbalanced == Unbalanced::Stop;
        let warnings = warnings_of(&network, state, halted);
        let flag = warning_flag(&warnings);
        if flag > 0 {
            last_flag = flag;
        }
        for warning in &warnings {
            for line in warning.lines(state.time) {
                if !args.quiet && warning_count < WARNINGS_SHOWN {
                    progress.suspend(|| eprintln!("{line}"));
                }
                warning_count += 1;
                if json.is_some() {
                    all_warnings.push((state.time, line));
                }
            }
        }
        status_codes.clear();
        status_codes.extend(state.link_status.iter().map(|s| s.code()));
        flow_balance.add(
            state.time,
            state.step_length,
            &state.node_demand,
            &state.emitter_flow,
            &state.leakage_flow,
            &state.node_full_demand,
        );
        if let Some(report) = report.as_mut() {
            actions.clear();
            actions.extend(state.actions.iter().map(|a| {
                let action = match a.cause {
                    ActionCause::LevelControl { node } => {
                        StatusAction::LevelControl { link: a.link, node }
                    }
                    ActionCause::TimerControl => StatusAction::TimerControl { link: a.link },
                    ActionCause::Rule(rule) => StatusAction::Rule { link: a.link, rule },
                };
                (a.time, action)
            }));
            report.actions(&actions)?;
            if !state.trials.is_empty() {
                trial_lines.clear();
                trial_lines.extend(state.trials.iter().map(trial_line));
                report.trials(state.time, &trial_lines)?;
            }
            report.hydraulic_time(
                state.time,
                state.iterations,
                state.relative_error,
                state.converged,
                &state.node_head,
                &state.node_demand,
                &status_codes,
                &warnings,
            )?;
        }
        if let Some(store) = stored.as_mut() {
            store
                .push(danjiang_quality::HydraulicSnapshot {
                    time: state.time,
                    step_length: state.step_length,
                    node_demand: state.node_demand.clone(),
                    node_head: state.node_head.clone(),
                    link_flow: state.link_flow.clone(),
                })
                .with_context(|| format!("{input_name}: keeping the hydraulics failed"))?;
        }
        if clock.is_report_time(state.time) {
            reported += 1;
            if stored.is_some() {
                kept_periods.push((
                    hydraulic_periods - 1,
                    status_codes.clone(),
                    state.link_setting.clone(),
                ));
            } else {
                let snapshot = HydraulicSnapshot {
                    time: state.time,
                    node_head: &state.node_head,
                    node_demand: &state.node_demand,
                    link_flow: &state.link_flow,
                    link_status: &status_codes,
                    link_setting: &state.link_setting,
                    quality: None,
                };
                let results = builder.to_results(&builder.build(&snapshot)?);
                if let Some(out) = out.as_mut() {
                    out.write_period(&results)?;
                }
                if let Some(json) = json.as_mut() {
                    json.write_period(state.time as i64, &results)?;
                }
                if let Some(csv) = csv.as_mut() {
                    csv.write_period(state.time as i64, &results)?;
                }
            }
        }
        progress.set_position(state.time);
        progress.set_message(format!("hydraulics at {}", clock_time(state.time)));
        if progress.is_hidden() && started.elapsed() > Duration::from_secs(1) && !args.quiet {
            progress.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
    flow_balance.finish();
    if let Some(report) = report.as_mut() {
        report.flow_balance(&flow_balance)?;
    }

    // The quality pass over the kept hydraulics, writing every reporting period.
    if let (Some(quality), Some(store)) = (quality.as_mut(), stored.as_ref()) {
        // EPANET tests FIFO and LIFO tank fullness with the volumes the hydraulic run left.
        quality.use_final_tank_volumes(store);
        let mut link_quality = vec![0.0; network.links.len()];
        let mut periods = kept_periods.iter().peekable();
        for (index, hydraulics) in store.snapshots().iter().enumerate() {
            quality
                .load_hydraulics(hydraulics)
                .with_context(|| format!("{input_name}: water quality failed"))?;
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
                let results = builder.to_results(&builder.build(&snapshot)?);
                if let Some(out) = out.as_mut() {
                    out.write_period(&results)?;
                }
                if let Some(json) = json.as_mut() {
                    json.write_period(hydraulics.time as i64, &results)?;
                }
                if let Some(csv) = csv.as_mut() {
                    csv.write_period(hydraulics.time as i64, &results)?;
                }
            }
            let advanced = quality
                .advance()
                .with_context(|| format!("{input_name}: water quality failed"))?;
            progress.set_position(network.times.duration + hydraulics.time);
            progress.set_message(format!("water quality at {}", clock_time(hydraulics.time)));
            if progress.is_hidden() && started.elapsed() > Duration::from_secs(1) && !args.quiet {
                progress.set_draw_target(ProgressDrawTarget::stderr());
            }
            if advanced == 0 {
                break;
            }
        }
        // EPANET reports the mass balance of a single-period run too.
        if let Some(report) = report.as_mut() {
            let balance = quality.mass_balance();
            report.mass_balance(&MassBalanceLines {
                initial: balance.initial,
                inflow: balance.inflow,
                outflow: balance.outflow,
                reacted: balance.reacted,
                final_mass: balance.final_mass,
                ratio: balance.ratio,
                segments: balance.parcel_count,
            })?;
        }
    }
    progress.finish_and_clear();

    let energy = energy_section(&network, &units, &simulation);
    let mut epilog = Epilog::hydraulic_only(last_flag);
    if let Some(quality) = &quality {
        let reactions = quality.reaction_summary();
        epilog.bulk_reaction_rate = reactions.bulk_rate as f32;
        epilog.wall_reaction_rate = reactions.wall_rate as f32;
        epilog.tank_reaction_rate = reactions.tank_rate as f32;
        epilog.source_inflow_rate = reactions.source_rate as f32;
    }
    if let Some(out) = out.take() {
        out.finish(&energy, &epilog)?;
    }
    if let Some(json) = json.take() {
        let warnings: Vec<serde_json::Value> = all_warnings
            .iter()
            .map(|(time, text)| serde_json::json!({"time": time, "message": text}))
            .collect();
        json.finish(&energy, last_flag, &warnings)?;
    }
    if let Some(csv) = csv.take() {
        csv.finish()?;
    }
    if let Some(report) = report.take() {
        let mut reader = match &out_path {
            Some(path) => Some(OutReader::open(path)?),
            None => None,
        };
        report.finish(&energy, reader.as_mut())?;
    }
    drop(scratch);

    let halted = if simulation.was_halted() {
        ", halted: system unbalanced"
    } else {
        ""
    };
    let outcome = if warning_count > 0 {
        "ran with warnings"
    } else {
        "ran successfully"
    };
    Ok(format!(
        "... {input_name} {outcome}: {hydraulic_periods} hydraulic periods, {reported} reported, \
         {trials} trials, {warning_count} warnings{halted} ({:.2} s)",
        started.elapsed().as_secs_f64()
    ))
}

/// One line of STATUS FULL's account of a solution, as the report writes it.
fn trial_line(event: &TrialEvent) -> TrialLine {
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

/// A progress bar over simulated time (once per phase: hydraulics, then water quality),
/// drawn only once a run has taken a second.
fn progress_bar(duration: u64, phases: u64) -> ProgressBar {
    let bar =
        ProgressBar::with_draw_target(Some(duration.max(1) * phases), ProgressDrawTarget::hidden());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {msg} ({elapsed})") {
        bar.set_style(style);
    }
    bar
}

/// The warnings of a hydraulic state, worded as EPANET words them.
fn warnings_of(network: &Network, state: &HydraulicState, halted: bool) -> Vec<Warning> {
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

fn energy_section(
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
