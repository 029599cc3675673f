//! EPANET 2.3 compatible hydraulics: the global gradient algorithm with EPANET's demand
//! models, pumps, valves, tanks, controls, rules and energy accounting.
//!
//! Drive a [`HydraulicSimulation`] with [`HydraulicSimulation::step`], or call [`run`] for
//! a whole run. Results are in SI units and in the model's element order.

mod controls;
mod demand;
mod energy;
mod error;
mod headloss;
mod network_view;
mod pump;
mod rules;
mod run;
mod simulation;
mod solver;
mod state;
mod status;
mod tanks;
mod valve;

pub use energy::{EnergyReport, PumpEnergy};
pub use error::HydraulicError;
pub use run::{run, HydraulicRun, ReportClock};
pub use simulation::HydraulicSimulation;
pub use state::{
    ActionCause, BalanceSite, HydraulicState, HydraulicWarning, LinkChange, LinkStatus, TrialEvent,
    WarningKind,
};
