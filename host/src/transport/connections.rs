//! The HTTP accept loop: hyper-util serves the app on each connection, with the bounds a slow
//! or idle client cannot outlast (`axum::serve` exposes neither a timer nor a connection cap).
//!
//! - Headers: hyper's header-read timer starts whenever a connection waits for a request, so
//!   it bounds both a client trickling its headers (slowloris) and an idle kept-alive
//!   connection.
//! - Connections: at most `max_connections` open; one more is answered 503 with `Retry-After`
//!   and closed at once, without being read.
//! - HTTP/1.1 only: hyper-util's protocol sniffing (for HTTP/2 prior knowledge) reads the first
//!   bytes with no timeout, so a client sending nothing would hold a connection; MCP clients
//!   and load balancers speak HTTP/1.1 to a backend.
//!
//! Response streams are not bounded here: an SSE answer to a long tool call is legitimate.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

/// Bounds on connections (`LOOKER_MCP_MAX_CONNECTIONS`, `LOOKER_MCP_HEADER_TIMEOUT_SECS`).
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub header_timeout: Duration,
}

/// What a connection over the cap reads before it is closed.
const FULL: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n\
Content-Type: text/plain\r\nContent-Length: 57\r\nConnection: close\r\n\r\n\
server busy: too many open connections; try again shortly";

/// Accepts connections on `listener` and serves `app` on them until `stop` resolves; then
/// closes the listener (new connections are refused) and returns the open connections'
/// shutdown handle.
pub async fn serve_until(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    stop: impl Future<Output = ()>,
) -> GracefulShutdown {
    let open = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new()).http1_only();
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let builder = Arc::new(builder);
    tokio::pin!(stop);
    loop {
        let tcp = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => tcp,
                Err(error) => {
                    // Out of file descriptors, most likely: let some connections close.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        // Answers go out as several small SSE writes; without TCP_NODELAY, Nagle's algorithm
        // and the client's delayed ACK hold the last one back ~40 ms on a kept-alive connection.
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
        let Ok(permit) = open.clone().try_acquire_owned() else {
            refuse(tcp);
            continue;
        };
        let service = TowerToHyperService::new(app.clone());
        let watcher = graceful.watcher();
        let builder = builder.clone();
        tokio::spawn(async move {
            let connection = builder.serve_connection(TokioIo::new(tcp), service);
            if let Err(error) = watcher.watch(connection).await {
                tracing::debug!(%error, "HTTP connection ended with an error");
            }
            drop(permit);
        });
    }
    graceful
}

/// Answers a connection over the cap with 503 and closes it, without waiting on the client.
fn refuse(tcp: TcpStream) {
    tracing::warn!("refused a connection: LOOKER_MCP_MAX_CONNECTIONS are open");
    let _ = tcp.try_write(FULL);
    if let Ok(tcp) = tcp.into_std() {
        let _ = tcp.shutdown(std::net::Shutdown::Write);
    }
}
