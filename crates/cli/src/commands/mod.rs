//! One module per subcommand; `main.rs` dispatches to their `run` functions.

pub mod assess;
pub mod canal;
pub mod check;
pub mod compare;
pub mod convert;
pub mod demo;
pub mod generate;
pub mod import;
pub mod ledger;
pub mod patrol;
pub mod run;
pub mod samples;
pub mod sensors;
pub mod serve;
pub mod siting;
pub mod sweep;
pub mod telemetry;
