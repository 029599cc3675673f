//! Receptors (water plants, demand nodes, sensors) and the population served at each node.

use crate::ScenarioError;
use danjiang_network::{Network, NodeIdx, NodeKind};
use std::path::Path;

/// Why a node is watched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReceptorRole {
    /// A water plant: a node named in the plant list, or tagged `PLANT` in the network; with
    /// neither, every tank (in a transfer system the plants draw from their intake tanks).
    Plant,
    /// A sensor from a sensor list.
    Sensor,
    /// A junction with demand (rows written only where the threshold was exceeded).
    Demand,
}

impl ReceptorRole {
    /// The role's name in output files.
    pub fn name(self) -> &'static str {
        match self {
            ReceptorRole::Plant => "plant",
            ReceptorRole::Sensor => "sensor",
            ReceptorRole::Demand => "demand",
        }
    }
}

/// A watched node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receptor {
    /// The node.
    pub node: NodeIdx,
    /// Why it is watched.
    pub role: ReceptorRole,
}

/// The receptors of a sweep and the population at every node.
#[derive(Debug, Clone, PartialEq)]
pub struct Receptors {
    /// Watched nodes, plants first, then sensors, then demand nodes, each in node order.
    pub list: Vec<Receptor>,
    /// People served at each node, by node index (zero at tanks and reservoirs).
    pub population: Vec<f64>,
}

impl Receptors {
    /// Receptors from explicit plant and sensor lists; `plants: None` takes nodes tagged
    /// `PLANT`, or every tank when none is tagged. With `demand_nodes`, every junction with
    /// people or demand is watched too.
    pub fn new(
        network: &Network,
        plants: Option<Vec<NodeIdx>>,
        sensors: Vec<NodeIdx>,
        demand_nodes: bool,
        population: Vec<f64>,
    ) -> Receptors {
        let plants = plants.unwrap_or_else(|| default_plants(network));
        let mut list: Vec<Receptor> = plants
            .into_iter()
            .map(|node| Receptor {
                node,
                role: ReceptorRole::Plant,
            })
            .collect();
        list.extend(sensors.into_iter().map(|node| Receptor {
            node,
            role: ReceptorRole::Sensor,
        }));
        if demand_nodes {
            for (index, node) in network.nodes.iter().enumerate() {
                let NodeKind::Junction(junction) = &node.kind else {
                    continue;
                };
                if population.get(index).is_some_and(|&p| p > 0.0)
                    || junction.demands.iter().any(|d| d.base > 0.0)
                {
                    list.push(Receptor {
                        node: NodeIdx::from_index(index),
                        role: ReceptorRole::Demand,
                    });
                }
            }
        }
        // Plants first, then sensors, then demand nodes; the order within a role is kept.
        list.sort_by_key(|r| r.role);
        Receptors { list, population }
    }
}

fn default_plants(network: &Network) -> Vec<NodeIdx> {
    let tagged: Vec<NodeIdx> = network
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| {
            n.tag
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("plant"))
        })
        .map(|(i, _)| NodeIdx::from_index(i))
        .collect();
    if !tagged.is_empty() {
        return tagged;
    }
    network
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| matches!(n.kind, NodeKind::Tank(_)))
        .map(|(i, _)| NodeIdx::from_index(i))
        .collect()
}

/// Reads a list of node IDs: one per line (or the first field of a CSV line); blank lines,
/// `#` comments and a header line `node` are skipped. Unknown IDs are reported with their line.
pub fn read_node_list(path: &Path, network: &Network) -> Result<Vec<NodeIdx>, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::io(path, e))?;
    let mut nodes = Vec::new();
    let mut problems = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("");
        let id = line.split(',').next().unwrap_or("").trim();
        if id.is_empty() || (number == 0 && id.eq_ignore_ascii_case("node")) {
            continue;
        }
        match network.node_idx(id) {
            Some(node) => nodes.push(node),
            None => problems.push((
                number as u64 + 1,
                format!("node {id:?} is not in the network"),
            )),
        }
    }
    if problems.is_empty() {
        Ok(nodes)
    } else {
        Err(ScenarioError::BadRows {
            file: path.display().to_string(),
            problems,
        })
    }
}

/// Reads the population of nodes from CSV with columns `node` and `population`; nodes not
/// listed have none.
pub fn read_population(path: &Path, network: &Network) -> Result<Vec<f64>, ScenarioError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::io(path, e))?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| ScenarioError::BadRows {
            file: file.clone(),
            problems: vec![(1, e.to_string())],
        })?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(node_column), Some(population_column)) = (column("node"), column("population"))
    else {
        return Err(ScenarioError::BadRows {
            file,
            problems: vec![(1, "expected the columns node,population".into())],
        });
    };
    let mut population = vec![0.0; network.nodes.len()];
    let mut problems = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                problems.push((e.position().map_or(0, |p| p.line()), e.to_string()));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let id = record.get(node_column).unwrap_or("");
        let value = record.get(population_column).unwrap_or("");
        let Some(node) = network.node_idx(id) else {
            problems.push((line, format!("node {id:?} is not in the network")));
            continue;
        };
        match value.parse::<f64>() {
            Ok(people) if people.is_finite() && people >= 0.0 => population[node.index()] = people,
            _ => problems.push((
                line,
                format!("population {value:?} is not a number of zero or more"),
            )),
        }
    }
    if problems.is_empty() {
        Ok(population)
    } else {
        Err(ScenarioError::BadRows { file, problems })
    }
}

/// Population in proportion to demand, as WNTR's `population` estimates it: each junction's
/// average demand (base demands times the mean of their patterns and the demand multiplier)
/// over the water one person uses, `per_person` m³/s (WNTR's default is 200 US gallons a
/// day, 8.76157e-6 m³/s).
pub fn population_by_demand(network: &Network, per_person: f64) -> Vec<f64> {
    let default_pattern = network
        .options
        .default_pattern
        .as_deref()
        .and_then(|id| network.pattern_idx(id))
        .or_else(|| network.pattern_idx("1"));
    let mean = |pattern: Option<danjiang_network::PatternIdx>| {
        pattern
            .and_then(|p| network.patterns.get(p.index()))
            .filter(|p| !p.multipliers.is_empty())
            .map_or(1.0, |p| {
                p.multipliers.iter().sum::<f64>() / p.multipliers.len() as f64
            })
    };
    network
        .nodes
        .iter()
        .map(|node| match &node.kind {
            NodeKind::Junction(junction) if per_person > 0.0 => {
                let demand: f64 = junction
                    .demands
                    .iter()
                    .map(|d| d.base * mean(d.pattern.or(default_pattern)))
                    .sum();
                (demand * network.options.demand_multiplier / per_person).max(0.0)
            }
            _ => 0.0,
        })
        .collect()
}
