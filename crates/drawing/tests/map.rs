//! The network map: well-formed, every element placed, ids escaped, colours by class, and
//! a 15,000-node network drawn in a measured time.

use danjiang_drawing::colour::{ColourScale, Palette};
use danjiang_drawing::map::{
    locate, network_map, MapDetail, MapElement, MapOptions, MapProjection, MarkTarget, MarkedSet,
    MarkerShape, ValueLayer,
};
use danjiang_network::{
    Junction, Link, LinkKind, Network, Node, NodeIdx, NodeKind, Pipe, Pump, Reservoir, Tank, Valve,
    ValveType,
};
use roxmltree::Document;
use std::path::PathBuf;
use std::time::Instant;

fn workspace_file(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

fn parse(svg: &str) -> Document<'_> {
    match Document::parse(svg) {
        Ok(document) => document,
        Err(error) => panic!("not well-formed XML: {error}"),
    }
}

/// A small network: a reservoir, a pump, three junctions in a line, a valve, a tank.
fn small_network(odd_id: &str) -> Network {
    let mut network = Network::new();
    let mut add = |id: &str, kind: NodeKind, x: f64, y: f64| {
        let mut node = Node::new(id, 10.0, kind);
        node.coordinates = Some((x, y));
        network.add_node(node).unwrap()
    };
    let r = add("R1", NodeKind::Reservoir(Reservoir::default()), 0.0, 0.0);
    let a = add("A", NodeKind::Junction(Junction::default()), 100.0, 0.0);
    let b = add(odd_id, NodeKind::Junction(Junction::default()), 200.0, 50.0);
    let c = add("C", NodeKind::Junction(Junction::default()), 300.0, 100.0);
    let t = add("T1", NodeKind::Tank(Tank::default()), 400.0, 100.0);
    let pipe = || LinkKind::Pipe(Pipe::default());
    network
        .add_link(Link::new("PU1", r, a, LinkKind::Pump(Pump::default())))
        .unwrap();
    let mut p1 = Link::new("P1", a, b, pipe());
    p1.vertices = vec![(150.0, 40.0)];
    network.add_link(p1).unwrap();
    network
        .add_link(Link::new(
            "V1",
            b,
            c,
            LinkKind::Valve(Valve {
                valve_type: ValveType::Prv,
                diameter: 0.3,
                setting: 30.0,
                minor_loss: 0.0,
                curve: None,
            }),
        ))
        .unwrap();
    network.add_link(Link::new("P2", c, t, pipe())).unwrap();
    network
}

fn ids_of_kind<'a>(document: &'a Document<'a>, kind: &str) -> Vec<&'a str> {
    document
        .descendants()
        .filter(|n| {
            n.attribute("data-id").is_some()
                && (n.attribute("data-kind") == Some(kind)
                    || n.parent_element().and_then(|p| p.attribute("data-kind")) == Some(kind))
        })
        .filter_map(|n| n.attribute("data-id"))
        .collect()
}

#[test]
fn every_element_is_drawn_with_its_id_and_kind() {
    let network = small_network("B<&\"'>");
    let options = MapOptions::new("map", "Small network");
    let svg = network_map(&network, &options).unwrap();
    let document = parse(&svg);
    let root = document.root_element();
    assert!(root.attribute("class").unwrap().contains("dj-map"));
    assert_eq!(
        root.first_element_child().unwrap().text(),
        Some("Small network")
    );
    assert_eq!(ids_of_kind(&document, "junction"), ["A", "B<&\"'>", "C"]);
    assert_eq!(ids_of_kind(&document, "link"), ["PU1", "P1", "V1", "P2"]);
    assert_eq!(ids_of_kind(&document, "reservoir"), ["R1"]);
    assert_eq!(ids_of_kind(&document, "tank"), ["T1"]);
    assert_eq!(ids_of_kind(&document, "pump"), ["PU1"]);
    assert_eq!(ids_of_kind(&document, "valve"), ["V1"]);
    // The pipe with a vertex is drawn through it: three points.
    let p1 = document
        .descendants()
        .find(|n| n.attribute("data-id") == Some("P1"))
        .unwrap();
    assert_eq!(p1.attribute("d").unwrap().matches(['M', 'L']).count(), 3);
    // Legend entries for the kinds present.
    for class in [
        "dj-legend-reservoir",
        "dj-legend-tank",
        "dj-legend-pump",
        "dj-legend-valve",
    ] {
        assert!(svg.contains(class), "{class}");
    }
}

#[test]
fn projection_flips_y_fits_the_box_and_inverts() {
    let network = small_network("B");
    let projection = MapProjection::fit(&network, 800.0, 400.0, false).unwrap();
    let (x0, y0) = projection.to_drawing(0.0, 0.0);
    let (x1, y1) = projection.to_drawing(400.0, 100.0);
    assert!(x1 > x0 && y1 < y0, "map y up is drawing y down");
    for (x, y) in [(x0, y0), (x1, y1)] {
        assert!((0.0..=800.0).contains(&x) && (0.0..=400.0).contains(&y));
    }
    let (bx, by) = projection.to_network(x1, y1);
    assert!((bx - 400.0).abs() < 1e-9 && (by - 100.0).abs() < 1e-9);
    // Geographic: x shrinks by the cosine of the latitude.
    let mut geographic = Network::new();
    for (i, (x, y)) in [(113.0, 60.0), (114.0, 60.5)].into_iter().enumerate() {
        let mut node = Node::new(
            format!("N{i}"),
            0.0,
            NodeKind::Junction(Junction::default()),
        );
        node.coordinates = Some((x, y));
        geographic.add_node(node);
    }
    let plain = MapProjection::fit(&geographic, 1000.0, 1000.0, false).unwrap();
    let corrected = MapProjection::fit(&geographic, 1000.0, 1000.0, true).unwrap();
    let width = |p: &MapProjection| p.to_drawing(114.0, 60.0).0 - p.to_drawing(113.0, 60.0).0;
    let height = |p: &MapProjection| p.to_drawing(113.0, 60.0).1 - p.to_drawing(113.0, 60.5).1;
    assert!((width(&plain) / height(&plain) - 2.0).abs() < 1e-9);
    let ratio = width(&corrected) / height(&corrected);
    assert!(
        (ratio - 2.0 * 60.25f64.to_radians().cos()).abs() < 1e-9,
        "{ratio}"
    );
}

#[test]
fn locate_finds_the_clicked_node_or_link() {
    let network = small_network("B");
    let projection = MapProjection::fit(&network, 800.0, 400.0, false).unwrap();
    let (x, y) = projection.to_drawing(200.0, 50.0);
    assert_eq!(
        locate(&network, &projection, x + 2.0, y, 6.0),
        Some(MapElement::Node(network.node_idx("B").unwrap()))
    );
    // Halfway along P2 (from C to T1), far from both ends.
    let (x, y) = projection.to_drawing(350.0, 100.0);
    assert_eq!(
        locate(&network, &projection, x, y + 1.0, 6.0),
        Some(MapElement::Link(network.link_idx("P2").unwrap()))
    );
    assert_eq!(locate(&network, &projection, -500.0, -500.0, 6.0), None);
    assert_eq!(locate(&network, &projection, f64::NAN, 0.0, 6.0), None);
}

#[test]
fn values_colour_elements_by_class_with_a_legend() {
    let network = small_network("B");
    let mut options = MapOptions::new("coloured", "Pressure");
    let scale = ColourScale::with_breaks(vec![20.0, 40.0], Palette::Viridis, "m").unwrap();
    options.node_values = Some(ValueLayer {
        name: "Pressure".into(),
        values: vec![f64::NAN, 10.0, 30.0, 50.0, f64::NAN],
        scale,
    });
    let svg = network_map(&network, &options).unwrap();
    let document = parse(&svg);
    let class_of = |id: &str| {
        document
            .descendants()
            .find(|n| n.attribute("data-id") == Some(id) && n.tag_name().name() == "path")
            .and_then(|n| n.parent_element())
            .and_then(|g| g.attribute("class"))
            .unwrap()
            .to_string()
    };
    assert!(class_of("A").contains("dj-c0"));
    assert!(class_of("B").contains("dj-c1"));
    assert!(class_of("C").contains("dj-c2"));
    assert!(svg.contains("#coloured .dj-nodes .dj-c2{stroke:#fde725}"));
    let text: String = document.descendants().filter_map(|n| n.text()).collect();
    assert!(text.contains("Pressure (m)") && text.contains("20 – 40") && text.contains("≥ 40"));
    // A layer of the wrong length is an error, not a panic.
    options.node_values.as_mut().unwrap().values.pop();
    assert!(network_map(&network, &options).is_err());
}

#[test]
fn marked_sets_are_drawn_with_labels_and_legend() {
    let network = small_network("B");
    let mut options = MapOptions::new("marks", "Marks");
    let mut plants = MarkedSet::nodes(
        "Water plants",
        "plant",
        MarkerShape::Square,
        "#e69f00",
        [network.node_idx("C").unwrap()],
    );
    plants.labels = vec!["Plant <C>".into()];
    let valves = MarkedSet {
        name: "Isolating valves".into(),
        class: "isolating".into(),
        shape: MarkerShape::Cross,
        colour: "#d00".into(),
        size: 8.0,
        targets: vec![MarkTarget::LinkEnd(
            network.link_idx("P2").unwrap(),
            network.node_idx("C").unwrap(),
        )],
        labels: vec![],
    };
    options.marked_sets = vec![plants, valves];
    let svg = network_map(&network, &options).unwrap();
    let document = parse(&svg);
    let plant_marks: Vec<_> = document
        .descendants()
        .filter(|n| n.attribute("class") == Some("dj-mark dj-mark-plant"))
        .collect();
    assert_eq!(plant_marks.len(), 1);
    let mark = plant_marks[0].first_element_child().unwrap();
    assert_eq!(mark.attribute("data-id"), Some("C"));
    assert!(svg.contains("Plant &lt;C&gt;"));
    let valve = document
        .descendants()
        .find(|n| n.attribute("class") == Some("dj-mark dj-mark-isolating"))
        .and_then(|g| g.first_element_child())
        .unwrap();
    assert_eq!(valve.attribute("data-id"), Some("P2"));
    assert!(svg.contains("Isolating valves") && svg.contains("Water plants"));
}

#[test]
fn a_network_without_coordinates_is_an_error() {
    let mut network = Network::new();
    network.add_node(Node::new("A", 0.0, NodeKind::Junction(Junction::default())));
    assert!(network_map(&network, &MapOptions::new("m", "m")).is_err());
    let mut options = MapOptions::new("m", "m");
    options.width = -1.0;
    assert!(network_map(&small_network("B"), &options).is_err());
}

#[test]
fn the_xuchang_demo_draws_geographically_with_every_element() {
    let network = danjiang_network::inp::read_file(workspace_file("examples/xuchang/xuchang.inp"))
        .unwrap()
        .network;
    let mut options = MapOptions::new("xuchang", "许昌配套工程");
    options.geographic = true;
    let wells: Vec<NodeIdx> = (0..network.nodes.len())
        .map(NodeIdx::from_index)
        .filter(|&i| network.node(i).id.starts_with('W') && network.node(i).id.len() == 4)
        .collect();
    options.marked_sets = vec![MarkedSet::nodes(
        "Wells",
        "well",
        MarkerShape::Diamond,
        "#fff",
        wells.clone(),
    )];
    let svg = network_map(&network, &options).unwrap();
    let document = parse(&svg);
    let drawn = document
        .descendants()
        .filter(|n| n.attribute("data-id").is_some())
        .count();
    let counts = network.counts();
    // Every node and link, plus a symbol per pump and valve, plus a marker per well.
    let expected =
        network.nodes.len() + network.links.len() + counts.pumps + counts.valves + wells.len();
    assert_eq!(drawn, expected);
    assert_eq!(ids_of_kind(&document, "reservoir").len(), 4);
}

/// nj1 (15,000 nodes): both levels of detail, sizes and times printed for the record.
#[test]
fn nj1_draws_quickly_and_compactly() {
    let network = danjiang_network::inp::read_file(workspace_file("tests/networks/public/nj1.inp"))
        .unwrap()
        .network;
    assert!(network.nodes.len() > 14_000);
    let pressures: Vec<f64> = network.nodes.iter().map(|n| n.elevation).collect();
    for detail in [MapDetail::Grouped, MapDetail::Elements] {
        let mut options = MapOptions::new("nj1", "nj1");
        options.detail = detail;
        options.node_values = Some(ValueLayer {
            name: "Elevation".into(),
            scale: ColourScale::fitted(&pressures, 6, Palette::Viridis, "m"),
            values: pressures.clone(),
        });
        let started = Instant::now();
        let svg = network_map(&network, &options).unwrap();
        let elapsed = started.elapsed();
        parse(&svg);
        println!(
            "nj1 {detail:?}: {} nodes, {} links, {} bytes, drawn in {:.0} ms",
            network.nodes.len(),
            network.links.len(),
            svg.len(),
            elapsed.as_secs_f64() * 1000.0
        );
        // Generous bounds for a debug build on a shared machine; the point is "not minutes".
        assert!(elapsed.as_secs_f64() < 5.0);
        let limit = match detail {
            MapDetail::Grouped => 1_500_000,
            _ => 3_000_000,
        };
        assert!(svg.len() < limit, "{} bytes", svg.len());
    }
}
