//! The evaluation method (the 2011 method by default): which items decide a section's class, grade
//! words, main-pollutant rules, detection-limit handling and river grading thresholds, from data.

use serde::{Deserialize, Serialize};

use crate::error::AssessmentError;
use crate::standard::WaterClass;

/// The method's data, embedded; a new edition is a new file.
pub const EVALUATION_2011_JSON: &str = include_str!("../data/evaluation-2011.json");

/// A water-quality grade word in English and Chinese.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grade {
    /// English (`excellent`, `heavily polluted`).
    pub en: String,
    /// Chinese (优, 重度污染).
    pub zh: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct GradeRow {
    class: WaterClass,
    en: String,
    zh: String,
}

/// Thresholds for grading a river by the share of its sections in each class.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RiverThresholds {
    /// Sections needed to grade by shares.
    pub min_sections: usize,
    /// Share of classes I-III at or above which the river is excellent.
    pub excellent_share_i_iii: f64,
    /// Share of classes I-III at or above which the river is good.
    pub good_share_i_iii: f64,
    /// Share of worse-than-V sections at or above which the river is moderately polluted.
    pub moderate_share_worse_than_v: f64,
    /// Share of worse-than-V sections at or above which the river is heavily polluted.
    pub heavy_share_worse_than_v: f64,
    /// Where the thresholds come from.
    pub source: String,
}

/// An evaluation method, read from data.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvaluationMethod {
    /// Name of the method.
    pub name: String,
    /// Edition.
    pub edition: String,
    /// Source of the method.
    pub source: String,
    /// Item codes whose worst class is the section's class.
    pub evaluated_items: Vec<String>,
    /// Item codes reported but not deciding the class.
    pub reference_items: Vec<String>,
    /// Items for which no exceedance multiple is computed.
    pub no_exceedance_items: Vec<String>,
    /// Heavy metals and cyanide: named main pollutants whenever they exceed.
    pub priority_pollutants: Vec<String>,
    /// How many main pollutants to name.
    pub main_pollutant_count: usize,
    /// Main pollutants are named only when the section is worse than this class.
    pub main_pollutants_when_worse_than: WaterClass,
    /// A below-detection value counts as this share of the detection limit.
    pub below_detection_factor: f64,
    grades: Vec<GradeRow>,
    /// River grading thresholds.
    pub river: RiverThresholds,
}

impl EvaluationMethod {
    /// The 2011 method as embedded in the crate.
    pub fn evaluation_2011() -> Result<Self, AssessmentError> {
        Self::from_json("evaluation-2011.json (embedded)", EVALUATION_2011_JSON)
    }

    /// Reads and checks a method from JSON text; `source_name` names it in errors.
    pub fn from_json(source_name: &str, text: &str) -> Result<Self, AssessmentError> {
        let bad = |message: String| AssessmentError::Data {
            source_name: source_name.to_string(),
            message,
        };
        let method: EvaluationMethod =
            serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        for class in [
            WaterClass::I,
            WaterClass::II,
            WaterClass::III,
            WaterClass::IV,
            WaterClass::V,
            WaterClass::WorseThanV,
        ] {
            if !method.grades.iter().any(|g| g.class == class) {
                return Err(bad(format!("`grades` has no row for class {class}")));
            }
        }
        if !(0.0..=1.0).contains(&method.below_detection_factor) {
            return Err(bad("`below_detection_factor` must lie in 0..=1".into()));
        }
        Ok(method)
    }

    /// The grade word of a section class.
    pub fn grade(&self, class: WaterClass) -> Grade {
        self.grades
            .iter()
            .find(|g| g.class == class)
            .map(|g| Grade {
                en: g.en.clone(),
                zh: g.zh.clone(),
            })
            .unwrap_or_else(|| Grade {
                // ok: from_json checked that every class has a row; this only guards hand-built values
                en: class.to_string(),
                zh: class.as_chinese().to_string(),
            })
    }

    /// Whether an item decides the section class.
    pub fn is_evaluated(&self, code: &str) -> bool {
        self.evaluated_items.iter().any(|c| c == code)
    }

    /// Whether an item is a heavy metal or cyanide.
    pub fn is_priority(&self, code: &str) -> bool {
        self.priority_pollutants.iter().any(|c| c == code)
    }
}
