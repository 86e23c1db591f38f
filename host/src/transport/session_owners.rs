//! MCP sessions belong to the principal that opened them. A request naming a session (a call,
//! an SSE stream, its resumption, a `DELETE`, a second `initialize`) from anyone else is
//! answered exactly as an unknown session is (404), so a leaked or guessed session id is worth
//! nothing to another caller.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;

use crate::coordination::SharedSessionOwners;
use crate::identity::Principal;

const SESSION_HEADER: &str = "mcp-session-id";
/// Owners kept before those of sessions the manager no longer has are swept.
const SWEEP_ABOVE: usize = 1024;

/// Session id → the key of the principal that opened it.
pub struct SessionOwners {
    owners: Mutex<HashMap<String, String>>,
    manager: Arc<LocalSessionManager>,
    /// Owners recorded by every replica (Redis), consulted for sessions opened elsewhere.
    shared: Option<Arc<SharedSessionOwners>>,
}

impl SessionOwners {
    /// Owners of the sessions `manager` holds, also shared with other replicas through
    /// `shared` (Redis), if any.
    pub fn new(
        manager: Arc<LocalSessionManager>,
        shared: Option<Arc<SharedSessionOwners>>,
    ) -> Arc<Self> {
        Arc::new(Self {
            owners: Mutex::default(),
            manager,
            shared,
        })
    }

    async fn owner(&self, session: &str) -> Option<String> {
        let local = self.owners.lock().unwrap().get(session).cloned();
        match (local, &self.shared) {
            (Some(owner), _) => Some(owner),
            (None, Some(shared)) => shared.owner(session).await,
            (None, None) => None,
        }
    }

    async fn record(&self, session: String, owner: String) {
        if let Some(shared) = &self.shared {
            shared.record(&session, &owner).await;
        }
        let full = {
            let mut owners = self.owners.lock().unwrap();
            owners.insert(session, owner);
            owners.len() > SWEEP_ABOVE
        };
        if full {
            let live = self.manager.sessions.read().await;
            self.owners
                .lock()
                .unwrap()
                .retain(|id, _| live.contains_key(id.as_str()));
        }
    }

    async fn forget(&self, session: &str) {
        self.owners.lock().unwrap().remove(session);
        if let Some(shared) = &self.shared {
            shared.forget(session).await;
        }
    }
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
