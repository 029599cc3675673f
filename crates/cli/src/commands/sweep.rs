//! `danjiang sweep ...`: many questions about one network at once: isolation segments,
//! contamination sweeps and criticality (N-1 or per segment), each splittable into shards
//! that `sweep merge` joins into exactly the result of one run.

use anyhow::{bail, Context};
use clap::{Args, Subcommand, ValueEnum};
use danjiang_network::inp;
use danjiang_network::Network;
use danjiang_scenarios::contamination::{
    self, every_node, population_by_demand, read_node_list, read_population, read_scenarios,
    ContaminationSweep, InjectionDefaults, Receptors, SweepOptions,
};
use danjiang_scenarios::criticality::{
    self, pipe_outages, segment_outages, CriticalityOptions, CriticalitySweep,
};
use danjiang_scenarios::table::{ColumnKind, Table};
use danjiang_scenarios::{read_valve_layer, segments, strategic_valve_layer, Segmentation, Shard};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write;
use std::path::{Path, PathBuf};
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
    /// Contamination: one injection per scenario (every node, a node list or a scenario
    /// file), hydraulics solved once and shared; for each scenario and receptor the first time
    /// above the threshold, the peak and its time, the mass delivered and the people exposed.
    Contamination(ContaminationArgs),
    /// Criticality: for each isolation segment (from a valve layer) or each pipe (N-1), a
    /// pressure-driven run with it shut off; demand not delivered and the lowest pressure.
    Criticality(CriticalityArgs),
    /// Joins the output folders of the shards of one sweep into the output of one run.
    Merge(MergeArgs),
}

/// Options every parallel sweep shares.
#[derive(Args, Debug)]
pub struct ParallelArgs {
    /// Output folder (made if missing): CSV and Parquet tables, summary.txt, sweep.json.
    #[arg(long, short, value_name = "DIR")]
    pub output: PathBuf,

    /// Run only part k of n of the scenarios (contiguous blocks); `sweep merge` joins parts.
    #[arg(long, value_name = "K/N", default_value = "1/1")]
    pub shard: String,

    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,

    /// Scenarios listed in the summary.
    #[arg(long, default_value_t = 20)]
    pub top: usize,

    /// Run length in hours (or H:MM), instead of the network's duration.
    #[arg(long, value_name = "HOURS")]
    pub run_duration: Option<String>,
}

/// Arguments of `danjiang sweep contamination`.
#[derive(Args, Debug)]
pub struct ContaminationArgs {
    /// The EPANET input file.
    pub network: PathBuf,

    #[command(flatten)]
    pub parallel: ParallelArgs,

    /// Inject at these nodes only (IDs separated by commas); default: every junction and tank.
    #[arg(long, value_delimiter = ',', conflicts_with = "scenarios")]
    pub nodes: Vec<String>,

    /// Scenario file: CSV with node[,start,duration,kind,strength,decay] (times in hours or
    /// H:MM[:SS]); missing fields take the options below.
    #[arg(long, value_name = "CSV")]
    pub scenarios: Option<PathBuf>,

    /// Injection start, hours or H:MM[:SS].
    #[arg(long, default_value = "0")]
    pub start: String,

    /// Injection duration, hours or H:MM[:SS].
    #[arg(long, default_value = "1")]
    pub duration: String,

    /// Source kind: MASS (strength in mass per minute), SETPOINT, FLOWPACED or CONCEN
    /// (strength a concentration).
    #[arg(long, default_value = "MASS")]
    pub kind: String,

    /// Source strength: mg/min for MASS, mg/L otherwise.
    #[arg(long, default_value_t = 1000.0)]
    pub strength: f64,

    /// First-order decay rate of the contaminant, 1/day (0: conservative).
    #[arg(long, default_value_t = 0.0)]
    pub decay: f64,

    /// Concentration above which a receptor counts as reached, mg/L.
    #[arg(long, default_value_t = 0.001)]
    pub threshold: f64,

    /// Quality time step in seconds (receptors are sampled this often); default the network's.
    #[arg(long, value_name = "SECONDS")]
    pub quality_step: Option<u64>,

    /// Water plants: a file of node IDs, one per line. Default: nodes tagged PLANT, or else
    /// every tank.
    #[arg(long, value_name = "FILE")]
    pub plants: Option<PathBuf>,

    /// Sensors: a file of node IDs, one per line.
    #[arg(long, value_name = "FILE")]
    pub sensors: Option<PathBuf>,

    /// Also report every demand node the contaminant reaches above the threshold.
    #[arg(long)]
    pub demand_receptors: bool,

    /// Population per node: CSV with node,population. Default: average demand over the water
    /// one person uses (--per-person).
    #[arg(long, value_name = "CSV")]
    pub population: Option<PathBuf>,

    /// Water one person uses, litres per day, when population follows demand (WNTR's 200 US
    /// gallons: 757 L).
    #[arg(long, default_value_t = 757.0, value_name = "LITRES")]
    pub per_person: f64,
}

/// Arguments of `danjiang sweep criticality`.
#[derive(Args, Debug)]
pub struct CriticalityArgs {
    /// The EPANET input file.
    pub network: PathBuf,

    #[command(flatten)]
    pub parallel: ParallelArgs,

    /// Valve layer (CSV valve,link,node): one scenario per isolation segment.
    #[arg(long, value_name = "CSV", conflicts_with_all = ["strategic", "pipes"])]
    pub valves: Option<PathBuf>,

    /// Place a strategic valve layer (all but N links valved at each node) and isolate its
    /// segments.
    #[arg(long, value_name = "N", conflicts_with = "pipes")]
    pub strategic: Option<usize>,

    /// Seed for --strategic.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// One scenario per pipe, closed alone (N-1).
    #[arg(long)]
    pub pipes: bool,

    /// Pressure for full delivery, m (default: the network's).
    #[arg(long, value_name = "METRES")]
    pub required_pressure: Option<f64>,

    /// Pressure below which nothing is delivered, m (default: the network's).
    #[arg(long, value_name = "METRES")]
    pub minimum_pressure: Option<f64>,

    /// Water plants (file of node IDs): their undelivered demand is reported on its own.
    #[arg(long, value_name = "FILE")]
    pub plants: Option<PathBuf>,
}

/// Arguments of `danjiang sweep merge`.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// The shards' output folders, in any order.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,

    /// Output folder for the joined result.
    #[arg(long, short, value_name = "DIR")]
    pub output: PathBuf,
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
        Sweep::Contamination(contamination_args) => run_contamination(contamination_args),
        Sweep::Criticality(criticality_args) => run_criticality(criticality_args),
        Sweep::Merge(merge_args) => run_merge(merge_args),
    }
}

pub(crate) fn read_network(path: &PathBuf) -> anyhow::Result<Network> {
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

/// A progress bar on standard error with the time left (hidden when stderr is not a terminal).
fn progress_bar(count: usize, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(count as u64);
    if let Ok(style) = ProgressStyle::with_template(
        "{bar:40} {pos}/{len} {msg} ({per_sec}, {elapsed} so far, about {eta} left)",
    ) {
        bar.set_style(style);
    }
    bar.set_message(what.to_string());
    bar
}

fn hours(text: &str, what: &str) -> anyhow::Result<u64> {
    contamination::parse_time(text).map_err(|e| anyhow::anyhow!("{what}: {e}"))
}

/// What a sweep's output folder holds besides its tables: which sweep, which shard of how
/// many scenarios, and the settings every shard of one sweep must share.
fn manifest(
    kind: &str,
    shard: Shard,
    total: usize,
    settings: serde_json::Value,
) -> serde_json::Value {
    serde_json::json!({
        "sweep": kind,
        "shard": shard.to_string(),
        "scenarios": total,
        "settings": settings,
    })
}

/// Writes each table as CSV and Parquet, the summary and the manifest.
fn write_outputs(
    dir: &Path,
    tables: &[(&str, &Table)],
    summary: &str,
    manifest: &serde_json::Value,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot make {}", dir.display()))?;
    for (name, table) in tables {
        table.write_csv(&dir.join(format!("{name}.csv")))?;
        table.write_parquet(&dir.join(format!("{name}.parquet")))?;
    }
    std::fs::write(dir.join("summary.txt"), summary)
        .with_context(|| format!("cannot write {}", dir.join("summary.txt").display()))?;
    let mut text = serde_json::to_string_pretty(manifest)?;
    text.push('\n');
    std::fs::write(dir.join("sweep.json"), text)
        .with_context(|| format!("cannot write {}", dir.join("sweep.json").display()))?;
    Ok(())
}

/// A contamination sweep as its command-line arguments set it up, and the scenarios it ran.
pub struct RanSweep {
    /// The network.
    pub network: Network,
    /// The sweep (hydraulics, receptors).
    pub sweep: ContaminationSweep,
    /// Every scenario of the whole sweep.
    pub injections: Vec<contamination::Injection>,
    /// The part that ran.
    pub shard: Shard,
    /// What each scenario of this shard gave.
    pub outcomes: Vec<contamination::ScenarioOutcome>,
    /// The injection defaults.
    pub defaults: InjectionDefaults,
    /// The run length asked for, s.
    pub run_duration: Option<u64>,
    /// Seconds the hydraulics and the scenarios took.
    pub seconds: (f64, f64),
}

/// Reads the network and the scenario options, and runs this shard's scenarios with a
/// progress bar. `extra_sensors` watches these nodes as sensors besides `--sensors`, and
/// `demand_receptors` forces demand nodes to be watched.
pub fn run_sweep(
    args: &ContaminationArgs,
    extra_sensors: impl FnOnce(&Network) -> Vec<danjiang_network::NodeIdx>,
    demand_receptors: bool,
) -> anyhow::Result<RanSweep> {
    let network = read_network(&args.network)?;
    let shard = Shard::parse(&args.parallel.shard)?;
    let defaults = injection_defaults(args)?;
    let injections = injections(args, &network, &defaults)?;
    let run_duration = args
        .parallel
        .run_duration
        .as_deref()
        .map(|d| hours(d, "--run-duration"))
        .transpose()?;
    let mut sensors = match &args.sensors {
        Some(path) => read_node_list(path, &network)?,
        None => Vec::new(),
    };
    sensors.extend(extra_sensors(&network));
    sensors.sort_unstable_by_key(|n| n.index());
    sensors.dedup();
    let plants = args
        .plants
        .as_ref()
        .map(|path| read_node_list(path, &network))
        .transpose()?;
    let population = population(args, &network)?;
    let demand_nodes = args.demand_receptors || demand_receptors;
    let receptors = Receptors::new(&network, plants, sensors, demand_nodes, population);
    let options = SweepOptions {
        threshold: args.threshold,
        quality_step: args.quality_step,
        duration: run_duration,
    };
    let started = std::time::Instant::now();
    let sweep = ContaminationSweep::new(&network, receptors, &options)?;
    let hydraulic_seconds = started.elapsed().as_secs_f64();
    let range = shard.range(injections.len());
    let mine = &injections[range.clone()];
    let bar = progress_bar(mine.len(), "scenarios");
    let started = std::time::Instant::now();
    let outcomes = sweep.run(mine, range.start + 1, args.parallel.threads, &|| bar.inc(1))?;
    bar.finish_and_clear();
    Ok(RanSweep {
        network,
        sweep,
        injections,
        shard,
        outcomes,
        defaults,
        run_duration,
        seconds: (hydraulic_seconds, started.elapsed().as_secs_f64()),
    })
}

fn injection_defaults(args: &ContaminationArgs) -> anyhow::Result<InjectionDefaults> {
    let kind = contamination::parse_kind(&args.kind).map_err(|e| anyhow::anyhow!("--kind: {e}"))?;
    let defaults = InjectionDefaults {
        start: hours(&args.start, "--start")?,
        duration: hours(&args.duration, "--duration")?,
        kind,
        strength: args.strength,
        decay: args.decay,
    };
    defaults.check()?;
    Ok(defaults)
}

fn injections(
    args: &ContaminationArgs,
    network: &Network,
    defaults: &InjectionDefaults,
) -> anyhow::Result<Vec<contamination::Injection>> {
    if let Some(path) = &args.scenarios {
        return Ok(read_scenarios(path, network, defaults)?);
    }
    if args.nodes.is_empty() {
        return Ok(every_node(network, defaults));
    }
    args.nodes
        .iter()
        .map(|id| {
            let node = network
                .node_idx(id.trim())
                .with_context(|| format!("--nodes: node {id:?} is not in the network"))?;
            Ok(defaults.at(node))
        })
        .collect()
}

fn population(args: &ContaminationArgs, network: &Network) -> anyhow::Result<Vec<f64>> {
    match &args.population {
        Some(path) => Ok(read_population(path, network)?),
        None => {
            if !(args.per_person.is_finite() && args.per_person > 0.0) {
                bail!(
                    "--per-person {}: expected litres per day above zero",
                    args.per_person
                );
            }
            Ok(population_by_demand(
                network,
                args.per_person / 1000.0 / 86_400.0,
            ))
        }
    }
}

fn run_contamination(args: &ContaminationArgs) -> anyhow::Result<ExitCode> {
    let RanSweep {
        network,
        sweep,
        injections,
        shard,
        outcomes,
        defaults,
        run_duration,
        seconds: (hydraulic_seconds, elapsed),
    } = run_sweep(args, |_| Vec::new(), false)?;
    let scenarios = contamination::scenario_table(&network, &outcomes)?;
    let receptors = contamination::receptor_table(&network, sweep.receptors(), &outcomes)?;
    let summary = contamination::summary_text(&scenarios, args.parallel.top);
    let settings = serde_json::json!({
        "network": args.network.file_name().map(|n| n.to_string_lossy().to_string()),
        "scenarios_file": args.scenarios.as_ref().map(|p| p.display().to_string()),
        "nodes": args.nodes,
        "start": defaults.start, "duration": defaults.duration, "kind": args.kind.to_ascii_uppercase(),
        "strength": args.strength, "decay": args.decay, "threshold": args.threshold,
        "quality_step": sweep.quality_step(), "run_duration": run_duration,
        "plants": args.plants.as_ref().map(|p| p.display().to_string()),
        "sensors": args.sensors.as_ref().map(|p| p.display().to_string()),
        "demand_receptors": args.demand_receptors,
        "population": args.population.as_ref().map(|p| p.display().to_string()),
        "per_person": args.per_person, "top": args.parallel.top,
    });
    write_outputs(
        &args.parallel.output,
        &[("scenarios", &scenarios), ("receptors", &receptors)],
        &summary,
        &manifest("contamination", shard, injections.len(), settings),
    )?;
    let failed = outcomes.iter().filter(|o| o.result.is_err()).count();
    eprint!("{summary}");
    eprintln!(
        "shard {shard}: {} of {} scenarios in {elapsed:.1} s ({:.1} scenarios/s; hydraulics {hydraulic_seconds:.1} s); {failed} failed; results in {}",
        outcomes.len(),
        injections.len(),
        outcomes.len() as f64 / elapsed.max(1e-9),
        args.parallel.output.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn run_criticality(args: &CriticalityArgs) -> anyhow::Result<ExitCode> {
    let network = read_network(&args.network)?;
    let shard = Shard::parse(&args.parallel.shard)?;
    let outages = if args.pipes {
        pipe_outages(&network)
    } else {
        let valves = match (&args.valves, args.strategic) {
            (Some(path), _) => read_valve_layer(path, &network)?,
            (None, Some(unvalved)) => strategic_valve_layer(&network, unvalved, args.seed),
            (None, None) => bail!(
                "give a valve layer with --valves FILE.csv or --strategic N (segments), or --pipes (N-1)"
            ),
        };
        segment_outages(&segments(&network, &valves), &valves)
    };
    let plants = match &args.plants {
        Some(path) => read_node_list(path, &network)?,
        None => Vec::new(),
    };
    let run_duration = args
        .parallel
        .run_duration
        .as_deref()
        .map(|d| hours(d, "--run-duration"))
        .transpose()?;
    let options = CriticalityOptions {
        required_pressure: args.required_pressure,
        minimum_pressure: args.minimum_pressure,
        duration: run_duration,
        plants: plants.clone(),
    };
    let sweep = CriticalitySweep::new(&network, &options)?;
    let range = shard.range(outages.len());
    let mine = &outages[range.clone()];
    let bar = progress_bar(mine.len(), "outages");
    let started = std::time::Instant::now();
    let outcomes = sweep.run(mine, range.start + 1, args.parallel.threads, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let elapsed = started.elapsed().as_secs_f64();
    let outage_rows = criticality::outage_table(&network, &outcomes)?;
    let shortfall_rows = criticality::shortfall_table(&network, &plants, &outcomes)?;
    let summary = criticality::criticality_summary(&outage_rows, args.parallel.top);
    let settings = serde_json::json!({
        "network": args.network.file_name().map(|n| n.to_string_lossy().to_string()),
        "valves": args.valves.as_ref().map(|p| p.display().to_string()),
        "strategic": args.strategic, "seed": args.seed, "pipes": args.pipes,
        "required_pressure": args.required_pressure, "minimum_pressure": args.minimum_pressure,
        "run_duration": run_duration,
        "plants": args.plants.as_ref().map(|p| p.display().to_string()),
        "top": args.parallel.top,
    });
    write_outputs(
        &args.parallel.output,
        &[("outages", &outage_rows), ("shortfall", &shortfall_rows)],
        &summary,
        &manifest("criticality", shard, outages.len(), settings),
    )?;
    eprint!("{summary}");
    eprintln!(
        "shard {shard}: {} of {} outages in {elapsed:.1} s; results in {}",
        mine.len(),
        outages.len(),
        args.parallel.output.display()
    );
    Ok(ExitCode::SUCCESS)
}

type Schema = Vec<(&'static str, ColumnKind)>;

fn run_merge(args: &MergeArgs) -> anyhow::Result<ExitCode> {
    let mut parts = Vec::new();
    for dir in &args.shards {
        let path = dir.join("sweep.json");
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "cannot read {} (is {} a sweep's output folder?)",
                path.display(),
                dir.display()
            )
        })?;
        let manifest: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("{}: not a sweep manifest", path.display()))?;
        let shard = Shard::parse(manifest["shard"].as_str().unwrap_or(""))
            .with_context(|| format!("{}: bad shard", path.display()))?;
        parts.push((shard, manifest, dir.clone()));
    }
    parts.sort_by_key(|(shard, _, _)| shard.index);
    let (first_shard, first, _) = &parts[0]; // ok: clap requires at least one folder
    let count = first_shard.count;
    for (i, (shard, manifest, dir)) in parts.iter().enumerate() {
        if shard.count != count || shard.index != i + 1 {
            bail!(
                "{}: shard {shard} does not fit: expected shards 1/{count} to {count}/{count}, each once",
                dir.display()
            );
        }
        for key in ["sweep", "scenarios", "settings"] {
            if manifest[key] != first[key] {
                bail!(
                    "{}: its {key} differ from the first shard's: not the same sweep",
                    dir.display()
                );
            }
        }
    }
    if parts.len() != count {
        bail!("{} of {count} shards given", parts.len());
    }
    let kind = first["sweep"].as_str().unwrap_or("");
    let top = first["settings"]["top"].as_u64().unwrap_or(20) as usize;
    let tables: Vec<(&str, Schema)> = match kind {
        "contamination" => vec![
            ("scenarios", contamination::scenario_schema()),
            ("receptors", contamination::receptor_schema()),
        ],
        "criticality" => vec![
            ("outages", criticality::outage_schema()),
            ("shortfall", criticality::shortfall_schema()),
        ],
        other => bail!("cannot merge a sweep of kind {other:?}"),
    };
    let mut joined: Vec<Table> = tables
        .iter()
        .map(|(_, schema)| Table::new(schema))
        .collect();
    for (_, _, dir) in &parts {
        for ((name, schema), table) in tables.iter().zip(&mut joined) {
            table.append(Table::read_csv(&dir.join(format!("{name}.csv")), schema)?)?;
        }
    }
    let summary = match kind {
        "contamination" => contamination::summary_text(&joined[0], top),
        _ => criticality::criticality_summary(&joined[0], top),
    };
    let mut manifest = first.clone();
    manifest["shard"] = serde_json::json!(Shard::WHOLE.to_string());
    let named: Vec<(&str, &Table)> = tables.iter().map(|(n, _)| *n).zip(joined.iter()).collect();
    write_outputs(&args.output, &named, &summary, &manifest)?;
    eprintln!(
        "joined {count} shards of a {kind} sweep ({} rows) into {}",
        joined[0].row_count(),
        args.output.display()
    );
    Ok(ExitCode::SUCCESS)
}
