//! One toolkit for the rows of CSV files: a file read whole with its header checked against
//! the columns a kind of file needs and allows, then each row's fields read with what is wrong
//! with them collected (line, field, reason), so that a bad file is refused with every bad row.

use std::collections::{HashMap, HashSet};

use crate::calendar::{parse_local_time, TimeBounds};
use crate::error::RowError;

/// A CSV file read whole: its header and records, each with its line.
pub(crate) struct CsvFile {
    pub(crate) header: Vec<String>,
    pub(crate) records: Vec<(u64, csv::StringRecord)>,
    /// Rows that could not be read or had the wrong number of fields.
    pub(crate) errors: Vec<RowError>,
    /// The times its rows may carry, fixed when the file is read.
    pub(crate) bounds: TimeBounds,
}

impl CsvFile {
    pub(crate) fn read(
        bytes: &[u8],
        required: &[&str],
        allowed: &[&str],
    ) -> std::result::Result<CsvFile, Vec<RowError>> {
        CsvFile::read_checked(bytes, |header| column_errors(header, required, allowed))
    }

    /// Reads a file whose header `check` judges (each error it gives is on line 1).
    pub(crate) fn read_checked(
        bytes: &[u8],
        check: impl Fn(&[String]) -> Vec<RowError>,
    ) -> std::result::Result<CsvFile, Vec<RowError>> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(bytes);
        let header: Vec<String> = match reader.headers() {
            Ok(h) => h
                .iter()
                .map(|s| s.trim_start_matches('\u{feff}').to_string())
                .collect(),
            Err(e) => {
                return Err(vec![RowError {
                    line: 1,
                    field: None,
                    reason: format!("unreadable header: {e}"),
                }])
            }
        };
        let mut errors = check(&header);
        let mut records = Vec::new();
        for record in reader.records() {
            match record {
                Ok(record) => {
                    let line = record.position().map_or(0, |p| p.line());
                    if record.len() == 1 && record.get(0) == Some("") {
                        continue; // blank line
                    }
                    if record.len() != header.len() {
                        errors.push(RowError {
                            line,
                            field: None,
                            reason: format!(
                                "wrong column count: expected {} fields, found {}",
                                header.len(),
                                record.len()
                            ),
                        });
                        continue;
                    }
                    records.push((line, record));
                }
                Err(e) => errors.push(RowError {
                    line: e.position().map_or(0, |p| p.line()),
                    field: None,
                    reason: format!("unreadable row: {e}"),
                }),
            }
        }
        if errors.iter().any(|e| e.line == 1) {
            return Err(errors);
        }
        Ok(CsvFile {
            header,
            records,
            errors,
            bounds: TimeBounds::now(),
        })
    }

    pub(crate) fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }
}

/// What is wrong with a header that needs `required` columns and allows `allowed`.
fn column_errors(header: &[String], required: &[&str], allowed: &[&str]) -> Vec<RowError> {
    let mut errors = Vec::new();
    for column in required {
        if !header.iter().any(|h| h == column) {
            errors.push(RowError {
                line: 1,
                field: Some((*column).to_string()),
                reason: format!("missing column; the header needs: {}", required.join(", ")),
            });
        }
    }
    let mut seen = HashSet::new();
    for column in header {
        if !allowed.contains(&column.as_str()) {
            errors.push(RowError {
                line: 1,
                field: Some(column.clone()),
                reason: format!("unknown column; expected some of: {}", allowed.join(", ")),
            });
        } else if !seen.insert(column.clone()) {
            errors.push(RowError {
                line: 1,
                field: Some(column.clone()),
                reason: "column given twice".into(),
            });
        }
    }
    errors
}

/// Reads fields of one record, collecting what is wrong with them.
pub(crate) struct Fields<'a> {
    file: &'a CsvFile,
    record: &'a csv::StringRecord,
    pub(crate) line: u64,
    pub(crate) errors: Vec<RowError>,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(file: &'a CsvFile, line: u64, record: &'a csv::StringRecord) -> Self {
        Fields {
            file,
            record,
            line,
            errors: Vec::new(),
        }
    }

    pub(crate) fn fail(&mut self, field: &str, reason: impl Into<String>) {
        self.errors.push(RowError {
            line: self.line,
            field: Some(field.to_string()),
            reason: reason.into(),
        });
    }

    /// The text of a column, empty when the column is absent.
    pub(crate) fn text(&self, name: &str) -> &'a str {
        self.file
            .column(name)
            .and_then(|i| self.record.get(i))
            .unwrap_or("")
    }

    pub(crate) fn optional_text(&self, name: &str) -> Option<String> {
        let text = self.text(name);
        (!text.is_empty()).then(|| text.to_string())
    }

    pub(crate) fn required_text(&mut self, name: &str) -> String {
        let text = self.text(name);
        if text.is_empty() {
            self.fail(name, "required, found nothing");
        }
        text.to_string()
    }

    pub(crate) fn one_of(
        &mut self,
        name: &str,
        allowed: &[&str],
        required: bool,
    ) -> Option<String> {
        let text = self.text(name);
        if text.is_empty() {
            if required {
                self.fail(
                    name,
                    format!("required; expected one of: {}", allowed.join(", ")),
                );
            }
            return None;
        }
        if allowed.contains(&text) {
            Some(text.to_string())
        } else {
            self.fail(
                name,
                format!("`{text}` is not one of: {}", allowed.join(", ")),
            );
            None
        }
    }

    /// A number, non-negative unless `allow_negative`; `None` when empty.
    pub(crate) fn number(&mut self, name: &str, allow_negative: bool) -> Option<f64> {
        let text = self.text(name);
        if text.is_empty() {
            return None;
        }
        match text.parse::<f64>() {
            Ok(value) if !value.is_finite() => {
                self.fail(name, format!("`{text}` is not a finite number"));
                None
            }
            Ok(value) if value < 0.0 && !allow_negative => {
                self.fail(
                    name,
                    format!("negative value {text}; expected zero or more"),
                );
                None
            }
            Ok(value) => Some(value),
            Err(_) => {
                self.fail(name, format!("`{text}` is not a number"));
                None
            }
        }
    }

    pub(crate) fn required_number(&mut self, name: &str) -> Option<f64> {
        if self.text(name).is_empty() {
            self.fail(name, "required number, found nothing");
            return None;
        }
        self.number(name, false)
    }

    pub(crate) fn time(&mut self, name: &str) -> Option<i64> {
        let text = self.text(name);
        let parsed = parse_local_time(text);
        let Some(time) = parsed else {
            self.fail(
                name,
                format!("`{text}` is not a date-time; expected YYYY-MM-DD HH:MM[:SS] (local time)"),
            );
            return None;
        };
        if let Some(refusal) = self.file.bounds.refusal(time) {
            let text = text.to_string();
            self.fail(name, format!("`{text}` {refusal}"));
            return None;
        }
        Some(time)
    }
}

/// Records a key, failing the row when the file already had it.
pub(crate) fn unique<K: std::hash::Hash + Eq>(
    seen: &mut HashMap<K, u64>,
    key: K,
    fields: &mut Fields,
    field: &str,
    shown: &str,
) {
    if let Some(first) = seen.get(&key) {
        let first = *first;
        fields.fail(
            field,
            format!("duplicate key {shown}, first given on line {first}"),
        );
    } else {
        seen.insert(key, fields.line);
    }
}
