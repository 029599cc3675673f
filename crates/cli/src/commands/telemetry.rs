//! `danjiang telemetry import FILE...` backfills points from files (CSV tall or wide, or JSON)
//! into the store; `danjiang telemetry prune` deletes raw points past their tag's retention.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use danjiang_ops::telemetry::{self, BatchFormat, IngestSummary};
use danjiang_ops::{OpsError, Store};

use super::import::{runtime, DatabaseArg};

/// Telemetry points: backfill from files, prune past retention.
///
/// Register the tags first with `danjiang import tags FILE` (code,name,quantity,unit[,asset,
/// element_kind,element_id,interval_s,retention_days,low_low,low,high,high_high,
/// rate_limit_per_minute]).
#[derive(Args, Debug)]
pub struct TelemetryArgs {
    #[command(subcommand)]
    pub command: TelemetryCommand,
}

/// What to do.
#[derive(Subcommand, Debug)]
pub enum TelemetryCommand {
    /// Store the points of files: CSV `tag,time,value[,quality][,unit]` (tall) or
    /// `time,TAG1,TAG2,...` (wide), or JSON `{"points": [...]}`. Times in station time
    /// (YYYY-MM-DD HH:MM[:SS]) or RFC 3339 with an offset. Every file is checked whole before
    /// any point of it is stored; points already stored are skipped.
    Import {
        /// The files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Delete raw points older than their tag's retention (rollups are kept).
    Prune {
        #[command(flatten)]
        db: DatabaseArg,
    },
}

/// Data lines per batch of a large CSV file.
const LINES_PER_BATCH: usize = 200_000;

/// Runs the command.
pub fn run(args: &TelemetryArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        match &args.command {
            TelemetryCommand::Import { files, db } => {
                let store = db.open().await?;
                let result = import_files(&store, files).await;
                store.close().await;
                result
            }
            TelemetryCommand::Prune { db } => {
                let store = db.open().await?;
                let now = chrono::Utc::now().timestamp() + danjiang_ops::calendar::STATION_OFFSET_S;
                let deleted = telemetry::prune(&store, now).await;
                store.close().await;
                println!("{} raw point(s) past their retention deleted", deleted?);
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}

async fn import_files(store: &Store, files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    for file in files {
        let bytes =
            std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        let format = BatchFormat::of(&file.display().to_string())
            .with_context(|| format!("{}: expected a .csv or .json file", file.display()))?;
        let summary = import_file(store, file, format, &bytes).await?;
        println!(
            "{}: {} point(s) read, {} stored, {} already stored",
            file.display(),
            summary.received,
            summary.stored,
            summary.duplicates
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Checks every batch of the file, then stores them one transaction each.
async fn import_file(
    store: &Store,
    file: &Path,
    format: BatchFormat,
    bytes: &[u8],
) -> anyhow::Result<IngestSummary> {
    let name = file.display().to_string();
    let batches = match format {
        BatchFormat::Json => vec![(0, bytes.to_vec())],
        BatchFormat::Csv => csv_batches(bytes),
    };
    let mut checked = Vec::with_capacity(batches.len());
    let mut errors = Vec::new();
    for (offset, batch) in &batches {
        match telemetry::check_points(store, &name, format, batch).await {
            Ok(points) => checked.push(points),
            Err(OpsError::Rejected {
                errors: mut bad, ..
            }) => {
                for error in &mut bad {
                    // A batch's line 2 is its first data line.
                    if error.line > 1 {
                        error.line += *offset as u64;
                    }
                }
                errors.append(&mut bad);
            }
            Err(other) => return Err(other.into()),
        }
    }
    if !errors.is_empty() {
        return Err(OpsError::Rejected {
            path: file.to_path_buf(),
            errors,
        }
        .into());
    }
    let mut total = IngestSummary::default();
    for points in &checked {
        let mut tx = store.begin_write().await?;
        let summary = telemetry::store_points_in(store.backend(), &mut tx, points).await?;
        tx.commit().await?;
        total.received += summary.received;
        total.stored += summary.stored;
        total.duplicates += summary.duplicates;
    }
    Ok(total)
}

/// The file in batches of at most [`LINES_PER_BATCH`] data lines, each with the header, and
/// the number of data lines before each.
fn csv_batches(bytes: &[u8]) -> Vec<(usize, Vec<u8>)> {
    let mut lines = bytes.split_inclusive(|b| *b == b'\n');
    let Some(header) = lines.next() else {
        return vec![(0, bytes.to_vec())];
    };
    let body: Vec<&[u8]> = lines.collect();
    if body.is_empty() {
        return vec![(0, bytes.to_vec())];
    }
    body.chunks(LINES_PER_BATCH)
        .enumerate()
        .map(|(i, chunk)| {
            let mut batch = header.to_vec();
            if !batch.ends_with(b"\n") {
                batch.push(b'\n');
            }
            for line in chunk {
                batch.extend_from_slice(line);
            }
            (i * LINES_PER_BATCH, batch)
        })
        .collect()
}
