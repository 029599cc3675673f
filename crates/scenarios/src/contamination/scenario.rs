//! Injections: where, when, how strongly and how fast a contaminant decays, one per scenario,
//! for every node, a list of nodes, or a scenario file.

use crate::ScenarioError;
use danjiang_network::{
    LinkKind, Network, NodeIdx, NodeKind, Pattern, QualityAnalysis, QualitySource, SourceKind,
};
use std::path::Path;

/// One contaminant injection.
#[derive(Debug, Clone, PartialEq)]
pub struct Injection {
    /// Where the contaminant enters.
    pub node: NodeIdx,
    /// When it starts, s from the start of the run.
    pub start: u64,
    /// How long it lasts, s.
    pub duration: u64,
    /// How the source acts (EPANET's source kinds): MASS adds `strength` mass per minute;
    /// SETPOINT, FLOWPACED and CONCEN take `strength` as a concentration.
    pub kind: SourceKind,
    /// Mass per minute (MASS, e.g. mg/min) or concentration (mg/L for the others).
    pub strength: f64,
    /// First-order decay rate, 1/day (0: conservative).
    pub decay: f64,
}

/// Values for the fields a scenario does not give.
#[derive(Debug, Clone, PartialEq)]
pub struct InjectionDefaults {
    /// Start, s.
    pub start: u64,
    /// Duration, s.
    pub duration: u64,
    /// Source kind.
    pub kind: SourceKind,
    /// Strength (mass per minute or concentration).
    pub strength: f64,
    /// Decay rate, 1/day.
    pub decay: f64,
}

impl InjectionDefaults {
    /// The injection these defaults give at a node.
    pub fn at(&self, node: NodeIdx) -> Injection {
        Injection {
            node,
            start: self.start,
            duration: self.duration,
            kind: self.kind,
            strength: self.strength,
            decay: self.decay,
        }
    }

    /// Checks the defaults as a scenario file's row is checked.
    pub fn check(&self) -> Result<(), ScenarioError> {
        check_values(self.duration, self.strength, self.decay).map_err(ScenarioError::BadOption)
    }
}

impl Injection {
    /// The plain EPANET network this scenario stands for: `base` with a CHEMICAL analysis in
    /// mg/L, no quality anywhere at the start, no reactions but the contaminant's first-order
    /// decay in pipes and tanks, and this injection as the only [SOURCES] entry, switched on and
    /// off by a new pattern. `danjiang run` (or EPANET) on it gives what the sweep gives for the
    /// scenario, so a sweep's result can be checked or looked at in full.
    ///
    /// EPANET switches sources only at pattern steps: an injection whose start or duration is
    /// not a whole number of the network's pattern steps is refused.
    pub fn epanet_network(&self, base: &Network) -> Result<Network, ScenarioError> {
        // Pattern period p holds from clock time p * step - pattern_start (EPANET's rule).
        let step = base.times.pattern_step;
        let pattern_start = base.times.pattern_start;
        if step == 0
            || !(self.start + pattern_start).is_multiple_of(step)
            || !self.duration.is_multiple_of(step)
        {
            return Err(ScenarioError::BadOption(format!(
                "the injection (start {} s, duration {} s) does not fall on the network's pattern \
                 step of {step} s, so no EPANET source pattern can describe it",
                self.start, self.duration
            )));
        }
        if self.node.index() >= base.nodes.len() {
            return Err(ScenarioError::BadOption(format!(
                "node number {} is not in the network",
                self.node.index()
            )));
        }
        let mut network = base.clone();
        network.options.quality = QualityAnalysis::Chemical {
            name: "contaminant".into(),
            units: "mg/L".into(),
        };
        let reactions = &mut network.reactions;
        reactions.global_bulk = 0.0;
        reactions.global_wall = 0.0;
        reactions.bulk_order = 1.0;
        reactions.wall_order = 1.0;
        reactions.tank_order = 1.0;
        reactions.roughness_correlation = 0.0;
        // EPANET's bulk coefficients are 1/day, negative for decay.
        for link in &mut network.links {
            if let LinkKind::Pipe(pipe) = &mut link.kind {
                pipe.bulk_coefficient = Some(-self.decay);
                pipe.wall_coefficient = Some(0.0);
            }
        }
        for node in &mut network.nodes {
            node.initial_quality = 0.0;
            node.source = None;
            if let NodeKind::Tank(tank) = &mut node.kind {
                tank.bulk_coefficient = Some(-self.decay);
            }
        }
        // One multiplier per pattern step over the run, and one more: EPANET wraps patterns.
        let periods = (network.times.duration + pattern_start) / step + 2;
        let multipliers = (0..periods)
            .map(|period| {
                let time = (period * step) as i128 - pattern_start as i128;
                let on =
                    time >= self.start as i128 && time < self.start as i128 + self.duration as i128;
                if on {
                    1.0
                } else {
                    0.0
                }
            })
            .collect();
        let mut id = String::from("injection");
        while network.pattern_idx(&id).is_some() {
            id.push('_');
        }
        let pattern = network
            .add_pattern(Pattern { id, multipliers })
            .ok_or_else(|| ScenarioError::BadOption("cannot add the injection pattern".into()))?;
        let index = self.node.index();
        network.nodes[index].source = Some(QualitySource {
            kind: self.kind,
            strength: self.strength,
            pattern: Some(pattern),
        });
        Ok(network)
    }
}

fn check_values(duration: u64, strength: f64, decay: f64) -> Result<(), String> {
    if duration == 0 {
        return Err("the injection lasts no time: expected a duration above zero".into());
    }
    if !(strength.is_finite() && strength > 0.0) {
        return Err(format!("strength {strength} is not a number above zero"));
    }
    if !(decay.is_finite() && decay >= 0.0) {
        return Err(format!(
            "decay {decay} is not a rate of zero or more (1/day)"
        ));
    }
    Ok(())
}

/// One injection at every junction and tank (reservoirs are the network's own sources and
/// usually modelled separately; pass them in a list to include them), in node order.
pub fn every_node(network: &Network, defaults: &InjectionDefaults) -> Vec<Injection> {
    network
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, node)| !matches!(node.kind, NodeKind::Reservoir(_)))
        .map(|(index, _)| defaults.at(NodeIdx::from_index(index)))
        .collect()
}

/// Reads a scenario file (see [`parse_scenarios`]).
pub fn read_scenarios(
    path: &Path,
    network: &Network,
    defaults: &InjectionDefaults,
) -> Result<Vec<Injection>, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::io(path, e))?;
    parse_scenarios(&text, &path.display().to_string(), network, defaults)
}

/// Parses a scenario file: CSV with a header; the `node` column is required, and `start`,
/// `duration` (hours as a number, or H:MM or H:MM:SS, as EPANET writes times), `kind` (MASS,
/// CONCEN, SETPOINT or FLOWPACED), `strength` and `decay` (1/day) are optional, taken from
/// `defaults` when absent or empty. Every bad row is reported with its line.
pub fn parse_scenarios(
    text: &str,
    file: &str,
    network: &Network,
    defaults: &InjectionDefaults,
) -> Result<Vec<Injection>, ScenarioError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| ScenarioError::BadRows {
            file: file.to_string(),
            problems: vec![(1, e.to_string())],
        })?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let Some(node_column) = column("node") else {
        return Err(ScenarioError::BadRows {
            file: file.to_string(),
            problems: vec![(
                1,
                "the header has no \"node\" column; expected node[,start,duration,kind,strength,decay]"
                    .into(),
            )],
        });
    };
    let (start_column, duration_column) = (column("start"), column("duration"));
    let (kind_column, strength_column, decay_column) =
        (column("kind"), column("strength"), column("decay"));

    let mut injections = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                problems.push((error.position().map_or(0, |p| p.line()), error.to_string()));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let field =
            |column: Option<usize>| column.and_then(|c| record.get(c)).filter(|v| !v.is_empty());
        let row = || -> Result<Injection, String> {
            let node_id =
                field(Some(node_column)).ok_or_else(|| "the node field is empty".to_string())?;
            let node = network
                .node_idx(node_id)
                .ok_or_else(|| format!("node {node_id:?} is not in the network"))?;
            let start = match field(start_column) {
                Some(text) => parse_time(text).map_err(|e| format!("start: {e}"))?,
                None => defaults.start,
            };
            let duration = match field(duration_column) {
                Some(text) => parse_time(text).map_err(|e| format!("duration: {e}"))?,
                None => defaults.duration,
            };
            let kind = match field(kind_column) {
                Some(text) => parse_kind(text)?,
                None => defaults.kind,
            };
            let number = |column: Option<usize>, name: &str, default: f64| match field(column) {
                Some(text) => text
                    .parse::<f64>()
                    .map_err(|_| format!("{name}: {text:?} is not a number")),
                None => Ok(default),
            };
            let strength = number(strength_column, "strength", defaults.strength)?;
            let decay = number(decay_column, "decay", defaults.decay)?;
            check_values(duration, strength, decay)?;
            Ok(Injection {
                node,
                start,
                duration,
                kind,
                strength,
                decay,
            })
        };
        match row() {
            Ok(injection) => injections.push(injection),
            Err(message) => problems.push((line, message)),
        }
    }
    if !problems.is_empty() {
        return Err(ScenarioError::BadRows {
            file: file.to_string(),
            problems,
        });
    }
    if injections.is_empty() {
        return Err(ScenarioError::BadRows {
            file: file.to_string(),
            problems: vec![(1, "no scenarios: expected one row per injection".into())],
        });
    }
    Ok(injections)
}

/// A source kind keyword.
pub fn parse_kind(text: &str) -> Result<SourceKind, String> {
    match text.to_ascii_uppercase().as_str() {
        "MASS" => Ok(SourceKind::Mass),
        "CONCEN" => Ok(SourceKind::Concen),
        "SETPOINT" => Ok(SourceKind::Setpoint),
        "FLOWPACED" => Ok(SourceKind::Flowpaced),
        _ => Err(format!(
            "kind {text:?}: expected MASS, CONCEN, SETPOINT or FLOWPACED"
        )),
    }
}

/// A time as EPANET writes it: decimal hours, or H:MM, or H:MM:SS; returns seconds.
pub fn parse_time(text: &str) -> Result<u64, String> {
    let bad = || format!("{text:?} is not a time: expected hours or H:MM[:SS]");
    let seconds = if text.contains(':') {
        let parts: Vec<&str> = text.split(':').collect();
        if parts.len() > 3 {
            return Err(bad());
        }
        let mut total = 0.0;
        for (part, scale) in parts.iter().zip([3600.0, 60.0, 1.0]) {
            let value: f64 = part.trim().parse().map_err(|_| bad())?;
            if !(value.is_finite() && value >= 0.0) {
                return Err(bad());
            }
            total += value * scale;
        }
        total
    } else {
        let hours: f64 = text.parse().map_err(|_| bad())?;
        hours * 3600.0
    };
    if !(seconds.is_finite() && (0.0..1e12).contains(&seconds)) {
        return Err(bad());
    }
    Ok(seconds.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_epanet_writes_them() {
        assert_eq!(parse_time("2").unwrap(), 7200);
        assert_eq!(parse_time("1.5").unwrap(), 5400);
        assert_eq!(parse_time("0:05").unwrap(), 300);
        assert_eq!(parse_time("1:00:30").unwrap(), 3630);
        assert!(parse_time("-1").is_err());
        assert!(parse_time("1:x").is_err());
    }
}
