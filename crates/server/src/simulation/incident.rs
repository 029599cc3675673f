//! The incident simulator: a contaminant injected at one node for a while; when and how strongly
//! it reaches each plant, how it spreads in time, and which isolation valves close it off.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use danjiang_network::{Network, NodeIdx, NodeKind, SourceKind};
use danjiang_scenarios::contamination::{ContaminationSweep, Injection, Receptors, SweepOptions};
use danjiang_scenarios::segments::segments;
use danjiang_scenarios::valve_layer::strategic_valve_layer;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::network::RegisteredElement;
use super::SimulationError;

/// How the contaminant enters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InjectionKind {
    /// A mass rate, mg/min, added to the water leaving the node.
    Mass,
    /// The water leaving the node is held at a concentration, mg/L.
    Concentration,
}

/// What an incident run is asked to simulate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentParameters {
    /// The node where the contaminant enters (a junction or a tank).
    pub node: String,
    /// Mass rate or concentration.
    pub kind: InjectionKind,
    /// mg/min for a mass rate, mg/L for a concentration; above zero.
    pub strength: f64,
    /// Start of the injection, s from the start of the run.
    #[serde(default)]
    pub start_s: u64,
    /// How long it lasts, s; above zero.
    pub duration_s: u64,
    /// Concentration above which water counts as reached, mg/L (default 0.001).
    #[serde(default = "default_threshold")]
    pub threshold: f64,
}

fn default_threshold() -> f64 {
    0.001
}

/// Seconds between the map's frames of an incident.
const FRAME_STEP: u64 = 900;

impl IncidentParameters {
    /// Checks the parameters against the network; returns the injection node.
    pub fn check(&self, network: &Network) -> Result<NodeIdx, SimulationError> {
        let node = network.node_idx(&self.node).ok_or_else(|| {
            SimulationError::BadRequest(format!(
                "node `{}`: no such node in the network",
                self.node
            ))
        })?;
        if matches!(network.node(node).kind, NodeKind::Reservoir(_)) {
            return Err(SimulationError::BadRequest(format!(
                "node `{}` is a reservoir: expected a junction or a tank",
                self.node
            )));
        }
        if !(self.strength.is_finite() && self.strength > 0.0) {
            return Err(SimulationError::BadRequest(format!(
                "strength {}: expected a number above zero",
                self.strength
            )));
        }
        if self.duration_s == 0 {
            return Err(SimulationError::BadRequest(
                "duration_s 0: expected a duration above zero".into(),
            ));
        }
        let horizon = network.times.duration;
        if self.start_s >= horizon {
            return Err(SimulationError::BadRequest(format!(
                "start_s {}: expected less than the run's duration, {horizon} s",
                self.start_s
            )));
        }
        if !(self.threshold.is_finite() && self.threshold >= 0.0) {
            return Err(SimulationError::BadRequest(format!(
                "threshold {}: expected a concentration of zero or more",
                self.threshold
            )));
        }
        Ok(node)
    }
}

/// What one plant saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PlantOutcome {
    /// The plant's node.
    pub node: String,
    /// The plant's asset code.
    pub code: String,
    /// Name in English.
    pub name: String,
    /// Name in Chinese.
    pub name_zh: Option<String>,
    /// First time above the threshold, s (none: never reached).
    pub arrival_s: Option<u64>,
    /// Highest concentration, mg/L.
    pub peak: f64,
    /// When the peak was first reached, s.
    pub peak_time_s: Option<u64>,
}

/// An isolation valve to close.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IsolatingValve {
    /// Valve ID in the valve layer.
    pub id: String,
    /// The link it sits on.
    pub link: String,
    /// The node end of the link it sits at.
    pub node: String,
}

/// The result of an incident run (kept as the run's summary).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IncidentSummary {
    /// Concentration unit.
    pub unit: String,
    /// Threshold used, mg/L.
    pub threshold: f64,
    /// Time between samples, s.
    pub quality_step: u64,
    /// Plants in node order.
    pub plants: Vec<PlantOutcome>,
    /// Nodes whose concentration went above the threshold.
    pub nodes_reached: usize,
    /// Isolation segments those nodes lie in.
    pub segments_reached: usize,
    /// The valves that, closed, cut those segments off from the rest of the network.
    pub valves: Vec<IsolatingValve>,
    /// Times of the map frames, s.
    pub frame_times: Vec<u64>,
}

/// Concentrations of every node at each map frame, kept in the run's result file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Frames {
    /// Frame times, s.
    pub times: Vec<u64>,
    /// Node concentrations at each frame, by node index.
    pub node_concentration: Vec<Vec<f32>>,
    /// Highest concentration at each node over the whole run.
    pub node_peak: Vec<f32>,
}

/// The strategic valve layer used to find isolating valves (WNTR's "strategic" placement: a
/// valve on every link at every node but one), seeded so every run gives the same layer.
const VALVE_LAYER_SEED: u64 = 20141214;

/// Runs an incident: hydraulics once, then the contaminant routed alone; writes the frames
/// to `out_path` and returns the summary.
pub fn run(
    network: &Network,
    parameters: &IncidentParameters,
    registered: &HashMap<String, RegisteredElement>,
    out_path: &Path,
    progress: &dyn Fn(f64),
) -> Result<Value, SimulationError> {
    let node = parameters.check(network)?;
    let plants = super::network::plant_nodes(network, registered);
    let receptors = Receptors::new(
        network,
        Some(plants.iter().map(|(i, _)| *i).collect()),
        Vec::new(),
        false,
        vec![0.0; network.nodes.len()],
    );
    progress(0.05);
    let sweep = ContaminationSweep::new(
        network,
        receptors,
        &SweepOptions {
            threshold: parameters.threshold,
            quality_step: None,
            duration: None,
        },
    )
    .map_err(|e| SimulationError::Run(e.to_string()))?;
    progress(0.4);
    let injection = Injection {
        node,
        start: parameters.start_s,
        duration: parameters.duration_s,
        kind: match parameters.kind {
            InjectionKind::Mass => SourceKind::Mass,
            InjectionKind::Concentration => SourceKind::Setpoint,
        },
        strength: parameters.strength,
        decay: 0.0,
    };
    let all: Vec<usize> = (0..network.nodes.len()).collect();
    let series = sweep
        .concentrations(&injection, &all)
        .map_err(|e| SimulationError::Run(e.to_string()))?;
    progress(0.85);

    // Peaks and arrivals at full resolution; frames every FRAME_STEP for the map.
    let threshold = parameters.threshold;
    let mut peak = vec![0.0f64; network.nodes.len()];
    let mut peak_time: Vec<Option<u64>> = vec![None; network.nodes.len()];
    let mut arrival: Vec<Option<u64>> = vec![None; network.nodes.len()];
    let mut frames = Frames {
        times: Vec::new(),
        node_concentration: Vec::new(),
        node_peak: Vec::new(),
    };
    // About one frame per FRAME_STEP, on whole quality steps, and always the last sample.
    let every = (FRAME_STEP / sweep.quality_step().max(1)).max(1) as usize;
    for (k, (time, values)) in series.iter().enumerate() {
        for (n, &c) in values.iter().enumerate() {
            if c > peak[n] {
                peak[n] = c;
                peak_time[n] = Some(*time);
            }
            if c > threshold && arrival[n].is_none() {
                arrival[n] = Some(*time);
            }
        }
        if k % every == 0 || k + 1 == series.len() {
            frames.times.push(*time);
            frames
                .node_concentration
                .push(values.iter().map(|&c| c as f32).collect());
        }
    }
    frames.node_peak = peak.iter().map(|&c| c as f32).collect();

    let plant_outcomes = plants
        .iter()
        .map(|(i, r)| PlantOutcome {
            node: network.node(*i).id.clone(),
            code: r.code.clone(),
            name: r.name.clone(),
            name_zh: r.name_zh.clone(),
            arrival_s: arrival[i.index()],
            peak: peak[i.index()],
            peak_time_s: peak_time[i.index()],
        })
        .collect();

    // Isolating valves: the boundary of the segments the contaminant reached.
    let valves = strategic_valve_layer(network, 1, VALVE_LAYER_SEED);
    let segmentation = segments(network, &valves);
    let reached: BTreeSet<u32> = arrival
        .iter()
        .enumerate()
        .filter(|(_, a)| a.is_some())
        .filter_map(|(n, _)| segmentation.node_segment.get(n).copied())
        .collect();
    let isolating: Vec<IsolatingValve> = valves
        .iter()
        .filter(|v| {
            let on_link = segmentation.link_segment.get(v.link.index()).copied();
            let at_node = segmentation.node_segment.get(v.node.index()).copied();
            match (on_link, at_node) {
                (Some(a), Some(b)) => reached.contains(&a) != reached.contains(&b),
                _ => false,
            }
        })
        .map(|v| IsolatingValve {
            id: v.id.clone(),
            link: network.link(v.link).id.clone(),
            node: network.node(v.node).id.clone(),
        })
        .collect();

    let text = serde_json::to_vec(&frames)
        .map_err(|e| SimulationError::Run(format!("cannot keep the frames: {e}")))?;
    std::fs::write(out_path, text).map_err(|source| SimulationError::DataFolder {
        path: out_path.display().to_string(),
        source,
    })?;
    let summary = IncidentSummary {
        unit: "mg/L".into(),
        threshold,
        quality_step: sweep.quality_step(),
        plants: plant_outcomes,
        nodes_reached: arrival.iter().filter(|a| a.is_some()).count(),
        segments_reached: reached.len(),
        valves: isolating,
        frame_times: frames.times,
    };
    progress(1.0);
    serde_json::to_value(summary).map_err(|e| SimulationError::Run(e.to_string()))
}

/// Reads an incident's frames back.
pub fn read_frames(path: &Path) -> Result<Frames, SimulationError> {
    let bytes = std::fs::read(path).map_err(|source| SimulationError::DataFolder {
        path: path.display().to_string(),
        source,
    })?;
    serde_json::from_slice(&bytes)
        .map_err(|e| SimulationError::Run(format!("cannot read the frames: {e}")))
}
