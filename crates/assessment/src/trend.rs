//! Trend tests for a site's series of one item: Mann-Kendall with Sen's slope, and Spearman's rank
//! correlation (the method named by the 2011 evaluation method), each with a two-sided p-value.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

use crate::error::AssessmentError;

/// Mann-Kendall test result (no serial-correlation correction; continuity correction on Z).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MannKendall {
    /// The S statistic: sum of signs of all later-minus-earlier differences.
    pub s: f64,
    /// Variance of S with the tie correction.
    pub variance: f64,
    /// Standard normal score of S.
    pub z: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Kendall's tau (S over the number of pairs).
    pub tau: f64,
}

/// Sen's (Theil-Sen) slope of value against time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SenSlope {
    /// Median of pairwise slopes, value units per time unit.
    pub slope: f64,
    /// Intercept: median of values minus slope times median of times.
    pub intercept: f64,
}

/// Spearman rank correlation of value with time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spearman {
    /// Rank correlation coefficient.
    pub rho: f64,
    /// Two-sided p-value from Student's t with n - 2 degrees of freedom.
    pub p_value: f64,
}

/// Direction of a trend at the chosen significance level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrendDirection {
    /// Significantly rising.
    Increasing,
    /// Significantly falling.
    Decreasing,
    /// No significant trend.
    NoTrend,
}

/// All trend statistics of one series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Trend {
    /// Number of values.
    pub n: usize,
    /// Mann-Kendall test.
    pub mann_kendall: MannKendall,
    /// Sen's slope, value units per time unit of the series.
    pub sen: SenSlope,
    /// Spearman's rank correlation.
    pub spearman: Spearman,
    /// Direction by the Mann-Kendall test at `alpha`.
    pub direction: TrendDirection,
    /// Significance level used.
    pub alpha: f64,
}

fn check_len(what: &'static str, n: usize, needed: usize) -> Result<(), AssessmentError> {
    if n < needed {
        return Err(AssessmentError::TooFewValues {
            what,
            needed,
            got: n,
        });
    }
    Ok(())
}

fn standard_normal() -> Normal {
    Normal::new(0.0, 1.0).unwrap_or_else(|_| unreachable!("ok: mean 0, sd 1 are valid"))
}

/// Mann-Kendall test of a series taken in time order.
pub fn mann_kendall(values: &[f64]) -> Result<MannKendall, AssessmentError> {
    let n = values.len();
    check_len("Mann-Kendall test", n, 3)?;
    let mut s = 0.0;
    for i in 0..n {
        for j in i + 1..n {
            s += (values[j] - values[i]).signum() * f64::from(values[j] != values[i]);
        }
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut tie_term = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && sorted[j + 1] == sorted[i] {
            j += 1;
        }
        let t = (j - i + 1) as f64;
        tie_term += t * (t - 1.0) * (2.0 * t + 5.0);
        i = j + 1;
    }
    let nf = n as f64;
    let variance = (nf * (nf - 1.0) * (2.0 * nf + 5.0) - tie_term) / 18.0;
    let z = if variance <= 0.0 || s == 0.0 {
        0.0
    } else if s > 0.0 {
        (s - 1.0) / variance.sqrt()
    } else {
        (s + 1.0) / variance.sqrt()
    };
    let p_value = 2.0 * (1.0 - standard_normal().cdf(z.abs()));
    Ok(MannKendall {
        s,
        variance,
        z,
        p_value,
        tau: s / (nf * (nf - 1.0) / 2.0),
    })
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Sen's slope of `values` against `times` (pairs with equal times are skipped).
pub fn sen_slope(times: &[f64], values: &[f64]) -> Result<SenSlope, AssessmentError> {
    let n = values.len().min(times.len());
    check_len("Sen's slope", n, 2)?;
    let mut slopes = Vec::with_capacity(n * (n - 1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            if times[j] != times[i] {
                slopes.push((values[j] - values[i]) / (times[j] - times[i]));
            }
        }
    }
    check_len("Sen's slope (distinct times)", slopes.len(), 1)?;
    let slope = median(&mut slopes);
    let intercept = median(&mut values[..n].to_vec()) - slope * median(&mut times[..n].to_vec());
    Ok(SenSlope { slope, intercept })
}

/// Ranks from 1, ties given their average rank.
fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|a, b| values[*a].total_cmp(&values[*b]));
    let mut ranks = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let average = (i + j) as f64 / 2.0 + 1.0;
        for k in i..=j {
            ranks[order[k]] = average;
        }
        i = j + 1;
    }
    ranks
}

/// Spearman's rank correlation of `values` with `times`.
pub fn spearman(times: &[f64], values: &[f64]) -> Result<Spearman, AssessmentError> {
    let n = values.len().min(times.len());
    check_len("Spearman's rank correlation", n, 3)?;
    let (rx, ry) = (ranks(&times[..n]), ranks(&values[..n]));
    let mean = (n as f64 + 1.0) / 2.0;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in rx.iter().zip(&ry) {
        sxy += (x - mean) * (y - mean);
        sxx += (x - mean) * (x - mean);
        syy += (y - mean) * (y - mean);
    }
    if sxx == 0.0 || syy == 0.0 {
        // A constant series has no rank correlation.
        return Ok(Spearman {
            rho: f64::NAN,
            p_value: f64::NAN,
        });
    }
    let rho = (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0);
    let df = n as f64 - 2.0;
    let p_value = if rho.abs() >= 1.0 {
        0.0
    } else {
        let t = rho * (df / ((1.0 - rho) * (1.0 + rho))).sqrt();
        let dist = StudentsT::new(0.0, 1.0, df)
            .unwrap_or_else(|_| unreachable!("ok: n >= 3 gives df >= 1"));
        2.0 * dist.cdf(-t.abs())
    };
    Ok(Spearman { rho, p_value })
}

/// All trend statistics of a series, given as times (any unit, e.g. years) and values.
pub fn trend(times: &[f64], values: &[f64], alpha: f64) -> Result<Trend, AssessmentError> {
    let n = values.len().min(times.len());
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| times[*a].total_cmp(&times[*b]));
    let t: Vec<f64> = order.iter().map(|i| times[*i]).collect();
    let v: Vec<f64> = order.iter().map(|i| values[*i]).collect();
    let mann_kendall = mann_kendall(&v)?;
    let sen = sen_slope(&t, &v)?;
    let spearman = spearman(&t, &v)?;
    let direction = if mann_kendall.p_value < alpha && mann_kendall.s > 0.0 {
        TrendDirection::Increasing
    } else if mann_kendall.p_value < alpha && mann_kendall.s < 0.0 {
        TrendDirection::Decreasing
    } else {
        TrendDirection::NoTrend
    };
    Ok(Trend {
        n,
        mann_kendall,
        sen,
        spearman,
        direction,
        alpha,
    })
}

/// A trend of one item at one site.
#[derive(Debug, Clone, Serialize)]
pub struct SiteTrend {
    /// Site name.
    pub site: String,
    /// Item code.
    pub item: String,
    /// First and last period labels of the series.
    pub from: String,
    /// Last period label.
    pub to: String,
    /// The statistics, slope in value units per year.
    pub trend: Trend,
}

/// Decimal years of a period label: a time (`2024-03-05T09:00:00`), a month (`2024-03`, taken at
/// its middle) or a year (`2024`, taken at its middle).
pub fn label_to_years(label: &str) -> Option<f64> {
    use chrono::Datelike;
    if let Some(t) = crate::samples::parse_time(label) {
        let start =
            chrono::NaiveDate::from_ymd_opt(t.year(), 1, 1)?.and_time(chrono::NaiveTime::MIN);
        let end =
            chrono::NaiveDate::from_ymd_opt(t.year() + 1, 1, 1)?.and_time(chrono::NaiveTime::MIN);
        let fraction = (t - start).num_seconds() as f64 / (end - start).num_seconds() as f64;
        return Some(f64::from(t.year()) + fraction);
    }
    let parts: Vec<&str> = label.split('-').collect();
    match parts.as_slice() {
        [y] => y.parse::<i32>().ok().map(|y| f64::from(y) + 0.5),
        [y, m] => {
            let (y, m) = (y.parse::<i32>().ok()?, m.parse::<u32>().ok()?);
            (1..=12)
                .contains(&m)
                .then(|| f64::from(y) + (f64::from(m) - 0.5) / 12.0)
        }
        _ => None,
    }
}

/// Trends per site and item over a list of sample sets (samples, months or years); series with
/// fewer than `min_values` values are skipped.
pub fn site_trends(
    sets: &[crate::samples::SampleSet],
    alpha: f64,
    min_values: usize,
) -> Vec<SiteTrend> {
    use std::collections::BTreeMap;
    /// (decimal years, period label, value) per (site, item).
    type Series = BTreeMap<(String, String), Vec<(f64, String, f64)>>;
    let mut series: Series = BTreeMap::new();
    for set in sets {
        let Some(t) = label_to_years(&set.time) else {
            continue;
        };
        for (item, value) in &set.values {
            series
                .entry((set.site.clone(), item.clone()))
                .or_default()
                .push((t, set.time.clone(), *value));
        }
    }
    let mut out = Vec::new();
    for ((site, item), mut points) in series {
        if points.len() < min_values.max(3) {
            continue;
        }
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let times: Vec<f64> = points.iter().map(|p| p.0).collect();
        let values: Vec<f64> = points.iter().map(|p| p.2).collect();
        if let Ok(trend) = trend(&times, &values, alpha) {
            out.push(SiteTrend {
                site,
                item,
                from: points[0].1.clone(),
                to: points[points.len() - 1].1.clone(),
                trend,
            });
        }
    }
    out
}
