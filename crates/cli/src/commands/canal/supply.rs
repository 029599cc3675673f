//! What closing canal outlets does to the plants: the network run pressure-driven with each
//! closed outlet's inflow node cut off from its closing time, against the demand the plants
//! require (a demand-driven run of the same network); per plant the first time it gets less
//! than [`SUPPLY_FRACTION`] of its demand, and when its clear-water storage runs out.

use anyhow::Context;
use danjiang_network::model::{
    Control, ControlCondition, DemandModel, LinkAction, LinkKind, Network, NodeKind, Pattern,
    QualityAnalysis,
};
use danjiang_output::binary::PeriodResults;
use danjiang_simulation::{Budget, RunEnd, RunError, Sink};
use serde::Serialize;

/// A plant has lost supply once it gets less than this share of its demand.
pub const SUPPLY_FRACTION: f64 = 0.99;

/// Clear-water storage, as a share of a day of the plant's mean demand, when none is given:
/// the low end of the 10–20 % of a day's supply that GB 50013-2018 §9.10 asks for.
pub const STORAGE_SHARE_OF_DAY: f64 = 0.10;

/// Pressure heads of the pressure-driven run when the network is demand-driven, m: no water
/// below the minimum, all of it from the required head up (a plant inlet feeds a tank). The
/// part a closed outlet fed is left at heads far below its nodes, where the pressure-driven
/// equations are close to singular; EPANET 2.3 fails (error 110) on some such networks at one
/// required head and solves them at another, so each is tried in turn and the one used told.
const MINIMUM_PRESSURE_M: f64 = 0.0;
const REQUIRED_PRESSURES_M: [f64; 3] = [0.1, 1.0, 5.0];

/// One outlet closed in the network.
#[derive(Debug, Clone, Serialize)]
pub struct OutletClosed {
    /// The canal outlet's ID.
    pub outlet: String,
    /// The network node it feeds.
    pub node: String,
    /// When its gate closes in the canal, s.
    pub closed_at_s: f64,
    /// When the network is run with it cut off: the closing time rounded up to the pattern
    /// step, s.
    pub network_from_s: f64,
}

/// What the closures do to one plant.
#[derive(Debug, Clone, Serialize)]
pub struct PlantSupply {
    /// The plant's node ID.
    pub id: String,
    /// First report time it gets less than 99 % of its demand, s (none: never).
    pub loses_supply_s: Option<f64>,
    /// Least share of its demand delivered over the run.
    pub lowest_share: f64,
    /// Its clear-water storage, m³.
    pub storage_m3: f64,
    /// When the storage reaches its minimum level (the deficit since the loss has used it), s.
    pub storage_empty_s: Option<f64>,
    /// How long the storage lasts after the loss, s.
    pub storage_lasts_s: Option<f64>,
}

/// The closure plan's effect on supply.
#[derive(Debug, Clone, Serialize)]
pub struct SupplyPlan {
    /// The outlets closed.
    pub closed: Vec<OutletClosed>,
    /// Pressure head at which a plant's demand is fully met in the run, m.
    pub required_pressure_m: f64,
    /// Every plant, in the order reported.
    pub plants: Vec<PlantSupply>,
}

/// Runs `network` (already prepared for the spill: times, no sources) with `closed` outlets'
/// nodes cut off, and compares each plant's delivery with its demand. `storage` gives a plant's
/// clear-water storage in m³ where known.
pub fn plan(
    network: &Network,
    closed: Vec<(usize, OutletClosed)>,
    plants: &[(String, usize)],
    storage: &[(String, f64)],
    write: Option<&std::path::Path>,
) -> anyhow::Result<SupplyPlan> {
    let mut required_network = network.clone();
    required_network.options.quality = QualityAnalysis::None;
    required_network.options.demand_model = DemandModel::DemandDriven;
    let indices: Vec<usize> = plants.iter().map(|p| p.1).collect();
    let required = demands(
        &required_network,
        &indices,
        "demand-driven, all outlets open",
    )?;
    let mut closed = closed;
    let mut cut = required_network;
    cut_off(&mut cut, &mut closed)?;
    let (delivered, required_pressure_m) = delivered(network, cut, &indices, write)?;
    let step = network.times.report_step as f64;
    let cubic_metres = network.options.flow_units.to_si(1.0);
    let plants = plants
        .iter()
        .enumerate()
        .map(|(index, (id, _))| {
            let given = storage.iter().find(|s| s.0 == *id).map(|s| s.1);
            plant_supply(id, index, &required, &delivered, step, cubic_metres, given)
        })
        .collect();
    Ok(SupplyPlan {
        closed: closed.into_iter().map(|c| c.1).collect(),
        required_pressure_m,
        plants,
    })
}

/// The plants' delivery in the pressure-driven run of `cut` (the network's own pressure heads
/// if it is pressure-driven, else each of [`REQUIRED_PRESSURES_M`] until one solves), and the
/// required pressure head used.
fn delivered(
    network: &Network,
    mut cut: Network,
    plants: &[usize],
    write: Option<&std::path::Path>,
) -> anyhow::Result<(Vec<Vec<f64>>, f64)> {
    let heads: Vec<f64> = if network.options.demand_model == DemandModel::PressureDriven {
        vec![network.options.required_pressure]
    } else {
        cut.options.minimum_pressure = MINIMUM_PRESSURE_M;
        REQUIRED_PRESSURES_M.to_vec()
    };
    cut.options.demand_model = DemandModel::PressureDriven;
    let mut failure = None;
    for head in heads {
        cut.options.required_pressure = head;
        if let Some(path) = write {
            danjiang_network::inp::writer::write_file(&cut, path)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        match demands(&cut, plants, "pressure-driven, closed outlets cut off") {
            Ok(periods) => return Ok((periods, head)),
            Err(error) => failure = Some(error),
        }
    }
    Err(failure.context("no required pressure head to try")?)
}

/// Cuts each closed outlet's node off from its closing time (rounded up to the pattern step)
/// by dropping its head below every node of the network, with check valves on its pipes so
/// that nothing flows back into it. (Closing its links instead leaves the part it fed
/// isolated, and a pressure-driven run of an isolated part is ill-conditioned: EPANET 2.3
/// stops with error 110 on it too.) A node that is not a reservoir gets its links closed.
fn cut_off(network: &mut Network, closed: &mut [(usize, OutletClosed)]) -> anyhow::Result<()> {
    let lowest = network
        .nodes
        .iter()
        .map(|n| n.elevation)
        .fold(f64::INFINITY, f64::min);
    let step = network.times.pattern_step.max(1);
    let periods = (network.times.duration / step) as usize + 2;
    for (node, outlet) in closed.iter_mut() {
        let from = (outlet.closed_at_s.max(0.0) / step as f64).ceil() as usize;
        outlet.network_from_s = (from as u64 * step) as f64;
        let elevation = network.nodes[*node].elevation;
        let is_reservoir = matches!(network.nodes[*node].kind, NodeKind::Reservoir(_));
        if is_reservoir && elevation > lowest + 1.0 {
            let low = (lowest - 10.0) / elevation;
            let multipliers = (0..periods)
                .map(|k| if k < from { 1.0 } else { low })
                .collect();
            let mut id = format!("closed-{}", outlet.outlet);
            while network.pattern_idx(&id).is_some() {
                id.push('_');
            }
            let pattern = network
                .add_pattern(Pattern { id, multipliers })
                .context("cannot add a closure pattern")?;
            if let NodeKind::Reservoir(reservoir) = &mut network.nodes[*node].kind {
                reservoir.head_pattern = Some(pattern);
            }
            for link in &mut network.links {
                if let LinkKind::Pipe(pipe) = &mut link.kind {
                    pipe.check_valve |= link.from.index() == *node;
                }
            }
        } else {
            close_links(network, *node, outlet.network_from_s as u64);
        }
    }
    Ok(())
}

fn close_links(network: &mut Network, node: usize, seconds: u64) {
    let links: Vec<usize> = (0..network.links.len())
        .filter(|&l| network.links[l].from.index() == node || network.links[l].to.index() == node)
        .collect();
    for link in links {
        network.controls.push(Control {
            link: danjiang_network::model::LinkIdx::from_index(link),
            action: LinkAction::Closed,
            condition: ControlCondition::AtTime { seconds },
            enabled: true,
        });
    }
}

/// Each report period's demand at `plants` (the network's flow units), as the run delivered it.
fn demands(network: &Network, plants: &[usize], what: &str) -> anyhow::Result<Vec<Vec<f64>>> {
    let mut sink = DemandSink {
        plants: plants.to_vec(),
        periods: Vec::new(),
    };
    let input = format!("the network ({what})");
    danjiang_simulation::simulate(
        network,
        &input,
        &Budget::unlimited(),
        &mut [&mut sink],
        &mut |_| {},
    )
    .with_context(|| format!("{input} did not run"))?;
    Ok(sink.periods)
}

struct DemandSink {
    plants: Vec<usize>,
    periods: Vec<Vec<f64>>,
}

impl Sink for DemandSink {
    fn period(&mut self, _time: u64, results: &PeriodResults) -> Result<(), RunError> {
        let values = self
            .plants
            .iter()
            .map(|&node| f64::from(results.node_demand[node]))
            .collect();
        self.periods.push(values);
        Ok(())
    }
    fn finish(&mut self, _end: &RunEnd<'_>) -> Result<(), RunError> {
        Ok(())
    }
}

/// The loss and the storage of plant `index`: report period k is at time k·step and its rates
/// hold for one step.
fn plant_supply(
    id: &str,
    index: usize,
    required: &[Vec<f64>],
    delivered: &[Vec<f64>],
    step: f64,
    cubic_metres: f64,
    storage: Option<f64>,
) -> PlantSupply {
    let periods = required.len().min(delivered.len());
    let demand = |k: usize| required[k][index].max(0.0) * cubic_metres;
    let got = |k: usize| delivered[k][index].max(0.0) * cubic_metres;
    let day = (86_400.0 / step).round().max(1.0) as usize;
    let first_day = periods.min(day).max(1);
    let mean = (0..first_day.min(periods)).map(demand).sum::<f64>() / first_day as f64;
    let storage_m3 = storage.unwrap_or(STORAGE_SHARE_OF_DAY * mean * 86_400.0);
    let mut result = PlantSupply {
        id: id.to_string(),
        loses_supply_s: None,
        lowest_share: 1.0,
        storage_m3,
        storage_empty_s: None,
        storage_lasts_s: None,
    };
    let mut used = 0.0;
    for k in 0..periods {
        let time = k as f64 * step;
        let (needed, supplied) = (demand(k), got(k));
        if needed <= 0.0 {
            continue;
        }
        result.lowest_share = result.lowest_share.min(supplied / needed);
        if supplied < SUPPLY_FRACTION * needed {
            result.loses_supply_s.get_or_insert(time);
        }
        if result.loses_supply_s.is_some() && result.storage_empty_s.is_none() {
            let deficit = (needed - supplied).max(0.0);
            if deficit > 0.0 && used + deficit * step >= storage_m3 {
                result.storage_empty_s = Some(time + (storage_m3 - used) / deficit);
            }
            used += deficit * step;
        }
    }
    result.storage_lasts_s = result
        .storage_empty_s
        .zip(result.loses_supply_s)
        .map(|(empty, lost)| empty - lost);
    result
}
