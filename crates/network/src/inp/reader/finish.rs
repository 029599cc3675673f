//! What can only be done once every section is read: the trace node, each curve's kind
//! (its use decides the units of its points) and the wall reaction coefficients (their
//! units depend on the wall order).

use super::text::Lines;
use super::{Problem, Reader};
use crate::model::{CurveIdx, CurveKind, LinkKind, NodeKind, QualityAnalysis, ValveType};

impl Reader {
    pub(super) fn resolve_trace_node(&mut self, lines: &Lines<'_>) {
        let Some((id, index)) = self.pending.trace_node.take() else {
            return;
        };
        match self.network.node_idx(&id) {
            Some(node) => self.network.options.quality = QualityAnalysis::Trace { node },
            None => {
                let line = &lines.lines[index];
                self.push(
                    line,
                    Some(super::Section::Options),
                    Problem::error(212, format!("undefined trace node \"{id}\"")),
                );
            }
        }
    }

    pub(super) fn finish(&mut self, lines: &Lines<'_>) {
        self.settle_curve_kinds(lines);
        self.convert_wall_coefficients();
    }

    /// Gives each curve the kind its use implies, falling back on the kind its lines
    /// declare, and converts its points to SI for that kind.
    fn settle_curve_kinds(&mut self, lines: &Lines<'_>) {
        let count = self.network.curves.len();
        let mut uses: Vec<Option<CurveKind>> = vec![None; count];
        let mut conflicts: Vec<(CurveIdx, CurveKind, CurveKind)> = Vec::new();
        let mut record = |curve: Option<CurveIdx>, kind: CurveKind| {
            if let Some(curve) = curve {
                if let Some(slot) = uses.get_mut(curve.index()) {
                    match slot {
                        None => *slot = Some(kind),
                        Some(existing) if *existing != kind => {
                            conflicts.push((curve, *existing, kind))
                        }
                        Some(_) => {}
                    }
                }
            }
        };
        for node in &self.network.nodes {
            if let NodeKind::Tank(tank) = &node.kind {
                record(tank.volume_curve, CurveKind::Volume);
            }
        }
        for link in &self.network.links {
            match &link.kind {
                LinkKind::Pump(pump) => {
                    record(pump.head_curve, CurveKind::Pump);
                    record(pump.efficiency_curve, CurveKind::Efficiency);
                }
                LinkKind::Valve(valve) => match valve.valve_type {
                    ValveType::Gpv => record(valve.curve, CurveKind::Headloss),
                    ValveType::Pcv => record(valve.curve, CurveKind::Valve),
                    _ => {}
                },
                LinkKind::Pipe(_) => {}
            }
        }
        let units = self.units;
        for (index, curve) in self.network.curves.iter_mut().enumerate() {
            let kind = uses[index]
                .or(self.declared_curve_kinds.get(index).copied().flatten())
                .unwrap_or(CurveKind::Generic);
            curve.kind = kind;
            let (x_factor, y_factor) = match kind {
                CurveKind::Pump | CurveKind::Headloss => (units.flow, units.length),
                CurveKind::Efficiency => (units.flow, 1.0),
                CurveKind::Volume => (units.length, units.volume),
                CurveKind::Valve | CurveKind::Generic => (1.0, 1.0),
            };
            for point in &mut curve.points {
                point.0 /= x_factor;
                point.1 /= y_factor;
            }
        }
        for (curve, first, second) in conflicts {
            let id = self.network.curves[curve.index()].id.clone();
            let line_index = self
                .definitions
                .curves
                .iter()
                .find(|(c, _)| *c == curve.index())
                .map(|(_, line)| *line);
            if let Some(line_index) = line_index {
                let line = &lines.lines[line_index];
                self.push(
                    line,
                    Some(super::Section::Curves),
                    Problem::warning(
                        None,
                        format!(
                            "curve \"{id}\" is used both as a {first:?} curve and as a \
                             {second:?} curve; its points are read as a {first:?} curve"
                        ),
                    ),
                );
            }
        }
    }

    /// Wall coefficients are ft/day or m/day for first-order wall reactions and mass per
    /// ft² or m² per day for zero order; the model keeps metres.
    fn convert_wall_coefficients(&mut self) {
        let length = self.units.length;
        let factor = if self.network.reactions.wall_order == 0.0 {
            length * length
        } else {
            1.0 / length
        };
        self.network.reactions.global_wall *= factor;
        for link in &mut self.network.links {
            if let LinkKind::Pipe(pipe) = &mut link.kind {
                if let Some(wall) = pipe.wall_coefficient.as_mut() {
                    *wall *= factor;
                }
            }
        }
    }
}
