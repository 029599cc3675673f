//! Import of CSV files (counties, assets, meters, uses, readings, replacements, plans) and of
//! GeoJSON geometries. A file is validated whole first; a file with any bad row is rejected with
//! every bad row listed and nothing written; a good file is written in one transaction with
//! upserts, so importing it again changes nothing.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::{Any, AnyConnection, Row};

use crate::asset_geometry;
use crate::calendar::parse_water_year;
use crate::csv_rows::{unique, CsvFile, Fields};
use crate::error::{OpsError, Result, RowError};
use crate::metering::{daily_volumes, MeterSettings, Reading, ReadingKind, Replacement};
use crate::store::{is_busy, Backend, Store};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// `code,name,name_zh,kind`: counties, county-level cities and districts.
    Counties,
    /// One asset a row, of any kind (see [`ASSET_COLUMNS`]).
    Assets,
    /// `code,asset,point,reading_kind[,rollover_m3,max_gap_hours]`.
    Meters,
    /// `meter,use,share`: how a delivery meter's volume divides among uses.
    Uses,
    /// `meter,time,value`: register (m³) or flow (m³/s) readings, local time.
    Readings,
    /// `meter,time,old_final_m3,new_initial_m3`: meter exchanges.
    Replacements,
    /// `asset,water_year,month,volume_m3`: annual (month empty or 0) and monthly plans.
    Plans,
    /// A GeoJSON FeatureCollection whose features carry `properties.code` of an asset.
    Geometry,
    /// The telemetry tag register (see [`crate::telemetry::TAG_COLUMNS`]).
    Tags,
}

impl ImportKind {
    /// Every kind, in the order a full load imports them.
    pub const ALL: [ImportKind; 9] = [
        ImportKind::Counties,
        ImportKind::Assets,
        ImportKind::Geometry,
        ImportKind::Meters,
        ImportKind::Uses,
        ImportKind::Replacements,
        ImportKind::Readings,
        ImportKind::Plans,
        ImportKind::Tags,
    ];

    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Counties => "counties",
            ImportKind::Assets => "assets",
            ImportKind::Meters => "meters",
            ImportKind::Uses => "uses",
            ImportKind::Readings => "readings",
            ImportKind::Replacements => "replacements",
            ImportKind::Plans => "plans",
            ImportKind::Geometry => "geometry",
            ImportKind::Tags => "tags",
        }
    }
}

impl FromStr for ImportKind {
    type Err = OpsError;
    fn from_str(text: &str) -> Result<Self> {
        ImportKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text.trim())
            .ok_or_else(|| {
                OpsError::Invalid(format!(
                    "unknown import kind `{text}`; expected one of: {}",
                    ImportKind::ALL.map(|k| k.as_str()).join(", ")
                ))
            })
    }
}

/// The columns an asset file may have; `code`, `kind` and `name` are required.
pub const ASSET_COLUMNS: [&str; 20] = [
    "code",
    "kind",
    "name",
    "name_zh",
    "county",
    "epanet_id",
    "longitude",
    "latitude",
    "looked_after_by",
    "fed_from",
    "length_m",
    "diameter_mm",
    "material",
    "design_flow_m3s",
    "well_type",
    "capacity_m3_per_day",
    "places_served",
    "people_served",
    "area_km2",
    "zone_class",
];

const ASSET_KINDS: [&str; 9] = [
    "outlet", "pipeline", "well", "office", "station", "plant", "release", "site", "zone",
];
const WELL_TYPES: [&str; 6] = [
    "valve",
    "air_valve",
    "drain",
    "meter",
    "inspection",
    "control",
];
const MATERIALS: [&str; 6] = ["PCCP", "DI", "steel", "PE", "RC", "cast_iron"];
const ZONE_CLASSES: [&str; 3] = ["first", "second", "works"];
const COUNTY_KINDS: [&str; 4] = ["city", "district", "county", "county_city"];
const USES: [&str; 4] = ["domestic", "industrial", "ecological", "agricultural"];
const POINTS: [&str; 3] = ["outlet", "plant_intake", "ecological_release"];

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    /// The kind of file.
    pub kind: ImportKind,
    /// Rows (or features) written.
    pub rows: usize,
    /// Meters whose daily volumes were recomputed.
    pub meters_recomputed: usize,
}

/// Told how far a long import has got.
pub trait Progress: Send + Sync {
    /// The work ahead, in rows.
    fn start(&self, _stage: &str, _total: u64) {}
    /// Rows done since the last call.
    fn advance(&self, _rows: u64) {}
}

/// Progress nobody watches.
pub struct Silent;
impl Progress for Silent {}

/// Imports a file of `kind`.
pub async fn import_file(
    store: &Store,
    kind: ImportKind,
    path: &Path,
    progress: &dyn Progress,
) -> Result<ImportSummary> {
    let bytes = std::fs::read(path).map_err(|source| OpsError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    import_bytes(store, kind, path, &bytes, progress).await
}

/// Imports the contents of a file of `kind`; `path` names it in messages.
pub async fn import_bytes(
    store: &Store,
    kind: ImportKind,
    path: &Path,
    bytes: &[u8],
    progress: &dyn Progress,
) -> Result<ImportSummary> {
    let batch = parse(store, kind, bytes).await;
    let batch = match batch {
        Ok(batch) => batch,
        Err(errors) => {
            return Err(OpsError::Rejected {
                path: path.to_path_buf(),
                errors,
            })
        }
    };
    // Another writer (a second process importing) may hold the lock longer than the busy
    // timeout; the whole transaction is then tried again, since nothing of it was kept.
    let mut attempt = 0u32;
    loop {
        match write(store, &batch, progress).await {
            Err(error) if is_busy(&error) && attempt < 30 => {
                attempt += 1;
                tracing::warn!("store busy, retrying the import ({attempt})");
                tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
            }
            Err(error) => return Err(error),
            Ok(meters_recomputed) => {
                return Ok(ImportSummary {
                    kind,
                    rows: batch.rows(),
                    meters_recomputed,
                })
            }
        }
    }
}

/// A value bound into an INSERT.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Text(Option<String>),
    Int(Option<i64>),
    Real(Option<f64>),
}

/// A validated file, ready to write.
#[derive(Debug)]
pub(crate) enum Batch {
    /// Rows for one table, upserted on `keys`.
    Table {
        table: &'static str,
        columns: Vec<&'static str>,
        keys: Vec<&'static str>,
        /// Columns that keep their stored value when the new one is NULL.
        keep_when_null: Vec<&'static str>,
        rows: Vec<Vec<Value>>,
        /// Meters to recompute afterwards.
        meters: Vec<String>,
        /// Rows of these meters in `replace_table` are deleted first (a meter's use split is
        /// replaced whole).
        replace: Option<(&'static str, Vec<String>)>,
    },
    /// (asset code, GeoJSON geometry) for assets already in the register.
    Geometry { rows: Vec<(String, String)> },
    Readings {
        meters: Vec<String>,
        /// (meter index into `meters`, local time s, value)
        rows: Vec<(u32, i64, f64)>,
    },
}

impl Batch {
    fn rows(&self) -> usize {
        match self {
            Batch::Table { rows, .. } => rows.len(),
            Batch::Readings { rows, .. } => rows.len(),
            Batch::Geometry { rows } => rows.len(),
        }
    }
}

async fn known_codes(store: &Store, sql: &str) -> Result<HashSet<String>> {
    let rows = sqlx::query(sql).fetch_all(store.pool()).await?;
    rows.iter()
        .map(|row| row.try_get::<String, _>(0).map_err(OpsError::from))
        .collect()
}

/// Maps the `Err` of store look-ups made during validation to a one-line rejection.
pub(crate) fn store_failure(error: OpsError) -> Vec<RowError> {
    vec![RowError {
        line: 0,
        field: None,
        reason: format!("could not check against the store: {error}"),
    }]
}

async fn parse(
    store: &Store,
    kind: ImportKind,
    bytes: &[u8],
) -> std::result::Result<Batch, Vec<RowError>> {
    match kind {
        ImportKind::Counties => parse_counties(bytes),
        ImportKind::Assets => parse_assets(store, bytes).await,
        ImportKind::Meters => parse_meters(store, bytes).await,
        ImportKind::Uses => parse_uses(store, bytes).await,
        ImportKind::Readings => parse_readings(store, bytes).await,
        ImportKind::Replacements => parse_replacements(store, bytes).await,
        ImportKind::Plans => parse_plans(store, bytes).await,
        ImportKind::Geometry => parse_geometry(store, bytes).await,
        ImportKind::Tags => crate::telemetry::register::parse_tags(store, bytes).await,
    }
}

fn parse_counties(bytes: &[u8]) -> std::result::Result<Batch, Vec<RowError>> {
    let columns = ["code", "name", "name_zh", "kind"];
    let mut file = CsvFile::read(bytes, &["code", "name", "kind"], &columns)?;
    let mut errors = std::mem::take(&mut file.errors);
    let mut rows = Vec::new();
    let mut seen = HashMap::new();
    for (line, record) in &file.records {
        let mut f = Fields::new(&file, *line, record);
        let code = f.required_text("code");
        let name = f.required_text("name");
        let kind = f.one_of("kind", &COUNTY_KINDS, true);
        let code_shown = code.clone();
        unique(&mut seen, code.clone(), &mut f, "code", &code_shown);
        rows.push(vec![
            Value::Text(Some(code)),
            Value::Text(Some(name)),
            Value::Text(f.optional_text("name_zh")),
            Value::Text(kind),
        ]);
        errors.append(&mut f.errors);
    }
    finish(
        errors,
        Batch::Table {
            table: "counties",
            columns: vec!["code", "name", "name_zh", "kind"],
            keys: vec!["code"],
            keep_when_null: vec![],
            rows,
            meters: vec![],
            replace: None,
        },
    )
}

pub(crate) fn finish(
    mut errors: Vec<RowError>,
    batch: Batch,
) -> std::result::Result<Batch, Vec<RowError>> {
    errors.sort_by_key(|e| e.line);
    if errors.is_empty() {
        Ok(batch)
    } else {
        Err(errors)
    }
}

async fn parse_assets(store: &Store, bytes: &[u8]) -> std::result::Result<Batch, Vec<RowError>> {
    let mut file = CsvFile::read(bytes, &["code", "kind", "name"], &ASSET_COLUMNS)?;
    let counties = known_codes(store, "SELECT code FROM counties")
        .await
        .map_err(store_failure)?;
    let mut asset_kinds: HashMap<String, String> = HashMap::new();
    for row in sqlx::query("SELECT code, kind FROM assets")
        .fetch_all(store.pool())
        .await
        .map_err(|e| store_failure(e.into()))?
    {
        let code: String = row.try_get(0).map_err(|e| store_failure(e.into()))?;
        let kind: String = row.try_get(1).map_err(|e| store_failure(e.into()))?;
        asset_kinds.insert(code, kind);
    }
    // The file's own assets may be referenced by its other rows.
    for (_, record) in &file.records {
        let code = file
            .column("code")
            .and_then(|i| record.get(i))
            .unwrap_or("");
        let kind = file
            .column("kind")
            .and_then(|i| record.get(i))
            .unwrap_or("");
        asset_kinds.insert(code.to_string(), kind.to_string());
    }
    let mut errors = std::mem::take(&mut file.errors);
    let mut rows = Vec::new();
    let mut seen = HashMap::new();
    for (line, record) in &file.records {
        let mut f = Fields::new(&file, *line, record);
        let code = f.required_text("code");
        let kind = f.one_of("kind", &ASSET_KINDS, true);
        let name = f.required_text("name");
        let code_shown = code.clone();
        unique(&mut seen, code.clone(), &mut f, "code", &code_shown);
        let county = f.optional_text("county");
        if let Some(county) = &county {
            if !counties.contains(county) {
                f.fail(
                    "county",
                    format!("unknown county `{county}`; import counties first"),
                );
            }
        }
        let looked_after_by = f.optional_text("looked_after_by");
        if let Some(office) = &looked_after_by {
            match asset_kinds.get(office).map(String::as_str) {
                Some("office") | Some("station") => {}
                Some(other) => f.fail(
                    "looked_after_by",
                    format!("`{office}` is a {other}, not an office or station"),
                ),
                None => f.fail(
                    "looked_after_by",
                    format!("unknown office or station `{office}`"),
                ),
            }
        }
        let fed_from = f.optional_text("fed_from");
        if let Some(source) = &fed_from {
            if !asset_kinds.contains_key(source) {
                f.fail("fed_from", format!("unknown asset `{source}`"));
            }
        }
        let longitude = f.number("longitude", true);
        let latitude = f.number("latitude", true);
        let geometry = match (longitude, latitude) {
            (Some(lon), Some(lat)) => {
                if !(-180.0..=180.0).contains(&lon) {
                    f.fail("longitude", format!("{lon} is outside -180..180 degrees"));
                }
                if !(-90.0..=90.0).contains(&lat) {
                    f.fail("latitude", format!("{lat} is outside -90..90 degrees"));
                }
                Some(serde_json::json!({"type": "Point", "coordinates": [lon, lat]}).to_string())
            }
            (None, None) => None,
            _ => {
                f.fail("longitude", "give both longitude and latitude, or neither");
                None
            }
        };
        let length = f.number("length_m", false);
        let diameter = f.number("diameter_mm", false);
        let material = f.one_of("material", &MATERIALS, false);
        let design_flow = f.number("design_flow_m3s", false);
        let well_type = f.one_of("well_type", &WELL_TYPES, kind.as_deref() == Some("well"));
        let capacity = f.number("capacity_m3_per_day", false);
        let people = f.number("people_served", false);
        if let Some(p) = people {
            if p.fract() != 0.0 {
                f.fail("people_served", format!("{p} is not a whole number"));
            }
        }
        let area = f.number("area_km2", false);
        let zone_class = f.one_of("zone_class", &ZONE_CLASSES, kind.as_deref() == Some("zone"));
        match kind.as_deref() {
            Some("pipeline") => {
                if !length.is_some_and(|l| l > 0.0) {
                    f.fail("length_m", "a pipeline needs a length above zero, m");
                }
                if !diameter.is_some_and(|d| d > 0.0) {
                    f.fail("diameter_mm", "a pipeline needs a diameter above zero, mm");
                }
            }
            Some("plant") if !capacity.is_some_and(|c| c > 0.0) => {
                f.fail(
                    "capacity_m3_per_day",
                    "a water plant needs a capacity above zero, m³/day",
                );
            }
            _ => {}
        }
        rows.push(vec![
            Value::Text(Some(code)),
            Value::Text(kind),
            Value::Text(Some(name)),
            Value::Text(f.optional_text("name_zh")),
            Value::Text(county),
            Value::Text(f.optional_text("epanet_id")),
            Value::Text(looked_after_by),
            Value::Text(fed_from),
            Value::Real(length),
            Value::Real(diameter),
            Value::Text(material),
            Value::Real(design_flow),
            Value::Text(well_type),
            Value::Real(capacity),
            Value::Text(f.optional_text("places_served")),
            Value::Int(people.map(|p| p as i64)),
            Value::Real(area),
            Value::Text(zone_class),
            Value::Text(geometry),
        ]);
        errors.append(&mut f.errors);
    }
    finish(
        errors,
        Batch::Table {
            table: "assets",
            columns: vec![
                "code",
                "kind",
                "name",
                "name_zh",
                "county_code",
                "epanet_id",
                "looked_after_by",
                "fed_from",
                "length_m",
                "diameter_mm",
                "material",
                "design_flow_m3s",
                "well_type",
                "capacity_m3_per_day",
                "places_served",
                "people_served",
                "area_km2",
                "zone_class",
                "geometry",
            ],
            keys: vec!["code"],
            // A line drawn by a GeoJSON import outlives a re-import of the register without points.
            keep_when_null: vec!["geometry"],
            rows,
            meters: vec![],
            replace: None,
        },
    )
}

async fn parse_meters(store: &Store, bytes: &[u8]) -> std::result::Result<Batch, Vec<RowError>> {
    let columns = [
        "code",
        "asset",
        "point",
        "reading_kind",
        "rollover_m3",
        "max_gap_hours",
    ];
    let mut file = CsvFile::read(bytes, &columns[..4], &columns)?;
    let mut asset_kinds: HashMap<String, String> = HashMap::new();
    for row in sqlx::query("SELECT code, kind FROM assets")
        .fetch_all(store.pool())
        .await
        .map_err(|e| store_failure(e.into()))?
    {
        let code: String = row.try_get(0).map_err(|e| store_failure(e.into()))?;
        let kind: String = row.try_get(1).map_err(|e| store_failure(e.into()))?;
        asset_kinds.insert(code, kind);
    }
    let mut errors = std::mem::take(&mut file.errors);
    let mut rows = Vec::new();
    let mut meters = Vec::new();
    let mut seen = HashMap::new();
    for (line, record) in &file.records {
        let mut f = Fields::new(&file, *line, record);
        let code = f.required_text("code");
        let code_shown = code.clone();
        unique(&mut seen, code.clone(), &mut f, "code", &code_shown);
        let asset = f.required_text("asset");
        let point = f.one_of("point", &POINTS, true);
        let expected_kind = match point.as_deref() {
            Some("outlet") => "outlet",
            Some("plant_intake") => "plant",
            _ => "release",
        };
        match asset_kinds.get(&asset) {
            None if !asset.is_empty() => f.fail(
                "asset",
                format!("unknown asset `{asset}`; import assets first"),
            ),
            Some(kind) if point.is_some() && kind != expected_kind => f.fail(
                "asset",
                format!(
                    "a meter at a {} point must be on a {expected_kind}, `{asset}` is a {kind}",
                    point.as_deref().unwrap_or("")
                ),
            ),
            _ => {}
        }
        let kind = f.one_of("reading_kind", &["totaliser", "flow_rate"], true);
        let rollover = f.number("rollover_m3", false);
        if rollover.is_some_and(|r| r <= 0.0) {
            f.fail("rollover_m3", "a register capacity must be above zero, m³");
        }
        let max_gap_hours = f.number("max_gap_hours", false).unwrap_or(26.0);
        if max_gap_hours <= 0.0 {
            f.fail("max_gap_hours", "must be above zero, hours");
        }
        meters.push(code.clone());
        rows.push(vec![
            Value::Text(Some(code)),
            Value::Text(Some(asset)),
            Value::Text(point),
            Value::Text(kind),
            Value::Real(rollover),
            Value::Int(Some((max_gap_hours * 3600.0).round() as i64)),
        ]);
        errors.append(&mut f.errors);
    }
    finish(
        errors,
        Batch::Table {
            table: "meters",
            columns: vec![
                "code",
                "asset_code",
                "point",
                "reading_kind",
                "rollover_m3",
                "max_gap_s",
            ],
            keys: vec!["code"],
            keep_when_null: vec![],
            rows,
            meters,
            replace: None,
        },
    )
}

async fn parse_uses(store: &Store, bytes: &[u8]) -> std::result::Result<Batch, Vec<RowError>> {
    let columns = ["meter", "use", "share"];
    let mut file = CsvFile::read(bytes, &columns, &columns)?;
    let known = known_codes(store, "SELECT code FROM meters")
        .await
        .map_err(store_failure)?;
    let mut errors = std::mem::take(&mut file.errors);
    let mut rows = Vec::new();
    let mut seen = HashMap::new();
    let mut shares: HashMap<String, (f64, Vec<u64>)> = HashMap::new();
    for (line, record) in &file.records {
        let mut f = Fields::new(&file, *line, record);
        let meter = f.required_text("meter");
        if !meter.is_empty() && !known.contains(&meter) {
            f.fail(
                "meter",
                format!("unknown meter `{meter}`; import meters first"),
            );
        }
        let use_kind = f.one_of("use", &USES, true);
        let share = f.required_number("share");
        if share.is_some_and(|s| s <= 0.0 || s > 1.0) {
            f.fail("share", "a share must be above 0 and at most 1");
        }
        let shown = format!("({meter}, {})", use_kind.as_deref().unwrap_or(""));
        unique(
            &mut seen,
            (meter.clone(), use_kind.clone()),
            &mut f,
            "use",
            &shown,
        );
        let entry = shares.entry(meter.clone()).or_default();
        entry.0 += share.unwrap_or(0.0);
        entry.1.push(*line);
        rows.push(vec![
            Value::Text(Some(meter)),
            Value::Text(use_kind),
            Value::Real(share),
        ]);
        errors.append(&mut f.errors);
    }
    for (meter, (total, lines)) in &shares {
        if (total - 1.0).abs() > 1e-6 {
            for line in lines {
                errors.push(RowError {
                    line: *line,
                    field: Some("share".into()),
                    reason: format!("the shares of meter `{meter}` add up to {total}, expected 1"),
                });
            }
        }
    }
    errors.sort_by_key(|e| e.line);
    let meters: Vec<String> = shares.into_keys().collect();
    finish(
        errors,
        Batch::Table {
            table: "meter_uses",
            columns: vec!["meter_code", "use_kind", "share"],
            keys: vec!["meter_code", "use_kind"],
            keep_when_null: vec![],
            rows,
            meters: vec![],
            replace: Some(("meter_uses", meters)),
        },
    )
}

async fn parse_readings(store: &Store, bytes: &[u8]) -> std::result::Result<Batch, Vec<RowError>> {
    let columns = ["meter", "time", "value"];
    let mut file = CsvFile::read(bytes, &columns, &columns)?;
    let known = known_codes(store, "SELECT code FROM meters")
        .await
        .map_err(store_failure)?;
    let mut meters: Vec<String> = Vec::new();
    let mut meter_index: HashMap<String, u32> = HashMap::new();
    let mut errors = std::mem::take(&mut file.errors);
    let mut rows = Vec::with_capacity(file.records.len());
    let mut seen: HashMap<(u32, i64), u64> = HashMap::with_capacity(file.records.len());
    for (line, record) in &file.records {
        let mut f = Fields::new(&file, *line, record);
        let meter = f.text("meter");
        let index = if meter.is_empty() {
            f.fail("meter", "required, found nothing");
            None
        } else if let Some(index) = meter_index.get(meter) {
            Some(*index)
        } else if known.contains(meter) {
            let index = meters.len() as u32;
            meters.push(meter.to_string());
            meter_index.insert(meter.to_string(), index);
            Some(index)
        } else {
            f.fail(
                "meter",
                format!("unknown meter `{meter}`; import meters first"),
            );
            None
        };
        let at = f.time("time");
        let value = f.required_number("value");
        if let (Some(index), Some(at)) = (index, at) {
            let shown = format!("({meter}, {})", f.text("time"));
            unique(&mut seen, (index, at), &mut f, "time", &shown);
            if let Some(value) = value {
                rows.push((index, at, value));
            }
        }
        errors.append(&mut f.errors);
    }
    finish(errors, Batch::Readings { meters, rows })
}

async fn parse_replacements(
    store: &Store,
    bytes: &[u8],
) -> std::result::Result<Batch, Vec<RowError>> {
    let columns = ["meter", "time", "old_final_m3", "new_initial_m3"];
    let mut file = CsvFile::read(bytes, &columns, &columns)?;
    let known = known_codes(store, "SELECT code FROM meters")
        .await
        .map_err(store_failure)?;
    let mut errors = std::mem::take(&mut file.errors);
    let mut rows = Vec::new();
    let mut meters = HashSet::new();
    let mut seen = HashMap::new();
    for (line, record) in &file.records {
        let mut f = Fields::new(&file, *line, record);
        let meter = f.required_text("meter");
        if !meter.is_empty() && !known.contains(&meter) {
            f.fail(
                "meter",
                format!("unknown meter `{meter}`; import meters first"),
            );
        }
        let at = f.time("time");
        let old_final = f.required_number("old_final_m3");
        let new_initial = f.required_number("new_initial_m3");
        if let Some(at) = at {
            let shown = format!("({meter}, {})", f.text("time"));
            unique(&mut seen, (meter.clone(), at), &mut f, "time", &shown);
        }
        meters.insert(meter.clone());
        rows.push(vec![
            Value::Text(Some(meter)),
            Value::Int(at),
            Value::Real(old_final),
            Value::Real(new_initial),
        ]);
        errors.append(&mut f.errors);
    }
    finish(
        errors,
        Batch::Table {
            table: "meter_replacements",
            columns: vec![
                "meter_code",
                "replaced_at",
                "old_final_m3",
                "new_initial_m3",
            ],
            keys: vec!["meter_code", "replaced_at"],
            keep_when_null: vec![],
            rows,
            meters: meters.into_iter().collect(),
            replace: None,
        },
    )
}

async fn parse_plans(store: &Store, bytes: &[u8]) -> std::result::Result<Batch, Vec<RowError>> {
    let columns = ["asset", "water_year", "month", "volume_m3"];
    let mut file = CsvFile::read(bytes, &["asset", "water_year", "volume_m3"], &columns)?;
    let planned = known_codes(
        store,
        "SELECT code FROM assets WHERE kind IN ('outlet', 'plant')",
    )
    .await
    .map_err(store_failure)?;
    let mut errors = std::mem::take(&mut file.errors);
    let mut rows = Vec::new();
    let mut seen = HashMap::new();
    for (line, record) in &file.records {
        let mut f = Fields::new(&file, *line, record);
        let asset = f.required_text("asset");
        if !asset.is_empty() && !planned.contains(&asset) {
            f.fail("asset", format!("unknown outlet or plant `{asset}`"));
        }
        let year_text = f.text("water_year");
        let year = parse_water_year(year_text);
        if year.is_none() {
            f.fail(
                "water_year",
                format!("`{year_text}` is not a water year; expected e.g. 2014-2015 (four-digit years, from when records begin to ten years ahead)"),
            );
        }
        let month_text = f.text("month");
        let month = if month_text.is_empty() {
            Some(0)
        } else {
            match month_text.parse::<i64>() {
                Ok(m) if (0..=12).contains(&m) => Some(m),
                _ => {
                    f.fail("month", format!("`{month_text}` is not a month; expected 1-12, or empty (or 0) for the annual plan"));
                    None
                }
            }
        };
        let volume = f.required_number("volume_m3");
        if let (Some(year), Some(month)) = (year, month) {
            let shown = format!("({asset}, {year_text}, {month})");
            unique(
                &mut seen,
                (asset.clone(), year, month),
                &mut f,
                "month",
                &shown,
            );
        }
        rows.push(vec![
            Value::Text(Some(asset)),
            Value::Int(year.map(i64::from)),
            Value::Int(month),
            Value::Real(volume),
        ]);
        errors.append(&mut f.errors);
    }
    finish(
        errors,
        Batch::Table {
            table: "plans",
            columns: vec!["asset_code", "water_year", "month", "volume_m3"],
            keys: vec!["asset_code", "water_year", "month"],
            keep_when_null: vec![],
            rows,
            meters: vec![],
            replace: None,
        },
    )
}

async fn parse_geometry(store: &Store, bytes: &[u8]) -> std::result::Result<Batch, Vec<RowError>> {
    // Files saved by spreadsheet and GIS tools on Windows often begin with a byte-order mark.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let document: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        vec![RowError {
            line: e.line() as u64,
            field: None,
            reason: format!("not JSON: {e}"),
        }]
    })?;
    let fail = |line: u64, field: String, reason: String| RowError {
        line,
        field: Some(field),
        reason,
    };
    if document.get("type").and_then(|t| t.as_str()) != Some("FeatureCollection") {
        return Err(vec![fail(
            1,
            "type".into(),
            "expected a GeoJSON FeatureCollection".into(),
        )]);
    }
    let Some(features) = document.get("features").and_then(|f| f.as_array()) else {
        return Err(vec![fail(
            1,
            "features".into(),
            "expected an array of features".into(),
        )]);
    };
    let lines = std::str::from_utf8(bytes)
        .map(|text| crate::json_lines::element_lines(text, Some("features")))
        .unwrap_or_default();
    let kinds = asset_kinds(store).await.map_err(store_failure)?;
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, feature) in features.iter().enumerate() {
        let line = lines.get(i).copied().unwrap_or(1);
        let at = format!("features[{i}]");
        let code = feature
            .pointer("/properties/code")
            .and_then(|c| c.as_str())
            .unwrap_or("");
        let kind = kinds.get(code);
        if code.is_empty() {
            errors.push(fail(
                line,
                format!("{at}.properties.code"),
                "required: the asset's code".into(),
            ));
        } else if kind.is_none() {
            errors.push(fail(
                line,
                format!("{at}.properties.code"),
                format!("unknown asset `{}`", excerpt(code)),
            ));
        } else if let Some(first) = seen.insert(code.to_string(), i) {
            errors.push(fail(
                line,
                format!("{at}.properties.code"),
                format!(
                    "duplicate key `{}`, first in features[{first}]",
                    excerpt(code)
                ),
            ));
        }
        let Some(geometry) = feature.get("geometry") else {
            errors.push(fail(line, format!("{at}.geometry"), "required".into()));
            continue;
        };
        let kind = kind.map(String::as_str).unwrap_or("");
        match asset_geometry::checked(kind, &format!("{at}.geometry"), line, geometry) {
            Ok(stored) => rows.push((code.to_string(), stored)),
            Err(error) => errors.push(error),
        }
    }
    finish(errors, Batch::Geometry { rows })
}

/// Every asset's kind by its code.
async fn asset_kinds(store: &Store) -> Result<HashMap<String, String>> {
    let rows = sqlx::query("SELECT code, kind FROM assets")
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect()
}

/// At most the first 40 characters of what was given, for messages.
fn excerpt(text: &str) -> String {
    const LONGEST: usize = 40;
    match text.char_indices().nth(LONGEST) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

/// `($1, $2), ($3, $4), ...` for `rows` rows of `columns` values; plain `?` on SQLite, whose
/// look-up of numbered parameters grows with their count (quadratic over a long statement).
pub(crate) fn placeholders(backend: Backend, rows: usize, columns: usize) -> String {
    let mut sql = String::with_capacity(rows * columns * 5);
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => {
                    sql.push('$');
                    sql.push_str(&(row * columns + column + 1).to_string());
                }
            }
        }
        sql.push(')');
    }
    sql
}

fn upsert_sql(
    backend: Backend,
    table: &str,
    columns: &[&str],
    keys: &[&str],
    keep_when_null: &[&str],
    rows: usize,
) -> String {
    let updates: Vec<String> = columns
        .iter()
        .filter(|c| !keys.contains(c))
        .map(|c| {
            if keep_when_null.contains(c) {
                format!("{c} = COALESCE(excluded.{c}, {table}.{c})")
            } else {
                format!("{c} = excluded.{c}")
            }
        })
        .collect();
    let conflict = if updates.is_empty() {
        "DO NOTHING".to_string()
    } else {
        format!("DO UPDATE SET {}", updates.join(", "))
    };
    format!(
        "INSERT INTO {table} ({}) VALUES {} ON CONFLICT ({}) {conflict}",
        columns.join(", "),
        placeholders(backend, rows, columns.len()),
        keys.join(", ")
    )
}

/// Most values bound in one statement (SQLite allows 32,766, PostgreSQL 65,535).
const MAX_BINDS: usize = 30_000;

async fn write(store: &Store, batch: &Batch, progress: &dyn Progress) -> Result<usize> {
    let mut tx = store.begin_write().await?;
    if store.backend() == Backend::Postgres {
        // One import at a time writes: the daily volumes of a meter are recomputed from all its
        // readings, which must include those a concurrent import is adding.
        sqlx::query("LOCK TABLE daily_volumes IN EXCLUSIVE MODE")
            .execute(&mut **tx)
            .await?;
    }
    let recompute: Vec<String> = match batch {
        Batch::Table {
            table,
            columns,
            keys,
            keep_when_null,
            rows,
            meters,
            replace,
        } => {
            if let Some((replace_table, replaced)) = replace {
                for meter in replaced {
                    sqlx::query(&format!(
                        "DELETE FROM {replace_table} WHERE meter_code = $1"
                    ))
                    .bind(meter)
                    .execute(&mut **tx)
                    .await?;
                }
            }
            progress.start(table, rows.len() as u64);
            let per_statement = (MAX_BINDS / columns.len()).max(1);
            for chunk in rows.chunks(per_statement) {
                let sql = upsert_sql(
                    store.backend(),
                    table,
                    columns,
                    keys,
                    keep_when_null,
                    chunk.len(),
                );
                let mut query = sqlx::query::<Any>(&sql);
                for row in chunk {
                    for value in row {
                        query = match value {
                            Value::Text(v) => query.bind(v.clone()),
                            Value::Int(v) => query.bind(*v),
                            Value::Real(v) => query.bind(*v),
                        };
                    }
                }
                query.execute(&mut **tx).await?;
                progress.advance(chunk.len() as u64);
            }
            meters.clone()
        }
        Batch::Geometry { rows } => {
            progress.start("geometry", rows.len() as u64);
            for (code, geometry) in rows {
                sqlx::query("UPDATE assets SET geometry = $1 WHERE code = $2")
                    .bind(geometry.as_str())
                    .bind(code.as_str())
                    .execute(&mut **tx)
                    .await?;
                progress.advance(1);
            }
            Vec::new()
        }
        Batch::Readings { meters, rows } => {
            progress.start("readings", rows.len() as u64);
            let per_statement = MAX_BINDS / 3;
            for chunk in rows.chunks(per_statement) {
                let sql = upsert_sql(
                    store.backend(),
                    "readings",
                    &["meter_code", "read_at", "value"],
                    &["meter_code", "read_at"],
                    &[],
                    chunk.len(),
                );
                let mut query = sqlx::query::<Any>(&sql);
                for (meter, at, value) in chunk {
                    query = query
                        .bind(meters[*meter as usize].as_str())
                        .bind(*at)
                        .bind(*value);
                }
                query.execute(&mut **tx).await?;
                progress.advance(chunk.len() as u64);
            }
            meters.clone()
        }
    };
    progress.start("daily volumes", recompute.len() as u64);
    for meter in &recompute {
        recompute_meter(&mut tx, store.backend(), meter).await?;
        progress.advance(1);
    }
    tx.commit().await?;
    Ok(recompute.len())
}

/// Recomputes one meter's daily volumes from all its readings and exchanges.
pub(crate) async fn recompute_meter(
    connection: &mut AnyConnection,
    backend: Backend,
    meter: &str,
) -> Result<()> {
    use futures_util::TryStreamExt;
    let Some(settings_row) =
        sqlx::query("SELECT reading_kind, rollover_m3, max_gap_s FROM meters WHERE code = $1")
            .bind(meter)
            .fetch_optional(&mut *connection)
            .await?
    else {
        return Ok(());
    };
    let kind: String = settings_row.try_get(0)?;
    let settings = MeterSettings {
        kind: ReadingKind::parse(&kind).unwrap_or(ReadingKind::Totaliser),
        rollover_m3: settings_row.try_get(1)?,
        max_gap_s: settings_row.try_get(2)?,
    };
    let replacements: Vec<Replacement> = sqlx::query(
        "SELECT replaced_at, old_final_m3, new_initial_m3 FROM meter_replacements WHERE meter_code = $1",
    )
    .bind(meter)
    .fetch_all(&mut *connection)
    .await?
    .iter()
    .map(|row| -> Result<Replacement> {
        Ok(Replacement { at: row.try_get(0)?, old_final_m3: row.try_get(1)?, new_initial_m3: row.try_get(2)? })
    })
    .collect::<Result<_>>()?;
    let mut readings = Vec::new();
    {
        let mut stream = sqlx::query(
            "SELECT read_at, value FROM readings WHERE meter_code = $1 ORDER BY read_at",
        )
        .bind(meter)
        .fetch(&mut *connection);
        while let Some(row) = stream.try_next().await? {
            readings.push(Reading {
                at: row.try_get(0)?,
                value: row.try_get(1)?,
            });
        }
    }
    let volumes = daily_volumes(&settings, &readings, &replacements);
    sqlx::query("DELETE FROM daily_volumes WHERE meter_code = $1")
        .bind(meter)
        .execute(&mut *connection)
        .await?;
    let columns = ["meter_code", "day", "volume_m3", "estimated"];
    for chunk in volumes.chunks(MAX_BINDS / columns.len()) {
        let sql = format!(
            "INSERT INTO daily_volumes ({}) VALUES {}",
            columns.join(", "),
            placeholders(backend, chunk.len(), columns.len())
        );
        let mut query = sqlx::query::<Any>(&sql);
        for volume in chunk {
            query = query
                .bind(meter)
                .bind(volume.day)
                .bind(volume.volume_m3)
                .bind(i64::from(volume.estimated));
        }
        query.execute(&mut *connection).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upserts_update_everything_but_the_key() {
        let sql = upsert_sql(
            Backend::Postgres,
            "plans",
            &["a", "b", "c"],
            &["a"],
            &["c"],
            2,
        );
        assert_eq!(
            sql,
            "INSERT INTO plans (a, b, c) VALUES ($1, $2, $3), ($4, $5, $6) ON CONFLICT (a) \
             DO UPDATE SET b = excluded.b, c = COALESCE(excluded.c, plans.c)"
        );
        assert!(upsert_sql(Backend::Sqlite, "t", &["a"], &["a"], &[], 1)
            .ends_with("VALUES (?) ON CONFLICT (a) DO NOTHING"));
    }
}
