//! The value shapes of the query arguments that every query-building tool takes (`query`,
//! `query_sql`, `query_url`, `create_look`, `add_dashboard_element`, the sources of
//! `run_merge_query`), so that each tool only words its own descriptions. They are what
//! [`QuerySpec`](crate::queries::QuerySpec) and [`QueryOptions`](crate::queries::QueryOptions)
//! parse.
//!
//! ```
//! use looker_mcp_plugin_sdk::{query_args, schema};
//!
//! let s = schema::object()
//!     .optional("filters", query_args::filters(), "Filters by `view.field`.")
//!     .into_value();
//! assert_eq!(s["properties"]["filters"]["anyOf"][0]["type"], "object");
//! ```

use serde_json::{Value, json};

use crate::schema::Prop;

/// `filters`: an object from `view.field` to one Looker filter expression or a list of exact
/// values.
pub fn filters() -> Prop {
    Prop::json(filters_value())
}

/// [`filters`] as a JSON value, for a schema written as JSON (e.g. a list of sub-queries).
pub fn filters_value() -> Value {
    json!({
        "type": "object",
        "additionalProperties": {"anyOf": [
            {"type": "string"}, {"type": "array", "items": {"type": "string"}}
        ]}
    })
}

/// `dynamic_fields`: a JSON array of objects (custom fields, table calculations), or that array
/// as JSON text.
pub fn dynamic_fields() -> Prop {
    Prop::json(json!({"anyOf": dynamic_fields_alternatives()}))
}

/// [`dynamic_fields`] with `null` as a third alternative rather than wrapped around it, as the
/// content tools list it (for a `with_default(…, Value::Null, …)` argument).
pub fn dynamic_fields_or_null() -> Prop {
    let mut alternatives = dynamic_fields_alternatives();
    alternatives.push(json!({"type": "null"}));
    Prop::json(json!({ "anyOf": alternatives }))
}

fn dynamic_fields_alternatives() -> Vec<Value> {
    vec![
        json!({"type": "array", "items": {"type": "object"}}),
        json!({"type": "string"}),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema;

    #[test]
    fn null_is_wrapped_around_or_listed_beside() {
        let s = schema::object()
            .optional("a", dynamic_fields(), "a")
            .with_default("b", dynamic_fields_or_null(), Value::Null, "b")
            .into_value();
        let p = &s["properties"];
        assert_eq!(p["a"]["anyOf"][1], json!({"type": "null"}));
        assert_eq!(p["a"]["anyOf"][0]["anyOf"][1], json!({"type": "string"}));
        assert_eq!(p["b"]["anyOf"][2], json!({"type": "null"}));
        assert_eq!(p["b"]["default"], Value::Null);
    }
}
