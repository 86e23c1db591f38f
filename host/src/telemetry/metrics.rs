//! Prometheus metrics (`LOOKER_METRICS=true`), scraped at `/metrics` on the HTTP transport.
//! Labels are bounded and never carry a value a client sent: tool names only once the server
//! knows the tool, Looker routes as spec templates, error types as fixed words or codes.

use std::sync::OnceLock;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

/// The buckets the MCP semantic conventions advise for `mcp.server.operation.duration`, in
/// seconds; used for every duration here.
const BUCKETS: [f64; 14] = [
    0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
];

fn histogram() -> Histogram {
    Histogram::new(BUCKETS.iter().copied())
}

/// Linear-memory buckets for plugin calls: 1 MiB to 1 GiB, doubling.
fn memory_histogram() -> Histogram {
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(
        1024.0 * 1024.0,
        2.0,
        11,
    ))
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Operation {
    mcp_method_name: String,
    gen_ai_tool_name: String,
    error_type: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ToolLabel {
    gen_ai_tool_name: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ToolError {
    gen_ai_tool_name: String,
    error_type: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LookerRequest {
    http_request_method: String,
    http_route: String,
    http_response_status_code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Group {
    group: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BranchLockWait {
    /// `local` or `redis`.
    backend: String,
    /// `taken`, `busy` (waited the whole `LOOKER_BRANCH_WAIT_SECONDS`), `cancelled` or `error`.
    outcome: String,
}

struct Metrics {
    registry: Registry,
    operations: Family<Operation, Histogram>,
    tool_calls: Family<ToolLabel, Counter>,
    tool_errors: Family<ToolError, Counter>,
    looker: Family<LookerRequest, Histogram>,
    plugin_wall: Family<Group, Histogram>,
    plugin_cpu: Family<Group, Counter<f64, AtomicU64>>,
    plugin_memory: Family<Group, Histogram>,
    branch_lock_wait: Family<BranchLockWait, Histogram>,
    sessions: Gauge,
}

static METRICS: OnceLock<Metrics> = OnceLock::new();

/// Turns metrics on for this process (once; later calls do nothing).
pub fn enable() {
    METRICS.get_or_init(|| {
        let mut registry = Registry::default();
        let operations =
            Family::<Operation, Histogram>::new_with_constructor(histogram as fn() -> Histogram);
        registry.register_with_unit(
            "mcp_server_operation_duration",
            "Duration of MCP requests handled by the server (mcp.server.operation.duration)",
            Unit::Seconds,
            operations.clone(),
        );
        let tool_calls = Family::default();
        registry.register(
            "looker_mcp_tool_calls",
            "tools/call requests, per tool",
            tool_calls.clone(),
        );
        let tool_errors = Family::default();
        registry.register(
            "looker_mcp_tool_errors",
            "tools/call requests that ended in an error, per tool and error type",
            tool_errors.clone(),
        );
        let looker = Family::<LookerRequest, Histogram>::new_with_constructor(
            histogram as fn() -> Histogram,
        );
        registry.register_with_unit(
            "looker_mcp_looker_request_duration",
            "Looker API requests: latency per method, route template and status",
            Unit::Seconds,
            looker.clone(),
        );
        let plugin_wall =
            Family::<Group, Histogram>::new_with_constructor(histogram as fn() -> Histogram);
        registry.register_with_unit(
            "looker_mcp_plugin_call_duration",
            "Wall time of plugin calls (instantiate to return), per group",
            Unit::Seconds,
            plugin_wall.clone(),
        );
        let plugin_cpu = Family::default();
        registry.register_with_unit(
            "looker_mcp_plugin_cpu",
            "Plugin CPU time, sampled by the engine's 10 ms epoch ticks, per group",
            Unit::Seconds,
            plugin_cpu.clone(),
        );
        let plugin_memory =
            Family::<Group, Histogram>::new_with_constructor(memory_histogram as fn() -> Histogram);
        registry.register_with_unit(
            "looker_mcp_plugin_memory_peak",
            "Most linear memory a plugin call held, per group",
            Unit::Bytes,
            plugin_memory.clone(),
        );
        let branch_lock_wait = Family::<BranchLockWait, Histogram>::new_with_constructor(
            histogram as fn() -> Histogram,
        );
        registry.register_with_unit(
            "looker_mcp_branch_lock_wait",
            "Time calls waited for a git branch lock (dev-mode tools), per backend and outcome",
            Unit::Seconds,
            branch_lock_wait.clone(),
        );
        let sessions = Gauge::default();
        registry.register(
            "looker_mcp_sessions",
            "MCP sessions open now",
            sessions.clone(),
        );
        Metrics {
            registry,
            operations,
            tool_calls,
            tool_errors,
            looker,
            plugin_wall,
            plugin_cpu,
            plugin_memory,
            branch_lock_wait,
            sessions,
        }
    });
}

/// Whether metrics are on (`/metrics` answers 404 otherwise).
pub fn enabled() -> bool {
    METRICS.get().is_some()
}

/// The Prometheus text exposition of every metric; `None` when metrics are off.
pub fn render() -> Option<String> {
    let metrics = METRICS.get()?;
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &metrics.registry).ok()?;
    Some(text)
}

/// One MCP request: its method, the (known) tool it called, its error type, its duration.
pub fn operation(method: &str, tool: Option<&str>, error_type: Option<&str>, took: Duration) {
    let Some(metrics) = METRICS.get() else {
        return;
    };
    let tool_name = tool.unwrap_or_default().to_owned();
    metrics
        .operations
        .get_or_create(&Operation {
            mcp_method_name: method.to_owned(),
            gen_ai_tool_name: tool_name.clone(),
            error_type: error_type.unwrap_or_default().to_owned(),
        })
        .observe(took.as_secs_f64());
    if let Some(tool) = tool {
        metrics
            .tool_calls
            .get_or_create(&ToolLabel {
                gen_ai_tool_name: tool.to_owned(),
            })
            .inc();
        if let Some(error_type) = error_type {
            metrics
                .tool_errors
                .get_or_create(&ToolError {
                    gen_ai_tool_name: tool_name,
                    error_type: error_type.to_owned(),
                })
                .inc();
        }
    }
}

/// One Looker API request (each attempt): method, route template, status (`0`: no answer).
pub fn looker_request(method: &str, route: &str, status: u16, took: Duration) {
    if let Some(metrics) = METRICS.get() {
        metrics
            .looker
            .get_or_create(&LookerRequest {
                http_request_method: method.to_owned(),
                http_route: route.to_owned(),
                http_response_status_code: status.to_string(),
            })
            .observe(took.as_secs_f64());
    }
}

/// One plugin call of `group`: its wall time, its epoch-sampled CPU time and the most linear
/// memory it held (bytes).
pub fn plugin_call(group: &str, wall: Duration, cpu: Duration, memory: usize) {
    if let Some(metrics) = METRICS.get() {
        let label = Group {
            group: group.to_owned(),
        };
        metrics
            .plugin_wall
            .get_or_create(&label)
            .observe(wall.as_secs_f64());
        metrics
            .plugin_cpu
            .get_or_create(&label)
            .inc_by(cpu.as_secs_f64());
        metrics
            .plugin_memory
            .get_or_create(&label)
            .observe(memory as f64);
    }
}

/// One wait for a branch lock: the backend (`local`, `redis`), how it ended, how long it took.
pub fn branch_lock_wait(backend: &'static str, outcome: &'static str, took: Duration) {
    if let Some(metrics) = METRICS.get() {
        metrics
            .branch_lock_wait
            .get_or_create(&BranchLockWait {
                backend: backend.to_owned(),
                outcome: outcome.to_owned(),
            })
            .observe(took.as_secs_f64());
    }
}

/// A session opened (`+1`) or closed (`-1`).
pub fn sessions(delta: i64) {
    if let Some(metrics) = METRICS.get() {
        metrics.sessions.inc_by(delta);
    }
}
