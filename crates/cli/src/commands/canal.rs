//! `danjiang canal run|spill CANAL.inp`: the open main canal (SWMM 5 input, open-channel
//! subset): unsteady hydraulics with gates and outlets, and a spill carried to every outlet,
//! gate and the outfall, and on through the pipe network to the plants.

use anyhow::{bail, Context};
use clap::{Args, Subcommand, ValueEnum};
use danjiang_canal::spill::{run_spill, CloseWhen, Closure, SpillAt, SpillResults, SpillSpec};
use danjiang_canal::transport::Dispersion;
use danjiang_canal::{inp, run, Canal};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod supply;

/// The open main canal: unsteady hydraulics, spills, gate operations.
#[derive(Args, Debug)]
pub struct CanalArgs {
    #[command(subcommand)]
    command: CanalCommand,
}

#[derive(Subcommand, Debug)]
enum CanalCommand {
    Run(CanalRunArgs),
    Spill(Box<CanalSpillArgs>),
}

/// Simulate the canal's hydraulics: depth, head and flow at every node, link and report step.
///
/// The canal is a SWMM 5 input file (DYNWAVE, SI flow units): junctions, outfalls, conduits
/// with TRAPEZOIDAL, RECT_OPEN or IRREGULAR sections, ORIFICE gates, WEIRs, OUTLET withdrawals,
/// [CONTROLS] rules. The report step is the file's REPORT_STEP. Exit status 1 on bad input, with
/// the file and line.
#[derive(Args, Debug)]
pub struct CanalRunArgs {
    /// The canal (SWMM 5 .inp, or its JSON form .json).
    pub input: PathBuf,
    /// Write the series as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the series as CSV (time_s, kind, id, depth_m, head_m, flow_m3s) to this file.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Largest computational cell, m.
    #[arg(long, value_name = "M", default_value_t = 100.0)]
    pub cell: f64,
}

/// Output format of `canal spill`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq)]
pub enum SpillFormat {
    /// A table on the terminal.
    Table,
    /// JSON on standard output.
    Json,
}

/// Simulate a spill on the canal: when and how strongly it reaches each outlet, gate, the
/// outfall and (with --network) each plant, and the latest time to close each outlet.
///
/// The spill is a mass put in at once (or over --duration) at a node or chainage. Results per
/// place: arrival_s (first time above --threshold), peak_mg_l, peak_time_s, above_threshold_s,
/// mass_kg. Each outlet also gets latest_close_s: the latest time its gate can start closing so
/// that nothing above the threshold enters it.
#[derive(Args, Debug)]
pub struct CanalSpillArgs {
    /// The canal (SWMM 5 .inp, or its JSON form .json).
    pub input: PathBuf,
    /// Spill at this node of the canal.
    #[arg(
        long,
        value_name = "ID",
        conflicts_with = "at_km",
        required_unless_present = "at_km"
    )]
    pub at_node: Option<String>,
    /// Spill at this chainage, km from the canal's upstream end.
    #[arg(long, value_name = "KM")]
    pub at_km: Option<f64>,
    /// Mass spilled, kg.
    #[arg(long, value_name = "M")]
    pub mass_kg: f64,
    /// Spread the mass over this long (H:MM); at once when not given.
    #[arg(long, value_name = "H:MM")]
    pub duration: Option<String>,
    /// Time of the spill after the start (H:MM).
    #[arg(long, value_name = "H:MM", default_value = "0:00")]
    pub start: String,
    /// Longitudinal dispersion: a coefficient in m²/s, `fischer`, or `a*V^b` as `power:A:B`.
    #[arg(long, value_name = "D|fischer", default_value = "fischer")]
    pub dispersion: String,
    /// First-order decay, per day.
    #[arg(long, value_name = "PER_DAY", default_value_t = 0.0)]
    pub decay: f64,
    /// Concentration that counts as arrived, mg/L.
    #[arg(long, value_name = "MG_L", default_value_t = 0.01)]
    pub threshold: f64,
    /// Also report at these chainages, km (repeatable).
    #[arg(long = "report-km", value_name = "KM")]
    pub report_km: Vec<f64>,
    /// Close a gate or outlet: `ID@H:MM` (at a time) or `ID>MG_L` (when the concentration
    /// reaching it first exceeds MG_L). Repeatable.
    #[arg(long, value_name = "RULE")]
    pub close: Vec<String>,
    /// Carry the outlets' concentration series through this EPANET network to its plants.
    #[arg(long, value_name = "NET.inp")]
    pub network: Option<PathBuf>,
    /// With --network: the network node fed by a canal outlet, `OUTLET=NODE` (repeatable;
    /// by default the node named like the outlet, or `R-` and the outlet's ID).
    #[arg(long = "outlet-node", value_name = "OUTLET=NODE")]
    pub outlet_node: Vec<String>,
    /// With --network: the plants to report (repeatable; by default the junctions whose ID
    /// starts `P-` and that have a demand).
    #[arg(long, value_name = "ID")]
    pub plant: Vec<String>,
    /// With --network and an outlet closed by --close: a plant's clear-water storage,
    /// `PLANT=M3` (repeatable; by default 10 % of a day of its mean demand, the low end of
    /// GB 50013-2018).
    #[arg(long, value_name = "PLANT=M3")]
    pub storage: Vec<String>,
    /// With --network and an outlet closed: write the network as run for the closures
    /// (pressure-driven, the closed outlets' links closed by timed controls) to this file.
    #[arg(long, value_name = "FILE")]
    pub write_closed_network: Option<PathBuf>,
    /// With --network: write the network with the outlets' series as its sources to this file,
    /// for a plain `danjiang run`.
    #[arg(long, value_name = "FILE")]
    pub write_network: Option<PathBuf>,
    /// Largest computational cell, m.
    #[arg(long, value_name = "M", default_value_t = 100.0)]
    pub cell: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SpillFormat::Table)]
    pub format: SpillFormat,
}

/// Runs `danjiang canal ...`.
pub fn run(args: &CanalArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        CanalCommand::Run(args) => run_canal(args),
        CanalCommand::Spill(args) => spill(args),
    }
}

fn load(path: &Path, cell: f64) -> anyhow::Result<Canal> {
    if !(cell.is_finite() && cell > 0.0) {
        bail!("--cell {cell}: expected a positive cell length in m");
    }
    let mut model = read_model(path)?;
    model.options.max_cell_m = cell;
    Ok(Canal::new(model)?)
}

/// A canal file: the JSON form (`.json`, from `danjiang convert`) or SWMM 5 input.
pub fn read_model(path: &Path) -> anyhow::Result<danjiang_canal::CanalModel> {
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    Ok(if json {
        danjiang_canal::json::read_file(path)?
    } else {
        inp::read_file(path)?
    })
}

fn run_canal(args: &CanalRunArgs) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let canal = load(&args.input, args.cell)?;
    let results = run::run(&canal)?;
    let elapsed = started.elapsed();
    if let Some(path) = &args.json {
        let file = std::fs::File::create(path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        serde_json::to_writer(std::io::BufWriter::new(file), &results)?;
    }
    if let Some(path) = &args.csv {
        write_run_csv(path, &results)?;
    }
    to_stdout(|out| write_run_summary(out, args, &canal, &results, elapsed))?;
    Ok(ExitCode::SUCCESS)
}

/// Writes to a locked standard output; a closed pipe (`| head`) ends the output quietly.
fn to_stdout(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn write_run_summary(
    out: &mut dyn Write,
    args: &CanalRunArgs,
    canal: &Canal,
    results: &run::RunResults,
    elapsed: std::time::Duration,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{}: {:.1} km, {} nodes, {} links, {} points; {:.1} h at {} s steps in {:.3} s",
        args.input.display(),
        canal.length() / 1000.0,
        canal.model.nodes.len(),
        canal.model.links.len(),
        canal.points.len(),
        canal.model.options.duration_s / 3600.0,
        canal.model.options.routing_step_s,
        elapsed.as_secs_f64()
    )?;
    let Some(last) = results.times_s.len().checked_sub(1) else {
        return Ok(());
    };
    writeln!(out, "at {:.0} s:", results.times_s[last])?;
    for (index, id) in results.node_ids.iter().enumerate() {
        if canal.node_points[index].is_some() {
            writeln!(
                out,
                "  node {id:<28} depth {:7.3} m  head {:8.3} m",
                results.depth[last][index], results.head[last][index]
            )?;
        }
    }
    for (index, id) in results.link_ids.iter().enumerate() {
        if !matches!(
            canal.model.links[index].kind,
            danjiang_canal::model::LinkKind::Conduit { .. }
        ) {
            writeln!(
                out,
                "  link {id:<28} flow {:8.3} m³/s",
                results.flow[last][index]
            )?;
        }
    }
    Ok(())
}

fn write_run_csv(path: &Path, results: &run::RunResults) -> anyhow::Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    writeln!(out, "time_s,kind,id,depth_m,head_m,flow_m3s")?;
    for (period, time) in results.times_s.iter().enumerate() {
        for (index, id) in results.node_ids.iter().enumerate() {
            writeln!(
                out,
                "{time},node,{id},{:.5},{:.5},",
                results.depth[period][index], results.head[period][index]
            )?;
        }
        for (index, id) in results.link_ids.iter().enumerate() {
            writeln!(out, "{time},link,{id},,,{:.5}", results.flow[period][index])?;
        }
    }
    Ok(())
}

/// "H:MM" (or "H:MM:SS", or decimal hours) as seconds.
fn clock(text: &str, what: &str) -> anyhow::Result<f64> {
    inp::parse_clock(text)
        .or_else(|| {
            text.parse::<f64>()
                .ok()
                .filter(|h| h.is_finite() && *h >= 0.0)
                .map(|h| h * 3600.0)
        })
        .with_context(|| format!("{what} '{text}': expected H:MM"))
}

fn dispersion(text: &str) -> anyhow::Result<Dispersion> {
    if text.eq_ignore_ascii_case("fischer") {
        return Ok(Dispersion::Fischer);
    }
    if let Some(rest) = text.strip_prefix("power:") {
        let parts: Vec<f64> = rest.split(':').filter_map(|p| p.parse().ok()).collect();
        if let [a, b] = parts[..] {
            return Ok(Dispersion::Power { a, b });
        }
        bail!("--dispersion {text}: expected power:A:B");
    }
    match text.parse::<f64>() {
        Ok(d) if d.is_finite() && d >= 0.0 => Ok(Dispersion::Constant(d)),
        _ => bail!("--dispersion {text}: expected a coefficient in m²/s, fischer, or power:A:B"),
    }
}

fn closure(text: &str) -> anyhow::Result<Closure> {
    if let Some((link, time)) = text.split_once('@') {
        return Ok(Closure {
            link: link.to_string(),
            when: CloseWhen::At(clock(time, "--close time")?),
        });
    }
    if let Some((link, limit)) = text.split_once('>') {
        let limit: f64 = limit
            .parse()
            .with_context(|| format!("--close {text}: expected ID>MG_L"))?;
        return Ok(Closure {
            link: link.to_string(),
            when: CloseWhen::Above(limit),
        });
    }
    bail!("--close {text}: expected ID@H:MM or ID>MG_L")
}

fn spill(args: &CanalSpillArgs) -> anyhow::Result<ExitCode> {
    let canal = load(&args.input, args.cell)?;
    let at = match (&args.at_node, args.at_km) {
        (Some(node), _) => SpillAt::Node(node.clone()),
        (None, Some(km)) => SpillAt::Chainage(km * 1000.0),
        (None, None) => bail!("give --at-node ID or --at-km KM"),
    };
    if !(args.decay.is_finite() && args.decay >= 0.0) {
        bail!(
            "--decay {}: expected a rate of zero or more per day",
            args.decay
        );
    }
    let spec = SpillSpec {
        at,
        mass_kg: args.mass_kg,
        start_s: clock(&args.start, "--start")?,
        duration_s: args
            .duration
            .as_deref()
            .map(|d| clock(d, "--duration"))
            .transpose()?
            .unwrap_or(0.0),
        dispersion: dispersion(&args.dispersion)?,
        decay_per_s: args.decay / 86_400.0,
        threshold_mg_l: args.threshold,
        chainages: args.report_km.iter().map(|km| km * 1000.0).collect(),
        closures: args
            .close
            .iter()
            .map(|c| closure(c))
            .collect::<anyhow::Result<_>>()?,
    };
    let results = run_spill(&canal, &spec)?;
    let (plants, supply) = match &args.network {
        Some(network) => {
            let (plants, supply) = network::carry(&canal, &results, network, args)?;
            (Some(plants), supply)
        }
        None => (None, None),
    };
    match args.format {
        SpillFormat::Json => {
            let mut value = serde_json::to_value(&results)?;
            if let Some(plants) = &plants {
                value["plants"] = serde_json::to_value(plants)?;
            }
            if let Some(supply) = &supply {
                value["supply"] = serde_json::to_value(supply)?;
            }
            to_stdout(|out| {
                serde_json::to_writer_pretty(&mut *out, &value)?;
                writeln!(out)
            })?;
        }
        SpillFormat::Table => to_stdout(|out| {
            write_table(out, &results, plants.as_deref())?;
            supply.as_ref().map_or(Ok(()), |s| write_supply(out, s))
        })?,
    }
    Ok(ExitCode::SUCCESS)
}

fn hours(seconds: Option<f64>) -> String {
    match seconds {
        Some(s) => format!(
            "{}:{:02}",
            (s / 3600.0).floor(),
            ((s % 3600.0) / 60.0).round() as u64 % 60
        ),
        None => "-".into(),
    }
}

fn write_table(
    out: &mut dyn Write,
    results: &SpillResults,
    plants: Option<&[network::PlantResult]>,
) -> std::io::Result<()> {
    writeln!(out, "spill at km {:.3}", results.spill_chainage_m / 1000.0)?;
    writeln!(
        out,
        "{:<10} {:<26} {:>8} {:>10} {:>11} {:>10} {:>11} {:>10} {:>11}",
        "kind", "id", "km", "arrival", "peak mg/L", "peak at", "above (h)", "mass kg", "close by"
    )?;
    for place in &results.places {
        writeln!(
            out,
            "{:<10} {:<26} {:>8.3} {:>10} {:>11.4} {:>10} {:>11.2} {:>10} {:>11}",
            place.kind,
            place.id,
            place.chainage_m / 1000.0,
            hours(place.arrival_s),
            place.peak_mg_l,
            hours(Some(place.peak_time_s)),
            place.above_threshold_s / 3600.0,
            place.mass_kg.map_or("-".into(), |m| format!("{m:.2}")),
            hours(place.latest_close_s),
        )?;
    }
    for plant in plants.unwrap_or(&[]) {
        writeln!(
            out,
            "{:<10} {:<26} {:>8} {:>10} {:>11.4} {:>10} {:>11.2} {:>10.2} {:>11}",
            "plant",
            plant.id,
            "",
            hours(plant.arrival_s),
            plant.peak_mg_l,
            hours(Some(plant.peak_time_s)),
            plant.above_threshold_s / 3600.0,
            plant.mass_kg,
            "",
        )?;
    }
    let balance = &results.mass_balance;
    writeln!(
        out,
        "mass balance (kg): injected {:.3}, in canal {:.3}, outfall {:.3}, outlets {:.3}, decayed {:.3}, error {:.2e}",
        balance.injected,
        balance.in_canal,
        balance.outflow + balance.upstream_outflow,
        balance.withdrawn.iter().sum::<f64>(),
        balance.decayed,
        balance.error()
    )?;
    for (link, time) in &results.closures_made {
        writeln!(out, "closed {link} at {}", hours(Some(*time)))?;
    }
    Ok(())
}

fn write_supply(out: &mut dyn Write, plan: &supply::SupplyPlan) -> std::io::Result<()> {
    for closed in &plan.closed {
        writeln!(
            out,
            "outlet {} closed at {}: network node {} cut off from {} (pressure-driven, full demand from {} m)",
            closed.outlet,
            hours(Some(closed.closed_at_s)),
            closed.node,
            hours(Some(closed.network_from_s)),
            plan.required_pressure_m
        )?;
    }
    writeln!(
        out,
        "{:<26} {:>12} {:>10} {:>12} {:>14} {:>12}",
        "plant", "loses supply", "least %", "storage m³", "storage empty", "lasts (h)"
    )?;
    for plant in &plan.plants {
        writeln!(
            out,
            "{:<26} {:>12} {:>10.1} {:>12.0} {:>14} {:>12}",
            plant.id,
            hours(plant.loses_supply_s),
            plant.lowest_share * 100.0,
            plant.storage_m3,
            hours(plant.storage_empty_s),
            plant
                .storage_lasts_s
                .map_or("-".into(), |s| format!("{:.2}", s / 3600.0)),
        )?;
    }
    Ok(())
}

/// The spill carried on through the pipe network: each outlet's concentration series becomes a
/// CONCEN source (strength 1 mg/L times a pattern of the series' means over each pattern step)
/// at the network node it feeds, the network is run through the same simulation driver as
/// `danjiang run` (and can be written with --write-network for a plain `danjiang run`), and each
/// plant's quality series gives its arrival, peak and duration.
mod network {
    use super::CanalSpillArgs;
    use anyhow::{bail, Context};
    use danjiang_canal::spill::SpillResults;
    use danjiang_canal::Canal;
    use danjiang_network::model::{
        Network, NodeKind, Pattern, QualityAnalysis, QualitySource, SourceKind,
    };
    use danjiang_network::units::FlowUnits;
    use danjiang_output::binary::PeriodResults;
    use danjiang_simulation::{Budget, RunEnd, RunError, Sink};
    use serde::Serialize;
    use std::path::Path;

    /// What a spill did at one plant.
    #[derive(Debug, Clone, Serialize)]
    pub struct PlantResult {
        /// The plant's node ID.
        pub id: String,
        /// First report time above the threshold, s.
        pub arrival_s: Option<f64>,
        /// Peak concentration, mg/L.
        pub peak_mg_l: f64,
        /// Time of the peak, s.
        pub peak_time_s: f64,
        /// Time above the threshold, s.
        pub above_threshold_s: f64,
        /// Mass delivered to the plant, kg.
        pub mass_kg: f64,
    }

    /// Step of the source patterns, s (the network's own pattern step when 300 s does not divide it).
    const SOURCE_STEP: u64 = 300;

    pub fn carry(
        canal: &Canal,
        spill: &SpillResults,
        path: &Path,
        args: &CanalSpillArgs,
    ) -> anyhow::Result<(Vec<PlantResult>, Option<super::supply::SupplyPlan>)> {
        let mut network = danjiang_network::inp::read_file(path)?.network;
        let sources = outlet_nodes(canal, spill, &network, &args.outlet_node)?;
        let plants: Vec<String> = if args.plant.is_empty() {
            default_plants(&network)
        } else {
            let mut named = args.plant.clone();
            let mut seen = std::collections::HashSet::new();
            named.retain(|p| seen.insert(p.clone()));
            named
        };
        for plant in &plants {
            if network.node_idx(plant).is_none() {
                bail!("--plant {plant}: no such node in {}", path.display());
            }
        }
        if plants.is_empty() {
            bail!(
                "{}: no plants to report (name them with --plant ID)",
                path.display()
            );
        }
        prepare(&mut network, canal, args.decay)?;
        let supply = closure_plan(&network, spill, &sources, &plants, args)?;
        let step = network.times.pattern_step as f64;
        for (node, place) in sources {
            let multipliers = average_per_period(
                &spill.times_s,
                &spill.places[place].series_mg_l,
                step,
                network.times.duration,
            );
            let mut id = format!("canal-{}", spill.places[place].id);
            while network.pattern_idx(&id).is_some() {
                id.push('_');
            }
            let pattern = network
                .add_pattern(Pattern { id, multipliers })
                .context("cannot add a source pattern")?;
            network.nodes[node].source = Some(QualitySource {
                kind: SourceKind::Concen,
                strength: 1.0,
                pattern: Some(pattern),
            });
        }
        if let Some(written) = &args.write_network {
            danjiang_network::inp::writer::write_file(&network, written)
                .with_context(|| format!("cannot write {}", written.display()))?;
        }
        let indices = plants
            .iter()
            .filter_map(|p| network.node_idx(p))
            .map(|i| i.index())
            .collect();
        let mut sink = PlantSink {
            plants: indices,
            periods: Vec::new(),
        };
        let input = format!(
            "{} with the canal's outlet series as sources",
            path.display()
        );
        danjiang_simulation::simulate(
            &network,
            &input,
            &Budget::unlimited(),
            &mut [&mut sink],
            &mut |_| {},
        )
        .with_context(|| format!("{input} did not run"))?;
        let plants = plant_results(
            &plants,
            &sink.periods,
            network.times.report_step as f64,
            args.threshold,
            network.options.flow_units,
        );
        Ok((plants, supply))
    }

    /// With outlets closed in the canal (`--close`): the network run with their nodes cut off
    /// from the closing times, and what it does to each plant's supply.
    fn closure_plan(
        network: &Network,
        spill: &SpillResults,
        sources: &[(usize, usize)],
        plants: &[String],
        args: &CanalSpillArgs,
    ) -> anyhow::Result<Option<super::supply::SupplyPlan>> {
        let closed: Vec<_> = sources
            .iter()
            .filter_map(|&(node, place)| {
                let outlet = &spill.places[place].id;
                spill
                    .closures_made
                    .iter()
                    .find(|(link, _)| link == outlet)
                    .map(|(_, time)| {
                        let closed = super::supply::OutletClosed {
                            outlet: outlet.clone(),
                            node: network.nodes[node].id.clone(),
                            closed_at_s: *time,
                            network_from_s: *time,
                        };
                        (node, closed)
                    })
            })
            .collect();
        if closed.is_empty() {
            return Ok(None);
        }
        let mut volumes = Vec::new();
        for pair in &args.storage {
            let parsed = pair
                .split_once('=')
                .and_then(|(p, v)| Some((p.to_string(), v.parse::<f64>().ok()?)))
                .filter(|(_, v)| v.is_finite() && *v >= 0.0);
            let Some((plant, volume)) = parsed else {
                bail!("--storage {pair}: expected PLANT=M3 with a volume of zero or more");
            };
            if !plants.contains(&plant) {
                bail!("--storage {pair}: {plant} is not one of the plants reported");
            }
            volumes.push((plant, volume));
        }
        let indices: Vec<(String, usize)> = plants
            .iter()
            .filter_map(|p| network.node_idx(p).map(|i| (p.clone(), i.index())))
            .collect();
        let write = args.write_closed_network.as_deref();
        super::supply::plan(network, closed, &indices, &volumes, write).map(Some)
    }

    /// The plants: junctions whose ID starts `P-` and that take water (a demand above zero).
    /// A plant's inlet node (`P-NAME-IN`, upstream of its PRV) takes none, so it is not a
    /// second entry for the same plant.
    fn default_plants(network: &Network) -> Vec<String> {
        network
            .nodes
            .iter()
            .filter(|n| n.id.starts_with("P-"))
            .filter(|n| match &n.kind {
                NodeKind::Junction(junction) => junction.demands.iter().any(|d| d.base > 0.0),
                _ => false,
            })
            .map(|n| n.id.clone())
            .collect()
    }

    /// Keeps the plants' quality and demand at every reporting period.
    struct PlantSink {
        plants: Vec<usize>,
        /// (time s, [(quality, demand)] per plant).
        periods: Vec<(f64, Vec<(f64, f64)>)>,
    }

    impl Sink for PlantSink {
        fn period(&mut self, time: u64, results: &PeriodResults) -> Result<(), RunError> {
            let values = self
                .plants
                .iter()
                .map(|&node| {
                    (
                        f64::from(results.node_quality[node]),
                        f64::from(results.node_demand[node]),
                    )
                })
                .collect();
            self.periods.push((time as f64, values));
            Ok(())
        }
        fn finish(&mut self, _end: &RunEnd<'_>) -> Result<(), RunError> {
            Ok(())
        }
    }

    /// (network node, spill place) for each canal outlet.
    fn outlet_nodes(
        canal: &Canal,
        spill: &SpillResults,
        network: &Network,
        pairs: &[String],
    ) -> anyhow::Result<Vec<(usize, usize)>> {
        let mut chosen = Vec::new();
        for (place_index, place) in spill
            .places
            .iter()
            .enumerate()
            .filter(|(_, p)| p.kind == "outlet")
        {
            let link = canal.model.link_index(&place.id).context("outlet link")?;
            let outfall = &canal.model.nodes[canal.model.links[link].to].id;
            let named = pairs.iter().find_map(|p| {
                p.split_once('=')
                    .filter(|(o, _)| *o == place.id)
                    .map(|(_, n)| n.to_string())
            });
            let candidates = match named {
                Some(node) => vec![node],
                None => vec![place.id.clone(), outfall.clone(), format!("R-{}", place.id)],
            };
            match candidates.iter().find_map(|c| network.node_idx(c)) {
                Some(node) => chosen.push((node.index(), place_index)),
                None if explicit(pairs, &place.id) => bail!("--outlet-node {}: no such node in the network", place.id),
                // Drain gates release to rivers, not to the network: say so and go on.
                None => eprintln!(
                    "note: outlet {} feeds no network node ({}); not carried on (name one with --outlet-node {}=NODE)",
                    place.id,
                    candidates.join(", "),
                    place.id
                ),
            }
        }
        if chosen.is_empty() {
            bail!("no canal outlet matches a node of the network: expected nodes named like the outlets (or R-OUTLET), or --outlet-node OUTLET=NODE");
        }
        for pair in pairs {
            if !pair.contains('=') {
                bail!("--outlet-node {pair}: expected OUTLET=NODE");
            }
        }
        Ok(chosen)
    }

    fn explicit(pairs: &[String], outlet: &str) -> bool {
        pairs
            .iter()
            .any(|p| p.split_once('=').is_some_and(|(o, _)| o == outlet))
    }

    /// A chemical run long enough for the plume to reach the plants, patterns at a finer step.
    fn prepare(network: &mut Network, canal: &Canal, decay_per_day: f64) -> anyhow::Result<()> {
        let times = &mut network.times;
        if times.pattern_step > SOURCE_STEP
            && times.pattern_step.is_multiple_of(SOURCE_STEP)
            && times.pattern_start.is_multiple_of(SOURCE_STEP)
        {
            let repeat = (times.pattern_step / SOURCE_STEP) as usize;
            for pattern in &mut network.patterns {
                pattern.multipliers = pattern
                    .multipliers
                    .iter()
                    .flat_map(|m| std::iter::repeat_n(*m, repeat))
                    .collect();
            }
            times.pattern_step = SOURCE_STEP;
        }
        let canal_duration = canal.model.options.duration_s as u64;
        times.duration = times.duration.max(canal_duration + 48 * 3600);
        times.report_step = times.pattern_step;
        times.report_start = 0;
        if times.hydraulic_step > times.pattern_step {
            times.hydraulic_step = times.pattern_step;
        }
        network.options.quality = QualityAnalysis::Chemical {
            name: "spill".into(),
            units: "mg/L".into(),
        };
        network.reactions.global_bulk = 0.0;
        network.reactions.global_wall = 0.0;
        network.reactions.bulk_order = 1.0;
        for link in &mut network.links {
            if let danjiang_network::model::LinkKind::Pipe(pipe) = &mut link.kind {
                pipe.bulk_coefficient = Some(-decay_per_day);
                pipe.wall_coefficient = Some(0.0);
            }
        }
        for node in &mut network.nodes {
            node.initial_quality = 0.0;
            node.source = None;
            if let NodeKind::Tank(tank) = &mut node.kind {
                tank.bulk_coefficient = Some(-decay_per_day);
            }
        }
        Ok(())
    }

    /// Mean of a step series over each pattern period up to `duration` (and one period more).
    fn average_per_period(times: &[f64], values: &[f64], step: f64, duration: u64) -> Vec<f64> {
        let periods = (duration as f64 / step).ceil() as usize + 2;
        let mut sums = vec![0.0; periods];
        let mut spans = vec![0.0; periods];
        let mut previous = 0.0;
        for (time, value) in times.iter().zip(values) {
            // The value holds over (previous, time]; split it among the periods it covers.
            let mut start = previous;
            while start < *time - 1e-9 {
                let period = (start / step).floor() as usize;
                let end = ((period + 1) as f64 * step).min(*time);
                if period < periods {
                    sums[period] += value * (end - start);
                    spans[period] += end - start;
                }
                start = end;
            }
            previous = *time;
        }
        sums.iter()
            .zip(&spans)
            .map(|(s, d)| if *d > 0.0 { s / d } else { 0.0 })
            .collect()
    }

    /// Arrival (first report period above the threshold), peak, time above and mass at each plant.
    fn plant_results(
        plants: &[String],
        periods: &[(f64, Vec<(f64, f64)>)],
        step: f64,
        threshold: f64,
        flow_units: FlowUnits,
    ) -> Vec<PlantResult> {
        // Flows in the results are in the network's own units.
        let cubic_metres_per_unit = flow_units.to_si(1.0);
        plants
            .iter()
            .enumerate()
            .map(|(index, plant)| {
                let mut result = PlantResult {
                    id: plant.clone(),
                    arrival_s: None,
                    peak_mg_l: 0.0,
                    peak_time_s: 0.0,
                    above_threshold_s: 0.0,
                    mass_kg: 0.0,
                };
                for (time, values) in periods {
                    let (quality, demand) = values[index];
                    if quality > result.peak_mg_l {
                        result.peak_mg_l = quality;
                        result.peak_time_s = *time;
                    }
                    if quality > threshold {
                        result.above_threshold_s += step;
                        result.arrival_s.get_or_insert(*time);
                    }
                    // m³/s · mg/L (= g/m³) · s = g.
                    result.mass_kg +=
                        demand.max(0.0) * cubic_metres_per_unit * quality * step * 1e-3;
                }
                result
            })
            .collect()
    }
}
