//! The contamination sweep: hydraulics solved once and shared by every scenario, one quality
//! run per scenario with only its injection, and what each receptor saw.

use super::receptors::{ReceptorRole, Receptors};
use super::scenario::Injection;
use crate::parallel::run_in_order;
use crate::table::{Cell, ColumnKind, Table};
use crate::ScenarioError;
use danjiang_hydraulics::HydraulicSimulation;
use danjiang_network::{
    LinkKind, Network, Node, NodeIdx, NodeKind, Pattern, PatternIdx, QualityAnalysis,
    QualitySource, Reservoir, SourceKind,
};
use danjiang_quality::{HydraulicSnapshot, QualitySimulation, StoredHydraulics};
use std::fmt::Write as _;
use std::sync::Arc;

/// Litres per cubic metre: concentrations are per litre, flows in m³/s.
const LITRES_PER_CUBIC_METRE: f64 = 1000.0;

/// Settings of a contamination sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepOptions {
    /// Concentration above which a receptor counts as reached (the network's chemical unit,
    /// mg/L unless it says otherwise).
    pub threshold: f64,
    /// Quality time step, s; `None` takes the network's (EPANET's rules). Receptors are
    /// sampled at every quality step.
    pub quality_step: Option<u64>,
    /// Run length, s; `None` takes the network's duration.
    pub duration: Option<u64>,
}

/// What one receptor saw in one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceptorOutcome {
    /// Position of the receptor in [`Receptors::list`].
    pub receptor: usize,
    /// First time the concentration was above the threshold, s.
    pub first_exceedance: Option<u64>,
    /// Highest concentration.
    pub peak: f64,
    /// When the highest concentration was first reached, s (none if it stayed at zero).
    pub peak_time: Option<u64>,
    /// Contaminant delivered to the node's outflow (demand, or a tank's inflow), mass unit
    /// of the concentration (mg for mg/L).
    pub mass_delivered: f64,
    /// People at the node if it was above the threshold, else zero.
    pub population_exposed: f64,
}

/// Results of one scenario that ran.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioResults {
    /// Plants and sensors always; demand nodes only where the threshold was exceeded.
    pub receptors: Vec<ReceptorOutcome>,
    /// Nodes whose concentration went above the threshold.
    pub nodes_reached: usize,
    /// People at nodes whose concentration went above the threshold.
    pub population_exposed: f64,
    /// First time any receptor went above the threshold, s.
    pub first_exceedance: Option<u64>,
    /// Contaminant that left the network with all demands, mass unit (mg for mg/L).
    pub mass_delivered: f64,
    /// Contaminant the source added, mass unit.
    pub mass_injected: f64,
}

/// A scenario and what came of it; a failed scenario carries its error message.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioOutcome {
    /// Position of the scenario in the whole sweep, from 1.
    pub number: usize,
    /// The injection.
    pub injection: Injection,
    /// Results, or why the scenario failed.
    pub result: Result<ScenarioResults, String>,
}

/// A contamination sweep over one network.
#[derive(Debug, Clone)]
pub struct ContaminationSweep {
    /// The network set up for a chemical with no initial quality, no sources and no reactions.
    base: Network,
    /// Index of the pattern that switches the injection on and off.
    injection_pattern: PatternIdx,
    hydraulics: Arc<StoredHydraulics>,
    quality_step: u64,
    duration: u64,
    receptors: Receptors,
    threshold: f64,
    /// Links at each node: `adjacency[adjacency_start[n]..adjacency_start[n + 1]]`.
    adjacency_start: Vec<usize>,
    adjacency: Vec<usize>,
    /// Per hydraulic snapshot, per link, the ways water may move along the link in that
    /// snapshot or any later one: bit 0 from its start node to its end node, bit 1 back.
    paths_from: Vec<Vec<u8>>,
}

/// Flow below which a link counts as stagnant in quality routing: EPANET's 0.005 gpm, m³/s.
const STAGNANT_FLOW: f64 = 0.005 / 448.831 * danjiang_network::units::CUBIC_METRES_PER_CUBIC_FOOT;

/// The part of the network one injection can reach, as a network of its own: the nodes
/// downstream of the injection at any time from its start (in node order), then a fixed-head
/// node of clean water in place of each node outside that feeds it, and every link at a
/// reached node (in link order, so each node lists its links in the same order).
///
/// Water outside never carries contaminant, so its inflow is clean water from a reservoir,
/// and routing in the part gives at each of its nodes what routing in the whole network gives.
struct Region {
    network: Network,
    /// Original index of each node of the region's network.
    nodes: Vec<usize>,
    /// How many of them are reached nodes (the rest stand for clean inflow).
    reached: usize,
    /// Original index of each link of the region's network.
    links: Vec<usize>,
}

/// Scratch of one worker: a snapshot buffer for the quality-step pieces of each hydraulic
/// step, and marks over the nodes of the whole network.
struct Worker {
    snapshot: HydraulicSnapshot,
    /// Position in the region of each node of the network, or `usize::MAX`.
    position: Vec<usize>,
}

impl ContaminationSweep {
    /// Solves the network's hydraulics once (over `options.duration` if given) and sets up
    /// the sweep.
    pub fn new(
        network: &Network,
        receptors: Receptors,
        options: &SweepOptions,
    ) -> Result<ContaminationSweep, ScenarioError> {
        let mut hydraulic_network = network.clone();
        if let Some(duration) = options.duration {
            hydraulic_network.times.duration = duration;
        }
        let mut simulation = HydraulicSimulation::new(&hydraulic_network)
            .map_err(|e| ScenarioError::Hydraulics(e.to_string()))?;
        let hydraulics = StoredHydraulics::from_simulation(&mut simulation, &hydraulic_network)
            .map_err(|e| ScenarioError::Hydraulics(e.to_string()))?;
        if simulation.was_halted() {
            return Err(ScenarioError::Hydraulics(
                "the hydraulic run stopped early (unbalanced, with UNBALANCED STOP)".into(),
            ));
        }
        ContaminationSweep::with_hydraulics(
            &hydraulic_network,
            Arc::new(hydraulics),
            receptors,
            options,
        )
    }

    /// Sets up the sweep over hydraulics already solved for this network.
    pub fn with_hydraulics(
        network: &Network,
        hydraulics: Arc<StoredHydraulics>,
        receptors: Receptors,
        options: &SweepOptions,
    ) -> Result<ContaminationSweep, ScenarioError> {
        if hydraulics.node_count != network.nodes.len()
            || hydraulics.link_count != network.links.len()
        {
            return Err(ScenarioError::Hydraulics(format!(
                "stored hydraulics of {} nodes and {} links do not fit a network of {} nodes and {} links",
                hydraulics.node_count,
                hydraulics.link_count,
                network.nodes.len(),
                network.links.len()
            )));
        }
        if !(options.threshold.is_finite() && options.threshold >= 0.0) {
            return Err(ScenarioError::BadOption(format!(
                "threshold {} is not a concentration of zero or more",
                options.threshold
            )));
        }
        if receptors.population.len() != network.nodes.len() {
            return Err(ScenarioError::BadOption(format!(
                "population given for {} nodes, the network has {}",
                receptors.population.len(),
                network.nodes.len()
            )));
        }
        let quality_step = effective_quality_step(network, options.quality_step)?;
        let duration = options.duration.unwrap_or(network.times.duration);
        let mut base = network.clone();
        base.times.duration = duration;
        base.options.quality = QualityAnalysis::Chemical {
            name: "contaminant".into(),
            units: "mg/L".into(),
        };
        // The injection's on/off pattern runs on the quality step from time zero; demand
        // patterns no longer matter, the hydraulics being solved already.
        base.times.quality_step = Some(quality_step);
        base.times.pattern_step = quality_step;
        base.times.pattern_start = 0;
        base.reactions.bulk_order = 1.0;
        base.reactions.wall_order = 1.0;
        base.reactions.tank_order = 1.0;
        base.reactions.global_bulk = 0.0;
        base.reactions.global_wall = 0.0;
        base.reactions.roughness_correlation = 0.0;
        base.reactions.limiting_potential = 0.0;
        for node in &mut base.nodes {
            node.initial_quality = 0.0;
            node.source = None;
        }
        set_decay(&mut base, 0.0);
        let mut pattern_id = "contaminant-injection".to_string();
        while base.pattern_idx(&pattern_id).is_some() {
            pattern_id.push('_');
        }
        let injection_pattern = base
            .add_pattern(Pattern {
                id: pattern_id,
                multipliers: vec![0.0],
            })
            .ok_or_else(|| ScenarioError::BadOption("cannot add the injection pattern".into()))?;
        // Fail now, once, rather than in every scenario.
        QualitySimulation::new(&base).map_err(|e| ScenarioError::BadOption(e.to_string()))?;
        let node_count = base.nodes.len();
        let mut adjacency_start = vec![0usize; node_count + 1];
        for link in &base.links {
            adjacency_start[link.from.index() + 1] += 1;
            adjacency_start[link.to.index() + 1] += 1;
        }
        for n in 0..node_count {
            adjacency_start[n + 1] += adjacency_start[n];
        }
        let mut fill = adjacency_start.clone();
        let mut adjacency = vec![0usize; adjacency_start[node_count]];
        for (k, link) in base.links.iter().enumerate() {
            for end in [link.from.index(), link.to.index()] {
                adjacency[fill[end]] = k;
                fill[end] += 1;
            }
        }
        let mut paths_from = vec![Vec::new(); hydraulics.snapshots().len()];
        let mut later = vec![0u8; base.links.len()];
        for (index, snapshot) in hydraulics.snapshots().iter().enumerate().rev() {
            for (ways, &flow) in later.iter_mut().zip(&snapshot.link_flow) {
                // Generous about the stagnant limit: quality routing compares flows rounded
                // to float32, and moves water start to end in a stagnant link.
                if flow > -2.0 * STAGNANT_FLOW {
                    *ways |= 1;
                }
                if flow < -0.5 * STAGNANT_FLOW {
                    *ways |= 2;
                }
            }
            paths_from[index] = later.clone();
        }
        Ok(ContaminationSweep {
            adjacency_start,
            adjacency,
            paths_from,
            base,
            injection_pattern,
            hydraulics,
            quality_step,
            duration,
            receptors,
            threshold: options.threshold,
        })
    }

    /// The receptors.
    pub fn receptors(&self) -> &Receptors {
        &self.receptors
    }

    /// The network the sweep routes quality in (a chemical, no sources, no reactions).
    pub fn network(&self) -> &Network {
        &self.base
    }

    /// The quality step, s: receptors are sampled this often.
    pub fn quality_step(&self) -> u64 {
        self.quality_step
    }

    /// The run length, s.
    pub fn duration(&self) -> u64 {
        self.duration
    }

    /// The shared hydraulics.
    pub fn hydraulics(&self) -> &Arc<StoredHydraulics> {
        &self.hydraulics
    }

    /// Runs scenarios on `threads` threads (0: one per core); `progress` is called after each.
    /// `first_number` is the number of the first scenario in the whole sweep (shards start
    /// later). Results are in scenario order whatever the thread count; a failed scenario
    /// is in the results with its error.
    pub fn run(
        &self,
        injections: &[Injection],
        first_number: usize,
        threads: usize,
        progress: &(dyn Fn() + Sync),
    ) -> Result<Vec<ScenarioOutcome>, ScenarioError> {
        let numbered: Vec<(usize, &Injection)> = injections
            .iter()
            .enumerate()
            .map(|(i, injection)| (first_number + i, injection))
            .collect();
        run_in_order(
            &numbered,
            threads,
            || self.worker(),
            |worker, &(number, injection)| ScenarioOutcome {
                number,
                injection: injection.clone(),
                result: self.run_one(worker, injection),
            },
            progress,
        )
    }

    fn worker(&self) -> Worker {
        let empty = HydraulicSnapshot {
            time: 0,
            step_length: 0,
            node_demand: Vec::new(),
            node_head: Vec::new(),
            link_flow: Vec::new(),
        };
        Worker {
            snapshot: empty,
            position: vec![usize::MAX; self.base.nodes.len()],
        }
    }

    /// Concentration at `nodes` at every quality step of one scenario: (time s, values).
    /// For checks against a plain run; a sweep uses [`ContaminationSweep::run`].
    pub fn concentrations(
        &self,
        injection: &Injection,
        nodes: &[usize],
    ) -> Result<Vec<(u64, Vec<f64>)>, ScenarioError> {
        let mut worker = self.worker();
        let mut series = Vec::new();
        self.simulate(
            &mut worker,
            injection,
            |position, _, time, quality, _, _| {
                let values = nodes
                    .iter()
                    .map(|&n| match position.get(n) {
                        Some(&p) if p != usize::MAX => quality[p],
                        _ => 0.0,
                    })
                    .collect();
                series.push((time, values));
            },
        )
        .map_err(ScenarioError::Scenario)?;
        Ok(series)
    }

    fn run_one(
        &self,
        worker: &mut Worker,
        injection: &Injection,
    ) -> Result<ScenarioResults, String> {
        let receptors = &self.receptors.list;
        let population = &self.receptors.population;
        let threshold = self.threshold;
        let mut outcomes: Vec<ReceptorOutcome> = (0..receptors.len())
            .map(|receptor| ReceptorOutcome {
                receptor,
                first_exceedance: None,
                peak: 0.0,
                peak_time: None,
                mass_delivered: 0.0,
                population_exposed: 0.0,
            })
            .collect();
        let is_junction: Vec<bool> = self
            .base
            .nodes
            .iter()
            .map(|n| matches!(n.kind, NodeKind::Junction(_)))
            .collect();
        let mut reached: Vec<usize> = Vec::new();
        let mut was_reached: Vec<bool> = Vec::new();
        // Receptors inside the region, with their positions there.
        let mut watched: Vec<(usize, usize)> = Vec::new();
        let mut mass_delivered = 0.0;
        let mut first_exceedance: Option<u64> = None;
        let simulated = self.simulate(
            worker,
            injection,
            |position, nodes, time, quality, demand, dt| {
                if watched.is_empty() && was_reached.is_empty() {
                    was_reached = vec![false; quality.len()];
                    watched = receptors
                        .iter()
                        .enumerate()
                        .filter_map(|(r, receptor)| {
                            let p = position[receptor.node.index()];
                            (p != usize::MAX).then_some((r, p))
                        })
                        .collect();
                }
                let dt = dt as f64;
                for &(r, p) in &watched {
                    let outcome = &mut outcomes[r];
                    let c = quality[p];
                    if c > outcome.peak {
                        outcome.peak = c;
                        outcome.peak_time = Some(time);
                    }
                    if c > threshold && outcome.first_exceedance.is_none() {
                        outcome.first_exceedance = Some(time);
                        first_exceedance = Some(first_exceedance.map_or(time, |t| t.min(time)));
                    }
                    outcome.mass_delivered += demand[p].max(0.0) * c * dt * LITRES_PER_CUBIC_METRE;
                }
                for (p, &c) in quality.iter().enumerate() {
                    if c > threshold && !was_reached[p] {
                        was_reached[p] = true;
                        reached.push(p);
                    }
                    if c != 0.0 && is_junction[nodes[p]] {
                        mass_delivered += demand[p].max(0.0) * c * dt * LITRES_PER_CUBIC_METRE;
                    }
                }
            },
        )?;
        // Positions in the region back to nodes of the network.
        let mut reached_nodes: Vec<usize> = reached.iter().map(|&p| simulated.1[p]).collect();
        reached_nodes.sort_unstable();
        let population_exposed: f64 = reached_nodes.iter().map(|&n| population[n]).sum();
        for outcome in &mut outcomes {
            let n = receptors[outcome.receptor].node.index();
            if reached_nodes.binary_search(&n).is_ok() {
                outcome.population_exposed = population[n];
            }
        }
        let mass_injected = simulated.0;
        outcomes.retain(|o| {
            receptors[o.receptor].role != ReceptorRole::Demand || o.first_exceedance.is_some()
        });
        Ok(ScenarioResults {
            receptors: outcomes,
            nodes_reached: reached_nodes.len(),
            population_exposed,
            first_exceedance,
            mass_delivered,
            mass_injected,
        })
    }

    /// The region an injection can reach (see [`Region`]), with the injection's source.
    fn region(&self, injection: &Injection, position: &mut [usize]) -> Result<Region, String> {
        let source = injection.node.index();
        let base = &self.base;
        if source >= base.nodes.len() {
            return Err(format!("node index {source} is not in the network"));
        }
        let snapshots = self.hydraulics.snapshots();
        // The hydraulic step the injection starts in, and every later one.
        let first = snapshots
            .partition_point(|s| s.time <= injection.start)
            .saturating_sub(1);
        let paths = self.paths_from.get(first).ok_or("no hydraulic results")?;
        let mut nodes = vec![source];
        position[source] = 0;
        let mut next = 0;
        while next < nodes.len() {
            let n = nodes[next];
            next += 1;
            for &k in &self.adjacency[self.adjacency_start[n]..self.adjacency_start[n + 1]] {
                let link = &base.links[k];
                let (from, to) = (link.from.index(), link.to.index());
                let other = if from == n && paths[k] & 1 != 0 {
                    to
                } else if to == n && paths[k] & 2 != 0 {
                    from
                } else {
                    continue;
                };
                if position[other] == usize::MAX {
                    position[other] = nodes.len();
                    nodes.push(other);
                }
            }
        }
        // Node order, then links at reached nodes in link order, then clean-water nodes.
        nodes.sort_unstable();
        let reached = nodes.len();
        for (p, &n) in nodes.iter().enumerate() {
            position[n] = p;
        }
        let mut links: Vec<usize> = nodes
            .iter()
            .flat_map(|&n| {
                self.adjacency[self.adjacency_start[n]..self.adjacency_start[n + 1]]
                    .iter()
                    .copied()
            })
            .collect();
        links.sort_unstable();
        links.dedup();
        let mut outside: Vec<usize> = Vec::new();
        for &k in &links {
            for end in [base.links[k].from.index(), base.links[k].to.index()] {
                if position[end] == usize::MAX {
                    outside.push(end);
                }
            }
        }
        outside.sort_unstable();
        outside.dedup();
        for &n in &outside {
            position[n] = nodes.len();
            nodes.push(n);
        }

        let mut network = Network::new();
        network.title.clone_from(&base.title);
        network.options.clone_from(&base.options);
        network.times.clone_from(&base.times);
        network.reactions.clone_from(&base.reactions);
        network.patterns.clone_from(&base.patterns);
        network.curves.clone_from(&base.curves);
        network.nodes = nodes
            .iter()
            .enumerate()
            .map(|(p, &n)| {
                let node = &base.nodes[n];
                if p < reached {
                    node.clone()
                } else {
                    Node::new(
                        node.id.clone(),
                        node.elevation,
                        NodeKind::Reservoir(Reservoir::default()),
                    )
                }
            })
            .collect();
        network.links = links
            .iter()
            .map(|&k| {
                let mut link = base.links[k].clone();
                link.from = NodeIdx::from_index(position[link.from.index()]);
                link.to = NodeIdx::from_index(position[link.to.index()]);
                link.vertices = Vec::new();
                link
            })
            .collect();
        network.patterns[self.injection_pattern.index()].multipliers =
            injection_pattern(injection, self.quality_step, self.duration);
        network.nodes[position[source]].source = Some(QualitySource {
            kind: injection.kind,
            strength: injection.strength,
            pattern: Some(self.injection_pattern),
        });
        if injection.decay != 0.0 {
            set_decay(&mut network, injection.decay);
        }
        Ok(Region {
            network,
            nodes,
            reached,
            links,
        })
    }

    /// Routes one scenario's contaminant over the shared hydraulics in the region it can
    /// reach, calling `observe(position of each network node in the region, network node of
    /// each region node, time, quality, demand over the step just ended, length of that step)`
    /// at every quality step (and at time zero with a zero step); quality and demand are by
    /// region position. Returns the mass injected and the region's nodes.
    fn simulate(
        &self,
        worker: &mut Worker,
        injection: &Injection,
        mut observe: impl FnMut(&[usize], &[usize], u64, &[f64], &[f64], u64),
    ) -> Result<(f64, Vec<usize>), String> {
        let region = self.region(injection, &mut worker.position);
        let result = region.and_then(|region| {
            let source = worker.position[injection.node.index()];
            let position = &worker.position;
            let mut simulation =
                QualitySimulation::new(&region.network).map_err(|e| e.to_string())?;
            let snapshots = self.hydraulics.snapshots();
            let piece = &mut worker.snapshot;
            let mut last_time = 0;
            // Demand over the step that ends at a sample: that of the piece routed last.
            let mut last_demand: Vec<f64> = vec![0.0; region.nodes.len()];
            'run: for snapshot in snapshots {
                piece.node_demand.clear();
                piece.node_head.clear();
                piece.link_flow.clear();
                for (p, &n) in region.nodes.iter().enumerate() {
                    // Clean-water nodes are reservoirs: their demand is not used in routing.
                    piece.node_demand.push(if p < region.reached {
                        snapshot.node_demand[n]
                    } else {
                        0.0
                    });
                    piece.node_head.push(snapshot.node_head[n]);
                }
                piece
                    .link_flow
                    .extend(region.links.iter().map(|&k| snapshot.link_flow[k]));
                let end = snapshot.time + snapshot.step_length;
                let mut time = snapshot.time;
                loop {
                    piece.time = time;
                    piece.step_length = if snapshot.step_length == 0 {
                        0
                    } else {
                        self.quality_step.min(end - time)
                    };
                    simulation
                        .load_hydraulics(piece)
                        .map_err(|e| e.to_string())?;
                    observe(
                        position,
                        &region.nodes,
                        time,
                        simulation.node_quality(),
                        &last_demand,
                        time - last_time,
                    );
                    last_time = time;
                    last_demand.clone_from(&piece.node_demand);
                    if simulation.advance().map_err(|e| e.to_string())? == 0 {
                        break 'run;
                    }
                    time += piece.step_length;
                    if time >= end {
                        break;
                    }
                }
            }
            let mass = simulation.source_mass().get(source).copied().unwrap_or(0.0);
            Ok((mass, region.nodes))
        });
        // Clear the marks for the next scenario, touching only what was marked.
        match &result {
            Ok((_, nodes)) => {
                for &n in nodes {
                    worker.position[n] = usize::MAX;
                }
            }
            Err(_) => worker.position.iter_mut().for_each(|p| *p = usize::MAX),
        }
        result
    }
}

/// The on/off multipliers of an injection, one per quality step from time zero, long enough
/// never to wrap round within the run: on for the steps that start within the injection.
fn injection_pattern(injection: &Injection, quality_step: u64, duration: u64) -> Vec<f64> {
    let steps = duration / quality_step + 2;
    let end = injection.start.saturating_add(injection.duration);
    (0..steps)
        .map(|i| {
            let t = i * quality_step;
            if t >= injection.start && t < end {
                1.0
            } else {
                0.0
            }
        })
        .collect()
}

/// Sets first-order bulk decay (1/day) in every pipe and tank, nothing else reacting.
fn set_decay(network: &mut Network, decay: f64) {
    let coefficient = if decay == 0.0 { 0.0 } else { -decay };
    for link in &mut network.links {
        if let LinkKind::Pipe(pipe) = &mut link.kind {
            pipe.bulk_coefficient = Some(coefficient);
            pipe.wall_coefficient = Some(0.0);
        }
    }
    for node in &mut network.nodes {
        if let NodeKind::Tank(tank) = &mut node.kind {
            tank.bulk_coefficient = Some(coefficient);
        }
    }
}

/// The quality step EPANET would use, or the one asked for, capped (as EPANET caps it) at
/// the shortest of the hydraulic, pattern and report steps.
fn effective_quality_step(network: &Network, asked: Option<u64>) -> Result<u64, ScenarioError> {
    let times = &network.times;
    let shortest = times
        .hydraulic_step
        .max(1)
        .min(times.pattern_step.max(1))
        .min(times.report_step.max(1));
    if asked == Some(0) {
        return Err(ScenarioError::BadOption(
            "quality step 0: expected one second or more".into(),
        ));
    }
    Ok(asked
        .or(times.quality_step.filter(|&q| q > 0))
        .unwrap_or(shortest / 10)
        .min(shortest)
        .max(1))
}

/// Columns of the scenario table.
pub fn scenario_schema() -> Vec<(&'static str, ColumnKind)> {
    vec![
        ("scenario", ColumnKind::Integer),
        ("node", ColumnKind::Text),
        ("start_s", ColumnKind::Integer),
        ("duration_s", ColumnKind::Integer),
        ("kind", ColumnKind::Text),
        ("strength", ColumnKind::Number),
        ("decay_per_day", ColumnKind::Number),
        ("status", ColumnKind::Text),
        ("error", ColumnKind::Text),
        ("first_exceedance_s", ColumnKind::Integer),
        ("nodes_reached", ColumnKind::Integer),
        ("population_exposed", ColumnKind::Number),
        ("mass_injected", ColumnKind::Number),
        ("mass_delivered", ColumnKind::Number),
    ]
}

/// Columns of the receptor table.
pub fn receptor_schema() -> Vec<(&'static str, ColumnKind)> {
    vec![
        ("scenario", ColumnKind::Integer),
        ("injection_node", ColumnKind::Text),
        ("receptor", ColumnKind::Text),
        ("role", ColumnKind::Text),
        ("first_exceedance_s", ColumnKind::Integer),
        ("peak", ColumnKind::Number),
        ("peak_time_s", ColumnKind::Integer),
        ("mass_delivered", ColumnKind::Number),
        ("population_exposed", ColumnKind::Number),
    ]
}

fn kind_name(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Mass => "MASS",
        SourceKind::Concen => "CONCEN",
        SourceKind::Setpoint => "SETPOINT",
        SourceKind::Flowpaced => "FLOWPACED",
    }
}

fn seconds(value: Option<u64>) -> Cell {
    Cell::Integer(value.map(|v| v as i64))
}

/// One row per scenario: the injection, whether it ran, and its totals.
pub fn scenario_table(
    network: &Network,
    outcomes: &[ScenarioOutcome],
) -> Result<Table, ScenarioError> {
    let mut table = Table::new(&scenario_schema());
    for outcome in outcomes {
        let injection = &outcome.injection;
        let mut row = vec![
            Cell::Integer(Some(outcome.number as i64)),
            Cell::Text(Some(network.node(injection.node).id.clone())),
            seconds(Some(injection.start)),
            seconds(Some(injection.duration)),
            Cell::Text(Some(kind_name(injection.kind).into())),
            Cell::Number(Some(injection.strength)),
            Cell::Number(Some(injection.decay)),
        ];
        match &outcome.result {
            Ok(results) => row.extend([
                Cell::Text(Some("ok".into())),
                Cell::Text(None),
                seconds(results.first_exceedance),
                Cell::Integer(Some(results.nodes_reached as i64)),
                Cell::Number(Some(results.population_exposed)),
                Cell::Number(Some(results.mass_injected)),
                Cell::Number(Some(results.mass_delivered)),
            ]),
            Err(message) => row.extend([
                Cell::Text(Some("failed".into())),
                Cell::Text(Some(message.clone())),
                Cell::Integer(None),
                Cell::Integer(None),
                Cell::Number(None),
                Cell::Number(None),
                Cell::Number(None),
            ]),
        }
        table.push(row)?;
    }
    Ok(table)
}

/// One row per scenario and receptor (plants and sensors always; demand nodes where the
/// threshold was exceeded).
pub fn receptor_table(
    network: &Network,
    receptors: &Receptors,
    outcomes: &[ScenarioOutcome],
) -> Result<Table, ScenarioError> {
    let mut table = Table::new(&receptor_schema());
    for outcome in outcomes {
        let Ok(results) = &outcome.result else {
            continue;
        };
        let injection_node = &network.node(outcome.injection.node).id;
        for seen in &results.receptors {
            let receptor = receptors.list[seen.receptor];
            table.push(vec![
                Cell::Integer(Some(outcome.number as i64)),
                Cell::Text(Some(injection_node.clone())),
                Cell::Text(Some(network.node(receptor.node).id.clone())),
                Cell::Text(Some(receptor.role.name().into())),
                seconds(seen.first_exceedance),
                Cell::Number(Some(seen.peak)),
                seconds(seen.peak_time),
                Cell::Number(Some(seen.mass_delivered)),
                Cell::Number(Some(seen.population_exposed)),
            ])?;
        }
    }
    Ok(table)
}

/// The most dangerous injection points: the `top` scenarios exposing the most people, then
/// delivering the most mass, then reaching the most nodes; and how many failed.
pub fn summary_text(scenarios: &Table, top: usize) -> String {
    use crate::table::ColumnValues;
    let column = |name: &str| scenarios.names.iter().position(|n| n == name);
    let (
        Some(number),
        Some(node),
        Some(status),
        Some(error),
        Some(population),
        Some(mass),
        Some(reached),
        Some(first),
    ) = (
        column("scenario"),
        column("node"),
        column("status"),
        column("error"),
        column("population_exposed"),
        column("mass_delivered"),
        column("nodes_reached"),
        column("first_exceedance_s"),
    )
    else {
        return "not a scenario table\n".into();
    };
    let (
        ColumnValues::Integer(number),
        ColumnValues::Text(node),
        ColumnValues::Text(status),
        ColumnValues::Text(error),
        ColumnValues::Number(population),
        ColumnValues::Number(mass),
        ColumnValues::Integer(reached),
        ColumnValues::Integer(first),
    ) = (
        &scenarios.columns[number],
        &scenarios.columns[node],
        &scenarios.columns[status],
        &scenarios.columns[error],
        &scenarios.columns[population],
        &scenarios.columns[mass],
        &scenarios.columns[reached],
        &scenarios.columns[first],
    )
    else {
        return "not a scenario table\n".into();
    };
    let rows = scenarios.row_count();
    let failed: Vec<usize> = (0..rows)
        .filter(|&r| status[r].as_deref() != Some("ok"))
        .collect();
    let mut ranked: Vec<usize> = (0..rows)
        .filter(|&r| status[r].as_deref() == Some("ok"))
        .collect();
    let key = |r: usize| {
        (
            population[r].unwrap_or(0.0),
            mass[r].unwrap_or(0.0),
            reached[r].unwrap_or(0),
        )
    };
    ranked.sort_by(|&a, &b| {
        let (ka, kb) = (key(a), key(b));
        kb.0.total_cmp(&ka.0)
            .then(kb.1.total_cmp(&ka.1))
            .then(kb.2.cmp(&ka.2))
            .then(number[a].cmp(&number[b]))
    });
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{} scenarios, {} ran, {} failed",
        rows,
        rows - failed.len(),
        failed.len()
    );
    let _ = writeln!(
        text,
        "most dangerous injection points (by population exposed, then mass delivered):"
    );
    let _ = writeln!(
        text,
        "{:>6}  {:<20} {:>14} {:>16} {:>8} {:>12}",
        "rank", "node", "population", "mass delivered", "nodes", "first (h)"
    );
    for (rank, &r) in ranked.iter().take(top).enumerate() {
        let _ = writeln!(
            text,
            "{:>6}  {:<20} {:>14.1} {:>16.6e} {:>8} {:>12}",
            rank + 1,
            node[r].as_deref().unwrap_or(""),
            population[r].unwrap_or(0.0),
            mass[r].unwrap_or(0.0),
            reached[r].unwrap_or(0),
            first[r].map_or("-".to_string(), |s| format!("{:.2}", s as f64 / 3600.0)),
        );
    }
    for &r in failed.iter().take(top) {
        let _ = writeln!(
            text,
            "failed: scenario {} at {}: {}",
            number[r].unwrap_or(0),
            node[r].as_deref().unwrap_or(""),
            error[r].as_deref().unwrap_or("")
        );
    }
    text
}
