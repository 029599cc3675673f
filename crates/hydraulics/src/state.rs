//! What a hydraulic step produces: heads, flows, demands and statuses of one time.

use serde::{Deserialize, Serialize};

/// A link's (or tank's) hydraulic status, with EPANET's codes and order.
///
/// The order matters: EPANET treats every status at or below [`LinkStatus::Closed`] as
/// closed, and the binary output file stores [`LinkStatus::code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[repr(u8)]
pub enum LinkStatus {
    /// A pump that cannot deliver the head asked of it (closed).
    ExceedsHead = 0,
    /// Closed for now (check valve, link to a full or empty tank, constant-power pump).
    TemporarilyClosed = 1,
    /// Closed.
    Closed = 2,
    /// Open.
    Open = 3,
    /// A control valve controlling (partly open).
    Active = 4,
    /// A pump beyond its largest flow.
    ExceedsFlow = 5,
    /// A flow control valve that cannot deliver its flow (open).
    FcvCannotDeliver = 6,
    /// A pressure valve that cannot deliver its pressure (open).
    CannotDeliverPressure = 7,
    /// Tank filling.
    Filling = 8,
    /// Tank emptying.
    Emptying = 9,
    /// Tank overflowing.
    Overflowing = 10,
}

impl LinkStatus {
    /// EPANET's numeric code (as written to the binary output file).
    pub fn code(self) -> u8 {
        self as u8
    }

    /// True for every closed status (EPANET's `status <= CLOSED`).
    pub fn is_closed(self) -> bool {
        self <= LinkStatus::Closed
    }
}

/// A condition EPANET reports as a warning, at the time it occurred.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HydraulicWarning {
    /// Simulation time, s.
    pub time: u64,
    /// What happened.
    pub kind: WarningKind,
}

/// The warnings EPANET 2.3 gives after a hydraulic solution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WarningKind {
    /// WARNING 1: the system is unbalanced (no convergence within the trials).
    Unbalanced,
    /// WARNING 2: the system may be hydraulically unstable (status cycling).
    Unstable,
    /// WARNING 3: the system is disconnected (nodes with demand but no supply).
    Disconnected,
    /// WARNING 4: pumps cannot deliver head or flow (link IDs).
    PumpsCannotDeliver(Vec<usize>),
    /// WARNING 5: valves cannot deliver flow or pressure (link indices).
    ValvesCannotDeliver(Vec<usize>),
    /// WARNING 6: negative pressures at junctions with demand.
    NegativePressures,
}

/// What made a control or rule change a link, as EPANET's status report names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ActionCause {
    /// A simple control on the level of a tank or reservoir (its model node index).
    LevelControl {
        /// Model index of the controlling node.
        node: usize,
    },
    /// A simple control on the clock (`AT TIME` or `AT CLOCKTIME`).
    TimerControl,
    /// A rule-based control (its index in the network's rules).
    Rule(usize),
}

/// A link changed by a control or a rule before a hydraulic solution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkChange {
    /// Simulation time of the change, s.
    pub time: u64,
    /// Model index of the link changed.
    pub link: usize,
    /// The control or rule that changed it.
    pub cause: ActionCause,
}

/// One line of the trials of a hydraulic time, as EPANET's full status report
/// (`[REPORT] STATUS FULL`) gives them. Links and nodes are model indices.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum TrialEvent {
    /// A trial ended with this relative flow change (sum |dq| / sum |q|).
    Trial {
        /// Trial number, from 1.
        number: u32,
        /// Relative flow change of the trial.
        relative_flow_change: f64,
    },
    /// A link's status changed during the trials.
    StatusChange {
        /// The link.
        link: usize,
        /// Status before.
        from: LinkStatus,
        /// Status after.
        to: LinkStatus,
    },
    /// A pressure control changed a link's setting but not its status: pump relative
    /// speed; PRV/PSV/PBV pressure head (m); FCV flow (m³/s); other valves as given.
    SettingChange {
        /// The link.
        link: usize,
        /// The new setting.
        setting: f64,
    },
    /// An active control valve made the equations ill-conditioned; its status was fixed.
    IllConditionedValve {
        /// The valve.
        link: usize,
    },
    /// Once a trial meets the accuracy: the largest flow change (m³/s), where it happened,
    /// and the largest head loss error (m) with its link.
    Balance {
        /// Largest flow change of the trial, m³/s.
        max_flow_change: f64,
        /// The link or node (emitter, pressure-driven demand, leakage) of that change.
        flow_change_at: BalanceSite,
        /// Largest difference between a link's head loss and its end heads, m.
        max_head_error: f64,
        /// The link of that error.
        head_error_link: usize,
    },
}

/// Where the largest flow change of a trial happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BalanceSite {
    /// In a link's flow.
    Link(usize),
    /// In a node's emitter, pressure-driven demand or leakage flow.
    Node(usize),
}

/// The hydraulic solution at one time, in SI units and in the model's element order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HydraulicState {
    /// Time since the start of the simulation, s.
    pub time: u64,
    /// Time until the next hydraulic time, s (0 at the last).
    pub step_length: u64,
    /// Hydraulic head of each node, m.
    pub node_head: Vec<f64>,
    /// What EPANET reports as demand, m³/s: at junctions the consumer demand delivered plus
    /// emitter and leakage outflow; at tanks and reservoirs the net inflow (positive when
    /// water flows into the node from the network, as EPANET signs it).
    pub node_demand: Vec<f64>,
    /// Pressure head of each node (head minus elevation), m.
    pub node_pressure: Vec<f64>,
    /// Flow in each link, m³/s (zero for closed links, as EPANET reports).
    pub link_flow: Vec<f64>,
    /// Status of each link.
    pub link_status: Vec<LinkStatus>,
    /// Setting of each link as EPANET reports it: pump relative speed; PRV/PSV/PBV pressure
    /// head (m); FCV flow (m³/s); TCV loss coefficient; PCV percent open; pipe roughness as
    /// in the model; `f64::NAN` for a valve whose status is fixed open or closed.
    pub link_setting: Vec<f64>,
    /// Volume of water in each node that is a tank, m³ (zero for others).
    pub tank_volume: Vec<f64>,
    /// Emitter outflow at each node, m³/s.
    pub emitter_flow: Vec<f64>,
    /// Leakage outflow at each node, m³/s.
    pub leakage_flow: Vec<f64>,
    /// Trials taken by the solver.
    pub iterations: u32,
    /// Relative flow change of the last trial (sum |dq| / sum |q|).
    pub relative_error: f64,
    /// Whether the solution met the accuracy within the trials.
    pub converged: bool,
    /// Warnings raised at this time.
    pub warnings: Vec<HydraulicWarning>,
    /// Links changed by rules and controls since the previous solution, in the order EPANET's
    /// status report lists them (rule actions, then control actions).
    pub actions: Vec<LinkChange>,
    /// Demand each junction asks for before any pressure-driven reduction, m³/s (zero for
    /// tanks and reservoirs).
    pub node_full_demand: Vec<f64>,
    /// The trials of this time, for EPANET's full status report; empty unless the network
    /// asks for `[REPORT] STATUS FULL`.
    pub trials: Vec<TrialEvent>,
}
