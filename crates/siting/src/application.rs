//! An application for a project in or near the protection zones, read from JSON with every field
//! checked and errors naming the field.

use geo::Geometry;
use serde::Serialize;
use serde_json::Value;

use crate::error::SitingError;
use crate::geometry;
use crate::rules::RuleSet;

/// A project application.
#[derive(Debug, Clone, Serialize)]
pub struct Application {
    /// Project name.
    pub name: String,
    /// Category id from the rule set.
    pub category: String,
    /// Footprint, lon/lat degrees.
    #[serde(skip)]
    pub footprint: Geometry,
    /// Radius around a point footprint, m (0 for areas and lines).
    pub radius_m: f64,
    /// Whether the project discharges pollutants.
    pub discharges_pollutants: bool,
    /// Whether it stores hazardous goods.
    pub stores_hazardous_goods: bool,
    /// Whether it crosses the canal (as declared).
    pub crosses_canal: bool,
    /// Whether it serves water supply or source protection.
    pub serves_water_supply: bool,
}

const FLAGS: [&str; 4] = [
    "discharges_pollutants",
    "stores_hazardous_goods",
    "crosses_canal",
    "serves_water_supply",
];
const OTHER_FIELDS: [&str; 7] = [
    "name",
    "category",
    "footprint",
    "radius_m",
    "description",
    "applicant",
    "id",
];

impl Application {
    /// Reads an application from JSON text; categories are checked against `rules`.
    pub fn from_json(source: &str, text: &str, rules: &RuleSet) -> Result<Self, SitingError> {
        let root: Value = serde_json::from_str(text).map_err(|e| SitingError::Json {
            source_name: source.to_string(),
            message: e.to_string(),
        })?;
        let Some(object) = root.as_object() else {
            return Err(SitingError::field(
                source,
                "(root)",
                "expected a JSON object",
            ));
        };
        for key in object.keys() {
            if !FLAGS.contains(&key.as_str()) && !OTHER_FIELDS.contains(&key.as_str()) {
                return Err(SitingError::field(
                    source,
                    key.clone(),
                    format!(
                        "unknown field; expected {} or {}",
                        OTHER_FIELDS.join(", "),
                        FLAGS.join(", ")
                    ),
                ));
            }
        }
        let text_field = |name: &str| -> Result<String, SitingError> {
            match object.get(name) {
                Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
                Some(Value::String(_)) => {
                    Err(SitingError::field(source, name, "must not be empty"))
                }
                None => Err(SitingError::field(source, name, "missing")),
                Some(other) => Err(SitingError::field(
                    source,
                    name,
                    format!("expected a string, found {other}"),
                )),
            }
        };
        let flag = |name: &str| -> Result<bool, SitingError> {
            match object.get(name) {
                None | Some(Value::Null) => Ok(false),
                Some(Value::Bool(b)) => Ok(*b),
                Some(other) => Err(SitingError::field(
                    source,
                    name,
                    format!("expected true or false, found {other}"),
                )),
            }
        };
        let name = text_field("name")?;
        let category = text_field("category")?;
        if rules.category(&category).is_none() {
            return Err(SitingError::field(
                source,
                "category",
                format!(
                    "unknown category `{category}`; expected one of {}",
                    rules
                        .categories
                        .iter()
                        .map(|c| c.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let Some(footprint_value) = object.get("footprint").filter(|v| !v.is_null()) else {
            return Err(SitingError::field(
                source,
                "footprint",
                "missing; expected a GeoJSON geometry",
            ));
        };
        let footprint = geometry::from_json_value(source, "footprint", footprint_value)?;
        let radius_m = match object.get("radius_m") {
            None | Some(Value::Null) => 0.0,
            Some(Value::Number(n)) => match n.as_f64() {
                Some(r) if r.is_finite() && r >= 0.0 => r,
                _ => {
                    return Err(SitingError::field(
                        source,
                        "radius_m",
                        "expected a non-negative number of metres",
                    ))
                }
            },
            Some(other) => {
                return Err(SitingError::field(
                    source,
                    "radius_m",
                    format!("expected a non-negative number of metres, found {other}"),
                ))
            }
        };
        if radius_m > 0.0 && !matches!(footprint, Geometry::Point(_)) {
            return Err(SitingError::field(
                source,
                "radius_m",
                "a radius is given only with a Point footprint",
            ));
        }
        Ok(Application {
            name,
            category,
            footprint,
            radius_m,
            discharges_pollutants: flag("discharges_pollutants")?,
            stores_hazardous_goods: flag("stores_hazardous_goods")?,
            crosses_canal: flag("crosses_canal")?,
            serves_water_supply: flag("serves_water_supply")?,
        })
    }
}
