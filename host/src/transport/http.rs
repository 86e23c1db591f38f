//! MCP over streamable HTTP (`/mcp`), with `/healthz` and `/readyz` beside it.

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

use crate::server::LookerMcp;

/// Largest request body accepted on `/mcp`.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// HTTP-level settings.
#[derive(Clone, Debug)]
pub struct HttpOptions {
    /// `Host` header values accepted on `/mcp` (DNS-rebinding protection).
    pub allowed_hosts: Vec<String>,
}

impl HttpOptions {
    /// Loopback names, plus the bind address when it is a specific one, plus the configured list.
    pub fn for_bind(bind: &SocketAddr, extra: &[String]) -> Self {
        let mut allowed_hosts: Vec<String> = ["localhost", "127.0.0.1", "::1", "[::1]"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        if !bind.ip().is_unspecified() {
            allowed_hosts.push(bind.ip().to_string());
        }
        allowed_hosts.extend(extra.iter().cloned());
        Self { allowed_hosts }
    }
}

/// The HTTP application: `/mcp`, `/healthz`, `/readyz`. Tests call this directly.
pub fn app(handler: LookerMcp, options: &HttpOptions, shutdown: CancellationToken) -> Router {
    let config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(options.allowed_hosts.clone())
        .with_max_request_body_bytes(MAX_BODY_BYTES)
        .with_cancellation_token(shutdown);
    let factory = handler.clone();
    let mcp = StreamableHttpService::new(
        move || Ok(factory.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    Router::new()
        .nest_service("/mcp", mcp)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(handler)
}

async fn healthz() -> impl IntoResponse {
    axum::Json(serde_json::json!({ "status": "ok" }))
}

/// Ready when the service account can log in to Looker (a cached login answers without traffic).
async fn readyz(State(handler): State<LookerMcp>) -> impl IntoResponse {
    match handler.looker().check_ready().await {
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

/// Binds and serves until `shutdown` is cancelled or the process gets Ctrl-C.
pub async fn serve(
    handler: LookerMcp,
    bind: SocketAddr,
    extra_hosts: &[String],
) -> anyhow::Result<()> {
    let shutdown = CancellationToken::new();
    let options = HttpOptions::for_bind(&bind, extra_hosts);
    let router = app(handler, &options, shutdown.clone());
    let listener = tokio::net::TcpListener::bind(bind).await?;
    tracing::info!(address = %listener.local_addr()?, "serving MCP over streamable HTTP at /mcp");
    let stop = shutdown.clone();
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => stop.cancel(),
                () = stop.cancelled() => {}
            }
        })
        .await?;
    Ok(())
}
