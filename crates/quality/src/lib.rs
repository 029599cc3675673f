//! Water age, source trace and reactive chemicals carried through a network by EPANET 2.3's
//! Lagrangian parcel routing, over live or stored hydraulic results, in SI units.
//!
//! ```no_run
//! # fn demo(network: &danjiang_network::Network,
//! #         hydraulics: &danjiang_quality::StoredHydraulics)
//! #         -> Result<(), danjiang_quality::QualityError> {
//! use danjiang_quality::QualitySimulation;
//! // Whole run over stored hydraulics: quality at every reporting period.
//! let results = danjiang_quality::run_over_stored(network, hydraulics)?;
//! println!("mass balance ratio {:.3}", results.mass_balance.ratio);
//!
//! // Or step by step, beside a hydraulic engine.
//! let mut quality = QualitySimulation::new(network)?;
//! for snapshot in hydraulics.snapshots() {
//!     if quality.load_hydraulics(snapshot)? {
//!         let _at_report_time = quality.node_quality();
//!     }
//!     quality.advance()?;
//! }
//! # Ok(()) }
//! ```

mod error;
mod hydraulics;
mod parameters;
mod parcels;
mod reactions;
mod results;
mod simulation;
mod tanks;
mod transport;

pub use error::QualityError;
pub use hydraulics::{HydraulicSnapshot, StoredHydraulics};
pub use results::{run_over_stored, QualityPeriod, QualityResults};
pub use simulation::{MassBalance, QualitySimulation, ReactionSummary};
