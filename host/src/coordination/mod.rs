//! Coordination of branch swaps between calls and between replicas: the per-(Looker user,
//! project) branch lock, the restore journal that outlives a crash, and (with Redis) the MCP
//! sessions any replica can serve.
//!
//! Without `LOOKER_REDIS_URL` the lock is an in-process mutex and the journal is a file per
//! entry under the cache directory ([`journal`]). With it, both live in Redis ([`redis`]), so
//! every replica sees the same locks and leftovers.

mod journal;
mod lease;
mod redis;
mod sessions;

use std::sync::Arc;
use std::time::Duration;

use rmcp::transport::streamable_http_server::session::SessionStore;
use tokio_util::sync::CancellationToken;

pub use lease::BranchLock;
pub use sessions::SharedSessionOwners;

use crate::config::Config;
use crate::identity::LookerUserIds;
use crate::looker::{Identity, LookerClient, RequestError};
use journal::FileJournal;
use lease::LocalLocks;
use redis::RedisCoordinator;

/// One Looker user's checked-out branch of one project: the unit branch swaps serialize on.
/// Keyed by Looker user id, never by token, so every way of reaching the same user meets here;
/// and by Looker instance, so deployments sharing a Redis or a cache directory never meet.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BranchCell {
    /// `LOOKER_BASE_URL`.
    pub instance: String,
    pub user_id: String,
    pub project: String,
}

impl BranchCell {
    /// An unambiguous text form (a JSON array), used in keys and file names.
    fn key(&self) -> String {
        serde_json::json!([self.instance, self.user_id, self.project]).to_string()
    }
}

/// Why a branch swap could not be coordinated; every one refuses the swap.
#[derive(Debug, thiserror::Error)]
pub enum CoordinationError {
    #[error(
        "Redis (LOOKER_REDIS_URL) is unavailable, so branch swaps are refused rather than risk losing a user's branch: {0}"
    )]
    Unavailable(String),
    #[error(
        "another call is switching branches of project {project:?} for the same Looker user; gave up after waiting {waited:?} (LOOKER_BRANCH_WAIT_SECONDS)"
    )]
    Busy { project: String, waited: Duration },
    #[error("the call was cancelled while waiting to switch branches of project {0:?}")]
    Cancelled(String),
    #[error("the branch restore journal could not be written, so the swap is refused: {0}")]
    Journal(String),
}

/// Where locks and the journal live.
enum Backend {
    Local {
        locks: LocalLocks,
        journal: FileJournal,
    },
    Redis(Arc<RedisCoordinator>),
}

/// The process's coordinator, one per server.
pub struct Coordination {
    backend: Backend,
    instance: String,
    user_ids: LookerUserIds,
    /// Longest wait for a busy cell.
    wait: Duration,
}

impl Coordination {
    /// Redis when `LOOKER_REDIS_URL` is set (connected lazily: a Redis that is down refuses
    /// branch swaps, it does not stop the server), in-process otherwise.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let backend = if config.redis_url.is_empty() {
            let dir = config.cache_root().map(|d| d.join("branch-journal"));
            Backend::Local {
                locks: LocalLocks::default(),
                journal: FileJournal::open(dir),
            }
        } else {
            let redis = RedisCoordinator::new(config.redis_url.expose(), config.branch_lease_ttl)?;
            tracing::info!(
                lease_ttl = ?redis.lease_ttl(),
                "branch leases, the restore journal and MCP sessions are shared through Redis"
            );
            Backend::Redis(Arc::new(redis))
        };
        Ok(Self {
            backend,
            instance: config.base_url.clone(),
            user_ids: LookerUserIds::default(),
            wait: config.branch_wait,
        })
    }

    /// The cell `identity`'s swaps of `project` use: its Looker user id (asked of Looker once
    /// per identity and cached) and the project.
    pub async fn cell_of(
        &self,
        identity: &Identity,
        project: &str,
        looker: &LookerClient,
    ) -> Result<BranchCell, RequestError> {
        Ok(BranchCell {
            instance: self.instance.clone(),
            user_id: self.user_ids.of(identity, looker).await?,
            project: project.to_string(),
        })
    }

    /// Takes the lock of `cell`, waiting at most `LOOKER_BRANCH_WAIT_SECONDS`. A Redis lease
    /// is renewed until released; if it is lost, `call` is cancelled.
    pub async fn lock(
        &self,
        cell: &BranchCell,
        call: &CancellationToken,
    ) -> Result<BranchLock, CoordinationError> {
        let waiting = async {
            match &self.backend {
                Backend::Local { locks, .. } => Ok(locks.acquire(cell).await),
                Backend::Redis(redis) => lease::acquire_redis(redis, cell, call).await,
            }
        };
        let started = std::time::Instant::now();
        let outcome = tokio::select! {
            taken = tokio::time::timeout(self.wait, waiting) => taken.unwrap_or_else(|_| {
                Err(CoordinationError::Busy { project: cell.project.clone(), waited: self.wait })
            }),
            () = call.cancelled() => Err(CoordinationError::Cancelled(cell.project.clone())),
        };
        let backend = match &self.backend {
            Backend::Local { .. } => "local",
            Backend::Redis(_) => "redis",
        };
        let ended = match &outcome {
            Ok(_) => "taken",
            Err(CoordinationError::Busy { .. }) => "busy",
            Err(CoordinationError::Cancelled(_)) => "cancelled",
            Err(_) => "error",
        };
        crate::telemetry::branch_lock_wait(backend, ended, started.elapsed());
        outcome
    }

    /// The branch an interrupted swap of `cell` left to restore, if any.
    pub async fn pending_restore(
        &self,
        cell: &BranchCell,
    ) -> Result<Option<String>, CoordinationError> {
        match &self.backend {
            Backend::Local { journal, .. } => journal.get(cell),
            Backend::Redis(redis) => redis.journal_get(cell).await,
        }
    }

    /// Writes down that `cell` must go back to `branch`, before it is switched away.
    pub async fn record_restore(
        &self,
        cell: &BranchCell,
        branch: &str,
    ) -> Result<(), CoordinationError> {
        match &self.backend {
            Backend::Local { journal, .. } => journal.put(cell, branch),
            Backend::Redis(redis) => redis.journal_put(cell, branch).await,
        }
    }

    /// Forgets `cell`'s entry once its branch is back.
    pub async fn clear_restore(&self, cell: &BranchCell) -> Result<(), CoordinationError> {
        match &self.backend {
            Backend::Local { journal, .. } => journal.clear(cell),
            Backend::Redis(redis) => redis.journal_clear(cell).await,
        }
    }

    /// The MCP session store shared by replicas (Redis only).
    pub fn session_store(&self) -> Option<Arc<dyn SessionStore>> {
        match &self.backend {
            Backend::Local { .. } => None,
            Backend::Redis(redis) => Some(Arc::new(sessions::RedisSessions::new(redis.clone()))),
        }
    }

    /// Who opened each MCP session, shared by replicas (Redis only).
    pub fn session_owners(&self) -> Option<Arc<SharedSessionOwners>> {
        match &self.backend {
            Backend::Local { .. } => None,
            Backend::Redis(redis) => Some(Arc::new(SharedSessionOwners::new(redis.clone()))),
        }
    }

    /// Readiness: Redis answers `PING` (always ready without Redis).
    pub async fn check_ready(&self) -> Result<(), String> {
        match &self.backend {
            Backend::Local { .. } => Ok(()),
            Backend::Redis(redis) => redis
                .ping()
                .await
                .map_err(|e| format!("Redis (LOOKER_REDIS_URL) is unavailable: {e}")),
        }
    }
}
