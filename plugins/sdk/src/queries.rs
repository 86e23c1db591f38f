//! Query bodies: the semantic-layer query an assistant describes ([`QuerySpec`]: model,
//! explore, fields, filters, sorts), and queries on Looker's own `system__activity` model
//! ([`Activity`]), run inline with an explicit row limit. Filter values are encoded by
//! [`crate::filters`].

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::looker::Request;
use crate::{ToolError, filters};

/// The semantic-layer query an assistant describes: model, explore, fields, filters, sorts.
#[derive(Debug, Deserialize)]
pub struct QuerySpec {
    /// LookML model.
    pub model: String,
    /// Explore.
    pub view: String,
    /// `view.field` names.
    pub fields: Vec<String>,
    /// `{"view.field": expression or [values]}`.
    #[serde(default)]
    pub filters: Option<Map<String, Value>>,
    /// `["view.field desc", ...]`.
    #[serde(default)]
    pub sorts: Option<Vec<String>>,
}

impl QuerySpec {
    /// The `Query` body for `POST /queries`, with filter values encoded by the SDK and `limit`
    /// as the string Looker expects.
    pub fn body(&self, limit: Option<i64>) -> Result<Value, ToolError> {
        for (what, value) in [("model", &self.model), ("view", &self.view)] {
            if value.trim().is_empty() {
                return Err(ToolError::invalid_arguments(format!(
                    "`{what}` must not be empty"
                )));
            }
        }
        if self.fields.iter().all(|f| f.trim().is_empty()) {
            return Err(ToolError::invalid_arguments(
                "`fields` must name at least one `view.field`, e.g. [\"orders.status\", \"orders.count\"]",
            ));
        }
        let mut body = json!({"model": self.model, "view": self.view, "fields": self.fields});
        if let Some(filters) = self.filters.as_ref().filter(|f| !f.is_empty()) {
            body["filters"] = Value::Object(filters::encode_filters(filters)?);
        }
        if let Some(sorts) = self.sorts.as_ref().filter(|s| !s.is_empty()) {
            body["sorts"] = json!(sorts);
        }
        if let Some(limit) = limit {
            body["limit"] = Value::String(limit.to_string());
        }
        Ok(body)
    }
}

/// The model holding Looker's usage data.
pub const SYSTEM_ACTIVITY: &str = "system__activity";

/// One `system__activity` query.
pub struct Activity {
    view: &'static str,
    fields: Vec<&'static str>,
    filters: Map<String, Value>,
    sorts: Vec<String>,
    limit: u32,
}

impl Activity {
    /// A query on explore `view` returning at most `limit` rows.
    pub fn new(view: &'static str, fields: &[&'static str], limit: u32) -> Self {
        Self {
            view,
            fields: fields.to_vec(),
            filters: Map::new(),
            sorts: Vec::new(),
            limit,
        }
    }

    /// Adds a filter already written in Looker's filter syntax.
    pub fn filter(mut self, field: &str, value: impl Into<String>) -> Self {
        self.filters
            .insert(field.to_owned(), Value::String(value.into()));
        self
    }

    /// Adds a filter matching exactly `value` (escaped: `_`, `%` and `,` are literal).
    pub fn equals(self, field: &str, value: &str) -> Self {
        let literal = filters::literal(value);
        self.filter(field, literal)
    }

    /// Sorts by `field`, descending.
    pub fn sort_desc(mut self, field: &str) -> Self {
        self.sorts.push(format!("{field} desc"));
        self
    }

    /// The `Query` body.
    pub fn body(&self) -> Value {
        let mut body = json!({
            "model": SYSTEM_ACTIVITY,
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
            Value::Object(map) if map.contains_key("looker_error") => Err(ToolError::internal(
                format!("system__activity query failed: {}", map["looker_error"]),
            )),
            other => Err(ToolError::internal(format!(
                "system__activity answered with {other}, not rows"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn body_has_an_explicit_limit_and_escaped_literals() {
        let body = Activity::new("history", &["query.model", "history.query_run_count"], 50)
            .filter("history.created_date", "7 days")
            .equals("query.model", "my_model")
            .sort_desc("history.query_run_count")
            .body();
        assert_eq!(body["limit"], "50");
        assert_eq!(body["model"], "system__activity");
        assert_eq!(body["filters"]["query.model"], "my^_model");
        assert_eq!(body["sorts"], json!(["history.query_run_count desc"]));
    }
}
