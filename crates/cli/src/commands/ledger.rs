//! `danjiang ledger`: delivered volumes by outlet, plant, county or use, per day, month, water
//! year or in all, with plan completion; as a table, CSV or JSON.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use danjiang_ops::calendar::parse_date;
use danjiang_ops::{compute_ledger, Format, Grouping, LedgerQuery, Period};

use super::import::{runtime, DatabaseArg};

/// Print the supply ledger computed from the stored meter readings.
///
/// Volumes are m³ (with 万 m³ and 亿 m³ columns); `year` is the water year, 1 November to
/// 31 October. Outlet and plant rows carry the plan and its completion in percent.
#[derive(Args, Debug)]
pub struct LedgerArgs {
    /// Group rows by outlet, plant, county or use.
    #[arg(long, value_name = "GROUP", default_value = "use")]
    pub by: String,
    /// One row per day, month, year (water year) or all (cumulative).
    #[arg(long, value_name = "PERIOD", default_value = "all")]
    pub period: String,
    /// First day included (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day included (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// table, csv or json.
    #[arg(long, value_name = "FORMAT", default_value = "table")]
    pub format: String,
    #[command(flatten)]
    pub db: DatabaseArg,
}

fn date(text: &Option<String>, option: &str) -> anyhow::Result<Option<i64>> {
    text.as_deref()
        .map(|t| {
            parse_date(t).with_context(|| format!("--{option} `{t}`: expected a date YYYY-MM-DD"))
        })
        .transpose()
}

/// Runs the report.
pub fn run(args: &LedgerArgs) -> anyhow::Result<ExitCode> {
    let query = LedgerQuery {
        by: args.by.parse::<Grouping>()?,
        period: args.period.parse::<Period>()?,
        from: date(&args.from, "from")?,
        to: date(&args.to, "to")?,
    };
    let format: Format = args.format.parse()?;
    runtime()?.block_on(async {
        let store = args.db.open().await?;
        let ledger = compute_ledger(&store, query).await;
        store.close().await;
        let stdout = std::io::stdout();
        ledger?.write(format, &mut stdout.lock())?;
        Ok::<ExitCode, anyhow::Error>(ExitCode::SUCCESS)
    })
}
