//! The model of a water supply network (nodes, links, patterns, curves, controls, options),
//! its unit conversions, and the EPANET input (.inp) format read, validated and written.
//!
//! Inside a [`Network`] every quantity is in SI units (metres, cubic metres per second,
//! seconds, kilowatts); the reader converts from the file's units and the writer back.

pub mod generate;
pub mod inp;
pub mod json;
pub mod model;
pub mod units;
pub mod validate;

pub use model::*;
pub use units::{FlowUnits, UnitSystem};
