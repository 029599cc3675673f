//! Grading a river (or canal) by the share of its sections in each class.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::AssessmentError;
use crate::method::{EvaluationMethod, Grade};
use crate::samples::SampleSet;
use crate::single_factor::{assess, AssessOptions};
use crate::standard::{Standard, WaterClass};

/// The grade of a river from its sections' classes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiverGrade {
    /// Number of sections graded.
    pub sections: usize,
    /// Share (0-1) of sections in classes I-III.
    pub share_i_iii: f64,
    /// Share (0-1) of sections worse than V.
    pub share_worse_than_v: f64,
    /// Share (0-1) of sections in each class, I to worse than V.
    pub shares: Vec<(WaterClass, f64)>,
    /// The grade words.
    pub grade: Grade,
}

/// The outcome of river grading.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum RiverGrading {
    /// Graded by the share of sections.
    SectionShares(RiverGrade),
    /// Too few sections to grade by shares: the method grades such a river by the mean concentration
    /// of its sections, item by item, through the single-factor method instead.
    TooFewSections {
        /// Sections given.
        sections: usize,
        /// Sections needed.
        needed: usize,
    },
    /// Graded from the mean concentration of its (fewer than five) sections, item by item, by
    /// the single-factor method.
    SectionMeans {
        /// Sections averaged.
        sections: usize,
        /// Class of the means.
        class: Option<WaterClass>,
        /// Grade words of that class.
        grade: Option<Grade>,
    },
}

/// The river's grade for one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiverPeriodGrade {
    /// Period label (`2024`, `2024-03`).
    pub time: String,
    /// The grading.
    pub grading: RiverGrading,
}

/// Grades a river per period from its sections' sample sets of that period (one set per site and
/// period, e.g. from [`crate::aggregate`] by month or year): by the share of section classes with
/// enough sections, else by the mean concentrations of the sections.
pub fn grade_river_periods(
    sets: &[SampleSet],
    standard: &Standard,
    method: &EvaluationMethod,
    options: AssessOptions,
) -> Result<Vec<RiverPeriodGrade>, AssessmentError> {
    let mut by_time: BTreeMap<&str, Vec<&SampleSet>> = BTreeMap::new();
    for set in sets {
        by_time.entry(set.time.as_str()).or_default().push(set);
    }
    let mut out = Vec::new();
    for (time, sections) in by_time {
        let classes: Vec<WaterClass> = sections
            .iter()
            .filter_map(|s| assess(s, standard, method, options).class)
            .collect();
        let grading = match grade_river(&classes, method) {
            Ok(RiverGrading::SectionShares(g)) => RiverGrading::SectionShares(g),
            _ => {
                let mut sums: BTreeMap<&str, (f64, usize)> = BTreeMap::new();
                for set in &sections {
                    for (code, value) in &set.values {
                        let entry = sums.entry(code.as_str()).or_default();
                        entry.0 += value;
                        entry.1 += 1;
                    }
                }
                let means = SampleSet {
                    site: "(river)".into(),
                    time: time.to_string(),
                    values: sums
                        .into_iter()
                        .map(|(c, (sum, n))| (c.to_string(), sum / n as f64))
                        .collect(),
                    below_detection: Vec::new(),
                };
                let class = assess(&means, standard, method, options).class;
                RiverGrading::SectionMeans {
                    sections: sections.len(),
                    class,
                    grade: class.map(|c| method.grade(c)),
                }
            }
        };
        out.push(RiverPeriodGrade {
            time: time.to_string(),
            grading,
        });
    }
    Ok(out)
}

/// Grades a river from the classes of its sections by the method's share thresholds.
pub fn grade_river(
    classes: &[WaterClass],
    method: &EvaluationMethod,
) -> Result<RiverGrading, AssessmentError> {
    let t = &method.river;
    let n = classes.len();
    if n == 0 {
        return Err(AssessmentError::TooFewValues {
            what: "river grading",
            needed: 1,
            got: 0,
        });
    }
    if n < t.min_sections {
        return Ok(RiverGrading::TooFewSections {
            sections: n,
            needed: t.min_sections,
        });
    }
    let share = |f: &dyn Fn(WaterClass) -> bool| {
        classes.iter().filter(|c| f(**c)).count() as f64 / n as f64
    };
    let share_i_iii = share(&|c| c <= WaterClass::III);
    let share_worse_than_v = share(&|c| c == WaterClass::WorseThanV);
    // Shares are compared in whole sections to keep 9 of 10 at exactly 90%.
    let at_least = |s: f64, threshold: f64| s >= threshold - 1e-12;
    let class_for_grade = if at_least(share_i_iii, t.excellent_share_i_iii) {
        WaterClass::I
    } else if at_least(share_i_iii, t.good_share_i_iii) {
        WaterClass::III
    } else if at_least(share_worse_than_v, t.heavy_share_worse_than_v) {
        WaterClass::WorseThanV
    } else if at_least(share_worse_than_v, t.moderate_share_worse_than_v) {
        WaterClass::V
    } else {
        WaterClass::IV
    };
    let shares = WaterClass::LIMITED
        .iter()
        .copied()
        .chain([WaterClass::WorseThanV])
        .map(|c| (c, share(&|x| x == c)))
        .collect();
    Ok(RiverGrading::SectionShares(RiverGrade {
        sections: n,
        share_i_iii,
        share_worse_than_v,
        shares,
        // The grade words of sections double as river grades: I/II excellent, III good, IV slightly,
        // V moderately, worse than V heavily polluted.
        grade: method.grade(class_for_grade),
    }))
}
