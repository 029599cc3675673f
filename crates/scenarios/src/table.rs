//! Result tables of the sweeps: columns of integers, numbers and text, written as CSV and
//! Parquet, and read back from CSV so shard outputs can be joined.
//!
//! A table's CSV is its canonical form: numbers are written in Rust's shortest form that reads
//! back to the same `f64`, so a table read from its CSV and written again is byte for byte the same.

use crate::ScenarioError;
use parquet::basic::{Compression, Repetition, Type as PhysicalType};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type as SchemaType;
use std::path::Path;
use std::sync::Arc;

/// What a column holds; empty cells (missing values) are allowed in every kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Whole numbers (counts, seconds, positions).
    Integer,
    /// Real numbers.
    Number,
    /// Text (IDs, statuses).
    Text,
}

/// The values of one column.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnValues {
    /// Whole numbers.
    Integer(Vec<Option<i64>>),
    /// Real numbers.
    Number(Vec<Option<f64>>),
    /// Text.
    Text(Vec<Option<String>>),
}

impl ColumnValues {
    fn empty(kind: ColumnKind) -> ColumnValues {
        match kind {
            ColumnKind::Integer => ColumnValues::Integer(Vec::new()),
            ColumnKind::Number => ColumnValues::Number(Vec::new()),
            ColumnKind::Text => ColumnValues::Text(Vec::new()),
        }
    }

    fn len(&self) -> usize {
        match self {
            ColumnValues::Integer(v) => v.len(),
            ColumnValues::Number(v) => v.len(),
            ColumnValues::Text(v) => v.len(),
        }
    }

    fn cell(&self, row: usize) -> String {
        match self {
            ColumnValues::Integer(v) => v[row].map(|x| x.to_string()).unwrap_or_default(),
            ColumnValues::Number(v) => v[row].map(|x| x.to_string()).unwrap_or_default(),
            ColumnValues::Text(v) => v[row].clone().unwrap_or_default(),
        }
    }
}

/// A value for one cell, when building a table row by row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A whole number.
    Integer(Option<i64>),
    /// A real number.
    Number(Option<f64>),
    /// Text.
    Text(Option<String>),
}

/// A table with named, typed columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Column names, in order.
    pub names: Vec<String>,
    /// Column values, in the same order.
    pub columns: Vec<ColumnValues>,
}

impl Table {
    /// An empty table with these columns.
    pub fn new(schema: &[(&str, ColumnKind)]) -> Table {
        Table {
            names: schema.iter().map(|(n, _)| n.to_string()).collect(),
            columns: schema
                .iter()
                .map(|&(_, k)| ColumnValues::empty(k))
                .collect(),
        }
    }

    /// The column kinds, in order.
    pub fn kinds(&self) -> Vec<ColumnKind> {
        self.columns
            .iter()
            .map(|c| match c {
                ColumnValues::Integer(_) => ColumnKind::Integer,
                ColumnValues::Number(_) => ColumnKind::Number,
                ColumnValues::Text(_) => ColumnKind::Text,
            })
            .collect()
    }

    /// Number of rows.
    pub fn row_count(&self) -> usize {
        self.columns.first().map_or(0, ColumnValues::len)
    }

    /// Appends a row; its cells must match the columns' kinds in order.
    pub fn push(&mut self, row: Vec<Cell>) -> Result<(), ScenarioError> {
        if row.len() != self.columns.len() {
            return Err(ScenarioError::BadOption(format!(
                "a row of {} cells for a table of {} columns",
                row.len(),
                self.columns.len()
            )));
        }
        for (column, cell) in self.columns.iter_mut().zip(row) {
            match (column, cell) {
                (ColumnValues::Integer(v), Cell::Integer(x)) => v.push(x),
                (ColumnValues::Number(v), Cell::Number(x)) => v.push(x),
                (ColumnValues::Text(v), Cell::Text(x)) => v.push(x),
                (_, cell) => {
                    return Err(ScenarioError::BadOption(format!(
                        "cell {cell:?} does not fit its column's kind"
                    )))
                }
            }
        }
        Ok(())
    }

    /// Appends every row of another table with the same columns.
    pub fn append(&mut self, other: Table) -> Result<(), ScenarioError> {
        if other.names != self.names || other.kinds() != self.kinds() {
            return Err(ScenarioError::BadOption(format!(
                "tables with different columns cannot be joined: {:?} and {:?}",
                self.names, other.names
            )));
        }
        for (ours, theirs) in self.columns.iter_mut().zip(other.columns) {
            match (ours, theirs) {
                (ColumnValues::Integer(a), ColumnValues::Integer(b)) => a.extend(b),
                (ColumnValues::Number(a), ColumnValues::Number(b)) => a.extend(b),
                (ColumnValues::Text(a), ColumnValues::Text(b)) => a.extend(b),
                _ => unreachable!("kinds were compared above"),
            }
        }
        Ok(())
    }

    /// The table as CSV text with a header line.
    pub fn to_csv(&self) -> Result<Vec<u8>, ScenarioError> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let csv_error = |e: csv::Error| ScenarioError::BadOption(format!("CSV: {e}"));
        writer.write_record(&self.names).map_err(csv_error)?;
        let mut record = Vec::with_capacity(self.columns.len());
        for row in 0..self.row_count() {
            record.clear();
            record.extend(self.columns.iter().map(|c| c.cell(row)));
            writer.write_record(&record).map_err(csv_error)?;
        }
        writer
            .into_inner()
            .map_err(|e| ScenarioError::BadOption(format!("CSV: {e}")))
    }

    /// Writes the table as CSV.
    pub fn write_csv(&self, path: &Path) -> Result<(), ScenarioError> {
        let bytes = self.to_csv()?;
        std::fs::write(path, bytes).map_err(|e| ScenarioError::io(path, e))
    }

    /// Reads a table written by [`Table::write_csv`] with these columns; errors name the line.
    pub fn read_csv(path: &Path, schema: &[(&str, ColumnKind)]) -> Result<Table, ScenarioError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::io(path, e))?;
        let bad = |line: u64, message: String| ScenarioError::BadRows {
            file: file.clone(),
            problems: vec![(line, message)],
        };
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let headers = reader.headers().map_err(|e| bad(1, e.to_string()))?.clone();
        let expected: Vec<&str> = schema.iter().map(|(n, _)| *n).collect();
        if headers.iter().collect::<Vec<_>>() != expected {
            return Err(bad(
                1,
                format!("expected the columns {}", expected.join(",")),
            ));
        }
        let mut table = Table::new(schema);
        for record in reader.records() {
            let record =
                record.map_err(|e| bad(e.position().map_or(0, |p| p.line()), e.to_string()))?;
            let line = record.position().map_or(0, |p| p.line());
            let mut row = Vec::with_capacity(schema.len());
            for (field, &(name, kind)) in record.iter().zip(schema) {
                let cell = if field.is_empty() {
                    match kind {
                        ColumnKind::Integer => Cell::Integer(None),
                        ColumnKind::Number => Cell::Number(None),
                        ColumnKind::Text => Cell::Text(None),
                    }
                } else {
                    match kind {
                        ColumnKind::Integer => {
                            Cell::Integer(Some(field.parse().map_err(|_| {
                                bad(line, format!("{name}: {field:?} is not a whole number"))
                            })?))
                        }
                        ColumnKind::Number => Cell::Number(Some(field.parse().map_err(|_| {
                            bad(line, format!("{name}: {field:?} is not a number"))
                        })?)),
                        ColumnKind::Text => Cell::Text(Some(field.to_string())),
                    }
                };
                row.push(cell);
            }
            if row.len() != schema.len() {
                return Err(bad(
                    line,
                    format!("expected {} fields, found {}", schema.len(), row.len()),
                ));
            }
            table.push(row)?;
        }
        Ok(table)
    }

    /// Writes the table as a Parquet file (one row group, Snappy compression, every column
    /// optional so empty cells are nulls).
    pub fn write_parquet(&self, path: &Path) -> Result<(), ScenarioError> {
        let file_name = path.display().to_string();
        let fail = |message: String| ScenarioError::Parquet {
            file: file_name.clone(),
            message,
        };
        let mut fields = Vec::new();
        for (name, column) in self.names.iter().zip(&self.columns) {
            let builder = match column {
                ColumnValues::Integer(_) => {
                    SchemaType::primitive_type_builder(name, PhysicalType::INT64)
                }
                ColumnValues::Number(_) => {
                    SchemaType::primitive_type_builder(name, PhysicalType::DOUBLE)
                }
                ColumnValues::Text(_) => {
                    SchemaType::primitive_type_builder(name, PhysicalType::BYTE_ARRAY)
                        .with_logical_type(Some(parquet::basic::LogicalType::String))
                }
            };
            let field = builder
                .with_repetition(Repetition::OPTIONAL)
                .build()
                .map_err(|e| fail(e.to_string()))?;
            fields.push(Arc::new(field));
        }
        let schema = SchemaType::group_type_builder("schema")
            .with_fields(fields)
            .build()
            .map_err(|e| fail(e.to_string()))?;
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by("danjiang".to_string())
            .build();
        let file = std::fs::File::create(path).map_err(|e| ScenarioError::io(path, e))?;
        let mut writer = SerializedFileWriter::new(file, Arc::new(schema), Arc::new(properties))
            .map_err(|e| fail(e.to_string()))?;
        let mut group = writer.next_row_group().map_err(|e| fail(e.to_string()))?;
        for column in &self.columns {
            let Some(mut column_writer) = group.next_column().map_err(|e| fail(e.to_string()))?
            else {
                return Err(fail("the schema has fewer columns than the table".into()));
            };
            match column {
                ColumnValues::Integer(values) => {
                    let (present, levels) = split_missing(values);
                    column_writer
                        .typed::<Int64Type>()
                        .write_batch(&present, Some(&levels), None)
                        .map_err(|e| fail(e.to_string()))?;
                }
                ColumnValues::Number(values) => {
                    let (present, levels) = split_missing(values);
                    column_writer
                        .typed::<DoubleType>()
                        .write_batch(&present, Some(&levels), None)
                        .map_err(|e| fail(e.to_string()))?;
                }
                ColumnValues::Text(values) => {
                    let levels: Vec<i16> = values.iter().map(|v| i16::from(v.is_some())).collect();
                    let present: Vec<ByteArray> = values
                        .iter()
                        .flatten()
                        .map(|s| ByteArray::from(s.as_str()))
                        .collect();
                    column_writer
                        .typed::<ByteArrayType>()
                        .write_batch(&present, Some(&levels), None)
                        .map_err(|e| fail(e.to_string()))?;
                }
            }
            column_writer.close().map_err(|e| fail(e.to_string()))?;
        }
        group.close().map_err(|e| fail(e.to_string()))?;
        writer.close().map_err(|e| fail(e.to_string()))?;
        Ok(())
    }
}

/// Present values and Parquet definition levels (1 present, 0 missing).
fn split_missing<T: Copy>(values: &[Option<T>]) -> (Vec<T>, Vec<i16>) {
    let levels = values.iter().map(|v| i16::from(v.is_some())).collect();
    (values.iter().flatten().copied().collect(), levels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_round_trip_is_byte_for_byte() {
        let schema = [
            ("n", ColumnKind::Integer),
            ("x", ColumnKind::Number),
            ("id", ColumnKind::Text),
        ];
        let mut table = Table::new(&schema);
        table
            .push(vec![
                Cell::Integer(Some(3)),
                Cell::Number(Some(0.1 + 0.2)),
                Cell::Text(Some("a,b".into())),
            ])
            .unwrap();
        table
            .push(vec![
                Cell::Integer(None),
                Cell::Number(Some(1e-300)),
                Cell::Text(None),
            ])
            .unwrap();
        let dir = std::env::temp_dir().join(format!("dj-table-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.csv");
        table.write_csv(&path).unwrap();
        let back = Table::read_csv(&path, &schema).unwrap();
        assert_eq!(back, table);
        assert_eq!(back.to_csv().unwrap(), std::fs::read(&path).unwrap());
        table.write_parquet(&dir.join("t.parquet")).unwrap();
        let bytes = std::fs::read(dir.join("t.parquet")).unwrap();
        assert_eq!(&bytes[..4], b"PAR1");
        std::fs::remove_dir_all(&dir).ok();
    }
}
