//! EPANET 2.3's output files, written and read: the binary results file (.out) and the
//! report (.rpt), and JSON and CSV time series of the same results.
//!
//! Results arrive as [`period::ReportPeriod`]s in SI units, built from a network and a
//! hydraulic state; [`units::ReportUnits`] converts them to the network's report units as
//! EPANET does, and the writers stream them period by period.

pub mod binary;
pub mod error;

pub use error::OutputError;
pub mod compare;
pub mod csv;
pub mod json;
pub mod period;
pub mod report;
pub mod units;
