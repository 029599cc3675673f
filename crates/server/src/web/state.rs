//! What every request handler shares: the store, the text tables, the metrics and the report cache.

use std::sync::Arc;

use danjiang_ops::Store;

use crate::web::error::Result;
use crate::web::i18n::Texts;
use crate::web::metrics::Metrics;
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
    /// Whether cookies are marked `Secure` (only when served behind HTTPS).
    pub secure_cookies: bool,
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
        })
    }
}
