//! `danjiang demo`: loads the Xuchang demo system (examples/xuchang/) into a fresh store, with its
//! seeded operating history, prints the ledger and the figures it reproduces.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;
use danjiang_ops::{
    compute_ledger, demo, import_bytes, Format, Grouping, ImportKind, LedgerQuery, Period,
};
use sqlx::Row;

use super::import::{runtime, Bar, DatabaseArg};

/// Load the Xuchang demo into a fresh store and show its ledger.
///
/// Empties the store, imports the demo's counties, asset register (4 outlets, 150 km of lines,
/// 366 wells, 8 plants, 21 offices and stations) and geometries, generates the operating history
/// from December 2014 to May 2021 (seeded) and imports it, then prints the cumulative ledger by
/// use and the yearly ledger by outlet. The web app is not part of this build yet, so the command
/// always ends there (`--no-serve` says so explicitly).
#[derive(Args, Debug)]
pub struct DemoArgs {
    #[command(flatten)]
    pub db: DatabaseArg,
    /// Load and print, then exit without starting the web app.
    #[arg(long)]
    pub no_serve: bool,
}

const COUNTIES: &str = include_str!("../../../../examples/xuchang/counties.csv");
const ASSETS: &str = include_str!("../../../../examples/xuchang/assets.csv");
const GEOMETRY: &str = include_str!("../../../../examples/xuchang/geometry.geojson");

/// Runs the demo.
pub fn run(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = args.db.open().await?;
        store.clear().await?;
        let history = demo::generate(demo::SEED);
        let files: [(ImportKind, &str, &str); 8] = [
            (
                ImportKind::Counties,
                "examples/xuchang/counties.csv",
                COUNTIES,
            ),
            (ImportKind::Assets, "examples/xuchang/assets.csv", ASSETS),
            (
                ImportKind::Geometry,
                "examples/xuchang/geometry.geojson",
                GEOMETRY,
            ),
            (
                ImportKind::Meters,
                "(generated) meters.csv",
                &history.meters,
            ),
            (ImportKind::Uses, "(generated) uses.csv", &history.uses),
            (
                ImportKind::Replacements,
                "(generated) replacements.csv",
                &history.replacements,
            ),
            (
                ImportKind::Readings,
                "(generated) readings.csv",
                &history.readings,
            ),
            (ImportKind::Plans, "(generated) plans.csv", &history.plans),
        ];
        let bar = Bar::new();
        for (kind, name, text) in files {
            let summary =
                import_bytes(&store, kind, Path::new(name), text.as_bytes(), &bar).await?;
            eprintln!("imported {name}: {} row(s)", summary.rows);
        }
        bar.finish();

        let people = sqlx::query(
            "SELECT CAST(SUM(people_served) AS BIGINT) FROM assets WHERE kind = 'plant'",
        )
        .fetch_one(store.pool())
        .await?;
        let people: Option<i64> = people.try_get(0)?;
        let area: Option<f64> =
            sqlx::query("SELECT SUM(area_km2) FROM assets WHERE kind = 'plant'")
                .fetch_one(store.pool())
                .await?
                .try_get(0)?;
        println!(
            "Xuchang demo: {} people served, {:.0} km² supplied by the 8 plants",
            people.unwrap_or(0),
            area.unwrap_or(0.0)
        );
        let stdout = std::io::stdout();
        for (by, period) in [
            (Grouping::Use, Period::All),
            (Grouping::Outlet, Period::Year),
        ] {
            println!();
            let ledger = compute_ledger(
                &store,
                LedgerQuery {
                    by,
                    period,
                    from: None,
                    to: None,
                },
            )
            .await?;
            ledger.write(Format::Table, &mut stdout.lock())?;
        }
        store.close().await;
        if !args.no_serve {
            println!(
                "\nThe web app is not in this build yet; the demo store is ready at {}.",
                args.db.resolve()
            );
        }
        Ok::<ExitCode, anyhow::Error>(ExitCode::SUCCESS)
    })
}
