//! Problems found in an input file: where they are, what was wrong, what was expected.

use std::fmt;
use std::path::PathBuf;

/// Whether a problem stops the network from being used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Worth knowing (an unused curve, a node cut off from every source), but the
    /// network can still be simulated.
    Warning,
    /// The network cannot be simulated as written.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One problem in an input file or a network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file it was found in (the name given to the reader).
    pub file: String,
    /// Line number, counting from 1; `None` for problems of the network as a whole.
    pub line: Option<usize>,
    /// The text of that line, without its line ending.
    pub text: String,
    /// The section the line belongs to, upper case without brackets (`PIPES`); empty when
    /// the problem belongs to no section.
    pub section: String,
    /// EPANET 2.3's error code for the problem (the 200 series), where one applies.
    pub code: Option<u16>,
    /// What was wrong and what was expected.
    pub message: String,
}

impl Diagnostic {
    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": {}", self.severity)?;
        if let Some(code) = self.code {
            write!(f, " {code}")?;
        }
        write!(f, ": {}", self.message)?;
        if !self.section.is_empty() {
            write!(f, " in [{}]", self.section)?;
        }
        if self.line.is_some() {
            write!(f, " (line: \"{}\")", self.text.trim())?;
        }
        Ok(())
    }
}

/// A network read from a file, with the warnings found on the way.
#[derive(Debug, Clone)]
pub struct ReadOutcome {
    /// The network, in SI units.
    pub network: crate::Network,
    /// Problems that do not stop the network from being simulated.
    pub warnings: Vec<Diagnostic>,
}

/// Why a file could not be read into a network.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The file was read but has errors; every one found is listed.
    #[error("{}", invalid_summary(.errors))]
    Invalid {
        /// Every error found, in line order.
        errors: Vec<Diagnostic>,
        /// Every warning found, in line order.
        warnings: Vec<Diagnostic>,
    },
}

impl ReadError {
    /// The errors found in the file (none for an I/O error).
    pub fn errors(&self) -> &[Diagnostic] {
        match self {
            ReadError::Io { .. } => &[],
            ReadError::Invalid { errors, .. } => errors,
        }
    }

    /// The warnings found in the file (none for an I/O error).
    pub fn warnings(&self) -> &[Diagnostic] {
        match self {
            ReadError::Io { .. } => &[],
            ReadError::Invalid { warnings, .. } => warnings,
        }
    }
}

fn invalid_summary(errors: &[Diagnostic]) -> String {
    let mut text = match errors.len() {
        1 => "1 error in input file:".to_string(),
        n => format!("{n} errors in input file:"),
    };
    for error in errors {
        text.push_str("\n  ");
        text.push_str(&error.to_string());
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_line_code_section_and_text() {
        let diagnostic = Diagnostic {
            severity: Severity::Error,
            file: "net.inp".into(),
            line: Some(42),
            text: "P1 J1 J9 100 12 100".into(),
            section: "PIPES".into(),
            code: Some(203),
            message: "undefined node \"J9\"".into(),
        };
        assert_eq!(
            diagnostic.to_string(),
            "net.inp:42: error 203: undefined node \"J9\" in [PIPES] (line: \"P1 J1 J9 100 12 100\")"
        );
    }

    #[test]
    fn display_without_line_or_code() {
        let diagnostic = Diagnostic {
            severity: Severity::Warning,
            file: "net.inp".into(),
            line: None,
            text: String::new(),
            section: String::new(),
            code: None,
            message: "curve \"C1\" is not used".into(),
        };
        assert_eq!(
            diagnostic.to_string(),
            "net.inp: warning: curve \"C1\" is not used"
        );
    }
}
