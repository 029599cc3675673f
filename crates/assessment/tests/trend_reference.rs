//! Trend statistics checked against numbers computed independently by scipy and pymannkendall
//! (scripts/assessment-reference.py writes tests/data/trend-reference.json).

use danjiang_assessment::{label_to_years, trend, TrendDirection};
use serde_json::Value;

fn close(actual: f64, expected: f64, relative: f64, what: &str) {
    let scale = expected.abs().max(1e-300);
    assert!(
        (actual - expected).abs() <= relative * scale || (actual - expected).abs() < 1e-15,
        "{what}: {actual} against the reference {expected}"
    );
}

#[test]
fn mann_kendall_sen_and_spearman_match_scipy_and_pymannkendall() {
    let text = include_str!("data/trend-reference.json");
    let reference: Value = serde_json::from_str(text).unwrap();
    let cases = reference["cases"].as_array().unwrap();
    assert!(cases.len() >= 4);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let numbers = |key: &str| -> Vec<f64> {
            case[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect()
        };
        let (times, values) = (numbers("times"), numbers("values"));
        let t = trend(&times, &values, 0.05).unwrap();
        let mk = &case["mann_kendall"];
        let f = |v: &Value| v.as_f64().unwrap();
        close(t.mann_kendall.s, f(&mk["s"]), 0.0, &format!("{name}: S"));
        close(
            t.mann_kendall.variance,
            f(&mk["variance"]),
            1e-12,
            &format!("{name}: var S"),
        );
        close(t.mann_kendall.z, f(&mk["z"]), 1e-12, &format!("{name}: Z"));
        close(
            t.mann_kendall.p_value,
            f(&mk["p_value"]),
            1e-6,
            &format!("{name}: MK p"),
        );
        close(
            t.mann_kendall.tau,
            f(&mk["tau"]),
            1e-12,
            &format!("{name}: tau"),
        );
        let direction = match mk["trend"].as_str().unwrap() {
            "increasing" => TrendDirection::Increasing,
            "decreasing" => TrendDirection::Decreasing,
            _ => TrendDirection::NoTrend,
        };
        assert_eq!(t.direction, direction, "{name}: direction");
        close(
            t.sen.slope,
            f(&case["sen"]["slope"]),
            1e-9,
            &format!("{name}: Sen slope"),
        );
        close(
            t.sen.intercept,
            f(&case["sen"]["intercept"]),
            1e-9,
            &format!("{name}: Sen intercept"),
        );
        close(
            t.spearman.rho,
            f(&case["spearman"]["rho"]),
            1e-12,
            &format!("{name}: rho"),
        );
        close(
            t.spearman.p_value,
            f(&case["spearman"]["p_value"]),
            1e-6,
            &format!("{name}: rho p"),
        );
    }
}

#[test]
fn too_short_a_series_is_an_error() {
    assert!(trend(&[2020.0, 2021.0], &[1.0, 2.0], 0.05).is_err());
}

#[test]
fn period_labels_become_decimal_years() {
    assert_eq!(label_to_years("2024"), Some(2024.5));
    assert_eq!(label_to_years("2024-03"), Some(2024.0 + 2.5 / 12.0));
    assert_eq!(label_to_years("2023-07-02T12:00:00"), Some(2023.5));
    assert_eq!(label_to_years("2024-13"), None);
}
