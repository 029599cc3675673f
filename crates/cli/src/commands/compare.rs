//! `danjiang compare A.out B.out`: the largest differences between two EPANET binary output
//! files, per quantity, and whether they are within the tolerances given.

use anyhow::Context;
use clap::Args;
use danjiang_output::binary::OutReader;
use danjiang_output::compare::{compare, Tolerances};
use std::path::PathBuf;
use std::process::ExitCode;

/// Compare two EPANET binary output files (.out, or .out.gz).
///
/// Prints, for every node and link quantity, the largest absolute and relative difference
/// and the element and time where it happens. Elements are matched by ID and periods by
/// time. Tolerances are in the files' report units; a value breaks one when
/// |a - b| > ABS + REL * max(|a|, |b|). Exit status: 0 when every tolerance given holds (or
/// none was given), 1 when one is broken or the files report different periods, or on error.
#[derive(Args, Debug)]
pub struct CompareArgs {
    /// The first output file.
    pub first: PathBuf,
    /// The second output file.
    pub second: PathBuf,
    /// Largest allowed head difference (ft or m).
    #[arg(long, value_name = "LENGTH")]
    pub head_tol: Option<f64>,
    /// Largest allowed pressure difference (report pressure units).
    #[arg(long, value_name = "PRESSURE")]
    pub pressure_tol: Option<f64>,
    /// Largest allowed flow and demand difference (report flow units).
    #[arg(long, value_name = "FLOW")]
    pub flow_tol: Option<f64>,
    /// Largest allowed quality difference (quality units).
    #[arg(long, value_name = "QUALITY")]
    pub quality_tol: Option<f64>,
    /// Largest allowed relative difference, for every quantity (0.001 is 0.1 %).
    #[arg(long, value_name = "FRACTION")]
    pub rel_tol: Option<f64>,
    /// Print the comparison as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Runs the comparison and returns the exit status.
pub fn run(args: &CompareArgs) -> anyhow::Result<ExitCode> {
    for (flag, value) in [
        ("--head-tol", args.head_tol),
        ("--pressure-tol", args.pressure_tol),
        ("--flow-tol", args.flow_tol),
        ("--quality-tol", args.quality_tol),
        ("--rel-tol", args.rel_tol),
    ] {
        if let Some(v) = value {
            anyhow::ensure!(
                v.is_finite() && v >= 0.0,
                "{flag} must be a number zero or above, not {v}"
            );
        }
    }
    let mut first = OutReader::open(&args.first)
        .with_context(|| format!("cannot read {}", args.first.display()))?;
    let mut second = OutReader::open(&args.second)
        .with_context(|| format!("cannot read {}", args.second.display()))?;
    let tolerances = Tolerances {
        head: args.head_tol,
        pressure: args.pressure_tol,
        flow: args.flow_tol,
        quality: args.quality_tol,
        relative: args.rel_tol,
    };
    let comparison = compare(&mut first, &mut second, &tolerances).with_context(|| {
        format!(
            "cannot compare {} with {}",
            args.first.display(),
            args.second.display()
        )
    })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&comparison)?);
    } else {
        println!("first:  {}", args.first.display());
        println!("second: {}", args.second.display());
        println!(
            "{} nodes, {} links, {} periods compared",
            first.prolog().node_count,
            first.prolog().link_count,
            comparison.compared_periods
        );
        print!("{}", comparison.table());
    }
    if comparison.passed() {
        Ok(ExitCode::SUCCESS)
    } else {
        if !args.json {
            println!("tolerance broken");
        }
        Ok(ExitCode::from(1))
    }
}
