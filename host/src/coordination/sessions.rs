//! MCP sessions any replica can serve: rmcp's [`SessionStore`] on Redis (the client's
//! `initialize` parameters, which rmcp replays on a replica that has not seen the session) and
//! the principal that opened each session, so the owner check holds on every replica.

use std::sync::Arc;
use std::time::Duration;

use rmcp::transport::streamable_http_server::session::{
    SessionState, SessionStore, SessionStoreError,
};

use super::redis::RedisCoordinator;

/// How long an idle session is remembered; each restore on another replica extends it.
pub const SESSION_TTL: Duration = Duration::from_secs(24 * 3600);

fn session_key(id: &str) -> String {
    format!("looker-mcp:session:{id}")
}

fn owner_key(id: &str) -> String {
    format!("looker-mcp:session-owner:{id}")
}

/// rmcp's session store on Redis.
pub(super) struct RedisSessions {
    redis: Arc<RedisCoordinator>,
}

impl RedisSessions {
    pub(super) fn new(redis: Arc<RedisCoordinator>) -> Self {
        Self { redis }
    }
}

#[async_trait::async_trait]
impl SessionStore for RedisSessions {
    async fn load(&self, session_id: &str) -> Result<Option<SessionState>, SessionStoreError> {
        let Some(text) = self
            .redis
            .get_touch(&session_key(session_id), SESSION_TTL)
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(serde_json::from_str(&text)?))
    }

    async fn store(&self, session_id: &str, state: &SessionState) -> Result<(), SessionStoreError> {
        let text = serde_json::to_string(state)?;
        Ok(self
            .redis
            .set_for(&session_key(session_id), &text, SESSION_TTL)
            .await?)
    }

    async fn delete(&self, session_id: &str) -> Result<(), SessionStoreError> {
        Ok(self.redis.delete(&session_key(session_id)).await?)
    }
}

/// Session id → the key of the principal that opened it ([`crate::identity::Principal::key`],
/// which never carries a token), shared by replicas.
pub struct SharedSessionOwners {
    redis: Arc<RedisCoordinator>,
}

impl SharedSessionOwners {
    pub(super) fn new(redis: Arc<RedisCoordinator>) -> Self {
        Self { redis }
    }

    /// The owner another replica recorded, if any (Redis down: none, so the request is refused).
    pub async fn owner(&self, session: &str) -> Option<String> {
        self.redis
            .get_touch(&owner_key(session), SESSION_TTL)
            .await
            .inspect_err(
                |error| tracing::warn!(%error, "could not read a session's owner from Redis"),
            )
            .ok()
            .flatten()
    }

    pub async fn record(&self, session: &str, owner: &str) {
        if let Err(error) = self
            .redis
            .set_for(&owner_key(session), owner, SESSION_TTL)
            .await
        {
            tracing::warn!(%error, "could not share a session's owner through Redis; other replicas will refuse it");
        }
    }

    pub async fn forget(&self, session: &str) {
        if let Err(error) = self.redis.delete(&owner_key(session)).await {
            tracing::debug!(%error, "could not forget a session's owner in Redis; it expires on its own");
        }
    }
}
