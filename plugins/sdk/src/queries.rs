//! The semantic-layer query an assistant describes (model, explore, fields, filters, sorts),
//! turned into the `Query` body Looker runs, with filter values encoded by [`crate::filters`].

use serde::Deserialize;
use serde_json::{Map, Value, json};

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
