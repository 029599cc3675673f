//! Imports the data written by `bench_readings` into a store and builds the yearly ledger,
//! printing the time of each step (scripts/bench-ledger.sh wraps it to measure peak memory).
//!
//! `cargo run --release -p danjiang-ops --example bench_ledger -- URL DIR`

use std::path::Path;
use std::time::Instant;

use danjiang_ops::{
    compute_ledger, import_file, Grouping, ImportKind, LedgerQuery, Period, Silent, Store,
};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args.next().ok_or("usage: bench_ledger URL DIR")?;
    let dir = std::path::PathBuf::from(args.next().ok_or("usage: bench_ledger URL DIR")?);
    let store = Store::open(&url).await?;
    store.clear().await?;
    for (kind, file) in [
        (ImportKind::Counties, "counties.csv"),
        (ImportKind::Assets, "assets.csv"),
        (ImportKind::Meters, "meters.csv"),
        (ImportKind::Uses, "uses.csv"),
    ] {
        import_file(&store, kind, &dir.join(file), &Silent).await?;
    }
    let mut files: Vec<_> = std::fs::read_dir(dir.join("readings"))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    let started = Instant::now();
    let mut rows = 0;
    for file in &files {
        let one = Instant::now();
        let summary = import_file(&store, ImportKind::Readings, Path::new(file), &Silent).await?;
        rows += summary.rows;
        eprintln!(
            "  {}: {} rows in {:.1} s",
            file.display(),
            summary.rows,
            one.elapsed().as_secs_f64()
        );
    }
    let import_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let ledger = compute_ledger(
        &store,
        LedgerQuery {
            by: Grouping::Use,
            period: Period::Year,
            from: None,
            to: None,
        },
    )
    .await?;
    let ledger_seconds = started.elapsed().as_secs_f64();
    ledger.write(danjiang_ops::Format::Table, &mut std::io::stdout().lock())?;
    println!(
        "{:?}: {rows} readings imported in {import_seconds:.1} s ({:.0} rows/s, with daily volumes); yearly ledger in {ledger_seconds:.2} s",
        store.backend(),
        rows as f64 / import_seconds
    );
    store.close().await;
    Ok(())
}
