//! MCP sessions belong to the principal that opened them. A request naming a session (a call,
//! an SSE stream, its resumption, a `DELETE`, a second `initialize`) from anyone else is
//! answered exactly as an unknown session is (404), so a leaked or guessed session id is worth
//! nothing to another caller.
//!
//! Sessions are also capped, in all and per principal, so a flood of `initialize`s holds at
//! most `total` sessions' memory: over the total the answer is 503, over a principal's share 429,
//! both with `Retry-After`. Idle sessions expire in rmcp (`SessionConfig::keep_alive`), which
//! frees their place here too.
//!
//! With Redis (`LOOKER_REDIS_URL`), owners are shared by every replica, so a session opened on
//! one is recognised (as its owner's only) on another; caps count each replica's own sessions.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;

use crate::coordination::SharedSessionOwners;
use crate::identity::Principal;

const SESSION_HEADER: &str = "mcp-session-id";
/// Seconds a refused `initialize` is told to wait: about the time for a client's other sessions
/// to be closed or for idle ones to expire from a full server.
const RETRY_AFTER_SECS: &str = "30";

/// How many live sessions the server holds (`LOOKER_MCP_MAX_SESSIONS*`).
#[derive(Clone, Copy, Debug)]
pub struct SessionCaps {
    pub total: usize,
    pub per_principal: usize,
}

/// Session id → the key of the principal that opened it, plus `initialize`s under way.
pub struct SessionOwners {
    state: Mutex<Owners>,
    manager: Arc<LocalSessionManager>,
    caps: SessionCaps,
    /// Owners recorded by every replica (Redis), consulted for sessions opened elsewhere.
    shared: Option<Arc<SharedSessionOwners>>,
}

#[derive(Default)]
struct Owners {
    by_session: HashMap<String, String>,
    /// Principal → `initialize`s admitted but not answered yet.
    opening: HashMap<String, usize>,
}

/// Why an `initialize` was refused.
enum Full {
    Total,
    Principal,
}

/// A place held for one `initialize` while it runs; given back when dropped.
struct Opening {
    owners: Arc<SessionOwners>,
    caller: String,
}

impl Drop for Opening {
    fn drop(&mut self) {
        let mut state = self.owners.state.lock().unwrap();
        if let Some(n) = state.opening.get_mut(&self.caller) {
            *n -= 1;
            if *n == 0 {
                state.opening.remove(&self.caller);
            }
        }
    }
}

impl SessionOwners {
    /// Owners of the sessions `manager` holds, at most `caps` of them, also shared with other
    /// replicas through `shared` (Redis), if any.
    pub fn new(
        manager: Arc<LocalSessionManager>,
        caps: SessionCaps,
        shared: Option<Arc<SharedSessionOwners>>,
    ) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::default(),
            manager,
            caps,
            shared,
        })
    }

    async fn owner(&self, session: &str) -> Option<String> {
        let local = self.state.lock().unwrap().by_session.get(session).cloned();
        match (local, &self.shared) {
            (Some(owner), _) => Some(owner),
            (None, Some(shared)) => shared.owner(session).await,
            (None, None) => None,
        }
    }

    /// Holds a place for a new session of `caller`, forgetting sessions that expired first if
    /// the caps are reached.
    async fn admit(self: &Arc<Self>, caller: &str) -> Result<Opening, Full> {
        if self.reserve(caller).is_err() {
            self.sweep().await;
            self.reserve(caller)?;
        }
        Ok(Opening {
            owners: self.clone(),
            caller: caller.to_string(),
        })
    }

    fn reserve(&self, caller: &str) -> Result<(), Full> {
        let mut state = self.state.lock().unwrap();
        let opening_total: usize = state.opening.values().sum();
        if state.by_session.len() + opening_total >= self.caps.total {
            return Err(Full::Total);
        }
        let mine = state.by_session.values().filter(|o| *o == caller).count()
            + state.opening.get(caller).copied().unwrap_or(0);
        if mine >= self.caps.per_principal {
            return Err(Full::Principal);
        }
        *state.opening.entry(caller.to_string()).or_default() += 1;
        Ok(())
    }

    /// Forgets the owners of sessions the manager no longer has (closed or expired).
    async fn sweep(&self) {
        let live = self.manager.sessions.read().await;
        self.state
            .lock()
            .unwrap()
            .by_session
            .retain(|id, _| live.contains_key(id.as_str()));
    }

    async fn record(&self, session: String, owner: String) {
        if let Some(shared) = &self.shared {
            shared.record(&session, &owner).await;
        }
        self.state.lock().unwrap().by_session.insert(session, owner);
    }

    async fn forget(&self, session: &str) {
        self.state.lock().unwrap().by_session.remove(session);
        if let Some(shared) = &self.shared {
            shared.forget(session).await;
        }
    }

    fn refusal(&self, full: Full) -> Response {
        let (status, message) = match full {
            Full::Total => (
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "server busy: {} MCP sessions are open, the most this server holds \
                     (LOOKER_MCP_MAX_SESSIONS); retry later",
                    self.caps.total
                ),
            ),
            Full::Principal => (
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "too many MCP sessions: you have {} open, the most one caller may hold \
                     (LOOKER_MCP_MAX_SESSIONS_PER_PRINCIPAL); close unused ones (DELETE /mcp) \
                     or retry later",
                    self.caps.per_principal
                ),
            ),
        };
        tracing::info!(
            status = status.as_u16(),
            "refused a new MCP session: {message}"
        );
        (status, [(RETRY_AFTER, RETRY_AFTER_SECS)], message).into_response()
    }
}

/// A POST without a session opens one (`initialize`), unless it names another method in
/// `Mcp-Method` (a stateless 2026-07-28 request, which holds no session). A stateless request
/// without that header holds a place only while it is answered.
fn opens_a_session(request: &Request) -> bool {
    request.method() == Method::POST
        && request
            .headers()
            .get("mcp-method")
            .is_none_or(|method| method.as_bytes() == b"initialize")
}

/// The middleware in front of `/mcp`, inside the auth layer (which attached the principal).
pub async fn middleware(
    State(owners): State<Arc<SessionOwners>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(caller) = request.extensions().get::<Principal>().map(Principal::key) else {
        return (StatusCode::FORBIDDEN, "no verified principal").into_response();
    };
    let session = request
        .headers()
        .get(SESSION_HEADER)
        .map(|v| v.to_str().unwrap_or_default().to_string());
    let Some(session) = session else {
        let _opening = if opens_a_session(&request) {
            match owners.admit(&caller).await {
                Ok(opening) => Some(opening),
                Err(full) => return owners.refusal(full),
            }
        } else {
            None
        };
        let response = next.run(request).await;
        if let Some(id) = response
            .headers()
            .get(SESSION_HEADER)
            .and_then(|v| v.to_str().ok())
        {
            owners.record(id.to_string(), caller).await;
        }
        return response;
    };
    if owners.owner(&session).await.as_deref() != Some(caller.as_str()) {
        tracing::info!("refused a request for a session the caller did not open");
        return (StatusCode::NOT_FOUND, "Not Found: Session not found").into_response();
    }
    let delete = request.method() == Method::DELETE;
    let response = next.run(request).await;
    if response.status() == StatusCode::NOT_FOUND || (delete && response.status().is_success()) {
        owners.forget(&session).await;
    }
    response
}
