//! Scenario ensembles over one network: isolation segments from a valve layer (as WNTR's
//! `valve_segments` defines them), and the sweeps built on them.

pub mod segments;
pub mod valve_layer;

pub use segments::{segments, Segment, Segmentation};
pub use valve_layer::{
    parse_valve_layer, read_valve_layer, strategic_valve_layer, IsolationValve, ValveLayerError,
};
