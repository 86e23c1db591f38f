//! Queries on Looker's `system__activity` model (its record of its own use), run inline with
//! `POST /queries/run/json` and always an explicit row limit.

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::{ToolError, filters};
use serde_json::{Map, Value, json};

/// The model holding Looker's usage data.
pub const MODEL: &str = "system__activity";

/// How far back usage questions look.
pub const USAGE_WINDOW: &str = "90 days";

/// How far back instance-health questions look.
pub const RECENT_WINDOW: &str = "7 days";

/// One `system__activity` query.
pub struct Activity {
    view: &'static str,
    fields: Vec<&'static str>,
    filters: Map<String, Value>,
    sorts: Vec<String>,
    limit: u32,
}

impl Activity {
    /// A query on explore `view` (`history`, `scheduled_plan`, …) returning at most `limit` rows.
    pub fn new(view: &'static str, fields: &[&'static str], limit: u32) -> Self {
        Self {
            view,
            fields: fields.to_vec(),
            filters: Map::new(),
            sorts: Vec::new(),
            limit,
        }
    }

    /// Adds a filter written in Looker's filter syntax (e.g. `7 days`, `>30`, `-NULL`).
    pub fn filter(mut self, field: &str, expression: &str) -> Self {
        self.filters
            .insert(field.to_owned(), Value::String(expression.to_owned()));
        self
    }

    /// Adds a filter matching exactly `value` (escaped, so `_`, `%` and `,` are literal).
    pub fn equals(self, field: &str, value: &str) -> Self {
        let literal = filters::literal(value);
        self.filter(field, &literal)
    }

    /// Sorts by `field`, descending.
    pub fn sort_desc(mut self, field: &str) -> Self {
        self.sorts.push(format!("{field} desc"));
        self
    }

    /// The `Query` body.
    pub fn body(&self) -> Value {
        let mut body = json!({
            "model": MODEL,
            "view": self.view,
            "fields": self.fields,
            "limit": self.limit.to_string(),
        });
        if !self.filters.is_empty() {
            body["filters"] = Value::Object(self.filters.clone());
        }
        if !self.sorts.is_empty() {
            body["sorts"] = json!(self.sorts);
        }
        body
    }

    /// Runs the query; the rows as JSON objects keyed by field name.
    pub fn rows(&self) -> Result<Vec<Value>, ToolError> {
        let answer: Value = Request::post("/queries/run/json")
            .body(&self.body())
            .send()?
            .json()?;
        match answer {
            Value::Array(rows) => Ok(rows),
            // A query with a problem Looker reports in the result (`looker_error`).
            Value::Object(map) if map.contains_key("looker_error") => Err(ToolError::internal(
                format!("system__activity query failed: {}", map["looker_error"]),
            )),
            other => Err(ToolError::internal(format!(
                "system__activity answered with {other}, not rows"
            ))),
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_an_explicit_limit_and_escaped_literals() {
        let body = Activity::new("history", &["query.model", "history.query_run_count"], 50)
            .filter("history.created_date", RECENT_WINDOW)
            .equals("query.model", "my_model")
            .sort_desc("history.query_run_count")
            .body();
        assert_eq!(body["limit"], "50");
        assert_eq!(body["model"], "system__activity");
        assert_eq!(body["filters"]["query.model"], "my^_model");
        assert_eq!(body["sorts"], json!(["history.query_run_count desc"]));
    }
}
