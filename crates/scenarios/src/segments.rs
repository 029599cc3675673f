//! Isolation segments: the parts of a network that closing isolation valves can cut off.
//!
//! The definition is WNTR's `valve_segments`: links without a valve join their end nodes into
//! one segment; a link with a valve at one end belongs to the segment of its other end; a link
//! with valves at both ends is a segment of its own. A valve bounds the segments on its two sides.

use crate::valve_layer::IsolationValve;
use danjiang_network::{LinkIdx, Network, NodeIdx, NodeKind};

/// One isolation segment.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Segment number, from 1.
    pub number: u32,
    /// Nodes in the segment.
    pub nodes: Vec<NodeIdx>,
    /// Links in the segment.
    pub links: Vec<LinkIdx>,
    /// Total base demand of its junctions, m³/s (before patterns and the demand multiplier).
    pub base_demand: f64,
    /// Positions in the valve layer of the valves that, closed, cut the segment off.
    pub valves: Vec<usize>,
}

/// Every node's and link's segment, and the segments themselves.
#[derive(Debug, Clone, PartialEq)]
pub struct Segmentation {
    /// Segment number of each node, by node index.
    pub node_segment: Vec<u32>,
    /// Segment number of each link, by link index.
    pub link_segment: Vec<u32>,
    /// The segments, in number order (segment `n` is at position `n - 1`).
    pub segments: Vec<Segment>,
}

/// Disjoint sets over node positions, with path halving.
struct DisjointSets {
    parent: Vec<usize>,
}

impl DisjointSets {
    fn new(size: usize) -> DisjointSets {
        DisjointSets {
            parent: (0..size).collect(),
        }
    }

    fn root(&mut self, mut item: usize) -> usize {
        while self.parent[item] != item {
            self.parent[item] = self.parent[self.parent[item]];
            item = self.parent[item];
        }
        item
    }

    fn join(&mut self, a: usize, b: usize) {
        let (a, b) = (self.root(a), self.root(b));
        if a != b {
            self.parent[a.max(b)] = a.min(b);
        }
    }
}

/// Splits a network into isolation segments by a valve layer. Segments are numbered in the
/// order of their first node (by node index), then links with valves at both ends in link
/// order; the numbering is deterministic.
pub fn segments(network: &Network, valves: &[IsolationValve]) -> Segmentation {
    let node_count = network.nodes.len();
    let link_count = network.links.len();
    // Which ends of each link carry a valve.
    let mut valve_at_from = vec![false; link_count];
    let mut valve_at_to = vec![false; link_count];
    for valve in valves {
        let link = network.link(valve.link);
        if valve.node == link.from {
            valve_at_from[valve.link.index()] = true;
        }
        if valve.node == link.to {
            valve_at_to[valve.link.index()] = true;
        }
    }

    let mut sets = DisjointSets::new(node_count);
    for (index, link) in network.links.iter().enumerate() {
        if !valve_at_from[index] && !valve_at_to[index] {
            sets.join(link.from.index(), link.to.index());
        }
    }

    let mut number_of_root = vec![0u32; node_count];
    let mut next_number = 0u32;
    let mut node_segment = vec![0u32; node_count];
    for (node, segment) in node_segment.iter_mut().enumerate() {
        let root = sets.root(node);
        if number_of_root[root] == 0 {
            next_number += 1;
            number_of_root[root] = next_number;
        }
        *segment = number_of_root[root];
    }

    let mut link_segment = vec![0u32; link_count];
    for (index, link) in network.links.iter().enumerate() {
        let from_segment = node_segment[link.from.index()];
        let to_segment = node_segment[link.to.index()];
        link_segment[index] = match (valve_at_from[index], valve_at_to[index]) {
            (false, _) => from_segment,
            (true, false) => to_segment,
            (true, true) if link.from == link.to => from_segment,
            (true, true) => {
                next_number += 1;
                next_number
            }
        };
    }

    let mut segments: Vec<Segment> = (1..=next_number)
        .map(|number| Segment {
            number,
            nodes: Vec::new(),
            links: Vec::new(),
            base_demand: 0.0,
            valves: Vec::new(),
        })
        .collect();
    for (index, node) in network.nodes.iter().enumerate() {
        let segment = &mut segments[node_segment[index] as usize - 1];
        segment.nodes.push(NodeIdx::from_index(index));
        if let NodeKind::Junction(junction) = &node.kind {
            segment.base_demand += junction.demands.iter().map(|d| d.base).sum::<f64>();
        }
    }
    for (index, number) in link_segment.iter().enumerate() {
        segments[*number as usize - 1]
            .links
            .push(LinkIdx::from_index(index));
    }
    for (position, valve) in valves.iter().enumerate() {
        let link_side = link_segment[valve.link.index()];
        let node_side = node_segment[valve.node.index()];
        if link_side != node_side {
            for side in [link_side, node_side] {
                let bounding = &mut segments[side as usize - 1].valves;
                if bounding.last() != Some(&position) {
                    bounding.push(position);
                }
            }
        }
    }
    Segmentation {
        node_segment,
        link_segment,
        segments,
    }
}
