//! Checks on a whole [`Network`], read from a file or built in code: every reference
//! resolves, values are in range, and every node can reach a tank or reservoir.
//!
//! Each finding names the element it is about, so a reader can point at the line that
//! defined it. Codes are EPANET 2.3's where it has one for the problem.

use crate::inp::Severity;
use crate::model::{
    ControlCondition, CurveIdx, LinkIdx, LinkKind, Network, NodeIdx, NodeKind, PatternIdx,
    QualityAnalysis, RuleObject, ValveType,
};
use std::collections::HashSet;

/// EPANET's longest ID, in characters.
const MAX_ID_LENGTH: usize = 31;
/// Slack on a tank's levels against its volume curve, as EPANET allows, m.
const LEVEL_TOLERANCE: f64 = 1e-6;
/// At most this many nodes are named in one connectivity finding.
const NODES_NAMED: usize = 10;

/// The element a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// The network as a whole.
    Network,
    /// A node.
    Node(NodeIdx),
    /// A link.
    Link(LinkIdx),
    /// A time pattern.
    Pattern(PatternIdx),
    /// A curve.
    Curve(CurveIdx),
    /// A simple control, by position in [`Network::controls`].
    Control(usize),
    /// A rule, by position in [`Network::rules`].
    Rule(usize),
}

/// One problem found in a network.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// EPANET 2.3's error code, where one applies.
    pub code: Option<u16>,
    /// What it is about.
    pub subject: Subject,
    /// What is wrong and what was expected.
    pub message: String,
}

/// Every problem found in a network, errors and warnings.
pub fn validate(network: &Network) -> Vec<Finding> {
    let mut checker = Checker {
        network,
        findings: Vec::new(),
    };
    checker.counts();
    checker.ids();
    checker.references();
    checker.nodes();
    checker.links();
    checker.valve_connections();
    checker.pumps();
    checker.patterns_and_curves();
    checker.connectivity();
    checker.unused();
    checker.findings
}

struct Checker<'n> {
    network: &'n Network,
    findings: Vec<Finding>,
}

impl Checker<'_> {
    fn error(&mut self, code: u16, subject: Subject, message: String) {
        self.findings.push(Finding {
            severity: Severity::Error,
            code: Some(code),
            subject,
            message,
        });
    }

    fn warning(&mut self, code: Option<u16>, subject: Subject, message: String) {
        self.findings.push(Finding {
            severity: Severity::Warning,
            code,
            subject,
            message,
        });
    }

    fn node_ok(&self, node: NodeIdx) -> bool {
        node.index() < self.network.nodes.len()
    }

    fn link_ok(&self, link: LinkIdx) -> bool {
        link.index() < self.network.links.len()
    }

    fn counts(&mut self) {
        let network = self.network;
        if network.nodes.len() < 2 {
            self.error(
                223,
                Subject::Network,
                format!(
                    "not enough nodes in network: {} found, at least 2 needed",
                    network.nodes.len()
                ),
            );
        }
        if !network.nodes.iter().any(|node| node.is_fixed_head()) {
            self.error(
                224,
                Subject::Network,
                "no tanks or reservoirs in network: at least one is needed to fix the heads"
                    .to_string(),
            );
        }
    }

    fn ids(&mut self) {
        let network = self.network;
        let check = |findings: &mut Vec<Finding>, id: &str, subject: Subject| {
            let length = id.chars().count();
            if length == 0 || length > MAX_ID_LENGTH || id.contains(char::is_whitespace) {
                findings.push(Finding {
                    severity: Severity::Error,
                    code: Some(252),
                    subject,
                    message: format!(
                        "invalid ID name \"{id}\": expected 1 to {MAX_ID_LENGTH} characters \
                         without spaces"
                    ),
                });
            }
        };
        let mut seen = HashSet::with_capacity(network.nodes.len());
        for (i, node) in network.nodes.iter().enumerate() {
            let subject = Subject::Node(NodeIdx::from_index(i));
            check(&mut self.findings, &node.id, subject);
            if !seen.insert(node.id.as_str()) {
                self.error(
                    215,
                    subject,
                    format!("duplicate ID label: node \"{}\"", node.id),
                );
            }
        }
        seen.clear();
        for (i, link) in network.links.iter().enumerate() {
            let subject = Subject::Link(LinkIdx::from_index(i));
            check(&mut self.findings, &link.id, subject);
            if !seen.insert(link.id.as_str()) {
                self.error(
                    215,
                    subject,
                    format!("duplicate ID label: link \"{}\"", link.id),
                );
            }
        }
    }

    /// Indices that point outside their vectors (possible in networks built in code).
    fn references(&mut self) {
        let network = self.network;
        let patterns = network.patterns.len();
        let curves = network.curves.len();
        let pattern_ok = |p: Option<PatternIdx>| p.is_none_or(|p| p.index() < patterns);
        let curve_ok = |c: Option<CurveIdx>| c.is_none_or(|c| c.index() < curves);
        for (i, node) in network.nodes.iter().enumerate() {
            let subject = Subject::Node(NodeIdx::from_index(i));
            let mut patterns_ok = node.source.as_ref().is_none_or(|s| pattern_ok(s.pattern));
            let mut curves_ok = true;
            match &node.kind {
                NodeKind::Junction(junction) => {
                    patterns_ok &= junction.demands.iter().all(|d| pattern_ok(d.pattern));
                }
                NodeKind::Reservoir(reservoir) => patterns_ok &= pattern_ok(reservoir.head_pattern),
                NodeKind::Tank(tank) => curves_ok = curve_ok(tank.volume_curve),
            }
            if !patterns_ok {
                self.error(
                    205,
                    subject,
                    format!("node \"{}\" refers to an undefined time pattern", node.id),
                );
            }
            if !curves_ok {
                self.error(
                    206,
                    subject,
                    format!("tank \"{}\" refers to an undefined curve", node.id),
                );
            }
        }
        for (i, link) in network.links.iter().enumerate() {
            let subject = Subject::Link(LinkIdx::from_index(i));
            if !self.node_ok(link.from) || !self.node_ok(link.to) {
                self.error(
                    203,
                    subject,
                    format!("link \"{}\" refers to an undefined node", link.id),
                );
            }
            let (patterns_ok, curves_ok) = match &link.kind {
                LinkKind::Pump(pump) => (
                    pattern_ok(pump.speed_pattern) && pattern_ok(pump.price_pattern),
                    curve_ok(pump.head_curve) && curve_ok(pump.efficiency_curve),
                ),
                LinkKind::Valve(valve) => (true, curve_ok(valve.curve)),
                LinkKind::Pipe(_) => (true, true),
            };
            if !patterns_ok {
                self.error(
                    205,
                    subject,
                    format!("link \"{}\" refers to an undefined time pattern", link.id),
                );
            }
            if !curves_ok {
                self.error(
                    206,
                    subject,
                    format!("link \"{}\" refers to an undefined curve", link.id),
                );
            }
        }
        for (i, control) in network.controls.iter().enumerate() {
            let subject = Subject::Control(i);
            if !self.link_ok(control.link) {
                self.error(
                    204,
                    subject,
                    "control refers to an undefined link".to_string(),
                );
                continue;
            }
            if let ControlCondition::NodeAbove { node, .. }
            | ControlCondition::NodeBelow { node, .. } = control.condition
            {
                if !self.node_ok(node) {
                    self.error(
                        203,
                        subject,
                        "control refers to an undefined node".to_string(),
                    );
                }
            }
            let link = &network.links[control.link.index()];
            if matches!(&link.kind, LinkKind::Pipe(pipe) if pipe.check_valve) {
                self.error(
                    207,
                    subject,
                    format!("control acts on check valve pipe \"{}\"", link.id),
                );
            }
        }
        for (i, rule) in network.rules.iter().enumerate() {
            let subject = Subject::Rule(i);
            let premises_ok = rule.premises.iter().all(|p| match p.object {
                RuleObject::Node(node) => self.node_ok(node),
                RuleObject::Link(link) => self.link_ok(link),
                RuleObject::System => true,
            });
            let actions_ok = rule
                .then_actions
                .iter()
                .chain(&rule.else_actions)
                .all(|a| self.link_ok(a.link));
            if !premises_ok || !actions_ok {
                self.error(
                    204,
                    subject,
                    format!("rule \"{}\" refers to an undefined node or link", rule.id),
                );
            }
        }
        if let QualityAnalysis::Trace { node } = network.options.quality {
            if !self.node_ok(node) {
                self.error(212, Subject::Network, "undefined trace node".to_string());
            }
        }
        let options = &network.options;
        if options.demand_model == crate::model::DemandModel::PressureDriven
            && options.required_pressure <= options.minimum_pressure
        {
            self.error(
                208,
                Subject::Network,
                format!(
                    "illegal PDA pressure limits: required pressure {:.3} m is not above the \
                     minimum pressure {:.3} m",
                    options.required_pressure, options.minimum_pressure
                ),
            );
        }
    }

    fn nodes(&mut self) {
        let network = self.network;
        for (i, node) in network.nodes.iter().enumerate() {
            let subject = Subject::Node(NodeIdx::from_index(i));
            if !node.elevation.is_finite() {
                self.error(
                    209,
                    subject,
                    format!("node \"{}\" has an elevation that is not a number", node.id),
                );
            }
            match &node.kind {
                NodeKind::Junction(junction) => {
                    if junction.emitter_coefficient < 0.0 {
                        self.error(
                            209,
                            subject,
                            format!(
                                "junction \"{}\" has a negative emitter coefficient",
                                node.id
                            ),
                        );
                    }
                }
                NodeKind::Reservoir(_) => {}
                NodeKind::Tank(tank) => {
                    let ordered = tank.min_level <= tank.initial_level
                        && tank.initial_level <= tank.max_level
                        && tank.min_level <= tank.max_level;
                    if !ordered {
                        self.error(
                            225,
                            subject,
                            format!(
                                "invalid lower/upper levels for tank \"{}\": expected minimum \
                                 ({:.4} m) <= initial ({:.4} m) <= maximum ({:.4} m)",
                                node.id, tank.min_level, tank.initial_level, tank.max_level
                            ),
                        );
                    }
                    let curve = tank
                        .volume_curve
                        .and_then(|c| network.curves.get(c.index()))
                        .filter(|c| !c.points.is_empty());
                    if let Some(curve) = curve {
                        let first = curve.points[0].0;
                        let last = curve.points[curve.points.len() - 1].0;
                        if tank.min_level < first - LEVEL_TOLERANCE
                            || tank.max_level > last + LEVEL_TOLERANCE
                        {
                            self.error(
                                225,
                                subject,
                                format!(
                                    "invalid lower/upper levels for tank \"{}\": levels {:.4} to \
                                     {:.4} m lie outside its volume curve \"{}\" ({:.4} to {:.4} m)",
                                    node.id, tank.min_level, tank.max_level, curve.id, first, last
                                ),
                            );
                        }
                    } else if tank.diameter <= 0.0 {
                        self.error(
                            209,
                            subject,
                            format!("tank \"{}\" has no diameter and no volume curve", node.id),
                        );
                    }
                }
            }
        }
    }

    fn links(&mut self) {
        let network = self.network;
        for (i, link) in network.links.iter().enumerate() {
            let subject = Subject::Link(LinkIdx::from_index(i));
            if link.from == link.to {
                self.error(
                    222,
                    subject,
                    format!("link \"{}\" has the same start and end node", link.id),
                );
            }
            match &link.kind {
                LinkKind::Pipe(pipe) => {
                    for (value, what) in [
                        (pipe.length, "length"),
                        (pipe.diameter, "diameter"),
                        (pipe.roughness, "roughness"),
                    ] {
                        if value.is_nan() || value <= 0.0 || !value.is_finite() {
                            self.error(
                                211,
                                subject,
                                format!("illegal link property value: pipe \"{}\" has {what} {value}, expected more than zero", link.id),
                            );
                        }
                    }
                    if pipe.minor_loss < 0.0 {
                        self.error(211, subject, format!("illegal link property value: pipe \"{}\" has a negative minor loss", link.id));
                    }
                }
                LinkKind::Valve(valve) => {
                    if valve.diameter.is_nan() || valve.diameter <= 0.0 {
                        self.error(211, subject, format!("illegal link property value: valve \"{}\" has diameter {}, expected more than zero", link.id, valve.diameter));
                    }
                    if valve.valve_type == ValveType::Gpv && valve.curve.is_none() {
                        self.error(
                            206,
                            subject,
                            format!(
                                "general purpose valve \"{}\" has no headloss curve",
                                link.id
                            ),
                        );
                    }
                }
                LinkKind::Pump(pump) => {
                    if pump.speed < 0.0 {
                        self.error(
                            211,
                            subject,
                            format!(
                                "illegal link property value: pump \"{}\" has a negative speed",
                                link.id
                            ),
                        );
                    }
                }
            }
        }
    }

    /// EPANET's rules on valves: pressure and flow control valves cannot sit next to a tank
    /// or reservoir (219), and some pairs of valves cannot share nodes (220). As EPANET reads
    /// valves one by one, the later valve of a pair is the one in error.
    fn valve_connections(&mut self) {
        let network = self.network;
        let mut earlier: Vec<(LinkIdx, ValveType, NodeIdx, NodeIdx)> = Vec::new();
        let mut by_node: std::collections::HashMap<NodeIdx, Vec<usize>> = Default::default();
        for (i, link) in network.links.iter().enumerate() {
            let LinkKind::Valve(valve) = &link.kind else {
                continue;
            };
            let subject = Subject::Link(LinkIdx::from_index(i));
            let kind = valve.valve_type;
            let (j1, j2) = (link.from, link.to);
            if matches!(kind, ValveType::Prv | ValveType::Psv | ValveType::Fcv) {
                let fixed = |n: NodeIdx| {
                    network
                        .nodes
                        .get(n.index())
                        .is_some_and(|node| node.is_fixed_head())
                };
                if fixed(j1) || fixed(j2) {
                    self.error(219, subject, format!("illegal valve connection to tank node: {} \"{}\" connects to a tank or reservoir", kind.keyword(), link.id));
                } else {
                    let mut candidates: Vec<usize> = by_node.get(&j1).cloned().unwrap_or_default();
                    candidates.extend(by_node.get(&j2).into_iter().flatten());
                    for &other in &candidates {
                        let (_, other_kind, v1, v2) = earlier[other];
                        use ValveType::{Fcv, Prv, Psv};
                        let conflict = match (other_kind, kind) {
                            (Prv, Prv) => v2 == j2 || v2 == j1 || v1 == j2,
                            (Psv, Psv) => v1 == j1 || v1 == j2 || v2 == j1,
                            (Psv, Prv) => v1 == j2,
                            (Prv, Psv) => v2 == j1,
                            (Fcv, Psv) => v2 == j1,
                            (Fcv, Prv) => v1 == j2,
                            (Psv, Fcv) => v1 == j2,
                            (Prv, Fcv) => v2 == j1,
                            _ => false,
                        };
                        if conflict {
                            // EPANET 2.3.5 runs such networks, so this is a warning.
                            let other_id = &network.links[earlier[other].0.index()].id;
                            self.warning(Some(220), subject, format!("valve connected to another valve: {} \"{}\" and {} \"{}\" share a node in a way the EPANET manual forbids (EPANET 2.3.5 still runs it)", kind.keyword(), link.id, other_kind.keyword(), other_id));
                            break;
                        }
                    }
                }
            }
            let position = earlier.len();
            earlier.push((LinkIdx::from_index(i), kind, j1, j2));
            by_node.entry(j1).or_default().push(position);
            if j2 != j1 {
                by_node.entry(j2).or_default().push(position);
            }
        }
    }

    fn pumps(&mut self) {
        let network = self.network;
        for (i, link) in network.links.iter().enumerate() {
            let LinkKind::Pump(pump) = &link.kind else {
                continue;
            };
            let subject = Subject::Link(LinkIdx::from_index(i));
            match (
                pump.head_curve.and_then(|c| network.curves.get(c.index())),
                pump.power,
            ) {
                (Some(curve), _) => {
                    if let Err(why) = head_curve_shape(&curve.points) {
                        self.error(
                            227,
                            subject,
                            format!(
                                "invalid head curve \"{}\" for pump \"{}\": {why}",
                                curve.id, link.id
                            ),
                        );
                    }
                }
                (None, Some(power)) if power > 0.0 => {}
                _ => self.error(
                    226,
                    subject,
                    format!("no head curve or power rating for pump \"{}\"", link.id),
                ),
            }
        }
    }

    fn patterns_and_curves(&mut self) {
        let network = self.network;
        for (i, pattern) in network.patterns.iter().enumerate() {
            if pattern.multipliers.is_empty() {
                self.error(
                    232,
                    Subject::Pattern(PatternIdx::from_index(i)),
                    format!("no data provided for pattern \"{}\"", pattern.id),
                );
            }
        }
        for (i, curve) in network.curves.iter().enumerate() {
            let subject = Subject::Curve(CurveIdx::from_index(i));
            if curve.points.is_empty() {
                self.error(
                    231,
                    subject,
                    format!("no data provided for curve \"{}\"", curve.id),
                );
            } else if curve.points.windows(2).any(|pair| pair[0].0 >= pair[1].0) {
                self.error(
                    230,
                    subject,
                    format!("nonincreasing x-values for curve \"{}\"", curve.id),
                );
            }
        }
    }

    /// Junctions with no link at all are an error (EPANET 233); groups of nodes that no
    /// path of links joins to a tank or reservoir are a warning (EPANET warns when that
    /// happens during a run).
    fn connectivity(&mut self) {
        let network = self.network;
        let count = network.nodes.len();
        let mut parent: Vec<u32> = (0..count as u32).collect();
        let mut degree = vec![0u32; count];
        fn root(parent: &mut [u32], mut node: u32) -> u32 {
            while parent[node as usize] != node {
                let grandparent = parent[parent[node as usize] as usize];
                parent[node as usize] = grandparent;
                node = grandparent;
            }
            node
        }
        for link in &network.links {
            let (a, b) = (link.from.index(), link.to.index());
            if a >= count || b >= count {
                continue;
            }
            degree[a] += 1;
            degree[b] += 1;
            let (ra, rb) = (root(&mut parent, a as u32), root(&mut parent, b as u32));
            if ra != rb {
                parent[ra as usize] = rb;
            }
        }
        let mut has_source = vec![false; count];
        for (i, node) in network.nodes.iter().enumerate() {
            if node.is_fixed_head() {
                let r = root(&mut parent, i as u32) as usize;
                has_source[r] = true;
            }
        }
        let mut cut_off: std::collections::BTreeMap<u32, Vec<usize>> = Default::default();
        for (i, node) in network.nodes.iter().enumerate() {
            if let NodeKind::Junction(_) = node.kind {
                if degree[i] == 0 {
                    self.error(
                        233,
                        Subject::Node(NodeIdx::from_index(i)),
                        format!(
                            "network has an unconnected node: junction \"{}\" has no links",
                            node.id
                        ),
                    );
                    continue;
                }
                let r = root(&mut parent, i as u32);
                if !has_source[r as usize] {
                    cut_off.entry(r).or_default().push(i);
                }
            }
        }
        for nodes in cut_off.values() {
            let named: Vec<&str> = nodes
                .iter()
                .take(NODES_NAMED)
                .map(|&i| network.nodes[i].id.as_str())
                .collect();
            let more = if nodes.len() > NODES_NAMED {
                format!(" and {} more", nodes.len() - NODES_NAMED)
            } else {
                String::new()
            };
            self.warning(
                None,
                Subject::Node(NodeIdx::from_index(nodes[0])),
                format!(
                    "{} junction(s) cannot reach any tank or reservoir through the links: {}{more}",
                    nodes.len(),
                    named.join(", ")
                ),
            );
        }
    }

    fn unused(&mut self) {
        let network = self.network;
        let mut pattern_used = vec![false; network.patterns.len()];
        let mut curve_used = vec![false; network.curves.len()];
        let mut use_pattern = |p: Option<PatternIdx>| {
            if let Some(slot) = p.and_then(|p| pattern_used.get_mut(p.index())) {
                *slot = true;
            }
        };
        let default_pattern = network.options.default_pattern.as_deref().unwrap_or("1");
        use_pattern(network.pattern_idx(default_pattern));
        if let Some(id) = &network.energy.global_pattern {
            use_pattern(network.pattern_idx(id));
        }
        let mut use_curve = |c: Option<CurveIdx>| {
            if let Some(slot) = c.and_then(|c| curve_used.get_mut(c.index())) {
                *slot = true;
            }
        };
        for node in &network.nodes {
            use_pattern(node.source.as_ref().and_then(|s| s.pattern));
            match &node.kind {
                NodeKind::Junction(junction) => {
                    junction.demands.iter().for_each(|d| use_pattern(d.pattern))
                }
                NodeKind::Reservoir(reservoir) => use_pattern(reservoir.head_pattern),
                NodeKind::Tank(tank) => use_curve(tank.volume_curve),
            }
        }
        for link in &network.links {
            match &link.kind {
                LinkKind::Pump(pump) => {
                    use_pattern(pump.speed_pattern);
                    use_pattern(pump.price_pattern);
                    use_curve(pump.head_curve);
                    use_curve(pump.efficiency_curve);
                }
                LinkKind::Valve(valve) => use_curve(valve.curve),
                LinkKind::Pipe(_) => {}
            }
        }
        for (i, used) in pattern_used.iter().enumerate() {
            if !used {
                self.warning(
                    None,
                    Subject::Pattern(PatternIdx::from_index(i)),
                    format!("pattern \"{}\" is not used", network.patterns[i].id),
                );
            }
        }
        for (i, used) in curve_used.iter().enumerate() {
            if !used {
                self.warning(
                    None,
                    Subject::Curve(CurveIdx::from_index(i)),
                    format!("curve \"{}\" is not used", network.curves[i].id),
                );
            }
        }
    }
}

/// Whether a pump head curve can be used, as EPANET 2.3 judges it: one point or three
/// points starting at zero flow make a power function `h = a - b q^c` that must fall with
/// flow; any other curve must have heads that fall from point to point.
pub fn head_curve_shape(points: &[(f64, f64)]) -> Result<(), String> {
    const TINY: f64 = 1e-6;
    let power_function = match points {
        [(q, h)] => Some((1.33334 * h, *h, 0.0, *q, 2.0 * q)),
        [(q0, h0), (q1, h1), (q2, h2)] if *q0 == 0.0 => Some((*h0, *h1, *h2, *q1, *q2)),
        _ => None,
    };
    match power_function {
        Some((h0, h1, h2, q1, q2)) => {
            if h0 < TINY || h0 - h1 < TINY || h1 - h2 < TINY || q1 < TINY || q2 - q1 < TINY {
                return Err("heads must fall and flows rise from point to point".to_string());
            }
            let c = ((h0 - h2) / (h0 - h1)).ln() / (q2 / q1).ln();
            if c <= 0.0 || c > 20.0 {
                return Err(format!("the fitted exponent {c:.3} is outside 0 to 20"));
            }
            Ok(())
        }
        None => {
            if points.is_empty() {
                return Err("it has no points".to_string());
            }
            if points.windows(2).any(|pair| pair[1].1 >= pair[0].1) {
                return Err("heads must fall as flow rises".to_string());
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_curves_as_epanet_judges_them() {
        assert!(head_curve_shape(&[(1.0, 100.0)]).is_ok());
        assert!(head_curve_shape(&[(0.0, 120.0), (1.0, 100.0), (2.0, 60.0)]).is_ok());
        assert!(head_curve_shape(&[(0.0, 100.0), (1.0, 100.0), (2.0, 60.0)]).is_err());
        assert!(head_curve_shape(&[(1.0, 100.0), (2.0, 90.0), (3.0, 70.0), (4.0, 20.0)]).is_ok());
        assert!(head_curve_shape(&[(1.0, 100.0), (2.0, 110.0)]).is_err());
    }

    #[test]
    fn an_empty_network_lacks_nodes_and_sources() {
        let findings = validate(&Network::new());
        let codes: Vec<_> = findings.iter().filter_map(|f| f.code).collect();
        assert!(codes.contains(&223));
        assert!(codes.contains(&224));
    }
}
