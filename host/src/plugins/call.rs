//! One tool call: a fresh `Store` and instance, bounded in memory, CPU time and wall time, with
//! that call's identity. Whatever the plugin does, the branch it checked out is restored and the
//! outcome is a value, never a crash of the server.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use wasmtime::component::ResourceTable;
use wasmtime::{Store, StoreLimits, StoreLimitsBuilder, Trap, UpdateDeadline};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::engine::{EPOCH_TICK, Runtime};
use super::policy::Policy;
use crate::bindings::PluginPre;
use crate::bindings::types::{CallContext, ToolError, ToolOutput};
use crate::capability::session::{BranchLease, BranchLocks};
use crate::looker::{Identity, LookerClient};

/// Sends an MCP progress notification: (progress, total, message).
pub type ProgressSink = Arc<dyn Fn(f64, Option<f64>, Option<String>) + Send + Sync>;

/// Sends a plugin log line to the MCP client: (level, logger, message). Awaited by the plugin's
/// `log` call, so lines reach the client before the call's result.
pub type LogSink = Arc<
    dyn Fn(
            crate::bindings::wit_log::Level,
            &str,
            &str,
        ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>
        + Send
        + Sync,
>;

/// Limits applied to every call of a component.
#[derive(Clone, Debug)]
pub struct CallLimits {
    pub memory_bytes: usize,
    pub cpu: Duration,
    pub wall: Duration,
    pub max_response_bytes: u64,
    pub max_result_bytes: usize,
}

impl CallLimits {
    /// The limits a third-party plugin's policy grants (the wall-clock limit is the server's).
    pub fn from_policy(policy: &Policy, wall: Duration) -> Self {
        const MIB: usize = 1024 * 1024;
        Self {
            memory_bytes: policy.memory_mb as usize * MIB,
            cpu: Duration::from_millis(u64::from(policy.cpu_ms)),
            wall,
            max_response_bytes: u64::from(policy.max_response_mb) * MIB as u64,
            max_result_bytes: policy.max_result_mb as usize * MIB,
        }
    }
}

/// Everything a call needs from the server.
#[derive(Clone)]
pub struct CallEnv {
    pub looker: Arc<LookerClient>,
    pub identity: Identity,
    pub sudo_enabled: bool,
    /// The `call-context` settings handed to the plugin.
    pub settings: Arc<Vec<(String, String)>>,
    pub limits: CallLimits,
    pub cancel: CancellationToken,
    pub progress: Option<ProgressSink>,
    /// Where plugin log lines go besides stderr: the client, when it set a level.
    pub log: Option<LogSink>,
    pub branch_locks: Arc<BranchLocks>,
    /// Tool name, for logs and audit lines.
    pub tool: Arc<str>,
    /// What the calling plugin may do.
    pub policy: Arc<Policy>,
}

/// Why a call produced no output.
#[derive(Debug, thiserror::Error)]
pub enum CallFailure {
    #[error("{0}")]
    Tool(ToolError),
    #[error("the {group} plugin crashed: {message}")]
    Trap { group: Arc<str>, message: String },
    #[error("the {group} plugin used more than its {} ms CPU budget and was stopped", .cpu.as_millis())]
    CpuLimit { group: Arc<str>, cpu: Duration },
    #[error("the call did not finish within {} s and was stopped", .0.as_secs())]
    Timeout(Duration),
    #[error("the call was cancelled")]
    Cancelled,
    #[error("the {group} plugin returned {size} bytes, more than its {limit}-byte result limit")]
    ResultTooLarge {
        group: Arc<str>,
        size: usize,
        limit: usize,
    },
}

/// The data of one call's `Store`.
pub struct CallState {
    wasi: WasiCtx,
    table: ResourceTable,
    limits: StoreLimits,
    pub(crate) group: Arc<str>,
    pub(crate) env: CallEnv,
    /// Who Looker requests run as; `act-as-user` may change it during the call.
    pub(crate) identity: Identity,
    /// Branches checked out by `use-branch`, restored when the call ends.
    pub(crate) leases: Vec<BranchLease>,
}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl CallState {
    fn new(group: Arc<str>, env: CallEnv) -> Self {
        // Nothing granted: no preopens, env, args or network; stdout and stderr are sinks, so a
        // stray print in a plugin can never reach the JSON-RPC stream on our stdout.
        let wasi = WasiCtx::builder()
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        let limits = StoreLimitsBuilder::new()
            .memory_size(env.limits.memory_bytes)
            .table_elements(100_000)
            .instances(64)
            .trap_on_grow_failure(true)
            .build();
        let identity = env.identity.clone();
        Self {
            wasi,
            table: ResourceTable::new(),
            limits,
            group,
            env,
            identity,
            leases: Vec::new(),
        }
    }
}

/// Runs `tool` of a component in a fresh instance.
pub async fn run(
    runtime: &Runtime,
    pre: &PluginPre<CallState>,
    group: Arc<str>,
    tool: &str,
    arguments: &str,
    env: CallEnv,
) -> Result<ToolOutput, CallFailure> {
    let cancel = env.cancel.clone();
    let limits = env.limits.clone();
    let context = CallContext {
        settings: env.settings.as_ref().clone(),
    };
    // Declared before the store, so the slot is released only after the instance is gone. A call
    // waiting for a slot can still be cancelled.
    let _slot = tokio::select! {
        permit = runtime.slots.acquire() => permit.map_err(|_| CallFailure::Cancelled)?,
        () = cancel.cancelled() => return Err(CallFailure::Cancelled),
    };
    let mut store = Store::new(&runtime.engine, CallState::new(group.clone(), env));
    store.limiter(|state| &mut state.limits);
    let budget = (limits.cpu.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64;
    let mut ticks = 0u64;
    store.set_epoch_deadline(1);
    // Each tick the plugin is still running costs one unit of its budget; in between it yields so
    // a looping plugin never starves the tokio worker it runs on.
    store.epoch_deadline_callback(move |_| {
        ticks += 1;
        if ticks > budget {
            Ok(UpdateDeadline::Interrupt)
        } else {
            Ok(UpdateDeadline::YieldCustom(
                1,
                Box::pin(tokio::task::yield_now()),
            ))
        }
    });

    let outcome = {
        let execution = async {
            let instance = pre.instantiate_async(&mut store).await?;
            instance
                .looker_mcp_tool_group()
                .call_call(&mut store, tool, arguments, &context)
                .await
        };
        tokio::select! {
            result = tokio::time::timeout(limits.wall, execution) => match result {
                Ok(Ok(Ok(output))) => match output_size(&output) {
                    size if size > limits.max_result_bytes => Err(CallFailure::ResultTooLarge {
                        group: group.clone(),
                        size,
                        limit: limits.max_result_bytes,
                    }),
                    _ => Ok(output),
                },
                Ok(Ok(Err(tool_error))) => Err(CallFailure::Tool(tool_error)),
                Ok(Err(trap)) => Err(classify_trap(&group, &trap, limits.cpu)),
                Err(_) => Err(CallFailure::Timeout(limits.wall)),
            },
            () = cancel.cancelled() => Err(CallFailure::Cancelled),
        }
    };
    let state = store.into_data();
    for lease in state.leases {
        lease
            .restore(
                &state.env.looker,
                &state.identity,
                limits.max_response_bytes,
            )
            .await;
    }
    outcome
}

/// Bytes a result carries (its text, binary data and structured JSON).
fn output_size(output: &ToolOutput) -> usize {
    use crate::bindings::types::Content;
    let content: usize = output
        .content
        .iter()
        .map(|c| match c {
            Content::Text(t) => t.len(),
            Content::Image(b) => b.data.len(),
            Content::Resource((uri, b)) => uri.len() + b.data.len(),
        })
        .sum();
    content + output.structured.as_ref().map_or(0, String::len)
}

fn classify_trap(group: &Arc<str>, error: &wasmtime::Error, cpu: Duration) -> CallFailure {
    if error.downcast_ref::<Trap>() == Some(&Trap::Interrupt) {
        return CallFailure::CpuLimit {
            group: group.clone(),
            cpu,
        };
    }
    let message = match error.downcast_ref::<Trap>() {
        Some(trap) => trap.to_string(),
        None => format!("{error:#}"),
    };
    tracing::warn!(group = %group, error = %format!("{error:?}"), "plugin trapped");
    CallFailure::Trap {
        group: group.clone(),
        message,
    }
}

/// Asks a component for its group info, with the same bounds as a call.
pub async fn describe(
    runtime: &Runtime,
    pre: &PluginPre<CallState>,
    env: &CallEnv,
) -> wasmtime::Result<crate::bindings::types::GroupInfo> {
    let context = CallContext {
        settings: env.settings.as_ref().clone(),
    };
    let _slot = runtime.slots.acquire().await?;
    let mut store = Store::new(
        &runtime.engine,
        CallState::new("(loading)".into(), env.clone()),
    );
    store.limiter(|state| &mut state.limits);
    store.set_epoch_deadline((env.limits.cpu.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64);
    let execution = async {
        let instance = pre.instantiate_async(&mut store).await?;
        instance
            .looker_mcp_tool_group()
            .call_describe(&mut store, &context)
            .await
    };
    tokio::time::timeout(Duration::from_secs(10), execution)
        .await
        .map_err(|_| wasmtime::format_err!("describe did not return within 10 s"))?
}
