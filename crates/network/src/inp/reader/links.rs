//! `[PIPES]`, `[PUMPS]`, `[VALVES]` and the sections that add to links: `[STATUS]` and
//! `[LEAKAGE]`.

use super::sections::Section;
use super::settings::id_range;
use super::tables::check_id;
use super::text::matches;
use super::{
    bad_keyword, non_negative, number, positive, too_few, Context, LineResult, Problem, Reader,
};
use crate::model::{HeadlossFormula, InitialStatus, Link, LinkKind, Pipe, Pump, Valve, ValveType};
use crate::units::UnitSystem;

impl Reader {
    pub(super) fn link_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        match context.section {
            Section::Pipes => self.pipe_line(context),
            Section::Pumps => self.pump_line(context),
            _ => self.valve_line(context),
        }
    }

    /// Adds a link defined on the line being read: checks its end nodes (errors 203, 222),
    /// its ID (252, 215), and keeps its comment and line.
    fn add_link(&mut self, context: &Context<'_, '_>, kind: LinkKind) -> Result<usize, Problem> {
        let tokens = context.tokens;
        let from = self.find_node(tokens[1])?;
        let to = self.find_node(tokens[2])?;
        if from == to {
            return Err(Problem::error(
                222,
                format!("link \"{}\" has the same start and end node", tokens[0]),
            ));
        }
        check_id(tokens[0])?;
        let mut link = Link::new(tokens[0], from, to, kind);
        link.comment = context.line.comment.map(str::to_string);
        let index = self.network.add_link(link).ok_or_else(|| {
            Problem::error(
                215,
                format!(
                    "duplicate ID label: link \"{}\" is defined twice",
                    tokens[0]
                ),
            )
        })?;
        self.definitions.links.push((index.index(), context.index));
        Ok(index.index())
    }

    fn pipe_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        let tokens = context.tokens;
        let n = tokens.len();
        if n < 3 {
            // EPANET skips such a line without a word.
            self.warn(
                context,
                Some(201),
                "a pipe needs an ID, a start node and an end node; this line is ignored, as \
                 in EPANET",
            );
            return Ok(());
        }
        let units = self.units;
        let formula = self.network.options.headloss;
        let (length, diameter) = match units.system {
            UnitSystem::Us => (330.0, 10.0),
            UnitSystem::Si => (100.0, 254.0),
        };
        let roughness = match formula {
            HeadlossFormula::HazenWilliams => 130.0,
            HeadlossFormula::DarcyWeisbach => 0.0005,
            HeadlossFormula::ChezyManning => 0.01,
        };
        let mut pipe = Pipe {
            length,
            diameter,
            roughness,
            ..Pipe::default()
        };
        let mut status = InitialStatus::Default;
        let problem = (|| -> LineResult {
            if n > 3 {
                pipe.length = positive(tokens, 3, "pipe length", 202)?;
            }
            if n > 4 {
                pipe.diameter = positive(tokens, 4, "pipe diameter", 202)?;
            }
            if n > 5 {
                pipe.roughness = positive(tokens, 5, "pipe roughness", 202)?;
            }
            let status_word = |word: &str| {
                if matches(word, "CV") {
                    Some((true, InitialStatus::Default))
                } else if matches(word, "CLOSED") {
                    Some((false, InitialStatus::Closed))
                } else if matches(word, "OPEN") {
                    Some((false, InitialStatus::Open))
                } else {
                    None
                }
            };
            if n == 7 {
                match status_word(tokens[6]) {
                    Some((check_valve, given)) => {
                        pipe.check_valve = check_valve;
                        status = given;
                    }
                    None => pipe.minor_loss = non_negative(tokens, 6, "minor loss", 202)?,
                }
            }
            if n > 7 {
                pipe.minor_loss = non_negative(tokens, 6, "minor loss", 202)?;
                let (check_valve, given) = status_word(tokens[7])
                    .ok_or_else(|| bad_keyword(tokens[7], "pipe status OPEN, CLOSED or CV"))?;
                pipe.check_valve = check_valve;
                status = given;
            }
            Ok(())
        })();
        pipe.length /= units.length;
        pipe.diameter /= units.pipe_diameter;
        if formula == HeadlossFormula::DarcyWeisbach {
            // Darcy-Weisbach roughness is in millifeet or millimetres.
            pipe.roughness /= 1000.0 * units.length;
        }
        let index = self.add_link(context, LinkKind::Pipe(pipe))?;
        self.network.links[index].initial_status = status;
        problem
    }

    fn pump_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        let tokens = context.tokens;
        let n = tokens.len();
        if n < 3 {
            self.warn(
                context,
                Some(201),
                "a pump needs an ID, a start node and an end node; this line is ignored, as \
                 in EPANET",
            );
            return Ok(());
        }
        let mut pump = Pump {
            speed: 1.0,
            ..Pump::default()
        };
        // Keyword and value pairs: HEAD curve, POWER kw, SPEED s, PATTERN p.
        let mut problem: LineResult = Ok(());
        let mut at = 4;
        while at < n {
            let keyword = tokens[at - 1];
            let step = (|| -> LineResult {
                if matches(keyword, "POWER") {
                    pump.power = Some(positive(tokens, at, "pump power", 202)? / self.units.power);
                } else if matches(keyword, "HEAD") {
                    pump.head_curve = Some(self.find_curve(tokens[at])?);
                } else if matches(keyword, "PATT") {
                    pump.speed_pattern = Some(self.find_pattern(tokens[at])?);
                } else if matches(keyword, "SPEE") {
                    pump.speed = non_negative(tokens, at, "pump speed", 202)?;
                } else {
                    return Err(Problem::error(
                        201,
                        format!(
                            "syntax error: expected HEAD, POWER, SPEED or PATTERN, found \
                             \"{keyword}\""
                        ),
                    ));
                }
                Ok(())
            })();
            if step.is_err() {
                problem = step;
                break;
            }
            at += 2;
        }
        self.add_link(context, LinkKind::Pump(pump))?;
        problem
    }

    fn valve_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        let tokens = context.tokens;
        let n = tokens.len();
        if n < 5 {
            self.warn(
                context,
                Some(201),
                "a valve needs an ID, start and end nodes, a diameter and a type; this line \
                 is ignored, as in EPANET",
            );
            return Ok(());
        }
        // Nodes are checked before the type, as EPANET does.
        self.find_node(tokens[1])?;
        self.find_node(tokens[2])?;
        let valve_type = ValveType::ALL
            .into_iter()
            .find(|t| matches(tokens[4], t.keyword()))
            .ok_or_else(|| {
                bad_keyword(tokens[4], "valve type PRV, PSV, PBV, FCV, TCV, GPV or PCV")
            })?;
        let units = self.units;
        let mut valve = Valve {
            valve_type,
            diameter: match units.system {
                UnitSystem::Us => 10.0,
                UnitSystem::Si => 254.0,
            },
            setting: 0.0,
            minor_loss: 0.0,
            curve: None,
        };
        let problem = (|| -> LineResult {
            valve.diameter = positive(tokens, 3, "valve diameter", 202)?;
            if n > 5 {
                if valve_type == ValveType::Gpv {
                    valve.curve = Some(self.find_curve(tokens[5])?);
                } else {
                    valve.setting = number(tokens, 5, "valve setting")?;
                }
            }
            if n > 6 {
                valve.minor_loss = non_negative(tokens, 6, "minor loss", 202)?;
            }
            if n > 7 && valve_type == ValveType::Pcv {
                valve.curve = Some(self.find_curve(tokens[7])?);
                valve.setting = valve.setting.min(100.0);
            }
            Ok(())
        })();
        valve.diameter /= units.pipe_diameter;
        valve.setting = self.valve_setting_to_si(valve_type, valve.setting);
        self.add_link(context, LinkKind::Valve(valve))?;
        problem
    }

    /// A valve setting in file units converted to SI for the valve's type.
    pub(super) fn valve_setting_to_si(&self, valve_type: ValveType, setting: f64) -> f64 {
        match valve_type {
            ValveType::Prv | ValveType::Psv | ValveType::Pbv => setting / self.units.pressure,
            ValveType::Fcv => setting / self.units.flow,
            _ => setting,
        }
    }

    pub(super) fn status_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        let tokens = context.tokens;
        let n = tokens.len() - 1;
        if n < 1 {
            return Err(too_few("a link ID and OPEN, CLOSED or a setting"));
        }
        enum Given {
            Open,
            Closed,
            Setting(f64),
        }
        let given = if matches(tokens[n], "OPEN") {
            Given::Open
        } else if matches(tokens[n], "CLOSED") {
            Given::Closed
        } else {
            let value = number(tokens, n, "status setting")?;
            if value < 0.0 {
                return Err(Problem::error(
                    211,
                    format!("illegal link property value {value}: expected zero or more"),
                ));
            }
            Given::Setting(value)
        };
        let links = if n == 1 {
            let link = self.find_link(tokens[0])?;
            let kind = &self.network.links[link.index()].kind;
            let controls_cv = matches!(kind, LinkKind::Pipe(pipe) if pipe.check_valve);
            let sets_gpv = matches!(kind, LinkKind::Valve(v) if v.valve_type == ValveType::Gpv)
                && matches!(given, Given::Setting(_));
            if controls_cv || sets_gpv {
                return Err(Problem::error(
                    207,
                    format!(
                        "attempt to control CV/GPV link \"{}\": a check valve's status, or a \
                         GPV's setting, cannot be set",
                        tokens[0]
                    ),
                ));
            }
            vec![link.index()]
        } else {
            id_range(
                self.network.links.iter().map(|link| link.id.as_str()),
                tokens[0],
                tokens[1],
            )
        };
        for index in links {
            let setting_si = match (&self.network.links[index].kind, &given) {
                (LinkKind::Valve(valve), Given::Setting(value)) => {
                    Some(self.valve_setting_to_si(valve.valve_type, *value))
                }
                _ => None,
            };
            let link = &mut self.network.links[index];
            match &mut link.kind {
                LinkKind::Pipe(pipe) => {
                    if pipe.check_valve {
                        continue;
                    }
                    match given {
                        Given::Open => link.initial_status = InitialStatus::Open,
                        Given::Closed => link.initial_status = InitialStatus::Closed,
                        Given::Setting(_) => {}
                    }
                }
                LinkKind::Pump(pump) => match given {
                    Given::Open => {
                        // EPANET opens a pump at full speed.
                        pump.speed = 1.0;
                        link.initial_status = InitialStatus::Open;
                    }
                    Given::Closed => link.initial_status = InitialStatus::Closed,
                    Given::Setting(speed) => {
                        pump.speed = speed;
                        link.initial_status = if speed == 0.0 {
                            InitialStatus::Closed
                        } else {
                            InitialStatus::Open
                        };
                    }
                },
                LinkKind::Valve(valve) => match given {
                    Given::Open => link.initial_status = InitialStatus::Open,
                    Given::Closed => link.initial_status = InitialStatus::Closed,
                    Given::Setting(_) => {
                        if valve.valve_type == ValveType::Gpv {
                            continue;
                        }
                        valve.setting = setting_si.unwrap_or(valve.setting);
                        link.initial_status = InitialStatus::Active;
                    }
                },
            }
        }
        Ok(())
    }

    pub(super) fn leakage_line(&mut self, context: &Context<'_, '_>) -> LineResult {
        let tokens = context.tokens;
        if tokens.len() < 3 {
            return Err(too_few("a pipe ID, a leak area and a leak expansion"));
        }
        let link = self.find_link(tokens[0])?;
        let area = non_negative(tokens, 1, "leak area", 209)?;
        let expansion = non_negative(tokens, 2, "leak expansion", 209)?;
        match &mut self.network.links[link.index()].kind {
            LinkKind::Pipe(pipe) => {
                pipe.leak_area = area;
                pipe.leak_expansion = expansion;
            }
            _ => self.warn(
                context,
                None,
                "only pipes leak; this line is ignored, as in EPANET",
            ),
        }
        Ok(())
    }
}
