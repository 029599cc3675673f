//! The EPANET input (.inp) format: reading a file into a [`Network`] as EPANET 2.3 accepts
//! it, and reporting every problem in it with its line.
//!
//! ```no_run
//! let outcome = danjiang_network::inp::read_file("Net1.inp")?;
//! println!("{} nodes", outcome.network.nodes.len());
//! # Ok::<(), danjiang_network::inp::ReadError>(())
//! ```

mod diagnostic;
mod reader;
pub mod writer;

pub use diagnostic::{Diagnostic, ReadError, ReadOutcome, Severity};

use crate::validate::{validate, Finding};
use crate::Network;
use std::borrow::Cow;
use std::path::Path;

/// Reads and validates an input file. Bytes that are not UTF-8 are read as Latin-1.
pub fn read_file(path: impl AsRef<Path>) -> Result<ReadOutcome, ReadError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let text = reader::text::decode(&bytes);
    read_str(&text, &path.display().to_string())
}

/// Decodes the bytes of an input file: UTF-8 when the whole file is, otherwise line by
/// line, Latin-1 for lines that are not UTF-8.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    reader::text::decode(bytes)
}

/// Reads and validates the text of an input file; `file_name` is used in diagnostics.
pub fn read_str(text: &str, file_name: &str) -> Result<ReadOutcome, ReadError> {
    let (network, diagnostics) = read_and_check(text, file_name, true);
    outcome(network, diagnostics)
}

/// Reads the text of an input file without the whole-network checks of
/// [`crate::validate`]: only errors on the lines themselves stop it.
pub fn parse_str(text: &str, file_name: &str) -> Result<ReadOutcome, ReadError> {
    let (network, diagnostics) = read_and_check(text, file_name, false);
    outcome(network, diagnostics)
}

/// Every problem of a file, errors and warnings, in line order, with the network as far as
/// it could be read. For tools such as `danjiang check` that report rather than stop.
pub fn check_str(text: &str, file_name: &str) -> (Network, Vec<Diagnostic>) {
    read_and_check(text, file_name, true)
}

fn outcome(network: Network, diagnostics: Vec<Diagnostic>) -> Result<ReadOutcome, ReadError> {
    let (errors, warnings): (Vec<_>, Vec<_>) =
        diagnostics.into_iter().partition(Diagnostic::is_error);
    if errors.is_empty() {
        Ok(ReadOutcome { network, warnings })
    } else {
        Err(ReadError::Invalid { errors, warnings })
    }
}

fn read_and_check(text: &str, file_name: &str, check: bool) -> (Network, Vec<Diagnostic>) {
    let mut read = reader::read_text(text, file_name);
    let mut diagnostics = std::mem::take(&mut read.diagnostics);
    if check {
        // A line already in error has said what is wrong with its element; the whole-network
        // checks would only repeat it in other words (as EPANET, which checks the network
        // only when every line is right).
        let lines_in_error: std::collections::HashSet<usize> = diagnostics
            .iter()
            .filter(|d| d.is_error())
            .filter_map(|d| d.line)
            .collect();
        let findings = validate(&read.network);
        diagnostics.extend(findings.into_iter().filter_map(|finding| {
            let line = read.definition_line(&finding.subject);
            let repeated = finding.severity == Severity::Error
                && line
                    .as_ref()
                    .is_some_and(|at| lines_in_error.contains(&at.number));
            (!repeated).then(|| to_diagnostic(finding, file_name, line))
        }));
        diagnostics.sort_by_key(|d| (d.line.unwrap_or(usize::MAX), d.severity));
    }
    (read.network, diagnostics)
}

/// A finding tied to the line that defined its subject, when there is one.
fn to_diagnostic(finding: Finding, file: &str, line: Option<reader::DefinedAt>) -> Diagnostic {
    let (number, text, section) = match line {
        Some(at) => (Some(at.number), at.text, at.section.to_string()),
        None => (None, String::new(), String::new()),
    };
    Diagnostic {
        severity: finding.severity,
        file: file.to_string(),
        line: number,
        text,
        section,
        code: finding.code,
        message: finding.message,
    }
}
