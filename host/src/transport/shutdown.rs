//! Stopping on SIGTERM or SIGINT: the transport stops taking requests, then calls in flight
//! get a grace period to finish (`LOOKER_MCP_SHUTDOWN_GRACE_SECS`); what still runs after it is
//! cancelled, and a cancelled call still restores what it changed (a swapped branch) before
//! it ends. The process then exits 0.

use std::future::Future;
use std::time::Duration;

use crate::runtime::Slots;

/// How long cancelled calls get to restore what they changed (a branch restore is one Looker
/// request); with the default grace, start to exit fits in Kubernetes' default 30 s.
const CANCELLED_CALLS_BOUND: Duration = Duration::from_secs(10);

/// Resolves on SIGTERM or SIGINT (Ctrl-C), naming it. Listening starts on the first poll.
pub async fn signalled() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = tokio::signal::ctrl_c() => "SIGINT",
            },
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM; only Ctrl-C stops the server");
                let _ = tokio::signal::ctrl_c().await;
                "SIGINT"
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}

/// Waits up to `grace` for `answered()` (every call in flight answered), then cancels the
/// calls still running and waits a bounded time for them to clean up.
pub async fn let_calls_finish<F: Future<Output = ()>>(
    slots: &Slots,
    grace: Duration,
    answered: impl Fn() -> F,
) {
    tracing::info!(
        calls_in_flight = slots.in_flight(),
        grace_secs = grace.as_secs_f64(),
        "stopping: no new requests; letting the calls in flight finish"
    );
    if tokio::time::timeout(grace, answered()).await.is_ok() {
        return;
    }
    tracing::warn!(
        calls_in_flight = slots.in_flight(),
        "stopping: the grace period is over; cancelling the calls still running"
    );
    slots.stop();
    if tokio::time::timeout(CANCELLED_CALLS_BOUND, answered())
        .await
        .is_err()
    {
        tracing::error!(
            calls_in_flight = slots.in_flight(),
            "stopping: cancelled calls did not end in time; exiting anyway"
        );
    }
}
