//! Errors of the assessment crate.

use thiserror::Error;

/// Everything that can go wrong while reading standards, samples or computing an assessment.
#[derive(Debug, Error)]
pub enum AssessmentError {
    /// A data file (standard, method) is malformed.
    #[error("{source_name}: {message}")]
    Data {
        /// Which data file.
        source_name: String,
        /// What is wrong.
        message: String,
    },
    /// A row of sample input is malformed.
    #[error("{source_name}: line {line}, field `{field}`: {message}")]
    Input {
        /// File or stream name.
        source_name: String,
        /// One-based line number in the file.
        line: u64,
        /// Column name.
        field: String,
        /// What was found and what was expected.
        message: String,
    },
    /// A unit that cannot be converted to the item's unit.
    #[error("field `unit`: cannot convert `{unit}` to {expected} for item {item}")]
    Unit {
        /// The unit as given.
        unit: String,
        /// The item's unit in the standard.
        expected: String,
        /// The item code.
        item: String,
    },
    /// An item code not in the standard.
    #[error("field `item`: unknown item code `{0}`")]
    UnknownItem(String),
    /// A class name that is not I, II, III, IV, V or worse than V.
    #[error("unknown water class `{0}` (expected I, II, III, IV, V or worse than V)")]
    UnknownClass(String),
    /// A statistic was asked of too short a series.
    #[error("{what} needs at least {needed} values, got {got}")]
    TooFewValues {
        /// The statistic.
        what: &'static str,
        /// Minimum count.
        needed: usize,
        /// Count given.
        got: usize,
    },
    /// CSV structure error (bad quoting, missing header).
    #[error("{source_name}: {message}")]
    Csv {
        /// File or stream name.
        source_name: String,
        /// What is wrong.
        message: String,
    },
}
