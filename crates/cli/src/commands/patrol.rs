//! `danjiang patrol`: patrol plans, records, defects, due lists, routes and monthly compliance,
//! all kept in the store.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::{NaiveDate, NaiveDateTime};
use clap::{Args, Subcommand};
use danjiang_ops::patrols::{self, DefectState};

use super::import::{runtime, DatabaseArg};
use super::samples::{emit, write_rows, Format};

/// Patrols and maintenance: plans, records, defects, due lists, routes, compliance.
#[derive(Args, Debug)]
pub struct PatrolArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: PatrolAction,
}

/// Patrol actions.
#[derive(Subcommand, Debug)]
pub enum PatrolAction {
    /// Store the plan set in force (replacing the stored one), or show it.
    Plans(PlansArgs),
    /// Tasks overdue and due on a day (with --all, upcoming ones too), overdue first.
    Due(DueArgs),
    /// Store patrol records from a JSON file (one record or an array): plan, asset, inspector,
    /// time, answers {question: true|false}, findings, position [lon, lat], photos (paths
    /// relative to the file, stored by SHA-256), defects [{severity, description}].
    Record(RecordArgs),
    /// Open a defect or move it along its life cycle (open, assigned, repaired, verified,
    /// closed; a failed verification goes back to assigned). A state cannot be skipped.
    Defect(DefectArgs),
    /// A month's compliance per station: planned, done on time, late, missed, pending.
    Compliance(ComplianceArgs),
    /// A day's route along a line: the tasks due or overdue there, ordered by chainage.
    Route(RouteArgs),
}

/// Store or show the plans.
#[derive(Args, Debug)]
pub struct PlansArgs {
    /// A plan set as JSON (the form of danjiang-patrol's data/plans-default.json).
    pub file: Option<PathBuf>,
    /// Store the default plans (STANDARDS.md §4).
    #[arg(long, conflicts_with = "file")]
    pub defaults: bool,
    /// First day of patrols under the set (YYYY-MM-DD): every task's first visit is due then.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    #[command(flatten)]
    pub db: DatabaseArg,
}

/// The due list.
#[derive(Args, Debug)]
pub struct DueArgs {
    /// The day (YYYY-MM-DD); today when not given.
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Only the tasks of this station or office (its asset code).
    #[arg(long)]
    pub station: Option<String>,
    /// Upcoming tasks too.
    #[arg(long)]
    pub all: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    #[command(flatten)]
    pub db: DatabaseArg,
}

/// Store records.
#[derive(Args, Debug)]
pub struct RecordArgs {
    /// The JSON file.
    pub file: PathBuf,
    #[command(flatten)]
    pub db: DatabaseArg,
}

/// A defect action.
#[derive(Args, Debug)]
pub struct DefectArgs {
    /// What to do.
    #[command(subcommand)]
    pub step: DefectStep,
}

/// Defect actions.
#[derive(Subcommand, Debug)]
pub enum DefectStep {
    /// Report a new defect on an asset.
    Open(OpenArgs),
    /// Give an open defect (or a repair that failed verification) to someone to repair.
    Assign(StepArgs),
    /// Report an assigned defect repaired.
    Repair(StepArgs),
    /// Check and accept a repair.
    Verify(StepArgs),
    /// Close a verified defect.
    Close(StepArgs),
    /// Show one defect with its history.
    Show(ShowArgs),
    /// List defects, newest first.
    List(ListArgs),
}

/// Open a defect.
#[derive(Args, Debug)]
pub struct OpenArgs {
    /// The asset's code.
    #[arg(long)]
    pub asset: String,
    /// minor, major or critical.
    #[arg(long)]
    pub severity: String,
    /// What is wrong.
    #[arg(long)]
    pub description: String,
    /// Who reports it.
    #[arg(long)]
    pub by: String,
    /// When (YYYY-MM-DD HH:MM[:SS], local); now when not given.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    #[command(flatten)]
    pub db: DatabaseArg,
}

/// One step of a defect's life.
#[derive(Args, Debug)]
pub struct StepArgs {
    /// The defect's id (D-YYYY-NNNN).
    pub id: String,
    /// Who takes the step.
    #[arg(long)]
    pub by: String,
    /// When (YYYY-MM-DD HH:MM[:SS], local); now when not given.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// A note: to whom it is assigned, what was done, why a repair was refused.
    #[arg(long, default_value = "")]
    pub note: String,
    #[command(flatten)]
    pub db: DatabaseArg,
}

/// Show a defect.
#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The defect's id.
    pub id: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    #[command(flatten)]
    pub db: DatabaseArg,
}

/// List defects.
#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only those in this state.
    #[arg(long)]
    pub state: Option<String>,
    /// Only those on this asset.
    #[arg(long)]
    pub asset: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    #[command(flatten)]
    pub db: DatabaseArg,
}

/// Monthly compliance.
#[derive(Args, Debug)]
pub struct ComplianceArgs {
    /// The month (YYYY-MM).
    #[arg(long)]
    pub month: String,
    /// Judge as of this day (YYYY-MM-DD); the month's last day when not given.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    #[command(flatten)]
    pub db: DatabaseArg,
}

/// A day's route.
#[derive(Args, Debug)]
pub struct RouteArgs {
    /// The line (a pipeline code of the register).
    #[arg(long)]
    pub line: String,
    /// The day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub date: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    #[command(flatten)]
    pub db: DatabaseArg,
}

fn day(text: &str, option: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .with_context(|| format!("--{option} `{text}`: expected a date YYYY-MM-DD"))
}

fn moment(text: &Option<String>) -> anyhow::Result<NaiveDateTime> {
    match text {
        Some(t) => Ok(patrols::parse_local(t, "--at")?),
        None => Ok(chrono::Local::now().naive_local()),
    }
}

fn json(value: &impl serde::Serialize) -> anyhow::Result<String> {
    Ok(format!("{}\n", serde_json::to_string_pretty(value)?))
}

fn optional_day(day: Option<NaiveDate>) -> String {
    day.map(|d| d.to_string()).unwrap_or_else(|| "never".into())
}

fn state_word(state: DefectState) -> String {
    state.to_string()
}

fn defect_rows(found: &[patrols::StoredDefect]) -> Vec<Vec<String>> {
    found
        .iter()
        .map(|d| {
            let last = d.defect.history.last();
            vec![
                d.defect.id.clone(),
                d.defect.asset.clone(),
                serde_json::to_value(d.defect.severity)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                state_word(d.state),
                last.map(|t| t.by.clone()).unwrap_or_default(),
                last.map(|t| t.at.to_string()).unwrap_or_default(),
                d.defect.description.clone(),
            ]
        })
        .collect()
}

const DEFECT_HEADER: [&str; 7] = [
    "id",
    "asset",
    "severity",
    "state",
    "last_by",
    "last_at",
    "description",
];

fn db_of(action: &PatrolAction) -> &DatabaseArg {
    match action {
        PatrolAction::Plans(a) => &a.db,
        PatrolAction::Due(a) => &a.db,
        PatrolAction::Record(a) => &a.db,
        PatrolAction::Compliance(a) => &a.db,
        PatrolAction::Route(a) => &a.db,
        PatrolAction::Defect(a) => match &a.step {
            DefectStep::Open(o) => &o.db,
            DefectStep::Assign(s)
            | DefectStep::Repair(s)
            | DefectStep::Verify(s)
            | DefectStep::Close(s) => &s.db,
            DefectStep::Show(s) => &s.db,
            DefectStep::List(l) => &l.db,
        },
    }
}

/// Runs a patrol action.
pub fn run(args: &PatrolArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = db_of(&args.action).open().await?;
        let result = act(&store, &args.action).await;
        store.close().await;
        emit(&result?)?;
        Ok(ExitCode::SUCCESS)
    })
}

async fn act(store: &danjiang_ops::Store, action: &PatrolAction) -> anyhow::Result<String> {
    Ok(match action {
        PatrolAction::Plans(a) => {
            if a.file.is_none() && !a.defaults {
                let stored = patrols::plans(store).await?;
                return json(&stored);
            }
            let from = day(
                a.from
                    .as_deref()
                    .context("--from DATE is needed: the first day of patrols under the set")?,
                "from",
            )?;
            let plans = match &a.file {
                Some(path) => {
                    let text = std::fs::read_to_string(path)
                        .with_context(|| format!("cannot read {}", path.display()))?;
                    let plans = danjiang_patrol_set(&text)
                        .with_context(|| format!("{}", path.display()))?;
                    patrols::save_plans(store, &plans, from).await?;
                    plans
                }
                None => patrols::save_default_plans(store, from).await?,
            };
            format!(
                "stored plan set {} ({} plan(s), {} season(s)), in force from {from}\n",
                plans.version,
                plans.plans.len(),
                plans.seasons.len()
            )
        }
        PatrolAction::Due(a) => {
            let date = match &a.date {
                Some(d) => day(d, "date")?,
                None => chrono::Local::now().date_naive(),
            };
            let mut tasks = patrols::due_tasks(store, date, a.station.as_deref()).await?;
            if !a.all {
                tasks.retain(|t| t.state != patrols::DueState::Upcoming);
            }
            match a.format {
                Format::Json => json(&tasks)?,
                _ => {
                    let rows: Vec<Vec<String>> = tasks
                        .iter()
                        .map(|t| {
                            vec![
                                serde_json::to_value(t.state)
                                    .ok()
                                    .and_then(|v| v.as_str().map(str::to_string))
                                    .unwrap_or_default(),
                                t.due.to_string(),
                                t.days_overdue.to_string(),
                                t.station.clone(),
                                t.asset.clone(),
                                t.plan.clone(),
                                optional_day(t.last_done),
                            ]
                        })
                        .collect();
                    write_rows(
                        &[
                            "state",
                            "due",
                            "days_overdue",
                            "station",
                            "asset",
                            "plan",
                            "last_done",
                        ],
                        &rows,
                        matches!(a.format, Format::Csv),
                    )?
                }
            }
        }
        PatrolAction::Record(a) => {
            let records = patrols::read_records_file(&a.file)?;
            let mut out = String::new();
            let outcomes = patrols::record_patrols(store, &records).await?;
            for (record, outcome) in records.iter().zip(outcomes) {
                out.push_str(&format!(
                    "record {} ({} on {} at {}){}{}{}\n",
                    outcome.id,
                    record.plan,
                    record.asset,
                    record.time,
                    if outcome.new {
                        ""
                    } else {
                        ": already stored, nothing written"
                    },
                    if outcome.photos.is_empty() {
                        String::new()
                    } else {
                        format!(", {} photo(s)", outcome.photos.len())
                    },
                    if outcome.defects.is_empty() {
                        String::new()
                    } else {
                        format!(", defects opened: {}", outcome.defects.join(", "))
                    },
                ));
            }
            out
        }
        PatrolAction::Defect(a) => match &a.step {
            DefectStep::Open(o) => {
                let id = patrols::open_defect(
                    store,
                    &o.asset,
                    patrols::parse_severity(&o.severity)?,
                    &o.description,
                    &o.by,
                    moment(&o.at)?,
                )
                .await?;
                format!("opened defect {id}\n")
            }
            DefectStep::Assign(s)
            | DefectStep::Repair(s)
            | DefectStep::Verify(s)
            | DefectStep::Close(s) => {
                let to = match &a.step {
                    DefectStep::Assign(_) => DefectState::Assigned,
                    DefectStep::Repair(_) => DefectState::Repaired,
                    DefectStep::Verify(_) => DefectState::Verified,
                    _ => DefectState::Closed,
                };
                let d = patrols::advance_defect(store, &s.id, to, &s.by, moment(&s.at)?, &s.note)
                    .await?;
                format!("defect {} is now {}\n", d.defect.id, d.state)
            }
            DefectStep::Show(s) => {
                let d = patrols::defect(store, &s.id).await?;
                match s.format {
                    Format::Json => json(&d)?,
                    _ => {
                        let mut out = write_rows(
                            &DEFECT_HEADER,
                            &defect_rows(std::slice::from_ref(&d)),
                            matches!(s.format, Format::Csv),
                        )?;
                        out.push('\n');
                        let history: Vec<Vec<String>> = d
                            .defect
                            .history
                            .iter()
                            .map(|t| {
                                vec![
                                    state_word(t.state),
                                    t.by.clone(),
                                    t.at.to_string(),
                                    t.note.clone(),
                                ]
                            })
                            .collect();
                        out.push_str(&write_rows(
                            &["state", "by", "at", "note"],
                            &history,
                            matches!(s.format, Format::Csv),
                        )?);
                        out
                    }
                }
            }
            DefectStep::List(l) => {
                let state = l.state.as_deref().map(patrols::parse_state).transpose()?;
                let found = patrols::defects(store, state, l.asset.as_deref()).await?;
                match l.format {
                    Format::Json => json(&found)?,
                    _ => write_rows(
                        &DEFECT_HEADER,
                        &defect_rows(&found),
                        matches!(l.format, Format::Csv),
                    )?,
                }
            }
        },
        PatrolAction::Compliance(a) => {
            let first = day(&format!("{}-01", a.month.trim()), "month")
                .with_context(|| format!("--month `{}`: expected YYYY-MM", a.month))?;
            let last = first
                .checked_add_months(chrono::Months::new(1))
                .and_then(|d| d.pred_opt())
                .unwrap_or(first);
            let as_of = match &a.as_of {
                Some(d) => day(d, "as-of")?,
                None => last,
            };
            let report = patrols::compliance(store, first, as_of).await?;
            match a.format {
                Format::Json => json(&report)?,
                _ => {
                    let rows: Vec<Vec<String>> = report
                        .iter()
                        .map(|c| {
                            let c0 = &c.compliance;
                            vec![
                                c0.station.clone(),
                                c0.planned.to_string(),
                                c0.done.to_string(),
                                c0.late.to_string(),
                                c0.missed.to_string(),
                                c0.pending.to_string(),
                                format!("{:.1}", c.on_time_percent),
                            ]
                        })
                        .collect();
                    write_rows(
                        &[
                            "station",
                            "planned",
                            "done",
                            "late",
                            "missed",
                            "pending",
                            "on_time_pct",
                        ],
                        &rows,
                        matches!(a.format, Format::Csv),
                    )?
                }
            }
        }
        PatrolAction::Route(a) => {
            let stops = patrols::route(store, &a.line, day(&a.date, "date")?).await?;
            match a.format {
                Format::Json => json(&stops)?,
                _ => {
                    let rows: Vec<Vec<String>> = stops
                        .iter()
                        .map(|s| {
                            vec![
                                format!("{:.3}", s.chainage_km),
                                s.task.asset.clone(),
                                s.task.plan.clone(),
                                s.task.due.to_string(),
                                s.task.days_overdue.to_string(),
                            ]
                        })
                        .collect();
                    write_rows(
                        &["chainage_km", "asset", "plan", "due", "days_overdue"],
                        &rows,
                        matches!(a.format, Format::Csv),
                    )?
                }
            }
        }
    })
}

fn danjiang_patrol_set(text: &str) -> anyhow::Result<patrols::PlanSet> {
    Ok(patrols::PlanSet::from_json(text)?)
}
