//! The cache of computed reports: ledgers by query, each computed once per minute even when many
//! requests ask at once, and cleared by the changes that alter them; and the overview, served
//! stale while one background task computes it again after a change (stale-while-revalidate).

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use danjiang_ops::{compute_ledger, Ledger, LedgerQuery, Store};
use tokio::sync::Mutex as TurnLock;
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
    /// The last overview computed and whether it is still current.
    overview: Mutex<OverviewSlot>,
    /// Held while the overview is computed, so that it is computed by one task at a time.
    overview_turn: TurnLock<()>,
}

/// The last computed overview, of the type the overview feature computes (the cache does not
/// name it, so that it needs no feature).
#[derive(Default)]
struct OverviewSlot {
    /// The overview, and when its computation started.
    value: Option<(Instant, Arc<dyn Any + Send + Sync>)>,
    /// Counts the changes; a value computed before the latest change is stale.
    changes: u64,
    /// The count of changes when the value's computation started.
    value_changes: u64,
    /// Whether a background task is computing a fresh overview.
    refreshing: bool,
}

impl OverviewSlot {
    fn is_current(&self) -> bool {
        self.value_changes == self.changes
            && self
                .value
                .as_ref()
                .is_some_and(|(made, _)| made.elapsed() < REPORT_LIFETIME)
    }

    fn value_of<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        let (_, value) = self.value.as_ref()?;
        value.clone().downcast::<T>().ok()
    }
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

    /// The overview. While one is kept it is answered at once, even when a change has made it
    /// stale: then one background task computes it again, and later requests get the new one.
    /// Only the first request, with nothing kept, waits for the computation (and gets its error).
    pub async fn overview<T, F, Fut>(self: &Arc<Self>, compute: F) -> Result<Arc<T>>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<T>> + Send + 'static,
    {
        {
            let mut slot = self.overview_slot();
            if let Some(value) = slot.value_of::<T>() {
                if !slot.is_current() && !slot.refreshing {
                    slot.refreshing = true;
                    let reports = self.clone();
                    tokio::spawn(async move { reports.refresh_overview(compute).await });
                }
                return Ok(value);
            }
        }
        let _turn = self.overview_turn.lock().await;
        // Another request may have computed it while this one waited for the turn.
        if let Some(value) = self.overview_slot().value_of::<T>() {
            return Ok(value);
        }
        self.compute_overview(compute).await
    }

    fn overview_slot(&self) -> std::sync::MutexGuard<'_, OverviewSlot> {
        self.overview.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Computes the overview and keeps it, marked with the changes counted when it started (a
    /// change during the computation leaves it stale). The caller holds the turn.
    async fn compute_overview<T, F, Fut>(&self, compute: F) -> Result<Arc<T>>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let (started, changes) = (Instant::now(), self.overview_slot().changes);
        let value = Arc::new(compute().await?);
        let mut slot = self.overview_slot();
        slot.value = Some((started, value.clone()));
        slot.value_changes = changes;
        Ok(value)
    }

    /// The background task's work: a fresh overview, or the stale one kept (and the failure
    /// logged) when it cannot be computed; the next request after tries again.
    async fn refresh_overview<T, F, Fut>(&self, compute: F)
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let outcome = {
            let _turn = self.overview_turn.lock().await;
            self.compute_overview(compute).await
        };
        if let Err(error) = outcome {
            tracing::warn!("the overview could not be computed again; the last one stays: {error}");
        }
        self.overview_slot().refreshing = false;
    }

    /// Marks the overview stale, after a change that no ledger reads (a patrol record, a
    /// defect step, a sample): the overview lists alerts and overdue patrols, the ledgers
    /// only volumes and plans.
    pub fn clear_overview(&self) {
        self.overview_slot().changes += 1;
    }

    /// Forgets every computed ledger and marks the overview stale (after a change of volumes or
    /// plans).
    pub fn clear(&self) {
        self.ledgers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        self.clear_overview();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// An overview that takes `delay` to compute and is the count of computations so far.
    async fn read(reports: &Arc<Reports>, computed: &Arc<AtomicUsize>, delay: u64) -> usize {
        let computed = computed.clone();
        let value = reports
            .overview(move || async move {
                tokio::time::sleep(Duration::from_millis(delay)).await;
                Ok(computed.fetch_add(1, Ordering::SeqCst) + 1)
            })
            .await
            .unwrap();
        *value
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_change_leaves_the_overview_answered_while_one_task_computes_it() {
        let reports = Arc::new(Reports::default());
        let computed = Arc::new(AtomicUsize::new(0));
        // Many first readers: one computation, every reader waits for it.
        let first: Vec<_> = (0..16)
            .map(|_| {
                let (reports, computed) = (reports.clone(), computed.clone());
                tokio::spawn(async move { read(&reports, &computed, 50).await })
            })
            .collect();
        for reader in first {
            assert_eq!(reader.await.unwrap(), 1);
        }
        // A change: the stale overview is answered at once, by every reader, and computed
        // again by one task only.
        reports.clear_overview();
        let started = Instant::now();
        for _ in 0..16 {
            assert_eq!(read(&reports, &computed, 300).await, 1);
        }
        assert!(started.elapsed() < Duration::from_millis(200));
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(computed.load(Ordering::SeqCst), 2);
        assert_eq!(read(&reports, &computed, 300).await, 2);
        // Nothing changed since: no computation more.
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(computed.load(Ordering::SeqCst), 2);
        // A change during the computation leaves the new value stale: computed once more.
        reports.clear();
        assert_eq!(read(&reports, &computed, 300).await, 2);
        tokio::time::sleep(Duration::from_millis(100)).await;
        reports.clear_overview();
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(read(&reports, &computed, 50).await, 3);
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(read(&reports, &computed, 50).await, 4);
    }
}
