//! `danjiang siting review --zones ZONES.geojson APPLICATION.json`: reviews a project against the
//! protection zones along the canal and prints the decision with every rule that fired.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use danjiang_ops::siting_reviews;
use danjiang_siting::{review, Application, Decision, RuleSet, ZoneMap};

use super::import::{runtime, DatabaseArg};

/// Appends a formatted line to the output text.
macro_rules! push_line {
    ($out:expr) => {
        $out.push('\n')
    };
    ($out:expr, $($arg:tt)*) => {{
        $out.push_str(&format!($($arg)*));
        $out.push('\n');
    }};
}

/// Writes the output at once; a closed pipe (`| head`) ends quietly instead of panicking.
fn emit(text: &str) -> anyhow::Result<()> {
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

/// Output formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// Plain text.
    Table,
    /// JSON for other programs.
    Json,
}

/// Siting review in the drinking-water-source protection zones along the canal.
#[derive(Args, Debug)]
pub struct SitingArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: SitingAction,
}

/// Siting actions.
#[derive(Subcommand, Debug)]
pub enum SitingAction {
    /// Review one application: decision (REJECT, CONDITIONAL, REFER, PASS), rules and distances.
    Review(ReviewArgs),
    /// List the reviews kept in the store (`review --save`), newest first.
    List(ListArgs),
    /// Show one stored review in full, as it was made.
    Show(ShowArgs),
}

/// List stored reviews.
#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only reviews with this decision (REJECT, CONDITIONAL, REFER or PASS).
    #[arg(long)]
    pub decision: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    #[command(flatten)]
    pub db: DatabaseArg,
}

/// Show a stored review.
#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The review's id (from `siting list`).
    pub id: i64,
    #[command(flatten)]
    pub db: DatabaseArg,
}

/// Review one application against the zones.
#[derive(Args, Debug)]
pub struct ReviewArgs {
    /// Zones as a GeoJSON FeatureCollection (lon/lat): polygons with properties.zone
    /// first-class, second-class or works-protection, and the canal as a LineString with
    /// properties.kind = canal.
    #[arg(long)]
    pub zones: PathBuf,

    /// The application as JSON: name, category, footprint (GeoJSON geometry), radius_m,
    /// discharges_pollutants, stores_hazardous_goods, crosses_canal, serves_water_supply.
    pub application: PathBuf,

    /// A rule set as JSON, instead of the embedded Henan main-canal rules.
    #[arg(long)]
    pub rules: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,

    /// Keep the review in the store (application, decision, rules, distances, rule-set version).
    #[arg(long)]
    pub save: bool,

    /// Who made the review, kept with it when saved.
    #[arg(long, requires = "save")]
    pub by: Option<String>,

    #[command(flatten)]
    pub db: DatabaseArg,
}

fn read(path: &PathBuf) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Runs a siting action.
pub fn run(args: &SitingArgs) -> anyhow::Result<ExitCode> {
    match &args.action {
        SitingAction::Review(review_args) => run_review(review_args),
        SitingAction::List(list_args) => run_list(list_args),
        SitingAction::Show(show_args) => run_show(show_args),
    }
}

fn run_review(args: &ReviewArgs) -> anyhow::Result<ExitCode> {
    let rules = match &args.rules {
        Some(path) => RuleSet::from_json(&path.display().to_string(), &read(path)?)?,
        None => RuleSet::henan_canal_2018()?,
    };
    let zones = ZoneMap::from_geojson(
        &args.zones.display().to_string(),
        &read(&args.zones)?,
        &rules,
    )?;
    let application = Application::from_json(
        &args.application.display().to_string(),
        &read(&args.application)?,
        &rules,
    )?;
    let outcome = review(&application, &zones, &rules);
    let saved = if args.save {
        let text = read(&args.application)?;
        let by = args.by.clone();
        Some(runtime()?.block_on(async {
            let store = args.db.open().await?;
            let id = siting_reviews::save_review(
                &store,
                &outcome,
                &text,
                chrono::Local::now().naive_local(),
                by.as_deref(),
            )
            .await;
            store.close().await;
            Ok::<i64, anyhow::Error>(id?)
        })?)
    } else {
        None
    };
    let mut out = String::new();
    match args.format {
        Format::Json => push_line!(out, "{}", serde_json::to_string_pretty(&outcome)?),
        Format::Table => {
            push_line!(
                out,
                "{} ({}): {:?}",
                outcome.application,
                outcome.category,
                outcome.decision
            );
            push_line!(
                out,
                "  strictest zone touched: {}",
                outcome
                    .zone
                    .map(|z| z.to_string())
                    .unwrap_or_else(|| "none".into())
            );
            match outcome.distance_to_canal_m {
                Some(d) => push_line!(out, "  distance to the canal: {d:.1} m"),
                None => push_line!(
                    out,
                    "  distance to the canal: (no canal line in the zones file)"
                ),
            }
            for r in &outcome.rules {
                push_line!(
                    out,
                    "  {:?} {}: {}\n      source: {}",
                    r.decision,
                    r.id,
                    r.text,
                    r.source
                );
            }
            for r in &outcome.overridden {
                push_line!(
                    out,
                    "  (set aside by {}) {}: {}",
                    r.overridden_by.as_deref().unwrap_or("-"),
                    r.id,
                    r.text
                );
            }
            for d in &outcome.distances {
                push_line!(
                    out,
                    "  {:<18} {:<40} {:>10.1} m",
                    d.zone.to_string(),
                    d.name,
                    d.distance_m
                );
            }
            push_line!(
                out,
                "  rule set: {} version {}",
                outcome.rule_set.name,
                outcome.rule_set.version
            );
            if let Some(id) = saved {
                push_line!(out, "  saved as review {id}");
            }
        }
    }
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn run_list(args: &ListArgs) -> anyhow::Result<ExitCode> {
    let decision = match &args.decision {
        Some(text) => Some(
            serde_json::from_value::<Decision>(serde_json::Value::from(
                text.trim().to_ascii_uppercase(),
            ))
            .map_err(|_| {
                anyhow::anyhow!("--decision `{text}`: expected REJECT, CONDITIONAL, REFER or PASS")
            })?,
        ),
        None => None,
    };
    let reviews = runtime()?.block_on(async {
        let store = args.db.open().await?;
        let found = siting_reviews::list_reviews(&store, decision).await;
        store.close().await;
        Ok::<_, anyhow::Error>(found?)
    })?;
    let mut out = String::new();
    match args.format {
        Format::Json => push_line!(out, "{}", serde_json::to_string_pretty(&reviews)?),
        Format::Table => {
            for r in &reviews {
                push_line!(
                    out,
                    "{:>5}  {}  {:<11}  {:<18} {:>10}  {} ({}), rules {} {}",
                    r.id,
                    r.reviewed_at,
                    r.decision,
                    r.zone.as_deref().unwrap_or("-"),
                    r.distance_to_canal_m
                        .map(|d| format!("{d:.1} m"))
                        .unwrap_or_else(|| "-".into()),
                    r.application,
                    r.category,
                    r.rule_set,
                    r.rule_set_version
                );
            }
        }
    }
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn run_show(args: &ShowArgs) -> anyhow::Result<ExitCode> {
    let stored = runtime()?.block_on(async {
        let store = args.db.open().await?;
        let found = siting_reviews::review(&store, args.id).await;
        store.close().await;
        Ok::<_, anyhow::Error>(found?)
    })?;
    emit(&format!("{}\n", serde_json::to_string_pretty(&stored)?))?;
    Ok(ExitCode::SUCCESS)
}
