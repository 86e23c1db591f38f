//! The host side of each WIT interface a plugin imports (one file per interface, each one
//! `impl Host` on [`HostState`]) and the store data they share, built from three lifetimes:
//! [`Services`] once per process, [`Grant`] once per group, [`CallScope`] once per call.
//! Dependencies run one way: `server → plugins → capability → looker`.

mod branch;
mod grant;
mod log;
mod looker;
pub mod policy;
mod progress;
mod session;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

pub use branch::BranchLease;
pub use grant::{CallLimits, Grant};

use crate::governance::{Governance, RequestRecord};
use crate::identity::{Identities, Principal};
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

/// What every call shares, built once per process.
pub struct Services {
    pub looker: Arc<LookerClient>,
    pub identities: Arc<Identities>,
    /// Branch-swap locks and the restore journal (in process, or shared through Redis).
    pub coordination: Arc<crate::coordination::Coordination>,
    /// The `call-context` settings handed to plugins.
    pub settings: Arc<Vec<(String, String)>>,
    /// Read-only posture, model allow-list, audit trail.
    pub governance: Governance,
}

/// What one call did in Looker, for the audit trail: its requests and whom it acted as.
#[derive(Default)]
pub struct Journal {
    requests: Mutex<Vec<RequestRecord>>,
    acted_as: Mutex<Option<String>>,
}

impl Journal {
    fn push(&self, record: RequestRecord) {
        self.requests.lock().unwrap().push(record);
    }

    /// The requests so far.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.requests.lock().unwrap().clone()
    }

    /// The user `act_as_user` switched to, if it did.
    pub fn acted_as(&self) -> Option<String> {
        self.acted_as.lock().unwrap().clone()
    }
}

/// One call: which tool, for whom, and how to reach the client.
pub struct CallScope {
    pub tool: Arc<str>,
    pub principal: Principal,
    /// The identity requests run as: the principal's ([`Identities::resolve`]), until
    /// `act-as-user` changes it.
    pub identity: Identity,
    pub cancel: CancellationToken,
    pub progress: Option<ProgressSink>,
    pub log: Option<LogSink>,
    /// Where the call's Looker requests are written down.
    pub journal: Arc<Journal>,
}

impl CallScope {
    /// The scope of a `describe` at load time: no caller, no client, and a grant that allows
    /// no Looker request.
    pub fn describing() -> Self {
        Self {
            tool: "describe".into(),
            principal: Principal::Local,
            identity: Identity::ServiceAccount,
            cancel: CancellationToken::new(),
            progress: None,
            log: None,
            journal: Arc::default(),
        }
    }
}

/// A call's store limits, remembering the most linear memory the call was granted (for the
/// `looker_mcp_plugin_memory_peak` metric).
pub(crate) struct MeteredLimits {
    limits: StoreLimits,
    /// Bytes of linear memory at the call's largest, after a granted growth.
    pub(crate) peak_memory: usize,
}

impl From<StoreLimits> for MeteredLimits {
    fn from(limits: StoreLimits) -> Self {
        Self {
            limits,
            peak_memory: 0,
        }
    }
}

impl ResourceLimiter for MeteredLimits {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let granted = self.limits.memory_growing(current, desired, maximum)?;
        if granted {
            self.peak_memory = self.peak_memory.max(desired);
        }
        Ok(granted)
    }

    fn memory_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.limits.memory_grow_failed(error)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.limits.table_growing(current, desired, maximum)
    }

    fn table_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.limits.table_grow_failed(error)
    }

    fn instances(&self) -> usize {
        self.limits.instances()
    }

    fn tables(&self) -> usize {
        self.limits.tables()
    }

    fn memories(&self) -> usize {
        self.limits.memories()
    }
}

/// The data of one call's `Store`.
pub struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(crate) store_limits: MeteredLimits,
    group: Arc<str>,
    services: Arc<Services>,
    grant: Arc<Grant>,
    scope: CallScope,
    /// Branches checked out by `use-branch`, restored when the call ends.
    leases: Vec<BranchLease>,
    /// Streamed response bodies the plugin holds (`looker.body` resources not dropped yet).
    open_bodies: usize,
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl HostState {
    /// The store data for one call of `group`'s component.
    pub fn new(
        group: Arc<str>,
        services: Arc<Services>,
        grant: Arc<Grant>,
        scope: CallScope,
    ) -> Self {
        // Nothing granted: no preopens, env, args or network; stdout and stderr are sinks, so a
        // stray print in a plugin can never reach the JSON-RPC stream on our stdout.
        let wasi = WasiCtx::builder()
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        let store_limits = StoreLimitsBuilder::new()
            .memory_size(grant.limits.memory_bytes)
            .table_elements(100_000)
            .instances(64)
            .trap_on_grow_failure(true)
            .build()
            .into();
        Self {
            wasi,
            table: ResourceTable::new(),
            store_limits,
            group,
            services,
            grant,
            scope,
            leases: Vec::new(),
            open_bodies: 0,
        }
    }

    /// The call's limits.
    pub fn limits(&self) -> &CallLimits {
        &self.grant.limits
    }

    /// Ends the call: puts back every branch it checked out, as the identity that switched it.
    pub async fn finish(self) {
        let max = self.grant.limits.max_response_bytes;
        for lease in self.leases {
            lease
                .restore(&self.services.looker, &self.services.coordination, max)
                .await;
        }
    }

    /// How long the call may run on the wall clock.
    pub fn wall_limit(&self) -> Duration {
        self.grant.limits.wall
    }
}
