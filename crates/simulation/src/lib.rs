//! One whole simulation of a network: hydraulics period by period, then water quality over the
//! kept hydraulics, each reporting period handed to result sinks (.out, .rpt, JSON, CSV, a store).
//!
//! Both the `danjiang run` command and the web application's runs call [`simulate`]; what each
//! writes is a choice of [`Sink`]s, and a [`Budget`] refuses a run up front whose periods, output
//! or memory would be too large, and stops one that takes too long.
#![warn(missing_docs)]

mod budget;
mod driver;
mod error;
mod mapping;
mod sinks;

pub use budget::{Budget, Estimate, Limit, OverBudget};
pub use driver::{simulate, Phase, Progress, RunEnd, RunSummary, Sink, Step};
pub use error::RunError;
pub use mapping::{energy_section, status_actions, trial_line, warnings_of};
pub use sinks::{CsvSink, JsonSink, OutSink, ReportSink};
