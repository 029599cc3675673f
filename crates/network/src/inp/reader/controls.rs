//! `[CONTROLS]`: simple controls.

use super::text::{hours, matches};
use super::{bad_keyword, number, too_few, Context, LineResult, Problem, Reader};
use crate::model::{Control, ControlCondition, LinkAction, LinkIdx, LinkKind, NodeKind, ValveType};

impl Reader {
    /// `LINK id status IF NODE id ABOVE|BELOW value`, `LINK id status AT TIME t` or
    /// `LINK id status AT CLOCKTIME t [AM|PM]`, optionally ending in `DISABLED`.
    pub(super) fn control_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        let mut tokens = context.tokens;
        if tokens.len() < 6 {
            return Err(too_few(
                "LINK id status IF NODE id ABOVE/BELOW value, or LINK id status AT TIME t",
            ));
        }
        let mut enabled = true;
        if matches(tokens[tokens.len() - 1], "DISABLED") {
            enabled = false;
            tokens = &tokens[..tokens.len() - 1];
        }
        let n = tokens.len();
        let link = self.find_link(tokens[1])?;
        let action = self.link_action(link, tokens[1], tokens[2])?;
        let condition = if matches(tokens[4], "TIME") || matches(tokens[4], "CLOCKTIME") {
            let clock = matches(tokens[4], "CLOCKTIME");
            let units = if n >= 7 { tokens[6] } else { "" };
            let time = hours(tokens[5], units)
                .filter(|h| *h >= 0.0 && h.is_finite())
                .ok_or_else(|| {
                    bad_keyword(
                        tokens[5],
                        "a time in hours, hh:mm[:ss], or a clock time with AM or PM",
                    )
                })?;
            // EPANET truncates control times to whole seconds.
            let seconds = (3600.0 * time) as u64;
            if clock {
                ControlCondition::AtClockTime {
                    seconds: seconds % 86_400,
                }
            } else {
                ControlCondition::AtTime { seconds }
            }
        } else {
            if n < 8 {
                return Err(too_few("LINK id status IF NODE id ABOVE/BELOW value"));
            }
            let node = self.find_node(tokens[5])?;
            let above = if matches(tokens[6], "BELOW") {
                false
            } else if matches(tokens[6], "ABOVE") {
                true
            } else {
                return Err(bad_keyword(tokens[6], "ABOVE or BELOW"));
            };
            let raw = number(tokens, 7, "control level or pressure")?;
            // A junction's threshold is a pressure, a tank's or reservoir's a level.
            let value = match self.network.nodes[node.index()].kind {
                NodeKind::Junction(_) => raw / self.units.pressure,
                _ => raw / self.units.length,
            };
            if above {
                ControlCondition::NodeAbove { node, value }
            } else {
                ControlCondition::NodeBelow { node, value }
            }
        };
        self.definitions.controls.push(context.index);
        self.network.controls.push(Control {
            link,
            action,
            condition,
            enabled,
        });
        Ok(())
    }

    /// The action of a control on a link: `OPEN`, `CLOSED` or a setting in file units.
    fn link_action(&self, link: LinkIdx, id: &str, word: &str) -> Result<LinkAction, Problem> {
        let kind = &self.network.links[link.index()].kind;
        let cannot_control = |what: &str| {
            Problem::error(
                207,
                format!("attempt to control CV/GPV link \"{id}\": {what}"),
            )
        };
        if matches!(kind, LinkKind::Pipe(pipe) if pipe.check_valve) {
            return Err(cannot_control("a check valve cannot be controlled"));
        }
        if matches(word, "OPEN") {
            return Ok(LinkAction::Open);
        }
        if matches(word, "CLOSED") {
            return Ok(LinkAction::Closed);
        }
        if matches!(kind, LinkKind::Valve(v) if v.valve_type == ValveType::Gpv) {
            return Err(cannot_control("a GPV can only be opened or closed"));
        }
        let setting = text_number(word, "control setting")?;
        Ok(match kind {
            LinkKind::Pipe(_) | LinkKind::Pump(_) => {
                if setting < 0.0 {
                    return Err(Problem::error(
                        211,
                        format!("illegal link property value {setting}: expected zero or more"),
                    ));
                }
                match kind {
                    _ if setting == 0.0 => LinkAction::Closed,
                    LinkKind::Pipe(_) => LinkAction::Open,
                    _ => LinkAction::Setting(setting),
                }
            }
            LinkKind::Valve(valve) => {
                LinkAction::Setting(self.valve_setting_to_si(valve.valve_type, setting))
            }
        })
    }
}

/// A single token as a number, or error 202.
pub(super) fn text_number(token: &str, what: &str) -> Result<f64, Problem> {
    number(&[token], 0, what)
}
