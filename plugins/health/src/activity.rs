//! Queries on Looker's `system__activity` model (its record of its own use), run inline with
//! `POST /queries/run/json` and always an explicit row limit.

pub use looker_mcp_plugin_sdk::queries::{Activity, SYSTEM_ACTIVITY as MODEL};
use serde_json::Value;

/// How far back usage questions look.
pub const USAGE_WINDOW: &str = "90 days";

/// How far back instance-health questions look.
pub const RECENT_WINDOW: &str = "7 days";

/// A number from a row (Looker sends numbers; tolerate numeric strings).
pub fn number(row: &Value, field: &str) -> f64 {
    match &row[field] {
        Value::Number(n) => n.as_f64().unwrap_or(0.0),
        Value::String(s) => s.parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// A whole count from a row.
pub fn count(row: &Value, field: &str) -> u64 {
    number(row, field).max(0.0).round() as u64
}

/// Seconds rounded to milliseconds, for display.
pub fn seconds(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
