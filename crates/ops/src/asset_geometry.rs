//! Asset geometry from GeoJSON: each feature's geometry checked (finite longitude and latitude in
//! degrees, closed rings of three or more corners that do not cross, holes inside their shell),
//! of a type the asset's kind can have, and stored with exterior rings anticlockwise (RFC 7946).

use danjiang_siting::geometry::from_json_value;
use danjiang_siting::SitingError;
use geo::{Geometry, Orient};

use crate::error::RowError;

/// The GeoJSON geometry types an asset of `kind` may have.
pub fn allowed_types(kind: &str) -> &'static [&'static str] {
    match kind {
        "pipeline" => &["LineString", "MultiLineString"],
        "zone" => &["Polygon", "MultiPolygon"],
        "plant" | "station" | "office" | "site" => &["Point", "Polygon", "MultiPolygon"],
        // Outlets, wells and release points are places on a line.
        _ => &["Point"],
    }
}

/// Checks one feature's geometry for an asset of `kind`; `field` is its JSON path and `line`
/// the line of the file the feature starts on. Returns the geometry to store.
pub fn checked(
    kind: &str,
    field: &str,
    line: u64,
    value: &serde_json::Value,
) -> Result<String, RowError> {
    let fail = |field: String, reason: String| RowError {
        line,
        field: Some(field),
        reason,
    };
    let given = value.get("type").and_then(|t| t.as_str()).unwrap_or("");
    let allowed = allowed_types(kind);
    if !given.is_empty() && !allowed.contains(&given) {
        return Err(fail(
            format!("{field}.type"),
            format!(
                "a {kind} cannot be a {given}: expected {}",
                allowed.join(" or ")
            ),
        ));
    }
    let geometry = from_json_value("geometry", field, value).map_err(|error| match error {
        SitingError::Field { field, message, .. } => fail(field, message),
        other => fail(field.to_string(), other.to_string()),
    })?;
    let oriented = match geometry {
        Geometry::Polygon(p) => Geometry::Polygon(p.orient(geo::orient::Direction::Default)),
        Geometry::MultiPolygon(m) => {
            Geometry::MultiPolygon(m.orient(geo::orient::Direction::Default))
        }
        other => other,
    };
    Ok(geojson::Geometry::from(&oriented).to_string())
}

/// The line (1-based) on which each element of the top-level `features` array starts, read
/// from the text so that errors can name lines; empty when the text is not shaped so.
pub fn feature_lines(text: &str) -> Vec<u64> {
    let mut lines = Vec::new();
    let mut line = 1u64;
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    // The last string at depth 1 and whether the array opened after it is `features`.
    let mut last_key = String::new();
    let mut current = String::new();
    let mut features_depth = None;
    let mut expecting_element = false;
    for c in text.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
                if depth == 1 {
                    last_key = std::mem::take(&mut current);
                }
            } else if depth == 1 {
                current.push(c);
            }
            continue;
        }
        if expecting_element && !c.is_whitespace() && c != ']' {
            lines.push(line);
            expecting_element = false;
        }
        match c {
            '"' => {
                in_string = true;
                current.clear();
            }
            '{' | '[' => {
                depth += 1;
                if c == '[' && depth == 2 && last_key == "features" {
                    features_depth = Some(depth);
                    expecting_element = true;
                }
            }
            '}' | ']' => {
                if features_depth == Some(depth) {
                    features_depth = None;
                    expecting_element = false;
                }
                depth = depth.saturating_sub(1);
            }
            ',' if features_depth == Some(depth) => expecting_element = true,
            _ => {}
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_lines_follow_the_text() {
        let text = "{\"type\":\"FeatureCollection\",\n\"features\":[\n{\"a\":\"[,]\"},\n\n {\"b\":[1,2]}\n]}";
        assert_eq!(feature_lines(text), [3, 5]);
        assert!(feature_lines("[1,2]").is_empty());
    }

    #[test]
    fn positions_are_longitude_and_latitude_of_known_types() {
        let ok = serde_json::json!({"type": "LineString", "coordinates": [[113.4, 34.1], [113.5, 34.2]]});
        assert!(checked("pipeline", "g", 1, &ok).is_ok());
        let bad = serde_json::json!({"type": "Point", "coordinates": [500.0, 34.1]});
        assert!(checked("well", "g", 1, &bad).is_err());
        let unknown = serde_json::json!({"type": "Circle", "coordinates": [1.0, 2.0]});
        assert!(checked("well", "g", 1, &unknown).is_err());
    }

    #[test]
    fn kinds_take_their_shapes() {
        let point = serde_json::json!({"type":"Point","coordinates":[113.0,34.0]});
        assert!(checked("well", "g", 1, &point).is_ok());
        let error = checked("pipeline", "g", 7, &point).unwrap_err();
        assert_eq!(error.line, 7);
        assert!(
            error.reason.contains("a pipeline cannot be a Point"),
            "{error}"
        );
    }

    #[test]
    fn clockwise_shells_are_stored_anticlockwise() {
        let clockwise = serde_json::json!({"type":"Polygon","coordinates":
            [[[113.0,34.0],[113.0,34.1],[113.1,34.1],[113.1,34.0],[113.0,34.0]]]});
        let stored: serde_json::Value =
            serde_json::from_str(&checked("zone", "g", 1, &clockwise).unwrap()).unwrap();
        let ring = stored["coordinates"][0].as_array().unwrap();
        let area: f64 = ring
            .windows(2)
            .map(|w| {
                let (a, b) = (&w[0], &w[1]);
                a[0].as_f64().unwrap() * b[1].as_f64().unwrap()
                    - b[0].as_f64().unwrap() * a[1].as_f64().unwrap()
            })
            .sum();
        assert!(area > 0.0, "anticlockwise: {stored}");
    }
}
