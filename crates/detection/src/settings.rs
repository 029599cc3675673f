//! The detector's parameters, under CANARY's names and with its example defaults.

use serde::{Deserialize, Serialize};

/// How a [`crate::Detector`] judges a station's steps. Window sizes are in steps.
///
/// The defaults are the settings of CANARY's documented LPCF example (history window 72,
/// outlier threshold 0.8, event threshold 0.85, BED window 6 with outlier probability 0.5,
/// event timeout 12). They suit channels whose noise is strongly autocorrelated, so that the
/// prediction error is much smaller than the spread of the history; a station with rougher
/// channels needs a higher outlier threshold (see BENCHMARKS.md for measured trade-offs).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Steps of past values each channel is normalised over and predicted from.
    pub history_window: usize,
    /// Prediction error, in standard deviations of the history, at or above which a step is an
    /// outlier.
    pub outlier_threshold: f64,
    /// Binomial probability at or above which the last `bed_window` steps make a possible event.
    pub event_threshold: f64,
    /// Steps of outlier flags the binomial event discriminator counts.
    pub bed_window: usize,
    /// Chance of an outlier on a normal step that the discriminator assumes (CANARY: 0.5).
    pub outlier_probability: f64,
    /// Steps of possible event after which the new values are taken as normal: the history is
    /// refilled from the latest values, outliers included.
    pub event_timeout: usize,
    /// Prediction order (past values the filter weighs); `None` uses the whole history window
    /// but one, as CANARY does.
    pub prediction_order: Option<usize>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            history_window: 72,
            outlier_threshold: 0.8,
            event_threshold: 0.85,
            bed_window: 6,
            outlier_probability: 0.5,
            event_timeout: 12,
            prediction_order: None,
        }
    }
}

/// A setting out of its range, named as the settings file names it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{name} is {value}; expected {expected}")]
pub struct SettingsError {
    /// The setting, in CANARY's words (`history window`, `outlier threshold`...).
    pub name: &'static str,
    /// What was given.
    pub value: String,
    /// What it should be.
    pub expected: &'static str,
}

impl Settings {
    /// Checks every setting, naming the first one out of range.
    pub fn check(&self) -> Result<(), SettingsError> {
        let fail = |name, value: String, expected| {
            Err(SettingsError {
                name,
                value,
                expected,
            })
        };
        if self.history_window < 4 {
            return fail(
                "history window",
                self.history_window.to_string(),
                "at least 4 steps",
            );
        }
        if !(self.outlier_threshold.is_finite() && self.outlier_threshold > 0.0) {
            return fail(
                "outlier threshold",
                self.outlier_threshold.to_string(),
                "a positive number of standard deviations",
            );
        }
        if !(self.event_threshold > 0.0 && self.event_threshold <= 1.0) {
            return fail(
                "event threshold",
                self.event_threshold.to_string(),
                "a probability above 0 and at most 1",
            );
        }
        if self.bed_window == 0 || self.bed_window > 1000 {
            return fail("BED window", self.bed_window.to_string(), "1 to 1000 steps");
        }
        if !(self.outlier_probability > 0.0 && self.outlier_probability < 1.0) {
            return fail(
                "outlier probability",
                self.outlier_probability.to_string(),
                "a probability between 0 and 1",
            );
        }
        if self.event_timeout == 0 {
            return fail("event timeout", "0".into(), "at least 1 step");
        }
        if let Some(order) = self.prediction_order {
            if order == 0 || order >= self.history_window {
                return fail(
                    "prediction order",
                    order.to_string(),
                    "at least 1 and less than the history window",
                );
            }
        }
        Ok(())
    }

    /// The prediction order in use: the one given, or the history window but one.
    pub fn order(&self) -> usize {
        self.prediction_order.unwrap_or(self.history_window - 1)
    }
}
