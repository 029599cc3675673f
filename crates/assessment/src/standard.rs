//! A surface-water quality standard (GB 3838-2002 by default) loaded from versioned data, and the
//! classification of one item's concentration against its class limits.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::AssessmentError;

/// The standard's data, embedded so the binary needs no data files; a new edition is a new file.
pub const GB3838_2002_JSON: &str = include_str!("../data/gb3838-2002.json");

/// Values within this relative distance of a limit count as at the limit: lab values carry a few
/// significant digits, and unit conversion or averaging must not push an exact limit value over.
const LIMIT_TOLERANCE: f64 = 1e-9;

/// A function class of GB 3838-2002, ordered from best (I) to worst (worse than V).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WaterClass {
    /// Class I: source water, national nature reserves.
    I,
    /// Class II: first-class drinking-water source zones.
    II,
    /// Class III: second-class drinking-water source zones, fisheries, swimming.
    III,
    /// Class IV: industrial water, non-contact recreation.
    IV,
    /// Class V: agriculture, landscape.
    V,
    /// Fails Class V (劣V).
    WorseThanV,
}

impl WaterClass {
    /// The five classes with limits, best first.
    pub const LIMITED: [WaterClass; 5] = [Self::I, Self::II, Self::III, Self::IV, Self::V];

    /// Zero-based index into a five-value limit row; `None` for worse than V.
    pub fn index(self) -> Option<usize> {
        Self::LIMITED.iter().position(|c| *c == self)
    }

    /// The canonical name: `I` … `V` or `worse than V`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::I => "I",
            Self::II => "II",
            Self::III => "III",
            Self::IV => "IV",
            Self::V => "V",
            Self::WorseThanV => "worse than V",
        }
    }

    /// The Chinese name (Ⅰ类 … 劣Ⅴ类).
    pub fn as_chinese(self) -> &'static str {
        match self {
            Self::I => "Ⅰ类",
            Self::II => "Ⅱ类",
            Self::III => "Ⅲ类",
            Self::IV => "Ⅳ类",
            Self::V => "Ⅴ类",
            Self::WorseThanV => "劣Ⅴ类",
        }
    }
}

impl fmt::Display for WaterClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for WaterClass {
    type Err = AssessmentError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let lower = t.to_ascii_lowercase();
        let lower = lower.strip_prefix("class ").unwrap_or(&lower);
        Ok(match lower {
            "i" | "1" | "ⅰ" | "ⅰ类" => Self::I,
            "ii" | "2" | "ⅱ" | "ⅱ类" => Self::II,
            "iii" | "3" | "ⅲ" | "ⅲ类" => Self::III,
            "iv" | "4" | "ⅳ" | "ⅳ类" => Self::IV,
            "v" | "5" | "ⅴ" | "ⅴ类" => Self::V,
            "worse than v" | "worse-than-v" | "worse_than_v" | "6" | ">v" | "劣v" | "劣ⅴ"
            | "劣ⅴ类" | "劣v类" => Self::WorseThanV,
            _ => return Err(AssessmentError::UnknownClass(t.to_string())),
        })
    }
}

impl Serialize for WaterClass {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for WaterClass {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The kind of water body, which picks the total-phosphorus column and whether TN is classed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum WaterBody {
    /// Rivers and canals (a canal is evaluated as a river).
    #[default]
    River,
    /// Lakes and reservoirs.
    Lake,
}

impl FromStr for WaterBody {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "river" | "canal" | "stream" => Ok(Self::River),
            "lake" | "reservoir" => Ok(Self::Lake),
            other => Err(format!(
                "unknown water body `{other}` (expected river or lake)"
            )),
        }
    }
}

/// How an item's limits are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    /// Each class has an upper limit; a value at or below it meets the class.
    Upper,
    /// Each class has a lower limit (dissolved oxygen); a value at or above it meets the class.
    Lower,
    /// One allowed range for every class (pH 6-9): inside is Class I, outside is worse than V.
    Range,
    /// One upper limit for every class (Table 2): at or below is Class I, above is worse than V.
    Single,
    /// Reported, never classed (water temperature).
    Unclassified,
}

/// One item of the standard with its limits, in the item's `unit`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ItemStandard {
    /// Item code used in sample files (`DO`, `NH3N`, `fecal_coliform`).
    pub code: String,
    /// English name.
    pub name: String,
    /// Chinese name.
    #[serde(default)]
    pub name_zh: String,
    /// Unit of the limits and of normalised values: `mg/L`, `1/L`, `pH` or `°C`.
    pub unit: String,
    /// Table of the standard (1 basic items, 2 supplementary items for drinking-water sources).
    pub table: u8,
    /// How the limits are read.
    pub kind: ItemKind,
    /// Limits of classes I to V (rivers; all water bodies unless `lake_limits` is given).
    #[serde(default)]
    pub limits: Option<[f64; 5]>,
    /// Limits of classes I to V for lakes and reservoirs, where they differ.
    #[serde(default)]
    pub lake_limits: Option<[f64; 5]>,
    /// Allowed range for `range` items.
    #[serde(default)]
    pub range: Option<[f64; 2]>,
    /// The one limit of `single` items.
    #[serde(default)]
    pub limit: Option<f64>,
    /// Water bodies the item is classed for; empty means all.
    #[serde(default)]
    pub water_bodies: Vec<WaterBody>,
    /// Other names accepted in input.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Where the limits come from, with the tag of how sure we are.
    pub source: String,
}

impl ItemStandard {
    /// Whether the item is classed for this water body.
    pub fn applies_to(&self, body: WaterBody) -> bool {
        self.kind != ItemKind::Unclassified
            && (self.water_bodies.is_empty() || self.water_bodies.contains(&body))
    }

    /// The five class limits for a water body (for `single` items, the one limit repeated).
    pub fn class_limits(&self, body: WaterBody) -> Option<[f64; 5]> {
        match self.kind {
            ItemKind::Upper | ItemKind::Lower => match body {
                WaterBody::Lake => self.lake_limits.or(self.limits),
                WaterBody::River => self.limits,
            },
            ItemKind::Single => self.limit.map(|l| [l; 5]),
            ItemKind::Range | ItemKind::Unclassified => None,
        }
    }

    /// The class of a value in the item's unit; `None` when the item is not classed for `body`.
    /// Equal limits in adjacent classes give the best class; a value at a limit meets it.
    pub fn classify(&self, value: f64, body: WaterBody) -> Option<WaterClass> {
        if !self.applies_to(body) {
            return None;
        }
        match self.kind {
            ItemKind::Range => {
                let [low, high] = self.range?;
                let inside = at_or_above(value, low) && at_or_below(value, high);
                Some(if inside {
                    WaterClass::I
                } else {
                    WaterClass::WorseThanV
                })
            }
            ItemKind::Upper | ItemKind::Single => {
                let limits = self.class_limits(body)?;
                Some(first_met(&limits, |l| at_or_below(value, l)))
            }
            ItemKind::Lower => {
                let limits = self.class_limits(body)?;
                Some(first_met(&limits, |l| at_or_above(value, l)))
            }
            ItemKind::Unclassified => None,
        }
    }

    /// Exceedance multiple `(C - L) / L` over the limit of `class`, when the value breaks an upper
    /// limit; `None` when it meets the class or the item has no upper limit.
    pub fn exceedance_over(&self, value: f64, class: WaterClass, body: WaterBody) -> Option<f64> {
        if !matches!(self.kind, ItemKind::Upper | ItemKind::Single) || !self.applies_to(body) {
            return None;
        }
        let limit = self.class_limits(body)?[class.index()?];
        if at_or_below(value, limit) || limit <= 0.0 {
            None
        } else {
            Some((value - limit) / limit)
        }
    }
}

fn first_met(limits: &[f64; 5], meets: impl Fn(f64) -> bool) -> WaterClass {
    WaterClass::LIMITED
        .iter()
        .zip(limits)
        .find(|(_, l)| meets(**l))
        .map(|(c, _)| *c)
        .unwrap_or(WaterClass::WorseThanV)
}

fn at_or_below(value: f64, limit: f64) -> bool {
    value <= limit + limit.abs() * LIMIT_TOLERANCE
}

fn at_or_above(value: f64, limit: f64) -> bool {
    value >= limit - limit.abs() * LIMIT_TOLERANCE
}

/// A quality standard: its name, edition, source and items.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Standard {
    /// Short name (`GB 3838-2002`).
    pub name: String,
    /// Full title.
    #[serde(default)]
    pub title: String,
    /// Edition year or label.
    pub edition: String,
    /// Where the data come from.
    pub source: String,
    /// The items.
    pub items: Vec<ItemStandard>,
}

impl Standard {
    /// GB 3838-2002 as embedded in the crate.
    pub fn gb3838_2002() -> Result<Self, AssessmentError> {
        Self::from_json("gb3838-2002.json (embedded)", GB3838_2002_JSON)
    }

    /// Reads and checks a standard from JSON text; `source_name` names it in errors.
    pub fn from_json(source_name: &str, text: &str) -> Result<Self, AssessmentError> {
        let standard: Standard = serde_json::from_str(text).map_err(|e| AssessmentError::Data {
            source_name: source_name.to_string(),
            message: e.to_string(),
        })?;
        standard.check(source_name)?;
        Ok(standard)
    }

    fn check(&self, source_name: &str) -> Result<(), AssessmentError> {
        let bad = |code: &str, message: String| AssessmentError::Data {
            source_name: source_name.to_string(),
            message: format!("item `{code}`: {message}"),
        };
        for (i, item) in self.items.iter().enumerate() {
            if self.items[..i]
                .iter()
                .any(|o| o.code.eq_ignore_ascii_case(&item.code))
            {
                return Err(bad(&item.code, "code appears twice".into()));
            }
            match item.kind {
                ItemKind::Upper | ItemKind::Lower => {
                    let rows = [item.limits, item.lake_limits];
                    if item.limits.is_none() {
                        return Err(bad(&item.code, "`limits` (five values) is required".into()));
                    }
                    for row in rows.into_iter().flatten() {
                        let ordered = row.windows(2).all(|w| match item.kind {
                            ItemKind::Upper => w[0] <= w[1],
                            _ => w[0] >= w[1],
                        });
                        if !ordered || row.iter().any(|v| !v.is_finite() || *v < 0.0) {
                            return Err(bad(
                                &item.code,
                                format!("limits {row:?} must be finite, non-negative and ordered from Class I to V"),
                            ));
                        }
                    }
                }
                ItemKind::Range => match item.range {
                    Some([a, b]) if a.is_finite() && b.is_finite() && a <= b => {}
                    _ => return Err(bad(&item.code, "`range` [low, high] is required".into())),
                },
                ItemKind::Single => match item.limit {
                    Some(l) if l.is_finite() && l >= 0.0 => {}
                    _ => return Err(bad(&item.code, "`limit` is required".into())),
                },
                ItemKind::Unclassified => {}
            }
            if crate::units::parse_unit(&item.unit).is_none() {
                return Err(bad(
                    &item.code,
                    format!("unit `{}` is not known", item.unit),
                ));
            }
        }
        Ok(())
    }

    /// Finds an item by code or alias, case-insensitively.
    pub fn item(&self, code: &str) -> Option<&ItemStandard> {
        let code = code.trim();
        self.items
            .iter()
            .find(|i| i.code == code)
            .or_else(|| {
                self.items
                    .iter()
                    .find(|i| i.code.eq_ignore_ascii_case(code))
            })
            .or_else(|| {
                self.items
                    .iter()
                    .find(|i| i.aliases.iter().any(|a| a.eq_ignore_ascii_case(code)))
            })
    }
}
