//! `danjiang import KIND FILE`: validates a CSV (or GeoJSON) file and writes it to the operations
//! store in one transaction, or rejects it with every bad line.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use danjiang_ops::{import_file, ImportKind, Progress, Store};
use indicatif::{ProgressBar, ProgressStyle};

/// Import assets, meters, readings, plans or geometries into the operations store.
///
/// KIND is one of: counties, assets, geometry, meters, uses, replacements, readings, plans,
/// tags (the telemetry register).
/// The file is checked whole first: if any row is bad, every bad row is listed (line, field,
/// reason) and nothing is written. Importing the same file again changes nothing. Readings,
/// meters and exchanges recompute the daily volumes of the meters they touch.
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// What the file holds.
    pub kind: String,
    /// The CSV file (GeoJSON for `geometry`).
    pub file: PathBuf,
    #[command(flatten)]
    pub db: DatabaseArg,
}

/// The `--db URL` option every store command takes.
#[derive(Args, Debug, Clone)]
pub struct DatabaseArg {
    /// The store: postgres://... or sqlite:PATH (or a file path). Default: $DATABASE_URL, else
    /// the SQLite file danjiang.db in the current folder.
    #[arg(long = "db", value_name = "URL")]
    pub url: Option<String>,
}

impl DatabaseArg {
    /// The URL to open.
    pub fn resolve(&self) -> String {
        self.url
            .clone()
            .or_else(|| std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()))
            .unwrap_or_else(|| "sqlite:danjiang.db".to_string())
    }

    /// Opens (and migrates) the store.
    pub async fn open(&self) -> anyhow::Result<Store> {
        let url = self.resolve();
        Store::open(&url)
            .await
            .with_context(|| format!("cannot open the store {url}"))
    }
}

/// A progress bar on standard error for long imports.
pub struct Bar(ProgressBar);

impl Bar {
    /// A bar, hidden when standard error is not a terminal.
    pub fn new() -> Self {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{msg:>14} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()) // ok: a constant template
                .progress_chars("=> "),
        );
        Bar(bar)
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Default for Bar {
    fn default() -> Self {
        Self::new()
    }
}

impl Progress for Bar {
    fn start(&self, stage: &str, total: u64) {
        self.0.set_message(stage.to_string());
        self.0.set_length(total);
        self.0.set_position(0);
    }
    fn advance(&self, rows: u64) {
        self.0.inc(rows);
    }
}

/// Starts the runtime the store needs.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Runs the import.
pub fn run(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let kind: ImportKind = args.kind.parse()?;
    runtime()?.block_on(async {
        let store = args.db.open().await?;
        let bar = Bar::new();
        let result = import_file(&store, kind, &args.file, &bar).await;
        bar.finish();
        store.close().await;
        let summary = result?;
        println!(
            "{}: {} {} row(s) imported, daily volumes of {} meter(s) recomputed",
            args.file.display(),
            summary.rows,
            kind.as_str(),
            summary.meters_recomputed
        );
        Ok::<ExitCode, anyhow::Error>(ExitCode::SUCCESS)
    })
}
