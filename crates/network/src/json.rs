//! The JSON form of a [`Network`]: the model exactly as serde writes it, in SI units.
//!
//! The form is documented in `docs/network-json.md`. Elements refer to each other by their
//! position in the `nodes`, `links`, `patterns` and `curves` arrays (counting from 0), so
//! reading checks every such reference and every ID before the network is handed out.

use crate::model::{
    ControlCondition, CurveIdx, LinkAction, LinkIdx, LinkKind, Network, NodeIdx, NodeKind,
    PatternIdx, PremiseValue, QualityAnalysis, RuleObject,
};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// What can go wrong reading or writing the JSON form.
#[derive(Debug, thiserror::Error)]
pub enum JsonError {
    /// The text is not JSON of a network.
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        /// File name (or `<text>`).
        file: String,
        /// Line, counting from 1.
        line: usize,
        /// Column, counting from 1.
        column: usize,
        /// What was wrong and what was expected.
        message: String,
    },
    /// The JSON is well formed but the network in it is not whole.
    #[error("{file}: {message}")]
    Invalid {
        /// File name (or `<text>`).
        file: String,
        /// Which element refers to what that does not exist, or which ID is repeated.
        message: String,
    },
    /// A number that JSON cannot hold (NaN or infinity) was in the network.
    #[error("cannot write the network as JSON: {0}")]
    Unwritable(String),
    /// The file could not be read or written.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// `read` or `write`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
}

/// The network as pretty-printed JSON.
pub fn to_string(network: &Network) -> Result<String, JsonError> {
    check_finite(network)?;
    serde_json::to_string_pretty(network).map_err(|e| JsonError::Unwritable(e.to_string()))
}

/// Reads a network from JSON text; `file_name` is used in error messages.
pub fn from_str(text: &str, file_name: &str) -> Result<Network, JsonError> {
    let mut network: Network = serde_json::from_str(text).map_err(|error| JsonError::Syntax {
        file: file_name.to_string(),
        line: error.line(),
        column: error.column(),
        message: error.to_string(),
    })?;
    check_references(&network).map_err(|message| JsonError::Invalid {
        file: file_name.to_string(),
        message,
    })?;
    network.rebuild_indices();
    Ok(network)
}

/// Reads a network from a JSON file.
pub fn read_file(path: impl AsRef<Path>) -> Result<Network, JsonError> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|source| JsonError::Io {
        action: "read",
        path: path.to_path_buf(),
        source,
    })?;
    from_str(&text, &path.display().to_string())
}

/// Writes a network to a JSON file.
pub fn write_file(network: &Network, path: impl AsRef<Path>) -> Result<(), JsonError> {
    let path = path.as_ref();
    let mut text = to_string(network)?;
    text.push('\n');
    std::fs::write(path, text).map_err(|source| JsonError::Io {
        action: "write",
        path: path.to_path_buf(),
        source,
    })
}

/// serde_json would write NaN and infinities as `null` and then fail to read them back,
/// so they are refused with the element named.
fn check_finite(network: &Network) -> Result<(), JsonError> {
    let mut bad = None;
    visit_numbers(network, &mut |what, value| {
        if bad.is_none() && !value.is_finite() {
            bad = Some(format!("{what} is {value}, which JSON cannot hold"));
        }
    });
    match bad {
        Some(message) => Err(JsonError::Unwritable(message)),
        None => Ok(()),
    }
}

/// Calls `visit` with every floating-point number of the elements and the main options.
fn visit_numbers(network: &Network, visit: &mut dyn FnMut(String, f64)) {
    for node in &network.nodes {
        visit(format!("elevation of node \"{}\"", node.id), node.elevation);
        visit(
            format!("initial quality of node \"{}\"", node.id),
            node.initial_quality,
        );
        match &node.kind {
            NodeKind::Junction(junction) => {
                for demand in &junction.demands {
                    visit(format!("a demand of junction \"{}\"", node.id), demand.base);
                }
            }
            NodeKind::Tank(tank) => {
                for value in [
                    tank.initial_level,
                    tank.min_level,
                    tank.max_level,
                    tank.diameter,
                    tank.min_volume,
                ] {
                    visit(format!("a value of tank \"{}\"", node.id), value);
                }
            }
            NodeKind::Reservoir(_) => {}
        }
    }
    for link in &network.links {
        let what = || format!("a value of link \"{}\"", link.id);
        match &link.kind {
            LinkKind::Pipe(pipe) => {
                for value in [pipe.length, pipe.diameter, pipe.roughness, pipe.minor_loss] {
                    visit(what(), value);
                }
            }
            LinkKind::Pump(pump) => visit(what(), pump.speed),
            LinkKind::Valve(valve) => {
                for value in [valve.diameter, valve.setting, valve.minor_loss] {
                    visit(what(), value);
                }
            }
        }
    }
    let options = &network.options;
    for value in [
        options.specific_gravity,
        options.viscosity,
        options.accuracy,
        options.demand_multiplier,
        options.emitter_exponent,
        options.minimum_pressure,
        options.required_pressure,
        options.pressure_exponent,
    ] {
        visit("an option".to_string(), value);
    }
    for pattern in &network.patterns {
        for &value in &pattern.multipliers {
            visit(format!("a multiplier of pattern \"{}\"", pattern.id), value);
        }
    }
    for curve in &network.curves {
        for &(x, y) in &curve.points {
            visit(format!("a point of curve \"{}\"", curve.id), x);
            visit(format!("a point of curve \"{}\"", curve.id), y);
        }
    }
}

/// Checks that every index refers to an element that exists and that no ID is repeated
/// (IDs are compared without regard to case, as EPANET does).
fn check_references(network: &Network) -> Result<(), String> {
    let counts = (
        network.nodes.len(),
        network.links.len(),
        network.patterns.len(),
        network.curves.len(),
    );
    let node = |idx: NodeIdx, owner: &dyn Fn() -> String| -> Result<(), String> {
        if idx.index() < counts.0 {
            Ok(())
        } else {
            Err(format!(
                "{} refers to node {} but there are {} nodes",
                owner(),
                idx.index(),
                counts.0
            ))
        }
    };
    let link = |idx: LinkIdx, owner: &dyn Fn() -> String| -> Result<(), String> {
        if idx.index() < counts.1 {
            Ok(())
        } else {
            Err(format!(
                "{} refers to link {} but there are {} links",
                owner(),
                idx.index(),
                counts.1
            ))
        }
    };
    let pattern = |idx: Option<PatternIdx>, owner: &dyn Fn() -> String| -> Result<(), String> {
        match idx {
            Some(idx) if idx.index() >= counts.2 => Err(format!(
                "{} refers to pattern {} but there are {} patterns",
                owner(),
                idx.index(),
                counts.2
            )),
            _ => Ok(()),
        }
    };
    let curve = |idx: Option<CurveIdx>, owner: &dyn Fn() -> String| -> Result<(), String> {
        match idx {
            Some(idx) if idx.index() >= counts.3 => Err(format!(
                "{} refers to curve {} but there are {} curves",
                owner(),
                idx.index(),
                counts.3
            )),
            _ => Ok(()),
        }
    };

    unique_ids("node", network.nodes.iter().map(|n| n.id.as_str()))?;
    unique_ids("link", network.links.iter().map(|l| l.id.as_str()))?;
    unique_ids("pattern", network.patterns.iter().map(|p| p.id.as_str()))?;
    unique_ids("curve", network.curves.iter().map(|c| c.id.as_str()))?;

    for n in &network.nodes {
        let owner = || format!("node \"{}\"", n.id);
        if let Some(source) = &n.source {
            pattern(source.pattern, &owner)?;
        }
        match &n.kind {
            NodeKind::Junction(junction) => {
                for demand in &junction.demands {
                    pattern(demand.pattern, &owner)?;
                }
            }
            NodeKind::Reservoir(reservoir) => pattern(reservoir.head_pattern, &owner)?,
            NodeKind::Tank(tank) => curve(tank.volume_curve, &owner)?,
        }
    }
    for l in &network.links {
        let owner = || format!("link \"{}\"", l.id);
        node(l.from, &owner)?;
        node(l.to, &owner)?;
        match &l.kind {
            LinkKind::Pipe(_) => {}
            LinkKind::Pump(pump) => {
                curve(pump.head_curve, &owner)?;
                curve(pump.efficiency_curve, &owner)?;
                pattern(pump.speed_pattern, &owner)?;
                pattern(pump.price_pattern, &owner)?;
            }
            LinkKind::Valve(valve) => curve(valve.curve, &owner)?,
        }
    }
    for (i, control) in network.controls.iter().enumerate() {
        let owner = || format!("control {}", i + 1);
        link(control.link, &owner)?;
        if let ControlCondition::NodeAbove { node: n, .. }
        | ControlCondition::NodeBelow { node: n, .. } = control.condition
        {
            node(n, &owner)?;
        }
    }
    for rule in &network.rules {
        let owner = || format!("rule \"{}\"", rule.id);
        for premise in &rule.premises {
            match premise.object {
                RuleObject::Node(n) => node(n, &owner)?,
                RuleObject::Link(l) => link(l, &owner)?,
                RuleObject::System => {}
            }
            if let PremiseValue::Status(LinkAction::Setting(_)) = premise.value {
                return Err(format!("{} compares a status with a number", owner()));
            }
        }
        for action in rule.then_actions.iter().chain(&rule.else_actions) {
            link(action.link, &owner)?;
        }
    }
    if let QualityAnalysis::Trace { node: n } = network.options.quality {
        node(n, &|| "the trace option".to_string())?;
    }
    Ok(())
}

fn unique_ids<'a>(kind: &str, ids: impl Iterator<Item = &'a str>) -> Result<(), String> {
    let mut seen = HashSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(format!("{kind} ID \"{id}\" is used twice"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Junction, Link, Node, Pipe, Reservoir};

    fn two_nodes() -> Network {
        let mut network = Network::new();
        network.add_node(Node::new(
            "R",
            10.0,
            NodeKind::Reservoir(Reservoir::default()),
        ));
        network.add_node(Node::new("J", 0.0, NodeKind::Junction(Junction::default())));
        network.add_link(Link::new(
            "P",
            NodeIdx(0),
            NodeIdx(1),
            LinkKind::Pipe(Pipe {
                length: 100.0,
                diameter: 0.3,
                roughness: 130.0,
                ..Pipe::default()
            }),
        ));
        network
    }

    #[test]
    fn a_network_survives_json() {
        let network = two_nodes();
        let text = to_string(&network).expect("finite network");
        let back = from_str(&text, "<text>").expect("valid JSON");
        assert_eq!(back, network);
        assert_eq!(back.node_idx("J"), Some(NodeIdx(1)));
        // IDs match exactly, as in EPANET 2.3.5.
        assert_eq!(back.node_idx("j"), None);
    }

    #[test]
    fn a_dangling_node_index_is_refused() {
        let mut network = two_nodes();
        network.links[0].to = NodeIdx(7);
        let text = to_string(&network).expect("finite network");
        let error = from_str(&text, "net.json").expect_err("node 7 does not exist");
        assert!(
            error.to_string().contains("link \"P\" refers to node 7"),
            "{error}"
        );
    }

    #[test]
    fn syntax_errors_name_the_place() {
        let error = from_str("{\n  \"title\": [", "net.json").expect_err("truncated");
        assert!(error.to_string().starts_with("net.json:2:"), "{error}");
    }

    #[test]
    fn nan_is_refused_when_writing() {
        let mut network = two_nodes();
        network.nodes[1].elevation = f64::NAN;
        assert!(matches!(to_string(&network), Err(JsonError::Unwritable(_))));
    }
}
