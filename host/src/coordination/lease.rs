//! The lock a branch swap holds until its branch is back: an in-process mutex, or a Redis lease
//! renewed in the background that cancels the call if another replica could have taken it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::OwnedMutexGuard;
use tokio_util::sync::CancellationToken;

use super::redis::RedisCoordinator;
use super::{BranchCell, CoordinationError};

/// How often a busy Redis lease is asked for again.
const RETRY_EVERY: Duration = Duration::from_millis(50);

/// In-process locks, one per cell.
#[derive(Default)]
pub(super) struct LocalLocks {
    locks: Mutex<HashMap<BranchCell, Arc<tokio::sync::Mutex<()>>>>,
}

impl LocalLocks {
    pub(super) async fn acquire(&self, cell: &BranchCell) -> BranchLock {
        let lock = {
            let mut locks = self.locks.lock().unwrap();
            locks.entry(cell.clone()).or_default().clone()
        };
        BranchLock::Local(lock.lock_owned().await)
    }
}

/// A held branch lock; [`BranchLock::release`] gives it back.
pub enum BranchLock {
    Local(OwnedMutexGuard<()>),
    Redis(RedisLease),
}

impl BranchLock {
    /// Whether the lease expired under us (another replica may hold the cell now).
    pub fn lost(&self) -> bool {
        match self {
            BranchLock::Local(_) => false,
            BranchLock::Redis(lease) => lease.lost.load(Ordering::SeqCst),
        }
    }

    /// Gives the lock back (a Redis lease only if it is still ours).
    pub async fn release(self) {
        if let BranchLock::Redis(lease) = self {
            lease.renewing.cancel();
            if let Err(error) = lease.redis.release(&lease.key, &lease.token).await {
                tracing::warn!(%error, "could not release a branch lease; it expires on its own");
            }
        }
    }
}

/// A Redis lease on one cell: `SET NX PX` with our token, renewed every third of its TTL.
pub struct RedisLease {
    redis: Arc<RedisCoordinator>,
    key: String,
    token: String,
    lost: Arc<AtomicBool>,
    renewing: CancellationToken,
}

impl Drop for RedisLease {
    fn drop(&mut self) {
        self.renewing.cancel();
    }
}

/// Waits for `cell`'s lease (the caller bounds the wait), then keeps it alive; losing it
/// cancels `call`.
pub(super) async fn acquire_redis(
    redis: &Arc<RedisCoordinator>,
    cell: &BranchCell,
    call: &CancellationToken,
) -> Result<BranchLock, CoordinationError> {
    let key = redis.lease_key(cell);
    let token = uuid::Uuid::new_v4().to_string();
    while !redis.try_lease(&key, &token).await? {
        tokio::time::sleep(RETRY_EVERY).await;
    }
    let lost = Arc::new(AtomicBool::new(false));
    let renewing = CancellationToken::new();
    tokio::spawn(renew(
        redis.clone(),
        key.clone(),
        token.clone(),
        lost.clone(),
        renewing.clone(),
        call.clone(),
    ));
    Ok(BranchLock::Redis(RedisLease {
        redis: redis.clone(),
        key,
        token,
        lost,
        renewing,
    }))
}

/// Renews the lease until `stop`; when Redis says it is someone else's, or it could not be
/// renewed for two thirds of its TTL, marks it lost and cancels the call.
async fn renew(
    redis: Arc<RedisCoordinator>,
    key: String,
    token: String,
    lost: Arc<AtomicBool>,
    stop: CancellationToken,
    call: CancellationToken,
) {
    let ttl = redis.lease_ttl();
    let mut renewed = Instant::now();
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(ttl / 3) => {}
        }
        match redis.renew(&key, &token).await {
            Ok(true) => {
                renewed = Instant::now();
                continue;
            }
            Ok(false) => {}
            // Give up while the lease still stands, before another replica could take it.
            Err(error) if renewed.elapsed() < ttl * 2 / 3 => {
                tracing::warn!(%error, "could not renew a branch lease; trying again");
                continue;
            }
            Err(error) => {
                tracing::warn!(%error, "could not renew a branch lease in time")
            }
        }
        if stop.is_cancelled() {
            return;
        }
        lost.store(true, Ordering::SeqCst);
        tracing::error!(
            "lost the branch lease (another replica may be switching this user's branch); cancelling the call and leaving the branch to the journal"
        );
        call.cancel();
        return;
    }
}
