//! Cross-sections of the open channel: trapezoidal, rectangular and irregular (transect), with the
//! geometry the solver needs at a flow depth: area, top width, wetted perimeter and conveyance.

use serde::{Deserialize, Serialize};

/// The geometry of one cross-section, depth measured from its lowest point.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Section {
    /// A trapezoid (a rectangle when both side slopes are zero).
    Trapezoid {
        /// Bottom width, m.
        bottom_width: f64,
        /// Left side slope, horizontal over vertical.
        left_slope: f64,
        /// Right side slope, horizontal over vertical.
        right_slope: f64,
        /// Depth of the lined section, m (walls continue vertically above it).
        full_depth: f64,
    },
    /// A surveyed transect, tabulated at equal depth steps.
    Table(TransectTable),
}

/// Area, top width and wetted perimeter of an irregular section, tabulated from its stations.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TransectTable {
    /// Depth step between rows, m.
    pub depth_step: f64,
    /// Flow area at each row, m².
    pub area: Vec<f64>,
    /// Top width at each row, m.
    pub top_width: Vec<f64>,
    /// Wetted perimeter at each row, m.
    pub perimeter: Vec<f64>,
}

/// The geometry at one depth.
#[derive(Debug, Clone, Copy, Default)]
pub struct Wetted {
    /// Flow area, m².
    pub area: f64,
    /// Top width (dA/dy), m.
    pub top_width: f64,
    /// Wetted perimeter, m.
    pub perimeter: f64,
    /// d(perimeter)/d(depth).
    pub perimeter_slope: f64,
}

impl Wetted {
    /// Hydraulic radius, m.
    pub fn hydraulic_radius(&self) -> f64 {
        self.area / self.perimeter.max(1e-9)
    }
}

/// The smallest depth the solver lets a section reach, m (the canal never runs dry).
pub const MIN_DEPTH: f64 = 0.01;

impl Section {
    /// The section's lined (or surveyed) depth, m.
    pub fn full_depth(&self) -> f64 {
        match self {
            Section::Trapezoid { full_depth, .. } => *full_depth,
            Section::Table(table) => table.depth_step * (table.area.len() - 1) as f64,
        }
    }

    /// Geometry at depth `depth` (m); depths below [`MIN_DEPTH`] are raised to it.
    pub fn wetted(&self, depth: f64) -> Wetted {
        let depth = depth.max(MIN_DEPTH);
        match self {
            Section::Trapezoid {
                bottom_width,
                left_slope,
                right_slope,
                full_depth,
            } => trapezoid(*bottom_width, *left_slope, *right_slope, *full_depth, depth),
            Section::Table(table) => table.wetted(depth),
        }
    }

    /// Manning conveyance K = A·R^(2/3)/n (m³/s) and dK/dy, for roughness `roughness` (s/m^(1/3)).
    pub fn conveyance(wetted: &Wetted, roughness: f64) -> (f64, f64) {
        let area = wetted.area;
        let perimeter = wetted.perimeter.max(1e-9);
        let k = (area.powi(5) / (perimeter * perimeter)).cbrt() / roughness;
        let dk = k
            * (5.0 / 3.0 * wetted.top_width / area
                - 2.0 / 3.0 * wetted.perimeter_slope / perimeter);
        (k, dk)
    }
}

fn trapezoid(bottom: f64, left: f64, right: f64, full: f64, depth: f64) -> Wetted {
    let sides = (1.0 + left * left).sqrt() + (1.0 + right * right).sqrt();
    if depth <= full {
        Wetted {
            area: bottom * depth + 0.5 * (left + right) * depth * depth,
            top_width: bottom + (left + right) * depth,
            perimeter: bottom + sides * depth,
            perimeter_slope: sides,
        }
    } else {
        // Vertical walls above the lined depth keep the geometry smooth if a pool overtops it.
        let top = bottom + (left + right) * full;
        let above = depth - full;
        Wetted {
            area: bottom * full + 0.5 * (left + right) * full * full + top * above,
            top_width: top,
            perimeter: bottom + sides * full + 2.0 * above,
            perimeter_slope: 2.0,
        }
    }
}

impl TransectTable {
    /// Tabulates the section of a polyline of (station m, elevation m) points, in `rows` depth
    /// steps from its lowest point up to the lower of its two end points.
    pub fn from_stations(points: &[(f64, f64)], rows: usize) -> TransectTable {
        let bottom = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let first = points.first().map_or(bottom, |p| p.1);
        let last = points.last().map_or(bottom, |p| p.1);
        let full = first.min(last) - bottom;
        let rows = rows.max(2);
        let depth_step = full / (rows - 1) as f64;
        let mut table = TransectTable {
            depth_step,
            area: Vec::with_capacity(rows),
            top_width: Vec::with_capacity(rows),
            perimeter: Vec::with_capacity(rows),
        };
        let mut area = 0.0;
        for row in 0..rows {
            // Just above the bed at row 0, so that a flat bottom counts in full.
            let level = bottom + (depth_step * row as f64).max(1e-9);
            let (width, perimeter) = width_and_perimeter(points, level);
            if let Some(previous) = table.top_width.last() {
                area += 0.5 * (previous + width) * depth_step;
            }
            table.area.push(area);
            table.top_width.push(width);
            table.perimeter.push(perimeter);
        }
        table
    }

    fn wetted(&self, depth: f64) -> Wetted {
        let rows = self.area.len();
        let position = depth / self.depth_step;
        if position >= (rows - 1) as f64 {
            let top = self.top_width[rows - 1];
            let above = depth - self.depth_step * (rows - 1) as f64;
            return Wetted {
                area: self.area[rows - 1] + top * above,
                top_width: top,
                perimeter: self.perimeter[rows - 1] + 2.0 * above,
                perimeter_slope: 2.0,
            };
        }
        let row = position.floor() as usize;
        let s = depth - self.depth_step * row as f64;
        let (w0, w1) = (self.top_width[row], self.top_width[row + 1]);
        let slope = (w1 - w0) / self.depth_step;
        let (p0, p1) = (self.perimeter[row], self.perimeter[row + 1]);
        let perimeter_slope = (p1 - p0) / self.depth_step;
        Wetted {
            area: self.area[row] + w0 * s + 0.5 * slope * s * s,
            top_width: (w0 + slope * s).max(1e-6),
            perimeter: (p0 + perimeter_slope * s).max(1e-6),
            perimeter_slope,
        }
    }
}

/// Wet top width and wetted perimeter of a polyline section at water level `level`.
fn width_and_perimeter(points: &[(f64, f64)], level: f64) -> (f64, f64) {
    let mut width = 0.0;
    let mut perimeter = 0.0;
    for pair in points.windows(2) {
        let ((x1, z1), (x2, z2)) = (pair[0], pair[1]);
        if z1 >= level && z2 >= level {
            continue;
        }
        let length = ((x2 - x1).powi(2) + (z2 - z1).powi(2)).sqrt();
        let wet_fraction = if z1 < level && z2 < level {
            1.0
        } else {
            let (low, high) = if z1 < z2 { (z1, z2) } else { (z2, z1) };
            (level - low) / (high - low)
        };
        width += (x2 - x1).abs() * wet_fraction;
        perimeter += length * wet_fraction;
    }
    (width, perimeter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transect_of_a_trapezoid_has_the_trapezoids_geometry() {
        let trapezoid = Section::Trapezoid {
            bottom_width: 10.0,
            left_slope: 2.0,
            right_slope: 2.0,
            full_depth: 5.0,
        };
        let points = [(0.0, 5.0), (10.0, 0.0), (20.0, 0.0), (30.0, 5.0)];
        let table = Section::Table(TransectTable::from_stations(&points, 51));
        for depth in [0.5, 1.3, 2.0, 4.9] {
            let (a, b) = (trapezoid.wetted(depth), table.wetted(depth));
            assert!(
                (a.area - b.area).abs() < 1e-9 * a.area.max(1.0),
                "area at {depth}"
            );
            assert!((a.top_width - b.top_width).abs() < 1e-9, "width at {depth}");
            assert!(
                (a.perimeter - b.perimeter).abs() < 1e-9,
                "perimeter at {depth}"
            );
        }
    }

    #[test]
    fn conveyance_slope_matches_a_finite_difference() {
        let section = Section::Trapezoid {
            bottom_width: 24.0,
            left_slope: 2.5,
            right_slope: 2.0,
            full_depth: 8.0,
        };
        let (k, dk) = Section::conveyance(&section.wetted(6.0), 0.015);
        let (k2, _) = Section::conveyance(&section.wetted(6.0 + 1e-6), 0.015);
        assert!(((k2 - k) / 1e-6 - dk).abs() < 1e-4 * dk);
    }
}
