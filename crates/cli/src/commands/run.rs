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
use danjiang_network::QualityAnalysis;
use danjiang_output::binary::{OutWriter, PeriodResults, Prolog};
use danjiang_output::csv::CsvWriter;
use danjiang_output::json::JsonWriter;
use danjiang_output::report::{clock_time, ReportWriter};
use danjiang_output::units::ReportUnits;
use danjiang_simulation::{
    simulate as simulate_network, Budget, CsvSink, Estimate, JsonSink, Limit, OutSink, Phase,
    Progress, ReportSink, RunEnd, RunError, Sink, Step,
};
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
    #[command(flatten)]
    pub budget: BudgetArgs,
}

/// The limits of a run, refused up front when its size would exceed them.
#[derive(Args, Debug, Clone)]
pub struct BudgetArgs {
    /// Most reporting periods (and hydraulic steps) a run may have.
    #[arg(long, value_name = "N", default_value_t = 10_000_000)]
    pub max_periods: u64,
    /// Most gigabytes of result files (.out, JSON and CSV together) a run may write.
    #[arg(long, value_name = "GB", default_value_t = 10.0)]
    pub max_output_gb: f64,
    /// Most gigabytes of hydraulics a water-quality run may keep in memory.
    #[arg(long, value_name = "GB", default_value_t = 4.0)]
    pub max_memory_gb: f64,
    /// Longest a run may take, hours (no limit when not given).
    #[arg(long, value_name = "HOURS")]
    pub max_hours: Option<f64>,
}

impl BudgetArgs {
    /// The budget these options set.
    pub fn budget(&self) -> Budget {
        Budget {
            max_periods: Some(self.max_periods),
            max_output_bytes: Some((self.max_output_gb * 1e9) as u64),
            max_memory_bytes: Some((self.max_memory_gb * 1e9) as u64),
            max_seconds: self.max_hours.map(|hours| hours * 3600.0),
            option_name: |limit| match limit {
                Limit::Periods => "--max-periods",
                Limit::OutputBytes => "--max-output-gb",
                Limit::MemoryBytes => "--max-memory-gb",
                Limit::Seconds => "--max-hours",
            },
        }
    }
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
    let budget = args.budget.budget();
    let text_files = u64::from(args.json.is_some()) + u64::from(args.csv.is_some());
    let binary = args.output.is_some() || args.report.is_some();
    budget
        .check(&Estimate::of(&network, binary, text_files))
        .with_context(|| format!("{input_name} is not run"))?;

    let units = ReportUnits::of(&network);
    let prolog = Prolog::for_network(&network, &input_name);
    // The .out is written when asked for, or to a scratch file when only the report's
    // tables need it.
    let mut scratch = None;
    let out_path = match (&args.output, &args.report) {
        (Some(path), _) => Some(path.clone()),
        (None, Some(_)) => {
            let path = scratch_path();
            scratch = Some(ScratchFile(path.clone()));
            Some(path)
        }
        (None, None) => None,
    };
    let mut sinks: Vec<Box<dyn Sink>> = Vec::new();
    if let Some(path) = &out_path {
        let writer = OutWriter::create(path, &prolog)
            .with_context(|| format!("cannot write {}", path.display()))?;
        sinks.push(Box::new(OutSink::new(writer)));
    }
    if let Some(path) = &args.report {
        let writer = ReportWriter::new(create(path)?, &network, &input_name)?;
        sinks.push(Box::new(ReportSink::new(
            writer,
            &network,
            out_path.clone(),
        )));
    }
    if let Some(path) = &args.json {
        sinks.push(Box::new(JsonSink::new(JsonWriter::new(
            create(path)?,
            &prolog,
            &units,
        )?)));
    }
    if let Some(path) = &args.csv {
        sinks.push(Box::new(CsvSink::new(CsvWriter::new(
            create(path)?,
            &prolog,
            &units,
        )?)));
    }

    let phases = match network.options.quality {
        QualityAnalysis::None => 1,
        _ => 2,
    };
    let progress = progress_bar(network.times.duration, phases);
    sinks.push(Box::new(TerminalWarnings {
        progress: progress.clone(),
        shown: 0,
        quiet: args.quiet,
    }));
    let mut sink_refs: Vec<&mut dyn Sink> = sinks
        .iter_mut()
        .map(|s| s.as_mut() as &mut dyn Sink)
        .collect();
    let duration = network.times.duration;
    let quiet = args.quiet;
    let mut show = |step: Progress| {
        let (offset, what) = match step.phase {
            Phase::Hydraulics => (0, "hydraulics"),
            Phase::Quality => (duration, "water quality"),
        };
        progress.set_position(offset + step.time);
        progress.set_message(format!("{what} at {}", clock_time(step.time)));
        if progress.is_hidden() && started.elapsed() > Duration::from_secs(1) && !quiet {
            progress.set_draw_target(ProgressDrawTarget::stderr());
        }
    };
    let result = simulate_network(&network, &input_name, &budget, &mut sink_refs, &mut show);
    progress.finish_and_clear();
    drop(sink_refs);
    drop(sinks);
    drop(scratch);
    let summary = result?;

    let halted = if summary.halted {
        ", halted: system unbalanced"
    } else {
        ""
    };
    let outcome = if summary.warnings > 0 {
        "ran with warnings"
    } else {
        "ran successfully"
    };
    Ok(format!(
        "... {input_name} {outcome}: {} hydraulic periods, {} reported, \
         {} trials, {} warnings{halted} ({:.2} s)",
        summary.hydraulic_steps,
        summary.reported_periods,
        summary.trials,
        summary.warnings,
        started.elapsed().as_secs_f64()
    ))
}

/// A fresh name in the system's temporary folder for a scratch .out.
fn scratch_path() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!("danjiang-{}-{nanos}.out", std::process::id()))
}

/// Prints the first warnings of a run on the terminal, above the progress bar.
struct TerminalWarnings {
    progress: ProgressBar,
    shown: usize,
    quiet: bool,
}

impl Sink for TerminalWarnings {
    fn hydraulic_step(&mut self, step: &Step<'_>) -> Result<(), RunError> {
        let terminal = self;
        if terminal.quiet {
            return Ok(());
        }
        for warning in step.warnings {
            for line in warning.lines(step.state.time) {
                if terminal.shown < WARNINGS_SHOWN {
                    terminal.progress.suspend(|| eprintln!("{line}"));
                }
                terminal.shown += 1;
            }
        }
        Ok(())
    }

    fn period(&mut self, _time: u64, _results: &PeriodResults) -> Result<(), RunError> {
        Ok(())
    }

    fn finish(&mut self, _end: &RunEnd<'_>) -> Result<(), RunError> {
        Ok(())
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
