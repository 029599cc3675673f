//! `danjiang samples`: the sample register in the store: import monitoring sites and lab
//! results, and print classes per sampling, month or year, alerts and trends.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use danjiang_assessment::Period;
use danjiang_ops::samples::{self, SampleQuery};

use super::import::{runtime, DatabaseArg};

/// Output formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// A plain-text table.
    Table,
    /// JSON for other programs.
    Json,
    /// CSV with a header.
    Csv,
}

/// The sample register: monitoring sites, lab results, classes by GB 3838-2002.
#[derive(Args, Debug)]
pub struct SamplesArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: SamplesAction,
}

/// Sample actions.
#[derive(Subcommand, Debug)]
pub enum SamplesAction {
    /// Import monitoring sites: CSV with code,name,water_body (river|lake),target_class (I-V)
    /// and optionally asset (a code of the asset register).
    Sites(FileArgs),
    /// Import lab results: CSV with site,time,item,value,unit and optionally method and
    /// detection_limit. Values may be <0.01, 0.01L or ND (with detection_limit); units are
    /// converted to the standard's. A file with any bad row is rejected whole, every bad row
    /// listed by line and field; importing a file again changes nothing.
    Import(FileArgs),
    /// Each site's class per sampling, month or year against its own target class.
    Assess(AssessArgs),
    /// Results that break their site's target class.
    Alerts(RangeArgs),
    /// The trend of one item at one site: Mann-Kendall with Sen's slope (per year), Spearman.
    Trend(TrendArgs),
}

/// A file to import.
#[derive(Args, Debug)]
pub struct FileArgs {
    /// The CSV file.
    pub file: PathBuf,
    #[command(flatten)]
    pub db: DatabaseArg,
}

/// Which samples.
#[derive(Args, Debug)]
pub struct RangeArgs {
    /// One site only (its code).
    #[arg(long)]
    pub site: Option<String>,
    /// First day included (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day included (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    #[command(flatten)]
    pub db: DatabaseArg,
}

/// Assess stored samples.
#[derive(Args, Debug)]
pub struct AssessArgs {
    /// Each sampling, monthly means, or yearly means of the monthly means.
    #[arg(long, default_value = "sample", value_parser = parse_period)]
    pub period: Period,
    #[command(flatten)]
    pub range: RangeArgs,
}

/// The trend of one item at one site.
#[derive(Args, Debug)]
pub struct TrendArgs {
    /// The site's code.
    #[arg(long)]
    pub site: String,
    /// The item's code (DO, CODMn, NH3N, TP, ...).
    #[arg(long)]
    pub item: String,
    /// Over each sampling, monthly means or yearly means.
    #[arg(long, default_value = "month", value_parser = parse_period)]
    pub period: Period,
    /// First day included (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day included (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    #[command(flatten)]
    pub db: DatabaseArg,
}

fn parse_period(s: &str) -> Result<Period, String> {
    s.parse()
}

fn date(text: &Option<String>, option: &str) -> anyhow::Result<Option<chrono::NaiveDate>> {
    text.as_deref()
        .map(|t| {
            chrono::NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d")
                .with_context(|| format!("--{option} `{t}`: expected a date YYYY-MM-DD"))
        })
        .transpose()
}

fn query(
    site: &Option<String>,
    from: &Option<String>,
    to: &Option<String>,
) -> anyhow::Result<SampleQuery> {
    Ok(SampleQuery {
        site: site.clone(),
        from: date(from, "from")?,
        to: date(to, "to")?,
    })
}

/// Writes the output at once; a closed pipe (`| head`) ends quietly instead of panicking.
pub(crate) fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Rows of text cells written as an aligned table or as CSV.
pub(crate) fn write_rows(
    header: &[&str],
    rows: &[Vec<String>],
    csv: bool,
) -> anyhow::Result<String> {
    if csv {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(header)?;
        for row in rows {
            writer.write_record(row)?;
        }
        return Ok(String::from_utf8(writer.into_inner()?)?);
    }
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut text = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}", w = *w))
            .collect::<Vec<_>>()
            .join("  ");
        text.truncate(text.trim_end().len());
        text.push('\n');
        text
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    Ok(out)
}

fn json(value: &impl serde::Serialize) -> anyhow::Result<String> {
    Ok(format!("{}\n", serde_json::to_string_pretty(value)?))
}

fn number(value: Option<f64>) -> String {
    value.map(|v| format!("{v:.4}")).unwrap_or_default()
}

/// Runs a samples action.
pub fn run(args: &SamplesArgs) -> anyhow::Result<ExitCode> {
    let db = match &args.action {
        SamplesAction::Sites(a) | SamplesAction::Import(a) => &a.db,
        SamplesAction::Assess(a) => &a.range.db,
        SamplesAction::Alerts(a) => &a.db,
        SamplesAction::Trend(a) => &a.db,
    };
    runtime()?.block_on(async {
        let store = db.open().await?;
        let result = act(&store, &args.action).await;
        store.close().await;
        emit(&result?)?;
        Ok(ExitCode::SUCCESS)
    })
}

async fn act(store: &danjiang_ops::Store, action: &SamplesAction) -> anyhow::Result<String> {
    Ok(match action {
        SamplesAction::Sites(a) => {
            let n = samples::import_sites_file(store, &a.file).await?;
            format!("imported {}: {n} monitoring site(s)\n", a.file.display())
        }
        SamplesAction::Import(a) => {
            let s = samples::import_samples_file(store, &a.file).await?;
            format!(
                "imported {}: {} result(s), {} sampling(s) at {} site(s)\n",
                a.file.display(),
                s.rows,
                s.samplings,
                s.sites
            )
        }
        SamplesAction::Assess(a) => {
            let r = &a.range;
            let found =
                samples::assess_samples(store, &query(&r.site, &r.from, &r.to)?, a.period).await?;
            match r.format {
                Format::Json => json(&found)?,
                Format::Table | Format::Csv => {
                    let rows: Vec<Vec<String>> = found
                        .iter()
                        .map(|s| {
                            vec![
                                s.site.clone(),
                                s.time.clone(),
                                s.class.map(|c| c.to_string()).unwrap_or_else(|| "-".into()),
                                s.grade.as_ref().map(|g| g.en.clone()).unwrap_or_default(),
                                s.target.to_string(),
                                if s.meets_target { "yes" } else { "no" }.to_string(),
                                s.limiting.join(" "),
                                s.exceedance_over_target
                                    .iter()
                                    .map(|(k, v)| format!("{k} {v:.2}"))
                                    .collect::<Vec<_>>()
                                    .join("; "),
                                s.main_pollutants.join(" "),
                                s.missing.len().to_string(),
                            ]
                        })
                        .collect();
                    write_rows(
                        &[
                            "site",
                            "time",
                            "class",
                            "grade",
                            "target",
                            "meets_target",
                            "limiting",
                            "exceedance_over_target",
                            "main_pollutants",
                            "items_missing",
                        ],
                        &rows,
                        matches!(r.format, Format::Csv),
                    )?
                }
            }
        }
        SamplesAction::Alerts(r) => {
            let found = samples::sample_alerts(store, &query(&r.site, &r.from, &r.to)?).await?;
            match r.format {
                Format::Json => json(&found)?,
                Format::Table | Format::Csv => {
                    let rows: Vec<Vec<String>> = found
                        .iter()
                        .map(|a| {
                            vec![
                                a.site.clone(),
                                a.time.clone(),
                                a.item.clone(),
                                format!("{}", a.value),
                                a.unit.clone(),
                                a.class.to_string(),
                                a.target.to_string(),
                                number(a.exceedance_over_target),
                            ]
                        })
                        .collect();
                    write_rows(
                        &[
                            "site",
                            "time",
                            "item",
                            "value",
                            "unit",
                            "class",
                            "target",
                            "exceedance_over_target",
                        ],
                        &rows,
                        matches!(r.format, Format::Csv),
                    )?
                }
            }
        }
        SamplesAction::Trend(a) => {
            let range = query(&None, &a.from, &a.to)?;
            let t = samples::sample_trend(store, &a.site, &a.item, a.period, &range).await?;
            match a.format {
                Format::Json => json(&t)?,
                Format::Table | Format::Csv => write_rows(
                    &[
                        "site",
                        "item",
                        "from",
                        "to",
                        "n",
                        "direction",
                        "mann_kendall_s",
                        "mann_kendall_p",
                        "sen_slope_per_year",
                        "spearman_rho",
                        "spearman_p",
                    ],
                    &[vec![
                        t.site.clone(),
                        t.item.clone(),
                        t.from.clone(),
                        t.to.clone(),
                        t.trend.n.to_string(),
                        serde_json::to_value(t.trend.direction)?
                            .as_str()
                            .unwrap_or("")
                            .to_string(),
                        format!("{}", t.trend.mann_kendall.s),
                        format!("{:.4}", t.trend.mann_kendall.p_value),
                        format!("{:.6}", t.trend.sen.slope),
                        format!("{:.4}", t.trend.spearman.rho),
                        format!("{:.4}", t.trend.spearman.p_value),
                    ]],
                    matches!(a.format, Format::Csv),
                )?,
            }
        }
    })
}
