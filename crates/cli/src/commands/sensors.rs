//! `danjiang sensors ...`: where to put online analysers. `impact` runs a contamination sweep
//! watching every candidate node and writes the impact matrix in Chama's layout; `place`
//! chooses sensors on such a matrix (MILP or lazy greedy).

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Subcommand, ValueEnum};
use danjiang_network::{Network, NodeKind};
use danjiang_scenarios::contamination::{ReceptorRole, ScenarioOutcome};
use danjiang_sensors::{place, ImpactMatrix, Method, Request, Scenario, Statistic};

use super::sweep::{run_sweep, ContaminationArgs, RanSweep};

/// Sensor placement.
#[derive(Args, Debug)]
pub struct SensorsArgs {
    #[command(subcommand)]
    pub command: SensorsCommand,
}

/// The sensor commands.
#[derive(Subcommand, Debug)]
// Parsed once per process: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
pub enum SensorsCommand {
    /// Runs a contamination sweep watching every junction (or the --sensors list) and writes
    /// DIR/impact.csv (`Scenario,Sensor,Impact`) and DIR/scenarios.csv (`Scenario,Undetected
    /// Impact,Probability`) in Chama's layout.
    Impact(ImpactArgs),
    /// Chooses sensors on an impact matrix.
    Place(PlaceArgs),
}

/// What an impact measures, at the time a sensor first detects the scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Measure {
    /// Seconds from the injection's start to detection.
    Time,
    /// People at nodes the contaminant reached above the threshold before detection.
    Population,
}

/// Arguments of `danjiang sensors impact`.
#[derive(Args, Debug)]
pub struct ImpactArgs {
    #[command(flatten)]
    pub sweep: ContaminationArgs,

    /// What the impact counts.
    #[arg(long, value_enum, default_value = "time")]
    pub measure: Measure,
}

/// Output formats of `sensors place`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlaceFormat {
    /// A short table for people.
    Table,
    /// `sensors`, `objective` and the rest as JSON.
    Json,
}

/// Methods of `sensors place`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlaceMethod {
    /// The exact MILP (HiGHS).
    Milp,
    /// Lazy greedy (CELF), with its bound for the mean.
    Greedy,
}

/// Arguments of `danjiang sensors place`.
#[derive(Args, Debug)]
pub struct PlaceArgs {
    /// Impact file in Chama's layout: Scenario,Sensor,Impact.
    #[arg(long, value_name = "CSV")]
    pub impact: PathBuf,

    /// Scenario file: Scenario,Undetected Impact,Probability.
    #[arg(long, value_name = "CSV", conflicts_with = "undetected_impact")]
    pub scenarios: Option<PathBuf>,

    /// Impact of a scenario no sensor detects, when there is no scenario file.
    #[arg(long, value_name = "X")]
    pub undetected_impact: Option<f64>,

    /// Sensors to place in all, the fixed ones included.
    #[arg(long, short = 'p')]
    pub count: usize,

    /// What to minimise: mean, var:ALPHA, cvar:ALPHA or worst.
    #[arg(long, default_value = "mean")]
    pub statistic: String,

    /// How to choose.
    #[arg(long, value_enum, default_value = "milp")]
    pub method: PlaceMethod,

    /// Sensors already in place (IDs separated by commas).
    #[arg(long, value_delimiter = ',')]
    pub fixed: Vec<String>,

    /// Sensors that may not be chosen (IDs separated by commas).
    #[arg(long, value_delimiter = ',')]
    pub exclude: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: PlaceFormat,
}

/// Runs a sensor command.
pub fn run(args: &SensorsArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        SensorsCommand::Impact(impact) => run_impact(impact),
        SensorsCommand::Place(place) => run_place(place),
    }
}

fn run_impact(args: &ImpactArgs) -> anyhow::Result<ExitCode> {
    let every_junction = args.sweep.sensors.is_none();
    let ran = run_sweep(
        &args.sweep,
        |network| {
            if every_junction {
                junctions(network)
            } else {
                Vec::new()
            }
        },
        args.measure == Measure::Population,
    )?;
    let matrix = impact_matrix(&ran, args.measure);
    let dir = &args.sweep.parallel.output;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot make {}", dir.display()))?;
    write_with(&dir.join("impact.csv"), |file| matrix.write_impacts(file))?;
    write_with(&dir.join("scenarios.csv"), |file| {
        matrix.write_scenarios(file)
    })?;
    let pairs: usize = matrix.detections.iter().map(Vec::len).sum();
    eprintln!(
        "{} scenarios, {} candidate sensors, {pairs} detections ({:.1} s); wrote {}/impact.csv and scenarios.csv",
        matrix.scenarios.len(),
        matrix.sensors.len(),
        ran.seconds.0 + ran.seconds.1,
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn junctions(network: &Network) -> Vec<danjiang_network::NodeIdx> {
    network
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, node)| matches!(node.kind, NodeKind::Junction(_)))
        .filter_map(|(_, node)| network.node_idx(&node.id))
        .collect()
}

fn write_with(
    path: &Path,
    write: impl FnOnce(File) -> Result<(), danjiang_sensors::SensorError>,
) -> anyhow::Result<()> {
    let file = File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    write(file).with_context(|| format!("cannot write {}", path.display()))
}

/// The impact matrix of a sweep: a row for each scenario and sensor that saw it, the impact
/// at that sensor's first detection.
fn impact_matrix(ran: &RanSweep, measure: Measure) -> ImpactMatrix {
    let receptors = &ran.sweep.receptors().list;
    let mut matrix = ImpactMatrix::default();
    let mut sensor_position = vec![None; receptors.len()];
    for (r, receptor) in receptors.iter().enumerate() {
        if receptor.role == ReceptorRole::Sensor {
            sensor_position[r] = Some(matrix.sensors.len());
            matrix
                .sensors
                .push(ran.network.nodes[receptor.node.index()].id.clone());
        }
    }
    let end = ran.sweep.duration();
    for outcome in &ran.outcomes {
        let Ok(results) = &outcome.result else {
            continue;
        };
        let start = outcome.injection.start;
        let impact_at = |time: u64| match measure {
            Measure::Time => time.saturating_sub(start) as f64,
            Measure::Population => exposed_by(ran, outcome, time),
        };
        let detections = results
            .receptors
            .iter()
            .filter_map(|seen| Some((sensor_position[seen.receptor]?, seen.first_exceedance?)))
            .map(|(sensor, time)| (sensor, impact_at(time)))
            .collect();
        matrix.scenarios.push(Scenario {
            name: scenario_name(ran, outcome),
            undetected_impact: match measure {
                Measure::Time => end.saturating_sub(start) as f64,
                Measure::Population => results.population_exposed,
            },
            probability: None,
        });
        matrix.detections.push(detections);
    }
    matrix
}

/// People at demand nodes reached above the threshold at or before `time`.
fn exposed_by(ran: &RanSweep, outcome: &ScenarioOutcome, time: u64) -> f64 {
    let receptors = &ran.sweep.receptors().list;
    let Ok(results) = &outcome.result else {
        return 0.0;
    };
    results
        .receptors
        .iter()
        .filter(|seen| receptors[seen.receptor].role == ReceptorRole::Demand)
        .filter(|seen| seen.first_exceedance.is_some_and(|t| t <= time))
        .map(|seen| seen.population_exposed)
        .sum()
}

/// The injection node's ID, with its start (s) when the sweep has several starts at a node.
fn scenario_name(ran: &RanSweep, outcome: &ScenarioOutcome) -> String {
    let node = outcome.injection.node;
    let id = &ran.network.nodes[node.index()].id;
    let repeated = ran.injections.iter().filter(|i| i.node == node).count() > 1;
    if repeated {
        format!("{id}@{}", outcome.injection.start)
    } else {
        id.clone()
    }
}

fn run_place(args: &PlaceArgs) -> anyhow::Result<ExitCode> {
    let impact_name = args.impact.display().to_string();
    let impact = File::open(&args.impact).with_context(|| format!("cannot read {impact_name}"))?;
    let scenario_name = args.scenarios.as_ref().map(|p| p.display().to_string());
    let scenarios = match &args.scenarios {
        Some(path) => {
            Some(File::open(path).with_context(|| format!("cannot read {}", path.display()))?)
        }
        None => None,
    };
    let scenarios = scenarios.zip(scenario_name.as_deref());
    if scenarios.is_none() && args.undetected_impact.is_none() {
        bail!("give --scenarios FILE.csv or --undetected-impact X (the impact of a scenario no sensor detects)");
    }
    let matrix = ImpactMatrix::read(impact, &impact_name, scenarios, args.undetected_impact)?;
    let statistic: Statistic = args
        .statistic
        .parse()
        .map_err(|e| anyhow::anyhow!("--statistic {e}"))?;
    let request = Request {
        count: args.count,
        statistic,
        method: match args.method {
            PlaceMethod::Milp => Method::Milp,
            PlaceMethod::Greedy => Method::Greedy,
        },
        fixed: sensor_ids(&matrix, &args.fixed, "--fixed")?,
        excluded: sensor_ids(&matrix, &args.exclude, "--exclude")?,
    };
    let started = std::time::Instant::now();
    let placement = place(&matrix, &request)?;
    let seconds = started.elapsed().as_secs_f64();
    let names: Vec<&str> = placement
        .sensors
        .iter()
        .map(|&s| matrix.sensors[s].as_str())
        .collect();
    let mut out = std::io::stdout().lock();
    match args.format {
        PlaceFormat::Json => {
            let document = serde_json::json!({
                "sensors": names,
                "objective": placement.objective,
                "statistic": args.statistic,
                "method": request.method,
                "bound": placement.bound,
                "detected_fraction": placement.detected_fraction,
                "scenarios": matrix.scenarios.len(),
                "candidates": matrix.sensors.len(),
                "seconds": seconds,
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&document)?)?;
        }
        PlaceFormat::Table => {
            writeln!(out, "sensors     {}", names.join(", "))?;
            writeln!(out, "{:<11} {}", args.statistic, placement.objective)?;
            if let Some(bound) = placement.bound {
                writeln!(
                    out,
                    "bound       {bound} (no {} sensors do better)",
                    args.count
                )?;
            }
            writeln!(
                out,
                "detected    {:.1} % of the scenarios' weight",
                placement.detected_fraction * 100.0
            )?;
            writeln!(
                out,
                "solved in   {seconds:.2} s over {} scenarios and {} candidates",
                matrix.scenarios.len(),
                matrix.sensors.len()
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn sensor_ids(matrix: &ImpactMatrix, ids: &[String], option: &str) -> anyhow::Result<Vec<usize>> {
    ids.iter()
        .map(|id| {
            matrix.sensor_index(id.trim()).with_context(|| {
                format!("{option}: sensor {id:?} is not in the impact file (it detects no scenario there)")
            })
        })
        .collect()
}
