//! An R-tree over the edges of a zone or the canal line, so that a distance or a crossing
//! question looks only at the edges near it: a surveyed zone boundary has hundreds of thousands
//! of vertices, and comparing every edge with every other, or with every footprint vertex,
//! took minutes.

use geo::line_intersection::{line_intersection, LineIntersection};
use geo::{Coord, Geometry, Line, LineString, Polygon};
use rstar::{PointDistance, RTree, RTreeObject, AABB};

use crate::geodesy::{point_to_edge_m, point_to_edges_m, points_to_edge_m};
use crate::geometry::{edges, vertices};

/// One edge of a ring or line: its ends (lon/lat degrees), which ring it belongs to and its
/// position along that ring.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Edge {
    start: Coord,
    end: Coord,
    ring: usize,
    position: usize,
}

impl RTreeObject for Edge {
    type Envelope = AABB<[f64; 2]>;

    fn envelope(&self) -> Self::Envelope {
        AABB::from_corners([self.start.x, self.start.y], [self.end.x, self.end.y])
    }
}

impl PointDistance for Edge {
    /// Squared distance in degrees: only used to find some near edge, whose geodesic distance
    /// then bounds the search; never taken as a distance itself.
    fn distance_2(&self, point: &[f64; 2]) -> f64 {
        let (dx, dy) = (self.end.x - self.start.x, self.end.y - self.start.y);
        let length_2 = dx * dx + dy * dy;
        let t = if length_2 > 0.0 {
            (((point[0] - self.start.x) * dx + (point[1] - self.start.y) * dy) / length_2)
                .clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (x, y) = (self.start.x + t * dx, self.start.y + t * dy);
        (point[0] - x).powi(2) + (point[1] - y).powi(2)
    }
}

/// Metres in a degree of latitude, rounded down (the ellipsoid's least is 110,574 m at the
/// equator), so that a distance converted to degrees is never too small.
const METRES_PER_DEGREE: f64 = 110_000.0;

/// The edges of one geometry, indexed.
#[derive(Debug, Clone)]
pub struct EdgeIndex {
    tree: RTree<Edge>,
    /// The vertices of a geometry without edges (points), compared one by one.
    lone_vertices: Vec<Coord>,
}

impl EdgeIndex {
    /// Indexes the lines and rings of `geometry`.
    pub fn of(geometry: &Geometry) -> Self {
        let rings = lines_of(geometry);
        let tree = RTree::bulk_load(edges_of(&rings));
        let lone_vertices = if tree.size() == 0 {
            vertices(geometry)
        } else {
            Vec::new()
        };
        EdgeIndex {
            tree,
            lone_vertices,
        }
    }

    /// Geodesic distance from a footprint to the indexed geometry, m, assuming they do not
    /// cross: each footprint vertex to the nearest edges, and each footprint edge to the nearest
    /// vertices. Only edges within the bound found first are measured.
    pub fn distance_m(&self, footprint: &Geometry) -> f64 {
        let footprint_vertices = vertices(footprint);
        let footprint_edges = edges(footprint);
        if self.tree.size() == 0 {
            return crate::geodesy::between_m(
                &footprint_vertices,
                &footprint_edges,
                &self.lone_vertices,
                &[],
            );
        }
        let mut best = f64::INFINITY;
        for vertex in &footprint_vertices {
            best = best.min(self.vertex_distance_m(*vertex));
        }
        for (start, end) in &footprint_edges {
            let near: Vec<Coord> = self
                .edges_near(*start, *end, best)
                .flat_map(|edge| [edge.start, edge.end])
                .collect();
            best = best.min(points_to_edge_m(&near, *start, *end));
        }
        best
    }

    /// Geodesic distance from one point to the nearest indexed edge, m.
    fn vertex_distance_m(&self, point: Coord) -> f64 {
        let Some(nearest) = self.tree.nearest_neighbor(&[point.x, point.y]) else {
            return f64::INFINITY;
        };
        let bound = point_to_edge_m(point, nearest.start, nearest.end);
        let candidates: Vec<(Coord, Coord)> = self
            .edges_near(point, point, bound)
            .map(|e| (e.start, e.end))
            .collect();
        point_to_edges_m(point, &candidates).min(bound)
    }

    /// The edges whose bounding box comes within `metres` of the box of `a` and `b`.
    fn edges_near(&self, a: Coord, b: Coord, metres: f64) -> impl Iterator<Item = &Edge> {
        let reach = if metres.is_finite() {
            metres * 1.05 + 1.0
        } else {
            f64::MAX / 4.0
        };
        let latitude = a.y.abs().max(b.y.abs()) + reach / METRES_PER_DEGREE;
        let cos = latitude.min(89.9).to_radians().cos();
        let (dx, dy) = (reach / (METRES_PER_DEGREE * cos), reach / METRES_PER_DEGREE);
        let envelope = AABB::from_corners(
            [a.x.min(b.x) - dx, a.y.min(b.y) - dy],
            [a.x.max(b.x) + dx, a.y.max(b.y) + dy],
        );
        self.tree.locate_in_envelope_intersecting(&envelope)
    }
}

fn lines_of(geometry: &Geometry) -> Vec<&LineString> {
    fn of_polygon<'a>(polygon: &'a Polygon, out: &mut Vec<&'a LineString>) {
        out.push(polygon.exterior());
        out.extend(polygon.interiors());
    }
    let mut out = Vec::new();
    match geometry {
        Geometry::LineString(l) => out.push(l),
        Geometry::MultiLineString(m) => out.extend(m.iter()),
        Geometry::Polygon(p) => of_polygon(p, &mut out),
        Geometry::MultiPolygon(m) => m.iter().for_each(|p| of_polygon(p, &mut out)),
        _ => {}
    }
    out
}

fn edges_of(rings: &[&LineString]) -> Vec<Edge> {
    rings
        .iter()
        .enumerate()
        .flat_map(|(ring, line)| {
            line.lines().enumerate().map(move |(position, l)| Edge {
                start: l.start,
                end: l.end,
                ring,
                position,
            })
        })
        .collect()
}

/// Where two edges of a polygon's rings meet where they may not.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crossing {
    /// Ring of the first edge (0 the exterior, then the holes in order).
    pub ring: usize,
    /// Ring of the second edge.
    pub other_ring: usize,
    /// Where they meet, lon/lat degrees.
    pub at: Coord,
}

/// The first place where the rings of a polygon cross or overlap: a ring crossing or touching
/// itself (other than consecutive edges at their shared vertex), or two rings crossing or
/// running along each other. Two rings may touch at a single point, as the simple-features
/// rules allow. Consecutive repeated positions must have been removed.
pub fn first_crossing(polygon: &Polygon) -> Option<Crossing> {
    let mut rings = vec![polygon.exterior()];
    rings.extend(polygon.interiors());
    let edges = edges_of(&rings);
    let counts: Vec<usize> = rings.iter().map(|r| r.lines().len()).collect();
    let tree = RTree::bulk_load(edges.clone());
    for edge in &edges {
        for other in tree.locate_in_envelope_intersecting(&edge.envelope()) {
            if (other.ring, other.position) <= (edge.ring, edge.position) {
                continue;
            }
            let meeting = line_intersection(
                Line::new(edge.start, edge.end),
                Line::new(other.start, other.end),
            );
            if let Some(at) = forbidden(edge, other, meeting, &counts) {
                return Some(Crossing {
                    ring: edge.ring,
                    other_ring: other.ring,
                    at,
                });
            }
        }
    }
    None
}

/// Where `a` and `b` meet if that meeting breaks the rules, given how they meet.
fn forbidden(
    a: &Edge,
    b: &Edge,
    meeting: Option<LineIntersection<f64>>,
    counts: &[usize],
) -> Option<Coord> {
    match meeting? {
        LineIntersection::Collinear { intersection } => Some(intersection.start),
        LineIntersection::SinglePoint {
            intersection,
            is_proper,
        } => {
            if is_proper {
                return Some(intersection);
            }
            if a.ring != b.ring {
                return None;
            }
            let last = counts[a.ring] - 1;
            let consecutive =
                b.position == a.position + 1 || (a.position == 0 && b.position == last);
            let shared = if b.position == a.position + 1 {
                a.end
            } else {
                a.start
            };
            (!(consecutive && intersection == shared)).then_some(intersection)
        }
    }
}
