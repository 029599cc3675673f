//! Colours: the categorical palette of chart series and the classed colour scales of the map.

use crate::axis::{decimals_for, format_value, nice_step};
use crate::error::DrawingError;

/// Colours for chart series, told apart also by people with the common colour-vision
/// deficiencies (the Okabe-Ito set, black left out).
pub const SERIES_COLOURS: [&str; 8] = [
    "#0072b2", "#e69f00", "#009e73", "#d55e00", "#56b4e9", "#cc79a7", "#f0e442", "#7f7f7f",
];

/// The colour of the series at a position, cycling through [`SERIES_COLOURS`].
pub fn series_colour(index: usize) -> &'static str {
    SERIES_COLOURS[index % SERIES_COLOURS.len()]
}

/// Colour ramps for classed values on the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Palette {
    /// Dark blue to yellow, perceptually even (viridis), for pressures and flows.
    #[default]
    Viridis,
    /// Pale yellow to dark red, for concentrations: the darker, the worse.
    YellowRed,
    /// Blue through pale to red, for values with a meaningful middle (signed flow).
    BlueRed,
}

impl Palette {
    fn stops(self) -> &'static [[u8; 3]] {
        match self {
            Palette::Viridis => &[
                [68, 1, 84],
                [59, 82, 139],
                [33, 145, 140],
                [94, 201, 98],
                [253, 231, 37],
            ],
            Palette::YellowRed => &[
                [255, 255, 178],
                [254, 204, 92],
                [253, 141, 60],
                [240, 59, 32],
                [189, 0, 38],
            ],
            Palette::BlueRed => &[
                [33, 102, 172],
                [146, 197, 222],
                [247, 247, 247],
                [244, 165, 130],
                [178, 24, 43],
            ],
        }
    }

    /// The colour at `t` in `[0, 1]` along the ramp, as `#rrggbb`.
    pub fn at(self, t: f64) -> String {
        let stops = self.stops();
        let t = if t.is_finite() {
            t.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let position = t * (stops.len() - 1) as f64;
        let i = (position.floor() as usize).min(stops.len() - 2);
        let f = position - i as f64;
        let channel = |k: usize| {
            let a = stops[i][k] as f64;
            let b = stops[i + 1][k] as f64;
            (a + (b - a) * f).round() as u8
        };
        format!("#{:02x}{:02x}{:02x}", channel(0), channel(1), channel(2))
    }
}

/// Values split into classes by breaks, each class with a colour and a legend label.
///
/// With breaks `b0 < b1 < … < bn` there are n + 1 classes: below b1 (and including
/// everything under b0), `[b1, b2)`, …, and at or above bn.
#[derive(Debug, Clone, PartialEq)]
pub struct ColourScale {
    /// Inner class boundaries, strictly increasing, in the values' units.
    pub breaks: Vec<f64>,
    /// One colour per class (`breaks.len() + 1`).
    pub colours: Vec<String>,
    /// Unit of the values, shown in the legend (for example `m`, `L/s`, `mg/L`).
    pub unit: String,
}

impl ColourScale {
    /// A scale with the given inner breaks and colours taken evenly from a palette.
    pub fn with_breaks(
        breaks: Vec<f64>,
        palette: Palette,
        unit: &str,
    ) -> Result<ColourScale, DrawingError> {
        if breaks.iter().any(|b| !b.is_finite()) || breaks.windows(2).any(|w| w[0] >= w[1]) {
            return Err(DrawingError::BadBreaks(breaks));
        }
        let classes = breaks.len() + 1;
        let colours = (0..classes)
            .map(|i| {
                if classes == 1 {
                    palette.at(0.5)
                } else {
                    palette.at(i as f64 / (classes - 1) as f64)
                }
            })
            .collect();
        Ok(ColourScale {
            breaks,
            colours,
            unit: unit.to_string(),
        })
    }

    /// A scale of about `classes` classes with nice breaks spanning the finite values given.
    pub fn fitted(values: &[f64], classes: usize, palette: Palette, unit: &str) -> ColourScale {
        let mut low = f64::INFINITY;
        let mut high = f64::NEG_INFINITY;
        for &v in values.iter().filter(|v| v.is_finite()) {
            low = low.min(v);
            high = high.max(v);
        }
        let breaks = if low.is_finite() && high > low {
            let step = nice_step(high - low, classes.max(2));
            let mut b = Vec::new();
            let mut edge = (low / step).floor() * step + step;
            while edge < high && b.len() < 32 {
                b.push(edge);
                edge += step;
            }
            b
        } else {
            Vec::new()
        };
        // ok: breaks are built increasing from finite numbers
        ColourScale::with_breaks(breaks, palette, unit).unwrap_or(ColourScale {
            breaks: Vec::new(),
            colours: vec![palette.at(0.5)],
            unit: unit.to_string(),
        })
    }

    /// The class of a value, or `None` for a missing (non-finite) value.
    pub fn class_of(&self, value: f64) -> Option<usize> {
        if !value.is_finite() {
            return None;
        }
        Some(self.breaks.partition_point(|b| *b <= value))
    }

    /// The number of classes.
    pub fn class_count(&self) -> usize {
        self.breaks.len() + 1
    }

    /// Legend text of each class: `< b1`, `b1 – b2`, …, `≥ bn`.
    pub fn labels(&self) -> Vec<String> {
        let step = self
            .breaks
            .windows(2)
            .map(|w| w[1] - w[0])
            .fold(f64::INFINITY, f64::min);
        let decimals = if step.is_finite() {
            decimals_for(step)
        } else {
            self.breaks
                .first()
                .map(|b| decimals_for(b.abs().max(1e-9) / 10.0))
                .unwrap_or(0)
        };
        let f = |v: f64| format_value(v, decimals);
        let n = self.breaks.len();
        if n == 0 {
            return vec!["all".to_string()];
        }
        (0..=n)
            .map(|i| {
                if i == 0 {
                    format!("< {}", f(self.breaks[0]))
                } else if i == n {
                    format!("≥ {}", f(self.breaks[n - 1]))
                } else {
                    format!("{} – {}", f(self.breaks[i - 1]), f(self.breaks[i]))
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_breaks() {
        let scale = ColourScale::with_breaks(vec![10.0, 20.0], Palette::Viridis, "m").unwrap();
        assert_eq!(scale.class_of(-5.0), Some(0));
        assert_eq!(scale.class_of(10.0), Some(1));
        assert_eq!(scale.class_of(19.9), Some(1));
        assert_eq!(scale.class_of(25.0), Some(2));
        assert_eq!(scale.class_of(f64::NAN), None);
        assert_eq!(scale.labels(), ["< 10", "10 – 20", "≥ 20"]);
        assert_eq!(scale.colours[0], "#440154");
        assert_eq!(scale.colours[2], "#fde725");
    }

    #[test]
    fn bad_breaks_are_refused() {
        assert!(ColourScale::with_breaks(vec![2.0, 1.0], Palette::Viridis, "m").is_err());
        assert!(ColourScale::with_breaks(vec![f64::NAN], Palette::Viridis, "m").is_err());
    }

    #[test]
    fn fitted_scales_span_the_values() {
        let values = [3.0, 17.5, 42.0, f64::NAN, 88.0];
        let scale = ColourScale::fitted(&values, 5, Palette::Viridis, "m");
        assert!(scale.class_count() >= 3);
        assert_eq!(scale.class_of(3.0), Some(0));
        assert_eq!(scale.class_of(88.0), Some(scale.class_count() - 1));
        let flat = ColourScale::fitted(&[1.0, 1.0], 5, Palette::Viridis, "m");
        assert_eq!(flat.class_count(), 1);
    }
}
