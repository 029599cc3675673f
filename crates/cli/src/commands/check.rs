//! `danjiang check NET.inp`: reads a network as EPANET 2.3 would, prints a summary of it and
//! every problem found. Exit status 0 when there is no error, 1 when there are errors.

use anyhow::Context;
use clap::Args;
use danjiang_network::inp::{self, Diagnostic};
use danjiang_network::model::{DemandModel, HeadlossFormula, Network, QualityAnalysis};
use std::path::PathBuf;
use std::process::ExitCode;

/// Check an EPANET input file: summary of the network and every error and warning.
///
/// Reads the file as EPANET 2.3 accepts it (sections in any order, keywords in any case,
/// Latin-1 or UTF-8), then validates the network as a whole: references resolve, values are
/// in range, pumps have usable curves, every junction is linked and can reach a tank or
/// reservoir. Each problem is printed as `file:line: error CODE: message in [SECTION]
/// (line: "...")`, with EPANET's 200-series code where one applies. Exit status: 0 when no
/// error is found (warnings allowed), 1 when there are errors, 2 for a usage error.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The EPANET input file (.inp) to check.
    pub file: PathBuf,

    /// Print only the problems, not the summary of the network.
    #[arg(long, short)]
    pub quiet: bool,

    /// Print errors only, leaving out warnings (the exit status is the same).
    #[arg(long)]
    pub errors_only: bool,

    /// Print at most this many problems (0 for all); the counts are always complete.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub max_problems: usize,
}

/// Runs the check and returns the exit status.
pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let text = inp::decode(&bytes);
    let name = args.file.display().to_string();
    let started = std::time::Instant::now();
    let (network, diagnostics) = inp::check_str(&text, &name);
    let elapsed = started.elapsed();
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;

    if !args.quiet {
        print_summary(&network, &name);
        println!("  read in       {:.1} ms", elapsed.as_secs_f64() * 1000.0);
        println!();
    }
    let shown: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.is_error() || !args.errors_only)
        .collect();
    let limit = if args.max_problems == 0 {
        shown.len()
    } else {
        args.max_problems.min(shown.len())
    };
    for diagnostic in &shown[..limit] {
        println!("{diagnostic}");
    }
    if limit < shown.len() {
        println!("... and {} more", shown.len() - limit);
    }
    println!(
        "{name}: {errors} error{}, {warnings} warning{}",
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" }
    );
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn print_summary(network: &Network, name: &str) {
    let counts = network.counts();
    let options = &network.options;
    let times = &network.times;
    println!("{name}");
    if let Some(title) = network.title.first() {
        println!("  title         {title}");
    }
    println!(
        "  nodes         {} junctions, {} reservoirs, {} tanks",
        counts.junctions, counts.reservoirs, counts.tanks
    );
    println!(
        "  links         {} pipes, {} pumps, {} valves",
        counts.pipes, counts.pumps, counts.valves
    );
    println!(
        "  tables        {} patterns, {} curves",
        counts.patterns, counts.curves
    );
    println!(
        "  controls      {} simple controls, {} rules",
        counts.controls, counts.rules
    );
    println!(
        "  units         flow {}, pressure {}",
        options.flow_units.keyword(),
        options.pressure_units.keyword()
    );
    let headloss = match options.headloss {
        HeadlossFormula::HazenWilliams => "Hazen-Williams (H-W)",
        HeadlossFormula::DarcyWeisbach => "Darcy-Weisbach (D-W)",
        HeadlossFormula::ChezyManning => "Chezy-Manning (C-M)",
    };
    println!("  headloss      {headloss}");
    let demand_model = match options.demand_model {
        DemandModel::DemandDriven => "demand-driven (DDA)".to_string(),
        DemandModel::PressureDriven => format!(
            "pressure-driven (PDA), minimum {:.2} m, required {:.2} m, exponent {}",
            options.minimum_pressure, options.required_pressure, options.pressure_exponent
        ),
    };
    println!("  demand model  {demand_model}");
    let quality = match &options.quality {
        QualityAnalysis::None => "none".to_string(),
        QualityAnalysis::Chemical { name, units } => format!("chemical {name} ({units})"),
        QualityAnalysis::Age => "water age".to_string(),
        QualityAnalysis::Trace { node } => network
            .nodes
            .get(node.index())
            .map_or("trace".to_string(), |n| format!("trace from {}", n.id)),
    };
    println!("  quality       {quality}");
    println!(
        "  duration      {} (hydraulic step {}, pattern step {}, report step {})",
        clock(times.duration),
        clock(times.hydraulic_step),
        clock(times.pattern_step),
        clock(times.report_step)
    );
}

/// Seconds as h:mm (or h:mm:ss when there are seconds).
fn clock(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if s == 0 {
        format!("{h}:{m:02}")
    } else {
        format!("{h}:{m:02}:{s:02}")
    }
}
