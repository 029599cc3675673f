//! The run's duration and time steps.

use danjiang_network::Times;

/// Duration and time steps in seconds, with EPANET's defaults and limits applied.
#[derive(Debug, Clone)]
pub(crate) struct Timing {
    /// Length of the run, s.
    pub duration: u64,
    /// Hydraulic time step, s: no longer than the pattern or report step.
    pub hydraulic_step: u64,
    /// Pattern time step, s (1 h when not given).
    pub pattern_step: u64,
    /// Time into the patterns at which the run starts, s.
    pub pattern_start: u64,
    /// Report time step, s (the pattern step when not given).
    pub report_step: u64,
    /// Rule time step, s: at least 1, at most the hydraulic step (a tenth of it when not
    /// given).
    pub rule_step: u64,
    /// Clock time of day at the start of the run, s after midnight.
    pub start_clock_time: u64,
}

impl Timing {
    /// The steps of `times`, defaulted and limited as EPANET does.
    pub(crate) fn new(times: &Times) -> Timing {
        let mut pattern_step = times.pattern_step;
        if pattern_step == 0 {
            pattern_step = 3600;
        }
        let mut report_step = times.report_step;
        if report_step == 0 {
            report_step = pattern_step;
        }
        let mut hydraulic_step = times.hydraulic_step;
        if hydraulic_step == 0 {
            hydraulic_step = 3600;
        }
        hydraulic_step = hydraulic_step.min(pattern_step).min(report_step);
        let mut rule_step = times.rule_step.unwrap_or(0);
        if rule_step == 0 {
            rule_step = hydraulic_step / 10;
        }
        rule_step = rule_step.min(hydraulic_step);
        Timing {
            duration: times.duration,
            hydraulic_step,
            pattern_step,
            pattern_start: times.pattern_start,
            report_step,
            rule_step: rule_step.max(1),
            start_clock_time: times.start_clocktime,
        }
    }
}
