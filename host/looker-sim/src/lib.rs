//! `looker-sim`: a small Looker API 4.0 instance for tests and demos.
//!
//! It serves `/api/4.0/...` over HTTP with realistic seed data (an `ecommerce` and a
//! `marketing` model, users, looks, dashboards, folders, projects with git branches) and checks
//! every request against the vendored OpenAPI spec: unknown routes, methods, query parameters
//! and body fields are answered like Looker would refuse them *and* recorded as
//! [`ContractViolation`]s. Every request is recorded as a [`RecordedRequest`]; faults and
//! latency can be injected.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let sim = looker_sim::Simulator::start(looker_sim::SimConfig::default()).await?;
//! let api = format!("{}/api/4.0", sim.base_url());
//! // ... point a client at `api`, log in with the demo credentials ...
//! assert!(sim.violations().is_empty());
//! # Ok(()) }
//! ```
//!
//! Seed logins: the configured API3 key pair logs in as user 1 (`admin@example.com`, Admin);
//! [`ALICE_CLIENT_ID`]/[`ALICE_CLIENT_SECRET`] log in as user 2 (`alice@example.com`, not an
//! admin). Other seed users: 3 `bob@example.com`, 77 `ci-bot@example.com`.

// The seed data uses large `json!` literals.
#![recursion_limit = "512"]

mod auth;
mod chart;
mod data;
mod engine;
mod faults;
mod http;
mod listing;
mod render;
mod routes;
mod server;
mod spec;
mod state;

#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Serialize;
use tokio::sync::watch;

pub use data::{ALICE_CLIENT_ID, ALICE_CLIENT_SECRET};

use state::SimState;

/// How to start a simulator.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// API3 client id that logs in as the admin user (id 1).
    pub client_id: String,
    /// API3 client secret for `client_id`.
    pub client_secret: String,
    /// Lifetime of access tokens (`expires_in`).
    pub token_ttl: Duration,
    /// Address to listen on; port 0 picks a free port.
    pub bind: SocketAddr,
}

impl Default for SimConfig {
    /// `demo-client-id` / `demo-client-secret`, one-hour tokens, `127.0.0.1:0`.
    fn default() -> SimConfig {
        SimConfig {
            client_id: "demo-client-id".into(),
            client_secret: "demo-client-secret".into(),
            token_ttl: Duration::from_secs(3600),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        }
    }
}

/// One request as the simulator received it.
#[derive(Clone, Debug, Serialize)]
pub struct RecordedRequest {
    /// HTTP method, upper case.
    pub method: String,
    /// Path after `/api/4.0` exactly as received (still percent-encoded), e.g. `/lookml_models/ecommerce`.
    pub path: String,
    /// Decoded query pairs in order (`client_secret` values redacted to `***`).
    pub query: Vec<(String, String)>,
    /// JSON body; a form body as an object of strings; a text body as a string.
    /// A top-level `client_secret` is redacted to `***`.
    pub body: Option<serde_json::Value>,
    /// The user behind a valid token, if any.
    pub user_id: Option<String>,
    /// The token's workspace when the request arrived: `"production"` or `"dev"`.
    pub workspace: String,
    /// Status code of the response.
    pub status: u16,
    /// The W3C `traceparent` header the request carried, if any.
    pub traceparent: Option<String>,
}

/// A request that does not match the Looker 4.0 contract.
#[derive(Clone, Debug, Serialize)]
pub struct ContractViolation {
    /// HTTP method of the request.
    pub method: String,
    /// Path after `/api/4.0`, as received.
    pub path: String,
    /// What is wrong (unknown route, method, query parameter or body field).
    pub reason: String,
}

/// A fault to inject into matching requests (after authentication, before the handler).
#[derive(Clone, Debug)]
pub struct Fault {
    /// Only requests with this method (any if `None`).
    pub method: Option<String>,
    /// Only paths (after `/api/4.0`) starting with this prefix; `""` matches all.
    pub path_prefix: String,
    /// What happens.
    pub kind: FaultKind,
    /// How many matching requests it affects before it disappears.
    pub times: u32,
}

/// What an injected fault does.
#[derive(Clone, Debug)]
pub enum FaultKind {
    /// Answer with this status and a Looker-shaped error body.
    Status(u16),
    /// Answer 429 with a `Retry-After` header.
    RateLimit {
        /// Seconds in the `Retry-After` header.
        retry_after_secs: u32,
    },
    /// Wait this long, then handle the request normally.
    Delay(Duration),
    /// Handle the request, then answer 200 with its JSON body cut in half.
    MalformedJson,
}

/// A running simulator. Cheap to clone; the server stops on [`Simulator::shutdown`] or when
/// the last handle is dropped.
#[derive(Clone)]
pub struct Simulator {
    inner: Arc<Handle>,
}

struct Handle {
    state: Arc<SimState>,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
}

impl Simulator {
    /// Binds `config.bind` and serves on the current tokio runtime.
    pub async fn start(config: SimConfig) -> anyhow::Result<Simulator> {
        let bind = config.bind;
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .with_context(|| format!("looker-sim: binding {bind}"))?;
        let addr = listener.local_addr()?;
        let state = Arc::new(SimState::new(&config));
        let (stop, mut stopped) = watch::channel(false);
        let app = server::app(state.clone());
        tokio::spawn(async move {
            let signal = async move {
                // Ends on `shutdown()` or when every handle is gone (sender dropped).
                let _ = stopped.wait_for(|s| *s).await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(signal)
                .await
            {
                tracing::error!(error = %e, "looker-sim server failed");
            }
        });
        tracing::debug!(%addr, "looker-sim listening");
        Ok(Simulator {
            inner: Arc::new(Handle { state, addr, stop }),
        })
    }

    /// `http://127.0.0.1:PORT`; clients append `/api/4.0`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.inner.addr)
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.inner.state.requests.lock().clone()
    }

    /// Every request so far, and forgets them.
    pub fn take_requests(&self) -> Vec<RecordedRequest> {
        std::mem::take(&mut *self.inner.state.requests.lock())
    }

    /// Contract violations so far.
    pub fn violations(&self) -> Vec<ContractViolation> {
        self.inner.state.violations.lock().clone()
    }

    /// Adds a fault; faults match in the order they were injected, one per request.
    pub fn inject(&self, fault: Fault) {
        faults::inject(&self.inner.state.faults, fault);
    }

    /// Adds this delay to every response from now on (`Duration::ZERO` to stop).
    pub fn set_latency(&self, latency: Duration) {
        *self.inner.state.latency.lock() = latency;
    }

    /// From now on sends every body in 8 KiB chunks without a `Content-Length`, as a proxy or
    /// a streaming answer may (`false`: sized again).
    pub fn set_chunked(&self, chunked: bool) {
        *self.inner.state.chunked.lock() = chunked;
    }

    /// Sets how many fact rows queries aggregate (60 by default), e.g. 5,000 so that a query
    /// grouped by `orders.id` answers 5,000 rows for a benchmark.
    pub fn set_fact_rows(&self, rows: usize) {
        self.inner.state.world.lock().fact_rows = rows;
    }

    /// Expires every access token issued so far; later requests with them get 401.
    pub fn expire_tokens(&self) {
        let now = Instant::now();
        for token in self.inner.state.world.lock().tokens.values_mut() {
            token.expires_at = now;
        }
    }

    /// Stops accepting connections and lets in-flight requests finish.
    pub fn shutdown(&self) {
        let _ = self.inner.stop.send(true);
    }

    /// The axum app sharing this simulator's state, for in-process tests.
    #[cfg(test)]
    pub(crate) fn router(&self) -> axum::Router {
        server::app(self.inner.state.clone())
    }
}

impl Simulator {
    /// Adds `models` models `wide_0`, `wide_1`, … each with one explore `wide` of `fields`
    /// fields (half dimensions, half measures), shaped like the seeded `ecommerce/orders`:
    /// for benchmarks of listings and completions on big LookML.
    pub fn add_wide_models(&self, models: usize, fields: usize) {
        let mut world = self.inner.state.world.lock();
        let template_model = world
            .models
            .get("ecommerce")
            .cloned()
            .expect("the seeded ecommerce model");
        let template = world
            .explores
            .get(&("ecommerce".to_string(), "orders".to_string()))
            .cloned()
            .expect("the seeded ecommerce/orders explore");
        let dimension = template["fields"]["dimensions"][0].clone();
        let measure = template["fields"]["measures"][0].clone();
        for m in 0..models {
            let name = format!("wide_{m}");
            let mut model = template_model.clone();
            model["name"] = name.clone().into();
            model["label"] = format!("Wide {m}").into();
            model["explores"] = serde_json::json!([{"name": "wide", "label": "Wide", "description": "A wide explore", "hidden": false, "group_label": "Wide"}]);
            if let serde_json::Value::Object(map) = model {
                world.models.insert(map);
            }
            let mut explore = template.clone();
            explore["name"] = "wide".into();
            explore["model_name"] = name.clone().into();
            explore["id"] = format!("{name}::wide").into();
            let field = |base: &serde_json::Value, i: usize| {
                let mut f = base.clone();
                f["name"] = format!("wide.field_{i:04}").into();
                f["label"] = format!("Field {i}").into();
                f["view"] = "wide".into();
                f
            };
            explore["fields"]["dimensions"] =
                (0..fields / 2).map(|i| field(&dimension, i)).collect();
            explore["fields"]["measures"] =
                (fields / 2..fields).map(|i| field(&measure, i)).collect();
            world.explores.insert((name, "wide".to_string()), explore);
        }
    }
}
