//! GeoJSON geometry read into `geo` types with checks that name the offending field: positions are
//! finite lon/lat pairs, rings are closed with four or more distinct positions, rings do not cross themselves or each other, holes lie inside their shell and outside
//! each other. The checks take time near-linear in the vertices (an R-tree of the edges).

use geo::{
    coordinate_position::CoordPos, Coord, CoordinatePosition, Geometry, LineString,
    MultiLineString, MultiPolygon, Polygon,
};
use geojson::{GeometryValue, Position};

use crate::error::SitingError;
use crate::index::first_crossing;

fn position(source: &str, field: &str, p: &Position) -> Result<Coord, SitingError> {
    let s = p.as_slice();
    if s.len() < 2 {
        return Err(SitingError::field(
            source,
            field,
            "a position needs [longitude, latitude]",
        ));
    }
    let (lon, lat) = (s[0], s[1]);
    if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
        return Err(SitingError::field(
            source,
            field,
            format!("longitude {lon} is outside -180..180 (positions are [lon, lat] in degrees)"),
        ));
    }
    if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
        return Err(SitingError::field(
            source,
            field,
            format!("latitude {lat} is outside -90..90 (positions are [lon, lat] in degrees)"),
        ));
    }
    Ok(Coord { x: lon, y: lat })
}

fn line(source: &str, field: &str, positions: &[Position]) -> Result<LineString, SitingError> {
    if positions.len() < 2 {
        return Err(SitingError::field(
            source,
            field,
            "a line needs at least 2 positions",
        ));
    }
    positions
        .iter()
        .enumerate()
        .map(|(i, p)| position(source, &format!("{field}[{i}]"), p))
        .collect::<Result<Vec<_>, _>>()
        .map(LineString::new)
}

fn ring(source: &str, field: &str, positions: &[Position]) -> Result<LineString, SitingError> {
    if positions.len() < 4 {
        return Err(SitingError::field(
            source,
            field,
            format!(
                "a polygon ring needs at least 4 positions, found {}",
                positions.len()
            ),
        ));
    }
    let mut ring = line(source, field, positions)?;
    if ring.0.first() != ring.0.last() {
        return Err(SitingError::field(
            source,
            field,
            "a polygon ring must be closed (its last position equal to its first)",
        ));
    }
    // A position repeated at once adds no edge; surveyed boundaries often have them.
    ring.0.dedup();
    if ring.0.len() < 4 {
        return Err(SitingError::field(
            source,
            field,
            "a polygon ring needs at least 3 distinct corners",
        ));
    }
    Ok(ring)
}

fn polygon(source: &str, field: &str, rings: &[Vec<Position>]) -> Result<Polygon, SitingError> {
    let Some((outer, holes)) = rings.split_first() else {
        return Err(SitingError::field(
            source,
            field,
            "a polygon needs an outer ring",
        ));
    };
    let exterior = ring(source, &format!("{field}[0]"), outer)?;
    let interiors = holes
        .iter()
        .enumerate()
        .map(|(i, r)| ring(source, &format!("{field}[{}]", i + 1), r))
        .collect::<Result<Vec<_>, _>>()?;
    let polygon = Polygon::new(exterior, interiors);
    if let Some(crossing) = first_crossing(&polygon) {
        let (x, y) = (crossing.at.x, crossing.at.y);
        let what = if crossing.ring == crossing.other_ring {
            format!("ring {} crosses itself", crossing.ring)
        } else {
            format!("rings {} and {} cross", crossing.ring, crossing.other_ring)
        };
        return Err(SitingError::field(
            source,
            field,
            format!("invalid polygon: {what} near [{x:.6}, {y:.6}]"),
        ));
    }
    check_holes(source, field, &polygon)?;
    Ok(polygon)
}

/// Holes inside their shell and outside each other. Rings that do not cross are each wholly on
/// one side of another, so one vertex off the other's boundary tells the side.
fn check_holes(source: &str, field: &str, polygon: &Polygon) -> Result<(), SitingError> {
    let shell = Polygon::new(polygon.exterior().clone(), vec![]);
    let holes: Vec<Polygon> = polygon
        .interiors()
        .iter()
        .map(|r| Polygon::new(r.clone(), vec![]))
        .collect();
    for (i, hole) in holes.iter().enumerate() {
        if side_of(hole, &shell) == Some(CoordPos::Outside) {
            return Err(SitingError::field(
                source,
                format!("{field}[{}]", i + 1),
                "invalid polygon: a hole lies outside its outer ring",
            ));
        }
        for (j, other) in holes.iter().enumerate().skip(i + 1) {
            if side_of(hole, other) == Some(CoordPos::Inside)
                || side_of(other, hole) == Some(CoordPos::Inside)
            {
                return Err(SitingError::field(
                    source,
                    format!("{field}[{}]", j + 1),
                    format!(
                        "invalid polygon: holes {} and {} lie one inside the other",
                        i + 1,
                        j + 1
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Where `ring`'s first vertex off `area`'s boundary lies, if any is off it.
fn side_of(ring: &Polygon, area: &Polygon) -> Option<CoordPos> {
    ring.exterior()
        .0
        .iter()
        .map(|c| area.coordinate_position(c))
        .find(|p| *p != CoordPos::OnBoundary)
}

/// Reads a GeoJSON geometry value; `field` is its JSON path for error messages.
pub fn from_geojson(
    source: &str,
    field: &str,
    value: &GeometryValue,
) -> Result<Geometry, SitingError> {
    let coordinates = format!("{field}.coordinates");
    Ok(match value {
        GeometryValue::Point { coordinates: p } => Geometry::Point(position(source, &coordinates, p)?.into()),
        GeometryValue::LineString { coordinates: ps } => Geometry::LineString(line(source, &coordinates, ps)?),
        GeometryValue::MultiLineString { coordinates: lines } => Geometry::MultiLineString(MultiLineString::new(
            lines
                .iter()
                .enumerate()
                .map(|(i, l)| line(source, &format!("{coordinates}[{i}]"), l))
                .collect::<Result<_, _>>()?,
        )),
        GeometryValue::Polygon { coordinates: rings } => Geometry::Polygon(polygon(source, &coordinates, rings)?),
        GeometryValue::MultiPolygon { coordinates: polygons } => Geometry::MultiPolygon(MultiPolygon::new(
            polygons
                .iter()
                .enumerate()
                .map(|(i, p)| polygon(source, &format!("{coordinates}[{i}]"), p))
                .collect::<Result<_, _>>()?,
        )),
        other => {
            return Err(SitingError::field(
                source,
                format!("{field}.type"),
                format!(
                    "{} is not supported; expected Point, LineString, MultiLineString, Polygon or MultiPolygon",
                    other.type_name()
                ),
            ))
        }
    })
}

/// Parses a GeoJSON geometry object given as JSON.
pub fn from_json_value(
    source: &str,
    field: &str,
    value: &serde_json::Value,
) -> Result<Geometry, SitingError> {
    let geometry: geojson::Geometry = serde_json::from_value(value.clone())
        .map_err(|e| SitingError::field(source, field, format!("not a GeoJSON geometry: {e}")))?;
    from_geojson(source, field, &geometry.value)
}

/// Vertices of a geometry.
pub fn vertices(geometry: &Geometry) -> Vec<Coord> {
    use geo::CoordsIter;
    geometry.coords_iter().collect()
}

/// Edges of a geometry: consecutive positions of its lines and rings.
pub fn edges(geometry: &Geometry) -> Vec<(Coord, Coord)> {
    fn of_line(line: &LineString, out: &mut Vec<(Coord, Coord)>) {
        out.extend(line.lines().map(|l| (l.start, l.end)));
    }
    fn of_polygon(polygon: &Polygon, out: &mut Vec<(Coord, Coord)>) {
        of_line(polygon.exterior(), out);
        for ring in polygon.interiors() {
            of_line(ring, out);
        }
    }
    let mut out = Vec::new();
    match geometry {
        Geometry::LineString(l) => of_line(l, &mut out),
        Geometry::MultiLineString(m) => m.iter().for_each(|l| of_line(l, &mut out)),
        Geometry::Polygon(p) => of_polygon(p, &mut out),
        Geometry::MultiPolygon(m) => m.iter().for_each(|p| of_polygon(p, &mut out)),
        _ => {}
    }
    out
}
