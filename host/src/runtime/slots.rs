//! Who gets a plugin instance slot, and for how long a call may wait for one.
//!
//! The pool has [`MAX_CONCURRENT_INSTANCES`] slots, each held for a whole call. Without rules a
//! burst of slow calls from one caller (a 30-minute query, say) holds every slot and everyone
//! else waits behind it. So: one principal holds at most `per_principal` slots at once (its
//! further calls queue behind its own, not behind everyone's), and no call waits more than
//! `max_wait` for a slot; past that it fails with [`Busy`] and the client can try again.
//!
//! The calls in flight are counted here too, so a shutdown can wait for them ([`Slots::drained`])
//! and then cancel what is left ([`Slots::stop`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio_util::sync::CancellationToken;

use super::engine::MAX_CONCURRENT_INSTANCES;

/// How slots are shared (`LOOKER_MCP_SLOTS_PER_PRINCIPAL`, `LOOKER_MCP_SLOT_WAIT_SECS`).
#[derive(Clone, Debug)]
pub struct SlotPolicy {
    /// Slots one principal may hold at once (at least 1, at most the pool).
    pub per_principal: usize,
    /// The longest a call waits for a slot before it is refused as busy.
    pub max_wait: Duration,
}

impl Default for SlotPolicy {
    fn default() -> Self {
        Self {
            per_principal: MAX_CONCURRENT_INSTANCES as usize / 2,
            max_wait: Duration::from_secs(30),
        }
    }
}

/// A call found no free slot within the policy's wait.
#[derive(Debug, thiserror::Error)]
pub enum SlotError {
    #[error(
        "server busy: no plugin slot came free within {} s ({held} of your {limit} allowed calls \
         are running, {total} slots in all); try again shortly",
        .waited.as_secs()
    )]
    Busy {
        waited: Duration,
        held: usize,
        limit: usize,
        total: usize,
    },
    #[error("the call was cancelled")]
    Cancelled,
}

/// The shared pool, the per-principal caps and the count of calls in flight.
pub struct Slots {
    pool: Arc<Semaphore>,
    mine: Mutex<HashMap<String, Arc<Semaphore>>>,
    policy: SlotPolicy,
    calls: watch::Sender<usize>,
    stop: CancellationToken,
}

/// A slot held by one call; released when dropped.
pub struct Slot {
    _pool: OwnedSemaphorePermit,
    _mine: Option<OwnedSemaphorePermit>,
}

/// One call in flight, from before it waits for a slot until it has finished.
pub struct InFlight(watch::Sender<usize>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n -= 1);
    }
}

/// Principals whose idle caps are dropped once this many are remembered.
const FORGET_ABOVE: usize = 1024;

impl Slots {
    /// A pool of [`MAX_CONCURRENT_INSTANCES`] shared under `policy`.
    pub fn new(policy: SlotPolicy) -> Self {
        let total = MAX_CONCURRENT_INSTANCES as usize;
        let policy = SlotPolicy {
            per_principal: policy.per_principal.clamp(1, total),
            ..policy
        };
        Self {
            pool: Arc::new(Semaphore::new(total)),
            mine: Mutex::default(),
            policy,
            calls: watch::Sender::new(0),
            stop: CancellationToken::new(),
        }
    }

    /// Counts a call as in flight until the returned guard drops.
    pub fn begin(&self) -> InFlight {
        self.calls.send_modify(|n| *n += 1);
        InFlight(self.calls.clone())
    }

    /// Cancelled when the server stops what is still running ([`Self::stop`]).
    pub fn stopping(&self) -> &CancellationToken {
        &self.stop
    }

    /// Cancels every call still running or waiting; each still restores what it changed.
    pub fn stop(&self) {
        self.stop.cancel();
    }

    /// Resolves once no call is in flight.
    pub async fn drained(&self) {
        let mut calls = self.calls.subscribe();
        let _ = calls.wait_for(|n| *n == 0).await;
    }

    /// Calls in flight now.
    pub fn in_flight(&self) -> usize {
        *self.calls.borrow()
    }

    /// A slot for a call by `principal`: first one of its own (at most `per_principal`), then
    /// one of the pool, all within the policy's wait.
    pub async fn acquire(
        &self,
        principal: &str,
        cancel: &CancellationToken,
    ) -> Result<Slot, SlotError> {
        let mine = self.cap_of(principal);
        let waiting = async {
            let own = mine.clone().acquire_owned().await;
            let pool = self.pool.clone().acquire_owned().await;
            (own, pool)
        };
        tokio::select! {
            waited = tokio::time::timeout(self.policy.max_wait, waiting) => match waited {
                Ok((Ok(own), Ok(pool))) => Ok(Slot { _pool: pool, _mine: Some(own) }),
                Ok(_) => Err(SlotError::Cancelled),
                Err(_) => Err(SlotError::Busy {
                    waited: self.policy.max_wait,
                    held: self.policy.per_principal - mine.available_permits(),
                    limit: self.policy.per_principal,
                    total: MAX_CONCURRENT_INSTANCES as usize,
                }),
            },
            () = cancel.cancelled() => Err(SlotError::Cancelled),
            () = self.stop.cancelled() => Err(SlotError::Cancelled),
        }
    }

    /// A slot from the pool alone, for load-time `describe`s (no principal, no wait bound).
    pub async fn acquire_for_loading(&self) -> Result<Slot, SlotError> {
        let pool = self.pool.clone().acquire_owned().await;
        Ok(Slot {
            _pool: pool.map_err(|_| SlotError::Cancelled)?,
            _mine: None,
        })
    }

    fn cap_of(&self, principal: &str) -> Arc<Semaphore> {
        let mut mine = self.mine.lock().unwrap();
        if mine.len() >= FORGET_ABOVE {
            // Only the map holds an idle principal's cap.
            mine.retain(|_, cap| Arc::strong_count(cap) > 1);
        }
        mine.entry(principal.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(self.policy.per_principal)))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(per_principal: usize, wait_ms: u64) -> SlotPolicy {
        SlotPolicy {
            per_principal,
            max_wait: Duration::from_millis(wait_ms),
        }
    }

    #[tokio::test]
    async fn one_principal_never_holds_every_slot_and_waits_are_bounded() {
        let slots = Slots::new(policy(2, 50));
        let never = CancellationToken::new();
        let a1 = slots.acquire("a", &never).await.unwrap();
        let _a2 = slots.acquire("a", &never).await.unwrap();
        let refused = slots.acquire("a", &never).await;
        assert!(
            matches!(
                refused,
                Err(SlotError::Busy {
                    held: 2,
                    limit: 2,
                    ..
                })
            ),
            "{refused:?}",
            refused = refused.err()
        );
        let message = slots.acquire("a", &never).await.err().unwrap().to_string();
        assert!(
            message.starts_with("server busy:") && message.contains("try again"),
            "{message}"
        );
        // Another principal still gets one at once.
        let _b = slots.acquire("b", &never).await.unwrap();
        drop(a1);
        let _a3 = slots.acquire("a", &never).await.unwrap();
    }

    #[tokio::test]
    async fn stop_cancels_waiters_and_drained_waits_for_calls() {
        let slots = Arc::new(Slots::new(policy(1, 60_000)));
        let never = CancellationToken::new();
        let call = slots.begin();
        let _held = slots.acquire("a", &never).await.unwrap();
        let waiter = {
            let slots = slots.clone();
            tokio::spawn(async move { slots.acquire("a", &CancellationToken::new()).await })
        };
        tokio::task::yield_now().await;
        slots.stop();
        assert!(matches!(waiter.await.unwrap(), Err(SlotError::Cancelled)));
        assert_eq!(slots.in_flight(), 1);
        drop(call);
        slots.drained().await;
        assert_eq!(slots.in_flight(), 0);
    }
}
