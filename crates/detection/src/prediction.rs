//! Linear prediction of a channel's next value from its history: the autocorrelation
//! (Yule-Walker) method, solved by the Levinson-Durbin recursion.

/// Predicts the value after `history`, from the `order` values before it.
///
/// `history` should be normalised (mean 0, spread 1) so that its autocorrelation is well scaled.
/// The filter's weights come from the biased autocorrelation of the whole history, which keeps
/// the Toeplitz system positive definite, so the recursion never divides by zero unless the
/// history is constant; then, or when `history` is shorter than `order + 1`, there is no
/// prediction (`None`).
pub fn predict_next(history: &[f64], order: usize) -> Option<f64> {
    PredictionFilter::fit(history, order).map(|filter| filter.predict(history))
}

/// A linear prediction filter fitted to a history: x(n) ≈ Σ w(k)·x(n-k).
#[derive(Debug, Clone, PartialEq)]
pub struct PredictionFilter {
    /// w(1..=order), index 0 holding w(1).
    weights: Vec<f64>,
    /// Mean square one-step prediction error over the history, in the history's units squared.
    error: f64,
}

impl PredictionFilter {
    /// The filter of `order` fitted to `history` (see [`predict_next`]); `None` when the
    /// history is constant or shorter than `order + 1`.
    pub fn fit(history: &[f64], order: usize) -> Option<Self> {
        if order == 0 || history.len() <= order {
            return None;
        }
        let (weights, error) = levinson_durbin(&autocorrelation(history, order))?;
        Some(PredictionFilter { weights, error })
    }

    /// The value after `history` (which holds at least the filter's order of values).
    pub fn predict(&self, history: &[f64]) -> f64 {
        let latest = history.len() - 1;
        self.weights
            .iter()
            .enumerate()
            .map(|(lag, weight)| weight * history[latest - lag])
            .sum()
    }

    /// The standard deviation of the one-step prediction error, in the history's units.
    pub fn error_spread(&self) -> f64 {
        self.error.max(0.0).sqrt()
    }

    /// How much wider the error of a prediction `steps` ahead (made by feeding predictions back
    /// in) is than that of one step ahead: sqrt(Σ ψ(j)², j < steps), ψ the filter's impulse
    /// response. 1 for one step; it grows towards the ratio of the process's spread to its
    /// one-step error.
    pub fn spread_ahead(&self, steps: usize) -> f64 {
        let mut impulse: Vec<f64> = Vec::with_capacity(steps);
        for j in 0..steps {
            let response = if j == 0 {
                1.0
            } else {
                (1..=j.min(self.weights.len()))
                    .map(|i| self.weights[i - 1] * impulse[j - i])
                    .sum()
            };
            impulse.push(response);
        }
        impulse.iter().map(|psi| psi * psi).sum::<f64>().sqrt()
    }
}

/// The biased autocorrelation r(0..=max_lag): sums of lagged products divided by the length.
fn autocorrelation(values: &[f64], max_lag: usize) -> Vec<f64> {
    let length = values.len() as f64;
    (0..=max_lag)
        .map(|lag| {
            values[lag..]
                .iter()
                .zip(values)
                .map(|(later, earlier)| later * earlier)
                .sum::<f64>()
                / length
        })
        .collect()
}

/// Weights w(1..=p) of the predictor x(n) ≈ Σ w(k)·x(n-k) from r(0..=p), index 0 holding
/// w(1), and the mean square prediction error left; `None` when the prediction error vanishes
/// (a constant or perfectly periodic history).
fn levinson_durbin(autocorrelation: &[f64]) -> Option<(Vec<f64>, f64)> {
    let order = autocorrelation.len() - 1;
    let mut weights = vec![0.0; order];
    let mut previous = vec![0.0; order];
    let mut error = autocorrelation[0];
    for step in 0..order {
        if error <= autocorrelation[0] * 1e-12 {
            return if step == 0 {
                None
            } else {
                Some((weights, error))
            };
        }
        let fitted: f64 = (0..step)
            .map(|k| weights[k] * autocorrelation[step - k])
            .sum();
        let reflection = (autocorrelation[step + 1] - fitted) / error;
        previous[..step].copy_from_slice(&weights[..step]);
        for k in 0..step {
            weights[k] = previous[k] - reflection * previous[step - 1 - k];
        }
        weights[step] = reflection;
        error *= 1.0 - reflection * reflection;
    }
    Some((weights, error))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An AR(1) process x(n) = φ·x(n-1) has r(k) = φ^k·r(0): the first weight is φ, the rest 0.
    #[test]
    fn recovers_a_first_order_process() {
        let phi: f64 = 0.7;
        let correlation: Vec<f64> = (0..6).map(|k| phi.powi(k)).collect();
        let (weights, _) = levinson_durbin(&correlation).unwrap();
        assert!((weights[0] - phi).abs() < 1e-12, "{weights:?}");
        assert!(weights[1..].iter().all(|w| w.abs() < 1e-12), "{weights:?}");
    }

    /// The recursion solves the Toeplitz normal equations: check them on an arbitrary series.
    #[test]
    fn weights_solve_the_normal_equations() {
        let values: Vec<f64> = (0..50)
            .map(|n| (n as f64 * 0.3).sin() + 0.2 * (n as f64 * 1.7).cos())
            .collect();
        let order = 5;
        let r = autocorrelation(&values, order);
        let (weights, _) = levinson_durbin(&r).unwrap();
        for row in 0..order {
            let left: f64 = (0..order).map(|k| weights[k] * r[row.abs_diff(k)]).sum();
            assert!(
                (left - r[row + 1]).abs() < 1e-9,
                "row {row}: {left} vs {}",
                r[row + 1]
            );
        }
    }

    /// For AR(1) the error k steps ahead has variance σ²·(1 + φ² + … + φ^(2(k-1))).
    #[test]
    fn spread_ahead_of_a_first_order_process() {
        let phi: f64 = 0.9;
        let filter = PredictionFilter {
            weights: vec![phi, 0.0, 0.0],
            error: 1.0 - phi * phi,
        };
        for steps in 1..8 {
            let expected = ((0..steps).map(|j| phi.powi(2 * j)).sum::<f64>()).sqrt();
            assert!((filter.spread_ahead(steps as usize) - expected).abs() < 1e-12);
        }
    }

    #[test]
    fn a_constant_history_has_no_prediction() {
        assert_eq!(predict_next(&[0.0; 10], 3), None);
        assert_eq!(predict_next(&[1.0, 2.0], 3), None);
    }
}
