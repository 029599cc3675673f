//! Errors of the siting crate.

use thiserror::Error;

/// Everything that can go wrong while loading zones, applications or rule sets.
#[derive(Debug, Error)]
pub enum SitingError {
    /// Text that is not JSON at all.
    #[error("{source_name}: not valid JSON: {message}")]
    Json {
        /// File or stream name.
        source_name: String,
        /// Parser message with line and column.
        message: String,
    },
    /// A field with a missing, wrong or invalid value.
    #[error("{source_name}: field `{field}`: {message}")]
    Field {
        /// File or stream name.
        source_name: String,
        /// JSON path of the field (`features[2].geometry.coordinates[0]`).
        field: String,
        /// What was found and what was expected.
        message: String,
    },
}

impl SitingError {
    pub(crate) fn field(
        source_name: &str,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self::Field {
            source_name: source_name.to_string(),
            field: field.into(),
            message: message.into(),
        }
    }
}
