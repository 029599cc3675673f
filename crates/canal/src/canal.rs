//! The canal compiled for the solver: its main line from the upstream boundary to the downstream
//! outfall as computational points at chainages, the segments between them (reaches of at most
//! `max_cell_m`, junctions, structures), and the side withdrawals (outlets, drain gates).

use crate::error::{CanalError, Result};
use crate::model::{CanalModel, LinkKind, NodeKind, OutfallBoundary};
use crate::section::Section;
use crate::structures::Structure;
use serde::Serialize;

/// A computational point on the main line.
#[derive(Debug, Clone, Serialize)]
pub struct Point {
    /// Distance from the upstream end along the canal, m.
    pub chainage: f64,
    /// Bed elevation, m.
    pub bed: f64,
    /// The conduit whose section applies (index into `links`), if the point is in a reach.
    pub conduit: Option<usize>,
    /// The node the point stands at, if any.
    pub node: Option<usize>,
}

/// What lies between point j and point j+1.
#[derive(Debug, Clone, Serialize)]
pub enum Segment {
    /// Part of a conduit: Saint-Venant equations over `length`.
    Reach {
        /// Length, m.
        length: f64,
        /// The conduit.
        link: usize,
    },
    /// Two link ends meeting at a node: one level, flows balanced with the side links there.
    Junction {
        /// The node.
        node: usize,
    },
    /// A gate, weir or outlet on the main line.
    Structure {
        /// The link.
        link: usize,
    },
}

/// A side link: withdrawal from a main-line node to an outfall.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// The link.
    pub link: usize,
    /// The main-line point it draws from.
    pub point: usize,
    /// The outfall it discharges to.
    pub outfall: usize,
}

/// The canal ready to simulate.
#[derive(Debug, Clone)]
pub struct Canal {
    /// The model it was built from.
    pub model: CanalModel,
    /// Points along the main line.
    pub points: Vec<Point>,
    /// Segments: `segments[j]` joins `points[j]` and `points[j + 1]`.
    pub segments: Vec<Segment>,
    /// Side withdrawals.
    pub sides: Vec<Side>,
    /// Structures by link (None for conduits).
    pub structures: Vec<Option<Structure>>,
    /// The main-line links in order.
    pub main_links: Vec<usize>,
    /// For each link on the main line: its first and last point.
    pub link_points: Vec<Option<(usize, usize)>>,
    /// For each node: a point standing at it (main line only).
    pub node_points: Vec<Option<usize>>,
    /// The upstream node.
    pub upstream_node: usize,
    /// The downstream outfall.
    pub downstream_node: usize,
}

impl Canal {
    /// Builds the main line and its sides; a layout the solver cannot take is a located error.
    pub fn new(model: CanalModel) -> Result<Canal> {
        let file = model.file.clone();
        let layout_error = |line: usize, message: String| CanalError::Layout {
            file: file.clone(),
            line,
            message,
        };
        let links_out: Vec<Vec<usize>> = (0..model.nodes.len())
            .map(|n| {
                (0..model.links.len())
                    .filter(|&l| model.links[l].from == n)
                    .collect()
            })
            .collect();
        let has_in: Vec<bool> = (0..model.nodes.len())
            .map(|n| model.links.iter().any(|l| l.to == n))
            .collect();
        let starts: Vec<usize> = (0..model.nodes.len())
            .filter(|&n| !has_in[n] && !links_out[n].is_empty())
            .collect();
        let [upstream] = starts[..] else {
            let line = starts.get(1).map_or(1, |&n| model.nodes[n].line);
            return Err(layout_error(line, format!(
                "expected one upstream end for the canal, found {} ({}); branching canals are not supported",
                starts.len(),
                starts.iter().map(|&n| model.nodes[n].id.as_str()).collect::<Vec<_>>().join(", ")
            )));
        };
        let depth = longest_paths(&model, &links_out).map_err(|link| {
            layout_error(
                model.links[link].line,
                format!(
                    "link '{}' closes a loop: expected the canal to flow one way",
                    model.links[link].id
                ),
            )
        })?;
        let mut main_links = Vec::new();
        let mut sides_found = Vec::new();
        let mut node = upstream;
        while let Some(&next) = links_out[node].iter().max_by(|&&a, &&b| {
            let key = |l: usize| {
                (
                    depth[model.links[l].to].0 + 1,
                    depth[model.links[l].to].1 + conduit_length(&model, l),
                )
            };
            let (ka, kb) = (key(a), key(b));
            ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1)).then(b.cmp(&a))
        }) {
            for &other in &links_out[node] {
                if other != next {
                    sides_found.push(other);
                }
            }
            main_links.push(next);
            node = model.links[next].to;
        }
        let downstream = node;
        if !matches!(model.nodes[downstream].kind, NodeKind::Outfall(_)) {
            let last = main_links.last().copied().unwrap_or(0);
            let what = if matches!(model.links[last].kind, LinkKind::Conduit { .. }) {
                "conduit"
            } else {
                "gate"
            };
            return Err(layout_error(model.links[last].line, format!(
                "{what} '{}' has no downstream link: node '{}' ends the canal but is not an outfall",
                model.links[last].id, model.nodes[downstream].id
            )));
        }
        for &side in &sides_found {
            let link = &model.links[side];
            let ends_at_outfall = matches!(model.nodes[link.to].kind, NodeKind::Outfall(_))
                && links_out[link.to].is_empty();
            let dead_end = links_out[link.to].is_empty()
                && !matches!(model.nodes[link.to].kind, NodeKind::Outfall(_));
            if dead_end {
                let what = if matches!(link.kind, LinkKind::Conduit { .. }) {
                    "conduit"
                } else {
                    "gate"
                };
                return Err(layout_error(link.line, format!(
                    "{what} '{}' has no downstream link: node '{}' is neither an outfall nor the start of another link",
                    link.id, model.nodes[link.to].id
                )));
            }
            if matches!(link.kind, LinkKind::Conduit { .. }) || !ends_at_outfall {
                return Err(layout_error(link.line, format!(
                    "link '{}' leaves the main line at '{}': expected a side outlet, orifice or weir ending at an outfall (branches are not supported)",
                    link.id, model.nodes[link.from].id
                )));
            }
        }
        for (index, link) in model.links.iter().enumerate() {
            if !main_links.contains(&index) && !sides_found.contains(&index) {
                return Err(layout_error(
                    link.line,
                    format!(
                        "link '{}' is not connected to the canal's main line",
                        link.id
                    ),
                ));
            }
        }
        let mut canal = Canal {
            points: Vec::new(),
            segments: Vec::new(),
            sides: Vec::new(),
            structures: vec![None; model.links.len()],
            link_points: vec![None; model.links.len()],
            node_points: vec![None; model.nodes.len()],
            main_links: main_links.clone(),
            upstream_node: upstream,
            downstream_node: downstream,
            model,
        };
        canal.lay_out_points(&main_links);
        for side in sides_found {
            let from = canal.model.links[side].from;
            if from == upstream || canal.node_points[from].is_none() {
                return Err(layout_error(
                    canal.model.links[side].line,
                    format!(
                    "side link '{}' at the upstream end: expected it at a node inside the canal",
                    canal.model.links[side].id
                ),
                ));
            }
            let point = canal.node_points[from].unwrap_or(0); // ok: checked just above
            canal.sides.push(Side {
                link: side,
                point,
                outfall: canal.model.links[side].to,
            });
        }
        canal.check_outfall()?;
        Ok(canal)
    }

    fn lay_out_points(&mut self, main_links: &[usize]) {
        let mut chainage = 0.0;
        for (position, &link_index) in main_links.iter().enumerate() {
            let link = &self.model.links[link_index];
            let (from, to) = (link.from, link.to);
            let from_invert = self.model.nodes[from].invert;
            let to_invert = self.model.nodes[to].invert;
            if position > 0 {
                self.segments.push(Segment::Junction { node: from });
            }
            let first = self.points.len();
            match &link.kind {
                LinkKind::Conduit { length, .. } => {
                    let cells = (length / self.model.options.max_cell_m).ceil().max(1.0) as usize;
                    let (bed_from, bed_to) =
                        (from_invert + link.from_offset, to_invert + link.to_offset);
                    for i in 0..=cells {
                        let fraction = i as f64 / cells as f64;
                        let node = if i == 0 {
                            Some(from)
                        } else if i == cells {
                            Some(to)
                        } else {
                            None
                        };
                        self.points.push(Point {
                            chainage: chainage + fraction * length,
                            bed: bed_from + fraction * (bed_to - bed_from),
                            conduit: Some(link_index),
                            node,
                        });
                        if i > 0 {
                            self.segments.push(Segment::Reach {
                                length: length / cells as f64,
                                link: link_index,
                            });
                        }
                    }
                    chainage += length;
                }
                kind => {
                    // SWMM raises a regulator's crest to the downstream invert when it is lower.
                    let crest = (from_invert + link.from_offset).max(to_invert);
                    self.structures[link_index] = Some(Structure {
                        kind: kind.clone(),
                        crest,
                        upstream_invert: from_invert,
                    });
                    self.points.push(Point {
                        chainage,
                        bed: from_invert,
                        conduit: None,
                        node: Some(from),
                    });
                    self.points.push(Point {
                        chainage,
                        bed: to_invert,
                        conduit: None,
                        node: Some(to),
                    });
                    self.segments.push(Segment::Structure { link: link_index });
                }
            }
            let last = self.points.len() - 1;
            self.link_points[link_index] = Some((first, last));
            self.node_points[from].get_or_insert(first);
            self.node_points[to] = Some(last);
        }
        for (index, link) in self.model.links.iter().enumerate() {
            if self.structures[index].is_none() && !matches!(link.kind, LinkKind::Conduit { .. }) {
                let crest = self.model.nodes[link.from].invert + link.from_offset;
                let structure = Structure {
                    kind: link.kind.clone(),
                    crest,
                    upstream_invert: self.model.nodes[link.from].invert,
                };
                self.structures[index] = Some(structure);
            }
        }
    }

    fn check_outfall(&self) -> Result<()> {
        let node = &self.model.nodes[self.downstream_node];
        let last_link = &self.model.links[*self.main_links.last().unwrap_or(&0)];
        if let NodeKind::Outfall(OutfallBoundary::Normal) = node.kind {
            if !matches!(last_link.kind, LinkKind::Conduit { .. }) {
                return Err(CanalError::Layout {
                    file: self.model.file.clone(),
                    line: node.line,
                    message: format!(
                        "outfall '{}' is NORMAL: expected a conduit (not a gate) to reach it",
                        node.id
                    ),
                });
            }
        }
        Ok(())
    }

    /// The section of a reach point (None for structure points).
    pub fn section(&self, point: usize) -> Option<(&Section, f64)> {
        let link = self.points[point].conduit?;
        match &self.model.links[link].kind {
            LinkKind::Conduit {
                section: Some(section),
                roughness,
                ..
            } => Some((section, *roughness)),
            _ => None,
        }
    }

    /// Length of the main line, m.
    pub fn length(&self) -> f64 {
        self.points.last().map_or(0.0, |p| p.chainage)
    }

    /// Bed slope of the reach holding segment `segment` (positive downhill).
    pub fn reach_slope(&self, link: usize) -> f64 {
        let Some((first, last)) = self.link_points[link] else {
            return 0.0;
        };
        let run = self.points[last].chainage - self.points[first].chainage;
        if run <= 0.0 {
            0.0
        } else {
            (self.points[first].bed - self.points[last].bed) / run
        }
    }
}

fn conduit_length(model: &CanalModel, link: usize) -> f64 {
    match model.links[link].kind {
        LinkKind::Conduit { length, .. } => length,
        _ => 0.0,
    }
}

/// For each node: the most links (and then the most conduit length) on a path to a dead end.
/// Err(link) when a link closes a loop.
fn longest_paths(
    model: &CanalModel,
    links_out: &[Vec<usize>],
) -> std::result::Result<Vec<(usize, f64)>, usize> {
    let count = model.nodes.len();
    let mut depth = vec![(0usize, 0.0f64); count];
    let mut state = vec![0u8; count]; // 0 new, 1 on the stack, 2 done
    for start in 0..count {
        if state[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&link) = links_out[node].get(*next) {
                *next += 1;
                let to = model.links[link].to;
                match state[to] {
                    0 => {
                        state[to] = 1;
                        stack.push((to, 0));
                    }
                    1 => return Err(link),
                    _ => {}
                }
            } else {
                let best = links_out[node]
                    .iter()
                    .map(|&l| {
                        (
                            depth[model.links[l].to].0 + 1,
                            depth[model.links[l].to].1 + conduit_length(model, l),
                        )
                    })
                    .fold((0, 0.0), |a, b| {
                        if b.0 > a.0 || (b.0 == a.0 && b.1 > a.1) {
                            b
                        } else {
                            a
                        }
                    });
                depth[node] = best;
                state[node] = 2;
                stack.pop();
            }
        }
    }
    Ok(depth)
}
