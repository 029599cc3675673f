//! Whole-run helper over the stepper, keeping the states EPANET reports.

use crate::energy::EnergyReport;
use crate::error::HydraulicError;
use crate::simulation::HydraulicSimulation;
use crate::state::HydraulicState;
use danjiang_network::Network;

/// Decides which hydraulic times are reporting periods, as EPANET's output writer does:
/// the first time at or after each of `report_start`, `report_start + report_step`, ...
#[derive(Debug, Clone, Copy)]
pub struct ReportClock {
    next: u64,
    step: u64,
}

impl ReportClock {
    /// A clock for the network's `[TIMES]`.
    pub fn new(network: &Network) -> ReportClock {
        let times = &network.times;
        let mut pattern_step = times.pattern_step;
        if pattern_step == 0 {
            pattern_step = 3600;
        }
        let step = if times.report_step == 0 {
            pattern_step
        } else {
            times.report_step
        };
        let start = if times.report_start > times.duration {
            0
        } else {
            times.report_start
        };
        ReportClock { next: start, step }
    }

    /// True if the state at `time` is reported; call once per hydraulic time, in order.
    pub fn is_report_time(&mut self, time: u64) -> bool {
        if time >= self.next {
            self.next += self.step;
            true
        } else {
            false
        }
    }
}

/// The reported states of a whole run and its energy report.
#[derive(Debug, Clone, Default)]
pub struct HydraulicRun {
    /// The state at each reporting period.
    pub periods: Vec<HydraulicState>,
    /// Pump energy over the run.
    pub energy: EnergyReport,
    /// True if the run stopped early on an unbalanced solution (`UNBALANCED STOP`).
    pub halted: bool,
}

/// Runs the whole simulation, keeping the states at reporting periods.
pub fn run(network: &Network) -> Result<HydraulicRun, HydraulicError> {
    let mut simulation = HydraulicSimulation::new(network)?;
    let mut clock = ReportClock::new(network);
    let mut periods = Vec::new();
    while let Some(state) = simulation.step()? {
        if clock.is_report_time(state.time) {
            periods.push(state.clone());
        }
    }
    Ok(HydraulicRun {
        periods,
        energy: simulation.energy(),
        halted: simulation.was_halted(),
    })
}
