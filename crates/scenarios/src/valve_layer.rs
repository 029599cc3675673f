//! The valve layer: isolation valves, each on a link at one of its end nodes.
//!
//! CSV with a header naming the columns `valve`, `link` and `node` (any order, other columns
//! ignored; `pipe` is accepted for `link`). A valve on link L at node N is the valve that, closed,
//! separates L from N.

use danjiang_network::{LinkIdx, Network, NodeIdx};
use std::path::Path;

/// An isolation valve of the valve layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsolationValve {
    /// Valve ID.
    pub id: String,
    /// The link the valve sits on.
    pub link: LinkIdx,
    /// The end of the link the valve sits at.
    pub node: NodeIdx,
}

/// What is wrong with a valve layer.
#[derive(Debug, thiserror::Error)]
pub enum ValveLayerError {
    /// The file could not be read.
    #[error("{file}: {source}")]
    Io {
        /// File name.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The header lacks a column.
    #[error("{file}:1: the header has no {column:?} column; expected columns valve,link,node")]
    MissingColumn {
        /// File name.
        file: String,
        /// The missing column.
        column: &'static str,
    },
    /// Rows that are wrong, each with its line.
    #[error("{file}: {} bad row(s):\n{}", problems.len(), problems.iter().map(|(line, message)| format!("  line {line}: {message}")).collect::<Vec<_>>().join("\n"))]
    BadRows {
        /// File name.
        file: String,
        /// Line number and what was wrong.
        problems: Vec<(u64, String)>,
    },
}

/// Reads a valve layer from a CSV file, resolving links and nodes in `network`.
pub fn read_valve_layer(
    path: &Path,
    network: &Network,
) -> Result<Vec<IsolationValve>, ValveLayerError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ValveLayerError::Io {
        file: file.clone(),
        source,
    })?;
    parse_valve_layer(&text, &file, network)
}

/// Parses a valve layer from CSV text; `file` names it in errors.
pub fn parse_valve_layer(
    text: &str,
    file: &str,
    network: &Network,
) -> Result<Vec<IsolationValve>, ValveLayerError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|error| ValveLayerError::BadRows {
            file: file.to_string(),
            problems: vec![(1, error.to_string())],
        })?
        .clone();
    let column = |names: &[&str], label: &'static str| {
        headers
            .iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
            .ok_or(ValveLayerError::MissingColumn {
                file: file.to_string(),
                column: label,
            })
    };
    let valve_column = column(&["valve", "id"], "valve")?;
    let link_column = column(&["link", "pipe"], "link")?;
    let node_column = column(&["node"], "node")?;

    let mut valves = Vec::new();
    let mut problems = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map(|p| p.line()).unwrap_or(0);
                problems.push((line, error.to_string()));
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let field = |index: usize| record.get(index).unwrap_or("").to_string();
        let (id, link_id, node_id) = (field(valve_column), field(link_column), field(node_column));
        if id.is_empty() || link_id.is_empty() || node_id.is_empty() {
            problems.push((
                line,
                format!(
                    "expected {} fields (valve, link, node), found {} with empty ones",
                    headers.len(),
                    record.len()
                ),
            ));
            continue;
        }
        let Some(link) = network.link_idx(&link_id) else {
            problems.push((line, format!("link {link_id:?} is not in the network")));
            continue;
        };
        let Some(node) = network.node_idx(&node_id) else {
            problems.push((line, format!("node {node_id:?} is not in the network")));
            continue;
        };
        let ends = network.link(link);
        if ends.from != node && ends.to != node {
            problems.push((
                line,
                format!("node {node_id:?} is not an end of link {link_id:?}"),
            ));
            continue;
        }
        if !seen.insert(id.clone()) {
            problems.push((line, format!("valve ID {id:?} is used twice")));
            continue;
        }
        valves.push(IsolationValve { id, link, node });
    }
    if problems.is_empty() {
        Ok(valves)
    } else {
        Err(ValveLayerError::BadRows {
            file: file.to_string(),
            problems,
        })
    }
}

/// A valve layer placed as WNTR's `generate_valve_layer(..., 'strategic', n)` places one: at
/// every node, a valve on each of its links but `unvalved_per_node` of them, chosen at random
/// (seeded, so the same seed gives the same layer on every machine; not WNTR's random stream).
pub fn strategic_valve_layer(
    network: &Network,
    unvalved_per_node: usize,
    seed: u64,
) -> Vec<IsolationValve> {
    use rand::seq::SliceRandom;
    use rand::SeedableRng;

    let mut links_at: Vec<Vec<LinkIdx>> = vec![Vec::new(); network.nodes.len()];
    for (index, link) in network.links.iter().enumerate() {
        links_at[link.from.index()].push(LinkIdx::from_index(index));
        if link.to != link.from {
            links_at[link.to.index()].push(LinkIdx::from_index(index));
        }
    }
    let mut random = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut valves = Vec::new();
    for (node, links) in links_at.iter().enumerate() {
        let count = links.len().saturating_sub(unvalved_per_node);
        for &link in links.choose_multiple(&mut random, count) {
            valves.push(IsolationValve {
                id: format!("V{}", valves.len() + 1),
                link,
                node: NodeIdx::from_index(node),
            });
        }
    }
    valves
}
