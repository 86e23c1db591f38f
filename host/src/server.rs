//! The MCP server: lists the loaded components' tools and routes each call to its component.
//! Transport-agnostic; `transport::{stdio, http}` only carry it.

use std::sync::{Arc, Mutex, PoisonError, RwLock};

use base64::Engine as _;
use rmcp::handler::server::ServerHandler;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, CompleteRequestParams, CompleteResult,
    ContentBlock, ExtensionCapabilities, GetPromptRequestParams, GetPromptResponse, Implementation,
    InputResponses, JsonObject, ListPromptsResult, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ProgressNotificationParam,
    ReadResourceRequestParams, ReadResourceResponse, ResourceContents, ServerCapabilities,
    ServerConfig, Tool, ToolAnnotations,
};
use rmcp::service::{NotificationContext, Peer, RequestContext};
use rmcp::{ErrorData as McpError, RoleServer};
use serde_json::Value;

use crate::bindings::types::{Content, ToolError, ToolOutput};
use crate::capability::{CallScope, ProgressSink};
use crate::client_log::SessionLogLevel;
use crate::confirm::{self, Decision};
use crate::fit::Fit;
use crate::fit::progressive::{self, MetaCall, ToolMode};
use crate::governance::{CallAudit, ToolLists};
use crate::identity::{IdentityError, Principal};
use crate::looker::Identity;
use crate::runtime::{CallFailure, Registry, ToolEntry};
use crate::semantic::{self, app_view, completions::Completions, prompts, resources};

/// Name reported in `serverInfo`, the same as the binary.
pub const SERVER_NAME: &str = "looker-mcp-server";

/// The MCP handler. Clones share everything; [`LookerMcp::new_session`] gives an HTTP session
/// its own per-session state.
#[derive(Clone)]
pub struct LookerMcp {
    shared: Arc<Shared>,
    log_level: SessionLogLevel,
}

/// What every session shares: the current tool set, replaced whole by a plugin reload, and the
/// connected clients to tell when it changes.
struct Shared {
    current: RwLock<Arc<Inner>>,
    peers: Mutex<Vec<Peer<RoleServer>>>,
}

/// One consistent tool set. A request takes it once ([`LookerMcp::inner`]) and keeps it to the
/// end, so a call in flight during a reload finishes on the components it started on.
struct Inner {
    registry: Registry,
    /// The served tools: the loaded tools the governance rules leave.
    tools: Vec<Tool>,
    /// What `tools/list` shows: `tools`, or in progressive mode its core and the three
    /// progressive tools.
    listed: Vec<Tool>,
    tool_lists: ToolLists,
    fit: Fit,
    /// The `initialize` instructions, for the tools served.
    instructions: String,
    /// Tool answers behind `completion/complete`, per caller.
    completions: Completions,
}

impl Inner {
    /// The tool list is built once here, without the tools the allow/deny lists or the
    /// read-only posture leave out. Where no caller may use `act_as_user`, tool schemas do not
    /// offer it. `fit` shapes the list and the results.
    fn new(registry: Registry, tool_lists: ToolLists, fit: Fit) -> Self {
        let offer_act_as = registry.services().identities.act_as_offered();
        let read_only = registry.services().governance.read_only;
        let served = |entry: &ToolEntry| refusal(entry, &tool_lists, read_only).is_none();
        let tools: Vec<Tool> = registry
            .tools()
            .iter()
            .filter(|entry| served(entry))
            .map(|entry| fit.tool(to_mcp_tool(entry, offer_act_as)))
            .collect();
        let listed = progressive::listed(fit.tool_mode, &tools);
        let mut instructions = fit.instructions(&registry, served);
        if fit.tool_mode == ToolMode::Progressive {
            instructions.push_str(&format!("\n{}", progressive::INSTRUCTIONS));
        }
        Self {
            registry,
            tools,
            listed,
            tool_lists,
            fit,
            instructions,
            completions: Completions::default(),
        }
    }

    /// Whether `name` is a served tool.
    fn serves(&self, name: &str) -> bool {
        self.tools.iter().any(|t| t.name == name)
    }
}

/// How a reload changed the listed tools.
#[derive(Debug, Default, PartialEq)]
pub struct ToolListChange {
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

impl ToolListChange {
    fn between(before: &[Tool], after: &[Tool]) -> Self {
        let names =
            |tools: &[Tool]| -> Vec<String> { tools.iter().map(|t| t.name.to_string()).collect() };
        let (before, after) = (names(before), names(after));
        Self {
            added: after
                .iter()
                .filter(|n| !before.contains(n))
                .cloned()
                .collect(),
            removed: before
                .iter()
                .filter(|n| !after.contains(n))
                .cloned()
                .collect(),
        }
    }

    /// Whether the listed tools are the same.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

/// Whether a result is fitted to the client's budget (`tools/call`) or kept whole for the host
/// (resources and completions shape their own compact answers).
#[derive(Clone, Copy, PartialEq)]
enum Fitting {
    Client,
    Whole,
}

impl LookerMcp {
    /// Wraps the loaded registry (see [`Inner::new`] for what is served).
    pub fn new(registry: Registry, tool_lists: ToolLists, fit: Fit) -> Self {
        Self {
            shared: Arc::new(Shared {
                current: RwLock::new(Arc::new(Inner::new(registry, tool_lists, fit))),
                peers: Mutex::default(),
            }),
            log_level: SessionLogLevel::default(),
        }
    }

    /// The current tool set, for one request.
    fn inner(&self) -> Arc<Inner> {
        self.shared
            .current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Serves `registry` from now on (a plugin reload): new requests see it at once, calls in
    /// flight finish on the components they started on, and when the listed tools differ
    /// every connected client gets `notifications/tools/list_changed`.
    pub async fn replace(&self, registry: Registry, tool_lists: ToolLists) -> ToolListChange {
        let fit = self.inner().fit.clone();
        let next = Arc::new(Inner::new(registry, tool_lists, fit));
        let previous = std::mem::replace(
            &mut *self
                .shared
                .current
                .write()
                .unwrap_or_else(PoisonError::into_inner),
            next.clone(),
        );
        let change = ToolListChange::between(&previous.listed, &next.listed);
        if !change.is_empty() {
            self.notify_tool_list_changed().await;
        }
        change
    }

    /// Sends `notifications/tools/list_changed` to every connected client, forgetting the
    /// ones that went away.
    async fn notify_tool_list_changed(&self) {
        let peers: Vec<Peer<RoleServer>> = self.live_peers().clone();
        for peer in peers {
            if let Err(error) = peer.notify_tool_list_changed().await {
                tracing::debug!(%error, "could not send tools/list_changed");
            }
        }
    }

    /// The connected clients, the ones whose session ended forgotten (so the list stays as long
    /// as the live sessions).
    fn live_peers(&self) -> std::sync::MutexGuard<'_, Vec<Peer<RoleServer>>> {
        let mut peers = self
            .shared
            .peers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        peers.retain(|peer| !peer.is_transport_closed());
        peers
    }

    /// A handler for a new MCP session: the same server, fresh per-session state (log level).
    pub fn new_session(&self) -> Self {
        Self {
            shared: self.shared.clone(),
            log_level: SessionLogLevel::default(),
        }
    }

    /// The Looker client (for readiness checks).
    pub fn looker(&self) -> Arc<crate::looker::LookerClient> {
        self.services().looker.clone()
    }

    /// Branch-swap coordination, and with Redis the shared MCP sessions.
    pub fn coordination(&self) -> Arc<crate::coordination::Coordination> {
        self.services().coordination.clone()
    }

    /// What every call shares (the Looker client, identities, coordination, governance); the
    /// same across reloads.
    pub fn services(&self) -> Arc<crate::capability::Services> {
        self.inner().registry.services().clone()
    }

    /// The plugin slots calls share (a shutdown waits for and stops calls through them); the
    /// same across reloads.
    pub fn slots(&self) -> Arc<crate::runtime::Slots> {
        self.inner().registry.slots().clone()
    }

    /// Runs `visit` on the registry served now (a reload builds the next one from it).
    pub fn with_registry<T>(&self, visit: impl FnOnce(&Registry) -> T) -> T {
        visit(&self.inner().registry)
    }

    /// The `tools/list` answer, in one page (`/_introspect` lists the same).
    pub fn tool_list(&self) -> ListToolsResult {
        ListToolsResult::with_all_items(self.inner().listed.clone())
    }

    /// Whether `name` is a served tool now.
    fn serves(&self, name: &str) -> bool {
        self.inner().serves(name)
    }

    /// One of the progressive tools (`search_tools`, `describe_tool`, `call_tool`); `responses`
    /// are a 2026-07-28 retry's `inputResponses`, for the tool `call_tool` runs.
    async fn meta_call(
        &self,
        call: Result<MetaCall, String>,
        responses: Option<&InputResponses>,
        context: RequestContext<RoleServer>,
    ) -> CallToolResponse {
        let inner = self.inner();
        let tools = &inner.tools;
        match call {
            Err(why) => error_result(format!("Invalid arguments: {why}")).into(),
            Ok(MetaCall::Search { query, limit }) => {
                let registry = &inner.registry;
                let group = |name: &str| {
                    registry
                        .tool(name)
                        .map(|t| registry.groups[t.group].name.to_string())
                        .unwrap_or_default()
                };
                CallToolResult::structured(progressive::search(tools, group, &query, limit)).into()
            }
            Ok(MetaCall::Describe { name }) => match progressive::describe(tools, &name) {
                Ok(description) => CallToolResult::structured(description).into(),
                Err(why) => error_result(why).into(),
            },
            Ok(MetaCall::Call { name, arguments }) => {
                if inner.registry.tool(&name).is_none() {
                    return error_result(progressive::not_served(&name)).into();
                }
                let arguments = match arguments {
                    Value::Object(map) => map,
                    _ => JsonObject::new(),
                };
                self.run(&name, arguments, responses, context, Fitting::Client)
                    .await
            }
        }
    }

    /// Who is calling: the principal the HTTP auth layer attached, or the local user over stdio.
    /// An HTTP request without one never runs (it did not pass the auth layer).
    fn principal(context: &RequestContext<RoleServer>) -> Result<Principal, IdentityError> {
        match context.extensions.get::<http::request::Parts>() {
            None => Ok(Principal::Local),
            Some(parts) => {
                parts.extensions.get::<Principal>().cloned().ok_or_else(|| {
                    IdentityError::refused("the request carries no verified principal")
                })
            }
        }
    }

    /// The scope of one call as `identity`, with the client's progress and log channels.
    fn scope(
        &self,
        context: &RequestContext<RoleServer>,
        tool: &str,
        principal: Principal,
        identity: Identity,
    ) -> CallScope {
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
        CallScope {
            tool: tool.into(),
            principal,
            identity,
            cancel: context.ct.clone(),
            progress,
            log: self.log_level.sink(&context.peer),
            journal: Arc::default(),
        }
    }
}

impl ServerHandler for LookerMcp {
    #[allow(deprecated)] // `logging`: see `client_log`
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_tool_list_changed()
                .enable_logging()
                .enable_resources()
                .enable_prompts()
                .enable_completions()
                .enable_extensions_with(ExtensionCapabilities::from([(
                    app_view::EXTENSION.to_owned(),
                    JsonObject::new(),
                )]))
                .build(),
        )
        .with_server_info(Implementation::new(SERVER_NAME, env!("CARGO_PKG_VERSION")))
        .with_instructions(self.inner().instructions.clone())
    }

    /// Remembers the client, to tell it when a plugin reload changes the tools.
    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        self.live_peers().push(context.peer);
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(app_view::tools(
            self.tool_list(),
            context.client_capabilities().as_ref(),
        ))
    }

    async fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        let cursor = request.as_ref().and_then(|r| r.cursor.as_deref());
        let view = app_view::supported(context.client_capabilities().as_ref());
        resources::list(&self.caller(&context), cursor, view).await
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        Ok(resources::templates())
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        Ok(resources::read(&self.caller(&context), &request.uri)
            .await?
            .into())
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, McpError> {
        self.inner()
            .completions
            .complete(&self.caller(&context), &request)
            .await
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        Ok(prompts::list(&self.caller(&context)))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, McpError> {
        Ok(prompts::get(
            &self.caller(&context),
            &request.name,
            request.arguments.as_ref(),
        )?
        .into())
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
        let inner = self.inner();
        inner
            .listed
            .iter()
            .chain(&inner.tools)
            .find(|t| t.name == name)
            .cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let name = request.name.as_ref();
        let arguments = request.arguments.unwrap_or_default();
        let inner = self.inner();
        if inner.fit.tool_mode == ToolMode::Progressive
            && let Some(call) = MetaCall::parse(name, &arguments)
        {
            let responses = request.input_responses.as_ref();
            return Ok(self.meta_call(call, responses, context).await);
        }
        if inner.registry.tool(name).is_none() {
            return Err(McpError::invalid_params(
                format!("unknown tool: {name}"),
                None,
            ));
        }
        Ok(self
            .run(
                name,
                arguments,
                request.input_responses.as_ref(),
                context,
                Fitting::Client,
            )
            .await)
    }
}

impl LookerMcp {
    /// Runs the loaded tool `name`: coercion, governance, identity, validation, confirmation,
    /// the call, the audit entry and the result budget. Direct calls and `call_tool` both come
    /// here, and so do resources and completions ([`CallerTools`]). `responses` are a
    /// 2026-07-28 retry's `inputResponses`.
    async fn run(
        &self,
        name: &str,
        arguments: JsonObject,
        responses: Option<&InputResponses>,
        context: RequestContext<RoleServer>,
        fitting: Fitting,
    ) -> CallToolResponse {
        match self
            .run_checked(name, arguments, responses, context, fitting)
            .await
        {
            Ok(response) | Err(response) => response,
        }
    }

    /// [`Self::run`], with `Err` for the answers that stop a call early.
    async fn run_checked(
        &self,
        name: &str,
        arguments: JsonObject,
        responses: Option<&InputResponses>,
        context: RequestContext<RoleServer>,
        fitting: Fitting,
    ) -> Result<CallToolResponse, CallToolResponse> {
        let refused = |why: String| CallToolResponse::from(error_result(why));
        let inner = self.inner();
        let tool = inner
            .registry
            .tool(name)
            .ok_or_else(|| refused(progressive::not_served(name)))?;
        let arguments = inner.fit.arguments(tool, arguments.into());
        let services = inner.registry.services().clone();
        if let Some(why) = refusal(tool, &inner.tool_lists, services.governance.read_only) {
            return Err(refused(why));
        }
        let principal = Self::principal(&context).map_err(|e| refused(e.to_string()))?;
        // `act_as_user` is the principal's entitlement, checked before anything else runs.
        if arguments
            .get("act_as_user")
            .is_some_and(|v| !v.is_null() && v.as_str().is_none_or(|s| !s.trim().is_empty()))
            && let Err(why) = services
                .identities
                .may_act_as(&principal, &Identity::ServiceAccount)
        {
            tracing::warn!(tool = name, principal = %principal.describe(), reason = %why, "refused act_as_user");
            return Err(refused(why));
        }
        tool.validate(&arguments).map_err(refused)?;
        let arguments = match confirm::settle(&context, tool, arguments, responses).await {
            Decision::Run(arguments) => arguments,
            Decision::Declined(answer) => return Err(CallToolResult::structured(answer).into()),
            Decision::Ask(question) => return Err(question.into()),
        };
        let started = std::time::Instant::now();
        let identity = match services
            .identities
            .resolve(&principal, &services.looker, name)
            .await
        {
            Ok(identity) => identity,
            Err(error) => {
                tracing::info!(tool = name, principal = %principal.describe(), reason = %error, "refused a call's identity");
                return Err(refused(error.to_string()));
            }
        };
        let scope = self.scope(&context, name, principal.clone(), identity.clone());
        let journal = scope.journal.clone();
        let outcome = inner
            .registry
            .call(tool, &arguments.to_string(), scope)
            .await;
        let acted_as = journal.acted_as();
        let requests = journal.requests();
        CallAudit {
            tool: name,
            principal: principal.describe(),
            identity: match (&acted_as, &identity) {
                (Some(user), _) => format!("user:{user}"),
                (None, Identity::ServiceAccount) => "service_account".into(),
                (None, Identity::Sudo { user_id }) => format!("user:{user_id}"),
                (None, Identity::User { .. }) => "user_token".into(),
            },
            sudo: acted_as.is_some() || matches!(identity, Identity::Sudo { .. }),
            arguments: &arguments,
            requests: requests.clone(),
            outcome: if outcome.is_ok() { "ok" } else { "error" },
        }
        .write(&services.governance.audit);
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        match outcome {
            Ok(output) => {
                tracing::debug!(tool = name, elapsed_ms, "tool call succeeded");
                let result = success_result(output);
                Ok(match fitting {
                    Fitting::Client => inner.fit.result(tool, result),
                    Fitting::Whole => result,
                }
                .into())
            }
            Err(failure) => {
                tracing::info!(tool = name, elapsed_ms, error = %failure, "tool call failed");
                let mut message = describe_failure(&failure);
                if let CallFailure::Tool(ToolError::Looker(e)) = &failure
                    && let Some(failed) = requests.iter().rev().find(|r| r.status == Some(e.status))
                    && let Some(hint) =
                        crate::fit::not_found::hint(e.status, &failed.path, &arguments, |tool| {
                            inner.serves(tool)
                        })
                {
                    message.push_str(&format!("\n{hint}"));
                }
                Ok(error_result(message).into())
            }
        }
    }
}

impl LookerMcp {
    /// The served tools, run for the caller of the request `context` belongs to.
    fn caller<'a>(&'a self, context: &'a RequestContext<RoleServer>) -> CallerTools<'a> {
        CallerTools {
            server: self,
            context,
        }
    }
}

/// [`semantic::Tools`] for one request: each run takes the path of `tools/call` ([`LookerMcp::run`]):
/// the request's principal and its Looker identity, the tool lists, the model allow-list, the
/// audit. Only read-only tools run, and nothing asks the user.
pub struct CallerTools<'a> {
    server: &'a LookerMcp,
    context: &'a RequestContext<RoleServer>,
}

impl semantic::Tools for CallerTools<'_> {
    fn serves(&self, name: &str) -> bool {
        self.server.serves(name)
    }

    async fn run(&self, name: &str, arguments: Value) -> Result<Value, String> {
        let inner = self.server.inner();
        let tool = inner.registry.tool(name);
        if !tool.is_some_and(|t| t.annotations.read_only) || !self.serves(name) {
            return Err(progressive::not_served(name));
        }
        let Value::Object(arguments) = arguments else {
            return Err(format!("{name} takes an object of arguments"));
        };
        let response = self
            .server
            .run(name, arguments, None, self.context.clone(), Fitting::Whole)
            .await;
        let CallToolResponse::Complete(result) = response else {
            return Err(format!("{name} did not complete"));
        };
        let text = || {
            result
                .content
                .iter()
                .filter_map(|c| c.as_text().map(|t| t.text.clone()))
                .collect::<Vec<_>>()
                .join("\n")
        };
        if result.is_error == Some(true) {
            return Err(text());
        }
        result
            .structured_content
            .clone()
            .ok_or_else(|| format!("{name} answered no structured result: {}", text()))
    }

    fn caller_key(&self) -> Result<String, String> {
        LookerMcp::principal(self.context)
            .map(|p| p.key())
            .map_err(|e| e.to_string())
    }
}

fn to_mcp_tool(entry: &ToolEntry, offer_act_as: bool) -> Tool {
    let annotations = ToolAnnotations::with_title(entry.title.clone())
        .read_only(entry.annotations.read_only)
        .destructive(entry.annotations.destructive)
        .idempotent(entry.annotations.idempotent)
        .open_world(false);
    let input_schema = if offer_act_as {
        entry.input_schema.clone()
    } else {
        Arc::new(without_act_as(&entry.input_schema))
    };
    let mut tool = Tool::new(entry.name.clone(), entry.description.clone(), input_schema)
        .with_title(entry.title.clone())
        .with_annotations(annotations);
    if let Some(schema) = &entry.output_schema {
        tool = tool.with_raw_output_schema(schema.clone());
    }
    tool
}

/// Why `tool` is not served here: left out by the allow/deny lists, or it changes Looker on a
/// read-only server.
fn refusal(tool: &ToolEntry, lists: &ToolLists, read_only: bool) -> Option<String> {
    if let Some(why) = lists.refusal(&tool.name) {
        return Some(why);
    }
    (read_only && !tool.annotations.read_only).then(|| {
        format!(
            "the server is read-only (LOOKER_READ_ONLY=true): {} changes Looker and is not served",
            tool.name
        )
    })
}

/// `schema` without the `act_as_user` property, for servers where no caller may use it.
fn without_act_as(schema: &serde_json::Map<String, Value>) -> serde_json::Map<String, Value> {
    let mut schema = schema.clone();
    if let Some(Value::Object(properties)) = schema.get_mut("properties") {
        properties.remove("act_as_user");
    }
    if let Some(Value::Array(required)) = schema.get_mut("required") {
        required.retain(|name| name != "act_as_user");
    }
    schema
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
