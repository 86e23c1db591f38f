//! Looker API sessions: one cached token per (identity, workspace), refreshed before it expires
//! with a single login in flight per session, and dropped when Looker answers 401.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::config::Secret;

/// Whose Looker permissions a request runs with.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Identity {
    /// The configured API3 service account.
    ServiceAccount,
    /// The service account acting as another user (admin sudo, `POST /login/{user_id}`).
    Sudo { user_id: String },
    /// A user's own Looker access token, forwarded as-is (OAuth pass-through); never logged in.
    User { token: Secret },
}

/// Production or the identity's dev workspace. The workspace belongs to the API session, so each
/// workspace gets its own session: flipping a shared session would leak into concurrent calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Workspace {
    Production,
    Dev,
}

/// A token and when it stops being usable.
#[derive(Clone)]
pub(crate) struct Token {
    pub value: Secret,
    refresh_at: Instant,
}

impl Token {
    /// A token Looker said lasts `expires_in`; it is refreshed a little before that.
    pub fn new(value: String, expires_in: Duration) -> Self {
        let margin = (expires_in / 10).min(Duration::from_secs(60));
        Self {
            value: Secret::new(value),
            refresh_at: Instant::now() + expires_in - margin,
        }
    }

    fn is_fresh(&self) -> bool {
        Instant::now() < self.refresh_at
    }
}

/// One API session: the current token, plus a lock that lets a single caller log in at a time.
#[derive(Default)]
pub(crate) struct Slot {
    token: Mutex<Option<Token>>,
    login: tokio::sync::Mutex<()>,
}

impl Slot {
    /// The cached token if it is still fresh.
    pub fn fresh(&self) -> Option<Token> {
        self.token
            .lock()
            .unwrap()
            .as_ref()
            .filter(|t| t.is_fresh())
            .cloned()
    }

    /// Returns a fresh token, running `login` at most once however many callers are waiting.
    pub async fn get_or_login<F, Fut, E>(&self, login: F) -> Result<Token, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Token, E>>,
    {
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let _single_flight = self.login.lock().await;
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let token = login().await?;
        *self.token.lock().unwrap() = Some(token.clone());
        Ok(token)
    }

    /// Forgets `rejected` (Looker answered 401 with it) unless another caller already replaced it.
    pub fn invalidate(&self, rejected: &Token) {
        let mut current = self.token.lock().unwrap();
        if current.as_ref().is_some_and(|t| t.value == rejected.value) {
            *current = None;
        }
    }
}

/// All sessions of the process.
#[derive(Default)]
pub(crate) struct Sessions {
    slots: Mutex<HashMap<(Identity, Workspace), Arc<Slot>>>,
}

/// Above this many sessions, those of forwarded user tokens are dropped (they cost nothing to
/// recreate), so a long-running `looker_oauth` server does not grow without bound.
const MAX_SESSIONS: usize = 4096;

impl Sessions {
    pub fn slot(&self, identity: &Identity, workspace: Workspace) -> Arc<Slot> {
        let mut slots = self.slots.lock().unwrap();
        if slots.len() >= MAX_SESSIONS {
            slots.retain(|(id, _), _| !matches!(id, Identity::User { .. }));
        }
        slots
            .entry((identity.clone(), workspace))
            .or_default()
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn concurrent_callers_share_one_login() {
        let slot = Arc::new(Slot::default());
        let logins = Arc::new(AtomicU32::new(0));
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let (slot, logins) = (slot.clone(), logins.clone());
                tokio::spawn(async move {
                    slot.get_or_login(|| async {
                        logins.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Ok::<_, ()>(Token::new("t".into(), Duration::from_secs(3600)))
                    })
                    .await
                    .unwrap()
                })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap().value.expose(), "t");
        }
        assert_eq!(logins.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn expiring_and_rejected_tokens_are_replaced() {
        let slot = Slot::default();
        let short = Token::new("a".into(), Duration::from_millis(0));
        assert!(
            !short.is_fresh(),
            "a token at its refresh point is not reused"
        );
        let t = slot
            .get_or_login(|| async { Ok::<_, ()>(Token::new("b".into(), Duration::from_secs(60))) })
            .await
            .unwrap();
        assert!(slot.fresh().is_some());
        slot.invalidate(&short);
        assert!(
            slot.fresh().is_some(),
            "invalidating another token keeps the current one"
        );
        slot.invalidate(&t);
        assert!(slot.fresh().is_none());
    }
}
