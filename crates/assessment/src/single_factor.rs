//! A section's class by the single-factor method: the worst class among the evaluated items, with
//! grade words, limiting items, exceedance multiples and main pollutants.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::method::{EvaluationMethod, Grade};
use crate::samples::SampleSet;
use crate::standard::{Standard, WaterBody, WaterClass};

/// Choices that are not part of the standard or the method.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct AssessOptions {
    /// River (and canal) or lake (and reservoir).
    pub water_body: WaterBody,
    /// The class the water must meet (Class II for the canal).
    pub target: WaterClass,
}

impl Default for AssessOptions {
    fn default() -> Self {
        Self {
            water_body: WaterBody::River,
            target: WaterClass::II,
        }
    }
}

/// One item's result within a sample set.
#[derive(Debug, Clone, Serialize)]
pub struct ItemResult {
    /// Item code.
    pub code: String,
    /// Value in `unit`.
    pub value: f64,
    /// Unit of the value (the standard's unit for the item).
    pub unit: String,
    /// Class, or `None` for an item not classed for this water body (temperature; TN in rivers).
    pub class: Option<WaterClass>,
    /// Whether the item decides the section's class.
    pub evaluated: bool,
    /// Whether the value is below detection (and so a share of the detection limit).
    pub below_detection: bool,
    /// Exceedance multiple over Class III, when the value breaks it.
    pub exceedance_over_iii: Option<f64>,
    /// Exceedance multiple over the target class, when the value breaks it.
    pub exceedance_over_target: Option<f64>,
    /// Whether the item meets the target class (`None` when it has no class).
    pub meets_target: Option<bool>,
}

/// The assessment of one site at one time or over one period.
#[derive(Debug, Clone, Serialize)]
pub struct SiteAssessment {
    /// Site name.
    pub site: String,
    /// Time or period label.
    pub time: String,
    /// Section class by the single-factor method; `None` if no evaluated item was measured.
    pub class: Option<WaterClass>,
    /// Grade word of the class.
    pub grade: Option<Grade>,
    /// Item code to class (`None` for items without a class).
    pub items: BTreeMap<String, Option<WaterClass>>,
    /// Evaluated items whose class is the section's class (none for a Class I section).
    pub limiting: Vec<String>,
    /// Exceedance multiples over Class III, by item code.
    pub exceedance: BTreeMap<String, f64>,
    /// Exceedance multiples over the target class, by item code.
    pub exceedance_over_target: BTreeMap<String, f64>,
    /// The target class.
    pub target: WaterClass,
    /// Whether the section class meets the target.
    pub meets_target: bool,
    /// Main pollutants (only when the class is worse than III).
    pub main_pollutants: Vec<String>,
    /// Evaluated items that were not measured.
    pub missing: Vec<String>,
    /// Every item's details.
    pub details: Vec<ItemResult>,
}

/// Assesses one sample set (one site, one time or period) by the single-factor method.
pub fn assess(
    set: &SampleSet,
    standard: &Standard,
    method: &EvaluationMethod,
    options: AssessOptions,
) -> SiteAssessment {
    let body = options.water_body;
    let mut details = Vec::new();
    for (code, &value) in &set.values {
        let Some(item) = standard.item(code) else {
            continue; // ok: sample sets are built from measurements already matched to the standard
        };
        let class = item.classify(value, body);
        let computes_exceedance = !method.no_exceedance_items.iter().any(|c| c == code);
        let over = |c: WaterClass| {
            if computes_exceedance {
                item.exceedance_over(value, c, body)
            } else {
                None
            }
        };
        details.push(ItemResult {
            code: code.clone(),
            value,
            unit: item.unit.clone(),
            class,
            evaluated: method.is_evaluated(code) && class.is_some(),
            below_detection: set.below_detection.contains(code),
            exceedance_over_iii: over(WaterClass::III),
            exceedance_over_target: over(options.target),
            meets_target: class.map(|c| c <= options.target),
        });
    }

    let class = details
        .iter()
        .filter(|d| d.evaluated)
        .filter_map(|d| d.class)
        .max();
    // Limiting items name what holds the section below Class I; a Class I section has none.
    let limiting = match class {
        Some(worst) if worst > WaterClass::I => details
            .iter()
            .filter(|d| d.evaluated && d.class == Some(worst))
            .map(|d| d.code.clone())
            .collect(),
        _ => Vec::new(),
    };
    let main_pollutants = match class {
        Some(c) if c > method.main_pollutants_when_worse_than => main_pollutants(&details, method),
        _ => Vec::new(),
    };
    let missing = method
        .evaluated_items
        .iter()
        .filter(|code| {
            standard
                .item(code)
                .is_some_and(|item| item.applies_to(body))
                && !set.values.contains_key(code.as_str())
        })
        .cloned()
        .collect();
    SiteAssessment {
        site: set.site.clone(),
        time: set.time.clone(),
        class,
        grade: class.map(|c| method.grade(c)),
        items: details.iter().map(|d| (d.code.clone(), d.class)).collect(),
        limiting,
        exceedance: details
            .iter()
            .filter_map(|d| d.exceedance_over_iii.map(|m| (d.code.clone(), m)))
            .collect(),
        exceedance_over_target: details
            .iter()
            .filter_map(|d| d.exceedance_over_target.map(|m| (d.code.clone(), m)))
            .collect(),
        target: options.target,
        meets_target: class.is_some_and(|c| c <= options.target),
        main_pollutants,
        missing,
        details,
    }
}

/// Main pollutants: evaluated items worse than Class III; heavy metals and cyanide first whenever
/// they exceed, then the worst classes, ties broken by the larger exceedance multiple; the method's
/// count (three) unless more heavy metals exceed, which are all named.
fn main_pollutants(details: &[ItemResult], method: &EvaluationMethod) -> Vec<String> {
    let mut over: Vec<&ItemResult> = details
        .iter()
        .filter(|d| d.evaluated && d.class.is_some_and(|c| c > WaterClass::III))
        .collect();
    over.sort_by(|a, b| {
        let priority = |d: &ItemResult| method.is_priority(&d.code);
        priority(b)
            .cmp(&priority(a))
            .then(b.class.cmp(&a.class))
            .then(
                b.exceedance_over_iii
                    .unwrap_or(0.0)
                    .total_cmp(&a.exceedance_over_iii.unwrap_or(0.0)),
            )
            .then(a.code.cmp(&b.code))
    });
    let priority_count = over.iter().filter(|d| method.is_priority(&d.code)).count();
    let count = method.main_pollutant_count.max(priority_count);
    over.into_iter()
        .take(count)
        .map(|d| d.code.clone())
        .collect()
}
