//! Errors of the quality engine.

use std::path::PathBuf;

/// Everything that can go wrong when setting up or running a quality analysis.
#[derive(Debug, thiserror::Error)]
pub enum QualityError {
    /// The network's quality input cannot be used; `field` names the input item.
    #[error("bad quality input: {field}: {message}")]
    BadInput {
        /// The input item at fault, as EPANET names it (for example `[REACTIONS] ORDER WALL`
        /// or `[MIXING] 2COMP fraction of tank T1`).
        field: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// Hydraulic results do not fit the network or the run's timeline.
    #[error("hydraulic results do not fit: {0}")]
    HydraulicsMismatch(String),
    /// The hydraulic run the quality run needs failed.
    #[error("hydraulic run failed: {0}")]
    HydraulicRun(String),
    /// A quality step was asked for before hydraulics were loaded for the current time.
    #[error("no hydraulic results loaded for time {0} s")]
    NoHydraulics(u64),
    /// Reading or writing a stored hydraulics file failed.
    #[error("hydraulics file {path}: {message}")]
    HydraulicsFile {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

impl QualityError {
    pub(crate) fn bad_input(field: impl Into<String>, message: impl Into<String>) -> QualityError {
        QualityError::BadInput {
            field: field.into(),
            message: message.into(),
        }
    }
}
