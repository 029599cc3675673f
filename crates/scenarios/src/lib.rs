//! Scenario ensembles over one network: isolation segments from a valve layer (as WNTR's
//! `valve_segments` defines them), contamination sweeps and criticality runs in parallel.

pub mod contamination;
pub mod criticality;
mod error;
pub mod parallel;
pub mod segments;
pub mod shard;
pub mod table;
pub mod valve_layer;

pub use error::ScenarioError;
pub use segments::{segments, Segment, Segmentation};
pub use shard::Shard;
pub use valve_layer::{
    parse_valve_layer, read_valve_layer, strategic_valve_layer, IsolationValve, ValveLayerError,
};
