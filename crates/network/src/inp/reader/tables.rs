//! `[PATTERNS]` and `[CURVES]`: tables of numbers that may run over several lines.

use super::text::{find_keyword, MAX_ID_LENGTH};
use super::{number, too_few, Context, LineResult, Problem, Reader};
use crate::model::{Curve, CurveKind, Pattern};

/// Error 252 for an ID longer than EPANET allows, or `Ok`.
pub(super) fn check_id(id: &str) -> Result<(), Problem> {
    let length = id.chars().count();
    if length > MAX_ID_LENGTH {
        return Err(Problem::error(
            252,
            format!(
                "invalid ID name \"{id}\": {length} characters, at most {MAX_ID_LENGTH} allowed"
            ),
        ));
    }
    Ok(())
}

impl Reader {
    pub(super) fn pattern_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        let tokens = context.tokens;
        if tokens.len() < 2 {
            return Err(too_few("a pattern ID and one or more multipliers"));
        }
        let id = tokens[0];
        let pattern = match self.network.pattern_idx(id) {
            Some(pattern) => pattern,
            None => {
                check_id(id)?;
                let pattern = self
                    .network
                    .add_pattern(Pattern {
                        id: id.to_string(),
                        multipliers: Vec::with_capacity(24),
                    })
                    .ok_or_else(|| Problem::error(215, format!("duplicate ID \"{id}\"")))?;
                self.definitions
                    .patterns
                    .push((pattern.index(), context.index));
                pattern
            }
        };
        let mut problem = None;
        let mut values = Vec::with_capacity(tokens.len() - 1);
        for index in 1..tokens.len() {
            match number(tokens, index, "pattern multiplier") {
                Ok(value) => values.push(value),
                Err(error) => {
                    problem.get_or_insert(error);
                }
            }
        }
        self.network.patterns[pattern.index()]
            .multipliers
            .extend(values);
        problem.map_or(Ok(()), Err)
    }

    pub(super) fn curve_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        let tokens = context.tokens;
        if tokens.len() < 3 {
            return Err(too_few("a curve ID, an x value and a y value"));
        }
        let x = number(tokens, 1, "curve x value")?;
        let y = number(tokens, 2, "curve y value")?;
        let declared = tokens.get(3).and_then(|word| {
            const KINDS: [CurveKind; 6] = [
                CurveKind::Volume,
                CurveKind::Pump,
                CurveKind::Efficiency,
                CurveKind::Headloss,
                CurveKind::Generic,
                CurveKind::Valve,
            ];
            find_keyword(
                word,
                &["VOLUME", "PUMP", "EFFIC", "HEADLOSS", "GENERIC", "VALVE"],
            )
            .map(|i| KINDS[i])
        });
        let id = tokens[0];
        let curve = match self.network.curve_idx(id) {
            Some(curve) => curve,
            None => {
                check_id(id)?;
                let curve = self
                    .network
                    .add_curve(Curve {
                        id: id.to_string(),
                        kind: CurveKind::Generic,
                        points: Vec::with_capacity(4),
                    })
                    .ok_or_else(|| Problem::error(215, format!("duplicate ID \"{id}\"")))?;
                self.definitions.curves.push((curve.index(), context.index));
                self.declared_curve_kinds.push(None);
                curve
            }
        };
        self.network.curves[curve.index()].points.push((x, y));
        if declared.is_some() {
            self.declared_curve_kinds[curve.index()] = declared;
        }
        Ok(())
    }
}
