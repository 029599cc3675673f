//! Sensor placement for water security: an impact matrix in Chama's layout, and the sensors
//! that minimise the mean, the CVaR or the worst impact, by MILP (HiGHS) or lazy greedy.

pub mod impact;
pub mod placement;

pub use impact::{ImpactMatrix, Scenario};
pub use placement::{place, Method, Placement, Request, Statistic};

/// Why a placement could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SensorError {
    /// A file that does not read as expected.
    #[error("{file}, line {line}, {field}: found {found:?}, expected {expected}")]
    Input {
        /// The file's name as given.
        file: String,
        /// Line of the file (1 is the header; 0 when the file as a whole is at fault).
        line: u64,
        /// The column or part at fault.
        field: String,
        /// What was there (at most 80 characters).
        found: String,
        /// What should be there.
        expected: String,
    },
    /// A request that cannot be met (too many sensors asked for, an unknown fixed sensor...).
    #[error("{0}")]
    Request(String),
    /// The solver gave no optimal solution.
    #[error("the MILP solver stopped without an optimal solution ({0}); try --method greedy")]
    Solver(String),
    /// Writing a file failed.
    #[error("writing: {0}")]
    Write(#[from] csv::Error),
    /// Writing failed.
    #[error("writing: {0}")]
    Io(#[from] std::io::Error),
}
