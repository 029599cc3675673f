//! Gate movements from SWMM [CONTROLS] rules: premises on time, levels, flows and settings;
//! actions that set a gate's target opening, which the gate then travels to at its own rate.

use serde::{Deserialize, Serialize};

/// One rule: IF premises THEN actions ELSE actions, with a priority.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rule {
    /// Its name.
    pub id: String,
    /// Premises, joined by AND or OR in order.
    pub premises: Vec<(Join, Premise)>,
    /// Actions when the premises hold.
    pub then_actions: Vec<Action>,
    /// Actions when they do not.
    pub else_actions: Vec<Action>,
    /// Priority (higher wins when two rules set one link).
    pub priority: f64,
    /// The RULE line.
    pub line: usize,
}

/// How a premise joins the ones before it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub enum Join {
    /// The first premise.
    If,
    /// Both.
    And,
    /// Either.
    Or,
}

/// What a premise looks at.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Subject {
    /// Elapsed simulated time, s.
    Time,
    /// Water depth at a node, m.
    NodeDepth(usize),
    /// Water level (head) at a node, m.
    NodeHead(usize),
    /// Flow in a link, m³/s.
    LinkFlow(usize),
    /// A link's current setting.
    LinkSetting(usize),
}

/// A comparison.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub enum Comparison {
    /// =
    Equal,
    /// <>
    NotEqual,
    /// <
    Less,
    /// <=
    LessOrEqual,
    /// >
    Greater,
    /// >=
    GreaterOrEqual,
}

/// A premise: subject compared with a value (in the subject's SI unit).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Premise {
    /// What is looked at.
    pub subject: Subject,
    /// How.
    pub comparison: Comparison,
    /// Against what.
    pub value: f64,
}

/// An action: set a link's target setting.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Action {
    /// The link.
    pub link: usize,
    /// The target setting (fraction open).
    pub setting: f64,
}

/// What rules read from the running canal.
pub trait ControlState {
    /// Water depth at node `node`, m.
    fn node_depth(&self, node: usize) -> f64;
    /// Water level at node `node`, m.
    fn node_head(&self, node: usize) -> f64;
    /// Flow in link `link`, m³/s.
    fn link_flow(&self, link: usize) -> f64;
    /// Current setting of link `link`.
    fn link_setting(&self, link: usize) -> f64;
}

impl Comparison {
    fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Comparison::Equal => (left - right).abs() < 1e-9,
            Comparison::NotEqual => (left - right).abs() >= 1e-9,
            Comparison::Less => left < right,
            Comparison::LessOrEqual => left <= right,
            Comparison::Greater => left > right,
            Comparison::GreaterOrEqual => left >= right,
        }
    }
}

impl Rule {
    fn premise_holds(&self, time_s: f64, state: &dyn ControlState) -> bool {
        let mut result = true;
        for (join, premise) in &self.premises {
            let value = match premise.subject {
                Subject::Time => time_s,
                Subject::NodeDepth(node) => state.node_depth(node),
                Subject::NodeHead(node) => state.node_head(node),
                Subject::LinkFlow(link) => state.link_flow(link),
                Subject::LinkSetting(link) => state.link_setting(link),
            };
            let holds = premise.comparison.holds(value, premise.value);
            result = match join {
                Join::If => holds,
                Join::And => result && holds,
                Join::Or => result || holds,
            };
        }
        result
    }
}

/// Target settings the rules give at time `time_s`: (link, setting), one per link, the rule of
/// highest priority winning (the earlier one on a tie).
pub fn evaluate(rules: &[Rule], time_s: f64, state: &dyn ControlState) -> Vec<(usize, f64)> {
    let mut chosen: Vec<(usize, f64, f64)> = Vec::new();
    for rule in rules {
        let actions = if rule.premise_holds(time_s, state) {
            &rule.then_actions
        } else {
            &rule.else_actions
        };
        for action in actions {
            match chosen.iter_mut().find(|c| c.0 == action.link) {
                Some(existing) if rule.priority > existing.2 => {
                    *existing = (action.link, action.setting, rule.priority)
                }
                Some(_) => {}
                None => chosen.push((action.link, action.setting, rule.priority)),
            }
        }
    }
    chosen
        .into_iter()
        .map(|(link, setting, _)| (link, setting))
        .collect()
}
