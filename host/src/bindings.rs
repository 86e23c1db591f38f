//! The one `bindgen!` of the host, over `wit/looker-mcp.wit`.
//!
//! Imports are `async` (they wait on Looker) and `trappable`: a host function returns
//! `wasmtime::Result<T>`, where the outer `Err` traps the instance (host bugs, broken limits) and
//! the WIT-level `result` inside carries everything a plugin can handle (timeouts, 4xx/5xx,
//! refused paths).

wasmtime::component::bindgen!({
    path: "../wit",
    world: "plugin",
    imports: { default: async | trappable },
    exports: { default: async },
    // A streamed Looker response body (`looker.body`) lives in the store's resource table.
    with: { "looker:mcp/looker.body": crate::looker::Body },
});

pub use looker::mcp::types;
pub use looker::mcp::{
    log as wit_log, looker as wit_looker, progress as wit_progress, session as wit_session,
};
