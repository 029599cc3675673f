//! `[TITLE]`, `[TAGS]` and the map sections: `[COORDINATES]`, `[VERTICES]`, `[LABELS]`,
//! `[BACKDROP]`. EPANET does not compute with the map, so it skips bad map lines silently;
//! here they are warnings.

use super::text::{matches, number as parse_number};
use super::{too_few, Context, LineResult, Problem, Reader};
use crate::model::Label;

impl Reader {
    pub(super) fn title_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        self.network
            .title
            .push(context.line.text.trim().to_string());
        Ok(())
    }

    pub(super) fn tag_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        let tokens = context.tokens;
        if tokens.len() < 3 {
            return Err(too_few("NODE or LINK, an ID and a tag"));
        }
        let tag = Some(tokens[2].to_string());
        if matches(tokens[0], "NODE") {
            let node = self.find_node(tokens[1])?;
            self.network.nodes[node.index()].tag = tag;
        } else if matches(tokens[0], "LINK") {
            let link = self.find_link(tokens[1])?;
            self.network.links[link.index()].tag = tag;
        } else {
            self.warn(
                context,
                None,
                format!(
                    "expected NODE or LINK, found \"{}\"; line ignored",
                    tokens[0]
                ),
            );
        }
        Ok(())
    }

    /// Two numbers from a map line, or a warning.
    fn map_point(&self, tokens: &[&str], at: usize) -> Result<(f64, f64), Problem> {
        let x = tokens.get(at).and_then(|t| parse_number(t));
        let y = tokens.get(at + 1).and_then(|t| parse_number(t));
        match (x, y) {
            (Some(x), Some(y)) => Ok((x, y)),
            _ => Err(Problem::warning(
                None,
                "expected map coordinates x and y; line ignored",
            )),
        }
    }

    pub(super) fn coordinate_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        let tokens = context.tokens;
        let point = self.map_point(tokens, 1)?;
        let node = self.network.node_idx(tokens[0]).ok_or_else(|| {
            Problem::warning(
                Some(203),
                format!("undefined node \"{}\"; coordinates ignored", tokens[0]),
            )
        })?;
        self.network.nodes[node.index()].coordinates = Some(point);
        Ok(())
    }

    pub(super) fn vertex_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        let tokens = context.tokens;
        let point = self.map_point(tokens, 1)?;
        let link = self.network.link_idx(tokens[0]).ok_or_else(|| {
            Problem::warning(
                Some(204),
                format!("undefined link \"{}\"; vertex ignored", tokens[0]),
            )
        })?;
        self.network.links[link.index()].vertices.push(point);
        Ok(())
    }

    pub(super) fn label_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        let tokens = context.tokens;
        let (x, y) = self.map_point(tokens, 0)?;
        let text = tokens.get(2).copied().unwrap_or("").to_string();
        let anchor_node = tokens.get(3).map(|id| id.to_string());
        self.network.labels.push(Label {
            x,
            y,
            text,
            anchor_node,
        });
        Ok(())
    }

    pub(super) fn backdrop_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        let tokens = context.tokens;
        let backdrop = &mut self.network.backdrop;
        let numbers: Vec<f64> = tokens[1..].iter().filter_map(|t| parse_number(t)).collect();
        if matches(tokens[0], "DIMENSIONS") {
            if let [x1, y1, x2, y2] = numbers[..] {
                backdrop.dimensions = Some([x1, y1, x2, y2]);
                return Ok(());
            }
        } else if matches(tokens[0], "UNITS") {
            if let Some(units) = tokens.get(1) {
                backdrop.units = Some(units.to_string());
                return Ok(());
            }
        } else if matches(tokens[0], "FILE") {
            backdrop.file = Some(tokens.get(1).copied().unwrap_or("").to_string());
            return Ok(());
        } else if matches(tokens[0], "OFFSET") {
            if let [x, y] = numbers[..] {
                backdrop.offset = Some([x, y]);
                return Ok(());
            }
        }
        Err(Problem::warning(
            None,
            "expected DIMENSIONS x1 y1 x2 y2, UNITS u, FILE name or OFFSET x y; line ignored",
        ))
    }
}
