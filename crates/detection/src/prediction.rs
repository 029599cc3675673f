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
    if order == 0 || history.len() <= order {
        return None;
    }
    let autocorrelation = autocorrelation(history, order);
    let weights = levinson_durbin(&autocorrelation)?;
    let latest = history.len() - 1;
    let predicted = weights
        .iter()
        .enumerate()
        .map(|(lag, weight)| weight * history[latest - lag])
        .sum();
    Some(predicted)
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
/// w(1); `None` when the prediction error vanishes (a constant or perfectly periodic history).
fn levinson_durbin(autocorrelation: &[f64]) -> Option<Vec<f64>> {
    let order = autocorrelation.len() - 1;
    let mut weights = vec![0.0; order];
    let mut previous = vec![0.0; order];
    let mut error = autocorrelation[0];
    for step in 0..order {
        if error <= autocorrelation[0] * 1e-12 {
            return if step == 0 { None } else { Some(weights) };
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
    Some(weights)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An AR(1) process x(n) = φ·x(n-1) has r(k) = φ^k·r(0): the first weight is φ, the rest 0.
    #[test]
    fn recovers_a_first_order_process() {
        let phi: f64 = 0.7;
        let correlation: Vec<f64> = (0..6).map(|k| phi.powi(k)).collect();
        let weights = levinson_durbin(&correlation).unwrap();
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
        let weights = levinson_durbin(&r).unwrap();
        for row in 0..order {
            let left: f64 = (0..order).map(|k| weights[k] * r[row.abs_diff(k)]).sum();
            assert!(
                (left - r[row + 1]).abs() < 1e-9,
                "row {row}: {left} vs {}",
                r[row + 1]
            );
        }
    }

    #[test]
    fn a_constant_history_has_no_prediction() {
        assert_eq!(predict_next(&[0.0; 10], 3), None);
        assert_eq!(predict_next(&[1.0, 2.0], 3), None);
    }
}
