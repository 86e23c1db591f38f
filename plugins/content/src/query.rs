//! The Looker `Query` body that `create_look` saves, built in one place.

use looker_mcp_plugin_sdk::args::default;
use looker_mcp_plugin_sdk::queries::QueryOptions;
use looker_mcp_plugin_sdk::query_args;
use looker_mcp_plugin_sdk::schema::{self, ObjectSchema, Ty};
use looker_mcp_plugin_sdk::{ToolError, filters, looker};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// The row limit saved with a query unless told otherwise.
pub const ROW_LIMIT: i64 = 500;

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
    #[serde(default = "default::int::<ROW_LIMIT>")]
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

impl QueryArgs {
    /// The schema of these arguments, as `create_look` takes them.
    pub fn schema() -> ObjectSchema {
        schema::object()
            .required(
                "model",
                Ty::Str,
                "LookML model, e.g. `ecommerce` (from `list_models`).",
            )
            .required(
                "view",
                Ty::Str,
                "Explore to query, e.g. `orders` (Looker's API calls it `view`).",
            )
            .required(
                "fields",
                Ty::StrList,
                "Fields as `view.field` names from the explore, e.g. [\"orders.region\", \
                 \"orders.count\"].",
            )
            .optional(
                "filters",
                query_args::filters(),
                "Filters: field name → Looker filter expression, e.g. {\"orders.created_date\": \
                 \"90 days\", \"orders.amount\": \">=100\", \"orders.region\": \"-NULL\"}. A list of \
                 values matches any of them: {\"orders.status\": [\"complete\", \"pending\"]}. \
                 Commas inside a string are literal. Filters on different fields combine with AND.",
            )
            .optional(
                "sorts",
                Ty::StrList,
                "Sort order, each a field optionally followed by ` desc`, e.g. \
                 [\"orders.count desc\"].",
            )
            .with_default(
                "limit",
                Ty::Int,
                ROW_LIMIT,
                "Row limit saved with the query. Default 500.",
            )
            .optional("column_limit", Ty::Int, "Most pivot columns, e.g. 20.")
            .optional(
                "subtotals",
                Ty::StrList,
                "Dimensions to subtotal on, e.g. [\"orders.region\"].",
            )
            .optional(
                "vis_config",
                Ty::Object,
                "Visualization settings; `type` picks the chart, e.g. {\"type\": \"looker_bar\"}.",
            )
            .extend(option_args())
    }

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

/// The schema of [`QueryOptions`], the query options beyond fields, filters and sorts (the same
/// on `create_look` and `add_dashboard_element`).
pub fn option_args() -> ObjectSchema {
    schema::object()
        .optional(
            "pivots",
            Ty::StrList,
            "Dimensions to pivot into columns; each must also be in the fields, e.g. \
             [\"orders.status\"].",
        )
        .optional(
            "fill_fields",
            Ty::StrList,
            "Date dimensions (in the fields) whose gaps are filled, e.g. \
             [\"orders.created_date\"].",
        )
        .optional(
            "filter_expression",
            Ty::Str,
            "A Looker custom filter for OR logic, e.g. `${orders.amount} > 100 OR \
             ${orders.status} = \"complete\"`.",
        )
        .optional("total", Ty::Bool, "Add a totals row.")
        .optional(
            "row_total",
            Ty::Str,
            "Row totals of a pivoted query: `right`. Needs `pivots`.",
        )
        .optional(
            "query_timezone",
            Ty::Str,
            "IANA timezone to run in, e.g. `America/Chicago`.",
        )
        .with_default(
            "dynamic_fields",
            query_args::dynamic_fields_or_null(),
            Value::Null,
            "Custom fields and table calculations: a JSON array (or that array as JSON text) of \
             objects such as {\"measure\": \"total_amount\", \"based_on\": \"orders.amount\", \
             \"type\": \"sum\"}, {\"dimension\": \"is_big\", \"expression\": \"${orders.amount} > \
             100\"} or {\"table_calculation\": \"share\", \"expression\": \"${orders.count} / \
             sum(${orders.count})\"}. Checked before anything is saved.",
        )
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
