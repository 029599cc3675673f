//! The crate's error type: every input error says where (file, line) and what was expected.

use std::path::PathBuf;

/// Everything that can go wrong reading, building or running a canal.
#[derive(Debug, thiserror::Error)]
pub enum CanalError {
    /// The input file could not be read.
    #[error("{file}: cannot read: {source}")]
    Io {
        /// The file.
        file: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A line of the input does not say what its section expects.
    #[error("{file}:{line}: {message}")]
    Input {
        /// The file (or `<text>` when read from a string).
        file: PathBuf,
        /// The 1-based line number.
        line: usize,
        /// What was found and what was expected.
        message: String,
    },
    /// The canal as a whole cannot be built (e.g. a gate leads nowhere); `line` is where the
    /// offending element was declared.
    #[error("{file}:{line}: {message}")]
    Layout {
        /// The file.
        file: PathBuf,
        /// The 1-based line of the element at fault.
        line: usize,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A request made of a built canal is outside it (a spill beyond its ends, an unknown ID).
    #[error("{0}")]
    Request(String),
    /// The solver did not converge or found no physical state.
    #[error("at t = {time_s:.0} s: {message}")]
    Numerical {
        /// Simulated time of the failure, s.
        time_s: f64,
        /// What happened.
        message: String,
    },
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, CanalError>;
