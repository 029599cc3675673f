//! The fixed data of a quality run, taken once from the [`Network`]: link volumes and reaction
//! coefficients in per-second SI form, tank geometry and mixing, sources and the node-link
//! adjacency in the order EPANET visits it.

use crate::QualityError;
use danjiang_network::units::{CUBIC_METRES_PER_CUBIC_FOOT, METRES_PER_FOOT, SECONDS_PER_DAY};
use danjiang_network::{
    HeadlossFormula, LinkKind, MixingModel, Network, NodeKind, QualityAnalysis, SourceKind,
    UnitSystem,
};

/// EPANET's kinematic viscosity of water, 1.1e-5 ft²/s, in m²/s.
const WATER_VISCOSITY: f64 = 1.1e-5 * METRES_PER_FOOT * METRES_PER_FOOT;
/// EPANET's molecular diffusivity of chlorine in water, 1.3e-8 ft²/s, in m²/s.
const CHLORINE_DIFFUSIVITY: f64 = 1.3e-8 * METRES_PER_FOOT * METRES_PER_FOOT;
/// Flow below which a link counts as stagnant: EPANET's 0.005 gpm, in m³/s.
pub(crate) const STAGNANT_FLOW: f64 = 0.005 / 448.831 * CUBIC_METRES_PER_CUBIC_FOOT;
/// Litres per cubic metre: concentrations are per litre, volumes in m³.
pub(crate) const LITRES_PER_CUBIC_METRE: f64 = 1000.0;

/// EPANET works in cubic feet and converts flows with its rounded 0.028317 m³/ft³, while a
/// volume from lengths converts with 0.3048³. Scaling geometric volumes by the ratio keeps
/// every residence time (volume over flow) equal to EPANET's to the last digit.
pub(crate) const GEOMETRIC_VOLUME_SCALE: f64 =
    CUBIC_METRES_PER_CUBIC_FOOT / (METRES_PER_FOOT * METRES_PER_FOOT * METRES_PER_FOOT);
/// EPANET's rounded π/4, which it uses for pipe volumes.
#[allow(clippy::approx_constant)] // ok: EPANET's own rounding, kept for parity
const QUARTER_PI_EPANET: f64 = 0.785398;

/// What is being modelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Analysis {
    None,
    Chemical,
    Age,
    Trace(usize),
}

/// What a node is, for routing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NodeRole {
    Junction,
    Reservoir,
    /// A tank with storage; the number is its position in [`Parameters::tanks`].
    Tank(usize),
}

/// A quality source, with its strength in per-second form.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    pub kind: SourceKind,
    /// Concentration (quality unit) or, for MASS, mass per second.
    pub strength: f64,
    /// Pattern multipliers (empty for none).
    pub pattern: Vec<f64>,
}

/// Fixed data of one link.
#[derive(Debug, Clone)]
pub(crate) struct LinkData {
    pub from: usize,
    pub to: usize,
    /// Any pipe, with or without a check valve (these decide whether anything reacts).
    pub is_pipe: bool,
    /// A pipe without a check valve. EPANET 2.3 gives only these a starting parcel and
    /// reactions; a pipe with a check valve carries water through like a pump, holding none.
    pub holds_water: bool,
    /// Volume, m³ (EPANET-consistent, see [`GEOMETRIC_VOLUME_SCALE`]); zero for pumps and valves.
    pub volume: f64,
    /// Diameter, m.
    pub diameter: f64,
    /// Length, m.
    pub length: f64,
    /// Bulk coefficient per second ((quality unit)^(1-n) per s).
    pub bulk: f64,
    /// Wall coefficient per second: m/s for first order, (quality unit)·m/s for zero order.
    pub wall: f64,
}

/// Fixed data of one tank with storage.
#[derive(Debug, Clone)]
pub(crate) struct TankData {
    pub node: usize,
    pub mixing: MixingModel,
    /// Volume at the start, m³.
    pub initial_volume: f64,
    /// Volume when full, m³.
    pub max_volume: f64,
    /// Fraction of the full volume in the mixing zone of a two-compartment tank.
    pub mixing_fraction: f64,
    /// Bulk coefficient per second.
    pub bulk: f64,
    /// Head when full, m.
    pub max_head: f64,
}

impl TankData {
    /// Whether a tank at this head is full. Heads may come from a float32 file (EPANET's own
    /// hydraulics file), where a full tank's head can fall a few ulps short of its top; a
    /// millionth of the head is far below any real change of level in a time step.
    pub fn is_full_at(&self, head: f64) -> bool {
        head >= self.max_head - 1e-6 * (self.max_head.abs() + 1.0)
    }
}

/// How to turn a tank's level into a volume.
#[derive(Debug, Clone)]
pub(crate) enum TankGeometry {
    Cylinder {
        elevation: f64,
        min_level: f64,
        min_volume: f64,
        area: f64,
    },
    Curve {
        elevation: f64,
        /// (level m, volume m³), volumes already scaled.
        points: Vec<(f64, f64)>,
    },
}

impl TankGeometry {
    /// Volume at a head, m³.
    pub fn volume_at_head(&self, head: f64) -> f64 {
        match self {
            TankGeometry::Cylinder {
                elevation,
                min_level,
                min_volume,
                area,
            } => min_volume + (head - elevation - min_level) * area,
            TankGeometry::Curve { elevation, points } => interpolate(points, head - elevation),
        }
    }
}

/// Linear interpolation on a curve, held flat beyond its ends (as EPANET does).
fn interpolate(points: &[(f64, f64)], x: f64) -> f64 {
    let Some(&(x0, y0)) = points.first() else {
        return 0.0;
    };
    if x <= x0 {
        return y0;
    }
    for pair in points.windows(2) {
        let ((xa, ya), (xb, yb)) = (pair[0], pair[1]);
        if xb >= x {
            let dx = xb - xa;
            return if dx.abs() < 1e-6 {
                yb
            } else {
                yb - (xb - x) * (yb - ya) / dx
            };
        }
    }
    points.last().map_or(0.0, |p| p.1)
}

/// Everything fixed about a quality run.
#[derive(Debug, Clone)]
pub(crate) struct Parameters {
    pub analysis: Analysis,
    pub roles: Vec<NodeRole>,
    pub initial_quality: Vec<f64>,
    pub sources: Vec<Option<Source>>,
    pub links: Vec<LinkData>,
    pub tanks: Vec<TankData>,
    /// Adjacency: for node n, `adjacency[adjacency_start[n]..adjacency_start[n + 1]]` lists
    /// (link, other node) with links in decreasing index order, as EPANET builds its lists.
    pub adjacency_start: Vec<usize>,
    pub adjacency: Vec<(usize, usize)>,
    pub bulk_order: f64,
    pub tank_order: f64,
    pub wall_order_zero: bool,
    pub limiting_concentration: f64,
    pub tolerance: f64,
    /// Kinematic viscosity, m²/s.
    pub viscosity: f64,
    /// Molecular diffusivity, m²/s.
    pub diffusivity: f64,
    /// Schmidt number (viscosity over diffusivity); zero turns mass transfer off.
    pub schmidt: f64,
    /// Whether anything reacts (always for age; never for trace).
    pub reactive: bool,
    pub quality_step: u64,
    pub pattern_step: u64,
    pub pattern_start: u64,
    pub duration: u64,
    pub report_start: u64,
    pub report_step: u64,
    /// Factor from (quality unit × m³) to EPANET's mass unit: mg or µg for a chemical
    /// (concentration per litre), quality unit × ft³ for age and trace.
    pub mass_unit_factor: f64,
}

impl Parameters {
    pub fn from_network(network: &Network) -> Result<Parameters, QualityError> {
        let analysis = match &network.options.quality {
            QualityAnalysis::None => Analysis::None,
            QualityAnalysis::Chemical { .. } => Analysis::Chemical,
            QualityAnalysis::Age => Analysis::Age,
            QualityAnalysis::Trace { node } => {
                if node.index() >= network.nodes.len() {
                    return Err(QualityError::bad_input(
                        "[OPTIONS] QUALITY TRACE",
                        format!(
                            "trace node index {} is not a node of the network ({} nodes)",
                            node.index(),
                            network.nodes.len()
                        ),
                    ));
                }
                Analysis::Trace(node.index())
            }
        };
        let options = &network.options;
        let reactions = &network.reactions;
        let times = &network.times;
        let system = options.flow_units.system();
        // Volumes that came from the file as volumes are EPANET-consistent already when the
        // file was in US units (the reader used 0.028317); SI files need the scale.
        let file_volume_scale = match system {
            UnitSystem::Us => 1.0,
            UnitSystem::Si => GEOMETRIC_VOLUME_SCALE,
        };

        let wall_order_zero = if reactions.wall_order == 0.0 {
            true
        } else if reactions.wall_order == 1.0 {
            false
        } else {
            return Err(QualityError::bad_input(
                "[REACTIONS] ORDER WALL",
                format!(
                    "{} is not a wall reaction order: expected 0 or 1",
                    reactions.wall_order
                ),
            ));
        };
        if options.quality_tolerance.is_nan() || options.quality_tolerance < 0.0 {
            return Err(QualityError::bad_input(
                "[OPTIONS] TOLERANCE",
                format!(
                    "{} is not a quality tolerance: expected zero or more",
                    options.quality_tolerance
                ),
            ));
        }
        if options.diffusivity.is_nan() || options.diffusivity < 0.0 {
            return Err(QualityError::bad_input(
                "[OPTIONS] DIFFUSIVITY",
                format!(
                    "{} is not a diffusivity: expected zero or more",
                    options.diffusivity
                ),
            ));
        }
        if options.viscosity.is_nan() || options.viscosity <= 0.0 {
            return Err(QualityError::bad_input(
                "[OPTIONS] VISCOSITY",
                format!(
                    "{} is not a viscosity: expected more than zero",
                    options.viscosity
                ),
            ));
        }
        for (name, value) in [
            ("[REACTIONS] ORDER BULK", reactions.bulk_order),
            ("[REACTIONS] ORDER TANK", reactions.tank_order),
            ("[REACTIONS] GLOBAL BULK", reactions.global_bulk),
            ("[REACTIONS] GLOBAL WALL", reactions.global_wall),
            (
                "[REACTIONS] LIMITING POTENTIAL",
                reactions.limiting_potential,
            ),
            (
                "[REACTIONS] ROUGHNESS CORRELATION",
                reactions.roughness_correlation,
            ),
        ] {
            if !value.is_finite() {
                return Err(QualityError::bad_input(
                    name,
                    format!("{value} is not a number"),
                ));
            }
        }

        // Relative values above these limits are multipliers of water's (EPANET's rule);
        // smaller ones are actual values in m²/s.
        let viscosity = if options.viscosity > 1e-3 {
            options.viscosity * WATER_VISCOSITY
        } else {
            options.viscosity
        };
        let diffusivity = if options.diffusivity > 1e-4 {
            options.diffusivity * CHLORINE_DIFFUSIVITY
        } else {
            options.diffusivity
        };
        let schmidt = if diffusivity > 0.0 {
            viscosity / diffusivity
        } else {
            0.0
        };

        let pattern = |idx: Option<danjiang_network::PatternIdx>,
                       what: &str|
         -> Result<Vec<f64>, QualityError> {
            match idx {
                None => Ok(Vec::new()),
                Some(p) => network
                    .patterns
                    .get(p.index())
                    .map(|p| p.multipliers.clone())
                    .ok_or_else(|| {
                        QualityError::bad_input(
                            what,
                            format!("pattern index {} does not exist", p.index()),
                        )
                    }),
            }
        };

        let mut roles = Vec::with_capacity(network.nodes.len());
        let mut tanks = Vec::new();
        let mut sources = Vec::with_capacity(network.nodes.len());
        let mut initial_quality = Vec::with_capacity(network.nodes.len());
        for (n, node) in network.nodes.iter().enumerate() {
            initial_quality.push(node.initial_quality);
            let field = |what: &str| format!("{what} of node {}", node.id);
            if !node.initial_quality.is_finite() {
                return Err(QualityError::bad_input(
                    field("[QUALITY] initial quality"),
                    "not a number",
                ));
            }
            sources.push(match &node.source {
                None => None,
                Some(source) => {
                    if !source.strength.is_finite() {
                        return Err(QualityError::bad_input(
                            field("[SOURCES] strength"),
                            "not a number",
                        ));
                    }
                    let strength = match source.kind {
                        SourceKind::Mass => source.strength / 60.0,
                        _ => source.strength,
                    };
                    Some(Source {
                        kind: source.kind,
                        strength,
                        pattern: pattern(source.pattern, &field("[SOURCES] pattern"))?,
                    })
                }
            });
            let role = match &node.kind {
                NodeKind::Junction(_) => NodeRole::Junction,
                NodeKind::Reservoir(_) => NodeRole::Reservoir,
                // EPANET reads a tank of zero diameter as a reservoir.
                NodeKind::Tank(tank) if tank.diameter == 0.0 => NodeRole::Reservoir,
                NodeKind::Tank(tank) => {
                    if !(tank.mixing_fraction > 0.0 && tank.mixing_fraction <= 1.0)
                        && tank.mixing_model == MixingModel::TwoCompartment
                    {
                        return Err(QualityError::bad_input(
                            field("[MIXING] 2COMP mixing fraction"),
                            format!(
                                "{} is not a fraction: expected more than 0 and at most 1",
                                tank.mixing_fraction
                            ),
                        ));
                    }
                    let elevation = node.elevation;
                    let geometry = match tank.volume_curve {
                        Some(curve) => {
                            let curve = network.curves.get(curve.index()).ok_or_else(|| {
                                QualityError::bad_input(
                                    field("[TANKS] volume curve"),
                                    "curve does not exist",
                                )
                            })?;
                            TankGeometry::Curve {
                                elevation,
                                points: curve
                                    .points
                                    .iter()
                                    .map(|&(x, y)| (x, y * file_volume_scale))
                                    .collect(),
                            }
                        }
                        None => {
                            let area = std::f64::consts::PI * tank.diameter * tank.diameter / 4.0
                                * GEOMETRIC_VOLUME_SCALE;
                            let min_volume = if tank.min_volume > 0.0 {
                                tank.min_volume * file_volume_scale
                            } else {
                                area * tank.min_level
                            };
                            TankGeometry::Cylinder {
                                elevation,
                                min_level: tank.min_level,
                                min_volume,
                                area,
                            }
                        }
                    };
                    let initial_volume = geometry.volume_at_head(elevation + tank.initial_level);
                    let max_volume = geometry.volume_at_head(elevation + tank.max_level);
                    let bulk = tank.bulk_coefficient.unwrap_or(reactions.global_bulk);
                    tanks.push(TankData {
                        node: n,
                        mixing: tank.mixing_model,
                        initial_volume,
                        max_volume,
                        mixing_fraction: tank.mixing_fraction,
                        bulk: bulk / SECONDS_PER_DAY,
                        max_head: elevation + tank.max_level,
                    });
                    NodeRole::Tank(tanks.len() - 1)
                }
            };
            roles.push(role);
        }

        let mut links = Vec::with_capacity(network.links.len());
        for link in &network.links {
            let (from, to) = (link.from.index(), link.to.index());
            if from >= network.nodes.len() || to >= network.nodes.len() {
                return Err(QualityError::bad_input(
                    format!("link {}", link.id),
                    "its end nodes are not nodes of the network",
                ));
            }
            let data = match &link.kind {
                LinkKind::Pipe(pipe) => {
                    let bulk = pipe.bulk_coefficient.unwrap_or(reactions.global_bulk);
                    let wall_per_day = match pipe.wall_coefficient {
                        Some(wall) => wall,
                        None => correlated_wall(
                            network,
                            pipe.roughness,
                            pipe.diameter,
                            system,
                            wall_order_zero,
                        ),
                    };
                    let mut wall = wall_per_day / SECONDS_PER_DAY;
                    if wall_order_zero {
                        // mass/m²/s to (mass per litre)·m/s, the units of concentration × velocity.
                        wall /= LITRES_PER_CUBIC_METRE;
                    }
                    if !bulk.is_finite() || !wall.is_finite() {
                        return Err(QualityError::bad_input(
                            format!("[REACTIONS] coefficient of pipe {}", link.id),
                            "not a number",
                        ));
                    }
                    LinkData {
                        from,
                        to,
                        is_pipe: true,
                        holds_water: !pipe.check_valve,
                        volume: QUARTER_PI_EPANET
                            * pipe.length
                            * pipe.diameter
                            * pipe.diameter
                            * GEOMETRIC_VOLUME_SCALE,
                        diameter: pipe.diameter,
                        length: pipe.length,
                        bulk: bulk / SECONDS_PER_DAY,
                        wall,
                    }
                }
                LinkKind::Pump(_) | LinkKind::Valve(_) => LinkData {
                    from,
                    to,
                    is_pipe: false,
                    holds_water: false,
                    volume: 0.0,
                    diameter: link.as_valve().map_or(0.0, |v| v.diameter),
                    length: 0.0,
                    bulk: 0.0,
                    wall: 0.0,
                },
            };
            links.push(data);
        }

        // EPANET pushes each link onto the front of both end nodes' lists, so a node lists its
        // links from the highest index down; the visiting order decides routing in loops.
        let mut degree = vec![0usize; network.nodes.len() + 1];
        for link in &links {
            degree[link.from] += 1;
            degree[link.to] += 1;
        }
        let mut adjacency_start = vec![0usize; network.nodes.len() + 1];
        for n in 0..network.nodes.len() {
            adjacency_start[n + 1] = adjacency_start[n] + degree[n];
        }
        let mut fill = adjacency_start.clone();
        let mut adjacency = vec![(0usize, 0usize); adjacency_start[network.nodes.len()]];
        for (k, link) in links.iter().enumerate().rev() {
            adjacency[fill[link.from]] = (k, link.to);
            fill[link.from] += 1;
            adjacency[fill[link.to]] = (k, link.from);
            fill[link.to] += 1;
        }

        let reactive = match analysis {
            Analysis::None | Analysis::Trace(_) => false,
            Analysis::Age => true,
            Analysis::Chemical => {
                links
                    .iter()
                    .any(|l| l.is_pipe && (l.bulk != 0.0 || l.wall != 0.0))
                    || tanks.iter().any(|t| t.bulk != 0.0)
            }
        };

        let hydraulic_step = times.hydraulic_step.max(1);
        let hydraulic_step = hydraulic_step
            .min(times.pattern_step.max(1))
            .min(times.report_step.max(1));
        // A default step of a tenth of the hydraulic step rounds to zero below 10 s, where
        // EPANET would loop for ever; one second is the shortest step it can mean.
        let quality_step = times
            .quality_step
            .filter(|&q| q > 0)
            .unwrap_or(hydraulic_step / 10)
            .min(hydraulic_step)
            .max(1);
        let report_start = if times.report_start > times.duration {
            0
        } else {
            times.report_start
        };

        let mass_unit_factor = match analysis {
            Analysis::Chemical => LITRES_PER_CUBIC_METRE,
            _ => 1.0 / CUBIC_METRES_PER_CUBIC_FOOT,
        };

        Ok(Parameters {
            analysis,
            roles,
            initial_quality,
            sources,
            links,
            tanks,
            adjacency_start,
            adjacency,
            bulk_order: reactions.bulk_order,
            tank_order: reactions.tank_order,
            wall_order_zero,
            limiting_concentration: reactions.limiting_potential,
            tolerance: options.quality_tolerance,
            viscosity,
            diffusivity,
            schmidt,
            reactive,
            quality_step,
            pattern_step: times.pattern_step.max(1),
            pattern_start: times.pattern_start,
            duration: times.duration,
            report_start,
            report_step: times.report_step.max(1),
            mass_unit_factor,
        })
    }

    /// Links at a node with the node at their other end.
    #[inline]
    pub fn adjacent(&self, node: usize) -> &[(usize, usize)] {
        &self.adjacency[self.adjacency_start[node]..self.adjacency_start[node + 1]]
    }
}

/// A pipe's wall coefficient from `[REACTIONS] ROUGHNESS CORRELATION`, per day in SI
/// (m/day for first order, mass/m²/day for zero order). EPANET applies the correlation to
/// roughness and diameter in the file's units before converting, so we do too.
fn correlated_wall(
    network: &Network,
    roughness: f64,
    diameter: f64,
    system: UnitSystem,
    wall_order_zero: bool,
) -> f64 {
    let reactions = &network.reactions;
    let factor = reactions.roughness_correlation;
    if factor == 0.0 {
        return reactions.global_wall;
    }
    if !(roughness > 0.0 && diameter > 0.0) {
        return 0.0;
    }
    let in_file_units = match network.options.headloss {
        HeadlossFormula::HazenWilliams => factor / roughness,
        HeadlossFormula::ChezyManning => factor * roughness,
        HeadlossFormula::DarcyWeisbach => {
            // Roughness in mm against diameter in mm (SI), millifeet against inches (US).
            let ratio = match system {
                UnitSystem::Si => roughness / diameter,
                UnitSystem::Us => {
                    (roughness / METRES_PER_FOOT * 1000.0) / (diameter / METRES_PER_FOOT * 12.0)
                }
            };
            factor / ratio.ln().abs()
        }
    };
    match (system, wall_order_zero) {
        (UnitSystem::Si, _) => in_file_units,
        (UnitSystem::Us, false) => in_file_units * METRES_PER_FOOT,
        (UnitSystem::Us, true) => in_file_units / (METRES_PER_FOOT * METRES_PER_FOOT),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_is_flat_beyond_the_curve() {
        let points = [(1.0, 10.0), (3.0, 30.0)];
        assert_eq!(interpolate(&points, 0.0), 10.0);
        assert_eq!(interpolate(&points, 2.0), 20.0);
        assert_eq!(interpolate(&points, 5.0), 30.0);
    }

    #[test]
    fn stagnant_flow_is_epanets() {
        // 0.005 gpm in m³/s.
        assert!((STAGNANT_FLOW - 3.1546e-7).abs() < 1e-10);
    }
}
