//! The pieces the sample, patrol and siting stores share: a CSV file read whole with every bad
//! row kept for the rejection message, values bound into chunked upserts, and a transaction
//! tried again while another writer holds the lock.

use std::collections::HashSet;
use std::future::Future;
use std::time::Duration;

use sqlx::{Any, Transaction};

use crate::error::{OpsError, Result, RowError};
use crate::store::{is_busy, Backend};

/// A value bound into an INSERT.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Text(Option<String>),
    Int(Option<i64>),
    Real(Option<f64>),
}

/// A CSV file read whole: its header and records with their lines, and what could not be read.
pub(crate) struct CsvRows {
    header: Vec<String>,
    pub records: Vec<(u64, csv::StringRecord)>,
    pub errors: Vec<RowError>,
}

/// Reads CSV bytes whose header must hold `required` and may hold only `allowed`; a bad header
/// rejects the file at once, bad rows are kept in `errors`.
pub(crate) fn read_csv(
    bytes: &[u8],
    required: &[&str],
    allowed: &[&str],
) -> std::result::Result<CsvRows, Vec<RowError>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(bytes);
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h
            .iter()
            .map(|s| s.trim_start_matches('\u{feff}').to_ascii_lowercase())
            .collect(),
        Err(e) => {
            return Err(vec![RowError {
                line: 1,
                field: None,
                reason: format!("unreadable header: {e}"),
            }])
        }
    };
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
    for column in &header {
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
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut records = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line());
                if record.iter().all(str::is_empty) {
                    continue; // a blank line
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
    Ok(CsvRows {
        header,
        records,
        errors,
    })
}

impl CsvRows {
    /// The fields of record `index`, collecting what is wrong with them.
    pub fn row(&self, index: usize) -> CsvRow<'_> {
        let (line, record) = &self.records[index];
        CsvRow {
            header: &self.header,
            record,
            line: *line,
            errors: Vec::new(),
        }
    }
}

/// One record's fields and the errors found in them.
pub(crate) struct CsvRow<'a> {
    header: &'a [String],
    record: &'a csv::StringRecord,
    pub line: u64,
    pub errors: Vec<RowError>,
}

impl<'a> CsvRow<'a> {
    /// Records a fault in `field`.
    pub fn fail(&mut self, field: &str, reason: impl Into<String>) {
        self.errors.push(RowError {
            line: self.line,
            field: Some(field.to_string()),
            reason: reason.into(),
        });
    }

    /// The text of a column, empty when the column is absent.
    pub fn text(&self, name: &str) -> &'a str {
        self.header
            .iter()
            .position(|h| h == name)
            .and_then(|i| self.record.get(i))
            .unwrap_or("")
    }

    /// The text of a column, `None` when empty or absent.
    pub fn optional(&self, name: &str) -> Option<String> {
        let text = self.text(name);
        (!text.is_empty()).then(|| text.to_string())
    }

    /// The text of a required column; an empty one is a fault.
    pub fn required(&mut self, name: &str) -> String {
        let text = self.text(name);
        if text.is_empty() {
            self.fail(name, "required, found nothing");
        }
        text.to_string()
    }
}

/// Most values bound in one statement (SQLite allows 32,766, PostgreSQL 65,535).
const MAX_BINDS: usize = 30_000;

/// Upserts `rows` into `table` on `keys`, in statements of many rows each.
pub(crate) async fn upsert(
    backend: Backend,
    tx: &mut Transaction<'static, Any>,
    table: &str,
    columns: &[&str],
    keys: &[&str],
    rows: &[Vec<Cell>],
) -> Result<()> {
    let updates: Vec<String> = columns
        .iter()
        .filter(|c| !keys.contains(c))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let conflict = if updates.is_empty() {
        "DO NOTHING".to_string()
    } else {
        format!("DO UPDATE SET {}", updates.join(", "))
    };
    let per_statement = (MAX_BINDS / columns.len().max(1)).clamp(1, 500);
    for chunk in rows.chunks(per_statement) {
        let mut values = String::new();
        let mut n = 0;
        for (r, _) in chunk.iter().enumerate() {
            if r > 0 {
                values.push_str(", ");
            }
            values.push('(');
            for c in 0..columns.len() {
                if c > 0 {
                    values.push_str(", ");
                }
                n += 1;
                match backend {
                    Backend::Sqlite => values.push('?'),
                    Backend::Postgres => values.push_str(&format!("${n}")),
                }
            }
            values.push(')');
        }
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {values} ON CONFLICT ({}) {conflict}",
            columns.join(", "),
            keys.join(", ")
        );
        // Not a cached statement: through the Any driver a NULL is declared with a type of its
        // own, and PostgreSQL would then read a later non-NULL value in that place in the wrong
        // binary format (error 22P03).
        let mut query = sqlx::query::<Any>(&sql).persistent(false);
        for row in chunk {
            for cell in row {
                query = match cell {
                    Cell::Text(v) => query.bind(v.clone()),
                    Cell::Int(v) => query.bind(*v),
                    Cell::Real(v) => query.bind(*v),
                };
            }
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Runs a transaction, again from the start while another writer holds the lock longer than the
/// busy timeout (nothing of a failed attempt was kept).
pub(crate) async fn retry_when_busy<T, F, Fut>(mut attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut tries = 0u32;
    loop {
        match attempt().await {
            Err(error) if is_busy(&error) && tries < 30 => {
                tries += 1;
                tracing::warn!("store busy, retrying ({tries})");
                tokio::time::sleep(Duration::from_millis(100 * u64::from(tries))).await;
            }
            other => return other,
        }
    }
}

/// An error for a request that names something the store does not hold, or breaks a rule.
pub(crate) fn invalid(message: impl Into<String>) -> OpsError {
    OpsError::Invalid(message.into())
}
