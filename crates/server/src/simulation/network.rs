//! The networks runs are made of (the Xuchang demo, or an uploaded file), the marks the
//! register gives them (outlets, wells, plants), and the map drawn from them.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use danjiang_drawing::colour::{ColourScale, Palette};
use danjiang_drawing::map::{
    network_map, MapOptions, MapWords, MarkTarget, MarkedSet, MarkerShape, ValueLayer,
};
use danjiang_network::{Network, NodeIdx, NodeKind};
use danjiang_ops::Store;
use sqlx::Row;

use super::runs::RunRecord;
use super::SimulationError;

/// The demo network's name in the runs table.
pub const DEMO: &str = "demo";

const DEMO_INP: &str = include_str!("../../../../examples/xuchang/xuchang.inp");

/// The Xuchang demo network, read once.
pub fn demo_network() -> Result<Arc<Network>, SimulationError> {
    static DEMO_NETWORK: OnceLock<Result<Arc<Network>, String>> = OnceLock::new();
    DEMO_NETWORK
        .get_or_init(|| {
            danjiang_network::inp::read_str(DEMO_INP, "examples/xuchang/xuchang.inp")
                .map(|outcome| Arc::new(outcome.network))
                .map_err(|e| e.to_string())
        })
        .clone()
        .map_err(SimulationError::Run)
}

/// Reads the text of an uploaded network, with the reader's message (line and field) when
/// it cannot be simulated.
pub fn read_uploaded(text: &str, name: &str) -> Result<Network, SimulationError> {
    danjiang_network::inp::read_str(text, name)
        .map(|outcome| outcome.network)
        .map_err(|e| SimulationError::BadRequest(format!("{name}: {e}")))
}

/// The network a run was made of.
pub fn network_of(run: &RunRecord) -> Result<Arc<Network>, SimulationError> {
    match run.input_path()? {
        None => demo_network(),
        Some(path) => {
            let text =
                std::fs::read_to_string(&path).map_err(|source| SimulationError::DataFolder {
                    path: path.display().to_string(),
                    source,
                })?;
            Ok(Arc::new(read_uploaded(&text, &run.network)?))
        }
    }
}

/// A registered asset that names an element of the network.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisteredElement {
    /// Asset code.
    pub code: String,
    /// Asset kind (outlet, well, plant, release).
    pub kind: String,
    /// Name in English.
    pub name: String,
    /// Name in Chinese, if registered.
    pub name_zh: Option<String>,
    /// The EPANET element's ID.
    pub element: String,
}

/// Assets of the register that name a network element, by element ID.
pub async fn registered_elements(
    store: &Store,
) -> Result<HashMap<String, RegisteredElement>, SimulationError> {
    let rows = sqlx::query(
        "SELECT code, kind, name, name_zh, epanet_id FROM assets \
         WHERE epanet_id IS NOT NULL AND kind IN ('outlet', 'well', 'plant', 'release')",
    )
    .fetch_all(store.pool())
    .await?;
    let mut elements = HashMap::new();
    for row in rows {
        let element: String = row.try_get("epanet_id")?;
        elements.insert(
            element.clone(),
            RegisteredElement {
                code: row.try_get("code")?,
                kind: row.try_get("kind")?,
                name: row.try_get("name")?,
                name_zh: row.try_get("name_zh")?,
                element,
            },
        );
    }
    Ok(elements)
}

/// The plant nodes of a network: registered plants that are nodes of it.
pub fn plant_nodes(
    network: &Network,
    registered: &HashMap<String, RegisteredElement>,
) -> Vec<(NodeIdx, RegisteredElement)> {
    let mut plants: Vec<(NodeIdx, RegisteredElement)> = registered
        .values()
        .filter(|r| r.kind == "plant")
        .filter_map(|r| network.node_idx(&r.element).map(|i| (i, r.clone())))
        .collect();
    plants.sort_by_key(|(i, _)| *i);
    plants
}

/// Words of the map in the page's language.
pub struct MapText {
    /// Legend words for element kinds.
    pub words: MapWords,
    /// Legend entry of outlets.
    pub outlets: String,
    /// Legend entry of wells.
    pub wells: String,
    /// Legend entry of plants.
    pub plants: String,
    /// Whether labels use Chinese names.
    pub chinese: bool,
}

/// The colouring of a map: a layer's name, its values, unit and palette.
pub struct Colouring {
    /// Legend heading.
    pub name: String,
    /// Values by node (or link) index.
    pub values: Vec<f64>,
    /// Unit for the legend.
    pub unit: String,
    /// Colours.
    pub palette: Palette,
    /// Fixed breaks (else fitted to the values).
    pub breaks: Option<Vec<f64>>,
    /// Whether the values belong to nodes (else links).
    pub of_nodes: bool,
}

/// Draws a network's map with the register's marks and an optional colouring; `extra` sets
/// (an injection point, isolating valves) are drawn last.
pub fn draw(
    network: &Network,
    registered: &HashMap<String, RegisteredElement>,
    text: &MapText,
    title: &str,
    colouring: Option<Colouring>,
    extra: Vec<MarkedSet>,
) -> Result<String, SimulationError> {
    let mut options = MapOptions::new("network-map", title);
    options.width = 960.0;
    options.height = 620.0;
    // The demo's coordinates are longitude and latitude.
    options.geographic = network
        .nodes
        .iter()
        .filter_map(|n| n.coordinates)
        .all(|(x, y)| (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y))
        && registered
            .values()
            .any(|r| network.node_idx(&r.element).is_some());
    options.words = text.words.clone();
    let mut sets: HashMap<&str, Vec<(NodeIdx, String)>> = HashMap::new();
    for r in registered.values() {
        if let Some(node) = network.node_idx(&r.element) {
            let label = match (&r.name_zh, text.chinese) {
                (Some(zh), true) => zh.clone(),
                _ => r.name.clone(),
            };
            sets.entry(r.kind.as_str()).or_default().push((node, label));
        }
    }
    let mut marked = Vec::new();
    for (kind, name, shape, colour, size, labelled) in [
        (
            "well",
            &text.wells,
            MarkerShape::Diamond,
            "#ffffff",
            5.0,
            false,
        ),
        (
            "outlet",
            &text.outlets,
            MarkerShape::Triangle,
            "#0072b2",
            11.0,
            true,
        ),
        (
            "plant",
            &text.plants,
            MarkerShape::Square,
            "#e69f00",
            10.0,
            true,
        ),
    ] {
        let Some(mut members) = sets.remove(kind) else {
            continue;
        };
        members.sort_by_key(|(i, _)| *i);
        marked.push(MarkedSet {
            name: name.clone(),
            class: kind.to_string(),
            shape,
            colour: colour.to_string(),
            size,
            targets: members.iter().map(|(i, _)| MarkTarget::Node(*i)).collect(),
            labels: if labelled {
                members.into_iter().map(|(_, l)| l).collect()
            } else {
                members
                    .into_iter()
                    .map(|(i, _)| network.node(i).id.clone())
                    .collect()
            },
        });
    }
    // Wells' labels are only their tooltips: draw them without text beside.
    if let Some(wells) = marked.iter_mut().find(|s| s.class == "well") {
        wells.labels.clear();
    }
    marked.extend(extra);
    options.marked_sets = marked;
    if let Some(colouring) = colouring {
        let scale = match colouring.breaks {
            Some(breaks) => ColourScale::with_breaks(breaks, colouring.palette, &colouring.unit)
                .map_err(|e| SimulationError::Run(e.to_string()))?,
            None => {
                // Classes span the values of junctions and tanks. A reservoir's pressure is zero
                // by definition and the results file holds it as single-precision round-off
                // (EPANET writes -2.8e-6 m for one of the demo's); its demand is the whole
                // supply. Either would stretch the classes so that no junction fell in the
                // first: reservoirs are still coloured, in the class their value falls in.
                let fitted: Vec<f64> = if colouring.of_nodes {
                    network
                        .nodes
                        .iter()
                        .zip(&colouring.values)
                        .filter(|(node, _)| !matches!(node.kind, NodeKind::Reservoir(_)))
                        .map(|(_, &value)| value)
                        .collect()
                } else {
                    colouring.values.clone()
                };
                ColourScale::fitted(&fitted, 6, colouring.palette, &colouring.unit)
            }
        };
        let layer = ValueLayer {
            name: colouring.name,
            values: colouring.values,
            scale,
        };
        if colouring.of_nodes {
            options.node_values = Some(layer);
        } else {
            options.link_values = Some(layer);
        }
    }
    network_map(network, &options).map_err(|e| SimulationError::BadRequest(e.to_string()))
}
