//! Running independent scenarios on a pool of threads, results kept in scenario order so the
//! output does not depend on the number of threads.

use crate::ScenarioError;
use rayon::prelude::*;

/// Runs `work` on every item on `threads` threads (0: one per core). Each worker thread
/// gets scratch state from `init` (made a few times per thread, not per item). `progress` is
/// called once per finished item, from any thread. Results come back in item order.
pub fn run_in_order<T, S, R>(
    items: &[T],
    threads: usize,
    init: impl Fn() -> S + Sync + Send,
    work: impl Fn(&mut S, &T) -> R + Sync + Send,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<R>, ScenarioError>
where
    T: Sync,
    R: Send,
{
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| ScenarioError::BadOption(format!("cannot start {threads} threads: {e}")))?;
    Ok(pool.install(|| {
        items
            .par_iter()
            .map_init(&init, |scratch, item| {
                let result = work(scratch, item);
                progress();
                result
            })
            .collect()
    }))
}
