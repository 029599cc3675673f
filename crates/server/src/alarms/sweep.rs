//! The periodic stale sweep `serve` starts: every [`SWEEP_EVERY`] it raises the stale alarms
//! of tags silent for longer than their interval × stale factor, and notifies them.

use std::time::Duration;

use danjiang_ops::telemetry::alarms;

use crate::web::state::AppState;

/// How often the sweep runs.
pub const SWEEP_EVERY: Duration = Duration::from_secs(15);

/// One sweep at the station clock now; the number of stale alarms raised.
pub async fn sweep_once(state: &AppState) -> danjiang_ops::Result<usize> {
    let raised = alarms::check_stale(&state.store, alarms::station_now()).await?;
    state.notifier.notify(&raised);
    Ok(raised.len())
}

/// Starts the sweep on the runtime, every `every`, for as long as the server runs.
pub fn start(state: AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(error) = sweep_once(&state).await {
                tracing::warn!("stale sweep failed: {error}");
            }
        }
    })
}
