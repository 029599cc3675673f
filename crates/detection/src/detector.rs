//! One station's detector: each step's channels normalised over their history, predicted,
//! judged for outliers, and the outliers weighed by the binomial event discriminator.

use std::collections::VecDeque;

use serde::Serialize;

use crate::discriminator::EventDiscriminator;
use crate::prediction::predict_next;
use crate::settings::{Settings, SettingsError};

/// One analyser channel of a station.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Channel {
    /// The channel's name or tag code.
    pub name: String,
    /// The smallest change the analyser resolves, in its unit (e.g. 0.01 NTU). A change no
    /// larger than this never makes an outlier, however quiet the history.
    pub precision: f64,
}

/// What a step was judged to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The history windows are still filling; nothing is judged yet.
    Filling,
    /// Every channel was missing at this step.
    Missing,
    /// Within the prediction on every channel.
    Normal,
    /// At least one channel outside its prediction by the outlier threshold.
    Outlier,
    /// The recent outliers are too many to be chance: an event may be under way.
    PossibleEvent,
    /// A possible event lasted the event timeout: its values are now taken as the new normal.
    EventTimeout,
}

/// The verdict on one step, with each channel's part in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepResult {
    /// What the step was judged to be.
    pub status: Status,
    /// Event probability from the discriminator, 0 to 1 (`None` while filling or missing).
    pub probability: Option<f64>,
    /// Each channel's prediction error in standard deviations of its history (`None` when the
    /// channel was missing or not yet judged).
    pub residuals: Vec<Option<f64>>,
    /// Whether each channel's error reached the outlier threshold.
    pub contributing: Vec<bool>,
}

/// A channel's values: the history it is judged against, and the latest values seen.
#[derive(Debug, Clone)]
struct ChannelState {
    channel: Channel,
    /// Values judged normal (outliers are kept out), oldest first.
    history: VecDeque<f64>,
    /// The latest values whatever their verdict, so that a timeout can take them as normal.
    recent: VecDeque<f64>,
}

/// The detector of one station: its channels, settings and running state.
#[derive(Debug, Clone)]
pub struct Detector {
    settings: Settings,
    channels: Vec<ChannelState>,
    discriminator: EventDiscriminator,
    /// Consecutive steps of possible event, reset when the odds fall back to even.
    steps_in_event: usize,
}

/// A step handed values for a different number of channels than the station has.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("a step has {given} values; the station has {expected} channels")]
pub struct ChannelCountError {
    /// Values given.
    pub given: usize,
    /// Channels of the station.
    pub expected: usize,
}

impl Detector {
    /// A detector for `channels` with `settings`, refused when a setting or a channel's
    /// precision is out of range.
    pub fn new(settings: Settings, channels: Vec<Channel>) -> Result<Self, SettingsError> {
        settings.check()?;
        if let Some(bad) = channels
            .iter()
            .find(|c| !(c.precision.is_finite() && c.precision >= 0.0))
        {
            return Err(SettingsError {
                name: "precision",
                value: format!("{} (channel {})", bad.precision, bad.name),
                expected: "a finite, non-negative change in the channel's unit",
            });
        }
        let window = settings.history_window;
        let channels = channels
            .into_iter()
            .map(|channel| ChannelState {
                channel,
                history: VecDeque::with_capacity(window),
                recent: VecDeque::with_capacity(window),
            })
            .collect();
        Ok(Detector {
            discriminator: EventDiscriminator::new(
                settings.bed_window,
                settings.outlier_probability,
            )?,
            settings,
            channels,
            steps_in_event: 0,
        })
    }

    /// The settings in use.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The station's channels, in the order steps give their values.
    pub fn channels(&self) -> impl Iterator<Item = &Channel> {
        self.channels.iter().map(|state| &state.channel)
    }

    /// Judges one step: a value per channel, in channel order, `None` (or NaN) where missing.
    pub fn step(&mut self, values: &[Option<f64>]) -> Result<StepResult, ChannelCountError> {
        if values.len() != self.channels.len() {
            return Err(ChannelCountError {
                given: values.len(),
                expected: self.channels.len(),
            });
        }
        let values: Vec<Option<f64>> = values
            .iter()
            .map(|value| value.filter(|v| v.is_finite()))
            .collect();
        self.remember(&values);
        if self.filling() {
            self.fill(&values);
            return Ok(self.unjudged(Status::Filling));
        }
        if values.iter().all(Option::is_none) {
            return Ok(self.unjudged(Status::Missing));
        }
        Ok(self.judge(&values))
    }

    fn filling(&self) -> bool {
        self.channels
            .iter()
            .any(|state| state.history.len() < self.settings.history_window)
    }

    fn unjudged(&self, status: Status) -> StepResult {
        StepResult {
            status,
            probability: None,
            residuals: vec![None; self.channels.len()],
            contributing: vec![false; self.channels.len()],
        }
    }

    /// Keeps the latest values of every channel, a missing one repeating the last seen.
    fn remember(&mut self, values: &[Option<f64>]) {
        let window = self.settings.history_window;
        for (state, value) in self.channels.iter_mut().zip(values) {
            if let Some(value) = value.or_else(|| state.recent.back().copied()) {
                push_rolling(&mut state.recent, value, window);
            }
        }
    }

    fn fill(&mut self, values: &[Option<f64>]) {
        let window = self.settings.history_window;
        for (state, value) in self.channels.iter_mut().zip(values) {
            if let Some(value) = value.or_else(|| state.history.back().copied()) {
                push_rolling(&mut state.history, value, window);
            }
        }
    }

    fn judge(&mut self, values: &[Option<f64>]) -> StepResult {
        let settings = self.settings;
        let residuals: Vec<Option<f64>> = self
            .channels
            .iter()
            .zip(values)
            .map(|(state, value)| value.map(|v| state.residual(v, &settings)))
            .collect();
        let contributing: Vec<bool> = residuals
            .iter()
            .map(|r| r.is_some_and(|r| r.abs() >= settings.outlier_threshold))
            .collect();
        let outlier = contributing.iter().any(|c| *c);
        if !outlier {
            // Outliers stay out of the history, so that an event cannot teach the detector
            // that it is normal before the timeout says so.
            self.fill(values);
        }
        self.discriminator.push(outlier);
        let probability = self.discriminator.probability();
        let status = self.status_after(outlier, probability);
        StepResult {
            status,
            probability: Some(probability),
            residuals,
            contributing,
        }
    }

    /// The step's status from its outlier flag and the event probability, counting the steps
    /// of a possible event towards its timeout.
    fn status_after(&mut self, outlier: bool, probability: f64) -> Status {
        let status = if probability >= self.settings.event_threshold {
            self.steps_in_event += 1;
            Status::PossibleEvent
        } else {
            if probability <= 0.5 {
                self.steps_in_event = 0;
            }
            if outlier {
                Status::Outlier
            } else {
                Status::Normal
            }
        };
        if self.steps_in_event >= self.settings.event_timeout {
            self.accept_new_normal();
            return Status::EventTimeout;
        }
        status
    }

    /// After a timeout the latest values, outliers and all, become the history.
    fn accept_new_normal(&mut self) {
        for state in &mut self.channels {
            state.history = state.recent.clone();
        }
        self.discriminator.clear();
        self.steps_in_event = 0;
    }
}

impl ChannelState {
    /// The prediction error of `value`, in standard deviations of the history.
    fn residual(&self, value: f64, settings: &Settings) -> f64 {
        let count = self.history.len() as f64;
        let mean = self.history.iter().sum::<f64>() / count;
        let variance = self.history.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (count - 1.0);
        // The floor keeps a change within the analyser's resolution under the threshold.
        let spread = variance
            .sqrt()
            .max(self.channel.precision / settings.outlier_threshold)
            .max(f64::MIN_POSITIVE);
        let normalised: Vec<f64> = self.history.iter().map(|v| (v - mean) / spread).collect();
        let last = normalised[normalised.len() - 1];
        let predicted = predict_next(&normalised, settings.order()).unwrap_or(last);
        (value - mean) / spread - predicted
    }
}

fn push_rolling(values: &mut VecDeque<f64>, value: f64, window: usize) {
    if values.len() == window {
        values.pop_front();
    }
    values.push_back(value);
}
