//! The network model: elements in vectors addressed by typed indices.
//!
//! Every quantity is in SI units (see [`crate::units`]). IDs are kept as written in the file;
//! lookups by ID go through the indices built by [`Network::rebuild_indices`].

mod control;
mod curve;
mod link;
mod node;
mod options;

pub use control::*;
pub use curve::*;
pub use link::*;
pub use node::*;
pub use options::*;

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl $name {
            /// The position in its vector.
            #[inline]
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// The index for a position in its vector.
            #[inline]
            pub fn from_index(index: usize) -> Self {
                $name(index as u32)
            }
        }
    };
}

index_type!(
    /// Position of a node in [`Network::nodes`].
    NodeIdx
);
index_type!(
    /// Position of a link in [`Network::links`].
    LinkIdx
);
index_type!(
    /// Position of a time pattern in [`Network::patterns`].
    PatternIdx
);
index_type!(
    /// Position of a curve in [`Network::curves`].
    CurveIdx
);

/// A whole water supply network as an EPANET input file describes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Network {
    /// Lines of the `[TITLE]` section.
    pub title: Vec<String>,
    /// Junctions, reservoirs and tanks, in the order the file defines them.
    pub nodes: Vec<Node>,
    /// Pipes, pumps and valves, in the order the file defines them.
    pub links: Vec<Link>,
    /// Time patterns of multipliers.
    pub patterns: Vec<Pattern>,
    /// Data curves (pump, efficiency, volume, headloss, valve, generic).
    pub curves: Vec<Curve>,
    /// Simple controls of `[CONTROLS]`.
    pub controls: Vec<Control>,
    /// Rule-based controls of `[RULES]`.
    pub rules: Vec<Rule>,
    /// `[OPTIONS]` and the water-quality analysis.
    pub options: Options,
    /// `[TIMES]`.
    pub times: Times,
    /// `[REPORT]`.
    pub report: ReportOptions,
    /// Global settings of `[ENERGY]` (per-pump settings live on the pumps).
    pub energy: EnergyOptions,
    /// Global settings of `[REACTIONS]` (per-pipe and per-tank coefficients live on them).
    pub reactions: ReactionOptions,
    /// Map labels of `[LABELS]`.
    pub labels: Vec<Label>,
    /// The map backdrop of `[BACKDROP]`.
    pub backdrop: Backdrop,
    #[serde(skip)]
    node_index: HashMap<String, NodeIdx>,
    #[serde(skip)]
    link_index: HashMap<String, LinkIdx>,
    #[serde(skip)]
    pattern_index: HashMap<String, PatternIdx>,
    #[serde(skip)]
    curve_index: HashMap<String, CurveIdx>,
}

impl Network {
    /// An empty network with EPANET's default options.
    pub fn new() -> Network {
        Network::default()
    }

    /// Rebuilds the ID lookups after the element vectors were changed directly
    /// (for example after deserialising).
    pub fn rebuild_indices(&mut self) {
        self.node_index = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.clone(), NodeIdx::from_index(i)))
            .collect();
        self.link_index = self
            .links
            .iter()
            .enumerate()
            .map(|(i, l)| (l.id.clone(), LinkIdx::from_index(i)))
            .collect();
        self.pattern_index = self
            .patterns
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.clone(), PatternIdx::from_index(i)))
            .collect();
        self.curve_index = self
            .curves
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), CurveIdx::from_index(i)))
            .collect();
    }

    /// The node with this ID.
    pub fn node_idx(&self, id: &str) -> Option<NodeIdx> {
        self.node_index.get(id).copied()
    }

    /// The link with this ID.
    pub fn link_idx(&self, id: &str) -> Option<LinkIdx> {
        self.link_index.get(id).copied()
    }

    /// The pattern with this ID.
    pub fn pattern_idx(&self, id: &str) -> Option<PatternIdx> {
        self.pattern_index.get(id).copied()
    }

    /// The curve with this ID.
    pub fn curve_idx(&self, id: &str) -> Option<CurveIdx> {
        self.curve_index.get(id).copied()
    }

    /// Adds a node; returns `None` if a node with this ID exists already.
    pub fn add_node(&mut self, node: Node) -> Option<NodeIdx> {
        let key = node.id.clone();
        if self.node_index.contains_key(&key) {
            return None;
        }
        let idx = NodeIdx::from_index(self.nodes.len());
        self.node_index.insert(key, idx);
        self.nodes.push(node);
        Some(idx)
    }

    /// Adds a link; returns `None` if a link with this ID exists already.
    pub fn add_link(&mut self, link: Link) -> Option<LinkIdx> {
        let key = link.id.clone();
        if self.link_index.contains_key(&key) {
            return None;
        }
        let idx = LinkIdx::from_index(self.links.len());
        self.link_index.insert(key, idx);
        self.links.push(link);
        Some(idx)
    }

    /// Adds a pattern; returns `None` if a pattern with this ID exists already.
    pub fn add_pattern(&mut self, pattern: Pattern) -> Option<PatternIdx> {
        let key = pattern.id.clone();
        if self.pattern_index.contains_key(&key) {
            return None;
        }
        let idx = PatternIdx::from_index(self.patterns.len());
        self.pattern_index.insert(key, idx);
        self.patterns.push(pattern);
        Some(idx)
    }

    /// Adds a curve; returns `None` if a curve with this ID exists already.
    pub fn add_curve(&mut self, curve: Curve) -> Option<CurveIdx> {
        let key = curve.id.clone();
        if self.curve_index.contains_key(&key) {
            return None;
        }
        let idx = CurveIdx::from_index(self.curves.len());
        self.curve_index.insert(key, idx);
        self.curves.push(curve);
        Some(idx)
    }

    /// The node at an index.
    pub fn node(&self, idx: NodeIdx) -> &Node {
        &self.nodes[idx.index()]
    }

    /// The link at an index.
    pub fn link(&self, idx: LinkIdx) -> &Link {
        &self.links[idx.index()]
    }

    /// Counts of each kind of element.
    pub fn counts(&self) -> ElementCounts {
        let mut counts = ElementCounts::default();
        for node in &self.nodes {
            match node.kind {
                NodeKind::Junction(_) => counts.junctions += 1,
                NodeKind::Reservoir(_) => counts.reservoirs += 1,
                NodeKind::Tank(_) => counts.tanks += 1,
            }
        }
        for link in &self.links {
            match link.kind {
                LinkKind::Pipe(_) => counts.pipes += 1,
                LinkKind::Pump(_) => counts.pumps += 1,
                LinkKind::Valve(_) => counts.valves += 1,
            }
        }
        counts.patterns = self.patterns.len();
        counts.curves = self.curves.len();
        counts.controls = self.controls.len();
        counts.rules = self.rules.len();
        counts
    }
}

/// How many elements of each kind a network has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ElementCounts {
    pub junctions: usize,
    pub reservoirs: usize,
    pub tanks: usize,
    pub pipes: usize,
    pub pumps: usize,
    pub valves: usize,
    pub patterns: usize,
    pub curves: usize,
    pub controls: usize,
    pub rules: usize,
}

/// A text label on the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Label {
    /// Map x coordinate.
    pub x: f64,
    /// Map y coordinate.
    pub y: f64,
    /// The text shown.
    pub text: String,
    /// A node the label is anchored to, by ID.
    pub anchor_node: Option<String>,
}

/// The backdrop image behind the network map.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Backdrop {
    /// Map extent: lower-left x, lower-left y, upper-right x, upper-right y.
    pub dimensions: Option<[f64; 4]>,
    /// Map units keyword (`NONE`, `FEET`, `METERS`, `DEGREES`).
    pub units: Option<String>,
    /// Image file name.
    pub file: Option<String>,
    /// Offset of the image (x, y).
    pub offset: Option<[f64; 2]>,
}
