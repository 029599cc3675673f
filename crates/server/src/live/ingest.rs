//! Telemetry posted by machines: the ingestion token of a request (`Authorization: Bearer`,
//! not a session, so no CSRF), the source's rate limit, the batch checked whole by ops and
//! stored in one transaction, and the source's use audited at most once an hour.

use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::HeaderMap;
use danjiang_ops::telemetry::{self, BatchFormat, IngestSummary};
use danjiang_ops::{OpsError, RowError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::web::audit;
use crate::web::dates::now;
use crate::web::error::{Result, ServerError};
use crate::web::state::AppState;

/// Most refused rows named in one answer; the count says how many there were.
pub const ROWS_NAMED: usize = 100;

/// What storing a batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
pub struct IngestOutcome {
    /// Points in the batch.
    pub received: usize,
    /// Points stored now.
    pub accepted: usize,
    /// Points already stored, or given twice in the batch with one value: ignored.
    pub duplicates: usize,
}

impl From<IngestSummary> for IngestOutcome {
    fn from(summary: IngestSummary) -> IngestOutcome {
        IngestOutcome {
            received: summary.received,
            accepted: summary.stored,
            duplicates: summary.duplicates,
        }
    }
}

/// One refused point: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, ToSchema)]
pub struct RefusedRow {
    /// The line of the body (CSV: the header is line 1; JSON: the point's first line); 0 for
    /// the whole body.
    pub line: u64,
    /// The field at fault: a CSV column (a tag's column in the wide form) or a JSON member
    /// such as `points[3].value`.
    pub field: Option<String>,
    /// What is wrong and what was expected.
    pub reason: String,
}

/// A batch refused whole: nothing of it was written.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, ToSchema)]
pub struct Refusal {
    /// `rejected`.
    pub code: String,
    /// The refusal in words, naming the first rows.
    pub message: String,
    /// How many faults the batch has.
    pub faults: usize,
    /// The first faults, in body order (at most 100).
    pub rows: Vec<RefusedRow>,
}

impl Refusal {
    /// The refusal of a batch with these faults.
    pub fn of(errors: &[RowError]) -> Refusal {
        let rows: Vec<RefusedRow> = errors
            .iter()
            .take(ROWS_NAMED)
            .map(|e| RefusedRow {
                line: e.line,
                field: e.field.clone(),
                reason: crate::web::error::shorten_quotes(&e.reason),
            })
            .collect();
        let first: Vec<String> = errors.iter().take(3).map(ToString::to_string).collect();
        Refusal {
            code: "rejected".into(),
            message: crate::web::error::shorten_quotes(&format!(
                "batch rejected, nothing written; {} fault(s): {}",
                errors.len(),
                first.join("; ")
            )),
            faults: errors.len(),
            rows,
        }
    }
}

/// Why a batch was not stored: a refusal of its rows, or any other error.
#[derive(Debug)]
pub enum IngestError {
    /// Faults in the batch's points.
    Rows(Refusal),
    /// Anything else (token, rate, size, the store).
    Other(ServerError),
}

impl<E: Into<ServerError>> From<E> for IngestError {
    fn from(error: E) -> IngestError {
        match error.into() {
            ServerError::Store(OpsError::Rejected { errors, .. }) => {
                IngestError::Rows(Refusal::of(&errors))
            }
            other => IngestError::Other(other),
        }
    }
}

/// The source of the request's ingestion token; a missing, malformed, unknown or revoked
/// token is [`ServerError::BadToken`].
pub async fn source_of(state: &AppState, headers: &HeaderMap) -> Result<String> {
    let header = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ServerError::BadToken(
                "an ingestion token is required: `Authorization: Bearer djt_...` \
                 (`danjiang telemetry token create SOURCE` makes one)"
                    .into(),
            )
        })?;
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            ServerError::BadToken("the Authorization header must be `Bearer TOKEN`".into())
        })?;
    match telemetry::token_source(&state.store, token).await? {
        Some(source) => Ok(source),
        None => {
            tracing::warn!("telemetry batch refused: unknown or revoked ingestion token");
            Err(ServerError::BadToken(
                "unknown or revoked ingestion token".into(),
            ))
        }
    }
}

/// The format of a batch by its content type: JSON or CSV, else a 415-worthy error.
pub fn format_of(headers: &HeaderMap) -> std::result::Result<BatchFormat, String> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "application/json" => Ok(BatchFormat::Json),
        "text/csv" => Ok(BatchFormat::Csv),
        _ => Err(format!(
            "expected Content-Type application/json or text/csv, found `{content_type}`"
        )),
    }
}

/// Takes one batch of `source` from its rate limit.
pub fn admit(state: &AppState, source: &str) -> Result<()> {
    state
        .ingest_rate
        .take(source)
        .map_err(|wait| ServerError::TooFast {
            what: format!("batches of source `{source}`"),
            per_minute: state.ingest_rate.per_minute(),
            retry_after_seconds: wait as i64,
        })
}

/// Checks a batch whole and stores it in one transaction with, when due, the audit entry of
/// the source's use since the last one.
pub async fn store_batch(
    state: &AppState,
    source: &str,
    format: BatchFormat,
    body: &[u8],
) -> std::result::Result<IngestOutcome, IngestError> {
    if body.is_empty() {
        return Err(IngestError::Other(ServerError::BadRequest(
            "body: expected a batch of points, found nothing".into(),
        )));
    }
    let checked = telemetry::check_points_within(
        &state.store,
        source,
        format,
        body,
        state.ingest_limits.max_points,
    )
    .await?;
    let mut tx = state.store.begin_write().await?;
    let summary = telemetry::store_points_in(state.store.backend(), &mut tx, &checked).await?;
    let usage = state.ingest_usage.count(
        source,
        now(),
        summary.stored as u64,
        summary.duplicates as u64,
    );
    if let Some(usage) = usage {
        let after =
            serde_json::to_value(usage).map_err(|e| ServerError::BadRequest(e.to_string()))?;
        audit::record(
            &mut tx,
            &format!("source:{source}"),
            "ingest",
            "ingest_source",
            source,
            None,
            Some(&after),
        )
        .await?;
    }
    tx.commit().await?;
    // Only once the points are stored: an alarm is never announced for points rolled back.
    state.notifier.notify(&summary.alarms);
    Ok(summary.into())
}
