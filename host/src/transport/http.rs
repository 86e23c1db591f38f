//! MCP over streamable HTTP (`/mcp`), with `/healthz`, `/readyz` and gateway discovery
//! (`/_introspect`) beside it.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

use super::answering::{self, Answering};
use super::connections::{self, ConnectionLimits};
use super::endpoint::McpEndpoint;
use super::introspect::{self, IntrospectOptions};
use super::session_owners::{SessionCaps, SessionOwners};
use super::{read_body, shutdown};
use crate::auth::Auth;
use crate::config::{Config, ServiceLimits};
use crate::server::LookerMcp;

/// Largest request body accepted on `/mcp` (and `/_introspect`).
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// HTTP-level settings.
#[derive(Clone, Debug)]
pub struct HttpOptions {
    /// `Host` header values accepted on `/mcp` (DNS-rebinding protection); empty = any.
    pub allowed_hosts: Vec<String>,
    /// Browser `Origin`s accepted on `/mcp`; requests without an `Origin` (non-browser clients)
    /// always pass.
    pub allowed_origins: Vec<String>,
    /// Gateway discovery at `/_introspect`; `None`: not served.
    pub introspect: Option<IntrospectOptions>,
    /// Sessions, body-read time and the rest of the service bounds.
    pub limits: ServiceLimits,
}

const LOOPBACK_HOSTS: [&str; 4] = ["localhost", "127.0.0.1", "::1", "[::1]"];

impl HttpOptions {
    /// The allow-lists for a server bound to `bind`: loopback names plus `LOOKER_ALLOWED_HOSTS`.
    /// A server bound to a non-loopback address with no list accepts any `Host` (deployments
    /// behind a gateway) and says so at startup.
    pub fn for_bind(bind: &SocketAddr, config: &Config) -> Self {
        let mut allowed_hosts = Vec::new();
        if bind.ip().is_loopback() || !config.allowed_hosts.is_empty() {
            allowed_hosts.extend(LOOPBACK_HOSTS.iter().map(|s| s.to_string()));
            allowed_hosts.extend(config.allowed_hosts.iter().cloned());
        } else {
            tracing::warn!(
                bind = %bind,
                "DNS-rebinding protection is off: any Host header is accepted; set LOOKER_ALLOWED_HOSTS to this server's names"
            );
        }
        let mut allowed_origins: Vec<String> =
            ["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        allowed_origins.extend(config.allowed_origins.iter().cloned());
        let introspect = IntrospectOptions::from_config(config);
        if let Some(options) = &introspect {
            tracing::info!(
                bearer_required = options.bearer.is_some(),
                "gateway discovery served at /_introspect without a user token (LOOKER_MCP_INTROSPECT=false turns it off)"
            );
        }
        Self {
            allowed_hosts,
            allowed_origins,
            introspect,
            limits: config.limits.clone(),
        }
    }
}

/// The HTTP application: `/mcp`, `/healthz`, `/readyz`, `/_introspect` (unless turned off) and,
/// with OAuth postures, the protected resource metadata; all behind the auth layer, which lets the
/// anonymous ones through. Tests call this directly.
pub fn app(
    handler: LookerMcp,
    auth: Arc<Auth>,
    options: &HttpOptions,
    shutdown: CancellationToken,
) -> Router {
    let mut config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(options.allowed_hosts.clone())
        .with_allowed_origins(options.allowed_origins.clone())
        .with_max_request_body_bytes(MAX_BODY_BYTES)
        .with_cancellation_token(shutdown)
        .with_sse_retry(None);
    config.session_store = handler.coordination().session_store();
    let factory = handler.clone();
    let mut sessions = sessions_without_priming();
    sessions.session_config.keep_alive = Some(options.limits.session_idle);
    let sessions = Arc::new(sessions);
    let caps = SessionCaps {
        total: options.limits.max_sessions,
        per_principal: options.limits.max_sessions_per_principal,
    };
    let owners = SessionOwners::new(
        sessions.clone(),
        caps,
        handler.coordination().session_owners(),
    );
    let mcp = StreamableHttpService::new(
        move || Ok(crate::telemetry::Traced::new(factory.new_session(), "tcp")),
        sessions,
        config,
    );
    let mcp = Router::new()
        .nest_service("/mcp", McpEndpoint::new(mcp, MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            owners,
            super::session_owners::middleware,
        ));
    let mut router = Router::new()
        .merge(mcp)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(handler.clone())
        .merge(auth.routes());
    if let Some(options) = &options.introspect {
        router = router.merge(introspect::routes(handler, options.clone()));
    }
    router
        .layer(axum::middleware::from_fn_with_state(
            auth,
            crate::auth::middleware,
        ))
        // Anonymous like the probes (after the auth layer): names and counts only, see `telemetry`.
        .route("/metrics", get(metrics))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            options.limits.body_timeout,
            read_body::middleware,
        ))
}

/// Sessions whose SSE streams start with the first message. rmcp's default primes each stream
/// with an empty event (an id and a retry hint, for resuming with `Last-Event-ID`): clients of
/// revisions before 2025-11-25 (Python MCP SDK 1.x) fail to parse it on every request, and with
/// no event store kept there is nothing to resume from, so the priming event promises nothing.
fn sessions_without_priming() -> LocalSessionManager {
    let mut sessions = LocalSessionManager::default();
    sessions.session_config.sse_retry = None;
    sessions
}

async fn healthz() -> impl IntoResponse {
    axum::Json(serde_json::json!({ "status": "ok" }))
}

/// Prometheus metrics when `LOOKER_METRICS=true`; 404 otherwise.
async fn metrics() -> axum::response::Response {
    match crate::telemetry::render_metrics() {
        Some(text) => (
            [(
                axum::http::header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Ready when the service account can log in to Looker (a cached login answers without traffic)
/// and, with `LOOKER_REDIS_URL`, Redis answers.
async fn readyz(State(handler): State<LookerMcp>) -> impl IntoResponse {
    let ready = match handler.coordination().check_ready().await {
        Ok(()) => handler
            .looker()
            .check_ready()
            .await
            .map_err(|e| e.to_string()),
        Err(redis) => Err(redis),
    };
    match ready {
        Ok(()) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({ "status": "ready" })),
        ),
        Err(error) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({ "status": "unavailable", "reason": error.to_string() })),
        ),
    }
}

/// Serves on `listener` (bound by the caller before the groups load) until SIGTERM or SIGINT,
/// then stops as [`shutdown`] says: the listener closes, calls in flight finish (or are
/// cancelled after the grace period), sessions end.
pub async fn serve(
    handler: LookerMcp,
    auth: Arc<Auth>,
    listener: std::net::TcpListener,
    config: &Config,
) -> anyhow::Result<()> {
    let sessions_end = CancellationToken::new();
    let bind = listener.local_addr()?;
    let options = HttpOptions::for_bind(&bind, config);
    let slots = handler.slots();
    let answering = Answering::default();
    let router = app(handler, auth, &options, sessions_end.clone()).layer(
        axum::middleware::from_fn_with_state(answering.clone(), answering::middleware),
    );
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    tracing::info!(address = %listener.local_addr()?, "serving MCP over streamable HTTP at /mcp");
    let limits = ConnectionLimits {
        max_connections: config.limits.max_connections,
        header_timeout: config.limits.header_timeout,
    };
    let stop = async {
        let signal = shutdown::signalled().await;
        tracing::info!(signal, "stopping: the listener is closed");
    };
    let connections = connections::serve_until(listener, router, limits, stop).await;
    // Kept-alive connections close once their current answer is sent.
    let closed = tokio::spawn(connections.shutdown());
    shutdown::let_calls_finish(&slots, config.limits.shutdown_grace, || answering.drained()).await;
    // Sessions end last, and with them their standalone SSE streams.
    sessions_end.cancel();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), closed).await;
    tracing::info!("stopped");
    Ok(())
}
