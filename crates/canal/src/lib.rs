//! The open main canal: 1-D unsteady open-channel flow (Saint-Venant, Preissmann scheme) with
//! check gates and diversion outlets, spill transport, and SWMM 5 input (open-channel subset).
#![warn(missing_docs)]

mod band;
pub mod canal;
pub mod controls;
mod error;
pub mod hydraulics;
pub mod inp;
pub mod json;
pub mod model;
pub mod run;
pub mod section;
pub mod spill;
pub mod steady;
pub mod structures;
pub mod transport;

pub use canal::Canal;
pub use error::{CanalError, Result};
pub use hydraulics::{HydraulicState, Simulation};
pub use model::CanalModel;
