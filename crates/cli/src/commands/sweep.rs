//! `danjiang sweep ...`: many questions about one network at once. For now: isolation segments.

use anyhow::{bail, Context};
use clap::{Args, Subcommand, ValueEnum};
use danjiang_network::inp;
use danjiang_network::Network;
use danjiang_scenarios::{read_valve_layer, segments, strategic_valve_layer, Segmentation};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Run a sweep of scenarios over one network.
#[derive(Args, Debug)]
pub struct SweepArgs {
    #[command(subcommand)]
    pub sweep: Sweep,
}

/// The kinds of sweep.
#[derive(Subcommand, Debug)]
pub enum Sweep {
    /// Isolation segments: the parts of the network that closing isolation valves cut off,
    /// as WNTR's `valve_segments` defines them, each with its nodes, links, base demand and the
    /// valves that close it.
    Segments(SegmentsArgs),
}

/// Output formats of a segment sweep.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SegmentsFormat {
    /// One row per segment: number, node and link counts, base demand, valves.
    Csv,
    /// Every segment with its elements and valves, and every element's segment.
    Json,
}

/// Arguments of `danjiang sweep segments`.
#[derive(Args, Debug)]
pub struct SegmentsArgs {
    /// The EPANET input file.
    pub network: PathBuf,

    /// Valve layer: CSV with columns valve,link,node (a valve on link L at node N separates
    /// L from N).
    #[arg(long, value_name = "CSV", conflicts_with = "strategic")]
    pub valves: Option<PathBuf>,

    /// Instead of a valve layer file, place valves as WNTR's 'strategic' layer does: at every
    /// node a valve on each link but N of them.
    #[arg(long, value_name = "N")]
    pub strategic: Option<usize>,

    /// Seed for --strategic (the same seed gives the same layer).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: SegmentsFormat,

    /// Write here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Runs a sweep and returns the exit status.
pub fn run(args: &SweepArgs) -> anyhow::Result<ExitCode> {
    match &args.sweep {
        Sweep::Segments(segment_args) => run_segments(segment_args),
    }
}

fn read_network(path: &PathBuf) -> anyhow::Result<Network> {
    match inp::read_file(path) {
        Ok(outcome) => Ok(outcome.network),
        Err(error) => bail!("{error}\nfix the input file, then run the sweep again (`danjiang check` lists every problem)"),
    }
}

fn run_segments(args: &SegmentsArgs) -> anyhow::Result<ExitCode> {
    let network = read_network(&args.network)?;
    let valves = match (&args.valves, args.strategic) {
        (Some(path), _) => read_valve_layer(path, &network)?,
        (None, Some(unvalved)) => strategic_valve_layer(&network, unvalved, args.seed),
        (None, None) => {
            bail!("give a valve layer with --valves FILE.csv, or --strategic N to place valves")
        }
    };
    let result = segments(&network, &valves);
    let mut text = Vec::new();
    match args.format {
        SegmentsFormat::Csv => write_csv(&mut text, &network, &valves, &result)?,
        SegmentsFormat::Json => {
            serde_json::to_writer_pretty(&mut text, &segments_json(&network, &valves, &result))?;
            text.push(b'\n');
        }
    }
    match &args.output {
        Some(path) => std::fs::write(path, &text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => std::io::stdout().write_all(&text)?,
    }
    eprintln!(
        "{} segments from {} valves; the largest has {} nodes",
        result.segments.len(),
        valves.len(),
        result
            .segments
            .iter()
            .map(|s| s.nodes.len())
            .max()
            .unwrap_or(0)
    );
    Ok(ExitCode::SUCCESS)
}

fn demand_in_file_units(network: &Network, cubic_metres_per_second: f64) -> f64 {
    network.options.flow_units.from_si(cubic_metres_per_second)
}

fn write_csv(
    out: &mut Vec<u8>,
    network: &Network,
    valves: &[danjiang_scenarios::IsolationValve],
    result: &Segmentation,
) -> anyhow::Result<()> {
    writeln!(
        out,
        "segment,nodes,links,base_demand_{},valves",
        network.options.flow_units.keyword().to_ascii_lowercase()
    )?;
    for segment in &result.segments {
        let valve_ids: Vec<&str> = segment
            .valves
            .iter()
            .map(|&v| valves[v].id.as_str())
            .collect();
        writeln!(
            out,
            "{},{},{},{},{}",
            segment.number,
            segment.nodes.len(),
            segment.links.len(),
            demand_in_file_units(network, segment.base_demand),
            valve_ids.join(" ")
        )?;
    }
    Ok(())
}

fn segments_json(
    network: &Network,
    valves: &[danjiang_scenarios::IsolationValve],
    result: &Segmentation,
) -> serde_json::Value {
    let segment_rows: Vec<serde_json::Value> = result
        .segments
        .iter()
        .map(|segment| {
            serde_json::json!({
                "segment": segment.number,
                "nodes": segment.nodes.iter().map(|&n| network.node(n).id.as_str()).collect::<Vec<_>>(),
                "links": segment.links.iter().map(|&l| network.link(l).id.as_str()).collect::<Vec<_>>(),
                "base_demand": demand_in_file_units(network, segment.base_demand),
                "valves": segment.valves.iter().map(|&v| valves[v].id.as_str()).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::json!({
        "flow_units": network.options.flow_units.keyword(),
        "segments": segment_rows,
        "node_segment": network.nodes.iter().zip(&result.node_segment)
            .map(|(n, s)| (n.id.clone(), serde_json::json!(s))).collect::<serde_json::Map<_, _>>(),
        "link_segment": network.links.iter().zip(&result.link_segment)
            .map(|(l, s)| (l.id.clone(), serde_json::json!(s))).collect::<serde_json::Map<_, _>>(),
    })
}
