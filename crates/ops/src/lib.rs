//! Danjiang's operations domain for a water-transfer supply system: asset register, meters and
//! readings, the supply ledger with plans, and its store on SQLite or PostgreSQL (sqlx).

pub mod asset_geometry;
pub mod audit;
pub mod calendar;
mod csv_rows;
pub mod demo;
pub mod error;
pub mod import;
mod json_lines;
pub mod ledger;
pub mod metering;
pub mod patrols;
pub mod samples;
mod samples_import;
pub mod siting_reviews;
pub mod store;
pub mod telemetry;

pub use error::{OpsError, Result, RowError};
pub use import::{import_bytes, import_file, ImportKind, ImportSummary, Progress, Silent};
pub use ledger::{
    compute as compute_ledger, Format, Grouping, Ledger, LedgerQuery, LedgerRow, Period,
};
pub use store::{Backend, Store};
