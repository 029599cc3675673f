//! Zone maps of hundreds of thousands of vertices (a surveyed boundary) load and review in time
//! that grows near-linearly with their size: a 200,000-vertex map once took minutes.

use danjiang_siting::{review, Application, Decision, RuleSet, ZoneKind, ZoneMap};
use serde_json::json;

fn rules() -> RuleSet {
    RuleSet::henan_canal_2018().expect("embedded rule set loads")
}

/// A ring of `n` vertices around a centre, radius in degrees, wobbling so no two edges are
/// collinear; closed.
fn ring(n: usize, centre: (f64, f64), radius: f64) -> Vec<[f64; 2]> {
    let mut ring: Vec<[f64; 2]> = (0..n)
        .map(|i| {
            let angle = std::f64::consts::TAU * i as f64 / n as f64;
            let r = radius * (1.0 + 0.001 * (i % 7) as f64);
            [centre.0 + r * angle.cos(), centre.1 + r * angle.sin()]
        })
        .collect();
    ring.push(ring[0]);
    ring
}

fn zone_map(vertices: usize) -> String {
    json!({
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature",
            "properties": { "zone": "first-class", "name": "surveyed" },
            "geometry": { "type": "Polygon", "coordinates": [ring(vertices, (113.5, 34.1), 0.01)] }
        }]
    })
    .to_string()
}

fn application(lon: f64, lat: f64) -> Application {
    let text = json!({
        "name": "fuel depot", "category": "fuel_station",
        "footprint": { "type": "Point", "coordinates": [lon, lat] }, "radius_m": 10.0
    })
    .to_string();
    Application::from_json("app", &text, &rules()).expect("application")
}

#[test]
fn a_200000_vertex_zone_loads_and_a_review_answers() {
    let rules = rules();
    let started = std::time::Instant::now();
    let map = ZoneMap::from_geojson("surveyed.geojson", &zone_map(200_000), &rules)
        .expect("a valid surveyed zone");
    let loaded = started.elapsed();
    let started = std::time::Instant::now();
    let inside = review(&application(113.5, 34.1), &map, &rules);
    let outside = review(&application(113.5, 34.2), &map, &rules);
    let reviewed = started.elapsed() / 2;
    eprintln!("200,000 vertices: loaded in {loaded:?}, one review in {reviewed:?}");
    assert_eq!(inside.zone, Some(ZoneKind::FirstClass));
    assert_eq!(inside.decision, Decision::Reject);
    assert_eq!(outside.zone, None);
    // 0.1 degree of latitude north of the centre, minus the ring's radius (about 0.01 degree).
    let distance = outside.distances[0].distance_m;
    assert!(
        (9_000.0..10_200.0).contains(&distance),
        "distance to the zone {distance} m"
    );
}

#[test]
fn a_self_crossing_ring_of_many_vertices_is_refused_with_its_feature() {
    let mut bow_tie = ring(50_000, (113.5, 34.1), 0.01);
    // Swap two vertices a quarter of the ring apart: the ring now crosses itself.
    bow_tie.swap(10, 12_510);
    let text = json!({
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature", "properties": { "zone": "first-class" },
            "geometry": { "type": "Polygon", "coordinates": [bow_tie] }
        }]
    })
    .to_string();
    let error = ZoneMap::from_geojson("crossing.geojson", &text, &rules())
        .expect_err("a self-crossing ring is refused")
        .to_string();
    assert!(error.contains("features[0]"), "{error}");
    assert!(
        error.contains("crosses itself") || error.contains("invalid polygon"),
        "{error}"
    );
}

#[test]
fn the_indexed_distance_equals_measuring_every_edge() {
    use danjiang_siting::geodesy::point_to_edge_m;
    use danjiang_siting::index::EdgeIndex;
    let rules = rules();
    let map = ZoneMap::from_geojson("ring.geojson", &zone_map(1_500), &rules).unwrap();
    let area = geo::Geometry::MultiPolygon(map.zones[0].area.clone());
    let edges = danjiang_siting::geometry::edges(&area);
    let index = EdgeIndex::of(&area);
    for (lon, lat) in [
        (113.5, 34.2),
        (113.53, 34.09),
        (113.4, 34.0),
        (113.512, 34.1),
    ] {
        let point = geo::Geometry::Point(geo::Point::new(lon, lat));
        let every = edges
            .iter()
            .map(|(a, b)| point_to_edge_m(geo::Coord { x: lon, y: lat }, *a, *b))
            .fold(f64::INFINITY, f64::min);
        let indexed = index.distance_m(&point);
        assert!(
            (indexed - every).abs() < 0.01,
            "at ({lon}, {lat}): indexed {indexed} m, every edge {every} m"
        );
    }
}

#[test]
fn holes_outside_their_shell_rings_too_short_and_points_as_zones_are_refused() {
    let feature = |geometry: serde_json::Value| {
        json!({ "type": "FeatureCollection", "features": [{
            "type": "Feature", "properties": { "zone": "second-class" }, "geometry": geometry }] })
        .to_string()
    };
    let shell = [
        [113.0, 34.0],
        [113.1, 34.0],
        [113.1, 34.1],
        [113.0, 34.1],
        [113.0, 34.0],
    ];
    let outside = [[113.2, 34.0], [113.3, 34.0], [113.3, 34.1], [113.2, 34.0]];
    let inner = [
        [113.02, 34.02],
        [113.08, 34.02],
        [113.08, 34.08],
        [113.02, 34.02],
    ];
    let innermost = [
        [113.04, 34.03],
        [113.06, 34.03],
        [113.06, 34.05],
        [113.04, 34.03],
    ];
    for (geometry, field, words) in [
        (
            json!({"type": "Polygon", "coordinates": [shell, outside]}),
            "coordinates[1]",
            "outside",
        ),
        (
            json!({"type": "Polygon", "coordinates": [shell, inner, innermost]}),
            "coordinates[2]",
            "inside",
        ),
        (
            json!({"type": "Polygon", "coordinates": [[[113.0, 34.0], [113.1, 34.0], [113.0, 34.0]]]}),
            "coordinates[0]",
            "4 positions",
        ),
        (
            json!({"type": "Polygon", "coordinates": [[[113.0, 34.0], [113.1, 34.0], [113.1, 34.0], [113.0, 34.0]]]}),
            "coordinates[0]",
            "distinct",
        ),
        (
            json!({"type": "Point", "coordinates": [113.0, 34.0]}),
            "geometry.type",
            "Polygon",
        ),
    ] {
        let error = ZoneMap::from_geojson("z.geojson", &feature(geometry.clone()), &rules())
            .expect_err("refused")
            .to_string();
        assert!(
            error.contains(field) && error.contains(words),
            "{geometry}: {error}"
        );
    }
    let valid = json!({"type": "Polygon", "coordinates": [shell, inner]});
    ZoneMap::from_geojson("z.geojson", &feature(valid), &rules()).expect("a shell with a hole");
}
