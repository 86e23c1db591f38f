//! One tool call: a fresh `Store` and instance, bounded in memory, CPU time and wall time, with
//! that call's identity. Whatever the plugin does, the branch it checked out is restored and the
//! outcome is a value, never a crash of the server. What the store holds is the capabilities'
//! business ([`HostState`]); this module only runs it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use wasmtime::{Store, Trap, UpdateDeadline};

use super::engine::{EPOCH_TICK, Runtime};
use super::slots::SlotError;
use crate::bindings::PluginPre;
use crate::bindings::types::{CallContext, ToolError, ToolOutput};
use crate::capability::{CallScope, Grant, HostState, Services};

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
    /// No plugin slot came free in time ([`super::slots`]).
    #[error("{0}")]
    Busy(SlotError),
    #[error("the {group} plugin returned {size} bytes, more than its {limit}-byte result limit")]
    ResultTooLarge {
        group: Arc<str>,
        size: usize,
        limit: usize,
    },
}

impl CallFailure {
    /// A fixed word for the kind of failure (`error.type` in traces and metrics).
    pub fn kind(&self) -> &'static str {
        match self {
            CallFailure::Tool(ToolError::Looker(_)) => "looker_error",
            CallFailure::Tool(ToolError::InvalidArguments(_)) => "invalid_arguments",
            CallFailure::Tool(ToolError::Request(_)) => "request_refused",
            CallFailure::Tool(ToolError::Cancelled) | CallFailure::Cancelled => "cancelled",
            CallFailure::Tool(ToolError::Internal(_)) => "internal",
            CallFailure::Trap { .. } => "trap",
            CallFailure::CpuLimit { .. } => "cpu_limit",
            CallFailure::Timeout(_) => "timeout",
            CallFailure::Busy(_) => "busy",
            CallFailure::ResultTooLarge { .. } => "result_too_large",
        }
    }
}

/// Runs `tool` of a component in a fresh instance.
#[allow(clippy::too_many_arguments)] // each is one of the call's distinct inputs
pub async fn run(
    runtime: &Runtime,
    pre: &PluginPre<HostState>,
    group: Arc<str>,
    tool: &str,
    arguments: &str,
    services: Arc<Services>,
    grant: Arc<Grant>,
    scope: CallScope,
) -> Result<ToolOutput, CallFailure> {
    let cancel = scope.cancel.clone();
    let limits = grant.limits.clone();
    let context = CallContext {
        settings: services.settings.as_ref().clone(),
    };
    let _in_flight = runtime.slots.begin();
    // Declared before the store, so the slot is released only after the instance is gone. A call
    // waiting for a slot can still be cancelled, and waits a bounded time.
    let _slot = match runtime.slots.acquire(&scope.principal.key(), &cancel).await {
        Ok(slot) => slot,
        Err(SlotError::Cancelled) => return Err(CallFailure::Cancelled),
        Err(busy) => return Err(CallFailure::Busy(busy)),
    };
    // A shutdown past its grace period cancels the call like its client would.
    let stopping = runtime.slots.stopping().clone();
    let state = HostState::new(group.clone(), services, grant, scope);
    let mut store = Store::new(&runtime.engine, state);
    store.limiter(|state| &mut state.store_limits);
    let budget = (limits.cpu.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64;
    let mut ticks = 0u64;
    // The ticks spent, read back for the call's CPU-time metric.
    let spent = Arc::new(AtomicU64::new(0));
    let spent_in_callback = spent.clone();
    store.set_epoch_deadline(1);
    // Each tick the plugin is still running costs one unit of its budget; in between it yields so
    // a looping plugin never starves the tokio worker it runs on.
    store.epoch_deadline_callback(move |_| {
        ticks += 1;
        spent_in_callback.store(ticks, Ordering::Relaxed);
        if ticks > budget {
            Ok(UpdateDeadline::Interrupt)
        } else {
            Ok(UpdateDeadline::YieldCustom(
                1,
                Box::pin(tokio::task::yield_now()),
            ))
        }
    });

    let traced = crate::telemetry::PluginCall::start(&group, tool);
    let outcome = {
        let execution = traced.within(async {
            let instance = pre.instantiate_async(&mut store).await?;
            instance
                .looker_mcp_tool_group()
                .call_call(&mut store, tool, arguments, &context)
                .await
        });
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
            () = stopping.cancelled() => Err(CallFailure::Cancelled),
        }
    };
    let cpu = EPOCH_TICK * spent.load(Ordering::Relaxed) as u32;
    let memory = store.data().store_limits.peak_memory;
    traced.finish(cpu, memory, outcome.as_ref().err().map(CallFailure::kind));
    store.into_data().finish().await;
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
        // `StoreLimits::trap_on_grow_failure`: say what happened instead of wasmtime's chain.
        None if format!("{error:#}").contains("forcing trap when growing memory") => {
            "it reached its memory limit and was stopped".to_owned()
        }
        None => format!("{error:#}"),
    };
    tracing::warn!(group = %group, error = %format!("{error:?}"), "plugin trapped");
    CallFailure::Trap {
        group: group.clone(),
        message,
    }
}

/// Asks a component for its group info, with the same bounds as a call.
/// A `describe` may send no Looker request: its grant allows nothing.
pub async fn describe(
    runtime: &Runtime,
    pre: &PluginPre<HostState>,
    services: Arc<Services>,
    limits: &crate::capability::CallLimits,
) -> wasmtime::Result<crate::bindings::types::GroupInfo> {
    let context = CallContext {
        settings: services.settings.as_ref().clone(),
    };
    let grant = Arc::new(Grant {
        policy: crate::capability::policy::Policy::nothing(),
        limits: limits.clone(),
    });
    let _slot = runtime
        .slots
        .acquire_for_loading()
        .await
        .map_err(wasmtime::Error::msg)?;
    let state = HostState::new("(loading)".into(), services, grant, CallScope::describing());
    let mut store = Store::new(&runtime.engine, state);
    store.limiter(|state| &mut state.store_limits);
    store.set_epoch_deadline((limits.cpu.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64);
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
