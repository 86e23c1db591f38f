//! The Redis side: one lazily connected, self-reconnecting connection (redis-rs's
//! `ConnectionManager`) and the few commands the coordinator needs. Every key starts with
//! `looker-mcp:`; no token or credential is ever written.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, Script, SetExpiry, SetOptions};

use super::{BranchCell, CoordinationError};

/// A Redis command that takes longer than this counts as Redis being down.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a restore-journal entry is kept if no swap of its cell ever comes again.
const JOURNAL_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

/// Deletes the lease only while it still holds our token.
const RELEASE: &str = r"if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
/// Extends the lease only while it still holds our token.
const RENEW: &str = r"if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

pub(super) struct RedisCoordinator {
    connection: ConnectionManager,
    lease_ttl: Duration,
    release: Script,
    renew: Script,
}

impl RedisCoordinator {
    /// A coordinator for `url`; nothing is sent until first use.
    pub(super) fn new(url: &str, lease_ttl: Duration) -> anyhow::Result<Self> {
        let client = redis::Client::open(url)
            .map_err(|e| anyhow::anyhow!("invalid LOOKER_REDIS_URL: {e}"))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(COMMAND_TIMEOUT))
            .set_response_timeout(Some(COMMAND_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let connection = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| anyhow::anyhow!("LOOKER_REDIS_URL: {e}"))?;
        Ok(Self {
            connection,
            lease_ttl: lease_ttl.max(Duration::from_secs(1)),
            release: Script::new(RELEASE),
            renew: Script::new(RENEW),
        })
    }

    pub(super) fn lease_ttl(&self) -> Duration {
        self.lease_ttl
    }

    fn connection(&self) -> ConnectionManager {
        self.connection.clone()
    }

    pub(super) async fn ping(&self) -> redis::RedisResult<()> {
        redis::cmd("PING")
            .query_async::<String>(&mut self.connection())
            .await
            .map(drop)
    }

    pub(super) fn lease_key(&self, cell: &BranchCell) -> String {
        format!("looker-mcp:branch-lease:{}", cell.key())
    }

    fn journal_key(cell: &BranchCell) -> String {
        format!("looker-mcp:branch-restore:{}", cell.key())
    }

    /// `SET key token NX PX ttl`: whether the lease is now ours.
    pub(super) async fn try_lease(
        &self,
        key: &str,
        token: &str,
    ) -> Result<bool, CoordinationError> {
        let options = SetOptions::default()
            .conditional_set(redis::ExistenceCheck::NX)
            .with_expiration(SetExpiry::PX(self.lease_ttl.as_millis() as u64));
        let set: Option<String> = self
            .connection()
            .set_options(key, token, options)
            .await
            .map_err(unavailable)?;
        Ok(set.is_some())
    }

    /// Extends the lease if it is still ours.
    pub(super) async fn renew(&self, key: &str, token: &str) -> redis::RedisResult<bool> {
        let renewed: i64 = self
            .renew
            .key(key)
            .arg(token)
            .arg(self.lease_ttl.as_millis() as u64)
            .invoke_async(&mut self.connection())
            .await?;
        Ok(renewed == 1)
    }

    /// Deletes the lease if it is still ours.
    pub(super) async fn release(&self, key: &str, token: &str) -> redis::RedisResult<()> {
        self.release
            .key(key)
            .arg(token)
            .invoke_async::<i64>(&mut self.connection())
            .await
            .map(drop)
    }

    pub(super) async fn journal_get(
        &self,
        cell: &BranchCell,
    ) -> Result<Option<String>, CoordinationError> {
        self.connection()
            .get(Self::journal_key(cell))
            .await
            .map_err(unavailable)
    }

    pub(super) async fn journal_put(
        &self,
        cell: &BranchCell,
        branch: &str,
    ) -> Result<(), CoordinationError> {
        self.connection()
            .set_ex(Self::journal_key(cell), branch, JOURNAL_TTL.as_secs())
            .await
            .map_err(unavailable)
    }

    pub(super) async fn journal_clear(&self, cell: &BranchCell) -> Result<(), CoordinationError> {
        self.connection()
            .del(Self::journal_key(cell))
            .await
            .map_err(unavailable)
    }

    /// `GETEX key EX ttl`: the value, its expiry pushed back.
    pub(super) async fn get_touch(
        &self,
        key: &str,
        ttl: Duration,
    ) -> redis::RedisResult<Option<String>> {
        self.connection()
            .get_ex(key, redis::Expiry::EX(ttl.as_secs()))
            .await
    }

    pub(super) async fn set_for(
        &self,
        key: &str,
        value: &str,
        ttl: Duration,
    ) -> redis::RedisResult<()> {
        self.connection().set_ex(key, value, ttl.as_secs()).await
    }

    pub(super) async fn delete(&self, key: &str) -> redis::RedisResult<()> {
        self.connection().del(key).await
    }
}

fn unavailable(error: redis::RedisError) -> CoordinationError {
    CoordinationError::Unavailable(error.to_string())
}
