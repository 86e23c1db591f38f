//! Gateway discovery at `/_introspect`, as the Python server serves it: the discovery slice of
//! MCP (server info and the tool list) without a user token, so that a gateway aggregator can
//! fill its tool catalog at registration time and then forward each user's token on `/mcp`.
//!
//! - Handshake era (2025-06-18, 2025-11-25): `initialize`, `notifications/initialized` (202) and
//!   `tools/list`.
//! - 2026-07-28 (named by the `MCP-Protocol-Version` header or the request's `_meta`):
//!   `server/discover` and `tools/list`.
//!
//! The answers are those `/mcp` gives. Every other method (`tools/call` above all) is refused with
//! `-32601`: HTTP 405, or 404 on 2026-07-28. Each POST stands alone and is answered with plain
//! JSON: no SSE stream, no session, and nothing here reaches Looker. `GET` answers 204 (there is
//! no notification stream) and `DELETE` 200 (there is no session to end). The route sits outside
//! the MCP auth gate; with `LOOKER_MCP_INTROSPECT_BEARER` set it requires that bearer instead.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rmcp::ErrorData;
use rmcp::handler::server::ServerHandler;
use rmcp::model::{
    ClientCapabilities, DiscoverResult, ErrorCode, Implementation, InitializeRequestParams,
    ProtocolVersion, ServerResult,
};
use serde_json::{Value, json};

use super::http::MAX_BODY_BYTES;
use crate::auth::{bearer_token, constant_time_eq};
use crate::config::{Config, Secret};
use crate::server::LookerMcp;

/// Where gateway discovery is served.
pub const PATH: &str = "/_introspect";

/// The `_meta` key a 2026-07-28 request names its protocol revision in (a JSON pointer).
const META_PROTOCOL_VERSION: &str = "/params/_meta/io.modelcontextprotocol~1protocolVersion";

/// How `/_introspect` is served.
#[derive(Clone, Debug)]
pub struct IntrospectOptions {
    /// The bearer every request must carry (`LOOKER_MCP_INTROSPECT_BEARER`); `None`: no bearer,
    /// network controls guard the endpoint.
    pub bearer: Option<Secret>,
}

impl IntrospectOptions {
    /// The configured options, or `None` when the endpoint is turned off
    /// (`LOOKER_MCP_INTROSPECT=false`).
    pub fn from_config(config: &Config) -> Option<Self> {
        config.mcp_introspect.then(|| Self {
            bearer: Some(config.mcp_introspect_bearer.clone()).filter(|b| !b.is_empty()),
        })
    }
}

struct Introspect {
    handler: LookerMcp,
    bearer: Option<Secret>,
}

/// The `/_introspect` route (POST, GET, DELETE), its bearer checked before the body is read.
pub fn routes(handler: LookerMcp, options: IntrospectOptions) -> Router {
    let state = Arc::new(Introspect {
        handler,
        bearer: options.bearer,
    });
    Router::new()
        .route(PATH, get(no_stream).post(answer).delete(no_session))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), guard))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// With a bearer configured: 401 unless the request carries it.
async fn guard(State(state): State<Arc<Introspect>>, request: Request, next: Next) -> Response {
    let Some(expected) = &state.bearer else {
        return next.run(request).await;
    };
    let presented = bearer_token(request.headers());
    if presented
        .as_deref()
        .is_some_and(|token| constant_time_eq(token.as_bytes(), expected.expose().as_bytes()))
    {
        return next.run(request).await;
    }
    tracing::info!(
        bearer_presented = presented.is_some(),
        "refused a discovery request: missing or wrong bearer"
    );
    let mut response = (
        StatusCode::UNAUTHORIZED,
        axum::Json(json!({ "error": "unauthorized" })),
    )
        .into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"introspect\""),
    );
    response
}

/// `GET`: an MCP client opens a notification stream; there is none here.
async fn no_stream() -> StatusCode {
    StatusCode::NO_CONTENT
}

/// `DELETE`: an MCP client ends its session; there is none to end.
async fn no_session() -> StatusCode {
    StatusCode::OK
}

/// `POST`: one JSON-RPC message, answered if it belongs to discovery.
async fn answer(State(state): State<Arc<Introspect>>, headers: HeaderMap, body: Bytes) -> Response {
    let Ok(message) = serde_json::from_slice::<Value>(&body) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            Value::Null,
            ErrorCode::PARSE_ERROR,
            "Parse error",
        );
    };
    let id = message.get("id").cloned().unwrap_or(Value::Null);
    let Some(method) = message.get("method").and_then(Value::as_str) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            id,
            ErrorCode::INVALID_REQUEST,
            "Invalid Request",
        );
    };
    let stateless = state.names_stateless_revision(&headers, &message);
    let result = match method {
        // Acknowledged and dropped: none changes what discovery answers.
        m if m.starts_with("notifications/") => return StatusCode::ACCEPTED.into_response(),
        "initialize" => state.initialize(message.get("params")),
        "server/discover" => state.discover(),
        "tools/list" => state.tools(stateless),
        _ => {
            let method: String = method.chars().take(64).collect();
            tracing::info!(
                method,
                "refused a discovery request: only discovery is served at /_introspect"
            );
            let status = if stateless {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::METHOD_NOT_ALLOWED
            };
            return refuse(status, id, ErrorCode::METHOD_NOT_FOUND, "Method not found");
        }
    };
    match result {
        Ok(result) => {
            tracing::debug!(method, "answered a discovery request");
            axum::Json(json!({ "jsonrpc": "2.0", "id": id, "result": result })).into_response()
        }
        Err(error) => {
            tracing::warn!(method, error = %error.message, "could not answer a discovery request");
            let body = json!({ "jsonrpc": "2.0", "id": id, "error": error });
            (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response()
        }
    }
}

impl Introspect {
    /// Whether the request names a revision without the `initialize` handshake (2026-07-28), in
    /// the `MCP-Protocol-Version` header or its `_meta`.
    fn names_stateless_revision(&self, headers: &HeaderMap, message: &Value) -> bool {
        let header = headers
            .get("mcp-protocol-version")
            .and_then(|v| v.to_str().ok());
        let meta = message
            .pointer(META_PROTOCOL_VERSION)
            .and_then(Value::as_str);
        let supported = self.handler.supported_protocol_versions();
        [header, meta].into_iter().flatten().any(|named| {
            supported
                .iter()
                .any(|v| v.as_str() == named && !v.has_initialize())
        })
    }

    /// `initialize`: the server's info, at the revision negotiated as `/mcp` would.
    fn initialize(&self, params: Option<&Value>) -> Result<Value, ErrorData> {
        let requested = params
            .and_then(|p| p.get("protocolVersion"))
            .and_then(|v| serde_json::from_value::<ProtocolVersion>(v.clone()).ok())
            .unwrap_or_default();
        // Only the version takes part in negotiation; the client's identity is not kept.
        let mut request = InitializeRequestParams::new(
            ClientCapabilities::default(),
            Implementation::new("introspect", ""),
        );
        request.protocol_version = requested;
        to_value(self.handler.negotiate_initialize(&request)?)
    }

    /// `server/discover`: what rmcp answers on `/mcp`.
    fn discover(&self) -> Result<Value, ErrorData> {
        to_value(DiscoverResult::from_server_info(
            self.handler.supported_protocol_versions().into_owned(),
            self.handler.get_info(),
        ))
    }

    /// `tools/list`: the list `/mcp` gives, shaped for the request's revision as rmcp shapes it.
    fn tools(&self, stateless: bool) -> Result<Value, ErrorData> {
        let mut result = ServerResult::ListToolsResult(self.handler.tool_list());
        if stateless {
            result.fill_missing_cache_hints();
        } else {
            result.strip_result_type_for_legacy_peer();
            result.strip_non_object_output_for_legacy_peer();
        }
        to_value(result)
    }
}

fn to_value(result: impl serde::Serialize) -> Result<Value, ErrorData> {
    serde_json::to_value(result).map_err(|e| ErrorData::internal_error(e.to_string(), None))
}

/// A JSON-RPC error answer.
fn refuse(status: StatusCode, id: Value, code: ErrorCode, message: &'static str) -> Response {
    let error = ErrorData::new(code, message, None);
    let body = json!({ "jsonrpc": "2.0", "id": id, "error": error });
    (status, axum::Json(body)).into_response()
}
