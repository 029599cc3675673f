//! The binomial event discriminator (BED): how unlikely the recent run of outliers would be if
//! each step were an outlier only by chance.

use std::collections::VecDeque;

use statrs::distribution::{Binomial, DiscreteCDF};

use crate::settings::SettingsError;

/// The outlier flags of the last `window` steps and the binomial distribution they are judged by.
#[derive(Debug, Clone)]
pub struct EventDiscriminator {
    flags: VecDeque<bool>,
    window: usize,
    binomial: Binomial,
}

impl EventDiscriminator {
    /// A discriminator over `window` steps (at least one), all normal at first, assuming an
    /// outlier chance of `outlier_probability` per step (between 0 and 1).
    pub fn new(window: usize, outlier_probability: f64) -> Result<Self, SettingsError> {
        let binomial = Binomial::new(outlier_probability, window as u64)
            .ok()
            .filter(|_| window > 0)
            .ok_or_else(|| SettingsError {
                name: "BED",
                value: format!("window {window}, outlier probability {outlier_probability}"),
                expected: "a window of at least 1 step and a probability between 0 and 1",
            })?;
        Ok(EventDiscriminator {
            flags: VecDeque::from(vec![false; window]),
            window,
            binomial,
        })
    }

    /// Records one step's flag, dropping the oldest.
    pub fn push(&mut self, outlier: bool) {
        if self.flags.len() == self.window {
            self.flags.pop_front();
        }
        self.flags.push_back(outlier);
    }

    /// Forgets every flag, as after an event timeout.
    pub fn clear(&mut self) {
        self.flags.iter_mut().for_each(|flag| *flag = false);
    }

    /// Outliers among the last `window` steps.
    pub fn outliers(&self) -> usize {
        self.flags.iter().filter(|flag| **flag).count()
    }

    /// The binomial cumulative probability of the current outlier count: the event probability.
    pub fn probability(&self) -> f64 {
        self.binomial.cdf(self.outliers() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With CANARY's window of 6 at p = 0.5, four outliers give P(X ≤ 4) = 57/64.
    #[test]
    fn probability_is_the_binomial_cumulative() {
        let mut discriminator = EventDiscriminator::new(6, 0.5).unwrap();
        for flag in [true, false, true, true, true] {
            discriminator.push(flag);
        }
        assert_eq!(discriminator.outliers(), 4);
        assert!((discriminator.probability() - 57.0 / 64.0).abs() < 1e-12);
        discriminator.push(false);
        discriminator.push(false);
        assert_eq!(discriminator.outliers(), 3);
        assert!((discriminator.probability() - 42.0 / 64.0).abs() < 1e-12);
    }

    #[test]
    fn an_empty_window_or_an_impossible_chance_is_refused() {
        assert!(EventDiscriminator::new(0, 0.5).is_err());
        assert!(EventDiscriminator::new(6, 1.5).is_err());
        assert!(EventDiscriminator::new(6, f64::NAN).is_err());
    }
}
