//! Grading a river (or canal) by the share of its sections in each class.

use serde::Serialize;

use crate::error::AssessmentError;
use crate::method::{EvaluationMethod, Grade};
use crate::standard::WaterClass;

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
