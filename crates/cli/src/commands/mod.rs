//! One module per subcommand; `main.rs` dispatches to their `run` functions.

pub mod assess;
pub mod check;
pub mod convert;
pub mod generate;
pub mod siting;
