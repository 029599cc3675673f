//! Simple controls (`[CONTROLS]`) and rule-based controls (`[RULES]`).

use super::{LinkIdx, NodeIdx};
use serde::{Deserialize, Serialize};

/// What a control or rule action does to a link.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkAction {
    /// Open the link.
    Open,
    /// Close the link.
    Closed,
    /// Make a valve active at its setting (rules only).
    Active,
    /// Set a pump's speed or a valve's setting, in SI units for the link's type.
    Setting(f64),
}

/// A simple control: one condition, one action on one link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Control {
    /// The link acted on.
    pub link: LinkIdx,
    /// What is done to it.
    pub action: LinkAction,
    /// When it is done.
    pub condition: ControlCondition,
    /// Disabled controls are kept but never act (EPANET 2.2+ `ENABLED` flag).
    pub enabled: bool,
}

/// The condition of a simple control.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlCondition {
    /// The node's level (tank) or pressure head (junction), m, rises above the value.
    NodeAbove {
        /// The node watched.
        node: NodeIdx,
        /// Threshold: tank level or pressure head, m.
        value: f64,
    },
    /// The node's level or pressure head, m, falls below the value.
    NodeBelow {
        /// The node watched.
        node: NodeIdx,
        /// Threshold: tank level or pressure head, m.
        value: f64,
    },
    /// At this many seconds of elapsed simulation time.
    AtTime {
        /// Elapsed time, s.
        seconds: u64,
    },
    /// At this time of day, every day.
    AtClockTime {
        /// Seconds after midnight (0..86400).
        seconds: u64,
    },
}

/// A rule-based control of `[RULES]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// Rule label.
    pub id: String,
    /// Premises; the first one's `logic` is ignored (it is the `IF`).
    pub premises: Vec<Premise>,
    /// Actions when the premises hold.
    pub then_actions: Vec<RuleAction>,
    /// Actions when they do not.
    pub else_actions: Vec<RuleAction>,
    /// Priority; higher wins when rules conflict. `None` when not given.
    pub priority: Option<f64>,
    /// Disabled rules are kept but never act.
    pub enabled: bool,
}

/// How a premise joins the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum PremiseLogic {
    /// The first premise.
    If,
    /// Both must hold.
    And,
    /// Either may hold.
    Or,
}

/// What a premise looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleObject {
    /// A node (`NODE`, `JUNCTION`, `RESERVOIR` or `TANK`).
    Node(NodeIdx),
    /// A link (`LINK`, `PIPE`, `PUMP` or `VALVE`).
    Link(LinkIdx),
    /// The system clock (`SYSTEM`).
    System,
}

/// The attribute a premise compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RuleAttribute {
    /// Node demand, m³/s.
    Demand,
    /// Node hydraulic head, m.
    Head,
    /// Node hydraulic head (`GRADE` is a synonym of `HEAD`), m.
    Grade,
    /// Tank level, m.
    Level,
    /// Node pressure head, m.
    Pressure,
    /// Link flow, m³/s.
    Flow,
    /// Link status.
    Status,
    /// Pump speed or valve setting, SI units for the link's type.
    Setting,
    /// Pump power, kW.
    Power,
    /// Elapsed simulation time, s.
    Time,
    /// Time of day, s after midnight.
    ClockTime,
    /// Time for a tank to fill, s.
    FillTime,
    /// Time for a tank to drain, s.
    DrainTime,
}

/// The comparison of a premise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// `=` or `IS`.
    Equal,
    /// `<>` or `NOT`.
    NotEqual,
    /// `<` or `BELOW`.
    Below,
    /// `>` or `ABOVE`.
    Above,
    /// `<=`.
    BelowOrEqual,
    /// `>=`.
    AboveOrEqual,
}

/// The value a premise compares against.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PremiseValue {
    /// A number in SI units for the attribute (times in seconds).
    Number(f64),
    /// A link status: `OPEN`, `CLOSED` or `ACTIVE`.
    Status(LinkAction),
}

/// One premise of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Premise {
    /// How it joins the premises before it.
    pub logic: PremiseLogic,
    /// What it looks at.
    pub object: RuleObject,
    /// Which attribute.
    pub attribute: RuleAttribute,
    /// The comparison.
    pub relation: Relation,
    /// The value compared against.
    pub value: PremiseValue,
}

/// One action of a rule: a link's status or setting.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RuleAction {
    /// The link acted on.
    pub link: LinkIdx,
    /// What is done to it.
    pub action: LinkAction,
}
