//! The stepper: EPANET's `runhyd`/`nexthyd` loop as a value the caller drives.

use crate::controls::{apply_controls, control_time_step, reset_pump_flow};
use crate::energy::{add_energy, energy_report, update_current_power, EnergyReport, PumpTotals};
use crate::error::HydraulicError;
use crate::headloss::resistance;
use crate::network_view::{LinkType, NetworkView, MISSING, QZERO};
use crate::rules::RuleEngine;
use crate::solver::gradient::{solve, SolveError};
use crate::solver::matrix::SystemMatrix;
use crate::solver::state::SolverState;
use crate::state::{
    BalanceSite, HydraulicState, HydraulicWarning, LinkChange, LinkStatus, TrialEvent, WarningKind,
};
use crate::tanks::{tank_time_step, update_tank_levels};
use crate::valve::pcv_loss_coefficient;
use danjiang_network::units::{CUBIC_METRES_PER_CUBIC_FOOT, METRES_PER_FOOT};
use danjiang_network::{LinkIdx, Network, NodeIdx};

/// An extended-period hydraulic simulation that the caller advances one hydraulic time
/// at a time with [`HydraulicSimulation::step`].
pub struct HydraulicSimulation {
    view: NetworkView,
    state: SolverState,
    matrix: SystemMatrix,
    rules: RuleEngine,
    /// Current hydraulic time, s.
    time: u64,
    /// Next reporting time the step length is shortened to, s.
    report_time: u64,
    finished: bool,
    halted: bool,
    totals: Vec<PumpTotals>,
    peak_total_kw: f64,
    /// Rule and control actions taken since the last solution, for its status report.
    actions: Vec<LinkChange>,
    output: HydraulicState,
}

impl HydraulicSimulation {
    /// Compiles the network and sets the initial conditions (EPANET's `ENopenH` and
    /// `ENinitH`).
    pub fn new(network: &Network) -> Result<HydraulicSimulation, HydraulicError> {
        let view = NetworkView::new(network)?;
        let matrix =
            SystemMatrix::new(view.nodes.junction_count, &view.links.from, &view.links.to)?;
        let rules = RuleEngine::new(network, &view)?;
        let mut state = SolverState::new(&view);
        if network.report.status == danjiang_network::StatusReport::Full {
            state.trace = Some(Vec::new());
        }
        let totals = vec![PumpTotals::default(); view.pumps.len()];
        let mut simulation = HydraulicSimulation {
            report_time: view.times.report_step,
            view,
            state,
            matrix,
            rules,
            time: 0,
            finished: false,
            halted: false,
            totals,
            peak_total_kw: 0.0,
            actions: Vec::new(),
            output: HydraulicState::default(),
        };
        simulation.initialise();
        Ok(simulation)
    }

    fn initialise(&mut self) {
        let view = &self.view;
        let state = &mut self.state;
        for (t, tank) in view.tanks.iter().enumerate() {
            state.tank_volume[t] = tank.initial_volume;
            state.head[tank.node] = tank.initial_head;
            state.node_demand[tank.node] = 0.0;
        }
        state.demand_flow.fill(0.0);
        state.emitter_flow.fill(0.0);
        state.leakage_flow.fill(0.0);
        for i in 0..view.nodes.junction_count {
            if view.nodes.emitter[i] > 0.0 {
                state.emitter_flow[i] = 1.0;
            }
        }
        for k in 0..view.links.count {
            let link_type = view.links.kind[k];
            state.status[k] = view.links.initial_status[k];
            state.setting[k] = view.links.initial_setting[k];
            if link_type.is_valve()
                && link_type != LinkType::Gpv
                && view.links.initial_status[k] != LinkStatus::Active
            {
                state.setting[k] = MISSING;
            }
            state.resistance[k] = if link_type == LinkType::Pcv {
                pcv_loss_coefficient(view, k, state.setting[k])
            } else {
                resistance(view, k)
            };
            if matches!(link_type, LinkType::Prv | LinkType::Psv | LinkType::Fcv)
                && state.setting[k] != MISSING
            {
                state.status[k] = LinkStatus::Active;
            }
            state.flow[k] = if state.status[k].is_closed() {
                QZERO
            } else if link_type == LinkType::Pump {
                let q0 = view.links.pump_of_link[k]
                    .map(|p| view.pumps[p].initial_flow)
                    .unwrap_or(0.0);
                let flow = view.links.initial_setting[k] * q0;
                if flow.abs() <= QZERO {
                    state.setting[k] * q0
                } else {
                    flow
                }
            } else {
                // A velocity of 1 ft/s, grouped as EPANET's PI * SQR(d) / 4.
                std::f64::consts::PI * (view.links.diameter[k] * view.links.diameter[k]) / 4.0
            };
        }
        self.time = 0;
        self.report_time = view.times.report_step;
        self.finished = false;
        self.halted = false;
        self.peak_total_kw = 0.0;
        for t in &mut self.totals {
            *t = PumpTotals::default();
        }
    }

    /// The current hydraulic time, s.
    pub fn time(&self) -> u64 {
        self.time
    }

    /// True once the last hydraulic time has been solved.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Whether the run was halted early because a solution did not converge under
    /// `UNBALANCED STOP`.
    pub fn was_halted(&self) -> bool {
        self.halted
    }

    /// Solves the current hydraulic time and returns its state, then advances to the next
    /// hydraulic time. Returns `None` when the run is over.
    pub fn step(&mut self) -> Result<Option<&HydraulicState>, HydraulicError> {
        if self.finished {
            return Ok(None);
        }
        let time = self.time;
        self.update_demands(time);
        apply_controls(&self.view, &mut self.state, time, &mut self.actions);
        if let Some(trace) = self.state.trace.as_mut() {
            trace.clear();
        }
        let report = match solve(&self.view, &mut self.state, &mut self.matrix) {
            Ok(report) => report,
            Err(SolveError::IllConditioned(node)) => {
                self.finished = true;
                return Err(HydraulicError::IllConditioned {
                    time,
                    node: self.view.nodes.id.get(node).cloned().unwrap_or_default(),
                });
            }
        };
        let converged = report.relative_error <= self.view.options.accuracy;
        if !converged && self.view.options.extra_trials == -1 {
            self.halted = true;
        }
        let warnings = self.warnings(time, converged);
        self.write_output(
            time,
            report.iterations,
            report.relative_error,
            converged,
            warnings,
        );

        // EPANET's nexthyd.
        update_current_power(&self.view, &self.state, &mut self.totals);
        let duration = self.view.times.duration;
        let mut step = 0;
        if !self.halted && time < duration {
            step = self.time_step(time);
        }
        let energy_time = if self.halted { duration } else { time };
        add_energy(
            &self.view,
            &self.state,
            &mut self.totals,
            energy_time,
            step,
            &mut self.peak_total_kw,
        );
        self.output.step_length = step;
        if !self.halted && time < duration {
            self.time = time + step;
            if self.time >= self.report_time {
                self.report_time += self.view.times.report_step;
            }
        } else {
            self.finished = true;
        }
        Ok(Some(&self.output))
    }

    /// Sets demands, reservoir heads and pump speeds from their patterns (EPANET's
    /// `demands`).
    fn update_demands(&mut self, time: u64) {
        let view = &self.view;
        let state = &mut self.state;
        let period = (time + view.times.pattern_start) / view.times.pattern_step;
        for i in 0..view.nodes.junction_count {
            let mut sum = 0.0;
            for d in view.nodes.demand_start[i]..view.nodes.demand_start[i + 1] {
                let multiplier = match view.nodes.demand_pattern[d].or(view.default_pattern) {
                    Some(pattern) => view.pattern_value(pattern, period),
                    None => 1.0,
                };
                sum += view.nodes.demand_base[d] * multiplier * view.options.demand_multiplier;
            }
            state.full_demand[i] = sum;
            state.demand_flow[i] = sum;
        }
        for tank in &view.tanks {
            if tank.area == 0.0 {
                if let Some(pattern) = tank.head_pattern {
                    state.head[tank.node] =
                        view.nodes.elevation[tank.node] * view.pattern_value(pattern, period);
                }
            }
        }
        for pump in &view.pumps {
            if let Some(pattern) = pump.speed_pattern {
                let value = view.pattern_value(pattern, period);
                set_pump_speed(view, state, pump.link, value);
            }
        }
    }

    /// The length of the next step, updating tank levels (EPANET's `timestep`).
    fn time_step(&mut self, time: u64) -> u64 {
        let view = &self.view;
        let mut step = view.times.hydraulic_step;
        let next_period = (time + view.times.pattern_start) / view.times.pattern_step + 1;
        let to_pattern = (next_period * view.times.pattern_step) as i64 - time as i64;
        if to_pattern > 0 && (to_pattern as u64) < step {
            step = to_pattern as u64;
        }
        let to_report = self.report_time as i64 - time as i64;
        if to_report > 0 && (to_report as u64) < step {
            step = to_report as u64;
        }
        tank_time_step(view, &self.state, &mut step);
        control_time_step(view, &self.state, time, &mut step);
        if self.rules.is_empty() {
            update_tank_levels(view, &mut self.state, step);
        } else {
            step = self
                .rules
                .rule_time_step(view, &mut self.state, time, step, &mut self.actions);
        }
        step
    }

    fn warnings(&self, time: u64, converged: bool) -> Vec<HydraulicWarning> {
        let mut warnings = Vec::new();
        if !converged {
            warnings.push(HydraulicWarning {
                time,
                kind: WarningKind::Unbalanced,
            });
        }
        let mut pumps = Vec::new();
        let mut valves = Vec::new();
        for k in 0..self.view.links.count {
            match self.state.status[k] {
                LinkStatus::ExceedsHead | LinkStatus::ExceedsFlow
                    if self.view.links.kind[k] == LinkType::Pump =>
                {
                    pumps.push(k)
                }
                LinkStatus::FcvCannotDeliver | LinkStatus::CannotDeliverPressure => valves.push(k),
                _ => {}
            }
        }
        if !pumps.is_empty() {
            warnings.push(HydraulicWarning {
                time,
                kind: WarningKind::PumpsCannotDeliver(pumps),
            });
        }
        if !valves.is_empty() {
            warnings.push(HydraulicWarning {
                time,
                kind: WarningKind::ValvesCannotDeliver(valves),
            });
        }
        let negative = (0..self.view.nodes.junction_count).any(|i| {
            self.state.full_demand[i] > 0.0 && self.state.head[i] < self.view.nodes.elevation[i]
        });
        if negative {
            warnings.push(HydraulicWarning {
                time,
                kind: WarningKind::NegativePressures,
            });
        }
        warnings
    }

    fn write_output(
        &mut self,
        time: u64,
        iterations: u32,
        relative_error: f64,
        converged: bool,
        warnings: Vec<HydraulicWarning>,
    ) {
        let view = &self.view;
        let state = &self.state;
        let n = view.nodes.count;
        let m = view.links.count;
        let out = &mut self.output;
        out.time = time;
        out.step_length = 0;
        out.iterations = iterations;
        out.relative_error = relative_error;
        out.converged = converged;
        out.warnings = warnings;
        out.actions.clear();
        out.actions.append(&mut self.actions);
        out.trials.clear();
        if let Some(trace) = &state.trace {
            out.trials
                .extend(trace.iter().map(|event| trial_in_si(view, event)));
        }
        out.node_head.resize(n, 0.0);
        out.node_pressure.resize(n, 0.0);
        out.node_demand.resize(n, 0.0);
        out.tank_volume.resize(n, 0.0);
        out.emitter_flow.resize(n, 0.0);
        out.leakage_flow.resize(n, 0.0);
        out.node_full_demand.resize(n, 0.0);
        out.tank_volume.fill(0.0);
        let cubic = METRES_PER_FOOT * METRES_PER_FOOT * METRES_PER_FOOT;
        for internal in 0..n {
            let model = view.nodes.model_index[internal];
            let head = state.head[internal];
            out.node_head[model] = head * METRES_PER_FOOT;
            out.node_pressure[model] = (head - view.nodes.elevation[internal]) * METRES_PER_FOOT;
            out.node_demand[model] = state.node_demand[internal] * CUBIC_METRES_PER_CUBIC_FOOT;
            out.emitter_flow[model] = state.emitter_flow[internal] * CUBIC_METRES_PER_CUBIC_FOOT;
            out.leakage_flow[model] = state.leakage_flow[internal] * CUBIC_METRES_PER_CUBIC_FOOT;
            out.node_full_demand[model] = if internal < view.nodes.junction_count {
                state.full_demand[internal] * CUBIC_METRES_PER_CUBIC_FOOT
            } else {
                0.0
            };
        }
        for (t, tank) in view.tanks.iter().enumerate() {
            if tank.area > 0.0 {
                out.tank_volume[view.nodes.model_index[tank.node]] = state.tank_volume[t] * cubic;
            }
        }
        out.link_flow.resize(m, 0.0);
        out.link_status.resize(m, LinkStatus::Open);
        out.link_setting.resize(m, 0.0);
        for k in 0..m {
            let status = state.status[k];
            out.link_status[k] = status;
            out.link_flow[k] = if status.is_closed() {
                0.0
            } else {
                state.flow[k] * CUBIC_METRES_PER_CUBIC_FOOT
            };
            let setting = state.setting[k];
            out.link_setting[k] = if setting == MISSING {
                f64::NAN
            } else {
                match view.links.kind[k] {
                    LinkType::Pipe | LinkType::CheckValvePipe => {
                        if view.options.formula == danjiang_network::HeadlossFormula::DarcyWeisbach
                        {
                            setting * METRES_PER_FOOT
                        } else {
                            setting
                        }
                    }
                    LinkType::Prv | LinkType::Psv | LinkType::Pbv => setting * METRES_PER_FOOT,
                    LinkType::Fcv => setting * CUBIC_METRES_PER_CUBIC_FOOT,
                    LinkType::Gpv => 0.0,
                    _ => setting,
                }
            };
        }
    }

    /// The latest state returned by [`HydraulicSimulation::step`].
    pub fn state(&self) -> &HydraulicState {
        &self.output
    }

    /// The energy report so far (complete once the run is finished).
    pub fn energy(&self) -> EnergyReport {
        energy_report(&self.view, &self.totals, self.peak_total_kw)
    }

    /// Opens or closes a link from the next step on (EPANET's `EN_STATUS`).
    pub fn set_link_status(&mut self, link: LinkIdx, open: bool) -> Result<(), HydraulicError> {
        let k = link.index();
        if k >= self.view.links.count {
            return Err(HydraulicError::InvalidArgument(format!(
                "no link number {k}"
            )));
        }
        let link_type = self.view.links.kind[k];
        if link_type == LinkType::CheckValvePipe {
            return Err(HydraulicError::InvalidArgument(
                "the status of a check valve pipe cannot be set".into(),
            ));
        }
        let state = &mut self.state;
        if open {
            if link_type == LinkType::Pump {
                state.setting[k] = 1.0;
                if state.status[k] == LinkStatus::Closed {
                    reset_pump_flow(&self.view, state, k);
                }
            }
            if link_type.is_valve() && link_type != LinkType::Gpv {
                state.setting[k] = MISSING;
            }
            state.status[k] = LinkStatus::Open;
        } else {
            if link_type == LinkType::Pump {
                state.setting[k] = 0.0;
            }
            if link_type.is_valve() && link_type != LinkType::Gpv {
                state.setting[k] = MISSING;
            }
            state.status[k] = LinkStatus::Closed;
        }
        Ok(())
    }

    /// Sets a pump's speed or a valve's setting (SI units for the valve type: m of head
    /// for PRV/PSV/PBV, m³/s for FCV, loss coefficient for TCV, percent open for PCV)
    /// from the next step on (EPANET's `EN_SETTING`).
    pub fn set_link_setting(&mut self, link: LinkIdx, value: f64) -> Result<(), HydraulicError> {
        let k = link.index();
        if k >= self.view.links.count || !value.is_finite() {
            return Err(HydraulicError::InvalidArgument(format!(
                "no link number {k} or setting {value} is not a number"
            )));
        }
        let view = &self.view;
        let state = &mut self.state;
        match view.links.kind[k] {
            LinkType::Pipe | LinkType::CheckValvePipe => {
                return Err(HydraulicError::InvalidArgument(
                    "a pipe has no setting to change".into(),
                ))
            }
            LinkType::Pump => {
                if value < 0.0 {
                    return Err(HydraulicError::InvalidArgument(
                        "pump speed cannot be negative".into(),
                    ));
                }
                set_pump_speed(view, state, k, value);
            }
            other => {
                let internal = match other {
                    LinkType::Prv | LinkType::Psv | LinkType::Pbv => value / METRES_PER_FOOT,
                    LinkType::Fcv => value / CUBIC_METRES_PER_CUBIC_FOOT,
                    _ => value,
                };
                if other == LinkType::Fcv {
                    state.setting[k] = internal;
                    state.status[k] = LinkStatus::Active;
                } else {
                    if state.setting[k] == MISSING && state.status[k].is_closed() {
                        state.status[k] = LinkStatus::Open;
                    }
                    if other == LinkType::Pcv {
                        state.resistance[k] = pcv_loss_coefficient(view, k, internal);
                    }
                    state.setting[k] = internal;
                }
            }
        }
        Ok(())
    }

    /// Changes the demand multiplier from the next step on.
    pub fn set_demand_multiplier(&mut self, multiplier: f64) -> Result<(), HydraulicError> {
        if !multiplier.is_finite() {
            return Err(HydraulicError::InvalidArgument(
                "demand multiplier is not a number".into(),
            ));
        }
        self.view.options.demand_multiplier = multiplier;
        Ok(())
    }

    /// The volume of a tank now, m³ (zero for other nodes).
    pub fn tank_volume(&self, node: NodeIdx) -> f64 {
        let internal = match self.view.nodes.internal_index.get(node.index()) {
            Some(&i) => i,
            None => return 0.0,
        };
        match self.view.tank_of_node(internal) {
            Some(t) if self.view.tanks[t].area > 0.0 => {
                self.state.tank_volume[t] * METRES_PER_FOOT * METRES_PER_FOOT * METRES_PER_FOOT
            }
            _ => 0.0,
        }
    }
}

/// Sets a pump's speed as EPANET's `setlinksetting` does: a positive speed opens a
/// closed pump, zero closes it.
fn set_pump_speed(view: &NetworkView, state: &mut SolverState, k: usize, value: f64) {
    state.setting[k] = value;
    if value > 0.0 && state.status[k].is_closed() {
        reset_pump_flow(view, state, k);
        state.status[k] = LinkStatus::Open;
    }
    if value == 0.0 && !state.status[k].is_closed() {
        state.status[k] = LinkStatus::Closed;
    }
}

/// A trial event in SI units and model indices (the solver records ft, ft³/s and its own
/// node numbers).
fn trial_in_si(view: &NetworkView, event: &TrialEvent) -> TrialEvent {
    match *event {
        TrialEvent::SettingChange { link, setting } => TrialEvent::SettingChange {
            link,
            setting: match view.links.kind[link] {
                LinkType::Prv | LinkType::Psv | LinkType::Pbv => setting * METRES_PER_FOOT,
                LinkType::Fcv => setting * CUBIC_METRES_PER_CUBIC_FOOT,
                _ => setting,
            },
        },
        TrialEvent::Balance {
            max_flow_change,
            flow_change_at,
            max_head_error,
            head_error_link,
        } => TrialEvent::Balance {
            max_flow_change: max_flow_change * CUBIC_METRES_PER_CUBIC_FOOT,
            flow_change_at: match flow_change_at {
                BalanceSite::Node(i) => BalanceSite::Node(view.nodes.model_index[i]),
                site => site,
            },
            max_head_error: max_head_error * METRES_PER_FOOT,
            head_error_link,
        },
        other => other,
    }
}
