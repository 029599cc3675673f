//! What every request handler shares: the store, the text tables, the metrics and the report cache.

use std::sync::Arc;

use danjiang_ops::Store;
use danjiang_simulation::{Budget, Limit};

use crate::web::error::Result;
use crate::web::i18n::Texts;
use crate::web::metrics::Metrics;
use crate::web::notify::{Notifier, NotifyConfig};
use crate::web::rate::{RateLimiter, UsageLog};
use crate::web::reports::Reports;

/// The application's shared state (cheap to clone: everything is behind `Arc` or a pool).
#[derive(Clone)]
pub struct AppState {
    /// The operations store.
    pub store: Store,
    /// Operator-facing text in every language.
    pub texts: Arc<Texts>,
    /// Request counters and latency histograms.
    pub metrics: Arc<Metrics>,
    /// Computed ledgers and the overview, kept for a short while.
    pub reports: Arc<Reports>,
    /// Whether cookies are marked `Secure` (`danjiang serve --secure-cookies`, for a server
    /// reached over HTTPS, as behind a TLS proxy).
    pub secure_cookies: bool,
    /// Whether the server is reached through a proxy that appends the client's address to
    /// `X-Forwarded-For` (`danjiang serve --behind-proxy`); else that header is not believed.
    pub behind_proxy: bool,
    /// The limits of a simulation run started through the server.
    pub run_limits: RunLimits,
    /// Where alarm notices go (none until [`AppState::with_notifications`]).
    pub notifier: Notifier,
    /// The limits of a telemetry batch posted with an ingestion token.
    pub ingest_limits: IngestLimits,
    /// Batches per ingestion source per minute.
    pub ingest_rate: Arc<RateLimiter>,
    /// Each ingestion source's use, audited once an hour.
    pub ingest_usage: Arc<UsageLog>,
}

/// The limits of one telemetry batch (`POST /api/v1/telemetry/points`); a larger one is
/// refused with 413 and nothing of it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestLimits {
    /// Most bytes of a batch's body.
    pub max_bytes: usize,
    /// Most points of one batch.
    pub max_points: usize,
}

impl Default for IngestLimits {
    /// 64 MiB and 200,000 points: a minute of 3,000 tags at one point a second fits.
    fn default() -> IngestLimits {
        IngestLimits {
            max_bytes: 64 * 1024 * 1024,
            max_points: 200_000,
        }
    }
}

/// Batches an ingestion source may post per minute unless `danjiang serve` says otherwise.
pub const INGEST_BATCHES_PER_MINUTE: u32 = 1200;
/// How often a source's use of its token is written to the audit log, s.
pub const INGEST_AUDIT_SECONDS: i64 = 3600;

/// The limits of one simulation run started through the server, set by `danjiang serve`'s
/// options; a run over them is refused before it is queued, naming the option that raises it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunLimits {
    /// Most reporting periods (and hydraulic steps at the hydraulic time step).
    pub max_periods: u64,
    /// Most gigabytes of the run's result file.
    pub max_output_gb: f64,
    /// Most gigabytes of hydraulics kept in memory for water quality.
    pub max_memory_gb: f64,
    /// Longest a run may take, hours.
    pub max_hours: f64,
}

impl Default for RunLimits {
    /// A week at one-minute steps, a file of 2 GB, 2 GB of memory, an hour: far above the
    /// demo, low enough that one upload cannot fill the disk or hold a core for a day.
    fn default() -> RunLimits {
        RunLimits {
            max_periods: 7 * 24 * 60,
            max_output_gb: 2.0,
            max_memory_gb: 2.0,
            max_hours: 1.0,
        }
    }
}

impl RunLimits {
    /// The simulation budget of these limits, naming `danjiang serve`'s options.
    pub fn budget(&self) -> Budget {
        Budget {
            max_periods: Some(self.max_periods),
            max_output_bytes: Some((self.max_output_gb * 1e9) as u64),
            max_memory_bytes: Some((self.max_memory_gb * 1e9) as u64),
            max_seconds: Some(self.max_hours * 3600.0),
            option_name: |limit| match limit {
                Limit::Periods => "danjiang serve --run-max-periods",
                Limit::OutputBytes => "danjiang serve --run-max-output-gb",
                Limit::MemoryBytes => "danjiang serve --run-max-memory-gb",
                Limit::Seconds => "danjiang serve --run-max-hours",
            },
        }
    }
}

impl AppState {
    /// The state over an opened store.
    pub fn new(store: Store) -> Result<AppState> {
        Ok(AppState {
            store,
            texts: Arc::new(Texts::built_in()?),
            metrics: Arc::new(Metrics::new()),
            reports: Arc::new(Reports::default()),
            secure_cookies: false,
            behind_proxy: false,
            run_limits: RunLimits::default(),
            notifier: Notifier::default(),
            ingest_limits: IngestLimits::default(),
            ingest_rate: Arc::new(RateLimiter::new(INGEST_BATCHES_PER_MINUTE)),
            ingest_usage: Arc::new(UsageLog::new(INGEST_AUDIT_SECONDS)),
        })
    }

    /// The state with alarm notices sent as `config` says (starts the notification task, so it
    /// is called inside the Tokio runtime).
    pub fn with_notifications(mut self, config: &NotifyConfig) -> Result<AppState> {
        self.notifier = Notifier::start(config, self.store.clone())?;
        Ok(self)
    }
}
