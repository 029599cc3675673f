//! The errors of this crate.

use std::path::PathBuf;

/// Everything that can go wrong reading or writing an output file.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The operating system refused a read or write.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned (empty when writing to a stream without a name).
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An I/O error on a stream that has no file name.
    #[error("{0}")]
    Stream(#[from] std::io::Error),
    /// The file is not an EPANET binary output file or is damaged.
    #[error("{path}: not a valid EPANET output file: {reason}")]
    Malformed {
        /// The file concerned.
        path: PathBuf,
        /// What is wrong, and where (byte offset) when known.
        reason: String,
    },
    /// The results handed to a writer do not fit the network or each other.
    #[error("results do not match the output file: {0}")]
    Mismatch(String),
    /// JSON serialisation failed.
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl OutputError {
    /// Attaches a file name to an I/O error.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> OutputError {
        OutputError::Io {
            path: path.into(),
            source,
        }
    }
}
