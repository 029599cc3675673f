//! The impact matrix: for each scenario, the impact if each sensor that detects it were the
//! first to, and the impact if none does. Read and written in Chama's layout, so that Chama
//! and Danjiang can solve the same file.
//!
//! - impact file: `Scenario,Sensor,Impact`, one row per scenario and sensor that detects it;
//! - scenario file: `Scenario,Undetected Impact,Probability`.

use std::collections::HashMap;
use std::io::{Read, Write};

use crate::SensorError;

/// One scenario: its name, the impact when no sensor detects it, and its probability.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The scenario's name, as the impact file names it.
    pub name: String,
    /// Impact when no chosen sensor detects the scenario.
    pub undetected_impact: f64,
    /// Probability of the scenario; `None` weighs every scenario alike (1 / count).
    pub probability: Option<f64>,
}

/// Impacts of scenarios by sensors.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImpactMatrix {
    /// Scenarios, in the order first met.
    pub scenarios: Vec<Scenario>,
    /// Candidate sensors (names), in the order first met.
    pub sensors: Vec<String>,
    /// Per scenario, `(sensor index, impact)` for each sensor that detects it.
    pub detections: Vec<Vec<(usize, f64)>>,
}

impl ImpactMatrix {
    /// Position of a sensor by name.
    pub fn sensor_index(&self, name: &str) -> Option<usize> {
        self.sensors.iter().position(|s| s == name)
    }

    /// Each scenario's weight in a mean: its probability when every scenario has one, else
    /// 1 / count (as Chama weighs them with and without `use_scenario_probability`).
    pub fn weights(&self) -> Vec<f64> {
        if self.scenarios.iter().all(|s| s.probability.is_some()) {
            self.scenarios
                .iter()
                .map(|s| s.probability.unwrap_or(0.0))
                .collect()
        } else {
            let count = self.scenarios.len().max(1) as f64;
            vec![1.0 / count; self.scenarios.len()]
        }
    }

    /// Each scenario's impact with `sensors` placed: the least impact among the placed
    /// sensors that detect it, else its undetected impact.
    pub fn scenario_impacts(&self, sensors: &[usize]) -> Vec<f64> {
        let mut placed = vec![false; self.sensors.len()];
        for &s in sensors {
            placed[s] = true;
        }
        self.scenarios
            .iter()
            .zip(&self.detections)
            .map(|(scenario, detections)| {
                detections
                    .iter()
                    .filter(|(sensor, _)| placed[*sensor])
                    .map(|(_, impact)| *impact)
                    .fold(scenario.undetected_impact, f64::min)
            })
            .collect()
    }

    /// Reads an impact file and, if given, a scenario file; without one every scenario's
    /// undetected impact is `undetected_impact`. Errors name the file, line and field.
    pub fn read(
        impact: impl Read,
        impact_name: &str,
        scenarios: Option<(impl Read, &str)>,
        undetected_impact: Option<f64>,
    ) -> Result<ImpactMatrix, SensorError> {
        let mut matrix = ImpactMatrix::default();
        let mut scenario_index: HashMap<String, usize> = HashMap::new();
        if let Some((reader, name)) = scenarios {
            for row in rows(
                reader,
                name,
                &["Scenario", "Undetected Impact", "Probability"],
            )? {
                let (line, fields) = row?;
                let scenario = fields[0].clone();
                if scenario_index.contains_key(&scenario) {
                    return Err(bad(name, line, "Scenario", &scenario, "each scenario once"));
                }
                let undetected = number(name, line, "Undetected Impact", &fields[1])?;
                let probability = number(name, line, "Probability", &fields[2])?;
                if !(0.0..=1.0).contains(&probability) {
                    return Err(bad(name, line, "Probability", &fields[2], "0 to 1"));
                }
                scenario_index.insert(scenario.clone(), matrix.scenarios.len());
                matrix.scenarios.push(Scenario {
                    name: scenario,
                    undetected_impact: undetected,
                    probability: Some(probability),
                });
                matrix.detections.push(Vec::new());
            }
        }
        let given_scenarios = !matrix.scenarios.is_empty();
        if !given_scenarios && undetected_impact.is_none() {
            return Err(SensorError::Input {
                file: impact_name.to_string(),
                line: 0,
                field: "Undetected Impact".into(),
                found: String::new(),
                expected: "a scenario file or an undetected impact".into(),
            });
        }
        let mut sensor_index: HashMap<String, usize> = HashMap::new();
        for row in rows(impact, impact_name, &["Scenario", "Sensor", "Impact"])? {
            let (line, fields) = row?;
            let value = number(impact_name, line, "Impact", &fields[2])?;
            let scenario = match scenario_index.get(&fields[0]) {
                Some(&index) => index,
                None if given_scenarios => {
                    let expected = "a scenario of the scenario file";
                    return Err(bad(impact_name, line, "Scenario", &fields[0], expected));
                }
                None => {
                    scenario_index.insert(fields[0].clone(), matrix.scenarios.len());
                    matrix.scenarios.push(Scenario {
                        name: fields[0].clone(),
                        undetected_impact: undetected_impact.unwrap_or(0.0),
                        probability: None,
                    });
                    matrix.detections.push(Vec::new());
                    matrix.scenarios.len() - 1
                }
            };
            let sensor = *sensor_index.entry(fields[1].clone()).or_insert_with(|| {
                matrix.sensors.push(fields[1].clone());
                matrix.sensors.len() - 1
            });
            if matrix.detections[scenario]
                .iter()
                .any(|(s, _)| *s == sensor)
            {
                let expected = "each scenario and sensor once";
                return Err(bad(impact_name, line, "Sensor", &fields[1], expected));
            }
            matrix.detections[scenario].push((sensor, value));
        }
        Ok(matrix)
    }

    /// Writes the impact file in Chama's layout.
    pub fn write_impacts(&self, out: impl Write) -> Result<(), SensorError> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(["Scenario", "Sensor", "Impact"])?;
        for (scenario, detections) in self.scenarios.iter().zip(&self.detections) {
            for (sensor, impact) in detections {
                let impact = impact.to_string();
                writer.write_record([&scenario.name, &self.sensors[*sensor], &impact])?;
            }
        }
        writer.flush()?;
        Ok(())
    }

    /// Writes the scenario file in Chama's layout (probability 1 / count where not given).
    pub fn write_scenarios(&self, out: impl Write) -> Result<(), SensorError> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(["Scenario", "Undetected Impact", "Probability"])?;
        let weights = self.weights();
        for (scenario, weight) in self.scenarios.iter().zip(weights) {
            let undetected = scenario.undetected_impact.to_string();
            writer.write_record([&scenario.name, &undetected, &weight.to_string()])?;
        }
        writer.flush()?;
        Ok(())
    }
}

type Row = Result<(u64, Vec<String>), SensorError>;

/// The rows of a CSV file with the given header (names matched without regard to case or
/// surrounding spaces), each with its line number.
fn rows(
    reader: impl Read,
    file: &str,
    header: &'static [&'static str],
) -> Result<impl Iterator<Item = Row>, SensorError> {
    let mut csv = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(reader);
    let found = csv.headers().map_err(|e| csv_error(file, e))?.clone();
    let matches = found.len() >= header.len()
        && header
            .iter()
            .zip(found.iter())
            .all(|(want, have)| want.eq_ignore_ascii_case(have));
    if !matches {
        let found: Vec<&str> = found.iter().collect();
        return Err(bad(file, 1, "header", &found.join(","), &header.join(",")));
    }
    let file = file.to_string();
    Ok(csv.into_records().map(move |record| {
        let record = record.map_err(|e| csv_error(&file, e))?;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() < header.len() {
            let expected = format!("{} fields", header.len());
            return Err(bad(
                &file,
                line,
                "row",
                &record.len().to_string(),
                &expected,
            ));
        }
        Ok((line, record.iter().map(str::to_string).collect()))
    }))
}

fn number(file: &str, line: u64, field: &str, text: &str) -> Result<f64, SensorError> {
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| bad(file, line, field, text, "a finite number"))
}

fn bad(file: &str, line: u64, field: &str, found: &str, expected: &str) -> SensorError {
    SensorError::Input {
        file: file.to_string(),
        line,
        field: field.to_string(),
        found: found.chars().take(80).collect(),
        expected: expected.to_string(),
    }
}

fn csv_error(file: &str, error: csv::Error) -> SensorError {
    let line = error.position().map_or(0, |p| p.line());
    bad(file, line, "row", &error.to_string(), "a CSV row")
}

#[cfg(test)]
mod tests {
    use super::*;

    const IMPACT: &str = "Scenario,Sensor,Impact\nA,n1,10\nA,n2,5\nB,n2,7\n";

    #[test]
    fn reads_chama_layout_and_takes_the_least_impact_of_placed_sensors() {
        let matrix = ImpactMatrix::read(
            IMPACT.as_bytes(),
            "impact.csv",
            None::<(&[u8], &str)>,
            Some(100.0),
        )
        .unwrap();
        assert_eq!(matrix.sensors, ["n1", "n2"]);
        assert_eq!(matrix.scenario_impacts(&[0]), [10.0, 100.0]);
        assert_eq!(matrix.scenario_impacts(&[0, 1]), [5.0, 7.0]);
        assert_eq!(matrix.weights(), [0.5, 0.5]);
    }

    #[test]
    fn a_bad_number_names_its_file_line_and_field() {
        let text = "Scenario,Sensor,Impact\nA,n1,ten\n";
        let error = ImpactMatrix::read(text.as_bytes(), "i.csv", None::<(&[u8], &str)>, Some(1.0))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("i.csv") && error.contains("line 2"),
            "{error}"
        );
        assert!(error.contains("Impact") && error.contains("ten"), "{error}");
    }

    #[test]
    fn a_scenario_missing_from_the_scenario_file_is_refused() {
        let scenarios = "Scenario,Undetected Impact,Probability\nA,100,1\n";
        let error = ImpactMatrix::read(
            IMPACT.as_bytes(),
            "i.csv",
            Some((scenarios.as_bytes(), "s.csv")),
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("line 4") && error.contains("B"), "{error}");
    }
}
