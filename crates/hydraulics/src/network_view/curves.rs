//! Curves: their points checked and scaled, and interpolation on them.

use super::constants::TINY;
use crate::error::HydraulicError;
use danjiang_network::Network;

/// The points of curve `idx` with x and y scaled, refusing an empty curve or one whose
/// x values do not increase.
pub(crate) fn curve_points(
    network: &Network,
    idx: usize,
    x_scale: impl Fn(f64) -> f64,
    y_scale: impl Fn(f64) -> f64,
) -> Result<Vec<(f64, f64)>, HydraulicError> {
    let curve = network.curves.get(idx).ok_or_else(|| {
        HydraulicError::InvalidModel(format!("curve number {idx} does not exist"))
    })?;
    if curve.points.is_empty() {
        return Err(HydraulicError::InvalidCurve {
            code: 231,
            curve: curve.id.clone(),
            reason: "has no data points".into(),
        });
    }
    for pair in curve.points.windows(2) {
        if pair[0].0 >= pair[1].0 {
            return Err(HydraulicError::InvalidCurve {
                code: 230,
                curve: curve.id.clone(),
                reason: "has x values that do not increase".into(),
            });
        }
    }
    Ok(curve
        .points
        .iter()
        .map(|&(x, y)| (x_scale(x), y_scale(y)))
        .collect())
}

/// The unscaled value (for curves kept as given).
pub(crate) fn identity(x: f64) -> f64 {
    x
}

/// Linear interpolation on a curve of (x, y) points, holding the end values beyond
/// the ends as EPANET does.
pub(crate) fn interpolate(points: &[(f64, f64)], x: f64) -> f64 {
    let n = points.len();
    if n == 0 {
        return 0.0;
    }
    if n == 1 || x <= points[0].0 {
        return points[0].1;
    }
    for k in 1..n {
        if points[k].0 >= x {
            let (x1, y1) = points[k - 1];
            let (x2, y2) = points[k];
            let dx = x2 - x1;
            if dx.abs() < TINY {
                return y2;
            }
            return y2 - (x2 - x) * (y2 - y1) / dx;
        }
    }
    points[n - 1].1
}
