//! Rule-based controls (`[RULES]`), evaluated every rule time step between hydraulic
//! times with tank levels advanced in between, with EPANET's priorities and tolerances
//! (EPANET's `rules.c` and `ruletimestep`).
//!
//! Premises compare in the file's units with EPANET's tolerance of 0.001, so values are
//! converted back to those units before comparing.

use crate::controls::reset_pump_flow;
use crate::error::HydraulicError;
use crate::network_view::{LinkType, NetworkView, MISSING, TINY};
use crate::solver::state::SolverState;
use crate::state::{ActionCause, LinkChange, LinkStatus};
use crate::tanks::update_tank_levels;
use danjiang_network::{
    LinkAction, Network, PremiseLogic, PremiseValue, Relation, RuleAttribute, RuleObject,
};

const SECONDS_PER_DAY: u64 = 86_400;
const TOLERANCE: f64 = 1.0e-3;

/// Factors from EPANET's internal units (ft, cfs) to the file's units.
#[derive(Debug, Clone, Copy)]
struct FileUnits {
    head: f64,
    pressure: f64,
    flow: f64,
}

#[derive(Debug, Clone)]
struct CompiledPremise {
    logic: PremiseLogic,
    object: RuleObject,
    attribute: RuleAttribute,
    relation: Relation,
    /// Number in file units (times in seconds), or a status.
    value: f64,
    status: Option<StatusValue>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusValue {
    Open,
    Closed,
    Active,
}

#[derive(Debug, Clone, Copy)]
struct CompiledAction {
    link: usize,
    status: Option<StatusValue>,
    /// Setting in EPANET's internal units, or MISSING.
    setting: f64,
}

#[derive(Debug, Clone)]
struct CompiledRule {
    premises: Vec<CompiledPremise>,
    then_actions: Vec<CompiledAction>,
    else_actions: Vec<CompiledAction>,
    priority: f64,
    enabled: bool,
}

/// The rules of a network, ready to evaluate.
#[derive(Debug, Clone, Default)]
pub(crate) struct RuleEngine {
    rules: Vec<CompiledRule>,
    units: Option<FileUnits>,
    /// Action list reused between checks: (rule, action).
    pending: Vec<(usize, CompiledAction)>,
}

impl RuleEngine {
    pub(crate) fn new(network: &Network, view: &NetworkView) -> Result<RuleEngine, HydraulicError> {
        // EPANET's own factors; premises compare in the file's numbers, recovered
        // exactly from the model's SI values.
        let epanet = &view.units;
        let units = FileUnits {
            head: epanet.head,
            pressure: epanet.pressure,
            flow: epanet.flow,
        };
        let mut rules = Vec::with_capacity(network.rules.len());
        for rule in &network.rules {
            let mut premises = Vec::with_capacity(rule.premises.len());
            for premise in &rule.premises {
                premises.push(compile_premise(network, view, &rule.id, premise)?);
            }
            rules.push(CompiledRule {
                premises,
                then_actions: compile_actions(network, view, &rule.id, &rule.then_actions)?,
                else_actions: compile_actions(network, view, &rule.id, &rule.else_actions)?,
                priority: rule.priority.unwrap_or(0.0),
                enabled: rule.enabled,
            });
        }
        Ok(RuleEngine {
            rules,
            units: Some(units),
            pending: Vec::new(),
        })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Steps through the interval `time..time+step` by the rule time step, advancing tank
    /// levels, until a rule acts; returns the shortened step (EPANET's `ruletimestep`).
    pub(crate) fn rule_time_step(
        &mut self,
        view: &NetworkView,
        state: &mut SolverState,
        time: u64,
        step: u64,
        actions: &mut Vec<LinkChange>,
    ) -> u64 {
        let end = time + step;
        let rule_step = view.times.rule_step;
        let mut dt = rule_step.min(step);
        let mut dt1 = (rule_step - time % rule_step).min(step);
        if dt1 == 0 {
            dt1 = dt;
        }
        let mut now = time;
        loop {
            now += dt1;
            update_tank_levels(view, state, dt1);
            if self.check_rules(view, state, now, dt1, actions) > 0 {
                break;
            }
            dt = dt.min(end - now);
            dt1 = dt;
            if dt == 0 {
                break;
            }
        }
        now - time
    }

    /// Evaluates every rule at `now` (the interval since the last check is `dt`) and
    /// takes the winning actions; returns how many changed a link.
    fn check_rules(
        &mut self,
        view: &NetworkView,
        state: &mut SolverState,
        now: u64,
        dt: u64,
        actions: &mut Vec<LinkChange>,
    ) -> usize {
        let interval_start = (now + 1).saturating_sub(dt);
        self.pending.clear();
        for r in 0..self.rules.len() {
            let rule = &self.rules[r];
            if !rule.enabled {
                continue;
            }
            let holds = self.premises_hold(view, state, r, now, interval_start);
            let rule = &self.rules[r];
            let actions = if holds {
                &rule.then_actions
            } else {
                &rule.else_actions
            };
            for &action in actions {
                // One action per link: a higher priority rule replaces an earlier one.
                match self.pending.iter_mut().find(|(_, a)| a.link == action.link) {
                    Some(entry) => {
                        if rule.priority > self.rules[entry.0].priority {
                            *entry = (r, action);
                        }
                    }
                    None => self.pending.push((r, action)),
                }
            }
        }
        let mut count = 0;
        // EPANET keeps its action list newest first.
        for index in (0..self.pending.len()).rev() {
            let (rule, action) = self.pending[index];
            if take_action(view, state, action) {
                actions.push(LinkChange {
                    time: now,
                    link: action.link,
                    cause: ActionCause::Rule(rule),
                });
                count += 1;
            }
        }
        count
    }

    fn premises_hold(
        &self,
        view: &NetworkView,
        state: &SolverState,
        r: usize,
        now: u64,
        interval_start: u64,
    ) -> bool {
        let mut result = true;
        for premise in &self.rules[r].premises {
            if premise.logic == PremiseLogic::Or {
                if !result {
                    result = self.premise_holds(view, state, premise, now, interval_start);
                }
            } else {
                if !result {
                    return false;
                }
                result = self.premise_holds(view, state, premise, now, interval_start);
            }
        }
        result
    }

    fn premise_holds(
        &self,
        view: &NetworkView,
        state: &SolverState,
        premise: &CompiledPremise,
        now: u64,
        interval_start: u64,
    ) -> bool {
        match premise.attribute {
            RuleAttribute::Time | RuleAttribute::ClockTime => {
                check_time(view, premise, now, interval_start)
            }
            _ if premise.status.is_some() => check_status(state, premise),
            _ => self.check_value(view, state, premise),
        }
    }

    fn check_value(
        &self,
        view: &NetworkView,
        state: &SolverState,
        premise: &CompiledPremise,
    ) -> bool {
        let Some(units) = self.units else {
            return false;
        };
        let x = match (premise.attribute, premise.object) {
            (RuleAttribute::Demand, RuleObject::System) => {
                let mut total = 0.0;
                for i in 0..view.nodes.junction_count {
                    // EPANET's system demand sums the positive demands asked for.
                    if state.full_demand[i] > 0.0 {
                        total += state.full_demand[i];
                    }
                }
                total * units.flow
            }
            (RuleAttribute::Demand, RuleObject::Node(n)) => {
                state.node_demand[n.index()] * units.flow
            }
            (RuleAttribute::Head | RuleAttribute::Grade, RuleObject::Node(n)) => {
                state.head[n.index()] * units.head
            }
            (RuleAttribute::Pressure, RuleObject::Node(n)) => {
                (state.head[n.index()] - view.nodes.elevation[n.index()]) * units.pressure
            }
            (RuleAttribute::Level, RuleObject::Node(n)) => {
                (state.head[n.index()] - view.nodes.elevation[n.index()]) * units.head
            }
            (RuleAttribute::Flow, RuleObject::Link(l)) => state.flow[l.index()].abs() * units.flow,
            (RuleAttribute::Setting, RuleObject::Link(l)) => {
                let k = l.index();
                if state.setting[k] == MISSING {
                    return false;
                }
                let x = state.setting[k];
                match view.links.kind[k] {
                    LinkType::Prv | LinkType::Psv | LinkType::Pbv => x * units.pressure,
                    LinkType::Fcv => x * units.flow,
                    _ => x,
                }
            }
            (RuleAttribute::FillTime, RuleObject::Node(n)) => {
                let i = n.index();
                let Some(t) = view.tank_of_node(i) else {
                    return false;
                };
                if view.tanks[t].area == 0.0 || state.node_demand[i] <= TINY {
                    return false;
                }
                (view.tanks[t].max_volume - state.tank_volume[t]) / state.node_demand[i]
            }
            (RuleAttribute::DrainTime, RuleObject::Node(n)) => {
                let i = n.index();
                let Some(t) = view.tank_of_node(i) else {
                    return false;
                };
                if view.tanks[t].area == 0.0 || state.node_demand[i] >= -TINY {
                    return false;
                }
                (view.tanks[t].min_volume - state.tank_volume[t]) / state.node_demand[i]
            }
            _ => return false,
        };
        let value = premise.value;
        match premise.relation {
            Relation::Equal => (x - value).abs() <= TOLERANCE,
            Relation::NotEqual => (x - value).abs() >= TOLERANCE,
            Relation::Below => x <= value + TOLERANCE,
            Relation::BelowOrEqual => x <= value - TOLERANCE,
            Relation::Above => x >= value - TOLERANCE,
            Relation::AboveOrEqual => x >= value + TOLERANCE,
        }
    }
}

fn check_time(
    view: &NetworkView,
    premise: &CompiledPremise,
    now: u64,
    interval_start: u64,
) -> bool {
    let (t1, t2) = if premise.attribute == RuleAttribute::Time {
        (interval_start as i64, now as i64)
    } else {
        (
            ((interval_start + view.times.start_clock_time) % SECONDS_PER_DAY) as i64,
            ((now + view.times.start_clock_time) % SECONDS_PER_DAY) as i64,
        )
    };
    let x = premise.value as i64;
    match premise.relation {
        Relation::Below => t2 < x,
        Relation::BelowOrEqual => t2 <= x,
        Relation::Above => t2 > x,
        Relation::AboveOrEqual => t2 >= x,
        Relation::Equal | Relation::NotEqual => {
            let inside = if t2 < t1 {
                x >= t1 || x <= t2
            } else {
                x >= t1 && x <= t2
            };
            if premise.relation == Relation::Equal {
                inside
            } else {
                !inside
            }
        }
    }
}

fn check_status(state: &SolverState, premise: &CompiledPremise) -> bool {
    let RuleObject::Link(l) = premise.object else {
        return false;
    };
    let Some(expected) = premise.status else {
        return false;
    };
    let status = state.status[l.index()];
    let actual = if status.is_closed() {
        StatusValue::Closed
    } else if status == LinkStatus::Active {
        StatusValue::Active
    } else {
        StatusValue::Open
    };
    match premise.relation {
        Relation::Equal => actual == expected,
        Relation::NotEqual => actual != expected,
        _ => false,
    }
}

/// Applies one rule action as EPANET's `takeactions` does; true if the link changed.
fn take_action(view: &NetworkView, state: &mut SolverState, action: CompiledAction) -> bool {
    let k = action.link;
    let link_type = view.links.kind[k];
    let status = state.status[k];
    let setting = state.setting[k];
    if action.status == Some(StatusValue::Open) && status.is_closed() {
        if link_type == LinkType::Pump {
            state.setting[k] = 1.0;
            if status == LinkStatus::Closed {
                reset_pump_flow(view, state, k);
            }
        }
        if link_type.is_valve() && link_type != LinkType::Gpv {
            state.setting[k] = MISSING;
        }
        state.status[k] = LinkStatus::Open;
        true
    } else if action.status == Some(StatusValue::Closed) && !status.is_closed() {
        if link_type == LinkType::Pump {
            state.setting[k] = 0.0;
        }
        if link_type.is_valve() && link_type != LinkType::Gpv {
            state.setting[k] = MISSING;
        }
        state.status[k] = LinkStatus::Closed;
        true
    } else if action.setting != MISSING {
        let x = action.setting;
        if (x - setting).abs() > TOLERANCE {
            match link_type {
                LinkType::Pump => {
                    state.setting[k] = x;
                    if x > 0.0 && state.status[k].is_closed() {
                        reset_pump_flow(view, state, k);
                        state.status[k] = LinkStatus::Open;
                    }
                    if x == 0.0 && !state.status[k].is_closed() {
                        state.status[k] = LinkStatus::Closed;
                    }
                }
                LinkType::Fcv => {
                    state.setting[k] = x;
                    state.status[k] = LinkStatus::Active;
                }
                _ => {
                    if state.setting[k] == MISSING && state.status[k].is_closed() {
                        state.status[k] = LinkStatus::Open;
                    }
                    if link_type == LinkType::Pcv {
                        state.resistance[k] = crate::valve::pcv_loss_coefficient(view, k, x);
                    }
                    state.setting[k] = x;
                }
            }
            true
        } else {
            false
        }
    } else {
        false
    }
}

/// A premise with its node in internal numbering and its number in the file's units.
fn compile_premise(
    network: &Network,
    view: &NetworkView,
    rule_id: &str,
    premise: &danjiang_network::Premise,
) -> Result<CompiledPremise, HydraulicError> {
    let node_count = network.nodes.len();
    let link_count = network.links.len();
    let epanet = &view.units;
    let object = match premise.object {
        RuleObject::Node(n) if n.index() < node_count => RuleObject::Node(
            danjiang_network::NodeIdx::from_index(view.nodes.internal_index[n.index()]),
        ),
        RuleObject::Link(l) if l.index() < link_count => premise.object,
        RuleObject::System => premise.object,
        _ => {
            return Err(HydraulicError::InvalidModel(format!(
                "rule {} names an element that does not exist",
                rule_id
            )))
        }
    };
    let (value, status) = match premise.value {
        PremiseValue::Number(x) => {
            let file_value = match premise.attribute {
                RuleAttribute::Demand | RuleAttribute::Flow => epanet.file_flow(x),
                RuleAttribute::Head | RuleAttribute::Grade | RuleAttribute::Level => {
                    epanet.file_length(x)
                }
                RuleAttribute::Pressure => epanet.file_pressure(x),
                RuleAttribute::Setting => match object {
                    RuleObject::Link(l) => match view.links.kind[l.index()] {
                        LinkType::Prv | LinkType::Psv | LinkType::Pbv => epanet.file_pressure(x),
                        LinkType::Fcv => epanet.file_flow(x),
                        _ => x,
                    },
                    _ => x,
                },
                _ => x,
            };
            (file_value, None)
        }
        PremiseValue::Status(action) => (
            0.0,
            Some(match action {
                LinkAction::Closed => StatusValue::Closed,
                LinkAction::Active => StatusValue::Active,
                _ => StatusValue::Open,
            }),
        ),
    };
    Ok(CompiledPremise {
        logic: premise.logic,
        object,
        attribute: premise.attribute,
        relation: premise.relation,
        value,
        status,
    })
}

/// A rule's actions with settings in EPANET's units.
fn compile_actions(
    network: &Network,
    view: &NetworkView,
    rule_id: &str,
    actions: &[danjiang_network::RuleAction],
) -> Result<Vec<CompiledAction>, HydraulicError> {
    let link_count = network.links.len();
    let mut out = Vec::with_capacity(actions.len());
    for action in actions {
        let k = action.link.index();
        if k >= link_count {
            return Err(HydraulicError::InvalidModel(format!(
                "rule {} acts on a link that does not exist",
                rule_id
            )));
        }
        let link_type = view.links.kind[k];
        let (status, setting) = match action.action {
            LinkAction::Open => (Some(StatusValue::Open), MISSING),
            LinkAction::Closed => (Some(StatusValue::Closed), MISSING),
            LinkAction::Active => (Some(StatusValue::Active), MISSING),
            LinkAction::Setting(x) => match link_type {
                LinkType::Pipe | LinkType::CheckValvePipe => {
                    if x == 0.0 {
                        (Some(StatusValue::Closed), MISSING)
                    } else {
                        (Some(StatusValue::Open), MISSING)
                    }
                }
                LinkType::Prv | LinkType::Psv | LinkType::Pbv => {
                    (None, view.units.pressure_feet(x))
                }
                LinkType::Fcv => (None, view.units.cfs(x)),
                _ => (None, x),
            },
        };
        out.push(CompiledAction {
            link: k,
            status,
            setting,
        });
    }
    Ok(out)
}
