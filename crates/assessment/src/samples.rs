//! Sample measurements and their CSV form (`site,time,item,value,unit`), normalised to the units of
//! the standard; below-detection values (`<0.01`, `0.01L`) are kept with their detection limit.

use std::collections::BTreeMap;
use std::io::Read;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::Serialize;

use crate::error::AssessmentError;
use crate::standard::Standard;
use crate::units::{convert, parse_unit};

/// One measured value of one item at one site and time, in the unit of the standard's limits.
#[derive(Debug, Clone, Serialize)]
pub struct Measurement {
    /// Monitoring site (section) name.
    pub site: String,
    /// Sampling time (local time of the lab record).
    pub time: NaiveDateTime,
    /// Canonical item code of the standard.
    pub item: String,
    /// Value in the item's unit; for below-detection results, the detection limit times the
    /// method's factor (half by default).
    pub value: f64,
    /// Whether the lab reported the item as below its detection limit.
    pub below_detection: bool,
    /// Line of the input file it came from (0 when built in code).
    pub line: u64,
}

/// The measurements of one site at one time (a sample), or of one site over a period (a mean).
#[derive(Debug, Clone, Serialize)]
pub struct SampleSet {
    /// Site name.
    pub site: String,
    /// Label of the time or period (`2024-03-05T09:00:00`, `2024-03`, `2024`).
    pub time: String,
    /// Item code to value in the item's unit.
    pub values: BTreeMap<String, f64>,
    /// Items whose value is (wholly) below detection.
    pub below_detection: Vec<String>,
}

/// Groups measurements into one set per site and sampling time, in time order per site.
pub fn group_samples(measurements: &[Measurement]) -> Vec<SampleSet> {
    let mut groups: BTreeMap<(String, NaiveDateTime), SampleSet> = BTreeMap::new();
    for m in measurements {
        let set = groups
            .entry((m.site.clone(), m.time))
            .or_insert_with(|| SampleSet {
                site: m.site.clone(),
                time: format_time(m.time),
                values: BTreeMap::new(),
                below_detection: Vec::new(),
            });
        // A repeated item at the same site and time (a lab duplicate) is averaged with the others
        // in aggregation; within one sample the last row wins, as a correction would.
        set.values.insert(m.item.clone(), m.value);
        set.below_detection.retain(|c| c != &m.item);
        if m.below_detection {
            set.below_detection.push(m.item.clone());
        }
    }
    groups.into_values().collect()
}

/// Formats a sampling time: the date alone at midnight, else date and time.
pub fn format_time(time: NaiveDateTime) -> String {
    if time.time() == NaiveTime::MIN {
        time.format("%Y-%m-%d").to_string()
    } else {
        time.format("%Y-%m-%dT%H:%M:%S").to_string()
    }
}

/// Parses a sampling time: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS]`, `YYYY-MM-DD HH:MM[:SS]`, or
/// `YYYY/MM/DD` with the same time forms.
pub fn parse_time(text: &str) -> Option<NaiveDateTime> {
    let t = text.trim().replace('/', "-");
    let t = t.strip_suffix('Z').unwrap_or(&t);
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, format) {
            return Some(dt);
        }
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .map(|d| d.and_time(NaiveTime::MIN))
}

/// A value as written by a lab: a number, or a detection limit marked `<0.01` or `0.01L`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LabValue {
    /// A measured number.
    Measured(f64),
    /// Below the given detection limit.
    BelowDetection(f64),
}

/// Parses a lab value; `None` if it is not a finite number in either form.
pub fn parse_lab_value(text: &str) -> Option<LabValue> {
    let t = text.trim();
    let number = |s: &str| s.trim().parse::<f64>().ok().filter(|v| v.is_finite());
    if let Some(rest) = t.strip_prefix('<').or_else(|| t.strip_prefix('＜')) {
        return number(rest.strip_prefix('=').unwrap_or(rest)).map(LabValue::BelowDetection);
    }
    if let Some(rest) = t.strip_suffix('L').or_else(|| t.strip_suffix('l')) {
        return number(rest).map(LabValue::BelowDetection);
    }
    number(t).map(LabValue::Measured)
}

/// Reads samples from CSV text with a header naming (in any order) `site,time,item,value,unit`.
/// Items are matched to the standard by code or alias, values converted to the item's unit; an
/// empty unit means the item's own unit. `below_detection_factor` scales detection limits (0.5).
pub fn read_samples_csv<R: Read>(
    source_name: &str,
    reader: R,
    standard: &Standard,
    below_detection_factor: f64,
) -> Result<Vec<Measurement>, AssessmentError> {
    let mut csv = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .comment(Some(b'#'))
        .from_reader(reader);
    let csv_error = |e: csv::Error| {
        let line = e.position().map(|p| p.line()).unwrap_or(0);
        AssessmentError::Csv {
            source_name: source_name.to_string(),
            message: if line > 0 {
                format!("line {line}: {e}")
            } else {
                e.to_string()
            },
        }
    };
    let headers = csv.headers().map_err(csv_error)?.clone();
    let column = |name: &str| -> Result<usize, AssessmentError> {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
            .ok_or_else(|| AssessmentError::Input {
                source_name: source_name.to_string(),
                line: 1,
                field: name.to_string(),
                message: format!(
                    "the header has no `{name}` column (expected site,time,item,value,unit)"
                ),
            })
    };
    let [site_col, time_col, item_col, value_col, unit_col] =
        ["site", "time", "item", "value", "unit"].map(column);
    let (site_col, time_col, item_col, value_col, unit_col) =
        (site_col?, time_col?, item_col?, value_col?, unit_col?);

    let mut out = Vec::new();
    for record in csv.records() {
        let record = record.map_err(csv_error)?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let err = |field: &str, message: String| AssessmentError::Input {
            source_name: source_name.to_string(),
            line,
            field: field.to_string(),
            message,
        };
        let get = |i: usize| record.get(i).unwrap_or("");
        let site = get(site_col);
        if site.is_empty() {
            return Err(err("site", "empty; expected a site name".into()));
        }
        let time = parse_time(get(time_col)).ok_or_else(|| {
            err(
                "time",
                format!(
                    "`{}` is not a time; expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]",
                    get(time_col)
                ),
            )
        })?;
        let item = standard.item(get(item_col)).ok_or_else(|| {
            err(
                "item",
                format!(
                    "unknown item code `{}`; expected one of {}",
                    get(item_col),
                    standard
                        .items
                        .iter()
                        .map(|i| i.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
        let lab = parse_lab_value(get(value_col)).ok_or_else(|| {
            err(
                "value",
                format!(
                    "`{}` is not a number; expected e.g. 0.52, <0.01 or 0.01L",
                    get(value_col)
                ),
            )
        })?;
        let raw_unit = get(unit_col);
        let target = parse_unit(&item.unit).ok_or_else(|| {
            err(
                "unit",
                format!("the standard's unit `{}` is unknown", item.unit),
            )
        })?;
        let from = if raw_unit.is_empty() {
            target
        } else {
            parse_unit(raw_unit).ok_or_else(|| {
                err(
                    "unit",
                    format!(
                        "unknown unit `{raw_unit}`; expected a unit convertible to {}",
                        item.unit
                    ),
                )
            })?
        };
        let convert_value = |v: f64| {
            convert(v, from, target).ok_or_else(|| {
                err(
                    "unit",
                    format!(
                        "cannot convert `{raw_unit}` to {} for item {}",
                        item.unit, item.code
                    ),
                )
            })
        };
        let (value, below_detection) = match lab {
            LabValue::Measured(v) => (convert_value(v)?, false),
            LabValue::BelowDetection(limit) => {
                (convert_value(limit)? * below_detection_factor, true)
            }
        };
        if value < 0.0 && item.unit != "°C" {
            return Err(err(
                "value",
                format!("{value} is negative; a concentration cannot be"),
            ));
        }
        out.push(Measurement {
            site: site.to_string(),
            time,
            item: item.code.clone(),
            value,
            below_detection,
            line,
        });
    }
    Ok(out)
}
