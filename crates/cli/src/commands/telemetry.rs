//! `danjiang telemetry import FILE...` backfills points from files (CSV tall or wide, or JSON)
//! into the store; `danjiang telemetry prune` deletes raw points past their tag's retention;
//! `danjiang telemetry token create|list|revoke` manages the ingestion tokens machines post
//! points with.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use danjiang_ops::telemetry::{self, BatchFormat, IngestSummary};
use danjiang_ops::{OpsError, Store};

use super::import::{runtime, DatabaseArg};

/// Telemetry points: backfill from files, prune past retention, ingestion tokens.
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
    /// Ingestion tokens for `POST /api/v1/telemetry/points` (one or more per source).
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

/// What to do with ingestion tokens (each change audited as `system`).
#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create a token for SOURCE and print it once (only its digest is stored).
    Create {
        /// The source's name: letters, digits, `.`, `_` or `-`.
        source: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// List the tokens (never the tokens themselves).
    List {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Revoke token ID (as `token list` numbers it).
    Revoke {
        /// The token's number.
        id: i64,
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
            TelemetryCommand::Token { command } => token(command).await,
        }
    })
}

/// Who token changes made on the command line are audited as.
const CLI_USER: &str = "system";

async fn token(command: &TokenCommand) -> anyhow::Result<ExitCode> {
    let db = match command {
        TokenCommand::Create { db, .. }
        | TokenCommand::List { db }
        | TokenCommand::Revoke { db, .. } => db,
    };
    let store = db.open().await?;
    let result = token_on(&store, command).await;
    store.close().await;
    result.map(|()| ExitCode::SUCCESS)
}

async fn token_on(store: &Store, command: &TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create { source, .. } => {
            let (stored, token) = telemetry::create_token(store, source, CLI_USER).await?;
            eprintln!(
                "token {} for source `{}` created; it is shown only now, keep it safe:",
                stored.id, stored.source
            );
            println!("{token}");
        }
        TokenCommand::List { .. } => {
            println!("id\tsource\tcreated_by\tcreated (UTC)\trevoked (UTC)");
            for t in telemetry::list_tokens(store).await? {
                let revoked = t.revoked_at.map(utc).unwrap_or_else(|| "-".into());
                println!(
                    "{}\t{}\t{}\t{}\t{revoked}",
                    t.id,
                    t.source,
                    t.created_by,
                    utc(t.created_at)
                );
            }
        }
        TokenCommand::Revoke { id, .. } => {
            let t = telemetry::revoke_token(store, *id, CLI_USER).await?;
            println!("token {} of source `{}` revoked", t.id, t.source);
        }
    }
    Ok(())
}

fn utc(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| seconds.to_string())
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
