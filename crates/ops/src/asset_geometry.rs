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

#[cfg(test)]
mod tests {
    use super::*;

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
