//! Water-quality engine: water age, source trace and reactive chemicals carried through a
//! network by Lagrangian transport of water parcels over stored or live hydraulic results.
//!
//! The engine reproduces EPANET 2.3's quality model (parcel routing, node mixing, bulk and
//! wall reactions, the four tank mixing models, the four source types, the reaction report
//! and the mass balance) in SI units: volumes in m³, flows in m³/s, times in s, and
//! concentrations in the analysis' own unit (mg/L or µg/L, hours of age, percent of trace).
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
