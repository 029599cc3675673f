//! The `simulation_runs` table and the background work: a run is created `queued`, runs on a
//! blocking thread writing its progress, and ends `done` (results file, summary) or `failed`.

use std::path::{Path, PathBuf};

use danjiang_ops::Store;
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::Row;
use utoipa::ToSchema;

use super::SimulationError;
use crate::web::audit;
use crate::web::dates::{format_time, now};

/// The folder of result files: `DANJIANG_DATA_DIR`, else `danjiang-data` in the working folder.
pub fn data_dir() -> PathBuf {
    std::env::var_os("DANJIANG_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("danjiang-data"))
}

/// A file in the data folder, refusing names that could leave it.
pub fn data_file(name: &str) -> Result<PathBuf, SimulationError> {
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') || !name.is_ascii() {
        return Err(SimulationError::NotFound(format!("result file `{name}`")));
    }
    Ok(data_dir().join(name))
}

/// What kind of run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    /// Hydraulics (and the network's own water quality), written to a .out file.
    Hydraulic,
    /// A contaminant injected at a node: arrival and peak at the plants, isolating valves.
    Incident,
}

impl RunKind {
    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            RunKind::Hydraulic => "hydraulic",
            RunKind::Incident => "incident",
        }
    }
}

/// A run as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RunRecord {
    /// Run number.
    pub id: i64,
    /// `hydraulic` or `incident`.
    pub kind: String,
    /// Which network: `demo` (the Xuchang demo) or the uploaded file's name.
    pub network: String,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    /// Fraction done, 0 to 1.
    pub progress: f64,
    /// Why the run failed, when it did.
    pub message: Option<String>,
    /// What was asked (incident: node, kind, strength, start, duration, threshold).
    #[schema(value_type = Object)]
    pub parameters: Value,
    /// Results in brief (periods; incident: plants reached, isolating valves).
    #[schema(value_type = Option<Object>)]
    pub summary: Option<Value>,
    /// Who started it.
    pub created_by: String,
    /// When, UTC `YYYY-MM-DD HH:MM:SS`.
    pub created_at: String,
    /// When it ended, UTC.
    pub finished_at: Option<String>,
    #[serde(skip)]
    pub(crate) input_file: Option<String>,
    #[serde(skip)]
    pub(crate) output_file: Option<String>,
}

impl RunRecord {
    /// Whether the run ended well and its results can be read.
    pub fn is_done(&self) -> bool {
        self.status == "done"
    }

    /// Whether the run is still going.
    pub fn is_active(&self) -> bool {
        self.status == "queued" || self.status == "running"
    }

    /// The path of its result file.
    pub fn output_path(&self) -> Result<PathBuf, SimulationError> {
        let name = self
            .output_file
            .as_deref()
            .ok_or_else(|| SimulationError::NotFound(format!("results of run {}", self.id)))?;
        data_file(name)
    }

    /// The path of its uploaded input file, if the network was uploaded.
    pub fn input_path(&self) -> Result<Option<PathBuf>, SimulationError> {
        self.input_file.as_deref().map(data_file).transpose()
    }
}

const COLUMNS: &str = "id, kind, network, input_file, status, progress, message, parameters, \
                       summary, output_file, created_by, created_at, finished_at";

fn record_of(row: &sqlx::any::AnyRow) -> Result<RunRecord, sqlx::Error> {
    let parameters: String = row.try_get("parameters")?;
    let summary: Option<String> = row.try_get("summary")?;
    let finished: Option<i64> = row.try_get("finished_at")?;
    Ok(RunRecord {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        network: row.try_get("network")?,
        status: row.try_get("status")?,
        progress: row.try_get("progress")?,
        message: row.try_get("message")?,
        parameters: serde_json::from_str(&parameters).unwrap_or(Value::Null),
        summary: summary.and_then(|s| serde_json::from_str(&s).ok()),
        created_by: row.try_get("created_by")?,
        created_at: format_time(row.try_get("created_at")?),
        finished_at: finished.map(format_time),
        input_file: row.try_get("input_file")?,
        output_file: row.try_get("output_file")?,
    })
}

/// A fresh random name part, so result files of different stores never collide.
fn token() -> String {
    let mut random = rand::thread_rng();
    (0..12)
        .map(|_| char::from_digit(random.gen_range(0..36), 36).unwrap_or('0'))
        .collect()
}

/// Creates a queued run (and its audit entry) in one transaction. `input` is the text of an
/// uploaded network, written to the data folder.
pub async fn create(
    store: &Store,
    kind: RunKind,
    network: &str,
    input: Option<&str>,
    parameters: &Value,
    username: &str,
) -> Result<RunRecord, SimulationError> {
    let folder = data_dir();
    std::fs::create_dir_all(&folder).map_err(|source| SimulationError::DataFolder {
        path: folder.display().to_string(),
        source,
    })?;
    let token = token();
    let input_file = match input {
        Some(text) => {
            let name = format!("input-{token}.inp");
            let path = folder.join(&name);
            std::fs::write(&path, text).map_err(|source| SimulationError::DataFolder {
                path: path.display().to_string(),
                source,
            })?;
            Some(name)
        }
        None => None,
    };
    let extension = match kind {
        RunKind::Hydraulic => "out",
        RunKind::Incident => "json",
    };
    let output_file = format!("{}-{token}.{extension}", kind.name());
    let mut tx = store.begin_write().await?;
    let row = sqlx::query(&format!(
        "INSERT INTO simulation_runs (kind, network, input_file, status, progress, parameters, \
         output_file, created_by, created_at) VALUES ($1, $2, $3, 'queued', 0, $4, $5, $6, $7) \
         RETURNING {COLUMNS}"
    ))
    .bind(kind.name())
    .bind(network)
    .bind(input_file)
    .bind(parameters.to_string())
    .bind(output_file)
    .bind(username)
    .bind(now())
    .fetch_one(&mut **tx)
    .await?;
    let record = record_of(&row)?;
    audit::record(
        &mut tx,
        username,
        "create",
        "simulation_run",
        &record.id.to_string(),
        None,
        Some(&serde_json::to_value(&record).unwrap_or(Value::Null)),
    )
    .await?;
    tx.commit().await?;
    Ok(record)
}

/// One run.
pub async fn get(store: &Store, id: i64) -> Result<RunRecord, SimulationError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM simulation_runs WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or_else(|| SimulationError::NotFound(format!("run {id}")))?;
    Ok(record_of(&row)?)
}

/// A page of runs of one kind (or all), newest first, and how many there are.
pub async fn list(
    store: &Store,
    kind: Option<RunKind>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<RunRecord>, i64), SimulationError> {
    let filter = if kind.is_some() {
        "WHERE kind = $3"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM simulation_runs {filter} ORDER BY id DESC LIMIT $1 OFFSET $2"
    );
    let mut query = sqlx::query(&sql).bind(limit).bind(offset);
    if let Some(kind) = kind {
        query = query.bind(kind.name());
    }
    let rows = query.fetch_all(store.pool()).await?;
    let runs = rows.iter().map(record_of).collect::<Result<Vec<_>, _>>()?;
    let count_filter = if kind.is_some() {
        "WHERE kind = $1"
    } else {
        ""
    };
    let count_sql = format!("SELECT COUNT(*) AS n FROM simulation_runs {count_filter}");
    let mut count = sqlx::query(&count_sql);
    if let Some(kind) = kind {
        count = count.bind(kind.name());
    }
    let total: i64 = count.fetch_one(store.pool()).await?.try_get("n")?;
    Ok((runs, total))
}

/// The message of a run a stopped server left unfinished.
pub const INTERRUPTED: &str = "interrupted by a server restart; start the run again";

/// Marks failed every run left `queued` or `running` (its work ended with the server that ran
/// it), with an audit entry by `system` each, in one transaction; returns their numbers. Called
/// as the server starts, before it takes requests, so no live run is among them.
pub async fn fail_interrupted(store: &Store) -> Result<Vec<i64>, SimulationError> {
    let mut tx = store.begin_write().await?;
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM simulation_runs WHERE status IN ('queued', 'running') ORDER BY id"
    ))
    .fetch_all(&mut **tx)
    .await?;
    let mut failed = Vec::with_capacity(rows.len());
    for row in &rows {
        let before = record_of(row)?;
        let at = now();
        sqlx::query(
            "UPDATE simulation_runs SET status = 'failed', message = $1, finished_at = $2 \
             WHERE id = $3",
        )
        .bind(INTERRUPTED)
        .bind(at)
        .bind(before.id)
        .execute(&mut **tx)
        .await?;
        let after = RunRecord {
            status: "failed".to_string(),
            message: Some(INTERRUPTED.to_string()),
            finished_at: Some(format_time(at)),
            ..before.clone()
        };
        audit::record(
            &mut tx,
            "system",
            "update",
            "simulation_run",
            &before.id.to_string(),
            serde_json::to_value(&before).ok().as_ref(),
            serde_json::to_value(&after).ok().as_ref(),
        )
        .await?;
        failed.push(before.id);
    }
    tx.commit().await?;
    Ok(failed)
}

async fn set_progress(store: &Store, id: i64, progress: f64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE simulation_runs SET status = 'running', progress = $1 WHERE id = $2 \
         AND status IN ('queued', 'running')",
    )
    .bind(progress.clamp(0.0, 1.0))
    .bind(id)
    .execute(store.pool())
    .await?;
    Ok(())
}

async fn finish(
    store: &Store,
    id: i64,
    outcome: &Result<Value, SimulationError>,
) -> Result<(), sqlx::Error> {
    let query = match outcome {
        Ok(summary) => sqlx::query(
            "UPDATE simulation_runs SET status = 'done', progress = 1, message = NULL, \
             summary = $1, finished_at = $2 WHERE id = $3",
        )
        .bind(summary.to_string()),
        Err(error) => sqlx::query(
            "UPDATE simulation_runs SET status = 'failed', message = $1, finished_at = $2 \
             WHERE id = $3",
        )
        .bind(error.to_string()),
    };
    query.bind(now()).bind(id).execute(store.pool()).await?;
    Ok(())
}

/// The work of a run: given where to write its result and a progress callback, the summary.
pub type Job =
    Box<dyn FnOnce(&Path, &dyn Fn(f64)) -> Result<Value, SimulationError> + Send + 'static>;

/// Starts a run's work on a blocking thread; progress goes to the table as it changes by a
/// percent or more, and the end (done or failed) is written when the work returns.
pub fn start(store: Store, record: &RunRecord, job: Job) -> Result<(), SimulationError> {
    let id = record.id;
    let out_path = record.output_path()?;
    tokio::spawn(async move {
        let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<f64>();
        let work = tokio::task::spawn_blocking(move || {
            let last = std::sync::Mutex::new(-1.0f64);
            let progress = |fraction: f64| {
                let Ok(mut last) = last.lock() else {
                    return;
                };
                if fraction - *last >= 0.01 || (fraction >= 1.0 && *last < 1.0) {
                    *last = fraction;
                    let _ = sender.send(fraction);
                }
            };
            let outcome = job(&out_path, &progress);
            if outcome.is_err() {
                let _ = std::fs::remove_file(&out_path);
            }
            outcome
        });
        let updates = async {
            while let Some(fraction) = receiver.recv().await {
                if let Err(error) = set_progress(&store, id, fraction).await {
                    tracing::warn!("run {id}: cannot record progress: {error}");
                }
            }
        };
        let (outcome, ()) = tokio::join!(work, updates);
        let outcome = outcome.unwrap_or_else(|e| {
            Err(SimulationError::Run(format!(
                "the run stopped unexpectedly: {e}"
            )))
        });
        if let Err(error) = finish(&store, id, &outcome).await {
            tracing::error!("run {id}: cannot record its end: {error}");
        }
    });
    Ok(())
}
