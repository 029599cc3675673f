//! The network map: nodes at their coordinates, links along their vertices, projected into the
//! drawing (map y grows upwards, SVG y downwards), coloured by a value per node or link.
//!
//! Two levels of detail. [`MapDetail::Elements`] draws each junction and pipe as its own
//! element with `data-id` (the group above it carries `data-kind`), so a page script can tell
//! which was clicked. [`MapDetail::Grouped`] draws all junctions or pipes of one colour class
//! as one `<path>`, which keeps maps of tens of thousands of elements small and quick; pages
//! then find the clicked element with [`locate`]. Reservoirs, tanks, pumps, valves and marked
//! sets are always their own elements.

use crate::colour::ColourScale;
use crate::error::DrawingError;
use crate::svg::{escape, number, open_root, push_escaped, push_number, text};
use danjiang_network::{LinkIdx, LinkKind, Network, NodeIdx, NodeKind};
use std::collections::BTreeMap;
use std::fmt::Write;

/// How much the map draws per element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MapDetail {
    /// [`MapDetail::Elements`] up to [`ELEMENTS_LIMIT`] nodes and links together, else grouped.
    #[default]
    Auto,
    /// One SVG element per node and link, each with its `data-id`.
    Elements,
    /// One path per kind and colour class; specials still one element each.
    Grouped,
}

/// Above this many nodes and links, [`MapDetail::Auto`] draws grouped paths.
pub const ELEMENTS_LIMIT: usize = 12_000;

/// Values per node or per link and how to colour them.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueLayer {
    /// What the values are, for the legend (for example `Pressure`).
    pub name: String,
    /// One value per node (for a node layer) or per link, by index; non-finite: no value.
    pub values: Vec<f64>,
    /// Classes, colours and unit.
    pub scale: ColourScale,
}

/// Shapes of markers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MarkerShape {
    /// A filled square.
    #[default]
    Square,
    /// A diamond.
    Diamond,
    /// A triangle pointing up.
    Triangle,
    /// A ring.
    Ring,
    /// A cross (×).
    Cross,
}

/// Where a marker of a set sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkTarget {
    /// On a node.
    Node(NodeIdx),
    /// At the middle of a link.
    Link(LinkIdx),
    /// On a link close to one of its ends (an isolation valve at that node).
    LinkEnd(LinkIdx, NodeIdx),
}

/// A named set of elements marked on the map (wells, water plants, an injection point,
/// the valves that isolate a spill), with its own legend entry.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkedSet {
    /// Legend text.
    pub name: String,
    /// CSS class of its markers (for example `plant`; written as `dj-mark-plant`).
    pub class: String,
    /// Marker shape.
    pub shape: MarkerShape,
    /// Marker fill colour (`#rrggbb` or a CSS colour name).
    pub colour: String,
    /// Marker size in drawing units (the width of the shape).
    pub size: f64,
    /// Where the markers are.
    pub targets: Vec<MarkTarget>,
    /// Text written beside each marker (empty: none; else one per target).
    pub labels: Vec<String>,
}

impl MarkedSet {
    /// A set of markers at nodes, no labels.
    pub fn nodes(
        name: impl Into<String>,
        class: impl Into<String>,
        shape: MarkerShape,
        colour: impl Into<String>,
        nodes: impl IntoIterator<Item = NodeIdx>,
    ) -> MarkedSet {
        MarkedSet {
            name: name.into(),
            class: class.into(),
            shape,
            colour: colour.into(),
            size: 7.0,
            targets: nodes.into_iter().map(MarkTarget::Node).collect(),
            labels: Vec::new(),
        }
    }
}

/// Words the map writes in its legend, so a page can give them in its language.
#[derive(Debug, Clone, PartialEq)]
pub struct MapWords {
    /// Legend entry of reservoirs.
    pub reservoir: String,
    /// Legend entry of tanks.
    pub tank: String,
    /// Legend entry of pumps.
    pub pump: String,
    /// Legend entry of control valves.
    pub valve: String,
    /// Legend entry of elements without a value.
    pub no_value: String,
}

impl Default for MapWords {
    fn default() -> MapWords {
        MapWords {
            reservoir: "Reservoir".to_string(),
            tank: "Tank".to_string(),
            pump: "Pump".to_string(),
            valve: "Valve".to_string(),
            no_value: "no value".to_string(),
        }
    }
}

/// What to draw and how.
#[derive(Debug, Clone, PartialEq)]
pub struct MapOptions {
    /// Id of the root element (unique on the page); the map's style rules are scoped to it.
    pub id: String,
    /// Accessible title.
    pub title: String,
    /// Width of the drawing in user units.
    pub width: f64,
    /// Height of the drawing in user units.
    pub height: f64,
    /// The coordinates are longitude and latitude in degrees: shrink x by the cosine of the
    /// mean latitude so distances look right. Also taken from `[BACKDROP] UNITS DEGREES`.
    pub geographic: bool,
    /// Per-element or grouped drawing.
    pub detail: MapDetail,
    /// Colours of nodes.
    pub node_values: Option<ValueLayer>,
    /// Colours of links.
    pub link_values: Option<ValueLayer>,
    /// Marked sets, drawn above everything else in this order.
    pub marked_sets: Vec<MarkedSet>,
    /// Decimals of coordinates in the drawing (1 is a tenth of a user unit).
    pub decimals: usize,
    /// Draw the legend in the lower left corner.
    pub legend: bool,
    /// Legend words.
    pub words: MapWords,
}

impl MapOptions {
    /// Options for a map with this id and title, 960 × 640, per-element detail by size.
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> MapOptions {
        MapOptions {
            id: id.into(),
            title: title.into(),
            width: 960.0,
            height: 640.0,
            geographic: false,
            detail: MapDetail::Auto,
            node_values: None,
            link_values: None,
            marked_sets: Vec::new(),
            decimals: 1,
            legend: true,
            words: MapWords::default(),
        }
    }
}

/// The mapping from network coordinates to drawing coordinates: uniform scale, centred, y flipped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapProjection {
    /// Lowest x of the network (after the geographic correction).
    pub min_x: f64,
    /// Lowest y of the network.
    pub min_y: f64,
    /// Drawing units per network unit.
    pub scale: f64,
    /// Factor applied to x before scaling (cosine of the mean latitude, or 1).
    pub x_factor: f64,
    /// Left offset that centres the network.
    pub offset_x: f64,
    /// Bottom offset that centres the network (from the drawing's bottom edge).
    pub offset_y: f64,
    /// Height of the drawing.
    pub height: f64,
}

/// Space kept free around the network, in drawing units.
const MARGIN: f64 = 24.0;

impl MapProjection {
    /// The projection fitting every coordinate of the network into `width` × `height`.
    pub fn fit(
        network: &Network,
        width: f64,
        height: f64,
        geographic: bool,
    ) -> Result<MapProjection, DrawingError> {
        if !(width.is_finite()
            && height.is_finite()
            && width > 2.0 * MARGIN
            && height > 2.0 * MARGIN)
        {
            return Err(DrawingError::BadSize { width, height });
        }
        let points = || {
            network
                .nodes
                .iter()
                .filter_map(|n| n.coordinates)
                .chain(
                    network
                        .links
                        .iter()
                        .flat_map(|l| l.vertices.iter().copied()),
                )
                .filter(|(x, y)| x.is_finite() && y.is_finite())
        };
        let mut count = 0usize;
        let (mut min_x, mut min_y) = (f64::INFINITY, f64::INFINITY);
        let (mut max_x, mut max_y) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        for (x, y) in points() {
            count += 1;
            min_x = min_x.min(x);
            max_x = max_x.max(x);
            min_y = min_y.min(y);
            max_y = max_y.max(y);
        }
        if count == 0 {
            return Err(DrawingError::NoCoordinates);
        }
        let degrees = network
            .backdrop
            .units
            .as_deref()
            .is_some_and(|u| u.eq_ignore_ascii_case("DEGREES"));
        let x_factor = if geographic || degrees {
            let mean_latitude = ((min_y + max_y) / 2.0).clamp(-89.0, 89.0);
            mean_latitude.to_radians().cos()
        } else {
            1.0
        };
        let span_x = (max_x - min_x) * x_factor;
        let span_y = max_y - min_y;
        let room_x = width - 2.0 * MARGIN;
        let room_y = height - 2.0 * MARGIN;
        let scale = match (span_x > 0.0, span_y > 0.0) {
            (true, true) => (room_x / span_x).min(room_y / span_y),
            (true, false) => room_x / span_x,
            (false, true) => room_y / span_y,
            (false, false) => 1.0,
        };
        Ok(MapProjection {
            min_x: min_x * x_factor,
            min_y,
            scale,
            x_factor,
            offset_x: MARGIN + (room_x - span_x * scale) / 2.0,
            offset_y: MARGIN + (room_y - span_y * scale) / 2.0,
            height,
        })
    }

    /// Drawing coordinates of a network point.
    pub fn to_drawing(&self, x: f64, y: f64) -> (f64, f64) {
        (
            self.offset_x + (x * self.x_factor - self.min_x) * self.scale,
            self.height - (self.offset_y + (y - self.min_y) * self.scale),
        )
    }

    /// Network coordinates of a drawing point.
    pub fn to_network(&self, x: f64, y: f64) -> (f64, f64) {
        (
            ((x - self.offset_x) / self.scale + self.min_x) / self.x_factor,
            (self.height - y - self.offset_y) / self.scale + self.min_y,
        )
    }
}

/// An element of the network found on the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapElement {
    /// A node.
    Node(NodeIdx),
    /// A link.
    Link(LinkIdx),
}

/// The element nearest to a drawing point within `radius` drawing units: a node if one is that
/// close, else the link whose line passes closest. `None` when nothing is that close.
pub fn locate(
    network: &Network,
    projection: &MapProjection,
    x: f64,
    y: f64,
    radius: f64,
) -> Option<MapElement> {
    if !(x.is_finite() && y.is_finite() && radius.is_finite()) {
        return None;
    }
    let mut best_node: Option<(f64, usize)> = None;
    for (i, node) in network.nodes.iter().enumerate() {
        let Some((nx, ny)) = node.coordinates else {
            continue;
        };
        let (px, py) = projection.to_drawing(nx, ny);
        let distance = (px - x).hypot(py - y);
        if distance <= radius && best_node.is_none_or(|(d, _)| distance < d) {
            best_node = Some((distance, i));
        }
    }
    if let Some((_, i)) = best_node {
        return Some(MapElement::Node(NodeIdx::from_index(i)));
    }
    let mut best_link: Option<(f64, usize)> = None;
    for i in 0..network.links.len() {
        let Some(points) = link_points(network, projection, i) else {
            continue;
        };
        for pair in points.windows(2) {
            let distance = segment_distance((x, y), pair[0], pair[1]);
            if distance <= radius && best_link.is_none_or(|(d, _)| distance < d) {
                best_link = Some((distance, i));
            }
        }
    }
    best_link.map(|(_, i)| MapElement::Link(LinkIdx::from_index(i)))
}

fn segment_distance(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let length_squared = dx * dx + dy * dy;
    let t = if length_squared > 0.0 {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / length_squared).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (p.0 - a.0 - t * dx).hypot(p.1 - a.1 - t * dy)
}

/// A link's points in drawing coordinates (end, vertices, end), or `None` if an end node
/// has no coordinates.
fn link_points(
    network: &Network,
    projection: &MapProjection,
    index: usize,
) -> Option<Vec<(f64, f64)>> {
    let link = network.links.get(index)?;
    let from = network.nodes.get(link.from.index())?.coordinates?;
    let to = network.nodes.get(link.to.index())?.coordinates?;
    let mut points = Vec::with_capacity(link.vertices.len() + 2);
    points.push(projection.to_drawing(from.0, from.1));
    for &(vx, vy) in &link.vertices {
        if vx.is_finite() && vy.is_finite() {
            points.push(projection.to_drawing(vx, vy));
        }
    }
    points.push(projection.to_drawing(to.0, to.1));
    Some(points)
}

/// The point at a fraction of a polyline's length and the direction there, in degrees.
fn along(points: &[(f64, f64)], fraction: f64) -> ((f64, f64), f64) {
    let lengths: Vec<f64> = points
        .windows(2)
        .map(|w| (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1))
        .collect();
    let total: f64 = lengths.iter().sum();
    let mut wanted = total * fraction.clamp(0.0, 1.0);
    for (i, length) in lengths.iter().enumerate() {
        if wanted <= *length || i + 1 == lengths.len() {
            let (a, b) = (points[i], points[i + 1]);
            let t = if *length > 0.0 { wanted / length } else { 0.0 };
            let angle = (b.1 - a.1).atan2(b.0 - a.0).to_degrees();
            return ((a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)), angle);
        }
        wanted -= length;
    }
    (points.first().copied().unwrap_or((0.0, 0.0)), 0.0)
}

/// The class name of a value: `dj-c{k}` for colour class k, `dj-none` without a value,
/// `dj-plain` when there is no layer.
fn class_of(layer: Option<&ValueLayer>, index: usize) -> String {
    match layer {
        None => "dj-plain".to_string(),
        Some(layer) => match layer
            .values
            .get(index)
            .and_then(|v| layer.scale.class_of(*v))
        {
            Some(k) => format!("dj-c{k}"),
            None => "dj-none".to_string(),
        },
    }
}

/// Draws the network map as an SVG string.
///
/// The drawing's root has class `dj-map`; everything that pans and zooms is inside
/// `<g class="dj-map-view">`, the legend outside it. Style rules inside the SVG are scoped to
/// the root's id. Errors: a bad size, a network without coordinates, a value layer whose
/// length is not the number of nodes or links.
pub fn network_map(network: &Network, options: &MapOptions) -> Result<String, DrawingError> {
    let projection =
        MapProjection::fit(network, options.width, options.height, options.geographic)?;
    if let Some(layer) = &options.node_values {
        if layer.values.len() != network.nodes.len() {
            return Err(DrawingError::LengthMismatch {
                what: format!("node layer \"{}\"", layer.name),
                expected: network.nodes.len(),
                found: layer.values.len(),
            });
        }
    }
    if let Some(layer) = &options.link_values {
        if layer.values.len() != network.links.len() {
            return Err(DrawingError::LengthMismatch {
                what: format!("link layer \"{}\"", layer.name),
                expected: network.links.len(),
                found: layer.values.len(),
            });
        }
    }
    for set in &options.marked_sets {
        if !set.labels.is_empty() && set.labels.len() != set.targets.len() {
            return Err(DrawingError::LengthMismatch {
                what: format!("labels of marked set \"{}\"", set.name),
                expected: set.targets.len(),
                found: set.labels.len(),
            });
        }
    }
    let grouped = match options.detail {
        MapDetail::Grouped => true,
        MapDetail::Elements => false,
        MapDetail::Auto => network.nodes.len() + network.links.len() > ELEMENTS_LIMIT,
    };
    let decimals = options.decimals.min(6);
    let element_count = network.nodes.len() + network.links.len();
    let mut out = String::with_capacity(512 + element_count * if grouped { 24 } else { 48 });
    let description = format!(
        "{} nodes, {} links",
        network.nodes.len(),
        network.links.len()
    );
    open_root(
        &mut out,
        &options.id,
        "dj-map",
        options.width,
        options.height,
        &options.title,
        Some(&description),
    );
    style(&mut out, options);
    let _ = write!(
        out,
        "<g class=\"dj-map-view\" data-scale=\"{}\">",
        number(projection.scale, 6)
    );

    // Links: pipes drawn first, beneath everything; pumps and valves drawn as specials later.
    out.push_str(
        "<g class=\"dj-links\" fill=\"none\" stroke-linecap=\"round\" stroke-linejoin=\"round\">",
    );
    let mut pipe_groups: BTreeMap<String, String> = BTreeMap::new();
    let mut specials: Vec<(usize, Vec<(f64, f64)>)> = Vec::new();
    for (i, link) in network.links.iter().enumerate() {
        let Some(points) = link_points(network, &projection, i) else {
            continue;
        };
        if !matches!(link.kind, LinkKind::Pipe(_)) {
            specials.push((i, points.clone()));
        }
        let class = class_of(options.link_values.as_ref(), i);
        let group = pipe_groups.entry(class).or_default();
        if !grouped {
            group.push_str("<path data-id=\"");
            push_escaped(group, &link.id);
            group.push_str("\" d=\"");
        }
        for (k, &(x, y)) in points.iter().enumerate() {
            group.push(if k == 0 { 'M' } else { 'L' });
            push_number(group, x, decimals);
            group.push(' ');
            push_number(group, y, decimals);
        }
        if !grouped {
            group.push_str("\"/>");
        }
    }
    for (class, body) in &pipe_groups {
        if grouped {
            let _ = write!(
                out,
                "<path class=\"dj-link {class}\" data-kind=\"links\" d=\"{body}\"/>"
            );
        } else {
            let _ = write!(
                out,
                "<g class=\"dj-link {class}\" data-kind=\"link\">{body}</g>"
            );
        }
    }
    out.push_str("</g>");

    // Junctions as dots: a zero-length line with round caps.
    out.push_str("<g class=\"dj-nodes\" stroke-linecap=\"round\">");
    let mut node_groups: BTreeMap<String, String> = BTreeMap::new();
    for (i, node) in network.nodes.iter().enumerate() {
        let (NodeKind::Junction(_), Some((nx, ny))) = (&node.kind, node.coordinates) else {
            continue;
        };
        let (x, y) = projection.to_drawing(nx, ny);
        let class = class_of(options.node_values.as_ref(), i);
        let group = node_groups.entry(class).or_default();
        if !grouped {
            group.push_str("<path data-id=\"");
            push_escaped(group, &node.id);
            group.push_str("\" d=\"");
        }
        group.push('M');
        push_number(group, x, decimals);
        group.push(' ');
        push_number(group, y, decimals);
        group.push_str("h0");
        if !grouped {
            group.push_str("\"/>");
        }
    }
    for (class, body) in &node_groups {
        if grouped {
            let _ = write!(
                out,
                "<path class=\"dj-node {class}\" data-kind=\"junctions\" d=\"{body}\"/>"
            );
        } else {
            let _ = write!(
                out,
                "<g class=\"dj-node {class}\" data-kind=\"junction\">{body}</g>"
            );
        }
    }
    out.push_str("</g>");

    // Pumps and valves: a symbol at the middle of the link, turned along it.
    out.push_str("<g class=\"dj-specials\">");
    for (i, points) in &specials {
        let link = &network.links[*i];
        let ((x, y), angle) = along(points, 0.5);
        let class = class_of(options.link_values.as_ref(), *i);
        let (kind, shape) = match link.kind {
            LinkKind::Pump(_) => (
                "pump",
                "<circle r=\"5\"/><path d=\"M-2.5 -3L3.5 0L-2.5 3Z\" fill=\"#fff\"/>",
            ),
            _ => ("valve", "<path d=\"M-5 -4L5 4L5 -4L-5 4Z\"/>"),
        };
        let _ = write!(
            out,
            "<g class=\"dj-{kind} {class}\" data-kind=\"{kind}\" data-id=\"{}\" transform=\"translate({} {}) rotate({})\">{shape}</g>",
            escape(&link.id),
            number(x, decimals),
            number(y, decimals),
            number(angle, 0)
        );
    }
    // Reservoirs and tanks.
    for (i, node) in network.nodes.iter().enumerate() {
        let Some((nx, ny)) = node.coordinates else {
            continue;
        };
        let (kind, shape) = match node.kind {
            NodeKind::Junction(_) => continue,
            NodeKind::Reservoir(_) => (
                "reservoir",
                "<path d=\"M-8 -6L8 -6L5 6L-5 6Z\"/><path d=\"M-5 -1.5h10\" stroke=\"#fff\" stroke-width=\"1.2\"/>",
            ),
            NodeKind::Tank(_) => ("tank", "<rect x=\"-6\" y=\"-7\" width=\"12\" height=\"14\" rx=\"2\"/>"),
        };
        let (x, y) = projection.to_drawing(nx, ny);
        let class = class_of(options.node_values.as_ref(), i);
        let _ = write!(
            out,
            "<g class=\"dj-{kind} {class}\" data-kind=\"{kind}\" data-id=\"{}\" transform=\"translate({} {})\">{shape}</g>",
            escape(&node.id),
            number(x, decimals),
            number(y, decimals)
        );
    }
    out.push_str("</g>");

    // Marked sets.
    for set in &options.marked_sets {
        let _ = write!(
            out,
            "<g class=\"dj-mark dj-mark-{}\" fill=\"{}\" stroke=\"#222\" stroke-width=\"0.8\">",
            escape(&set.class),
            escape(&set.colour)
        );
        for (k, target) in set.targets.iter().enumerate() {
            let placed = match *target {
                MarkTarget::Node(node) => network
                    .nodes
                    .get(node.index())
                    .and_then(|n| n.coordinates.map(|c| (c, "node", n.id.as_str())))
                    .map(|((nx, ny), kind, id)| (projection.to_drawing(nx, ny), kind, id)),
                MarkTarget::Link(link) => {
                    link_points(network, &projection, link.index()).map(|p| {
                        (
                            along(&p, 0.5).0,
                            "link",
                            network.links[link.index()].id.as_str(),
                        )
                    })
                }
                MarkTarget::LinkEnd(link, node) => {
                    link_points(network, &projection, link.index()).map(|p| {
                        let at_start = network.links[link.index()].from == node;
                        // A valve a little way from the node along its link, so valves on
                        // different links of one node stay apart.
                        let total: f64 = p
                            .windows(2)
                            .map(|w| (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1))
                            .sum();
                        let fraction = if total > 0.0 {
                            (set.size * 1.2 / total).min(0.3)
                        } else {
                            0.0
                        };
                        let at = if at_start { fraction } else { 1.0 - fraction };
                        (
                            along(&p, at).0,
                            "link",
                            network.links[link.index()].id.as_str(),
                        )
                    })
                }
            };
            let Some(((x, y), kind, id)) = placed else {
                continue;
            };
            let _ = write!(
                out,
                "<path data-kind=\"{kind}\" data-id=\"{}\" d=\"{}\">",
                escape(id),
                marker_path(set.shape, x, y, set.size)
            );
            if let Some(label) = set.labels.get(k) {
                let _ = write!(out, "<title>{}</title>", escape(label));
            }
            out.push_str("</path>");
            if let Some(label) = set.labels.get(k).filter(|l| !l.is_empty()) {
                text(
                    &mut out,
                    x + set.size,
                    y - set.size * 0.6,
                    "dj-mark-label",
                    "start",
                    label,
                );
            }
        }
        out.push_str("</g>");
    }
    out.push_str("</g>");

    if options.legend {
        legend(&mut out, network, options);
    }
    out.push_str("</svg>");
    Ok(out)
}

/// Scoped style rules: colour classes and default strokes.
fn style(out: &mut String, options: &MapOptions) {
    let id = css_identifier(&options.id);
    let _ = write!(
        out,
        "<style>#{id} .dj-link{{stroke:#7a8896;stroke-width:1.6;vector-effect:non-scaling-stroke}}\
         #{id} .dj-node{{stroke:#45525e;stroke-width:4;vector-effect:non-scaling-stroke}}\
         #{id} .dj-nodes .dj-plain{{stroke:#45525e}}\
         #{id} .dj-none{{stroke:#c5ccd3}}\
         #{id} .dj-specials g{{fill:#333;stroke:none}}\
         #{id} .dj-mark-label{{font-size:11px;paint-order:stroke;stroke:#fff;stroke-width:3px}}\
         #{id} [data-id]{{cursor:pointer}}"
    );
    for (prefix, layer) in [
        (".dj-links", &options.link_values),
        (".dj-nodes", &options.node_values),
    ] {
        if let Some(layer) = layer {
            for (k, colour) in layer.scale.colours.iter().enumerate() {
                let colour = css_colour(colour);
                let _ = write!(out, "#{id} {prefix} .dj-c{k}{{stroke:{colour}}}");
                let specials = if prefix == ".dj-links" {
                    ".dj-pump,.dj-valve"
                } else {
                    ".dj-reservoir,.dj-tank"
                };
                for special in specials.split(',') {
                    let _ = write!(out, "#{id} .dj-specials {special}.dj-c{k}{{fill:{colour}}}");
                }
            }
        }
    }
    out.push_str("</style>");
}

/// An id made safe for a CSS selector: anything but letters, digits, `-` and `_` escaped.
fn css_identifier(id: &str) -> String {
    let mut out = String::new();
    for (i, c) in id.chars().enumerate() {
        if c.is_ascii_alphanumeric() && !(i == 0 && c.is_ascii_digit()) || c == '-' || c == '_' {
            out.push(c);
        } else {
            let _ = write!(out, "\\{:x} ", c as u32);
        }
    }
    // The identifier sits inside a <style> element: no markup may break out of it.
    escape(&out)
}

/// A colour made safe for a style rule: `#` and hex digits, or letters only.
fn css_colour(colour: &str) -> String {
    let ok = colour.strip_prefix('#').map_or_else(
        || colour.chars().all(|c| c.is_ascii_alphabetic()),
        |hex| hex.chars().all(|c| c.is_ascii_hexdigit()) && matches!(hex.len(), 3 | 6 | 8),
    );
    if ok && !colour.is_empty() {
        colour.to_string()
    } else {
        "#888".to_string()
    }
}

/// Path data of a marker centred at (x, y) with width `size`.
fn marker_path(shape: MarkerShape, x: f64, y: f64, size: f64) -> String {
    let h = size / 2.0;
    let n = |v: f64| number(v, 2);
    match shape {
        MarkerShape::Square => format!(
            "M{} {}h{}v{}h-{}Z",
            n(x - h),
            n(y - h),
            n(size),
            n(size),
            n(size)
        ),
        MarkerShape::Diamond => format!(
            "M{} {}L{} {}L{} {}L{} {}Z",
            n(x),
            n(y - h),
            n(x + h),
            n(y),
            n(x),
            n(y + h),
            n(x - h),
            n(y)
        ),
        MarkerShape::Triangle => format!(
            "M{} {}L{} {}L{} {}Z",
            n(x),
            n(y - h),
            n(x + h),
            n(y + h),
            n(x - h),
            n(y + h)
        ),
        MarkerShape::Ring => format!(
            "M{} {}a{h} {h} 0 1 0 {} 0a{h} {h} 0 1 0 -{} 0Z",
            n(x - h),
            n(y),
            n(size),
            n(size),
            h = n(h)
        ),
        MarkerShape::Cross => {
            let t = size / 6.0;
            format!(
                "M{} {}L{} {}L{} {}L{} {}L{} {}L{} {}L{} {}L{} {}L{} {}L{} {}L{} {}L{} {}Z",
                n(x - h),
                n(y - h + t),
                n(x - h + t),
                n(y - h),
                n(x),
                n(y - t),
                n(x + h - t),
                n(y - h),
                n(x + h),
                n(y - h + t),
                n(x + t),
                n(y),
                n(x + h),
                n(y + h - t),
                n(x + h - t),
                n(y + h),
                n(x),
                n(y + t),
                n(x - h + t),
                n(y + h),
                n(x - h),
                n(y + h - t),
                n(x - t),
                n(y)
            )
        }
    }
}

/// The legend in the lower left: colour classes of each layer, then the kinds of marker.
fn legend(out: &mut String, network: &Network, options: &MapOptions) {
    let counts = network.counts();
    let mut rows: Vec<String> = Vec::new();
    for (layer, is_link) in [(&options.node_values, false), (&options.link_values, true)] {
        let Some(layer) = layer else {
            continue;
        };
        let mut heading = String::new();
        push_escaped(&mut heading, &layer.name);
        if !layer.scale.unit.is_empty() {
            heading.push_str(" (");
            push_escaped(&mut heading, &layer.scale.unit);
            heading.push(')');
        }
        rows.push(format!(
            "<text class=\"dj-legend-heading\" font-weight=\"bold\">{heading}</text>"
        ));
        for (k, label) in layer.scale.labels().iter().enumerate() {
            let colour = css_colour(
                layer
                    .scale
                    .colours
                    .get(k)
                    .map(String::as_str)
                    .unwrap_or("#888"),
            );
            let swatch = if is_link {
                format!("<path d=\"M0 -4h14\" stroke=\"{colour}\" stroke-width=\"3\"/>")
            } else {
                format!("<circle cx=\"7\" cy=\"-4\" r=\"4\" fill=\"{colour}\"/>")
            };
            rows.push(format!(
                "<g class=\"dj-legend-item dj-c{k}\">{swatch}<text x=\"20\">{}</text></g>",
                escape(label)
            ));
        }
        rows.push(format!(
            "<g class=\"dj-legend-item dj-none\"><path d=\"M0 -4h14\" stroke=\"#c5ccd3\" stroke-width=\"3\"/><text x=\"20\">{}</text></g>",
            escape(&options.words.no_value)
        ));
    }
    let words = &options.words;
    let kinds = [
        (
            counts.reservoirs,
            "reservoir",
            &words.reservoir,
            "<path d=\"M-1 -10L15 -10L12 2L2 2Z\" fill=\"#333\"/>",
        ),
        (
            counts.tanks,
            "tank",
            &words.tank,
            "<rect x=\"2\" y=\"-11\" width=\"10\" height=\"13\" rx=\"2\" fill=\"#333\"/>",
        ),
        (
            counts.pumps,
            "pump",
            &words.pump,
            "<circle cx=\"7\" cy=\"-4\" r=\"5\" fill=\"#333\"/>",
        ),
        (
            counts.valves,
            "valve",
            &words.valve,
            "<path d=\"M2 -8L12 0L12 -8L2 0Z\" fill=\"#333\"/>",
        ),
    ];
    for (count, kind, word, swatch) in kinds {
        if count > 0 {
            rows.push(format!(
                "<g class=\"dj-legend-item dj-legend-{kind}\">{swatch}<text x=\"20\">{}</text></g>",
                escape(word)
            ));
        }
    }
    for set in &options.marked_sets {
        rows.push(format!(
            "<g class=\"dj-legend-item dj-mark-{}\" fill=\"{}\" stroke=\"#222\" stroke-width=\"0.8\"><path d=\"{}\"/><text x=\"20\" stroke=\"none\" fill=\"#222\">{}</text></g>",
            escape(&set.class),
            escape(&set.colour),
            marker_path(set.shape, 7.0, -4.0, 9.0),
            escape(&set.name)
        ));
    }
    if rows.is_empty() {
        return;
    }
    let row_height = 16.0;
    let height = rows.len() as f64 * row_height + 10.0;
    let top = options.height - height - 8.0;
    let _ = write!(
        out,
        "<g class=\"dj-map-legend\" transform=\"translate(10 {})\" font-size=\"11\">\
         <rect class=\"dj-legend-box\" x=\"-4\" y=\"0\" width=\"180\" height=\"{}\" fill=\"#fff\" fill-opacity=\"0.85\" stroke=\"#ccc\"/>",
        number(top, 1),
        number(height, 1)
    );
    for (i, row) in rows.iter().enumerate() {
        let _ = write!(
            out,
            "<g transform=\"translate(4 {})\">{row}</g>",
            number(18.0 + i as f64 * row_height, 1)
        );
    }
    out.push_str("</g>");
}
