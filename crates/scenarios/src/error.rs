//! What can go wrong in a sweep, as one error type for the crate's sweeps.

/// An error of a sweep: bad input (with file and line where there is one) or a failed run.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// A file could not be read or written.
    #[error("{file}: {source}")]
    Io {
        /// File name.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Rows of an input file that are wrong, each with its line.
    #[error("{file}: {} bad row(s):\n{}", problems.len(), problems.iter().map(|(line, message)| format!("  line {line}: {message}")).collect::<Vec<_>>().join("\n"))]
    BadRows {
        /// File name.
        file: String,
        /// Line number and what was wrong.
        problems: Vec<(u64, String)>,
    },
    /// An option or argument that cannot be used.
    #[error("{0}")]
    BadOption(String),
    /// The shared hydraulic run failed, so no scenario can run.
    #[error("the hydraulic run failed: {0}")]
    Hydraulics(String),
    /// A single scenario failed (reported in the sweep's output, not fatal to it).
    #[error("{0}")]
    Scenario(String),
    /// A Parquet file could not be written.
    #[error("{file}: cannot write Parquet: {message}")]
    Parquet {
        /// File name.
        file: String,
        /// What went wrong.
        message: String,
    },
}

impl ScenarioError {
    pub(crate) fn io(file: &std::path::Path, source: std::io::Error) -> ScenarioError {
        ScenarioError::Io {
            file: file.display().to_string(),
            source,
        }
    }
}
