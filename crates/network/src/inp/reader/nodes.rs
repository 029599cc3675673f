//! `[JUNCTIONS]`, `[RESERVOIRS]`, `[TANKS]` and the sections that add to nodes:
//! `[DEMANDS]`, `[EMITTERS]`, `[QUALITY]`, `[SOURCES]` and `[MIXING]`.

use super::settings::id_range;
use super::tables::check_id;
use super::text::{find_keyword, matches};
use super::{bad_keyword, non_negative, number, too_few, Context, LineResult, Problem, Reader};
use crate::model::{
    CurveIdx, Demand, Junction, MixingModel, Node, NodeIdx, NodeKind, QualitySource, Reservoir,
    SourceKind, Tank,
};

impl Reader {
    /// Adds a node defined on the line being read: checks its ID (errors 252 and 215) and
    /// keeps its comment and line.
    fn add_node(&mut self, context: &Context<'_, '_>, mut node: Node) -> Result<NodeIdx, Problem> {
        let id = context.tokens[0];
        check_id(id)?;
        node.comment = context.line.comment.map(str::to_string);
        let index = self.network.add_node(node).ok_or_else(|| {
            Problem::error(
                215,
                format!("duplicate ID label: node \"{id}\" is defined twice"),
            )
        })?;
        self.definitions.nodes.push((index.index(), context.index));
        Ok(index)
    }

    pub(super) fn junction_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        let tokens = context.tokens;
        let id = tokens[0];
        // A field in error keeps its default so that the node still exists and lines that
        // refer to it do not report errors of their own.
        let mut problem = None;
        let mut elevation = 0.0;
        let mut base = 0.0;
        let mut pattern = None;
        if tokens.len() > 1 {
            match number(tokens, 1, "junction elevation") {
                Ok(value) => elevation = value / self.units.length,
                Err(error) => problem = Some(error),
            }
        }
        if problem.is_none() && tokens.len() > 2 {
            match number(tokens, 2, "junction base demand") {
                Ok(value) => base = value / self.units.flow,
                Err(error) => problem = Some(error),
            }
        }
        if problem.is_none() && tokens.len() > 3 {
            match self.optional_pattern(tokens.get(3)) {
                Ok(found) => pattern = found,
                Err(error) => problem = Some(error),
            }
        }
        let junction = Junction {
            demands: vec![Demand {
                base,
                pattern,
                category: None,
            }],
            emitter_coefficient: 0.0,
        };
        self.add_node(
            context,
            Node::new(id, elevation, NodeKind::Junction(junction)),
        )?;
        problem.map_or(Ok(()), Err)
    }

    /// A line of `[RESERVOIRS]` or `[TANKS]`. As in EPANET, what decides the kind is the
    /// line itself: a head and an optional pattern make a reservoir, levels and a diameter
    /// make a tank (a tank of zero diameter is a reservoir).
    pub(super) fn storage_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        let tokens = context.tokens;
        let n = tokens.len();
        let id = tokens[0];
        let mut problem = None;
        let mut elevation = 0.0;
        if n < 2 {
            problem = Some(too_few("an ID and an elevation (a reservoir's head)"));
        } else {
            match number(tokens, 1, "elevation") {
                Ok(value) => elevation = value / self.units.length,
                Err(error) => problem = Some(error),
            }
        }
        let mut kind = NodeKind::Reservoir(Reservoir::default());
        if n <= 3 {
            if n == 3 && problem.is_none() {
                match self.optional_pattern(tokens.get(2)) {
                    Ok(pattern) => {
                        kind = NodeKind::Reservoir(Reservoir {
                            head_pattern: pattern,
                            level: 0.0,
                        })
                    }
                    Err(error) => problem = Some(error),
                }
            }
        } else if problem.is_none() {
            if n < 6 {
                problem = Some(too_few(
                    "ID, elevation, initial level, minimum level, maximum level, diameter \
                     [minimum volume, volume curve, overflow]",
                ));
            } else {
                match self.tank_fields(tokens) {
                    // EPANET keeps a zero-diameter tank as a fixed head at its initial level.
                    Ok(tank) if tank.diameter == 0.0 => {
                        kind = NodeKind::Reservoir(Reservoir {
                            head_pattern: None,
                            level: tank.initial_level,
                        })
                    }
                    Ok(tank) => kind = NodeKind::Tank(tank),
                    Err(error) => problem = Some(error),
                }
            }
        }
        let is_tank = matches!(kind, NodeKind::Tank(_));
        if problem.is_none() {
            if is_tank && context.section == super::Section::Reservoirs {
                self.warn(
                    context,
                    None,
                    "a line with tank levels and a diameter in [RESERVOIRS] makes a tank, as \
                     in EPANET",
                );
            } else if !is_tank && context.section == super::Section::Tanks {
                self.warn(
                    context,
                    None,
                    "a tank without levels and diameter, or of zero diameter, is a reservoir \
                     (as in EPANET)",
                );
            }
        }
        self.add_node(context, Node::new(id, elevation, kind))?;
        problem.map_or(Ok(()), Err)
    }

    fn tank_fields(&mut self, tokens: &[&str]) -> Result<Tank, Problem> {
        let level = |index: usize, what: &str| non_negative(tokens, index, what, 209);
        let length = self.units.length;
        let initial_level = level(2, "tank initial level")? / length;
        let min_level = level(3, "tank minimum level")? / length;
        let max_level = level(4, "tank maximum level")? / length;
        let diameter = level(5, "tank diameter")? / length;
        let min_volume = if tokens.len() > 6 {
            level(6, "tank minimum volume")? / self.units.volume
        } else {
            0.0
        };
        let volume_curve: Option<CurveIdx> = match tokens.get(7) {
            Some(id) if !id.is_empty() && !id.starts_with('*') => Some(self.find_curve(id)?),
            _ => None,
        };
        let can_overflow = match tokens.get(8) {
            None => false,
            Some(word) if matches(word, "YES") => true,
            Some(word) if matches(word, "NO") => false,
            Some(word) => return Err(bad_keyword(word, "overflow YES or NO")),
        };
        Ok(Tank {
            initial_level,
            min_level,
            max_level,
            diameter,
            min_volume,
            volume_curve,
            can_overflow,
            ..Tank::default()
        })
    }

    pub(super) fn demand_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        let tokens = context.tokens;
        if tokens.len() < 2 {
            return Err(too_few("a junction ID and a base demand [pattern]"));
        }
        let base = number(tokens, 1, "base demand")? / self.units.flow;
        let node = self.find_node(tokens[0])?;
        if !matches!(self.network.nodes[node.index()].kind, NodeKind::Junction(_)) {
            self.warn(
                context,
                None,
                format!(
                    "node \"{}\" is not a junction; its demand is ignored, as in EPANET",
                    tokens[0]
                ),
            );
            return Ok(());
        }
        let pattern = self.optional_pattern(tokens.get(2))?;
        let demand = Demand {
            base,
            pattern,
            category: context.line.comment.map(str::to_string),
        };
        let replace = !self.demands_replaced[node.index()];
        self.demands_replaced[node.index()] = true;
        if let NodeKind::Junction(junction) = &mut self.network.nodes[node.index()].kind {
            // The first [DEMANDS] line for a junction replaces the demand of its
            // [JUNCTIONS] line; later ones add categories.
            if replace {
                junction.demands.clear();
            }
            junction.demands.push(demand);
        }
        Ok(())
    }

    pub(super) fn emitter_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        let tokens = context.tokens;
        if tokens.len() < 2 {
            return Err(too_few("a junction ID and an emitter coefficient"));
        }
        let node = self.find_node(tokens[0])?;
        let coefficient = non_negative(tokens, 1, "emitter coefficient", 209)?;
        // File flow = coefficient × (file pressure)^exponent, with pressure in psi (US) or
        // metres (SI): convert both sides to SI.
        let exponent = self.network.options.emitter_exponent;
        let si = coefficient * self.units.emitter_pressure.powf(exponent) / self.units.flow;
        match &mut self.network.nodes[node.index()].kind {
            NodeKind::Junction(junction) => junction.emitter_coefficient = si,
            _ => self.warn(
                context,
                None,
                "only junctions have emitters; this line is ignored, as in EPANET",
            ),
        }
        Ok(())
    }

    pub(super) fn quality_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        let tokens = context.tokens;
        match tokens.len() {
            1 => Ok(()),
            2 => {
                let node = self.find_node(tokens[0])?;
                let quality = non_negative(tokens, 1, "initial quality", 209)?;
                self.network.nodes[node.index()].initial_quality = quality;
                Ok(())
            }
            _ => {
                let quality = non_negative(tokens, 2, "initial quality", 209)?;
                let nodes = id_range(
                    self.network.nodes.iter().map(|node| node.id.as_str()),
                    tokens[0],
                    tokens[1],
                );
                for index in nodes {
                    self.network.nodes[index].initial_quality = quality;
                }
                Ok(())
            }
        }
    }

    pub(super) fn source_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        let tokens = context.tokens;
        if tokens.len() < 2 {
            return Err(too_few("a node ID, [source type,] strength [and pattern]"));
        }
        let node = self.find_node(tokens[0])?;
        const KINDS: [SourceKind; 4] = [
            SourceKind::Concen,
            SourceKind::Mass,
            SourceKind::Setpoint,
            SourceKind::Flowpaced,
        ];
        let (kind, at) = match find_keyword(tokens[1], &["CONCEN", "MASS", "SETPOINT", "FLOWPACED"])
        {
            Some(i) => (KINDS[i], 2),
            None => (SourceKind::Concen, 1),
        };
        let strength = match tokens.get(at).and_then(|t| super::text::number(t)) {
            Some(value) => value,
            None if at == 1 => {
                return Err(bad_keyword(
                    tokens[1],
                    "a source type CONCEN, MASS, SETPOINT or FLOWPACED, or a strength",
                ))
            }
            None => {
                return Err(Problem::error(
                    202,
                    format!(
                        "illegal numeric value \"{}\" for source strength: expected a number",
                        tokens.get(at).unwrap_or(&"")
                    ),
                ))
            }
        };
        let pattern = self.optional_pattern(tokens.get(at + 1))?;
        self.network.nodes[node.index()].source = Some(QualitySource {
            kind,
            strength,
            pattern,
        });
        Ok(())
    }

    pub(super) fn mixing_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        let tokens = context.tokens;
        if tokens.len() < 2 {
            return Ok(());
        }
        let node = self.find_node(tokens[0])?;
        const MODELS: [MixingModel; 4] = [
            MixingModel::Mixed,
            MixingModel::TwoCompartment,
            MixingModel::Fifo,
            MixingModel::Lifo,
        ];
        let model = find_keyword(tokens[1], &["MIXED", "2COMP", "FIFO", "LIFO"])
            .map(|i| MODELS[i])
            .ok_or_else(|| bad_keyword(tokens[1], "MIXED, 2COMP, FIFO or LIFO"))?;
        let mut fraction = 1.0;
        if model == MixingModel::TwoCompartment && tokens.len() == 3 {
            fraction = number(tokens, 2, "mixing zone fraction")?;
        }
        if fraction == 0.0 {
            fraction = 1.0;
        }
        match &mut self.network.nodes[node.index()].kind {
            NodeKind::Tank(tank) => {
                tank.mixing_model = model;
                tank.mixing_fraction = fraction;
            }
            _ => self.warn(
                context,
                None,
                "only tanks have a mixing model; this line is ignored, as in EPANET",
            ),
        }
        Ok(())
    }
}
