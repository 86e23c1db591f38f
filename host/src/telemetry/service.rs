//! [`Traced`]: an MCP service wrapped so each request gets a server span named
//! `{mcp.method.name} {tool}` with the MCP semantic-convention attributes, parented on the
//! `traceparent` of its `_meta`, and an `mcp.server.operation.duration` observation.

use std::borrow::Cow;
use std::time::Instant;

use futures::future::BoxFuture;
use opentelemetry::context::FutureExt;
use opentelemetry::trace::{SpanKind, Status, TraceContextExt};
use opentelemetry::{Context, KeyValue};
use rmcp::handler::server::ServerHandler;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CompleteRequestParams, CompleteResult,
    GetPromptRequestParams, GetPromptResponse, InitializeRequestParams, InitializeResult,
    ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult,
    NumberOrString, PaginatedRequestParams, ProtocolVersion, ReadResourceRequestParams,
    ReadResourceResponse, ServerConfig, Tool,
};
use rmcp::service::{NotificationContext, RequestContext};
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
    method: &'static str,
    /// The tool a `tools/call` names, when the server serves it (an unknown name is the
    /// client's text and is never recorded).
    tool: Option<String>,
}

impl<H: ServerHandler> Traced<H> {
    fn span(&self, operation: &Operation, context: &RequestContext<RoleServer>) -> Option<Context> {
        if !traces::enabled() {
            return None;
        }
        let name = match &operation.tool {
            Some(tool) => format!("{} {tool}", operation.method),
            None => operation.method.to_owned(),
        };
        let mut attributes = vec![
            KeyValue::new("mcp.method.name", operation.method),
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

    /// Runs `work` (the inner handler answering one request) under the request's span and
    /// records its duration; `failed` says whether a successful answer is a tool error.
    async fn observe<'a, T>(
        &'a self,
        operation: Operation,
        context: RequestContext<RoleServer>,
        work: impl FnOnce(RequestContext<RoleServer>) -> BoxFuture<'a, Result<T, McpError>>,
        failed: impl Fn(&T) -> bool,
    ) -> Result<T, McpError> {
        if !traces::enabled() && !metrics::enabled() {
            return work(context).await;
        }
        let span = self.span(&operation, &context);
        let started = Instant::now();
        let handled = work(context);
        let result = match &span {
            Some(span) => handled.with_context(span.clone()).await,
            None => handled.await,
        };
        let error_type: Option<Cow<'static, str>> = match &result {
            Err(error) => Some(error.code.0.to_string().into()),
            Ok(answer) if failed(answer) => Some("tool_error".into()),
            Ok(_) => None,
        };
        metrics::operation(
            operation.method,
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

    /// A request with no tool that cannot fail as a tool does.
    async fn observe_method<'a, T>(
        &'a self,
        method: &'static str,
        context: RequestContext<RoleServer>,
        work: impl FnOnce(RequestContext<RoleServer>) -> BoxFuture<'a, Result<T, McpError>>,
    ) -> Result<T, McpError> {
        let operation = Operation { method, tool: None };
        self.observe(operation, context, work, |_| false).await
    }
}

/// Every method the server answers, delegated to the inner handler under a span; methods the
/// inner handler does not override keep rmcp's defaults (`initialize`, `ping`, …).
impl<H: ServerHandler> ServerHandler for Traced<H> {
    fn get_info(&self) -> ServerConfig {
        self.inner.get_info()
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.inner.get_tool(name)
    }

    async fn initialize(
        &self,
        request: InitializeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<InitializeResult, McpError> {
        self.observe_method("initialize", context, |c| {
            Box::pin(self.inner.initialize(request, c))
        })
        .await
    }

    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        self.inner.on_initialized(context).await
    }

    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        self.observe_method("tools/list", context, |c| {
            Box::pin(self.inner.list_tools(request, c))
        })
        .await
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let name = request.name.as_ref();
        let tool = Some(if self.inner.get_tool(name).is_some() {
            name.to_owned()
        } else {
            "_unknown".to_owned()
        });
        let operation = Operation {
            method: "tools/call",
            tool,
        };
        let failed = |answer: &CallToolResponse| matches!(answer, CallToolResponse::Complete(call) if call.is_error == Some(true));
        self.observe(
            operation,
            context,
            |c| Box::pin(self.inner.call_tool(request, c)),
            failed,
        )
        .await
    }

    async fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        self.observe_method("resources/list", context, |c| {
            Box::pin(self.inner.list_resources(request, c))
        })
        .await
    }

    async fn list_resource_templates(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        self.observe_method("resources/templates/list", context, |c| {
            Box::pin(self.inner.list_resource_templates(request, c))
        })
        .await
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        self.observe_method("resources/read", context, |c| {
            Box::pin(self.inner.read_resource(request, c))
        })
        .await
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, McpError> {
        self.observe_method("completion/complete", context, |c| {
            Box::pin(self.inner.complete(request, c))
        })
        .await
    }

    async fn list_prompts(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        self.observe_method("prompts/list", context, |c| {
            Box::pin(self.inner.list_prompts(request, c))
        })
        .await
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, McpError> {
        self.observe_method("prompts/get", context, |c| {
            Box::pin(self.inner.get_prompt(request, c))
        })
        .await
    }

    #[allow(deprecated)] // the inner handler still answers logging/setLevel
    async fn set_level(
        &self,
        request: rmcp::model::SetLevelRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.observe_method("logging/setLevel", context, |c| {
            Box::pin(self.inner.set_level(request, c))
        })
        .await
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// The names of the methods in the block that starts at `header` (up to the first line that
    /// closes it at column 0).
    fn methods(source: &str, header: &str) -> BTreeSet<String> {
        let start = source.find(header).expect("the impl block is there");
        let block = &source[start..];
        let block = &block[..block.find("\n}\n").expect("the block closes")];
        block
            .lines()
            .filter_map(|line| {
                let line = line.trim_start();
                let rest = line
                    .strip_prefix("async fn ")
                    .or_else(|| line.strip_prefix("fn "))?;
                Some(rest[..rest.find(['(', '<'])?].to_owned())
            })
            .collect()
    }

    /// A method added to the server's handler and not to [`super::Traced`] would silently answer
    /// with rmcp's default behind the wrapper (e.g. no completions over HTTP).
    #[test]
    fn every_method_the_server_answers_is_delegated_by_the_tracing_wrapper() {
        let served = methods(
            include_str!("../server.rs"),
            "impl ServerHandler for LookerMcp {",
        );
        let traced = methods(
            include_str!("service.rs"),
            "impl<H: ServerHandler> ServerHandler for Traced<H> {",
        );
        assert!(served.len() >= 10, "{served:?}");
        let missing: Vec<&String> = served.difference(&traced).collect();
        assert!(
            missing.is_empty(),
            "Traced does not delegate {missing:?}: add them to telemetry/service.rs"
        );
    }
}
