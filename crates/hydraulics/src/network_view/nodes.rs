//! Node numbering (junctions first, then tanks and reservoirs), ids, elevations,
//! demands, emitters and leakage.

use crate::error::HydraulicError;
use danjiang_network::units::{EpanetUnits, UnitSystem, METRES_PER_FOOT};
use danjiang_network::{LinkKind, Network, NodeKind};

/// The nodes in EPANET's numbering and units.
#[derive(Debug, Clone)]
pub(crate) struct NodeTables {
    /// Number of nodes.
    pub count: usize,
    /// Number of junctions (internal nodes `0..junction_count`; tanks and reservoirs follow).
    pub junction_count: usize,
    /// Model index of each internal node.
    pub model_index: Vec<usize>,
    /// Internal index of each model node.
    pub internal_index: Vec<usize>,
    /// ID of each internal node.
    pub id: Vec<String>,
    /// Elevation of each internal node, ft.
    pub elevation: Vec<f64>,
    /// Demand categories of junction j: `demand_start[j]..demand_start[j+1]`.
    pub demand_start: Vec<usize>,
    /// Base demand of each category, ft³/s.
    pub demand_base: Vec<f64>,
    /// Pattern of each demand category (`None`: the default pattern).
    pub demand_pattern: Vec<Option<usize>>,
    /// Emitter head loss coefficient (EPANET's Ke; head loss in ft = Ke q^qexp, q in
    /// ft³/s), per junction; 0 without an emitter.
    pub emitter: Vec<f64>,
    /// The junctions with an emitter, ascending (the trial loops visit only these).
    pub emitter_junctions: Vec<usize>,
    /// Leakage head loss coefficients per junction (fixed-area, variable-area), EPANET
    /// 2.3's FAVAD model; empty when no pipe leaks.
    pub leakage: Vec<(f64, f64)>,
}

/// EPANET's node numbering: the model index of each internal node (junctions first,
/// then tanks and reservoirs, each group in file order) and the junction count.
pub(crate) fn number_nodes(network: &Network) -> Result<(Vec<usize>, usize), HydraulicError> {
    let node_count = network.nodes.len();
    if node_count < 2 {
        return Err(HydraulicError::TooFewNodes);
    }
    let is_junction = |kind: &NodeKind| matches!(kind, NodeKind::Junction(_));
    let mut model_index: Vec<usize> = Vec::with_capacity(node_count);
    for (i, node) in network.nodes.iter().enumerate() {
        if is_junction(&node.kind) {
            model_index.push(i);
        }
    }
    let junction_count = model_index.len();
    for (i, node) in network.nodes.iter().enumerate() {
        if !is_junction(&node.kind) {
            model_index.push(i);
        }
    }
    if junction_count == node_count {
        return Err(HydraulicError::NoFixedHeadNode);
    }
    Ok((model_index, junction_count))
}

impl NodeTables {
    /// Ids, elevations, demands and emitters of the nodes numbered `model_index`; the
    /// leakage is left empty (it needs the pipes, see [`leakage_coefficients`]).
    pub(crate) fn compile(
        network: &Network,
        model_index: Vec<usize>,
        junction_count: usize,
        units: &EpanetUnits,
    ) -> Result<NodeTables, HydraulicError> {
        let options = &network.options;
        let node_count = model_index.len();
        let mut internal_index = vec![0usize; node_count];
        for (internal, &model) in model_index.iter().enumerate() {
            internal_index[model] = internal;
        }
        let emitter_flow_exponent = super::options::emitter_flow_exponent(options);
        let mut nodes = NodeTables {
            count: node_count,
            junction_count,
            internal_index,
            id: Vec::with_capacity(node_count),
            elevation: Vec::with_capacity(node_count),
            demand_start: Vec::with_capacity(junction_count + 1),
            demand_base: Vec::new(),
            demand_pattern: Vec::new(),
            emitter: vec![0.0; junction_count],
            emitter_junctions: Vec::new(),
            leakage: Vec::new(),
            model_index: Vec::new(),
        };
        for (internal, &model) in model_index.iter().enumerate() {
            let node = &network.nodes[model];
            nodes.id.push(node.id.clone());
            nodes.elevation.push(units.feet(node.elevation));
            if let NodeKind::Junction(junction) = &node.kind {
                nodes.demand_start.push(nodes.demand_base.len());
                for demand in &junction.demands {
                    nodes.demand_base.push(units.cfs(demand.base));
                    nodes.demand_pattern.push(demand.pattern.map(|p| p.index()));
                }
                if junction.emitter_coefficient > 0.0 {
                    // Head loss across the emitter = Ke q^qexp with q in cfs, head in ft.
                    let coefficient = units.file_emitter_coefficient(
                        junction.emitter_coefficient,
                        options.emitter_exponent,
                    );
                    nodes.emitter[internal] =
                        units.emitter_head_loss(coefficient, emitter_flow_exponent);
                }
            }
        }
        nodes.demand_start.push(nodes.demand_base.len());
        nodes.emitter_junctions = (0..nodes.emitter.len())
            .filter(|&i| nodes.emitter[i] != 0.0)
            .collect();
        nodes.model_index = model_index;
        Ok(nodes)
    }
}

/// Leakage head loss coefficients per junction from the pipes' leak areas (EPANET 2.3's
/// FAVAD model: each pipe's leakage goes half to each junction end, all of it to a
/// junction whose other end is a tank or reservoir). `length` is each link's, ft.
pub(crate) fn leakage_coefficients(
    network: &Network,
    nodes: &NodeTables,
    length: &[f64],
) -> Vec<(f64, f64)> {
    // Orifice coefficient 0.6 sqrt(2g) with areas in mm² (in² for US files) per 100 length units.
    const ORIFICE: f64 = 4.814_976_6e-6;
    let length_factor = if network.options.flow_units.system() == UnitSystem::Si {
        METRES_PER_FOOT
    } else {
        1.0
    };
    let n_junctions = nodes.junction_count;
    let mut sums = vec![(0.0, 0.0); n_junctions];
    let mut any = false;
    for (k, link) in network.links.iter().enumerate() {
        let LinkKind::Pipe(pipe) = &link.kind else {
            continue;
        };
        if pipe.leak_area == 0.0 && pipe.leak_expansion == 0.0 {
            continue;
        }
        let n1 = nodes.internal_index[link.from.index()];
        let n2 = nodes.internal_index[link.to.index()];
        let (j1, j2) = (n1 < n_junctions, n2 < n_junctions);
        if !j1 && !j2 {
            continue;
        }
        any = true;
        let mut hundreds = length[k] / 100.0;
        if j1 && j2 {
            hundreds *= 0.5;
        }
        let area = ORIFICE * (pipe.leak_area * length_factor) / (METRES_PER_FOOT * METRES_PER_FOOT)
            * hundreds;
        let expansion =
            ORIFICE * (pipe.leak_expansion * length_factor) / METRES_PER_FOOT * hundreds;
        for (is_junction, node) in [(j1, n1), (j2, n2)] {
            if is_junction {
                sums[node].0 += area;
                sums[node].1 += expansion;
            }
        }
    }
    if !any {
        return Vec::new();
    }
    sums.into_iter()
        .map(|(area, expansion)| {
            let fixed = if area > 0.0 { 1.0 / (area * area) } else { 0.0 };
            let variable = if expansion > 0.0 {
                1.0 / expansion.powf(2.0 / 3.0)
            } else {
                0.0
            };
            (fixed, variable)
        })
        .collect()
}
