//! Time patterns and data curves.

use serde::{Deserialize, Serialize};

/// A time pattern: multipliers applied one per pattern time step, repeating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pattern {
    /// ID as written in the input file.
    pub id: String,
    /// Multipliers, one per pattern step (unitless).
    pub multipliers: Vec<f64>,
}

/// What a curve is used for; it decides the units of its points.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CurveKind {
    /// Not used by any element, or of unknown use: points kept as written.
    #[default]
    Generic,
    /// Pump head curve: x flow (m³/s), y head (m).
    Pump,
    /// Pump efficiency curve: x flow (m³/s), y efficiency (percent).
    Efficiency,
    /// Tank volume curve: x level (m), y volume (m³).
    Volume,
    /// GPV headloss curve: x flow (m³/s), y headloss (m).
    Headloss,
    /// PCV valve curve: x percent open, y percent of full flow coefficient.
    Valve,
}

/// A curve of (x, y) points, x increasing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Curve {
    /// ID as written in the input file.
    pub id: String,
    /// What the curve is used for.
    pub kind: CurveKind,
    /// The points, in SI units for the curve's kind.
    pub points: Vec<(f64, f64)>,
}
