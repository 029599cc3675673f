//! The cache of computed reports: ledgers by query and the overview, each computed once per
//! minute even when many requests ask at once, and cleared by the changes that alter them.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use danjiang_ops::{compute_ledger, Ledger, LedgerQuery, Store};
use tokio::sync::OnceCell;

use crate::web::error::Result;

/// How long a computed ledger is reused. Changes made through the server clear the cache at once;
/// imports by the command line into a store the server is serving show within this time.
pub const REPORT_LIFETIME: Duration = Duration::from_secs(60);

/// The most ledgers kept; beyond it the cache starts again empty.
const MOST_KEPT: usize = 256;

type Slot<T> = Arc<OnceCell<Arc<T>>>;

/// The cache of computed reports.
#[derive(Default)]
pub struct Reports {
    ledgers: Mutex<HashMap<String, (Instant, Slot<Ledger>)>>,
    /// The overview's slot, of the type the overview feature computes (the cache does not name
    /// it, so that it needs no feature).
    overview: Mutex<Option<(Instant, Arc<dyn Any + Send + Sync>)>>,
}

impl Reports {
    /// The ledger for `query`, computed once per lifetime.
    pub async fn ledger(&self, store: &Store, query: LedgerQuery) -> Result<Arc<Ledger>> {
        let key = format!("{query:?}");
        let slot = {
            let mut ledgers = self.ledgers.lock().unwrap_or_else(|p| p.into_inner());
            if ledgers.len() > MOST_KEPT {
                ledgers.clear();
            }
            let fresh = ledgers
                .get(&key)
                .filter(|(made, _)| made.elapsed() < REPORT_LIFETIME)
                .map(|(_, slot)| slot.clone());
            fresh.unwrap_or_else(|| {
                let slot: Slot<Ledger> = Arc::new(OnceCell::new());
                ledgers.insert(key, (Instant::now(), slot.clone()));
                slot
            })
        };
        let ledger = slot
            .get_or_try_init(|| async { compute_ledger(store, query).await.map(Arc::new) })
            .await?;
        Ok(ledger.clone())
    }

    /// The overview, computed by `compute` once per lifetime.
    pub async fn overview<T, F, Fut>(&self, compute: F) -> Result<Arc<T>>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let slot: Slot<T> = {
            let mut overview = self.overview.lock().unwrap_or_else(|p| p.into_inner());
            let fresh = match overview.as_ref() {
                Some((made, slot)) if made.elapsed() < REPORT_LIFETIME => {
                    slot.clone().downcast::<OnceCell<Arc<T>>>().ok()
                }
                _ => None,
            };
            fresh.unwrap_or_else(|| {
                let slot: Slot<T> = Arc::new(OnceCell::new());
                *overview = Some((Instant::now(), slot.clone()));
                slot
            })
        };
        let value = slot
            .get_or_try_init(|| async { compute().await.map(Arc::new) })
            .await?;
        Ok(value.clone())
    }

    /// Forgets the overview only, after a change that no ledger reads (a patrol record, a
    /// defect step, a sample): the overview lists alerts and overdue patrols, the ledgers
    /// only volumes and plans.
    pub fn clear_overview(&self) {
        *self.overview.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Forgets every computed report (after a change of volumes or plans).
    pub fn clear(&self) {
        self.ledgers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        *self.overview.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}
