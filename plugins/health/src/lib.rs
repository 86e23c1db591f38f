//! The `health` tool group: instance health checks, usage analysis and cleanup candidates.
//!
//! The three tools only read. Usage comes from Looker's `system__activity` model (queried with
//! `POST /queries/run/json` and explicit row limits), connection health from
//! `PUT /connections/{name}/test`, the rest from the LookML and content endpoints.

mod activity;
mod analyze;
mod pulse;
mod vacuum;

use looker_mcp_plugin_sdk::{Group, Tool, ToolError, export_group};
use serde_json::{Value, json};

export_group!(group);

/// The `health` group's tool table.
pub fn group() -> Group {
    Group::new("health", env!("CARGO_PKG_VERSION"))
        .tool(
            Tool::new("health_pulse", "Check the instance's health", HEALTH_PULSE)
                .schema(HEALTH_PULSE_SCHEMA)
                .read_only()
                .idempotent()
                .handler(pulse::health_pulse),
        )
        .tool(
            Tool::new(
                "health_analyze",
                "Analyze model or content usage",
                HEALTH_ANALYZE,
            )
            .schema(HEALTH_ANALYZE_SCHEMA)
            .read_only()
            .idempotent()
            .handler(analyze::health_analyze),
        )
        .tool(
            Tool::new("health_vacuum", "Find cleanup candidates", HEALTH_VACUUM)
                .schema(HEALTH_VACUUM_SCHEMA)
                .read_only()
                .idempotent()
                .handler(vacuum::health_vacuum),
        )
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

const HEALTH_PULSE_SCHEMA: &str =
    r#"{"type": "object", "properties": {}, "additionalProperties": false}"#;

const HEALTH_ANALYZE_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "analysis_type": {"type": "string", "enum": ["models", "content"], "default": "models", "description": "`models`: each model's explores with their query counts over 90 days (the default). `content`: the most viewed Looks and dashboards, the dashboards running the most queries, and queries by source."}
  },
  "additionalProperties": false
}"#;

const HEALTH_VACUUM_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "scope": {"type": "string", "enum": ["explores", "content"], "default": "explores", "description": "`explores`: explores not queried in 90 days and unused fields of the queried ones (the default). `content`: Looks and dashboards never viewed or not queried in 90 days."}
  },
  "additionalProperties": false
}"#;

const HEALTH_PULSE: &str = "\
Checks the Looker instance's health and returns `status` (`healthy` or `needs_attention`), \
plain-language `findings`, and four sections: connections (each tested with Looker's \
connection tests, plus its query count over 90 days), queries (runs, errors and error rate over \
7 days, slowest explores), running queries (those running over 5 minutes), dashboards (with \
queries slower than 30 s, or failing, over 7 days), schedules (failed deliveries over 7 days, \
with the error) and datagroups (failing trigger checks). Use it to spot instance-wide problems. Needs access to the `system__activity` model; a check that fails is reported in its \
section and the others still run.";

const HEALTH_ANALYZE: &str = "\
Summarizes how the instance is used, from Looker's `system__activity` usage data over 90 days. \
`models` (default): every model's explores, busiest first, with query counts, average runtime \
and how many explores nobody used. `content`: the ten most viewed Looks and dashboards, the \
dashboards that run the most queries, and queries by source (dashboard, look, explore, API, \
schedule). Use it to see what matters before a cleanup or a change. Example: \
{\"analysis_type\": \"content\"}.";

const HEALTH_VACUUM: &str = "\
Finds cleanup candidates and returns them with the reason. `explores` (default): explores \
nobody queried in 90 days, and for the most used explores the visible fields no query used or \
filtered on. `content`: Looks and dashboards never viewed or with no queries in 90 days (up to \
500 of each are scanned; `partial` says when there are more). It deletes nothing: review the \
candidates, then use the delete tools. Example: {\"scope\": \"content\"}.";

#[cfg(test)]
mod tests;
