//! The errors of the operations store.

use std::fmt;
use std::path::PathBuf;

/// One rejected row of an import file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    /// Line in the file, 1-based (the header is line 1).
    pub line: u64,
    /// The column (or GeoJSON member) at fault, when one is.
    pub field: Option<String>,
    /// What was wrong and what was expected.
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Line 0 stands for the whole file (a store failure, a document that is not JSON).
        match (self.line, &self.field) {
            (0, Some(field)) => write!(f, "field `{}`: {}", field, self.reason),
            (0, None) => write!(f, "{}", self.reason),
            (line, Some(field)) => write!(f, "line {line}, field `{field}`: {}", self.reason),
            (line, None) => write!(f, "line {line}: {}", self.reason),
        }
    }
}

/// Every way an operation on the store can fail.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    /// The database refused or failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration could not be applied.
    #[error("migrating the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// An import was rejected; nothing of it was written.
    #[error("{path}: rejected, nothing written; {} bad row(s):\n{}", errors.len(), list(errors))]
    Rejected {
        /// The file.
        path: PathBuf,
        /// Every bad row, in file order.
        errors: Vec<RowError>,
    },
    /// The database URL is neither SQLite nor PostgreSQL.
    #[error("database URL `{0}`: expected sqlite:PATH, a file path, or postgres://...")]
    UnsupportedUrl(String),
    /// A request made no sense (for example an unknown report grouping).
    #[error("{0}")]
    Invalid(String),
    /// A batch holds more than one may; nothing of it was written.
    #[error("{0}")]
    TooLarge(String),
    /// What was asked for is not in the store.
    #[error("{0} is not in the store")]
    NotFound(String),
    /// The store is too busy to take the request now (no connection or write turn within the
    /// wait limit); nothing was written, and the same request may be sent again.
    #[error("the store is busy: {0}; nothing was written, try again shortly")]
    Busy(String),
    /// Writing a report failed.
    #[error("writing the report: {0}")]
    Report(String),
}

/// Bad rows listed in a message; the rest are counted, so that a file of a million bad rows
/// does not make a message of a million lines.
const ROWS_LISTED: usize = 50;

fn list(errors: &[RowError]) -> String {
    let mut lines: Vec<String> = errors
        .iter()
        .take(ROWS_LISTED)
        .map(|e| format!("  {e}"))
        .collect();
    if errors.len() > ROWS_LISTED {
        lines.push(format!(
            "  ... and {} more; fix these and import again to see the rest",
            errors.len() - ROWS_LISTED
        ));
    }
    lines.join("\n")
}

/// The crate's result type.
pub type Result<T, E = OpsError> = std::result::Result<T, E>;
