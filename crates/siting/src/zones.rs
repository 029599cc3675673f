//! Protection zones and the canal line: loaded from a GeoJSON FeatureCollection, or generated from
//! the canal centre line and the zone widths of each section when only widths are known.

use geo::{
    BooleanOps, Buffer, Coord, Distance, Geodesic, Geometry, InterpolatePoint, LineString,
    MapCoords, MultiLineString, MultiPolygon, Point,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::SitingError;
use crate::geometry;
use crate::index::EdgeIndex;
use crate::rules::{RuleSet, Widths, ZoneKind};

/// One protection zone.
#[derive(Debug, Clone)]
pub struct Zone {
    /// Zone kind.
    pub kind: ZoneKind,
    /// Name from `properties.name`, or the kind and feature number.
    pub name: String,
    /// Index of the feature in the input file, when loaded from one.
    pub feature: Option<usize>,
    /// The area, lon/lat degrees.
    pub area: MultiPolygon,
    /// The area's edges, indexed for distances.
    edges: EdgeIndex,
}

impl Zone {
    /// A zone over `area`, its edges indexed.
    pub fn new(kind: ZoneKind, name: String, feature: Option<usize>, area: MultiPolygon) -> Zone {
        let edges = EdgeIndex::of(&Geometry::MultiPolygon(area.clone()));
        Zone {
            kind,
            name,
            feature,
            area,
            edges,
        }
    }

    /// The indexed edges of the zone's area.
    pub fn edges(&self) -> &EdgeIndex {
        &self.edges
    }
}

/// Zone widths over a stretch of canal, by chainage from the start of the centre line.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct Section {
    /// Start chainage, m along the centre line.
    pub from_m: f64,
    /// End chainage, m.
    pub to_m: f64,
    /// Widths in this stretch.
    #[serde(flatten)]
    pub widths: Widths,
}

/// Zones and the canal centre line.
#[derive(Debug, Clone, Default)]
pub struct ZoneMap {
    /// Protection zones.
    pub zones: Vec<Zone>,
    /// Canal centre line(s), lon/lat degrees.
    pub canal: Option<MultiLineString>,
    /// The canal line's edges, indexed for distances.
    canal_edges: Option<EdgeIndex>,
}

fn number(source: &str, field: &str, v: Option<&Value>) -> Result<Option<f64>, SitingError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(x) if x.is_finite() && x >= 0.0 => Ok(Some(x)),
            _ => Err(SitingError::field(
                source,
                field,
                "expected a non-negative number of metres",
            )),
        },
        Some(other) => Err(SitingError::field(
            source,
            field,
            format!("expected a non-negative number of metres, found {other}"),
        )),
    }
}

/// Widths from a canal feature's properties, falling back on `defaults` field by field.
fn widths_from(
    source: &str,
    field: &str,
    props: &serde_json::Map<String, Value>,
    defaults: Widths,
) -> Result<Widths, SitingError> {
    let get = |name: &str, default: f64| -> Result<f64, SitingError> {
        Ok(number(source, &format!("{field}.{name}"), props.get(name))?.unwrap_or(default))
    };
    Ok(Widths {
        half_width_m: get("half_width_m", defaults.half_width_m)?,
        first_class_m: get("first_class_m", defaults.first_class_m)?,
        second_class_m: get("second_class_m", defaults.second_class_m)?,
        works_protection_m: get("works_protection_m", defaults.works_protection_m)?,
    })
}

impl ZoneMap {
    /// Reads zones from a GeoJSON FeatureCollection: polygons with `properties.zone` one of
    /// `first-class`, `second-class`, `works-protection`, and optionally the canal as a LineString
    /// with `properties.kind` = `canal`. When the file has a canal and no zone polygons, zones are
    /// generated from widths in the canal's properties (`first_class_m`, `second_class_m`,
    /// `works_protection_m`, `half_width_m`, or `sections`), else the rule set's defaults.
    pub fn from_geojson(source: &str, text: &str, rules: &RuleSet) -> Result<Self, SitingError> {
        let root: Value = serde_json::from_str(text).map_err(|e| SitingError::Json {
            source_name: source.to_string(),
            message: e.to_string(),
        })?;
        if root.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
            return Err(SitingError::field(
                source,
                "type",
                "expected \"FeatureCollection\"",
            ));
        }
        let Some(features) = root.get("features").and_then(Value::as_array) else {
            return Err(SitingError::field(
                source,
                "features",
                "expected an array of features",
            ));
        };
        let mut map = ZoneMap::default();
        let mut canal_lines = Vec::new();
        let mut canal_sections: Vec<(LineString, Vec<Section>)> = Vec::new();
        for (i, feature) in features.iter().enumerate() {
            let field = format!("features[{i}]");
            let empty = serde_json::Map::new();
            let props = match feature.get("properties") {
                None | Some(Value::Null) => &empty,
                Some(Value::Object(o)) => o,
                Some(_) => {
                    return Err(SitingError::field(
                        source,
                        format!("{field}.properties"),
                        "expected an object",
                    ))
                }
            };
            let Some(geometry_value) = feature.get("geometry").filter(|g| !g.is_null()) else {
                return Err(SitingError::field(
                    source,
                    format!("{field}.geometry"),
                    "missing geometry",
                ));
            };
            let geometry =
                geometry::from_json_value(source, &format!("{field}.geometry"), geometry_value)?;
            let name = props
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_string);
            if props.get("kind").and_then(Value::as_str) == Some("canal") {
                let lines: Vec<LineString> = match geometry {
                    Geometry::LineString(l) => vec![l],
                    Geometry::MultiLineString(m) => m.0,
                    _ => {
                        return Err(SitingError::field(
                            source,
                            format!("{field}.geometry.type"),
                            "the canal must be a LineString or MultiLineString",
                        ))
                    }
                };
                let defaults = widths_from(
                    source,
                    &format!("{field}.properties"),
                    props,
                    rules.default_widths.widths,
                )?;
                let sections = match props.get("sections") {
                    None | Some(Value::Null) => Vec::new(),
                    Some(v) => serde_json::from_value::<Vec<Section>>(v.clone()).map_err(|e| {
                        SitingError::field(
                            source,
                            format!("{field}.properties.sections"),
                            e.to_string(),
                        )
                    })?,
                };
                for line in &lines {
                    let sections = if sections.is_empty() {
                        vec![Section {
                            from_m: 0.0,
                            to_m: f64::INFINITY,
                            widths: defaults,
                        }]
                    } else {
                        sections.clone()
                    };
                    canal_sections.push((line.clone(), sections));
                }
                canal_lines.extend(lines);
                continue;
            }
            let Some(zone_text) = props.get("zone").and_then(Value::as_str) else {
                return Err(SitingError::field(
                    source,
                    format!("{field}.properties.zone"),
                    "missing; expected first-class, second-class or works-protection (or kind = canal)",
                ));
            };
            let kind: ZoneKind = zone_text.parse().map_err(|e: String| {
                SitingError::field(source, format!("{field}.properties.zone"), e)
            })?;
            let area = match geometry {
                Geometry::Polygon(p) => MultiPolygon::new(vec![p]),
                Geometry::MultiPolygon(m) => m,
                _ => {
                    return Err(SitingError::field(
                        source,
                        format!("{field}.geometry.type"),
                        "a zone must be a Polygon or MultiPolygon",
                    ))
                }
            };
            map.zones.push(Zone::new(
                kind,
                name.unwrap_or_else(|| format!("{kind} #{i}")),
                Some(i),
                area,
            ));
        }
        if !canal_lines.is_empty() {
            map.set_canal(MultiLineString::new(canal_lines));
            if map.zones.is_empty() {
                for (line, sections) in &canal_sections {
                    map.zones.extend(zones_from_widths(line, sections));
                }
            }
        }
        Ok(map)
    }

    /// Zones generated from a canal centre line and widths per section.
    pub fn from_widths(canal: LineString, sections: &[Section]) -> Self {
        let mut map = ZoneMap {
            zones: zones_from_widths(&canal, sections),
            ..ZoneMap::default()
        };
        map.set_canal(MultiLineString::new(vec![canal]));
        map
    }

    /// Sets the canal centre line, indexing its edges.
    pub fn set_canal(&mut self, canal: MultiLineString) {
        self.canal_edges = Some(EdgeIndex::of(&Geometry::MultiLineString(canal.clone())));
        self.canal = Some(canal);
    }

    /// The canal line's indexed edges, when the map has a canal.
    pub fn canal_edges(&self) -> Option<&EdgeIndex> {
        self.canal_edges.as_ref()
    }
}

/// The part of a line between two chainages (geodesic metres from its start).
pub fn sub_line(line: &LineString, from_m: f64, to_m: f64) -> Option<LineString> {
    let mut out: Vec<Coord> = Vec::new();
    let mut start = 0.0;
    for segment in line.lines() {
        let length = Geodesic.distance(Point(segment.start), Point(segment.end));
        let end = start + length;
        if end >= from_m && start <= to_m && length > 0.0 {
            let at = |chainage: f64| -> Coord {
                let ratio = ((chainage - start) / length).clamp(0.0, 1.0);
                Geodesic
                    .point_at_ratio_between(Point(segment.start), Point(segment.end), ratio)
                    .0
            };
            let a = if from_m > start {
                at(from_m)
            } else {
                segment.start
            };
            let b = if to_m < end { at(to_m) } else { segment.end };
            if out.last() != Some(&a) {
                out.push(a);
            }
            out.push(b);
        }
        start = end;
    }
    (out.len() >= 2).then(|| LineString::new(out))
}

/// Buffers a lon/lat line by `distance_m` in a tangent plane at the line's midpoint and returns
/// the area in lon/lat. Accurate to a small fraction of a percent over a canal section.
fn buffer_m(line: &LineString, distance_m: f64) -> MultiPolygon {
    let n = line.0.len().max(1);
    let mid = line.0.iter().fold(Coord { x: 0.0, y: 0.0 }, |a, c| Coord {
        x: a.x + c.x / n as f64,
        y: a.y + c.y / n as f64,
    });
    let east = Geodesic.distance(
        Point(mid),
        Point(Coord {
            x: mid.x + 0.01,
            y: mid.y,
        }),
    ) / 0.01;
    let north = Geodesic.distance(
        Point(mid),
        Point(Coord {
            x: mid.x,
            y: mid.y + 0.01,
        }),
    ) / 0.01;
    let projected = line.map_coords(|c| Coord {
        x: (c.x - mid.x) * east,
        y: (c.y - mid.y) * north,
    });
    projected.buffer(distance_m).map_coords(|c| Coord {
        x: mid.x + c.x / east,
        y: mid.y + c.y / north,
    })
}

fn zones_from_widths(canal: &LineString, sections: &[Section]) -> Vec<Zone> {
    let mut zones = Vec::new();
    for (i, section) in sections.iter().enumerate() {
        let Some(line) = sub_line(canal, section.from_m, section.to_m) else {
            continue;
        };
        let w = section.widths;
        let first = buffer_m(&line, w.half_width_m + w.first_class_m);
        let second_outer = buffer_m(&line, w.half_width_m + w.first_class_m + w.second_class_m);
        let works = buffer_m(&line, w.half_width_m + w.works_protection_m);
        let label = |kind: ZoneKind| format!("{kind} (section {}, from widths)", i + 1);
        if w.second_class_m > 0.0 {
            zones.push(Zone::new(
                ZoneKind::SecondClass,
                label(ZoneKind::SecondClass),
                None,
                second_outer.difference(&first),
            ));
        }
        zones.push(Zone::new(
            ZoneKind::FirstClass,
            label(ZoneKind::FirstClass),
            None,
            first,
        ));
        if w.works_protection_m > 0.0 || w.half_width_m > 0.0 {
            zones.push(Zone::new(
                ZoneKind::WorksProtection,
                label(ZoneKind::WorksProtection),
                None,
                works,
            ));
        }
    }
    zones
}
