//! Progress notifications and cancellation for long-running calls.
//!
//! ```no_run
//! use looker_mcp_plugin_sdk::{progress, ToolError};
//!
//! fn poll_until_done(mut done: impl FnMut() -> Result<bool, ToolError>) -> Result<(), ToolError> {
//!     for attempt in 1.. {
//!         if done()? {
//!             return Ok(());
//!         }
//!         progress::report(f64::from(attempt), None, Some("still running"));
//!         progress::sleep(1000)?; // Err(ToolError::Cancelled) when the client gave up
//!     }
//!     unreachable!()
//! }
//! ```

use crate::ToolError;

/// Reports progress to the client (an MCP progress notification), if it asked for it.
/// `total` is the value `progress` will reach when done, when known.
pub fn report(progress: f64, total: Option<f64>, message: Option<&str>) {
    crate::bindings::report(progress, total, message);
}

/// Waits `millis` milliseconds without holding a host thread. Returns `false` when the client
/// cancelled the call; stop then and return [`ToolError::Cancelled`]. Natively it returns `true`
/// at once.
pub fn wait(millis: u32) -> bool {
    crate::bindings::wait(millis)
}

/// [`wait`], with cancellation turned into `Err(ToolError::Cancelled)` for use with `?`.
pub fn sleep(millis: u32) -> Result<(), ToolError> {
    if wait(millis) {
        Ok(())
    } else {
        Err(ToolError::Cancelled)
    }
}
