//! Choosing sensors on an impact matrix: the statistic to minimise, the exact MILP (the
//! p-median "impact" formulation that Chama solves, over HiGHS) and the lazy greedy (CELF).

use std::str::FromStr;

use highs::{HighsModelStatus, RowProblem, Sense};
use serde::Serialize;

use crate::{ImpactMatrix, SensorError};

/// What is minimised over the scenarios' impacts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Statistic {
    /// The probability-weighted mean (each scenario 1 / count without probabilities).
    Mean,
    /// The impact not exceeded with this confidence (a quantile, 0 < α < 1).
    ValueAtRisk(f64),
    /// The mean of the worst 1 − α of the probability (Rockafellar and Uryasev's CVaR).
    ConditionalValueAtRisk(f64),
    /// The largest impact of any scenario.
    Worst,
}

impl FromStr for Statistic {
    type Err = String;

    /// `mean`, `var:0.95`, `cvar:0.95` or `worst`.
    fn from_str(text: &str) -> Result<Self, String> {
        let confidence = |value: &str| {
            value
                .parse::<f64>()
                .ok()
                .filter(|a| *a > 0.0 && *a < 1.0)
                .ok_or_else(|| format!("{text:?}: the confidence must be between 0 and 1"))
        };
        match text.split_once(':') {
            None if text == "mean" => Ok(Statistic::Mean),
            None if text == "worst" => Ok(Statistic::Worst),
            Some(("var", value)) => Ok(Statistic::ValueAtRisk(confidence(value)?)),
            Some(("cvar", value)) => Ok(Statistic::ConditionalValueAtRisk(confidence(value)?)),
            _ => Err(format!(
                "{text:?}: expected mean, var:ALPHA, cvar:ALPHA or worst"
            )),
        }
    }
}

impl Statistic {
    /// The statistic of `impacts` weighted by `weights` (the mean uses the weights as they
    /// are, as Chama does; the others normalise them to probabilities).
    pub fn of(self, impacts: &[f64], weights: &[f64]) -> f64 {
        match self {
            Statistic::Mean => impacts.iter().zip(weights).map(|(i, w)| i * w).sum(),
            Statistic::Worst => impacts.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            Statistic::ValueAtRisk(alpha) => value_at_risk(impacts, weights, alpha),
            Statistic::ConditionalValueAtRisk(alpha) => {
                let var = value_at_risk(impacts, weights, alpha);
                let total: f64 = weights.iter().sum();
                let tail: f64 = impacts
                    .iter()
                    .zip(weights)
                    .map(|(i, w)| w / total * (i - var).max(0.0))
                    .sum();
                var + tail / (1.0 - alpha)
            }
        }
    }
}

/// The smallest impact whose cumulative probability reaches `alpha`.
fn value_at_risk(impacts: &[f64], weights: &[f64], alpha: f64) -> f64 {
    let total: f64 = weights.iter().sum();
    let mut order: Vec<usize> = (0..impacts.len()).collect();
    order.sort_by(|a, b| impacts[*a].total_cmp(&impacts[*b]));
    let mut cumulative = 0.0;
    for &a in &order {
        cumulative += weights[a] / total;
        if cumulative >= alpha - 1e-12 {
            return impacts[a];
        }
    }
    order.last().map_or(0.0, |&a| impacts[a])
}

/// How the sensors are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The exact mixed-integer program, solved by HiGHS to optimality.
    Milp,
    /// Lazy greedy: one sensor at a time, the one that lowers the statistic most; then single
    /// swaps of a chosen sensor for another while one lowers it (Teitz and Bart's interchange).
    Greedy,
}

/// What to place.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Sensors in all, the fixed ones included.
    pub count: usize,
    /// What to minimise.
    pub statistic: Statistic,
    /// How.
    pub method: Method,
    /// Sensors that are there already (indices into the matrix's sensors).
    pub fixed: Vec<usize>,
    /// Sensors that may not be chosen.
    pub excluded: Vec<usize>,
}

/// The chosen sensors and how good they are.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Placement {
    /// Indices of the chosen sensors, ascending.
    pub sensors: Vec<usize>,
    /// The statistic with these sensors.
    pub objective: f64,
    /// For the greedy mean: no placement of `count` sensors can do better than this (the
    /// greedy's online bound, from submodularity). For the MILP, the objective itself.
    pub bound: Option<f64>,
    /// Share of the scenarios' weight that some chosen sensor detects.
    pub detected_fraction: f64,
}

/// Chooses sensors on `matrix` as `request` asks.
pub fn place(matrix: &ImpactMatrix, request: &Request) -> Result<Placement, SensorError> {
    check(matrix, request)?;
    let sensors = match request.method {
        Method::Milp => milp(matrix, request)?,
        Method::Greedy => interchange(matrix, request, greedy(matrix, request).0),
    };
    let bound = match request.method {
        Method::Milp => None,
        Method::Greedy => greedy_bound(matrix, request, &sensors),
    };
    let mut placement = evaluate(matrix, request.statistic, sensors);
    placement.bound = match request.method {
        Method::Milp => Some(placement.objective),
        Method::Greedy => bound,
    };
    Ok(placement)
}

fn check(matrix: &ImpactMatrix, request: &Request) -> Result<(), SensorError> {
    let candidates = (0..matrix.sensors.len())
        .filter(|s| !request.excluded.contains(s))
        .count();
    if request.count > candidates {
        return Err(SensorError::Request(format!(
            "--count {} is more than the {candidates} candidate sensors (those that detect \
             some scenario, less the excluded ones)",
            request.count
        )));
    }
    if request.fixed.len() > request.count {
        return Err(SensorError::Request(format!(
            "{} fixed sensors are more than --count {}",
            request.fixed.len(),
            request.count
        )));
    }
    if let Some(&both) = request.fixed.iter().find(|s| request.excluded.contains(s)) {
        return Err(SensorError::Request(format!(
            "sensor {} is both fixed and excluded",
            matrix.sensors[both]
        )));
    }
    if matrix.scenarios.is_empty() {
        return Err(SensorError::Request(
            "the impact file has no scenarios".into(),
        ));
    }
    Ok(())
}

/// The placement of `sensors` with its statistic.
pub fn evaluate(matrix: &ImpactMatrix, statistic: Statistic, mut sensors: Vec<usize>) -> Placement {
    sensors.sort_unstable();
    sensors.dedup();
    let impacts = matrix.scenario_impacts(&sensors);
    let weights = matrix.weights();
    let mut placed = vec![false; matrix.sensors.len()];
    sensors.iter().for_each(|&s| placed[s] = true);
    let total: f64 = weights.iter().sum();
    let detected: f64 = matrix
        .detections
        .iter()
        .zip(&weights)
        .filter(|(detections, _)| detections.iter().any(|(s, _)| placed[*s]))
        .map(|(_, w)| w)
        .sum();
    Placement {
        objective: statistic.of(&impacts, &weights),
        sensors,
        bound: None,
        detected_fraction: if total > 0.0 { detected / total } else { 0.0 },
    }
}

/// The MILP: y(i) = 1 where sensor i is placed; x(a, i) = 1 where i is the sensor that
/// detects scenario a (or the "not detected" column when none placed does); each scenario
/// gets one x, an x only where its sensor is placed, and at most `count` sensors.
fn milp(matrix: &ImpactMatrix, request: &Request) -> Result<Vec<usize>, SensorError> {
    let weights = matrix.weights();
    let total: f64 = weights.iter().sum();
    let mut problem = RowProblem::default();
    // The y columns come first, so each one's position in the solution is its count so far.
    let mut position = Vec::new();
    let placed: Vec<Option<highs::Col>> = (0..matrix.sensors.len())
        .map(|s| {
            if request.excluded.contains(&s) {
                return None;
            }
            position.push(s);
            let lowest = if request.fixed.contains(&s) { 1.0 } else { 0.0 };
            Some(problem.add_integer_column(0.0, lowest..=1.0))
        })
        .collect();
    // The statistic's own columns: the worst impact, or CVaR's threshold and excesses.
    let (worst, threshold, excess) = match request.statistic {
        Statistic::Mean => (None, None, Vec::new()),
        Statistic::Worst => (
            Some(problem.add_column(1.0, f64::NEG_INFINITY..)),
            None,
            Vec::new(),
        ),
        Statistic::ConditionalValueAtRisk(alpha) => {
            let eta = problem.add_column(1.0, f64::NEG_INFINITY..);
            let excess = weights
                .iter()
                .map(|w| problem.add_column(w / total / (1.0 - alpha), 0.0..))
                .collect();
            (None, Some(eta), excess)
        }
        Statistic::ValueAtRisk(_) => {
            return Err(SensorError::Request(
                "var is not a linear objective: use --method greedy, or cvar".into(),
            ))
        }
    };
    for (a, scenario) in matrix.scenarios.iter().enumerate() {
        let mean_weight = if request.statistic == Statistic::Mean {
            weights[a]
        } else {
            0.0
        };
        let mut choice = Vec::new();
        let mut impact = Vec::new();
        let mut add = |problem: &mut RowProblem, value: f64, sensor: Option<highs::Col>| {
            let x = problem.add_column(mean_weight * value, 0.0..=1.0);
            if let Some(y) = sensor {
                problem.add_row(..=0.0, [(x, 1.0), (y, -1.0)]);
            }
            choice.push((x, 1.0));
            impact.push((x, value));
        };
        for &(sensor, value) in &matrix.detections[a] {
            if let Some(y) = placed[sensor] {
                add(&mut problem, value, Some(y));
            }
        }
        add(&mut problem, scenario.undetected_impact, None);
        problem.add_row(1.0..=1.0, choice);
        if let Some(z) = worst {
            impact.push((z, -1.0));
            problem.add_row(..=0.0, impact);
        } else if let Some(eta) = threshold {
            impact.push((eta, -1.0));
            impact.push((excess[a], -1.0));
            problem.add_row(..=0.0, impact);
        }
    }
    let budget: Vec<(highs::Col, f64)> = placed.iter().flatten().map(|y| (*y, 1.0)).collect();
    problem.add_row(..=request.count as f64, budget);
    let mut model = problem.optimise(Sense::Minimise);
    model.set_option("output_flag", false);
    model.set_option("mip_rel_gap", 1e-9);
    model.set_option("mip_abs_gap", 0.0);
    let solved = model.solve();
    if solved.status() != HighsModelStatus::Optimal {
        return Err(SensorError::Solver(format!("{:?}", solved.status())));
    }
    let columns = solved.get_solution().columns().to_vec();
    Ok(position
        .iter()
        .enumerate()
        .filter(|(column, _)| columns[*column] > 0.5)
        .map(|(_, &sensor)| sensor)
        .collect())
}

/// Greedy from the fixed sensors: each round adds the sensor that lowers the statistic most.
/// For the mean, whose reduction is submodular, gains only shrink as sensors are added, so
/// a gain computed in an earlier round bounds today's and most candidates are skipped (CELF).
/// Returns the sensors and the per-scenario impacts they leave.
fn greedy(matrix: &ImpactMatrix, request: &Request) -> (Vec<usize>, Vec<f64>) {
    let weights = matrix.weights();
    let mut chosen = request.fixed.clone();
    let mut impacts = matrix.scenario_impacts(&chosen);
    let by_sensor = scenarios_by_sensor(matrix);
    let mut stale: Vec<(f64, usize)> = (0..matrix.sensors.len())
        .filter(|s| !chosen.contains(s) && !request.excluded.contains(s))
        .map(|s| (f64::INFINITY, s))
        .collect();
    while chosen.len() < request.count && !stale.is_empty() {
        let current = request.statistic.of(&impacts, &weights);
        let lazy = request.statistic == Statistic::Mean;
        let mut best: Option<(f64, usize)> = None;
        stale.sort_by(|a, b| b.0.total_cmp(&a.0));
        for entry in stale.iter_mut() {
            if lazy && best.is_some_and(|(gain, _)| gain >= entry.0) {
                break;
            }
            let after = with_sensor(&impacts, &by_sensor[entry.1]);
            entry.0 = current - request.statistic.of(&after, &weights);
            if best.is_none_or(|(gain, s)| entry.0 > gain || (entry.0 == gain && entry.1 < s)) {
                best = Some((entry.0, entry.1));
            }
        }
        let Some((_, sensor)) = best else { break };
        stale.retain(|(_, s)| *s != sensor);
        impacts = with_sensor(&impacts, &by_sensor[sensor]);
        chosen.push(sensor);
    }
    (chosen, impacts)
}

/// Swaps one free chosen sensor for one unchosen candidate while a swap lowers the statistic,
/// taking the best swap each pass.
fn interchange(matrix: &ImpactMatrix, request: &Request, mut chosen: Vec<usize>) -> Vec<usize> {
    let weights = matrix.weights();
    let value = |sensors: &[usize]| {
        request
            .statistic
            .of(&matrix.scenario_impacts(sensors), &weights)
    };
    let mut current = value(&chosen);
    loop {
        let mut best: Option<(f64, usize, usize)> = None;
        for position in 0..chosen.len() {
            if request.fixed.contains(&chosen[position]) {
                continue;
            }
            for candidate in 0..matrix.sensors.len() {
                if chosen.contains(&candidate) || request.excluded.contains(&candidate) {
                    continue;
                }
                let mut trial = chosen.clone();
                trial[position] = candidate;
                let after = value(&trial);
                let margin = 1e-12 * current.abs().max(1.0);
                if after < current - margin && best.is_none_or(|(b, _, _)| after < b) {
                    best = Some((after, position, candidate));
                }
            }
        }
        let Some((after, position, candidate)) = best else {
            return chosen;
        };
        chosen[position] = candidate;
        current = after;
    }
}

/// For the mean only: the optimum is at least the greedy's objective less the largest
/// `count − fixed` gains any further sensor would still bring (Leskovec et al., 2007).
fn greedy_bound(matrix: &ImpactMatrix, request: &Request, sensors: &[usize]) -> Option<f64> {
    if request.statistic != Statistic::Mean {
        return None;
    }
    let weights = matrix.weights();
    let impacts = matrix.scenario_impacts(sensors);
    let current = Statistic::Mean.of(&impacts, &weights);
    let by_sensor = scenarios_by_sensor(matrix);
    let mut gains: Vec<f64> = (0..matrix.sensors.len())
        .filter(|s| !sensors.contains(s) && !request.excluded.contains(s))
        .map(|s| current - Statistic::Mean.of(&with_sensor(&impacts, &by_sensor[s]), &weights))
        .collect();
    gains.sort_by(|a, b| b.total_cmp(a));
    let free = request.count - request.fixed.len();
    Some(current - gains.iter().take(free).sum::<f64>())
}

/// Per sensor, `(scenario, impact)` for each scenario it detects.
fn scenarios_by_sensor(matrix: &ImpactMatrix) -> Vec<Vec<(usize, f64)>> {
    let mut by_sensor = vec![Vec::new(); matrix.sensors.len()];
    for (a, detections) in matrix.detections.iter().enumerate() {
        for &(s, impact) in detections {
            by_sensor[s].push((a, impact));
        }
    }
    by_sensor
}

fn with_sensor(impacts: &[f64], detects: &[(usize, f64)]) -> Vec<f64> {
    let mut after = impacts.to_vec();
    for &(a, impact) in detects {
        after[a] = after[a].min(impact);
    }
    after
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every subset of `count` sensors, for small matrices: the true optimum.
    fn exhaustive(matrix: &ImpactMatrix, count: usize, statistic: Statistic) -> f64 {
        let n = matrix.sensors.len();
        let weights = matrix.weights();
        (0u32..1 << n)
            .filter(|mask| mask.count_ones() as usize == count)
            .map(|mask| {
                let sensors: Vec<usize> = (0..n).filter(|s| mask & (1 << s) != 0).collect();
                statistic.of(&matrix.scenario_impacts(&sensors), &weights)
            })
            .fold(f64::INFINITY, f64::min)
    }

    fn matrix(seed: u64) -> ImpactMatrix {
        let mut state = seed;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as f64 / (1u64 << 31) as f64
        };
        let sensors: Vec<String> = (0..8).map(|s| format!("n{s}")).collect();
        let mut text = String::from("Scenario,Sensor,Impact\n");
        for a in 0..25 {
            for s in &sensors {
                if next() < 0.4 {
                    text += &format!("s{a},{s},{:.0}\n", 10.0 + 90.0 * next());
                }
            }
        }
        ImpactMatrix::read(text.as_bytes(), "m", None::<(&[u8], &str)>, Some(150.0)).unwrap()
    }

    #[test]
    fn the_milp_finds_the_exhaustive_optimum_for_each_statistic() {
        for seed in 1..6 {
            let matrix = matrix(seed);
            for statistic in [
                Statistic::Mean,
                Statistic::Worst,
                Statistic::ConditionalValueAtRisk(0.8),
            ] {
                for count in [1, 2, 3] {
                    let request = Request {
                        count,
                        statistic,
                        method: Method::Milp,
                        fixed: vec![],
                        excluded: vec![],
                    };
                    let placement = place(&matrix, &request).unwrap();
                    let best = exhaustive(&matrix, count, statistic);
                    assert!(
                        (placement.objective - best).abs() <= 1e-9 * best.abs().max(1.0),
                        "seed {seed} {statistic:?} p={count}: {} vs {best}",
                        placement.objective
                    );
                }
            }
        }
    }

    #[test]
    fn the_greedy_mean_lies_between_its_bound_and_the_optimum_bound() {
        for seed in 1..6 {
            let matrix = matrix(seed);
            for count in [1, 2, 3] {
                let request = Request {
                    count,
                    statistic: Statistic::Mean,
                    method: Method::Greedy,
                    fixed: vec![],
                    excluded: vec![],
                };
                let placement = place(&matrix, &request).unwrap();
                let best = exhaustive(&matrix, count, Statistic::Mean);
                let bound = placement.bound.unwrap();
                assert!(bound <= best + 1e-9 && best <= placement.objective + 1e-9);
            }
        }
    }

    #[test]
    fn fixed_sensors_stay_and_excluded_ones_are_never_chosen() {
        let matrix = matrix(3);
        for method in [Method::Milp, Method::Greedy] {
            let request = Request {
                count: 3,
                statistic: Statistic::Mean,
                method,
                fixed: vec![5],
                excluded: vec![0, 1],
            };
            let placement = place(&matrix, &request).unwrap();
            assert!(placement.sensors.contains(&5), "{method:?}");
            assert!(!placement.sensors.contains(&0) && !placement.sensors.contains(&1));
        }
    }

    #[test]
    fn asking_for_more_sensors_than_candidates_is_refused() {
        let matrix = matrix(2);
        let request = Request {
            count: 9,
            statistic: Statistic::Mean,
            method: Method::Milp,
            fixed: vec![],
            excluded: vec![],
        };
        let error = place(&matrix, &request).unwrap_err().to_string();
        assert!(error.contains("--count 9"), "{error}");
    }

    #[test]
    fn statistics_parse_and_bad_ones_say_what_is_expected() {
        assert_eq!("mean".parse(), Ok(Statistic::Mean));
        assert_eq!(
            "cvar:0.95".parse(),
            Ok(Statistic::ConditionalValueAtRisk(0.95))
        );
        assert!("cvar:1.5"
            .parse::<Statistic>()
            .unwrap_err()
            .contains("between 0 and 1"));
        assert!("median"
            .parse::<Statistic>()
            .unwrap_err()
            .contains("expected mean"));
    }
}
