//! `danjiang demo`: loads the Xuchang demo system (examples/xuchang/) into a fresh store, with its
//! seeded operating history and demo users, prints the ledger, then serves the web application.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Args;
use danjiang_ops::{compute_ledger, Format, Grouping, LedgerQuery, Period};
use danjiang_server::demo::{self, DEMO_USERS};
use danjiang_server::AppState;
use sqlx::Row;

use super::import::{runtime, Bar, DatabaseArg};
use super::serve::serve_until_stopped;

/// Load the Xuchang demo into a fresh store, show its ledger and serve the web app on it.
///
/// Empties the store, imports the demo's counties, asset register (4 outlets, 150 km of lines,
/// 366 wells, 8 plants, 21 offices and stations) and geometries, generates the operating history
/// from December 2014 to May 2021 (seeded) and imports it, creates the demo users (admin,
/// operator, viewer), prints the cumulative ledger by use and the yearly ledger by outlet, then
/// serves the web application at http://127.0.0.1:8080 and prints a demo login. `--no-serve`
/// stops after printing.
#[derive(Args, Debug)]
pub struct DemoArgs {
    #[command(flatten)]
    pub db: DatabaseArg,
    /// Load and print, then exit without starting the web app.
    #[arg(long)]
    pub no_serve: bool,
    /// Address and port the web app listens on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
}

/// Runs the demo.
pub fn run(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = args.db.open().await?;
        let bar = Bar::new();
        let counts = demo::load(&store, &bar).await?;
        bar.finish();
        for (name, rows) in counts {
            eprintln!("imported {name}: {rows} row(s)");
        }
        demo::create_users(&store).await?;
        // The demo's protection zones (illustrative, along the Xuchang section), so siting
        // reviews work from the first login.
        danjiang_server::siting::reviews::upload_zones(
            &store,
            "system",
            "examples/siting/zones.geojson",
            include_str!("../../../../examples/siting/zones.geojson"),
        )
        .await?;

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
        println!("\nDemo logins (user / password):");
        for (username, _, role, password) in DEMO_USERS {
            println!("  {username:<9} / {password:<18} ({})", role.as_str());
        }
        if args.no_serve {
            println!(
                "\nThe demo store is ready at {}; `danjiang serve --db {}` serves it.",
                args.db.resolve(),
                args.db.resolve()
            );
        } else {
            // The address is printed once bound (`--listen 127.0.0.1:0` picks a free port).
            println!("\nLog in as admin / danjiang-admin at the address below.");
            serve_until_stopped(AppState::new(store.clone())?, args.listen).await?;
        }
        store.close().await;
        Ok::<ExitCode, anyhow::Error>(ExitCode::SUCCESS)
    })
}
