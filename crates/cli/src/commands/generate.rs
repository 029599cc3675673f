//! `danjiang generate`: a synthetic supply network of any size (1,000 to 1,000,000 nodes and
//! more), written as an EPANET input file; the same seed gives the same file everywhere.

use anyhow::{bail, Context};
use danjiang_network::generate::{generate, GeneratorSpec, Layout};
use danjiang_network::inp::writer;
use danjiang_network::FlowUnits;
use std::path::PathBuf;
use std::process::ExitCode;

/// Generate a realistic synthetic network (districts, trunk mains, pumped sources, tanks, PRV
/// zones, demand patterns) and write it as an EPANET input file.
#[derive(clap::Args, Debug)]
pub struct GenerateArgs {
    /// Total number of nodes (junctions, reservoirs and tanks), exactly.
    #[arg(long, default_value_t = 1000)]
    pub nodes: usize,
    /// Seed of the random choices: the same seed gives the same network on every machine.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Pipe layout: grid (looped), tree (branched) or mixed.
    #[arg(long, default_value = "mixed", value_parser = parse_layout)]
    pub layout: Layout,
    /// Length of the extended-period run, hours (0 for one steady state).
    #[arg(long, default_value_t = 24)]
    pub duration: u32,
    /// Flow units of the file: CFS, GPM, MGD, IMGD, AFD, LPS, LPM, MLD, CMH, CMD or CMS.
    #[arg(long, default_value = "LPS", value_parser = parse_units)]
    pub units: FlowUnits,
    /// The EPANET input file to write (an existing file is replaced).
    #[arg(short, long)]
    pub output: PathBuf,
}

fn parse_layout(word: &str) -> Result<Layout, String> {
    [Layout::Grid, Layout::Tree, Layout::Mixed]
        .into_iter()
        .find(|layout| layout.keyword().eq_ignore_ascii_case(word))
        .ok_or_else(|| format!("unknown layout {word:?}: expected grid, tree or mixed"))
}

fn parse_units(word: &str) -> Result<FlowUnits, String> {
    FlowUnits::from_keyword(word).ok_or_else(|| {
        let known: Vec<&str> = FlowUnits::ALL.iter().map(|u| u.keyword()).collect();
        format!(
            "unknown flow units {word:?}: expected one of {}",
            known.join(", ")
        )
    })
}

/// Generates the network and writes it.
pub fn run(args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    if args.output.extension().and_then(|e| e.to_str()) != Some("inp") {
        bail!(
            "{}: the output must be an EPANET input file named *.inp",
            args.output.display()
        );
    }
    let spec = GeneratorSpec {
        nodes: args.nodes,
        seed: args.seed,
        layout: args.layout,
        duration_hours: args.duration,
        flow_units: args.units,
    };
    let network = generate(&spec)?;
    writer::write_file(&network, &args.output)
        .with_context(|| format!("writing {}", args.output.display()))?;
    let counts = network.counts();
    eprintln!(
        "wrote {}: {} junctions, {} reservoirs, {} tanks, {} pipes, {} pumps, {} valves",
        args.output.display(),
        counts.junctions,
        counts.reservoirs,
        counts.tanks,
        counts.pipes,
        counts.pumps,
        counts.valves
    );
    Ok(ExitCode::SUCCESS)
}
