//! Analyser series made to order: a level with a diurnal cycle, autocorrelated noise, a slow
//! drift, dropouts, and an optional step or ramp event of known size and start.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The shape of a made series, one value per step.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesShape {
    /// Steps to make.
    pub steps: usize,
    /// Steps in a day (1440 at 1 min).
    pub steps_per_day: usize,
    /// Mean level, in the channel's unit.
    pub level: f64,
    /// Half the diurnal swing.
    pub diurnal_amplitude: f64,
    /// Standard deviation of the noise (its marginal spread).
    pub noise: f64,
    /// Lag-one autocorrelation of the noise, 0 to below 1.
    pub autocorrelation: f64,
    /// Drift per day.
    pub drift_per_day: f64,
    /// Chance per step that a dropout of `dropout_steps` missing values starts.
    pub dropout_chance: f64,
    /// Length of a dropout.
    pub dropout_steps: usize,
    /// An event added to the series.
    pub event: Option<SyntheticEvent>,
}

/// A change added to a series from `start`: a step to `size` at once, or a ramp reaching it
/// over `ramp_steps`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SyntheticEvent {
    /// First step of the event.
    pub start: usize,
    /// Size of the change, in the channel's unit.
    pub size: f64,
    /// Steps the change takes to reach its size (0 for a step).
    pub ramp_steps: usize,
}

impl SeriesShape {
    /// The series, reproducible from `seed`; `None` marks a dropout.
    pub fn make(&self, seed: u64) -> Vec<Option<f64>> {
        let mut random = ChaCha8Rng::seed_from_u64(seed);
        let innovation = self.noise * (1.0 - self.autocorrelation.powi(2)).sqrt();
        let mut noise = self.noise * gaussian(&mut random);
        let mut dropout_left = 0;
        let phase = random.gen::<f64>() * std::f64::consts::TAU;
        (0..self.steps)
            .map(|step| {
                noise = self.autocorrelation * noise + innovation * gaussian(&mut random);
                if dropout_left == 0 && random.gen::<f64>() < self.dropout_chance {
                    dropout_left = self.dropout_steps;
                }
                if dropout_left > 0 {
                    dropout_left -= 1;
                    return None;
                }
                let day = step as f64 / self.steps_per_day as f64;
                let cycle = self.diurnal_amplitude * (std::f64::consts::TAU * day + phase).sin();
                Some(self.level + cycle + self.drift_per_day * day + noise + self.change_at(step))
            })
            .collect()
    }

    fn change_at(&self, step: usize) -> f64 {
        match self.event {
            Some(event) if step >= event.start => {
                let into = (step - event.start + 1) as f64;
                let reached = if event.ramp_steps == 0 {
                    1.0
                } else {
                    (into / event.ramp_steps as f64).min(1.0)
                };
                event.size * reached
            }
            _ => 0.0,
        }
    }
}

/// A standard normal draw (Box-Muller).
fn gaussian(random: &mut impl Rng) -> f64 {
    let u: f64 = 1.0 - random.gen::<f64>();
    let v: f64 = random.gen();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}
