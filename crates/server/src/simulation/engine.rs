//! One whole simulation of a network into an EPANET binary output file (.out), on the shared
//! simulation driver, with a progress callback. Synchronous: callers run
//! it on a blocking thread.

use std::path::Path;

use danjiang_network::Network;
use danjiang_output::binary::{OutWriter, Prolog};
use danjiang_simulation::{simulate, Budget, OutSink};

use super::SimulationError;

/// What a finished run did.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RunFigures {
    /// Hydraulic time steps solved.
    pub hydraulic_steps: usize,
    /// Reporting periods written to the output file.
    pub periods: usize,
    /// Hydraulic steps that did not converge.
    pub unconverged_steps: usize,
    /// Whether the run stopped early (unbalanced, with `UNBALANCED STOP`).
    pub halted: bool,
    /// Wall-clock time of the run, s.
    pub seconds: f64,
}

/// Simulates `network` within `budget` (its time limit is checked at every step) and writes
/// every reporting period to `out_path`.
///
/// `progress` is called with the fraction done (0 to 1): the hydraulics are the first half of
/// a run with water quality, the whole of one without.
pub fn run_to_file(
    network: &Network,
    input_name: &str,
    budget: &Budget,
    out_path: &Path,
    progress: &dyn Fn(f64),
) -> Result<RunFigures, SimulationError> {
    let failed =
        |what: &str, e: &dyn std::fmt::Display| SimulationError::Run(format!("{what}: {e}"));
    let prolog = Prolog::for_network(network, input_name);
    let writer = OutWriter::create(out_path, &prolog)
        .map_err(|e| failed("cannot write the results file", &e))?;
    let mut out = OutSink::new(writer);
    let summary = simulate(network, input_name, budget, &mut [&mut out], &mut |step| {
        progress(step.fraction)
    })
    .map_err(|e| SimulationError::Run(e.to_string()))?;
    Ok(RunFigures {
        hydraulic_steps: summary.hydraulic_steps,
        periods: summary.reported_periods,
        unconverged_steps: summary.unconverged_steps,
        halted: summary.halted,
        seconds: summary.seconds,
    })
}
