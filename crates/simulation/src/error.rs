//! Why a run failed.

use danjiang_output::OutputError;

use crate::budget::OverBudget;

/// Why a run failed: a network that cannot be simulated, a solver failure, a result file
/// that cannot be written, or a budget the run would exceed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The network cannot be prepared for simulation.
    #[error("cannot simulate {input}: {reason}")]
    Setup {
        /// The input's name.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The hydraulic solver failed.
    #[error("{input}: hydraulics failed: {reason}")]
    Hydraulics {
        /// The input's name.
        input: String,
        /// The solver's message.
        reason: String,
    },
    /// The water-quality routing failed.
    #[error("{input}: water quality failed: {reason}")]
    Quality {
        /// The input's name.
        input: String,
        /// The routing's message.
        reason: String,
    },
    /// A result could not be built or written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The run is larger or longer than its budget allows.
    #[error(transparent)]
    OverBudget(#[from] OverBudget),
}
