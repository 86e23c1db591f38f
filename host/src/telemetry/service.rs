//! [`Traced`]: an MCP service wrapped so each request gets a server span named
//! `{mcp.method.name} {tool}` with the MCP semantic-convention attributes, parented on the
//! `traceparent` of its `_meta`, and an `mcp.server.operation.duration` observation.

use std::borrow::Cow;
use std::time::Instant;

use opentelemetry::context::FutureExt;
use opentelemetry::trace::{SpanKind, Status, TraceContextExt};
use opentelemetry::{Context, KeyValue};
use rmcp::handler::server::ServerHandler;
use rmcp::model::{
    ClientNotification, ClientRequest, NumberOrString, ProtocolVersion, ServerConfig, ServerResult,
};
use rmcp::service::{NotificationContext, RequestContext, Service};
use rmcp::{ErrorData as McpError, RoleServer};

use super::{metrics, traces};

/// An MCP handler whose requests are traced and measured; one per session (it counts them).
pub struct Traced<H> {
    inner: H,
    /// `network.transport`: `pipe` (stdio) or `tcp` (HTTP).
    transport: &'static str,
}

impl<H> Traced<H> {
    /// Wraps the handler of one session carried by `transport` (`pipe` or `tcp`).
    pub fn new(inner: H, transport: &'static str) -> Self {
        metrics::sessions(1);
        Self { inner, transport }
    }
}

impl<H> Drop for Traced<H> {
    fn drop(&mut self) {
        metrics::sessions(-1);
    }
}

/// What one request is, as spans and metrics may show it.
struct Operation {
    method: String,
    /// The tool a `tools/call` names, when the server serves it (an unknown name is the
    /// client's text and is never recorded).
    tool: Option<String>,
}

impl<H: ServerHandler> Traced<H> {
    fn operation(&self, request: &ClientRequest) -> Operation {
        let tool = match request {
            ClientRequest::CallToolRequest(call) => {
                let name = call.params.name.as_ref();
                Some(if self.inner.get_tool(name).is_some() {
                    name.to_owned()
                } else {
                    "_unknown".to_owned()
                })
            }
            _ => None,
        };
        Operation {
            method: request.method().to_owned(),
            tool,
        }
    }

    fn span(&self, operation: &Operation, context: &RequestContext<RoleServer>) -> Option<Context> {
        if !traces::enabled() {
            return None;
        }
        let name = match &operation.tool {
            Some(tool) => format!("{} {tool}", operation.method),
            None => operation.method.clone(),
        };
        let mut attributes = vec![
            KeyValue::new("mcp.method.name", operation.method.clone()),
            KeyValue::new("jsonrpc.request.id", request_id(&context.id)),
            KeyValue::new("network.transport", self.transport),
            KeyValue::new("jsonrpc.protocol.version", "2.0"),
        ];
        if let Some(tool) = &operation.tool {
            attributes.push(KeyValue::new("gen_ai.tool.name", tool.clone()));
            attributes.push(KeyValue::new("gen_ai.operation.name", "execute_tool"));
        }
        if let Some(version) = context.protocol_version() {
            attributes.push(KeyValue::new("mcp.protocol.version", protocol(&version)));
        }
        if let Some(session) = session_id(context) {
            attributes.push(KeyValue::new("mcp.session.id", session));
        }
        let meta = &context.meta.0;
        let parent = traces::remote_parent(
            meta.get_traceparent(),
            meta.0.get("tracestate").and_then(|v| v.as_str()),
        );
        traces::start(name, SpanKind::Server, attributes, &parent)
    }
}

impl<H: ServerHandler> Service<RoleServer> for Traced<H> {
    async fn handle_request(
        &self,
        request: ClientRequest,
        context: RequestContext<RoleServer>,
    ) -> Result<ServerResult, McpError> {
        if !traces::enabled() && !metrics::enabled() {
            return self.inner.handle_request(request, context).await;
        }
        let operation = self.operation(&request);
        let span = self.span(&operation, &context);
        let started = Instant::now();
        let handled = self.inner.handle_request(request, context);
        let result = match &span {
            Some(span) => handled.with_context(span.clone()).await,
            None => handled.await,
        };
        let error_type: Option<Cow<'static, str>> = match &result {
            Err(error) => Some(error.code.0.to_string().into()),
            Ok(ServerResult::CallToolResult(call)) if call.is_error == Some(true) => {
                Some("tool_error".into())
            }
            Ok(_) => None,
        };
        metrics::operation(
            &operation.method,
            operation.tool.as_deref(),
            error_type.as_deref(),
            started.elapsed(),
        );
        if let Some(span) = span {
            let span = span.span();
            if let Some(error_type) = error_type {
                if let Err(error) = &result {
                    span.set_attribute(KeyValue::new(
                        "rpc.response.status_code",
                        i64::from(error.code.0),
                    ));
                }
                span.set_status(Status::error(error_type.clone()));
                span.set_attribute(KeyValue::new("error.type", error_type));
            }
            span.end();
        }
        result
    }

    async fn handle_notification(
        &self,
        notification: ClientNotification,
        context: NotificationContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.inner.handle_notification(notification, context).await
    }

    fn get_info(&self) -> ServerConfig {
        Service::get_info(&self.inner)
    }

    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        Service::supported_protocol_versions(&self.inner)
    }
}

fn request_id(id: &NumberOrString) -> String {
    match id {
        NumberOrString::Number(n) => n.to_string(),
        NumberOrString::String(s) => s.to_string(),
    }
}

fn protocol(version: &ProtocolVersion) -> String {
    serde_json::to_value(version)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The `Mcp-Session-Id` of an HTTP request (none over stdio, nor on `initialize`).
fn session_id(context: &RequestContext<RoleServer>) -> Option<String> {
    let parts = context.extensions.get::<http::request::Parts>()?;
    let value = parts.headers.get("mcp-session-id")?.to_str().ok()?;
    Some(value.to_owned())
}
