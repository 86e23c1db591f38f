//! The `health` tool group: instance health checks, usage analysis and cleanup candidates.
//!
//! The three tools only read. Usage comes from Looker's `system__activity` model (queried with
//! `POST /queries/run/json` and explicit row limits), connection health from
//! `PUT /connections/{name}/test`, the rest from the LookML and content endpoints.

mod activity;
mod analyze;
mod pulse;
mod vacuum;

use looker_mcp_plugin_sdk::{Group, ToolError, export_group};
use serde_json::{Value, json};

export_group!(group);

/// The `health` group's tool table.
pub fn group() -> Group {
    Group::new("health", env!("CARGO_PKG_VERSION"))
        .with_tools(pulse::tools())
        .with_tools(analyze::tools())
        .with_tools(vacuum::tools())
}

/// A check's result, or — when it failed for a reason other than cancellation — its error,
/// also added to `findings`, so one failing check never hides the others.
pub(crate) fn section(
    name: &str,
    result: Result<Value, ToolError>,
    findings: &mut Vec<String>,
) -> Result<Value, ToolError> {
    match result {
        Ok(v) => Ok(v),
        Err(ToolError::Cancelled) => Err(ToolError::Cancelled),
        Err(e) => {
            findings.push(format!("Could not check {name}: {e}"));
            Ok(json!({"error": e.to_string()}))
        }
    }
}

#[cfg(test)]
mod tests;
