//! Distances in metres on the WGS84 ellipsoid between footprints, zone boundaries and the canal.
//! Edges between vertices are geodesics; the nearest point on an edge is found by a golden-section
//! search on the geodesic distance, after a local-projection estimate picks the candidate edges.

use geo::{Coord, Distance, Geodesic, InterpolatePoint, Point};

/// WGS84 semi-major axis, m.
const EQUATORIAL_RADIUS: f64 = 6_378_137.0;
/// WGS84 flattening.
const FLATTENING: f64 = 1.0 / 298.257_223_563;

/// Geodesic distance between two lon/lat points, m.
pub fn point_distance_m(a: Coord, b: Coord) -> f64 {
    Geodesic.distance(Point(a), Point(b))
}

/// A tangent-plane projection at one point (metres east and north), accurate to second order near
/// it; used only to rank edges before the geodesic search.
struct LocalPlane {
    origin: Coord,
    east_per_degree: f64,
    north_per_degree: f64,
}

impl LocalPlane {
    fn at(origin: Coord) -> Self {
        let lat = origin.y.to_radians();
        let e2 = FLATTENING * (2.0 - FLATTENING);
        let w = (1.0 - e2 * lat.sin().powi(2)).sqrt();
        let prime_vertical = EQUATORIAL_RADIUS / w;
        let meridian = EQUATORIAL_RADIUS * (1.0 - e2) / w.powi(3);
        Self {
            origin,
            east_per_degree: prime_vertical * lat.cos() * std::f64::consts::PI / 180.0,
            north_per_degree: meridian * std::f64::consts::PI / 180.0,
        }
    }

    fn project(&self, c: Coord) -> (f64, f64) {
        (
            (c.x - self.origin.x) * self.east_per_degree,
            (c.y - self.origin.y) * self.north_per_degree,
        )
    }

    /// Planar distance from the origin to the segment a-b.
    fn segment_distance(&self, a: Coord, b: Coord) -> f64 {
        let (ax, ay) = self.project(a);
        let (bx, by) = self.project(b);
        let (dx, dy) = (bx - ax, by - ay);
        let length2 = dx * dx + dy * dy;
        let t = if length2 > 0.0 {
            (-(ax * dx + ay * dy) / length2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        (ax + t * dx).hypot(ay + t * dy)
    }
}

/// Geodesic distance from `p` to the geodesic edge a-b, m.
pub fn point_to_edge_m(p: Coord, a: Coord, b: Coord) -> f64 {
    let at = |t: f64| {
        Geodesic.distance(
            Point(p),
            Geodesic.point_at_ratio_between(Point(a), Point(b), t),
        )
    };
    let (mut low, mut high) = (0.0_f64, 1.0_f64);
    let ratio = (5.0_f64.sqrt() - 1.0) / 2.0;
    let mut x1 = high - ratio * (high - low);
    let mut x2 = low + ratio * (high - low);
    let (mut f1, mut f2) = (at(x1), at(x2));
    // Distance along a short geodesic edge is unimodal; 60 steps narrow the bracket to 1e-12 of
    // the edge, far below a millimetre for any canal or zone edge.
    for _ in 0..60 {
        if f1 <= f2 {
            high = x2;
            x2 = x1;
            f2 = f1;
            x1 = high - ratio * (high - low);
            f1 = at(x1);
        } else {
            low = x1;
            x1 = x2;
            f1 = f2;
            x2 = low + ratio * (high - low);
            f2 = at(x2);
        }
    }
    let ends = point_distance_m(p, a).min(point_distance_m(p, b));
    ends.min(f1).min(f2)
}

/// Geodesic distance from `p` to the nearest of `edges`, m; infinity when there are none.
pub fn point_to_edges_m(p: Coord, edges: &[(Coord, Coord)]) -> f64 {
    let plane = LocalPlane::at(p);
    nearest_m(
        edges.iter().map(|(a, b)| plane.segment_distance(*a, *b)),
        |i| point_to_edge_m(p, edges[i].0, edges[i].1),
    )
}

/// Geodesic distance from the nearest of `points` to the edge a-b, m; infinity when there are
/// none.
pub fn points_to_edge_m(points: &[Coord], a: Coord, b: Coord) -> f64 {
    nearest_m(
        points
            .iter()
            .map(|p| LocalPlane::at(*p).segment_distance(a, b)),
        |i| point_to_edge_m(points[i], a, b),
    )
}

/// The least of `exact(i)` over candidates whose tangent-plane `estimates` are given, measuring
/// as few exactly as it can. The candidate with the least estimate is measured first; the
/// plane's error changes slowly from one candidate to the next, so that candidate's error
/// corrects the others' estimates, and another is measured only while its corrected estimate,
/// less what the correction may be off by (5 cm, 1 % of how much farther its estimate is, 1e-5
/// of its distance), could still beat the best so far. A dense boundary far away (hundreds of
/// thousands of edges within a few metres of each other) is thus measured at a few edges.
fn nearest_m(estimates: impl Iterator<Item = f64>, exact: impl Fn(usize) -> f64) -> f64 {
    let mut ranked: Vec<(f64, usize)> = estimates.enumerate().map(|(i, e)| (e, i)).collect();
    ranked.sort_by(|x, y| x.0.total_cmp(&y.0));
    let Some(&(nearest_estimate, first)) = ranked.first() else {
        return f64::INFINITY;
    };
    let mut best = exact(first);
    let correction = best - nearest_estimate;
    for &(estimate, i) in &ranked[1..] {
        let slack = 0.05 + 0.01 * (estimate - nearest_estimate) + 1e-5 * estimate;
        if estimate + correction - slack > best {
            break;
        }
        best = best.min(exact(i));
    }
    best
}

/// Nearest distance between two sets of vertices and edges (no crossing assumed), m: each vertex
/// of one set against the edges of the other, and lone vertices against each other.
pub fn between_m(
    vertices_a: &[Coord],
    edges_a: &[(Coord, Coord)],
    vertices_b: &[Coord],
    edges_b: &[(Coord, Coord)],
) -> f64 {
    let mut best = f64::INFINITY;
    for v in vertices_a {
        best = best.min(if edges_b.is_empty() {
            vertices_b
                .iter()
                .map(|w| point_distance_m(*v, *w))
                .fold(f64::INFINITY, f64::min)
        } else {
            point_to_edges_m(*v, edges_b)
        });
    }
    if !edges_a.is_empty() {
        for w in vertices_b {
            best = best.min(point_to_edges_m(*w, edges_a));
        }
    }
    best
}
