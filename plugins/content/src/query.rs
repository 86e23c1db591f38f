//! The Looker `Query` body that `create_look` saves, built in one place.

use looker_mcp_plugin_sdk::queries::QueryOptions;
use looker_mcp_plugin_sdk::{ToolError, filters, looker};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// The query arguments of `create_look` (the same as the query tools').
#[derive(Debug, Default, Deserialize)]
pub struct QueryArgs {
    pub model: String,
    pub view: String,
    pub fields: Vec<String>,
    #[serde(default)]
    pub filters: Option<Map<String, Value>>,
    #[serde(default)]
    pub sorts: Option<Vec<String>>,
    #[serde(default = "default_limit")]
    pub limit: i64,
    #[serde(default)]
    pub column_limit: Option<i64>,
    #[serde(default)]
    pub subtotals: Option<Vec<String>>,
    #[serde(default)]
    pub vis_config: Option<Map<String, Value>>,
    /// `pivots`, `dynamic_fields`, `filter_expression`, `query_timezone`, `total`,
    /// `row_total`, `fill_fields`: built and checked as the query tools do.
    #[serde(flatten)]
    pub options: QueryOptions,
}

fn default_limit() -> i64 {
    500
}

impl QueryArgs {
    /// The `Query` body. Unset arguments are left out so Looker applies its defaults (an
    /// explicit `null` would mean "clear"); empty lists and maps carry no instruction and are
    /// left out too; `false` is kept. `limit` and `column_limit` are strings on the wire.
    pub fn body(&self) -> Result<Value, ToolError> {
        if self.model.trim().is_empty() || self.view.trim().is_empty() {
            return Err(ToolError::invalid_arguments(
                "`model` and `view` must name a LookML model and one of its explores",
            ));
        }
        if self.fields.is_empty() {
            return Err(ToolError::invalid_arguments(
                "`fields` must name at least one field, e.g. [\"orders.status\", \"orders.count\"]",
            ));
        }
        let mut body = json!({"model": self.model, "view": self.view, "fields": self.fields});
        let put = |body: &mut Value, key: &str, value: Value| {
            body[key] = value;
        };
        put(&mut body, "limit", Value::String(self.limit.to_string()));
        if let Some(filters) = self.filters.as_ref().filter(|f| !f.is_empty()) {
            put(
                &mut body,
                "filters",
                Value::Object(filters::encode_filters(filters)?),
            );
        }
        for (key, list) in [("sorts", &self.sorts), ("subtotals", &self.subtotals)] {
            if let Some(list) = list.as_ref().filter(|l| !l.is_empty()) {
                put(&mut body, key, json!(list));
            }
        }
        if let Some(vis) = self.vis_config.as_ref().filter(|v| !v.is_empty()) {
            put(&mut body, "vis_config", Value::Object(vis.clone()));
        }
        if let Some(n) = self.column_limit {
            put(&mut body, "column_limit", Value::String(n.to_string()));
        }
        self.options.apply(&mut body)?;
        Ok(body)
    }

    /// `POST /queries` with [`QueryArgs::body`]; returns the new query's id.
    pub fn create(&self) -> Result<String, ToolError> {
        let created = looker::Request::post("/queries")
            .fields(&["id"])
            .body(&self.body()?)
            .send()?
            .json::<Value>()?;
        id_of(&created)
            .ok_or_else(|| ToolError::internal("Looker created the query but sent no id"))
    }
}

/// An object's `id` as text (Looker sends string ids; tolerate numbers).
pub fn id_of(value: &Value) -> Option<String> {
    match &value["id"] {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_leaves_out_unset_and_stringifies_limits() {
        let args: QueryArgs = serde_json::from_value(json!({
            "model": "ecommerce", "view": "orders", "fields": ["orders.status"],
            "filters": {"orders.status": ["complete", "in_progress"], "users.name": "Smith, John"},
            "sorts": [], "column_limit": 20, "total": false, "vis_config": {"type": "looker_bar"}
        }))
        .unwrap();
        let body = args.body().unwrap();
        assert_eq!(body["limit"], "500");
        assert_eq!(body["column_limit"], "20");
        assert_eq!(body["total"], false);
        assert_eq!(body["filters"]["orders.status"], "complete,in^_progress");
        assert_eq!(body["filters"]["users.name"], "Smith^, John");
        assert!(body.get("sorts").is_none() && body.get("pivots").is_none());
        assert!(body.get("query_timezone").is_none());
    }

    #[test]
    fn empty_fields_are_refused() {
        let args: QueryArgs =
            serde_json::from_value(json!({"model": "m", "view": "v", "fields": []})).unwrap();
        assert!(matches!(args.body(), Err(ToolError::InvalidArguments(_))));
    }
}
