//! The tag register: read from a CSV file through the import toolkit and listed for ingestion,
//! alarms and the pages.

use std::collections::HashMap;

use sqlx::Row;

use super::{quantity, QUANTITIES};
use crate::csv_rows::{unique, CsvFile, Fields};
use crate::error::{Result, RowError};
use crate::import::{finish, store_failure, Batch, Value};
use crate::store::Store;

/// The columns of a tag register file; `code`, `name`, `quantity` and `unit` are required.
pub const TAG_COLUMNS: [&str; 14] = [
    "code",
    "name",
    "quantity",
    "unit",
    "asset",
    "element_kind",
    "element_id",
    "interval_s",
    "retention_days",
    "low_low",
    "low",
    "high",
    "high_high",
    "rate_limit_per_minute",
];

/// What a model element a tag can measure is.
pub const ELEMENT_KINDS: [&str; 11] = [
    "outlet",
    "gate",
    "chainage",
    "plant",
    "tank",
    "pipe",
    "pump",
    "valve",
    "analyser",
    "junction",
    "reservoir",
];

/// A tag as registered.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Tag {
    /// The store's number for the tag.
    pub id: i64,
    /// The tag's code, as the SCADA system names it.
    pub code: String,
    /// What it is, in words.
    pub name: String,
    /// The quantity measured (`flow`, `level`, `turbidity`, ...).
    pub quantity: String,
    /// The unit its values are in.
    pub unit: String,
    /// The asset it is on.
    pub asset: Option<String>,
    /// The kind of model element it measures.
    pub element_kind: Option<String>,
    /// The model element's ID (or the canal chainage, m).
    pub element_id: Option<String>,
    /// How often a point is expected, s; a tag without one for longer is stale.
    pub interval_s: i64,
    /// Days raw points are kept (rollups are kept always); `None` keeps them all.
    pub retention_days: Option<i64>,
    /// Alarm limits, in the tag's unit.
    pub low_low: Option<f64>,
    /// Low limit.
    pub low: Option<f64>,
    /// High limit.
    pub high: Option<f64>,
    /// High-high limit.
    pub high_high: Option<f64>,
    /// Largest change per minute before a rate-of-change alarm, in the tag's unit.
    pub rate_limit_per_minute: Option<f64>,
}

/// Every tag, by code.
pub async fn tags(store: &Store) -> Result<Vec<Tag>> {
    let rows = sqlx::query(
        "SELECT id, code, name, quantity, unit, asset_code, element_kind, element_id, interval_s, \
         retention_days, low_low, low, high, high_high, rate_limit_per_minute FROM tags ORDER BY code",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Tag {
                id: row.try_get(0)?,
                code: row.try_get(1)?,
                name: row.try_get(2)?,
                quantity: row.try_get(3)?,
                unit: row.try_get(4)?,
                asset: row.try_get(5)?,
                element_kind: row.try_get(6)?,
                element_id: row.try_get(7)?,
                interval_s: row.try_get(8)?,
                retention_days: row.try_get(9)?,
                low_low: row.try_get(10)?,
                low: row.try_get(11)?,
                high: row.try_get(12)?,
                high_high: row.try_get(13)?,
                rate_limit_per_minute: row.try_get(14)?,
            })
        })
        .collect()
}

/// Reads and checks a tag register file.
pub(crate) async fn parse_tags(
    store: &Store,
    bytes: &[u8],
) -> std::result::Result<Batch, Vec<RowError>> {
    let mut file = CsvFile::read(bytes, &TAG_COLUMNS[..4], &TAG_COLUMNS)?;
    let assets = asset_codes(store).await.map_err(store_failure)?;
    let mut errors = std::mem::take(&mut file.errors);
    let mut rows = Vec::new();
    let mut seen = HashMap::new();
    for (line, record) in &file.records {
        let mut f = Fields::new(&file, *line, record);
        let code = f.required_text("code");
        let shown = format!("`{code}`");
        unique(&mut seen, code.clone(), &mut f, "code", &shown);
        let name = f.required_text("name");
        let names: Vec<&str> = QUANTITIES.iter().map(|q| q.name).collect();
        let quantity_name = f.one_of("quantity", &names, true);
        let unit = f.required_text("unit");
        if let Some(kind) = quantity_name.as_deref().and_then(quantity) {
            if !unit.is_empty() && !kind.units.contains(&unit.as_str()) {
                f.fail(
                    "unit",
                    format!(
                        "`{unit}` is not a unit of {}; expected {}",
                        kind.name,
                        kind.units.join(" or ")
                    ),
                );
            }
        }
        let asset = f.optional_text("asset");
        if let Some(asset) = &asset {
            if !assets.contains_key(asset) {
                f.fail(
                    "asset",
                    format!("unknown asset `{asset}`; import assets first"),
                );
            }
        }
        let element_kind = f.one_of("element_kind", &ELEMENT_KINDS, false);
        let element_id = f.optional_text("element_id");
        let interval = whole_seconds(&mut f, "interval_s").unwrap_or(60);
        let retention = whole_seconds(&mut f, "retention_days");
        let limits = limits(&mut f);
        rows.push(vec![
            Value::Text(Some(code)),
            Value::Text(Some(name)),
            Value::Text(quantity_name),
            Value::Text(Some(unit)),
            Value::Text(asset),
            Value::Text(element_kind),
            Value::Text(element_id),
            Value::Int(Some(interval)),
            Value::Int(retention),
            Value::Real(limits[0]),
            Value::Real(limits[1]),
            Value::Real(limits[2]),
            Value::Real(limits[3]),
            Value::Real(f.number("rate_limit_per_minute", false)),
        ]);
        errors.append(&mut f.errors);
    }
    finish(
        errors,
        Batch::Table {
            table: "tags",
            columns: vec![
                "code",
                "name",
                "quantity",
                "unit",
                "asset_code",
                "element_kind",
                "element_id",
                "interval_s",
                "retention_days",
                "low_low",
                "low",
                "high",
                "high_high",
                "rate_limit_per_minute",
            ],
            keys: vec!["code"],
            keep_when_null: vec![],
            rows,
            meters: vec![],
            replace: None,
        },
    )
}

/// A positive whole number of a column, `None` when empty.
fn whole_seconds(f: &mut Fields, name: &str) -> Option<i64> {
    let value = f.number(name, false)?;
    if value < 1.0 || value.fract() != 0.0 {
        f.fail(name, format!("{value} is not a whole number above zero"));
        return None;
    }
    Some(value as i64)
}

/// The four alarm limits, which must rise from low-low to high-high where given.
fn limits(f: &mut Fields) -> [Option<f64>; 4] {
    let names = ["low_low", "low", "high", "high_high"];
    let values = names.map(|name| f.number(name, true));
    let given: Vec<(usize, f64)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .collect();
    for pair in given.windows(2) {
        let ((i, a), (j, b)) = (pair[0], pair[1]);
        if a >= b {
            f.fail(
                names[j],
                format!(
                    "{b} is not above {} ({a}); limits rise from low_low to high_high",
                    names[i]
                ),
            );
        }
    }
    values
}

async fn asset_codes(store: &Store) -> Result<HashMap<String, String>> {
    let rows = sqlx::query("SELECT code, kind FROM assets")
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect()
}
