//! The MCP server: lists the loaded components' tools and routes each call to its component.
//! Transport-agnostic; `transport::{stdio, http}` only carry it.

use std::sync::Arc;

use base64::Engine as _;
use rmcp::handler::server::ServerHandler;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListToolsResult, PaginatedRequestParams, ProgressNotificationParam, ResourceContents,
    ServerCapabilities, ServerConfig, Tool, ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer};
use serde_json::Value;

use crate::bindings::types::{Content, ToolError, ToolOutput};
use crate::capability::session::BranchLocks;
use crate::client_log::SessionLogLevel;
use crate::config::Config;
use crate::confirm::{self, Decision};
use crate::identity::{IdentityError, IdentityProvider, RequestInfo, VerifiedLookerToken};
use crate::looker::{Identity, LookerClient};
use crate::plugins::call::{CallLimits, ProgressSink};
use crate::plugins::policy::Policy;
use crate::plugins::{CallEnv, CallFailure, Registry, ToolEntry};

/// Name reported in `serverInfo`, the same as the binary.
pub const SERVER_NAME: &str = "looker-mcp-server";

/// The MCP handler. Clones share everything; [`LookerMcp::new_session`] gives an HTTP session
/// its own per-session state.
#[derive(Clone)]
pub struct LookerMcp {
    inner: Arc<Inner>,
    log_level: SessionLogLevel,
}

struct Inner {
    registry: Registry,
    identity: Arc<dyn IdentityProvider>,
    tools: Vec<Tool>,
    looker: Arc<LookerClient>,
    settings: Arc<Vec<(String, String)>>,
    limits: CallLimits,
    sudo_enabled: bool,
    branch_locks: Arc<BranchLocks>,
}

impl LookerMcp {
    /// Wraps the loaded registry; the tool list is built once here.
    pub fn new(
        config: &Config,
        registry: Registry,
        looker: Arc<LookerClient>,
        identity: Arc<dyn IdentityProvider>,
    ) -> Self {
        let tools = registry.tools().iter().map(to_mcp_tool).collect();
        let env = base_env(config, looker.clone(), Arc::new(BranchLocks::default()));
        Self {
            inner: Arc::new(Inner {
                registry,
                identity,
                tools,
                looker,
                settings: env.settings,
                limits: env.limits,
                sudo_enabled: env.sudo_enabled,
                branch_locks: env.branch_locks,
            }),
            log_level: SessionLogLevel::default(),
        }
    }

    /// A handler for a new MCP session: the same server, fresh per-session state (log level).
    pub fn new_session(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            log_level: SessionLogLevel::default(),
        }
    }

    /// The Looker client (for readiness checks).
    pub fn looker(&self) -> &Arc<LookerClient> {
        &self.inner.looker
    }

    /// The loaded registry.
    pub fn registry(&self) -> &Registry {
        &self.inner.registry
    }

    /// Who the call runs as: a token the HTTP auth layer verified, else the identity provider's
    /// answer for the request's headers.
    async fn identity_for(
        &self,
        context: &RequestContext<RoleServer>,
        tool: &ToolEntry,
        arguments: &Value,
    ) -> Result<Identity, IdentityError> {
        let parts = context.extensions.get::<http::request::Parts>();
        if let Some(VerifiedLookerToken(token)) =
            parts.and_then(|p| p.extensions.get::<VerifiedLookerToken>())
        {
            return Ok(Identity::User {
                token: token.clone(),
            });
        }
        let empty = http::HeaderMap::new();
        let request = RequestInfo {
            headers: parts.map_or(&empty, |p| &p.headers),
            tool: &tool.name,
            group: &self.inner.registry.groups[tool.group].name,
            arguments,
        };
        self.inner
            .identity
            .resolve(&request, &self.inner.looker)
            .await
    }

    fn env_for(
        &self,
        context: &RequestContext<RoleServer>,
        tool: &str,
        identity: Identity,
    ) -> CallEnv {
        let progress = context.meta.get_progress_token().map(|token| {
            let peer = context.peer.clone();
            let sink: ProgressSink = Arc::new(move |progress, total, message| {
                let mut param = ProgressNotificationParam::new(token.clone(), progress);
                param.total = total;
                param.message = message;
                let peer = peer.clone();
                tokio::spawn(async move {
                    if let Err(error) = peer.notify_progress(param).await {
                        tracing::debug!(%error, "could not send a progress notification");
                    }
                });
            });
            sink
        });
        CallEnv {
            looker: self.inner.looker.clone(),
            identity,
            sudo_enabled: self.inner.sudo_enabled,
            settings: self.inner.settings.clone(),
            limits: self.inner.limits.clone(),
            cancel: context.ct.clone(),
            progress,
            log: self.log_level.sink(&context.peer),
            branch_locks: self.inner.branch_locks.clone(),
            tool: tool.into(),
            // The registry puts the owning group's own policy and limits in place.
            policy: Arc::new(Policy::builtin()),
        }
    }
}

/// The call environment shared by every call, before per-request parts are filled in.
pub fn base_env(
    config: &Config,
    looker: Arc<LookerClient>,
    branch_locks: Arc<BranchLocks>,
) -> CallEnv {
    let settings = vec![
        ("max_rows".to_string(), config.max_rows.to_string()),
        (
            "query_dev_params".to_string(),
            config.query_dev_params.to_string(),
        ),
        ("sudo_enabled".to_string(), config.sudo_as_user.to_string()),
    ];
    CallEnv {
        looker,
        identity: Identity::ServiceAccount,
        sudo_enabled: config.sudo_as_user,
        settings: Arc::new(settings),
        limits: CallLimits {
            memory_bytes: config.plugin_memory_bytes,
            cpu: config.plugin_cpu,
            wall: config.call_timeout,
            max_response_bytes: config.max_response_bytes,
            max_result_bytes: 64 * 1024 * 1024,
        },
        cancel: Default::default(),
        progress: None,
        log: None,
        branch_locks,
        tool: "describe".into(),
        policy: Arc::new(Policy::builtin()),
    }
}

impl ServerHandler for LookerMcp {
    #[allow(deprecated)] // `logging`: see `client_log`
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_logging()
                .build(),
        )
        .with_server_info(Implementation::new(SERVER_NAME, env!("CARGO_PKG_VERSION")))
        .with_instructions(
            "Tools for a Looker instance: browse LookML models and explores, run queries \
                 through the semantic layer, and manage content. Start with list_models.",
        )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(self.inner.tools.clone()))
    }

    #[allow(deprecated)] // logging is deprecated by the 2026 revision, still part of 2025-*
    async fn set_level(
        &self,
        request: rmcp::model::SetLevelRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.log_level.set(request.level);
        Ok(())
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.inner.tools.iter().find(|t| t.name == name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let name = request.name.as_ref();
        let Some(tool) = self.inner.registry.tool(name) else {
            return Err(McpError::invalid_params(
                format!("unknown tool: {name}"),
                None,
            ));
        };
        let arguments = Value::Object(request.arguments.unwrap_or_default());
        if let Err(problems) = tool.validate(&arguments) {
            return Ok(error_result(problems).into());
        }
        let arguments = match confirm::settle(&context.peer, tool, arguments).await {
            Decision::Run(arguments) => arguments,
            Decision::Declined(answer) => {
                return Ok(CallToolResult::structured(answer).into());
            }
        };
        let started = std::time::Instant::now();
        let identity = match self.identity_for(&context, tool, &arguments).await {
            Ok(identity) => identity,
            Err(error) => return Ok(error_result(error.to_string()).into()),
        };
        let env = self.env_for(&context, name, identity);
        let outcome = self
            .inner
            .registry
            .call(tool, &arguments.to_string(), env)
            .await;
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        match outcome {
            Ok(output) => {
                tracing::debug!(tool = name, elapsed_ms, "tool call succeeded");
                Ok(success_result(output).into())
            }
            Err(failure) => {
                tracing::info!(tool = name, elapsed_ms, error = %failure, "tool call failed");
                Ok(error_result(describe_failure(&failure)).into())
            }
        }
    }
}

fn to_mcp_tool(entry: &crate::plugins::ToolEntry) -> Tool {
    let annotations = ToolAnnotations::with_title(entry.title.clone())
        .read_only(entry.annotations.read_only)
        .destructive(entry.annotations.destructive)
        .idempotent(entry.annotations.idempotent)
        .open_world(false);
    let mut tool = Tool::new(
        entry.name.clone(),
        entry.description.clone(),
        entry.input_schema.clone(),
    )
    .with_title(entry.title.clone())
    .with_annotations(annotations);
    if let Some(schema) = &entry.output_schema {
        tool = tool.with_raw_output_schema(schema.clone());
    }
    tool
}

fn success_result(output: ToolOutput) -> CallToolResult {
    let structured = output
        .structured
        .and_then(|text| serde_json::from_str::<Value>(&text).ok());
    let mut content: Vec<ContentBlock> = output.content.into_iter().map(to_content_block).collect();
    if content.is_empty()
        && let Some(value) = &structured
    {
        content.push(ContentBlock::text(
            serde_json::to_string_pretty(value).unwrap_or_default(),
        ));
    }
    let mut result = CallToolResult::success(content);
    result.structured_content = structured;
    result
}

fn to_content_block(content: Content) -> ContentBlock {
    let b64 = |data: &[u8]| base64::engine::general_purpose::STANDARD.encode(data);
    match content {
        Content::Text(text) => ContentBlock::text(text),
        Content::Image(blob) => ContentBlock::image(b64(&blob.data), blob.mime_type),
        Content::Resource((uri, blob)) => {
            ContentBlock::resource(ResourceContents::BlobResourceContents {
                uri,
                mime_type: Some(blob.mime_type),
                blob: b64(&blob.data),
                meta: None,
            })
        }
    }
}

fn error_result(message: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message)])
}

/// The message an assistant reads when a call fails: specific, and in Looker's words when
/// Looker refused.
fn describe_failure(failure: &CallFailure) -> String {
    match failure {
        CallFailure::Tool(ToolError::Looker(e)) => {
            let mut text = format!("Looker API error (HTTP {}): {}", e.status, e.message);
            if let Some(details) = &e.details {
                text.push_str(&format!("\nDetails: {details}"));
            }
            if let Some(url) = &e.documentation_url {
                text.push_str(&format!("\nDocumentation: {url}"));
            }
            text
        }
        CallFailure::Tool(ToolError::InvalidArguments(why)) => format!("Invalid arguments: {why}"),
        CallFailure::Tool(ToolError::Request(why)) => why.clone(),
        CallFailure::Tool(ToolError::Cancelled) => "The call was cancelled.".into(),
        CallFailure::Tool(ToolError::Internal(why)) => format!("Internal error: {why}"),
        other => other.to_string(),
    }
}
