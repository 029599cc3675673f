//! The siting rule set: zones, categories and rules with their legal sources, read from versioned
//! data so that a new scheme or a changed law is a data change.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::SitingError;

/// The Henan main-canal rule set, embedded.
pub const HENAN_CANAL_2018_JSON: &str = include_str!("../data/rules-henan-canal-2018.json");

/// Kinds of protection zone along the canal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum ZoneKind {
    /// First-class drinking-water source protection zone.
    #[serde(rename = "first-class")]
    FirstClass,
    /// Second-class drinking-water source protection zone.
    #[serde(rename = "second-class")]
    SecondClass,
    /// Protection range of the canal works.
    #[serde(rename = "works-protection")]
    WorksProtection,
}

impl ZoneKind {
    /// The name used in GeoJSON properties and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstClass => "first-class",
            Self::SecondClass => "second-class",
            Self::WorksProtection => "works-protection",
        }
    }
}

impl fmt::Display for ZoneKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ZoneKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "first-class" | "first" | "1" => Ok(Self::FirstClass),
            "second-class" | "second" | "2" => Ok(Self::SecondClass),
            "works-protection" | "works" => Ok(Self::WorksProtection),
            other => Err(format!(
                "unknown zone `{other}`; expected first-class, second-class or works-protection"
            )),
        }
    }
}

/// A decision on an application, from most to least severe when ordered descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Decision {
    /// Allowed.
    Pass,
    /// Allowed with measures.
    Conditional,
    /// Referred to the canal operator (or a reviewer) for an opinion.
    Refer,
    /// Not allowed.
    Reject,
}

/// A zone kind with how strict it is (1 strictest).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ZoneDefinition {
    /// Zone kind.
    pub zone: ZoneKind,
    /// Rank: 1 is the strictest.
    pub strictness: u32,
    /// Plain description.
    pub text: String,
}

/// Zone widths for one canal section, measured from the centre line, m.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct Widths {
    /// Distance from the centre line to the edge of the canal's own land, m.
    #[serde(default)]
    pub half_width_m: f64,
    /// First-class zone width beyond the canal's edge, each side, m.
    pub first_class_m: f64,
    /// Second-class zone width beyond the first-class zone, each side, m.
    pub second_class_m: f64,
    /// Protection range of the works beyond the canal's edge, each side, m.
    pub works_protection_m: f64,
}

/// Default widths with their source.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DefaultWidths {
    /// The widths.
    #[serde(flatten)]
    pub widths: Widths,
    /// Where they come from.
    pub source: String,
}

/// A project category.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Category {
    /// Identifier used in applications.
    pub id: String,
    /// Plain description.
    pub text: String,
}

/// One way a rule can fire: every given field must hold.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The footprint touches one of these zones.
    #[serde(default)]
    pub zones: Option<Vec<ZoneKind>>,
    /// The footprint touches no zone at all.
    #[serde(default)]
    pub outside_all_zones: Option<bool>,
    /// The category is one of these.
    #[serde(default)]
    pub categories: Option<Vec<String>>,
    /// The category is none of these.
    #[serde(default)]
    pub not_categories: Option<Vec<String>>,
    /// The project discharges pollutants (or not).
    #[serde(default)]
    pub discharges_pollutants: Option<bool>,
    /// The project stores hazardous goods (or not).
    #[serde(default)]
    pub stores_hazardous_goods: Option<bool>,
    /// The project crosses the canal (declared, or its footprint does).
    #[serde(default)]
    pub crosses_canal: Option<bool>,
    /// The project serves water supply or source protection (or not).
    #[serde(default)]
    pub serves_water_supply: Option<bool>,
    /// The footprint lies within this distance of the canal, m.
    #[serde(default)]
    pub within_canal_m: Option<f64>,
}

/// A rule with its decision and legal source.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rule {
    /// Stable identifier.
    pub id: String,
    /// Decision when it fires.
    pub decision: Decision,
    /// The rule in plain words.
    pub text: String,
    /// Legal source, with its tag ([V], [R], [I]).
    pub source: String,
    /// The rule fires when any of these conditions holds (empty for the fallback).
    #[serde(default)]
    pub when: Vec<Condition>,
    /// Rules this one sets aside when it fires (a specific provision before a general one).
    #[serde(default)]
    pub overrides: Vec<String>,
}

/// A rule set.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleSet {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Sources.
    pub source: String,
    /// Zone kinds and their strictness.
    pub zones: Vec<ZoneDefinition>,
    /// Widths used when a canal has no widths of its own.
    pub default_widths: DefaultWidths,
    /// Allowed categories.
    pub categories: Vec<Category>,
    /// The rules, in the order they are reported.
    pub rules: Vec<Rule>,
    /// The rule reported when a footprint touches a zone but no rule fires.
    pub fallback: Rule,
}

impl RuleSet {
    /// The Henan main-canal rule set, embedded in the crate.
    pub fn henan_canal_2018() -> Result<Self, SitingError> {
        Self::from_json(
            "rules-henan-canal-2018.json (embedded)",
            HENAN_CANAL_2018_JSON,
        )
    }

    /// Reads and checks a rule set from JSON text; `source` names it in errors.
    pub fn from_json(source: &str, text: &str) -> Result<Self, SitingError> {
        let set: RuleSet = serde_json::from_str(text).map_err(|e| SitingError::Json {
            source_name: source.to_string(),
            message: e.to_string(),
        })?;
        for (i, rule) in set.rules.iter().enumerate() {
            for (j, condition) in rule.when.iter().enumerate() {
                for c in condition
                    .categories
                    .iter()
                    .chain(condition.not_categories.iter())
                    .flatten()
                {
                    if set.category(c).is_none() {
                        return Err(SitingError::field(
                            source,
                            format!("rules[{i}].when[{j}].categories"),
                            format!("category `{c}` is not in `categories`"),
                        ));
                    }
                }
            }
            for o in &rule.overrides {
                if !set.rules.iter().any(|r| &r.id == o) {
                    return Err(SitingError::field(
                        source,
                        format!("rules[{i}].overrides"),
                        format!("no rule `{o}`"),
                    ));
                }
            }
        }
        for kind in [
            ZoneKind::FirstClass,
            ZoneKind::SecondClass,
            ZoneKind::WorksProtection,
        ] {
            if !set.zones.iter().any(|z| z.zone == kind) {
                return Err(SitingError::field(
                    source,
                    "zones",
                    format!("zone `{kind}` has no strictness"),
                ));
            }
        }
        Ok(set)
    }

    /// Finds a category by id.
    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// Strictness rank of a zone kind (1 strictest).
    pub fn strictness(&self, kind: ZoneKind) -> u32 {
        self.zones
            .iter()
            .find(|z| z.zone == kind)
            .map(|z| z.strictness)
            .unwrap_or(u32::MAX) // ok: from_json checked every kind has a row
    }
}
