//! Water-quality event detection on online analyser channels, the CANARY method family: each
//! channel normalised over a moving history, predicted, and its outliers counted to raise events.
//!
//! A [`Detector`] takes one time step of a station's channels at a time (turbidity, pH, chlorine,
//! conductivity...) and says whether the step is normal, an outlier or part of a possible event;
//! [`Events`] groups the steps into events with the channels that drove them. [`synthetic`] makes
//! analyser series with known events, for tests, benchmarks and the demo. No storage, no time
//! zone: a step is whatever interval the caller feeds (CANARY stations usually run at 1 to 5 min).
#![warn(missing_docs)]

mod detector;
mod discriminator;
mod events;
mod prediction;
mod settings;
pub mod synthetic;

pub use detector::{Channel, Detector, Status, StepResult};
pub use discriminator::EventDiscriminator;
pub use events::{Event, Events};
pub use prediction::predict_next;
pub use settings::{Settings, SettingsError};
