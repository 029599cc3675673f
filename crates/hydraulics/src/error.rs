//! Errors of the hydraulic engine.

use thiserror::Error;

/// Why a hydraulic simulation could not be built or could not go on.
///
/// The EPANET error code each one corresponds to is given, so that callers reproducing
/// EPANET's report can print the same number.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum HydraulicError {
    /// EPANET error 223: a network needs at least two nodes.
    #[error("error 223: the network has fewer than two nodes")]
    TooFewNodes,
    /// EPANET error 224: a network needs at least one tank or reservoir.
    #[error("error 224: the network has no tanks or reservoirs")]
    NoFixedHeadNode,
    /// EPANET error 233: a node is connected to no link.
    #[error("error 233: node {node} is not connected to any link")]
    UnconnectedNode {
        /// ID of the node.
        node: String,
    },
    /// EPANET error 226/227: a pump has no usable head curve.
    #[error("error {code}: pump {pump} has {reason}")]
    InvalidPump {
        /// 226 (no curve or power) or 227 (invalid curve).
        code: u32,
        /// ID of the pump.
        pump: String,
        /// What is wrong with it.
        reason: String,
    },
    /// EPANET error 225: a tank's levels are inconsistent or outside its volume curve.
    #[error("error 225: invalid lower/upper levels for tank {tank}")]
    InvalidTankLevels {
        /// ID of the tank.
        tank: String,
    },
    /// EPANET errors 230/231: a curve is empty or its x values do not increase.
    #[error("error {code}: curve {curve} {reason}")]
    InvalidCurve {
        /// 230 (x not increasing) or 231 (no data).
        code: u32,
        /// ID of the curve.
        curve: String,
        /// What is wrong with it.
        reason: String,
    },
    /// EPANET error 232: a pattern has no multipliers.
    #[error("error 232: pattern {pattern} has no multipliers")]
    EmptyPattern {
        /// ID of the pattern.
        pattern: String,
    },
    /// A link refers to something that does not exist (a broken model).
    #[error("invalid model: {0}")]
    InvalidModel(String),
    /// EPANET error 110: the hydraulic equations could not be solved (ill-conditioned
    /// matrix), at the given time, near the given node.
    #[error("error 110: cannot solve network hydraulic equations at {time} s (node {node})")]
    IllConditioned {
        /// Simulation time, s.
        time: u64,
        /// ID of the node whose equation failed.
        node: String,
    },
    /// The sparse solver failed for a reason other than a bad pivot.
    #[error("sparse solver failure: {0}")]
    Solver(String),
    /// A setter was given an index or value that does not fit.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}
