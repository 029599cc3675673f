//! `[RULES]`: rule-based controls, read clause by clause.

use super::controls::text_number;
use super::text::{find_keyword, hours, Lines};
use super::{too_few, Context, Problem, Reader};
use crate::model::{
    LinkAction, LinkKind, NodeKind, Premise, PremiseLogic, PremiseValue, Relation, Rule,
    RuleAction, RuleAttribute, RuleObject, ValveType,
};

const CLAUSES: [&str; 8] = [
    "RULE", "IF", "AND", "OR", "THEN", "ELSE", "PRIO", "DISABLED",
];
const ATTRIBUTES: [&str; 13] = [
    "DEMAND",
    "HEAD",
    "GRADE",
    "LEVEL",
    "PRESSURE",
    "FLOW",
    "STATUS",
    "SETTING",
    "POWER",
    "TIME",
    "CLOCKTIME",
    "FILLTIME",
    "DRAINTIME",
];
const ATTRIBUTE_VALUES: [RuleAttribute; 13] = [
    RuleAttribute::Demand,
    RuleAttribute::Head,
    RuleAttribute::Grade,
    RuleAttribute::Level,
    RuleAttribute::Pressure,
    RuleAttribute::Flow,
    RuleAttribute::Status,
    RuleAttribute::Setting,
    RuleAttribute::Power,
    RuleAttribute::Time,
    RuleAttribute::ClockTime,
    RuleAttribute::FillTime,
    RuleAttribute::DrainTime,
];
const OBJECTS: [&str; 9] = [
    "Junc", "Reser", "Tank", "Pipe", "Pump", "Valve", "NODE", "LINK", "SYSTEM",
];
/// Relations in EPANET's order of testing (`<=` before `<`).
const RELATIONS: [&str; 10] = [
    "=", "<>", "<=", ">=", "<", ">", "IS", "NOT", "BELOW", "ABOVE",
];
const RELATION_VALUES: [Relation; 10] = [
    Relation::Equal,
    Relation::NotEqual,
    Relation::BelowOrEqual,
    Relation::AboveOrEqual,
    Relation::Below,
    Relation::Above,
    Relation::Equal,
    Relation::NotEqual,
    Relation::Below,
    Relation::Above,
];

/// Where a rule is in its clauses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// After `RULE`: an `IF` comes next.
    Rule,
    /// In the premises.
    If,
    /// In the `THEN` actions.
    Then,
    /// In the `ELSE` actions.
    Else,
    /// After `PRIORITY`.
    Priority,
    /// The rule had an error: its lines are skipped until the next `RULE`.
    Skipping,
}

impl Reader {
    pub(super) fn read_rules(&mut self, lines: &Lines<'_>, indices: &[usize]) {
        // The rule being read and the index of its RULE line.
        let mut rule: Option<(Rule, usize)> = None;
        let mut state = State::Skipping;
        let mut seen_rule = false;
        for &index in indices {
            let line = &lines.lines[index];
            let context = Context {
                line,
                tokens: lines.tokens(line),
                index,
                section: super::Section::Rules,
            };
            let clause = find_keyword(context.tokens[0], &CLAUSES);
            if clause == Some(0) {
                if let Some((done, start)) = rule.take() {
                    self.push_rule(done, lines, start);
                }
                seen_rule = true;
                if context.tokens.len() != 2 {
                    self.push(
                        line,
                        Some(context.section),
                        Problem::error(201, "syntax error: expected RULE and the rule's ID"),
                    );
                    state = State::Skipping;
                    continue;
                }
                rule = Some((
                    Rule {
                        id: context.tokens[1].to_string(),
                        premises: Vec::new(),
                        then_actions: Vec::new(),
                        else_actions: Vec::new(),
                        priority: None,
                        enabled: true,
                    },
                    index,
                ));
                state = State::Rule;
                continue;
            }
            if state == State::Skipping {
                if !seen_rule {
                    seen_rule = true;
                    self.push(
                        line,
                        Some(context.section),
                        Problem::error(221, "mis-placed rule clause: expected RULE first"),
                    );
                }
                continue;
            }
            let Some((current, _)) = rule.as_mut() else {
                continue;
            };
            match self.rule_clause(&context, clause, state, current) {
                Ok(next) => state = next,
                Err(problem) => {
                    self.push(line, Some(context.section), problem);
                    rule = None;
                    state = State::Skipping;
                }
            }
        }
        if let Some((done, start)) = rule.take() {
            self.push_rule(done, lines, start);
        }
    }

    fn push_rule(&mut self, rule: Rule, lines: &Lines<'_>, start: usize) {
        if rule.premises.is_empty() || rule.then_actions.is_empty() {
            let line = &lines.lines[start];
            let missing = if rule.premises.is_empty() {
                "IF clause"
            } else {
                "THEN clause"
            };
            self.push(
                line,
                Some(super::Section::Rules),
                Problem::warning(
                    None,
                    format!("rule \"{}\" has no {missing} and never acts", rule.id),
                ),
            );
        }
        self.definitions.rules.push(start);
        self.network.rules.push(rule);
    }

    fn rule_clause(
        &mut self,
        context: &Context<'_, '_>,
        clause: Option<usize>,
        state: State,
        rule: &mut Rule,
    ) -> Result<State, Problem> {
        let misplaced = |word: &str, expected: &str| {
            Problem::error(
                221,
                format!("mis-placed rule clause {word}: expected {expected}"),
            )
        };
        let word = context.tokens[0];
        match clause {
            Some(1) => {
                if state != State::Rule {
                    return Err(misplaced(word, "IF only right after RULE"));
                }
                rule.premises.push(self.premise(context, PremiseLogic::If)?);
                Ok(State::If)
            }
            Some(2) => match state {
                State::If => {
                    rule.premises
                        .push(self.premise(context, PremiseLogic::And)?);
                    Ok(State::If)
                }
                State::Then => {
                    rule.then_actions.push(self.rule_action(context)?);
                    Ok(State::Then)
                }
                State::Else => {
                    rule.else_actions.push(self.rule_action(context)?);
                    Ok(State::Else)
                }
                _ => Err(misplaced(word, "AND after IF, THEN or ELSE")),
            },
            Some(3) => {
                if state != State::If {
                    return Err(misplaced(word, "OR only among the premises"));
                }
                rule.premises.push(self.premise(context, PremiseLogic::Or)?);
                Ok(State::If)
            }
            Some(4) => {
                if state != State::If {
                    return Err(misplaced(word, "THEN after the premises"));
                }
                rule.then_actions.push(self.rule_action(context)?);
                Ok(State::Then)
            }
            Some(5) => {
                if state != State::Then {
                    return Err(misplaced(word, "ELSE after the THEN actions"));
                }
                rule.else_actions.push(self.rule_action(context)?);
                Ok(State::Else)
            }
            Some(6) => {
                if state != State::Then && state != State::Else {
                    return Err(misplaced(word, "PRIORITY after the actions"));
                }
                let token = context.tokens.get(1).copied().unwrap_or("");
                rule.priority = Some(text_number(token, "rule priority")?);
                Ok(State::Priority)
            }
            Some(7) => {
                if !matches!(state, State::Then | State::Else | State::Priority) {
                    return Err(misplaced(word, "DISABLED after the actions"));
                }
                rule.enabled = false;
                Ok(state)
            }
            _ => Err(Problem::error(
                201,
                format!(
                    "syntax error: \"{word}\" is not a rule clause (RULE, IF, AND, OR, THEN, \
                     ELSE, PRIORITY)"
                ),
            )),
        }
    }

    /// `IF|AND|OR object id attribute relation value [units]`, or
    /// `IF|AND|OR SYSTEM attribute relation value [units]`.
    fn premise(&self, context: &Context<'_, '_>, logic: PremiseLogic) -> Result<Premise, Problem> {
        let tokens = context.tokens;
        let n = tokens.len();
        if n != 5 && n != 6 {
            return Err(Problem::error(
                201,
                "syntax error: a premise is object, ID, attribute, relation and value \
                 (or SYSTEM, attribute, relation and value)",
            ));
        }
        let syntax = |what: String| Problem::error(201, format!("syntax error: {what}"));
        let object_kind = find_keyword(tokens[1], &OBJECTS)
            .ok_or_else(|| syntax(format!("unknown object \"{}\"", tokens[1])))?;
        let (object, attribute, relation_at) = if object_kind == 8 {
            let attribute = find_keyword(tokens[2], &ATTRIBUTES)
                .map(|i| ATTRIBUTE_VALUES[i])
                .filter(|a| {
                    matches!(
                        a,
                        RuleAttribute::Demand | RuleAttribute::Time | RuleAttribute::ClockTime
                    )
                })
                .ok_or_else(|| {
                    syntax(format!(
                        "SYSTEM has DEMAND, TIME or CLOCKTIME, not \"{}\"",
                        tokens[2]
                    ))
                })?;
            (RuleObject::System, attribute, 3)
        } else {
            let attribute = find_keyword(tokens[3], &ATTRIBUTES)
                .map(|i| ATTRIBUTE_VALUES[i])
                .ok_or_else(|| syntax(format!("unknown attribute \"{}\"", tokens[3])))?;
            if object_kind <= 2 || object_kind == 6 {
                let node = self.find_node(tokens[2])?;
                let is_junction =
                    matches!(self.network.nodes[node.index()].kind, NodeKind::Junction(_));
                let allowed = match attribute {
                    RuleAttribute::Demand
                    | RuleAttribute::Head
                    | RuleAttribute::Grade
                    | RuleAttribute::Level
                    | RuleAttribute::Pressure => true,
                    RuleAttribute::FillTime | RuleAttribute::DrainTime => !is_junction,
                    _ => false,
                };
                if !allowed {
                    return Err(syntax(format!(
                        "a node has no attribute \"{}\" here",
                        tokens[3]
                    )));
                }
                (RuleObject::Node(node), attribute, 4)
            } else {
                let link = self.find_link(tokens[2])?;
                if !matches!(
                    attribute,
                    RuleAttribute::Flow | RuleAttribute::Status | RuleAttribute::Setting
                ) {
                    return Err(syntax(format!(
                        "a link has FLOW, STATUS or SETTING, not \"{}\"",
                        tokens[3]
                    )));
                }
                (RuleObject::Link(link), attribute, 4)
            }
        };
        let relation = find_keyword(tokens[relation_at], &RELATIONS)
            .map(|i| RELATION_VALUES[i])
            .ok_or_else(|| {
                syntax(format!(
                    "unknown relation \"{}\" (=, <>, <, >, <=, >=, IS, NOT, BELOW, ABOVE)",
                    tokens[relation_at]
                ))
            })?;
        let value_at = relation_at + 1;
        let value = match attribute {
            RuleAttribute::Time | RuleAttribute::ClockTime => {
                let units = tokens.get(value_at + 1).copied().unwrap_or("");
                let time = hours(tokens[value_at], units)
                    .filter(|h| *h >= 0.0)
                    .ok_or_else(|| {
                        Problem::error(
                            202,
                            format!(
                                "illegal numeric value \"{}\" for a time: expected hours, \
                                 hh:mm[:ss] or a clock time with AM or PM",
                                tokens[value_at]
                            ),
                        )
                    })?;
                PremiseValue::Number(time * 3600.0)
            }
            _ => match status_word(tokens[n - 1]) {
                Some(status) => PremiseValue::Status(status),
                None => {
                    let raw = text_number(tokens[n - 1], "premise value")?;
                    PremiseValue::Number(self.premise_to_si(object, attribute, raw))
                }
            },
        };
        Ok(Premise {
            logic,
            object,
            attribute,
            relation,
            value,
        })
    }

    fn premise_to_si(&self, object: RuleObject, attribute: RuleAttribute, raw: f64) -> f64 {
        let units = self.units;
        match attribute {
            RuleAttribute::Demand | RuleAttribute::Flow => raw / units.flow,
            RuleAttribute::Head | RuleAttribute::Grade | RuleAttribute::Level => raw / units.length,
            RuleAttribute::Pressure => raw / units.pressure,
            RuleAttribute::FillTime | RuleAttribute::DrainTime => raw * 3600.0,
            RuleAttribute::Power => raw / units.power,
            RuleAttribute::Setting => match object {
                RuleObject::Link(link) => match &self.network.links[link.index()].kind {
                    LinkKind::Valve(valve) => self.valve_setting_to_si(valve.valve_type, raw),
                    _ => raw,
                },
                _ => raw,
            },
            _ => raw,
        }
    }

    /// `THEN|AND|ELSE object id STATUS|SETTING IS|= value`.
    fn rule_action(&self, context: &Context<'_, '_>) -> Result<RuleAction, Problem> {
        let tokens = context.tokens;
        if tokens.len() != 6 {
            return Err(too_few(
                "an action: THEN LINK id STATUS IS OPEN, or THEN LINK id SETTING IS value",
            ));
        }
        let link = self.find_link(tokens[2])?;
        let kind = &self.network.links[link.index()].kind;
        if matches!(kind, LinkKind::Pipe(pipe) if pipe.check_valve) {
            return Err(Problem::error(
                207,
                format!(
                    "attempt to control CV/GPV link \"{}\": a check valve cannot be controlled",
                    tokens[2]
                ),
            ));
        }
        let action = match status_word(tokens[5]) {
            Some(status) => status,
            None => {
                let setting = text_number(tokens[5], "action setting")?;
                if setting < 0.0 {
                    return Err(Problem::error(
                        202,
                        format!("illegal numeric value {setting}: a setting cannot be negative"),
                    ));
                }
                match kind {
                    LinkKind::Valve(valve) if valve.valve_type == ValveType::Gpv => {
                        return Err(Problem::error(
                            202,
                            "illegal numeric value: a GPV has no numeric setting",
                        ))
                    }
                    LinkKind::Pipe(_) if setting == 0.0 => LinkAction::Closed,
                    LinkKind::Pipe(_) => LinkAction::Open,
                    LinkKind::Valve(valve) => {
                        LinkAction::Setting(self.valve_setting_to_si(valve.valve_type, setting))
                    }
                    LinkKind::Pump(_) => LinkAction::Setting(setting),
                }
            }
        };
        Ok(RuleAction { link, action })
    }
}

/// `OPEN`, `CLOSED` or `ACTIVE` as a link status.
fn status_word(word: &str) -> Option<LinkAction> {
    match find_keyword(word, &["OPEN", "CLOSED", "ACTIVE"]) {
        Some(0) => Some(LinkAction::Open),
        Some(1) => Some(LinkAction::Closed),
        Some(2) => Some(LinkAction::Active),
        _ => None,
    }
}
