//! A request body is read whole within a time limit before anything else sees it, so a client
//! dripping its body cannot hold a connection (and a handler) forever. Bodies here are small
//! JSON-RPC messages (at most [`super::http::MAX_BODY_BYTES`]), which every handler buffers
//! anyway.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::http::MAX_BODY_BYTES;

/// Reads the body within `limit` (`LOOKER_MCP_BODY_TIMEOUT_SECS`): 408 if it does not arrive,
/// 413 if it is too large.
pub async fn middleware(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    match tokio::time::timeout(limit, axum::body::to_bytes(body, MAX_BODY_BYTES)).await {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Ok(Err(error)) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("could not read the request body (at most {MAX_BODY_BYTES} bytes): {error}"),
        )
            .into_response(),
        Err(_) => {
            tracing::info!(
                limit_ms = limit.as_millis() as u64,
                "a request body did not arrive in time"
            );
            (
                StatusCode::REQUEST_TIMEOUT,
                [(header::CONNECTION, "close")],
                format!(
                    "the request body did not arrive within {} s (LOOKER_MCP_BODY_TIMEOUT_SECS)",
                    limit.as_secs_f64()
                ),
            )
                .into_response()
        }
    }
}
